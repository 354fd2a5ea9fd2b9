"""A large study written straight into the tables with bulk Core inserts (issue 22): 20,000 accounts, two
client contacts each, staff assigned to every account, invitations for all of them, a few thousand completed
responses with their answers, and in the act phase decisions with actions.

Used by the page tests of the large study (tests/studies, tests/act, tests/dashboard, tests/invitations)
and by `bench/bench_large_study.py`. Answers are inserted through Core, so the summary tables are kept by
their triggers as on every other write path. Nothing here goes through the services' per-row checks: this
is test data, shaped like what several imports and a fieldwork period leave behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from surveyapp.act.models import ActionItem, Decision
from surveyapp.enums import (
    ActionStatus,
    DecisionKind,
    InvitationStatus,
    Language,
    Perspective,
    Phase,
    Purpose,
    QuestionType,
    ResponseMode,
    Side,
)
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import COMPLETED, Answer, Response
from surveyapp.responses.storage import stored_answer
from surveyapp.studies.imports.common import insert_rows
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount
from surveyapp.studies.services import create_study, create_supplier, default_questionnaires

SEGMENTS = ("Care", "Industry", "Retail", "Public", "")
ROLES = ("Director", "Buyer", "")
# The answer to the questionnaire's role question (rule 18) of a contact with that job title; none for "".
ROLE_GROUPS = {"Director": "decision_maker", "Buyer": "buyer", "Account manager": "account_lead"}
BATCH = 5_000
# (client level, supplier level) per answered account, in turn: match, customer swayed, blind spot, misfit.
LEVELS = ((5, 5), (5, 2), (2, 5), (2, 2))
DECISION_KINDS = (DecisionKind.CONTINUE, DecisionKind.REALIGN, DecisionKind.EXIT)


@dataclass
class LargeStudy:
    """What was built, for assertions: the study and the accounts' ids in name order."""

    study: Study
    account_ids: list[int] = field(default_factory=list)
    accounts: int = 0
    client_contacts: int = 0
    staff: int = 0
    responses: int = 0
    decisions: int = 0
    actions: int = 0


def account_name(number: int) -> str:
    """The name of the n-th account (1-based); zero-padded, so that name order is number order."""
    return f"Account {number:05d}"


def _batches(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[start : start + BATCH] for start in range(0, len(rows), BATCH)]


def _insert(
    session: Session, table: Any, rows: list[dict[str, Any]], returning: tuple[str, ...] = ()
) -> list:
    found: list[Any] = []
    for chunk in _batches(rows):
        found += insert_rows(session, table, chunk, returning=returning)
    return found


def _answers(questionnaire: Any, level: int, nps: int, role: str = "") -> dict[str, str]:
    values = {}
    if ROLE_GROUPS.get(role) and questionnaire.role_question is not None:
        values[questionnaire.role_question.key] = ROLE_GROUPS[role]
    for item in questionnaire.scored_items:
        if item.type is QuestionType.NPS:
            values[item.key] = str(nps)
        elif item.type is QuestionType.SCALE:
            values[item.key] = str(6 - level if item.reverse else level)
    return values


