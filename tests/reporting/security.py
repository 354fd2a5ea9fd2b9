"""Instruments for the security tests: an audit-hook recorder of file opens and network attempts, a listening
socket that must stay untouched, and a fetcher that writes down every URL it is asked for."""

from __future__ import annotations

import socket
import sys
import threading
from pathlib import Path

import surveyapp
from surveyapp.reporting.pdf import REPORTS_DIR, AssetBundle, LockedFetcher

TRANSLATIONS = Path(surveyapp.__file__).resolve().parent / "translations"

PNG_1PX = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Audit:
    """Records file opens and network attempts of the thread that set `recording` (audit hooks cannot be
    removed). Only that thread's: a thread an earlier test left running (a job delivering mail, say) may
    connect to the database or an SMTP server meanwhile, and that is not the render's doing."""

    NETWORK = ("socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect")

    def __init__(self) -> None:
        self._thread: int | None = None
        self.opened: list[str] = []
        self.network: list[tuple[str, str]] = []

    @property
    def recording(self) -> bool:
        return self._thread is not None

    @recording.setter
    def recording(self, on: bool) -> None:
        self._thread = threading.get_ident() if on else None

    def __call__(self, event: str, args: tuple) -> None:
        if self._thread is None or threading.get_ident() != self._thread:
            return
        if event == "open" and args and isinstance(args[0], str | bytes | Path):
            self.opened.append(str(args[0]))
        elif event in self.NETWORK:
            self.network.append((event, repr(args)[:200]))


AUDIT = Audit()
sys.addaudithook(AUDIT)


def listening_socket() -> socket.socket:
    """A real socket listening on loopback."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    return server


def untouched(server: socket.socket) -> bool:
    try:
        connection, _address = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


class RecordingFetcher(LockedFetcher):
    """The report's fetcher, with every URL it was asked for written down."""

    def __init__(self, assets: AssetBundle) -> None:
        super().__init__(assets)
        self.calls: list[str] = []

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        self.calls.append(url)
        return super().fetch(url, headers)


def outside_the_code(opened: list[str], *also: str) -> list[str]:
    """Files opened that are none of: bundled report assets, Python modules and packages (lazy imports), the
    translation catalogues, the time-zone database, and the folders in `also` (compiled templates)."""
    allowed = (
        str(REPORTS_DIR),
        sys.prefix,
        sys.base_prefix,
        str(TRANSLATIONS),
        "/usr/share/zoneinfo/",
        *also,
    )
    return [path for path in opened if not path.startswith(allowed) and not path.endswith((".py", ".pyc"))]
