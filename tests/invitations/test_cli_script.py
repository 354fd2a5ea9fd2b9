"""Rule 19 and the reminder interval through the installed `surveyapp` script, as an operator runs it from cron:
on the demo, the clients interviewed by phone get no survey and no reminder, and however often `reminders send`
runs, nobody gets two reminders within the study's minimum interval (three days).

Runs on SQLite, and on a PostgreSQL database of its own when the suite runs on PostgreSQL. Between runs the
test moves the study's send times back, as days passing would (the script has no clock of its own to set)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Side
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.studies.models import Contact, Study, StudyAccount

SCRIPT = Path(sys.executable).parent / "surveyapp"
STUDY = "brightline-2026"
# The demo's clients of the current wave who were interviewed by phone (surveyapp/demo_answers.py).
INTERVIEWED = {
    "m.vandijk@vandijk-logistiek.example",
    "b.smits@kempenretail.example",
    "s.visser@noordzeehaven.example",
}


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Engine]]:
    folder = tmp_path_factory.mktemp("cli-script")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SURVEYAPP_", "FLASK_"))}
    env.update(SURVEYAPP_ENV="development", SURVEYAPP_INSTANCE_PATH=str(folder / "instance"))
    postgres = os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
    if postgres:
        from tests.system.cli_helpers import drop_postgres_database, fresh_postgres_database

        url = fresh_postgres_database(postgres, "cli_script")
        env["SURVEYAPP_DATABASE_URL"] = url
    else:
        url = f"sqlite:///{folder / 'instance' / 'surveyapp.db'}"
    (folder / "instance").mkdir()
    run(env, "init-db")
    run(env, "demo")
    engine = create_engine(url)
    yield env, engine
    engine.dispose()
    if postgres:
        drop_postgres_database(url)


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _study(session: Session) -> Study:
    return session.scalars(select(Study).where(Study.slug == STUDY)).one()


def _days_pass(engine: Engine, days: int) -> None:
    """Move every send and reminder of the study `days` back in time, as if that many days had passed."""
    with Session(engine) as session, session.begin():
        study = _study(session)
        ids = select(Invitation.id).where(Invitation.study_id == study.id)
        for invitation in session.scalars(select(Invitation).where(Invitation.study_id == study.id)):
            for column in ("first_sent_at", "last_queued_at", "opened_at"):
                if getattr(invitation, column) is not None:
                    setattr(invitation, column, getattr(invitation, column) - timedelta(days=days))
        for token in session.scalars(select(InvitationToken).where(InvitationToken.invitation_id.in_(ids))):
            token.created_at -= timedelta(days=days)


def _mailed(engine: Engine, purpose: str) -> dict[str, int]:
    """Per contact email: how many tokens of that purpose (send, reminder) the study's emails carried."""
    with Session(engine) as session:
        study = _study(session)
        rows = session.execute(
            select(Contact.email, InvitationToken.id)
            .join(Invitation, Invitation.id == InvitationToken.invitation_id)
            .join(Contact, Contact.id == Invitation.contact_id)
            .where(Invitation.study_id == study.id, InvitationToken.purpose == purpose)
        ).all()
    counts: dict[str, int] = {}
    for email, _token in rows:
        counts[email] = counts.get(email, 0) + 1
    return counts


def _queued(stdout: str) -> int:
    line = next(line for line in stdout.splitlines() if line.startswith("reminders:"))
    return int(line.split()[1])


def test_cli_script_interviewed_clients_get_no_survey_and_reminders_keep_their_interval(instance: Any):
    env, engine = instance
    with Session(engine) as session, session.begin():  # the demo's deadline is a fixed date: keep it ahead
        session.execute(
            update(Study)
            .where(Study.slug == STUDY)
            .values(deadline=(datetime.now(UTC) + timedelta(days=60)).date())
        )

    # Act 1: the clients are invited
    run(env, "invitations", "send", "--study", STUDY)
    invited = _mailed(engine, "send")

    # Assert 1: every client but the interviewed ones, and theirs count as answered
    with Session(engine) as session:
        study = _study(session)
        clients = set(
            session.scalars(
                select(Contact.email)
                .join(StudyAccount, StudyAccount.account_id == Contact.account_id)
                .where(StudyAccount.study_id == study.id, Contact.side == Side.CLIENT)
            )
        )
        interviewed_status = set(
            session.scalars(
                select(Invitation.status)
                .join(Contact, Contact.id == Invitation.contact_id)
                .where(Invitation.study_id == study.id, Contact.email.in_(sorted(INTERVIEWED)))
            )
        )
    assert clients >= INTERVIEWED
    assert INTERVIEWED.isdisjoint(invited)
    assert clients - INTERVIEWED <= set(invited)
    assert interviewed_status == {InvitationStatus.COMPLETED}

    # Act 2: a month later, cron runs `reminders send` twice in a row, then two and four days on
    _days_pass(engine, 30)
    first = _queued(run(env, "reminders", "send"))
    again = _queued(run(env, "reminders", "send"))
    _days_pass(engine, 2)
    two_days_on = _queued(run(env, "reminders", "send"))
    _days_pass(engine, 2)
    four_days_on = _queued(run(env, "reminders", "send"))

    # Assert 2: one reminder each after the pause (not both overdue ones at once), none within three days, the
    # second one after that; never to the interviewed clients
    reminded = _mailed(engine, "reminder")
    assert first > 0
    assert (again, two_days_on) == (0, 0)
    assert four_days_on > 0
    assert INTERVIEWED.isdisjoint(reminded)
    clients_reminded = {email: n for email, n in reminded.items() if email in clients}
    assert clients_reminded
    assert set(clients_reminded.values()) == {2}