def build_large_study(
    session: Session,
    *,
    accounts: int = 20_000,
    clients_per_account: int = 2,
    staff: int = 100,
    answered: int = 1_000,
    client_only: int = 500,
    decisions: int = 600,
    phase: Phase = Phase.ACT,
    slug: str = "large-2026",
    supplier_name: str = "Large Supplier",
) -> LargeStudy:
    """Build the study and commit. `answered` accounts get a completed client and supplier response (their
    quadrants cycle through match, customer swayed, blind spot, misfit), the next `client_only` a client
    response only; the first `decisions` accounts get a decision (continue, realign, exit in turn)
    and every decision but the exits two actions, one of them overdue. Every client contact and every
    assignment has an invitation: completed where answered, otherwise sent or opened, one in 50 failed."""
    now = datetime(2026, 10, 1, 9, tzinfo=UTC)
    supplier = create_supplier(session=session, name=supplier_name)
    study = create_study(
        session=session,
        supplier=supplier,
        slug=slug,
        name="Large study 2026",
        questionnaires=default_questionnaires(catalogue()),
        deadline=date(2099, 12, 31),
    )
    session.flush()
    built = LargeStudy(study=study, accounts=accounts, staff=staff)
    survey = {
        perspective: study.questionnaire_for(perspective, Purpose.SURVEY)
        for perspective in (Perspective.CLIENT, Perspective.SUPPLIER)
    }
    questionnaires = {
        perspective: load_version(session=session, version_id=chosen.version_id)
        for perspective, chosen in survey.items()
    }

    account_rows = [
        {
            "supplier_id": supplier.id,
            "name": account_name(number),
            "external_id": f"EXT-{number:05d}",
            "segment": SEGMENTS[number % len(SEGMENTS)],
            "created_at": now,
        }
        for number in range(1, accounts + 1)
    ]
    ids = [row[1] for row in sorted(_insert(session, Account.__table__, account_rows, ("name", "id")))]
    built.account_ids = ids
    _insert(
        session,
        StudyAccount.__table__,
        [
            {
                "study_id": study.id,
                "account_id": account_id,
                "annual_revenue": Decimal(10_000 + number * 10),
                "effort_hours": Decimal(100 + number % 400),
                "billable_hours": Decimal(80 + number % 300) if number % 400 >= number % 300 - 20 else None,
            }
            for number, account_id in enumerate(ids, start=1)
        ],
    )
    client_rows = [
        {
            "supplier_id": supplier.id,
            "account_id": account_id,
            "side": Side.CLIENT,
            "email": f"client{index}-{number:05d}@client{number:05d}.example",
            "name": f"Client {index} of {account_name(number)}",
            "role": ROLES[(number + index) % len(ROLES)],
            "language": Language.NL if index % 2 else Language.EN,
            "created_at": now,
        }
        for number, account_id in enumerate(ids, start=1)
        for index in range(1, clients_per_account + 1)
    ]
    clients = _insert(session, Contact.__table__, client_rows, ("account_id", "email", "id"))
    title_of = {row["email"]: row["role"] for row in client_rows}
    job_title = {contact_id: title_of[email] for _account, email, contact_id in clients}
    first_client = {}
    for account_id, _email, contact_id in sorted(clients):
        first_client.setdefault(account_id, contact_id)
    built.client_contacts = len(clients)
    staff_ids = [
        row[1]
        for row in sorted(
            _insert(
                session,
                Contact.__table__,
                [
                    {
                        "supplier_id": supplier.id,
                        "account_id": None,
                        "side": Side.SUPPLIER,
                        "email": f"staff{number:03d}@supplier.example",
                        "name": f"Staff member {number:03d}",
                        "role": "Account manager",
                        "language": Language.NL,
                        "created_at": now,
                    }
                    for number in range(1, staff + 1)
                ],
                ("email", "id"),
            )
        )
    ]
    rater = {account_id: staff_ids[index % staff] for index, account_id in enumerate(ids)}
    _insert(
        session,
        Assignment.__table__,
        [
            {"study_id": study.id, "contact_id": contact_id, "account_id": account_id}
            for account_id, contact_id in rater.items()
        ],
    )
    study.lead_contact_id = staff_ids[0]

    answered_ids = ids[:answered]
    client_answered = set(ids[: answered + client_only])
    invitation_rows = []
    for number, (account_id, _email, contact_id) in enumerate(sorted(clients)):
        done = contact_id == first_client[account_id] and account_id in client_answered
        status = (
            InvitationStatus.COMPLETED
            if done
            else InvitationStatus.FAILED
            if number % 50 == 49
            else InvitationStatus.OPENED
            if number % 3 == 1
            else InvitationStatus.SENT
        )
        invitation_rows.append(
            {
                "study_id": study.id,
                "contact_id": contact_id,
                "account_id": account_id,
                "study_questionnaire_id": survey[Perspective.CLIENT].id,
                "status": status,
                "last_error": "550 mailbox unavailable" if status is InvitationStatus.FAILED else None,
                "reminders_sent": number % 3,
                "first_sent_at": None if status is InvitationStatus.FAILED else now,
                "last_sent_at": None if status is InvitationStatus.FAILED else now,
                "opened_at": now if status in (InvitationStatus.OPENED, InvitationStatus.COMPLETED) else None,
                "completed_at": now if done else None,
                "created_at": now,
            }
        )
    for account_id, contact_id in rater.items():
        done = account_id in set(answered_ids)
        invitation_rows.append(
            {
                "study_id": study.id,
                "contact_id": contact_id,
                "account_id": account_id,
                "study_questionnaire_id": survey[Perspective.SUPPLIER].id,
                "status": InvitationStatus.COMPLETED if done else InvitationStatus.SENT,
                "last_error": None,
                "reminders_sent": 0,
                "first_sent_at": now,
                "last_sent_at": now,
                "opened_at": now if done else None,
                "completed_at": now if done else None,
                "created_at": now,
            }
        )
    invitations = {
        (contact_id, account_id): invitation_id
        for contact_id, account_id, invitation_id in _insert(
            session, Invitation.__table__, invitation_rows, ("contact_id", "account_id", "id")
        )
    }

    respondents = []
    for index, account_id in enumerate(ids[: answered + client_only]):
        client_level, supplier_level = LEVELS[index % len(LEVELS)]
        respondents.append((first_client[account_id], account_id, Perspective.CLIENT, client_level))
        if index < answered:
            respondents.append((rater[account_id], account_id, Perspective.SUPPLIER, supplier_level))
    response_rows = [
        {
            "study_id": study.id,
            "contact_id": contact_id,
            "account_id": account_id,
            "perspective": perspective,
            "mode": ResponseMode.SURVEY,
            "questionnaire_version_id": survey[perspective].version_id,
            "invitation_id": invitations[(contact_id, account_id)],
            "status": COMPLETED,
            "superseded": False,
            "knocked_out": False,
            "started_at": now,
            "submitted_at": now + timedelta(seconds=number),
            "updated_at": now,
        }
        for number, (contact_id, account_id, perspective, _level) in enumerate(respondents)
    ]
    response_ids = [
        row[1] for row in sorted(_insert(session, Response.__table__, response_rows, ("invitation_id", "id")))
    ]
    by_invitation = sorted(
        zip((row["invitation_id"] for row in response_rows), respondents, strict=True),
        key=lambda pair: pair[0],
    )
    stored: dict[tuple[Perspective, int, str], list[dict[str, Any]]] = {}
    answer_rows = []
    for response_id, (_invitation, (contact, _account, perspective, level)) in zip(
        response_ids, by_invitation, strict=True
    ):
        title = job_title.get(contact, "Account manager")
        if (perspective, level, title) not in stored:
            questionnaire = questionnaires[perspective]
            stored[(perspective, level, title)] = [
                {"item_key": key, **stored_answer(questionnaire.item(key), raw).columns()}
                for key, raw in _answers(questionnaire, level, 9 if level > 3 else 4, title).items()
            ]
        for answer in stored[(perspective, level, title)]:
            answer_rows.append(
                {"response_id": response_id, "version": 1, "created_at": now, "updated_at": now, **answer}
            )
    _insert(session, Answer.__table__, answer_rows)
    built.responses = len(response_rows)

    if phase in (Phase.ANALYSE, Phase.ACT):
        decision_rows = []
        for index, account_id in enumerate(ids[:decisions]):
            kind = DECISION_KINDS[index % len(DECISION_KINDS)]
            decision_rows.append(
                {
                    "study_id": study.id,
                    "account_id": account_id,
                    "kind": kind,
                    "proposal": kind,
                    "rationale": f"Why {kind.value}",
                    "override_reason": None,
                    "handover_plan": "Three months' notice." if kind is DecisionKind.EXIT else None,
                    "quadrant": "match",
                    "overall": {},
                    "gaps": [],
                    "signals": [],
                    "scoring_version": "test",
                    "provisional": False,
                    "needs_review": False,
                    "decided_by_id": None,
                    "decided_by_label": "test",
                    "decided_at": now,
                    "edit_version": 1,
                }
            )
        # A plain executemany: PostgreSQL's unnest (insert_rows) cannot carry the JSON columns as arrays.
        decided = (
            list(
                session.execute(
                    insert(Decision.__table__).returning(
                        Decision.__table__.c.account_id, Decision.__table__.c.id, Decision.__table__.c.kind
                    ),
                    decision_rows,
                )
            )
            if decision_rows
            else []
        )
        action_rows = []
        for account_id, decision_id, kind in sorted(decided):
            if DecisionKind(kind) is DecisionKind.EXIT:
                continue
            for number, (due, status) in enumerate(
                ((date(2020, 1, 1), ActionStatus.OPEN), (date(2099, 1, 1), ActionStatus.DONE)), start=1
            ):
                action_rows.append(
                    {
                        "decision_id": decision_id,
                        "title": f"Action {number} for account {account_id}",
                        "dimension": None,
                        "signal": None,
                        "owner_user_id": None,
                        "owner_name": "Olga Owner",
                        "owner_email": "olga@client.example",
                        "owner_language": Language.NL,
                        "due": due,
                        "status": status,
                        "notes": "",
                        "created_by_label": "test",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        _insert(session, ActionItem.__table__, action_rows)
        built.decisions, built.actions = len(decision_rows), len(action_rows)
    study.phase = phase
    session.commit()
    return built


def ids_by_name(session: Session, study: Study) -> list[int]:
    """The study's account ids in name order (what the paged lists show)."""
    return list(
        session.scalars(
            select(Account.id)
            .join(StudyAccount, StudyAccount.account_id == Account.id)
            .where(StudyAccount.study_id == study.id)
            .order_by(Account.name)
        )
    )
