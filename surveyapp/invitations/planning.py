"""What sending would do, computed without changing anything (the page's counts and the CLI's report use it).

In the prepare phase: the supplier staff's invitations (one per staff member and assigned account, for the
supplier survey, grouped into one email per staff member) and the brief (to the study's lead, for the
questionnaire with purpose `brief`). In the interview phase: one invitation per client contact of each
account in scope, for the client survey, plus any staff invitation or brief not sent yet (staff assigned
late). Never in analyse or act, never after the deadline, never twice, never to opted-out or erased contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from babel.dates import format_date
from flask_babel import get_locale
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from surveyapp.enums import InvitationStatus, Perspective, Phase, Purpose, Side
from surveyapp.i18n import _l
from surveyapp.invitations.emails import BRIEF, CLIENT, STAFF
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.tokens import deadline_passed
from surveyapp.mail.headers import HeaderError, check_address, has_control_characters
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount, StudyQuestionnaire

SENDING_PHASES = (Phase.PREPARE, Phase.INTERVIEW)


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
    """Why this contact may not be emailed, or None."""
    if contact.erased_at is not None:
        return _l("the contact's personal data has been erased")
    if contact.opted_out_at is not None:
        return _l("opted out of emails from this supplier")
    if not contact.email:
        return _l("no email address")
    try:
        check_address(contact.email, what=_l("The address"))
    except HeaderError:
        return _l("%(email)s is not a valid email address", email=contact.email[:254])
    if has_control_characters(contact.name):
        return _l("the name contains a line break or another control character: correct the name first")
    return None


def brief_questionnaire(study: Study) -> StudyQuestionnaire | None:
    return next((q for q in study.questionnaires if q.purpose == Purpose.BRIEF), None)


def audience_of(invitation: Invitation) -> str:
    if invitation.account_id is None:
        return BRIEF
    return STAFF if invitation.contact.side == Side.SUPPLIER else CLIENT


def _existing(
    session: Session, study: Study
) -> tuple[dict[tuple[int, int | None, int], Invitation], set[int]]:
    invitations = session.scalars(select(Invitation).where(Invitation.study_id == study.id))
    by_key = {(i.contact_id, i.account_id, i.study_questionnaire_id): i for i in invitations}
    queued = set(
        session.scalars(
            select(InvitationToken.invitation_id)
            .join(Invitation, Invitation.id == InvitationToken.invitation_id)
            .where(Invitation.study_id == study.id, InvitationToken.purpose == "send")
            .distinct()
        )
    )
    return by_key, queued


class _Collector:
    def __init__(self, session: Session, study: Study) -> None:
        self.plan = SendPlan()
        self.existing, self.queued = _existing(session, study)
        self.groups: dict[tuple[int, str], Group] = {}
        self.refused: set[int] = set()

    def add(
        self, contact: Contact, audience: str, account: Account | None, questionnaire: StudyQuestionnaire
    ) -> None:
        invitation = self.existing.get((contact.id, account.id if account else None, questionnaire.id))
        if invitation is not None and invitation.id in self.queued:
            self.plan.already += 1
            return
        if invitation is not None and invitation.status not in (
            InvitationStatus.CREATED,
            InvitationStatus.FAILED,
        ):
            return
        problem = contact_problem(contact)
        if problem is not None:
            if contact.id not in self.refused:
                self.refused.add(contact.id)
                self.plan.skipped.append(Skipped(contact, problem))
            return
        key = (contact.id, audience)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(contact=contact, audience=audience)
            self.plan.groups.append(group)
        group.items.append(Item(account=account, questionnaire=questionnaire, invitation=invitation))


def _staff(session: Session, study: Study, collector: _Collector) -> None:
    questionnaire = study.questionnaire_for(Perspective.SUPPLIER, Purpose.SURVEY)
    assignments = session.execute(
        select(Assignment, Contact, Account)
        .join(Contact, Contact.id == Assignment.contact_id)
        .join(Account, Account.id == Assignment.account_id)
        .join(StudyAccount, and_(StudyAccount.study_id == study.id, StudyAccount.account_id == Account.id))
        .where(Assignment.study_id == study.id)
        .order_by(func.lower(Contact.name), Contact.id, func.lower(Account.name))
    ).all()
    if not assignments:
        return
    if questionnaire is None:
        collector.plan.notes.append(
            _l("The study has no supplier survey questionnaire, so staff cannot be invited.")
        )
        return
    for _assignment, contact, account in assignments:
        collector.add(contact, STAFF, account, questionnaire)


def _brief(study: Study, collector: _Collector) -> None:
    if study.lead_contact is None:
        return
    questionnaire = brief_questionnaire(study)
    if questionnaire is None:
        collector.plan.notes.append(
            _l("The study has no brief questionnaire, so the lead cannot be sent the brief.")
        )
        return
    collector.add(study.lead_contact, BRIEF, None, questionnaire)


def _clients(session: Session, study: Study, collector: _Collector) -> None:
    questionnaire = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
    rows = session.execute(
        select(Contact, Account)
        .join(Account, Account.id == Contact.account_id)
        .join(StudyAccount, and_(StudyAccount.study_id == study.id, StudyAccount.account_id == Account.id))
        .where(Contact.supplier_id == study.supplier_id, Contact.side == Side.CLIENT)
        .order_by(func.lower(Account.name), func.lower(Contact.name), Contact.id)
    ).all()
    if not rows:
        return
    if questionnaire is None:
        collector.plan.notes.append(
            _l("The study has no client survey questionnaire, so clients cannot be invited.")
        )
        return
    for contact, account in rows:
        collector.add(contact, CLIENT, account, questionnaire)


def plan_send(*, session: Session, study: Study, now: datetime) -> SendPlan:
    """What `send_invitations` would queue now; InvitationError for the wrong phase or a passed deadline."""
    check_can_send(study, now)
    collector = _Collector(session, study)
    _staff(session, study, collector)
    _brief(study, collector)
    if study.phase == Phase.INTERVIEW:
        _clients(session, study, collector)
    return collector.plan
