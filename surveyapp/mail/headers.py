"""Checks for what ends up in a mail header: whatever could inject a header is refused, never cleaned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from email_validator import EmailNotValidError, validate_email

from surveyapp.i18n import _l

# C0 and C1 control characters (CR and LF among them) and the Unicode line and paragraph separators. The
# pattern is kept as source text with escapes, because the invitation rules hand the same text to the database
# (PostgreSQL's `~` and SQLite's REGEXP read it alike), so that both judge a name the same way.
CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
_CONTROL = re.compile(CONTROL_PATTERN)
# The usual form of an address, for which `validate_email` has nothing to do: it returns such an address
# unchanged as its ASCII form. Lower-case letters, digits and `._+-` before the @; after it, at least two
# dot-separated labels of letters, digits and single inner hyphens (so no Punycode `xn--` and no R-LDH label),
# the last of letters only and not a special-use name (RESERVED_DOMAIN_PATTERN), none longer than 63 characters
# (no run of 64: LONG_LABEL_PATTERN), 254 characters in all. Every other address (upper case, an apostrophe, an
# internationalised domain, ...) gets the full validation. Kept as source text in three simple patterns that
# Python and PostgreSQL read alike (and that PostgreSQL's engine runs quickly, unlike lookaheads and bounded
# repeats in one pattern): the invitation rules let the database find the addresses that need a closer look.
PLAIN_ADDRESS_PATTERN = r"\A[a-z0-9_+-]+(\.[a-z0-9_+-]+)*@([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]+\Z"
RESERVED_DOMAIN_PATTERN = r"[.@](arpa|invalid|local|localhost|onion|test)\Z"
LONG_LABEL_PATTERN = r"[a-z0-9-]{64}"
MAX_ADDRESS = 254
_PLAIN_ADDRESS = re.compile(PLAIN_ADDRESS_PATTERN)
_RESERVED_DOMAIN = re.compile(RESERVED_DOMAIN_PATTERN)
_LONG_LABEL = re.compile(LONG_LABEL_PATTERN)
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


def is_plain_address(value: str) -> bool:
    """Whether the address has the usual form that `check_address` returns unchanged without further work."""
    return (
        len(value) <= MAX_ADDRESS
        and _PLAIN_ADDRESS.match(value) is not None
        and _RESERVED_DOMAIN.search(value) is None
        and (len(value) < 64 or _LONG_LABEL.search(value) is None)
    )


def check_address(value: str | None, *, what: Any) -> str:
    """A syntactically valid email address (no DNS lookup) as it goes on the wire: an internationalised domain
    in its ASCII form. HeaderError otherwise, and for a non-ASCII local part (it would need SMTPUTF8)."""
    if not value or has_control_characters(value):
        raise HeaderError(_l("%(what)s is not a valid email address.", what=what))
    candidate = value.strip()
    if is_plain_address(candidate):
        # The common case, about 25 times faster (the sender and a send of 40,000 invitations check each one).
        return candidate
    try:
        result = validate_email(candidate, check_deliverability=False)
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
    """The From address of outgoing mail and its default display name (from SURVEYAPP_MAIL_FROM), and the
    Reply-To of every email that names none of its own (SURVEYAPP_MAIL_REPLY_TO; None: no such default)."""

    address: str
    name: str
    reply_to: str | None = None


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
