"""What sending would do, computed without changing anything: the plan a send carries out, and the counts the
invitations page shows.

In the prepare phase: the supplier staff's invitations (one per staff member and assigned account, for the
supplier survey, grouped into one email per staff member) and the brief (to the study's lead, for the
questionnaire with purpose `brief`). In the interview phase: one invitation per client contact of each
account in scope, for the client survey, plus any staff invitation or brief not sent yet (staff assigned
late). Never in analyse or act, never after the deadline, never twice, never to opted-out or erased contacts.
Who is due and who is skipped is decided in `rules` (`send_rows`), for the plan and the counts alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask_babel import get_locale
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from surveyapp.enums import Side
from surveyapp.i18n import _l
from surveyapp.invitations.emails import BRIEF, CLIENT, STAFF
from surveyapp.invitations.models import Invitation
from surveyapp.invitations.rules import (
    ALREADY,
    CHECK,
    DUE,
    SENDING_PHASES,
    check_contacts,
    problem_code,
    problem_message,
    send_order,
    send_rows,
    skipped_code,
    skipped_column,
)
from surveyapp.invitations.tokens import deadline_passed
from surveyapp.studies.models import Account, Contact, Study, StudyQuestionnaire


class InvitationError(ValueError):
    """A request about invitations that cannot be carried out; the message says why and what to do."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True, slots=True)
class Item:
    """One invitation in an email: the account it is about (None for the brief) and its questionnaire."""

    account: Account | None
    questionnaire: StudyQuestionnaire
    invitation: Invitation | None = None


@dataclass(slots=True)
class Group:
    """One email: a contact and the invitations it carries."""

    contact: Contact
    audience: str
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A contact left out of a send or a reminder, and why."""

    contact: Contact
    reason: Any


@dataclass(slots=True)
class SendPlan:
    groups: list[Group] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Any] = field(default_factory=list)
    already: int = 0

    @property
    def invitations(self) -> int:
        return sum(len(group.items) for group in self.groups)

    @property
    def emails(self) -> int:
        return len(self.groups)

    def count(self, audience: str) -> int:
        return sum(len(group.items) for group in self.groups if group.audience == audience)


def check_can_send(study: Study, now: datetime) -> None:
    """Raise InvitationError when the study's phase or deadline rules out sending anything."""
    if study.phase not in SENDING_PHASES:
        raise InvitationError(
            _l(
                "Invitations are sent in the prepare and interview phases; "
                "this study is in the %(phase)s phase.",
                phase=study.phase.value,
            )
        )
    if deadline_passed(study, now):
        assert study.deadline is not None
        raise InvitationError(
            _l(
                "The deadline of this study (%(date)s) has passed: extend it in the study settings first.",
                date=format_date(study.deadline, "long", locale=str(get_locale() or "en")),
            )
        )


def contact_problem(contact: Contact) -> Any | None:
    """Why this contact may not be emailed, or None (the rules of `rules.problem_code`)."""
    code = problem_code(contact)
    return problem_message(code, contact.email) if code is not None else None


def audience_of(invitation: Invitation) -> str:
    if invitation.account_id is None:
        return BRIEF
    return STAFF if invitation.contact.side == Side.SUPPLIER else CLIENT


def plan_send(
    *, session: Session, study: Study, now: datetime, contact_ids: Collection[int] | None = None
) -> SendPlan:
    """What `send_invitations` would queue now (optionally for some contacts only: a background job's batch);
    InvitationError for the wrong phase or a passed deadline. Contacts, accounts and invitations come in one
    query over the rows of `rules.send_rows`."""
    check_can_send(study, now)
    scope = send_rows(session=session, study=study, contact_ids=contact_ids)
    plan = SendPlan(notes=list(scope.notes))
    rows = scope.subquery()
    if rows is None:
        return plan
    questionnaires = {q.id: q for q in study.questionnaires}
    result = session.execute(
        select(
            rows.c.audience,
            rows.c.state,
            rows.c.problem,
            rows.c.questionnaire_id,
            Contact,
            Account,
            Invitation,
        )
        .join(Contact, Contact.id == rows.c.contact_id)
        .outerjoin(Account, Account.id == rows.c.account_id)
        .outerjoin(Invitation, Invitation.id == rows.c.invitation_id)
        .where(rows.c.state.in_((DUE, ALREADY)))
        .order_by(*send_order(rows))
    )
    groups: dict[tuple[int, str], Group] = {}
    verdicts: dict[int, str | None] = {}
    refused: set[int] = set()
    for audience, state, code, questionnaire_id, contact, account, invitation in result:
        if state == ALREADY:
            plan.already += 1
            continue
        if contact.id not in verdicts:
            verdicts[contact.id] = skipped_code(code, contact.email, contact.name)
        problem = verdicts[contact.id]
        if problem is not None:
            if contact.id not in refused:
                refused.add(contact.id)
                plan.skipped.append(Skipped(contact, problem_message(problem, contact.email)))
            continue
        group = groups.get((contact.id, audience))
        if group is None:
            group = groups[(contact.id, audience)] = Group(contact=contact, audience=audience)
            plan.groups.append(group)
        group.items.append(Item(account, questionnaires[questionnaire_id], invitation))
    return plan


