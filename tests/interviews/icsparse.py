"""A small RFC 5545 reader for the tests: unfolds lines, splits properties, unescapes TEXT values."""

from __future__ import annotations

import email
from email import policy
from typing import Any


def unfold(data: bytes) -> list[str]:
    assert b"\n" not in data.replace(b"\r\n", b""), "lines must end in CRLF"
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            following = value[i + 1]
            out.append("\n" if following in "nN" else following)
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def events(data: bytes) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(calendar properties, events' properties) with TEXT values unescaped."""
    calendar: dict[str, str] = {}
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(data):
        name, _sep, value = line.partition(":")
        name = name.split(";")[0]
        if (name, value) == ("BEGIN", "VEVENT"):
            current = {}
        elif (name, value) == ("END", "VEVENT"):
            assert current is not None
            found.append(current)
            current = None
        elif current is not None:
            current[name] = unescape(value)
        else:
            calendar.setdefault(name, value)
    return calendar, found


def attachment(raw: bytes, filename: str = "interview.ics") -> tuple[str, bytes]:
    """(content type, bytes) of the named attachment of an RFC 5322 message."""
    message: Any = email.message_from_bytes(raw, policy=policy.default)
    for part in message.iter_attachments():
        if part.get_filename() == filename:
            return part.get_content_type(), part.get_payload(decode=True)
    raise AssertionError(f"no attachment {filename}")
