"""URL helpers."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """A redirect target that stays on this site: a plain absolute path, or None.

    Refuses scheme-relative (`//evil`), backslash tricks (`/\\evil`, which browsers read as `//`), absolute URLs,
    control characters and anything that is not a path.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
