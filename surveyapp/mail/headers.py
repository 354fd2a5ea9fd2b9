"""Checks for what ends up in a mail header: whatever could inject a header is refused, never cleaned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from email_validator import EmailNotValidError, validate_email

from surveyapp.i18n import _l

# C0 and C1 control characters (CR and LF among them) and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_SUBJECT = 250
MAX_DISPLAY_NAME = 200


class HeaderError(ValueError):
    """A value that may not go into a mail header; the message names the field and the reason."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def check_header_text(value: str, *, what: Any, limit: int = MAX_SUBJECT) -> str:
    """The value unchanged when it is safe in a header; a HeaderError for line breaks and other control
    characters (the way to inject a header) or an overlong value."""
    if has_control_characters(value):
        raise HeaderError(_l("%(what)s may not contain line breaks or other control characters.", what=what))
    if len(value) > limit:
        raise HeaderError(_l("%(what)s may have at most %(n)d characters.", what=what, n=limit))
    return value


def check_address(value: str | None, *, what: Any) -> str:
    """A syntactically valid email address (no DNS lookup) as it goes on the wire: an internationalised domain
    in its ASCII form. HeaderError otherwise, and for a non-ASCII local part (it would need SMTPUTF8)."""
    if not value or has_control_characters(value):
        raise HeaderError(_l("%(what)s is not a valid email address.", what=what))
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise HeaderError(_l("%(what)s is not a valid email address.", what=what)) from None
    if result.ascii_email is None:
        raise HeaderError(
            _l(
                "%(what)s has characters outside ASCII before the @, which not every mail server accepts.",
                what=what,
            )
        )
    return result.ascii_email


@dataclass(frozen=True, slots=True)
class Sender:
    """The From address of outgoing mail and its default display name (from SURVEYAPP_MAIL_FROM)."""

    address: str
    name: str


_SENDER_ADDRESS = re.compile(r'^[^@\s<>"]+@[^@\s<>"]+$')


def parse_sender(mail_from: str) -> Sender:
    """`surveyapp <noreply@example.org>` or a bare address; raises HeaderError when unusable.

    Only the form is checked: operators may use reserved domains such as `.invalid` for a no-reply sender.
    """
    check_header_text(mail_from, what="SURVEYAPP_MAIL_FROM", limit=320)
    name, address = parseaddr(mail_from)
    if not _SENDER_ADDRESS.match(address):
        raise HeaderError(_l("%(what)s is not a valid email address.", what="SURVEYAPP_MAIL_FROM"))
    return Sender(
        address=address, name=check_header_text(name, what="SURVEYAPP_MAIL_FROM", limit=MAX_DISPLAY_NAME)
    )


def address_header(name: str, address: str) -> Address:
    """An address for a header; the email package quotes the display name as needed."""
    check_header_text(name, what=_l("A name"), limit=MAX_DISPLAY_NAME)
    local, _sep, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)
