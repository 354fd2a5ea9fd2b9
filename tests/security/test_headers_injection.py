"""Header injection in emails and formula injection in exports.

Line breaks in contact names are folded into spaces when the contact is stored, in subjects and sender names
they are refused by the form, and the outbox refuses every control character in anything that becomes a
header; the message that reaches a real SMTP server carries exactly the headers we set. Every CSV and XLSX
export writes text that starts with `= + - @`, tab or CR with a leading `'`."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from surveyapp.coding import services as coding
from surveyapp.coding.models import PALETTE
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.core.csvfiles import FORMULA_STARTS
from surveyapp.enums import Language, Side
from surveyapp.exports.services import build_export
from surveyapp.invitations.models import StudyEmailSettings
from surveyapp.invitations.sending import send_invitations
from surveyapp.jobs.tasks import deliver_outbox
from surveyapp.mail.headers import HeaderError, Sender
from surveyapp.mail.models import MailKind, OutboxMessage
from surveyapp.mail.outbox import Draft, queue_message
from surveyapp.mail.settings import mail_settings
from surveyapp.studies import scope
from surveyapp.studies.models import Account, Contact
from tests.coding.conftest import coded_study  # noqa: F401
from tests.invitations.conftest import fit_study  # noqa: F401
from tests.mail.smtpserver import smtp_server  # noqa: F401

INJECTED = "Ben\r\nBcc: everyone@attacker.example\r\nX-Injected: yes"
INVITATION_HEADERS = [
    "Content-Type",
    "Date",
    "From",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Message-ID",
    "Subject",
    "To",
]


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Iterator[Flask]:  # noqa: F811
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application


def test_headers_injection_line_breaks_in_a_contact_name_never_reach_the_headers(
    app,
    db,
    fit_study,  # noqa: F811
    smtp_server,  # noqa: F811
):
    # Arrange: a staff member (invited in the first send) whose name tries to add a Bcc and a header of its own
    study = fit_study()
    account = db.session.scalar(select(Account).where(Account.name == "Globex"))
    contact = scope.add_contact(
        session=db.session,
        study=study,
        side=Side.SUPPLIER,
        email="zed@supplier.example",
        name=INJECTED,
        language=Language.EN,
        account_id=account.id,
        actor=None,
    )
    db.session.commit()

    # Act
    send_invitations(session=db.session, study=study, mail=mail_settings(app.config))
    db.session.commit()
    deliver_outbox()

    # Assert: stored with the line breaks folded into spaces, and sent with exactly our headers
    assert db.session.get(Contact, contact.id).name == "Ben Bcc: everyone@attacker.example X-Injected: yes"
    received = [r for r in smtp_server.received if "zed@supplier.example" in r.rcpt_tos]
    assert len(received) == 1, [r.rcpt_tos for r in smtp_server.received]
    assert received[0].rcpt_tos == ["zed@supplier.example"]
    message = received[0].message
    assert sorted(message.keys()) == INVITATION_HEADERS
    assert str(message["To"]) == '"Ben Bcc: everyone@attacker.example X-Injected: yes" <zed@supplier.example>'
    assert message["Bcc"] is None
    assert message["X-Injected"] is None


HEADER_FIELDS = ["subject_nl", "subject_en", "sender_name_nl", "sender_name_en"]
BREAKS = ["Hi\r\nBcc: all@attacker.example", "Hi\nX: y", "Hi\u2028there", "Hi\x85there"]


def test_headers_injection_email_settings_refuse_control_characters(
    db,
    fit_study,  # noqa: F811
    make_user,
    login,
    client,
):
    study = fit_study()
    login(make_user())

    responses = [
        client.post_form(
            f"/studies/{study.slug}/invitations/email", {field: value, "intro_en": "Kept as typed"}
        )
        for field in HEADER_FIELDS
        for value in BREAKS
    ]

    assert [r.status_code for r in responses] == [422] * len(HEADER_FIELDS) * len(BREAKS)
    for response in responses:
        page = response.get_data(as_text=True)
        assert "Line breaks and other control characters are not allowed here." in page
        assert "Kept as typed" in page
    assert db.session.get(StudyEmailSettings, study.id) is None


def _queue(db: Any, **values: str) -> OutboxMessage:
    return queue_message(
        session=db.session,
        kind=MailKind.INVITATION,
        dedupe_key="injection",
        recipient=values.get("recipient", "zoe@example.org"),
        recipient_name=values.get("recipient_name", "Zoë"),
        sender=Sender("research@example.org", "Research"),
        draft=Draft(
            subject=values.get("subject", "Uw mening"),
            text_body="Hallo",
            sender_name=values.get("sender_name", "Research"),
            reply_to=values.get("reply_to"),
        ),
    )


def test_headers_injection_the_outbox_refuses_control_characters_in_every_header(db):
    refused = []
    for part in ("recipient_name", "subject", "sender_name", "recipient", "reply_to"):
        for bad in ("\r\nBcc: x@attacker.example", "\n", "\r", "\u2028", "\x85", "\x00"):
            base = "zoe@example.org" if part in ("recipient", "reply_to") else "Zoë"
            try:
                _queue(db, **{part: base + bad})
            except HeaderError:
                refused.append(part)

    assert refused == [
        part
        for part in ("recipient_name", "subject", "sender_name", "recipient", "reply_to")
        for _ in range(6)
    ]
    assert db.session.scalars(select(OutboxMessage)).all() == []


# ---- formula injection in exports ----------------------------------------------------------------------

NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
FORMULAS = ['=HYPERLINK("http://attacker.example")', "+1+2", "-3+4", "@SUM(A1)"]


def _cells(made: Any, fmt: str) -> list[str]:
    data = b"".join(made.chunks)
    if fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(data))
        cells = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f"
                    if isinstance(cell.value, str):
                        cells.append(cell.value)
        return cells
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [archive.read(name).decode("utf-8-sig") for name in archive.namelist()]
    else:
        texts = [data.decode("utf-8-sig")]
    return [cell for text in texts for row in csv.reader(io.StringIO(text)) for cell in row]


def test_headers_injection_every_export_neutralises_formula_starts(db, coded_study, make_user):  # noqa: F811
    # Arrange: formula-like text in an account name, an answer and theme names
    coded = coded_study()
    researcher = make_user()
    account = db.session.get(Account, coded.accounts["Noordzee Havenbedrijf"])
    account.name = "=cmd|' /C calc'!A0"
    themes = [
        coding.create_theme(
            session=db.session, study=coded.study, name=name, colour=PALETTE[i], actor=researcher
        )
        for i, name in enumerate(FORMULAS)
    ]
    answer_id = coded.answer("m.vandijk@vandijk.example", "Van Dijk Logistiek")
    coding.save_tags(
        session=db.session,
        study=coded.study,
        chosen={Target(ANSWER, answer_id): frozenset(theme.id for theme in themes)},
        actor=researcher,
    )
    db.session.commit()

    # Act
    exported = {
        (what, fmt): _cells(build_export(session=db.session, study=coded.study, what=what, fmt=fmt), fmt)
        for what in ("answers", "analysis", "themes")
        for fmt in ("csv", "xlsx")
    }

    # Assert: no text cell starts a formula (numbers such as -100.0 are numbers); the hostile values are there
    for (what, _fmt), cells in exported.items():
        assert [c for c in cells if c.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(c)] == []
        expected = ["'" + name for name in FORMULAS] if what == "themes" else ["'=cmd|' /C calc'!A0"]
        assert [value for value in expected if value not in cells] == []
