"""A WSGI app for tests/deploy/test_request_budget.py: one quick answer and one that never finishes in time."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/slow":
        time.sleep(600)  # a request stuck in Python (a runaway loop, a library that hangs)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"served by {os.getpid()}\n".encode()]
