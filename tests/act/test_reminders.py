"""Reminders to owners of actions due soon or overdue: queued by `tick`, once per state, in the owner's
language, delivered to a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from surveyapp.act import services
from surveyapp.enums import ActionStatus, DecisionKind, Language, Role
from surveyapp.jobs.tasks import tick
from tests.act.conftest import SWAYED, account_id, act, decide
from tests.mail.smtpserver import smtp_server  # noqa: F401

CREATED = date(2030, 6, 1)


@pytest.fixture
def app(make_app: Any, smtp_server: Any) -> Iterator[Flask]:  # noqa: F811
    application = make_app(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port, SMTP_TIMEOUT=5
    )
    with application.app_context():
        yield application


def at(day: int, month: int = 6) -> datetime:
    return datetime(2030, month, day, 10, 0, tzinfo=UTC)


def two_actions(db, study, researcher, member):
    decision = decide(db, study, SWAYED, DecisionKind.REALIGN, researcher)
    mine = act(
        db,
        decision,
        "Agree a fixed scope",
        researcher,
        owner_user_id=member.id,
        due=date(2030, 6, 10),
        today=CREATED,
    )
    theirs = act(
        db,
        decision,
        "Send the new price list",
        researcher,
        owner_name="Olga Owner",
        owner_email="olga@client.example",
        owner_language=Language.EN,
        due=date(2030, 6, 5),
        today=CREATED,
    )
    return mine, theirs


def received(smtp_server) -> list[tuple[str, str]]:  # noqa: F811
    return [(m["To"].addresses[0].addr_spec, str(m["Subject"])) for m in smtp_server.handler.messages()]


def test_tick_reminds_due_soon_and_overdue_owners_once_in_their_language(
    db,
    act_study,
    researcher,
    make_user,
    smtp_server,  # noqa: F811
):
    study = act_study()
    member = make_user(
        Role.ACCOUNT_TEAM,
        email="tom@brightline.example",
        name="Tom",
        suppliers=[study.supplier],
        language=Language.NL,
    )
    two_actions(db, study, researcher, member)

    early = tick(now=at(6, 5))  # 6 May: nothing due yet
    first = tick(now=at(8))  # 8 June: Tom's is due in 2 days, Olga's is 3 days late
    again = tick(now=at(8))
    later = tick(now=at(11))  # 11 June: Tom's is late now

    assert [r.action_reminders.line() for r in (early, first, again, later)] == [
        "action reminders: 0 due soon, 0 overdue",
        "action reminders: 1 due soon, 1 overdue",
        "action reminders: 0 due soon, 0 overdue",
        "action reminders: 0 due soon, 1 overdue",
    ]
    assert received(smtp_server) == [
        ("tom@brightline.example", "Actie af uiterlijk 10 juni 2030: Agree a fixed scope"),
        ("olga@client.example", "Action overdue since June 5, 2030: Send the new price list"),
        ("tom@brightline.example", "Actie over de einddatum (10 juni 2030): Agree a fixed scope"),
    ]


def test_reminder_to_a_user_links_to_the_account_and_a_contact_gets_no_link(
    db,
    act_study,
    researcher,
    make_user,
    smtp_server,  # noqa: F811
):
    study = act_study()
    member = make_user(
        Role.ACCOUNT_TEAM, email="tom@brightline.example", suppliers=[study.supplier], language=Language.EN
    )
    two_actions(db, study, researcher, member)

    tick(now=at(8))

    bodies = {
        m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content()
        for m in smtp_server.handler.messages()
    }
    link = f"https://surveys.example.org/studies/{study.slug}/act/accounts/{account_id(db, SWAYED)}"
    assert link in bodies["tom@brightline.example"]
    assert "https://" not in bodies["olga@client.example"]
    assert "Send the new price list" in bodies["olga@client.example"]


def test_done_and_dropped_actions_are_not_reminded(db, act_study, researcher, make_user, smtp_server):  # noqa: F811
    study = act_study()
    member = make_user(Role.ACCOUNT_TEAM, suppliers=[study.supplier])
    mine, theirs = two_actions(db, study, researcher, member)
    for action, status in ((mine, ActionStatus.DONE), (theirs, ActionStatus.DROPPED)):
        services.update_action(session=db.session, action=action, status=status, notes="", actor=researcher)
    db.session.commit()

    report = tick(now=at(20))

    assert (report.action_reminders.soon, report.action_reminders.overdue, received(smtp_server)) == (
        0,
        0,
        [],
    )
