"""URL helpers."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def safe_next(target: str | None) -> str | None:
    """A redirect target that stays on this site: a plain absolute path, or None.

    Refuses scheme-relative (`//evil`), backslash tricks (`/\\evil`, which browsers read as `//`), absolute URLs,
    control characters and anything that is not a path — also once percent-decoded (`/%2F%2Fevil`), in case a
    proxy or a later redirect decodes it.
    """
    if not target or len(target) > 2000:
        return None
    for form in (target, unquote(target)):
        if any(ord(ch) < 32 or ch == "\\" for ch in form):
            return None
        if not form.startswith("/") or form.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
