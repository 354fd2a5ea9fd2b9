"""The plain-address shortcut of `check_address` (issue 22) changes nothing it answers, and the database reads
the patterns the invitation rules give it exactly as Python does."""

from __future__ import annotations

import random

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import literal, select

from surveyapp.invitations.rules import plain_address_column
from surveyapp.mail.headers import (
    CONTROL_PATTERN,
    HeaderError,
    check_address,
    has_control_characters,
    is_plain_address,
)

EDGES = [
    "anna@acme.example",
    "client1-00001@client00001.example",
    "a.b+c_d-e@x-y.co.uk",
    "a@1.com",
    " anna@acme.example ",
    "Anna@Acme.example",
    "o'brien@example.ie",
    "jörg@acme.example",
    "anna@bücher.example",
    "anna@xn--bcher-kva.example",
    "anna@ab--cd.example",
    "anna@-acme.example",
    "anna@acme-.example",
    "anna@acme..example",
    ".anna@acme.example",
    "anna.@acme.example",
    "an..na@acme.example",
    "anna@acme",
    "anna@acme.c1",
    "anna@acme.test",
    "anna@mail.acme.local",
    "anna@localhost",
    "anna@acme.invalid",
    "anna@x.test.example",
    "anna@@acme.example",
    "@acme.example",
    "anna@",
    "anna@acme.example\n",
    "anna\r\n@acme.example",
    "postmaster@acme.example",
    "a" * 64 + "@acme.example",
    "a" * 63 + "@acme.example",
    "anna@" + "b" * 63 + ".example",
    "anna@" + "b" * 64 + ".example",
    "a" * 240 + "@acme.example",
    "a" * 241 + "@acme.example",
    "",
]


def _before(value: str) -> str | None:
    """What `check_address` answered before the shortcut: the address on the wire, or None for HeaderError."""
    if not value or has_control_characters(value):
        return None
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.ascii_email


def _now(value: str) -> str | None:
    try:
        return check_address(value, what="The address")
    except HeaderError:
        return None


def _generated(count: int) -> list[str]:
    """Addresses near the plain form, from a fixed seed: labels up to 66 characters, special-use and numeric
    top-level domains, double hyphens, dots in odd places."""
    rng = random.Random(22)

    def word(chars: str, longest: int) -> str:
        return "".join(rng.choice(chars) for _ in range(rng.randint(1, longest)))

    found = []
    for _ in range(count):
        local = word("abz09._+-", rng.choice((3, 10, 70)))
        labels = [word("abz09-", rng.choice((3, 10, 66))) for _ in range(rng.randint(1, 3))]
        top = rng.choice(("com", "nl", "test", "local", "invalid", "c1", "x", word("ab-", 4)))
        found.append(local + "@" + ".".join([*labels, top]))
    return found


def test_check_address_answers_what_it_answered_before_for_edge_cases():
    assert [_now(value) for value in EDGES] == [_before(value) for value in EDGES]


def test_check_address_answers_what_it_answered_before_for_generated_addresses():
    values = _generated(20_000)

    plain = [value for value in values if is_plain_address(value)]

    assert len(plain) > 1_000  # the shortcut is exercised, not only the full validation
    assert [_now(value) for value in values] == [_before(value) for value in values]


def test_database_judges_plain_addresses_and_control_characters_as_python_does(db):
    values = [*EDGES, *_generated(300), "Tab\tName", "Line\u2028Separator", "Del\x7fete", "Plain Name", "Zoë"]

    in_database = []
    for value in values:
        plain, control = db.session.execute(
            select(
                plain_address_column(literal(value)),
                literal(value).regexp_match(CONTROL_PATTERN),
            )
        ).one()
        in_database.append((bool(plain), bool(control)))

    in_python = [(is_plain_address(value), has_control_characters(value)) for value in values]
    assert in_database == in_python