@dataclass(slots=True)
class SendSummary:
    """What "Send" would queue now, counted in the database: invitations per audience, emails, invitations
    queued before, and the contacts it would skip (the first `named` of them with their reason, and how many
    in all)."""

    by_audience: Counter[str] = field(default_factory=Counter)
    emails: int = 0
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    skipped_total: int = 0
    notes: list[Any] = field(default_factory=list)

    @property
    def invitations(self) -> int:
        return sum(self.by_audience.values())

    def count(self, audience: str) -> int:
        return self.by_audience[audience]


def send_summary(*, session: Session, study: Study, now: datetime, named: int) -> SendSummary:
    """The counts of `plan_send` without building it: counts grouped in the database over the same rows
    (`rules.send_rows`) with the same reasons to skip a contact. InvitationError for the wrong phase or a
    passed deadline."""
    check_can_send(study, now)
    scope = send_rows(session=session, study=study)
    summary = SendSummary(notes=list(scope.notes))
    rows = scope.subquery()
    if rows is None:
        return summary
    counted = session.execute(
        select(
            rows.c.state,
            rows.c.audience,
            rows.c.problem,
            func.count(),
            func.count(distinct(rows.c.contact_id)),
        )
        .where(rows.c.state.in_((DUE, ALREADY)))
        .group_by(rows.c.state, rows.c.audience, rows.c.problem)
    )
    to_check = to_skip = False
    for state, audience, problem, invitations, contacts in counted:
        if state == ALREADY:
            summary.already += int(invitations)
        elif problem is None:
            summary.by_audience[audience] += int(invitations)
            summary.emails += int(contacts)  # one email per contact and audience
        elif problem == CHECK:
            to_check = True
        else:
            to_skip = True
    refused: dict[int, str] = {}
    if to_check:
        checked = check_contacts(session=session, rows=rows, where=rows.c.state == DUE)
        summary.by_audience.update(checked.by_audience)
        summary.emails += checked.emails
        refused = checked.refused
    if to_skip or refused:
        _name_skipped(session, rows, refused, summary, named)
    return summary


def _name_skipped(
    session: Session, rows: Any, refused: dict[int, str], summary: SendSummary, named: int
) -> None:
    """The first `named` contacts the send skips and how many it skips in all. A contact is named once, where
    the plan meets it first (a lead who rates accounts: with the staff)."""
    skipped = (
        select(
            rows.c.contact_id,
            func.min(rows.c.section).label("section"),
            func.max(rows.c.key_account).label("key_account"),
            func.max(rows.c.key_name).label("key_name"),
            func.max(rows.c.problem).label("problem"),
        )
        .where(rows.c.state == DUE, skipped_column(rows, refused))
        .group_by(rows.c.contact_id)
        .subquery()
    )
    first = session.execute(
        select(skipped.c.contact_id, skipped.c.problem, func.count().over())
        .order_by(skipped.c.section, skipped.c.key_account, skipped.c.key_name, skipped.c.contact_id)
        .limit(named)
    ).all()
    if not first:
        return
    summary.skipped_total = int(first[0][2])
    contacts = {
        c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_([r[0] for r in first])))
    }
    for contact_id, problem, _total in first:
        contact = contacts[contact_id]
        code = refused[contact_id] if problem == CHECK else problem
        summary.skipped.append(Skipped(contact, problem_message(code, contact.email)))


def due_contacts(*, session: Session, study: Study, now: datetime) -> list[int]:
    """The contacts a send would consider now (to mail or to skip), each once, in the plan's order: the
    batches of a send in the background. InvitationError for the wrong phase or a passed deadline."""
    check_can_send(study, now)
    rows = send_rows(session=session, study=study).subquery()
    if rows is None:
        return []
    first = (
        select(
            rows.c.contact_id,
            func.min(rows.c.section).label("section"),
            func.max(rows.c.key_account).label("key_account"),
            func.max(rows.c.key_name).label("key_name"),
        )
        .where(rows.c.state == DUE)
        .group_by(rows.c.contact_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(first.c.contact_id).order_by(
                first.c.section, first.c.key_account, first.c.key_name, first.c.contact_id
            )
        )
    )
