"""Who is due an invitation or a reminder now, and who is left out and why: the one place these rules live.

Everything that decides or counts invitations selects its rows through the statements built here: the counts of
the invitations page (`planning.send_summary`, `reminders.reminder_summary`), the plans that a send and the
reminders carry out (`planning.plan_send`, `reminders.plan_reminders`) and the background jobs that queue large
sends (`background`). So what the page says "Send" would do and what a send then queues cannot disagree, and a
new rule (issue 23: no survey or reminder to a contact whose interview is complete; a minimum interval between
reminders) is written once, here: a contact-level reason in `problem_column` and `problem_code`, a condition
on the invitation in `send_rows` or `reminder_rows`.

**The send** (`send_rows`): one row per invitation the study's phase calls for — each supplier staff member
for each account in scope they are assigned to (the supplier survey), the study lead (the brief), and in the
interview phase each client contact of an account in scope (the client survey) — with its `state`:

- `due`: no invitation yet, or one that was created or failed without ever being queued;
- `already`: queued before (it has a first-send token), so it is never queued twice;
- `other`: anything else (e.g. an expired invitation that was never mailed by us), left alone.

**Reminders** (`reminder_rows`): the invitations delivered and not answered (sent, opened, started) with fewer
reminders queued than the study's maximum; on request ("remind now") those not mailed in the last
`MANUAL_GAP`; on the schedule those whose next reminder day (days after the first send, in the study's time
zone) has come — the database narrows them down to a day's margin and `scheduled_due` decides exactly. Either
way never to a person reminded in the study's last `reminder_min_interval_days` or invited in the last day
(`recently_mailed`): a schedule caught up after a pause sends one reminder, not all that are overdue at once.

**Who is skipped**, with the first reason that applies: the contact was erased, opted out of this supplier's
email, has no address, has an address that cannot go on the wire, or a name with a line break or another
control character (a header injection). The first three are columns the database tests. The last two need
Python (`mail.headers`), but addresses are validated when contacts are imported or added, so nearly every
stored address has the plain form (`mail.headers.is_plain_address`) that the database recognises itself with
the same patterns; only the others (upper case, an apostrophe, an internationalised domain, data written
around the services) are marked `CHECK`, read and checked one by one (`closer_look_verdicts`): a handful per
study, not 40,000 addresses on every page view.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from surveyapp.enums import InvitationStatus, Perspective, Phase, Purpose, Side
from surveyapp.i18n import _l
from surveyapp.invitations.emails import BRIEF, CLIENT, STAFF
from surveyapp.invitations.lifecycle import NOT_RESPONDED
from surveyapp.invitations.models import Invitation, InvitationToken
from surveyapp.invitations.tokens import deadline_passed
from surveyapp.mail.headers import (
    CONTROL_PATTERN,
    LONG_LABEL_PATTERN,
    MAX_ADDRESS,
    PLAIN_ADDRESS_PATTERN,
    RESERVED_DOMAIN_PATTERN,
    HeaderError,
    check_address,
    has_control_characters,
)
from surveyapp.studies.models import Account, Assignment, Contact, Study, StudyAccount, StudyQuestionnaire

T = TypeVar("T")
SENDING_PHASES = (Phase.PREPARE, Phase.INTERVIEW)
# Token purposes: the n-th email of an invitation (first send, resends) and its n-th reminder.
SEND, REMINDER = "send", "reminder"
# A "remind now" skips whoever was mailed more recently than this.
MANUAL_GAP = timedelta(hours=20)
# States of a row of the send: due, queued before, or neither (left alone).
DUE, ALREADY, OTHER = "due", "already", "other"
# Why a contact is skipped, in the order the reasons are tested.
ERASED = "erased"
OPTED_OUT = "opted_out"
NO_EMAIL = "no_email"
BAD_ADDRESS = "bad_address"
BAD_NAME = "bad_name"
# Not a reason: the database cannot judge this contact's address or name, `closer_look` does.
CHECK = "check"
# Statuses in which an invitation that was never queued may be queued by "Send".
NEVER_QUEUED = (InvitationStatus.CREATED, InvitationStatus.FAILED)
# Sections of the send, in the order of the plan (and of the skipped contacts the page names).
STAFF_SECTION, BRIEF_SECTION, CLIENT_SECTION = 0, 1, 2
# Long lists of ids go to the database in pieces: SQLite takes at most 32,766 parameters per statement.
ID_CHUNK = 5_000


def chunks(items: list[T], size: int = ID_CHUNK) -> list[list[T]]:
    """`items` in pieces of at most `size`."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def _text(value: str) -> ColumnElement[str]:
    # Our own constants, written into the statement: a bound parameter in a UNION's select list has no type
    # PostgreSQL could infer.
    return literal_column(f"'{value}'", String)


def _number(value: int) -> ColumnElement[int]:
    return literal_column(str(int(value)), Integer)


# ---- who is skipped ----------------------------------------------------------------------------------------


def problem_message(code: str, email: str | None) -> Any:
    """The reason a contact is skipped, as the page, the flash messages and the command line say it."""
    if code == ERASED:
        return _l("the contact's personal data has been erased")
    if code == OPTED_OUT:
        return _l("opted out of emails from this supplier")
    if code == NO_EMAIL:
        return _l("no email address")
    if code == BAD_ADDRESS:
        return _l("%(email)s is not a valid email address", email=(email or "")[:254])
    if code == BAD_NAME:
        return _l("the name contains a line break or another control character: correct the name first")
    raise ValueError(f"unknown reason {code!r}")


def closer_look(email: str | None, name: str | None) -> str | None:
    """What the database cannot judge: the address as it would go on the wire, and the name in a header."""
    try:
        check_address(email, what=_l("The address"))
    except HeaderError:
        return BAD_ADDRESS
    if has_control_characters(name or ""):
        return BAD_NAME
    return None


def problem_code(contact: Contact) -> str | None:
    """Why this contact may not be emailed (a code for `problem_message`), or None; the same tests in the same
    order as `problem_column` followed by `closer_look`."""
    if contact.erased_at is not None:
        return ERASED
    if contact.opted_out_at is not None:
        return OPTED_OUT
    if not contact.email:
        return NO_EMAIL
    return closer_look(contact.email, contact.name)


def problem_column(contact: Any = Contact) -> ColumnElement[str | None]:
    """The reason to skip the contact as far as the database can tell (NULL: none): the reasons it tests
    itself, else `CHECK` when the address is not in the plain form or the name has a control character, for
    `closer_look` to decide. The same patterns as `mail.headers`, run by the database."""
    return case(
        (contact.erased_at.is_not(None), _text(ERASED)),
        (contact.opted_out_at.is_not(None), _text(OPTED_OUT)),
        (or_(contact.email.is_(None), contact.email == ""), _text(NO_EMAIL)),
        (
            or_(~plain_address_column(contact.email), contact.name.regexp_match(CONTROL_PATTERN)),
            _text(CHECK),
        ),
        else_=null(),
    )


def plain_address_column(email: ColumnElement[str]) -> ColumnElement[bool]:
    """`mail.headers.is_plain_address`, tested by the database with the same patterns."""
    return and_(
        email.regexp_match(PLAIN_ADDRESS_PATTERN),
        ~email.regexp_match(RESERVED_DOMAIN_PATTERN),
        func.length(email) <= MAX_ADDRESS,
        or_(func.length(email) < 64, ~email.regexp_match(LONG_LABEL_PATTERN)),
    )


def skipped_code(code: str | None, email: str | None, name: str | None) -> str | None:
    """The reason to skip a contact, from `problem_column`'s answer and (for `CHECK`) `closer_look`."""
    return closer_look(email, name) if code == CHECK else code


@dataclass(slots=True)
class Checked:
    """The contacts marked `CHECK` among some rows, decided by `closer_look`: the invitations (per audience)
    and emails of those it lets through, and those it refuses with their reason."""

    by_audience: Counter[str] = field(default_factory=Counter)
    emails: int = 0
    refused: dict[int, str] = field(default_factory=dict)


def check_contacts(*, session: Session, rows: Subquery, where: ColumnElement[bool]) -> Checked:
    """Decide the contacts marked `CHECK` among `rows` (filtered by `where`): one query for those few (the
    database could not judge their address or name), then `closer_look` on each."""
    checked = Checked()
    found = session.execute(
        select(rows.c.contact_id, rows.c.audience, func.count(), Contact.email, Contact.name)
        .join(Contact, Contact.id == rows.c.contact_id)
        .where(where, rows.c.problem == CHECK)
        .group_by(rows.c.contact_id, rows.c.audience, Contact.email, Contact.name)
    )
    verdicts: dict[int, str | None] = {}
    for contact_id, audience, invitations, email, name in found:
        if contact_id not in verdicts:
            verdicts[contact_id] = closer_look(email, name)
        if verdicts[contact_id] is None:
            checked.by_audience[audience] += int(invitations)
            checked.emails += 1  # one email per contact and audience
    checked.refused = {contact_id: code for contact_id, code in verdicts.items() if code is not None}
    return checked


def skipped_column(rows: Subquery, refused: dict[int, str]) -> ColumnElement[bool]:
    """The rows whose contact is skipped: a reason the database found, or refused by `check_contacts`."""
    reason = and_(rows.c.problem.is_not(None), rows.c.problem != CHECK)
    return or_(reason, rows.c.contact_id.in_(list(refused))) if refused else reason


# ---- the send ----------------------------------------------------------------------------------------------


def brief_questionnaire(study: Study) -> StudyQuestionnaire | None:
    return next((q for q in study.questionnaires if q.purpose == Purpose.BRIEF), None)


@dataclass(frozen=True, slots=True)
class SendRows:
    """The rows a send considers (None when the phase calls for none) and why some could not be considered:
    a study without the questionnaire a group of contacts needs."""

    statement: Select[Any] | CompoundSelect[Any] | None
    notes: list[Any] = field(default_factory=list)

    def subquery(self) -> Subquery | None:
        """The rows as a subquery named `send_rows`, for counting or planning over them."""
        return self.statement.subquery("send_rows") if self.statement is not None else None


def send_order(rows: Subquery) -> tuple[ColumnElement[Any], ...]:
    """The order of the plan: the staff by name (then account), the brief, the clients by account and name."""
    c = rows.c
    return (c.section, c.key_account, c.key_name, c.contact_id, c.key_last, c.account_id)


def _send_section(
    base: Select[Any],
    *,
    study: Study,
    audience: str,
    section: int,
    questionnaire: StudyQuestionnaire,
    account_id: ColumnElement[Any] | None,
    key_account: ColumnElement[str],
    key_last: ColumnElement[str],
) -> Select[Any]:
    # The invitation of the row, if any, looked up by its unique key in a correlated subquery: one index
    # lookup per row, whatever the database believes about the tables' sizes (PostgreSQL without statistics,
    # just after a bulk import, would otherwise happily scan a whole study's invitations for every contact).
    invitation = aliased(Invitation, name=f"{audience}_invitation")
    same = and_(
        invitation.study_id == study.id,
        invitation.contact_id == Contact.id,
        invitation.study_questionnaire_id == questionnaire.id,
        invitation.account_id.is_(None) if account_id is None else invitation.account_id == account_id,
    )
    queued_before = exists().where(
        InvitationToken.invitation_id == invitation.id, InvitationToken.purpose == SEND
    )
    state = select(
        case(
            (queued_before, _text(ALREADY)),
            (invitation.status.in_(NEVER_QUEUED), _text(DUE)),
            else_=_text(OTHER),
        )
    ).where(same)
    return base.with_only_columns(
        _text(audience).label("audience"),
        _number(section).label("section"),
        Contact.id.label("contact_id"),
        (account_id if account_id is not None else cast(null(), Integer)).label("account_id"),
        _number(questionnaire.id).label("questionnaire_id"),
        select(invitation.id).where(same).scalar_subquery().label("invitation_id"),
        func.coalesce(state.scalar_subquery(), _text(DUE)).label("state"),
        problem_column().label("problem"),
        key_account.label("key_account"),
        func.lower(Contact.name).label("key_name"),
        key_last.label("key_last"),
        maintain_column_froms=True,
    )


def send_rows(*, session: Session, study: Study, contact_ids: Collection[int] | None = None) -> SendRows:
    """One row per invitation the study's phase calls for (see the module docstring), optionally only those of
    some contacts (a background job's batch). The caller checks the phase and the deadline first."""
    sections: list[Select[Any]] = []
    notes: list[Any] = []
    only = Contact.id.in_(list(contact_ids)) if contact_ids is not None else None

    staff = (
        select(Contact.id)
        .select_from(Assignment)
        .join(Contact, Contact.id == Assignment.contact_id)
        .join(Account, Account.id == Assignment.account_id)
        .join(StudyAccount, and_(StudyAccount.study_id == study.id, StudyAccount.account_id == Account.id))
        .where(Assignment.study_id == study.id)
    )
    questionnaire = study.questionnaire_for(Perspective.SUPPLIER, Purpose.SURVEY)
    if questionnaire is None:
        if session.scalar(select(staff.exists())):
            notes.append(_l("The study has no supplier survey questionnaire, so staff cannot be invited."))
    else:
        sections.append(
            _send_section(
                staff if only is None else staff.where(only),
                study=study,
                audience=STAFF,
                section=STAFF_SECTION,
                questionnaire=questionnaire,
                account_id=Account.id,
                key_account=_text(""),
                key_last=func.lower(Account.name),
            )
        )

    if study.lead_contact_id is not None:
        questionnaire = brief_questionnaire(study)
        if questionnaire is None:
            notes.append(_l("The study has no brief questionnaire, so the lead cannot be sent the brief."))
        else:
            lead = select(Contact.id).where(Contact.id == study.lead_contact_id)
            sections.append(
                _send_section(
                    lead if only is None else lead.where(only),
                    study=study,
                    audience=BRIEF,
                    section=BRIEF_SECTION,
                    questionnaire=questionnaire,
                    account_id=None,
                    key_account=_text(""),
                    key_last=_text(""),
                )
            )

    if study.phase == Phase.INTERVIEW:
        clients = (
            select(Contact.id)
            .join(Account, Account.id == Contact.account_id)
            .join(
                StudyAccount, and_(StudyAccount.study_id == study.id, StudyAccount.account_id == Account.id)
            )
            .where(Contact.supplier_id == study.supplier_id, Contact.side == Side.CLIENT)
        )
        questionnaire = study.questionnaire_for(Perspective.CLIENT, Purpose.SURVEY)
        if questionnaire is None:
            if session.scalar(select(clients.exists())):
                notes.append(
                    _l("The study has no client survey questionnaire, so clients cannot be invited.")
                )
        else:
            sections.append(
                _send_section(
                    clients if only is None else clients.where(only),
                    study=study,
                    audience=CLIENT,
                    section=CLIENT_SECTION,
                    questionnaire=questionnaire,
                    account_id=Account.id,
                    key_account=func.lower(Account.name),
                    key_last=_text(""),
                )
            )

    if not sections:
        return SendRows(None, notes)
    return SendRows(sections[0] if len(sections) == 1 else union_all(*sections), notes)


# ---- reminders ---------------------------------------------------------------------------------------------


def reminders_possible(study: Study, now: datetime) -> bool:
    """Reminders go out in prepare and interview, before the deadline, and only if the study allows any."""
    return study.phase in SENDING_PHASES and not deadline_passed(study, now) and study.max_reminders >= 1


def _local_day_start(zone: ZoneInfo, day: Any) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def scheduled_due(study: Study, first_sent_at: datetime | None, done: int, now: datetime) -> bool:
    """Whether the (done + 1)-th scheduled reminder is due: from the local day of the first send plus the
    schedule's days, in the study's time zone."""
    days = sorted(study.reminder_days or [])
    if done >= len(days) or first_sent_at is None:
        return False
    zone = ZoneInfo(study.time_zone)
    first_day = first_sent_at.astimezone(zone).date()
    return now.astimezone(zone).date() >= first_day + timedelta(days=days[done])


def _scheduled_window(study: Study, done: ColumnElement[int], now: datetime) -> ColumnElement[bool]:
    """A superset of `scheduled_due` the database can test: first sent before the start of the local day after
    the one that would make the reminder due, with a day to spare for the rare zone whose clocks go back over
    midnight (a local day is then not one interval of time). `scheduled_due` decides exactly."""
    days = sorted(study.reminder_days or [])
    if not days:
        return false()
    zone = ZoneInfo(study.time_zone)
    today = now.astimezone(zone).date()
    return or_(
        *(
            and_(
                done == number,
                Invitation.first_sent_at < _local_day_start(zone, today - timedelta(days=d - 2)),
            )
            for number, d in enumerate(days)
        )
    )


#: No reminder to a person within a day of an invitation to them.
AFTER_INVITATION = timedelta(days=1)


def recently_mailed(study: Study, now: datetime) -> Select[tuple[int]]:
    """The study's contacts who got a reminder in the last `reminder_min_interval_days`, or an invitation in
    the last day: no reminder goes to them now, whatever the schedule or how often reminders run. Per person,
    not per invitation: one email to a staff member carries the reminders of all their accounts."""
    mine, token = aliased(Invitation), aliased(InvitationToken)
    return (
        select(mine.contact_id)
        .join(token, token.invitation_id == mine.id)
        .where(
            mine.study_id == study.id,
            or_(
                and_(
                    token.purpose == REMINDER,
                    token.created_at > now - timedelta(days=study.reminder_min_interval_days),
                ),
                and_(token.purpose == SEND, token.created_at > now - AFTER_INVITATION),
            ),
        )
        .distinct()
    )


def reminder_rows(
    *, study: Study, now: datetime, manual: bool, contact_ids: Collection[int] | None = None
) -> Select[Any] | None:
    """One row per invitation a reminder may go to now (see the module docstring; on the schedule, filter the
    rows with `scheduled_due`), or None when the study sends no reminders now. Ordered as the plan goes: by
    contact, then invitation."""
    if not reminders_possible(study, now):
        return None
    done = (
        select(func.count())
        .where(InvitationToken.invitation_id == Invitation.id, InvitationToken.purpose == REMINDER)
        .correlate(Invitation)
        .scalar_subquery()
    )
    conditions = [
        Invitation.study_id == study.id,
        Invitation.status.in_(NOT_RESPONDED),
        Invitation.first_sent_at.is_not(None),
        done < study.max_reminders,
    ]
    if manual:
        conditions.append(
            or_(Invitation.last_queued_at.is_(None), Invitation.last_queued_at <= now - MANUAL_GAP)
        )
    else:
        conditions.append(_scheduled_window(study, done, now))
    conditions.append(Invitation.contact_id.not_in(recently_mailed(study, now)))
    if contact_ids is not None:
        conditions.append(Invitation.contact_id.in_(list(contact_ids)))
    # The contact's side and problem through its primary key, in correlated subqueries: the statement reads
    # the study's invitations once, whatever the database believes about the tables' sizes (without
    # statistics PostgreSQL would otherwise scan the study's invitations once per contact).
    side = select(Contact.side).where(Contact.id == Invitation.contact_id).scalar_subquery()
    audience = case(
        (Invitation.account_id.is_(None), _text(BRIEF)),
        (side == Side.SUPPLIER, _text(STAFF)),
        else_=_text(CLIENT),
    )
    problem = select(problem_column()).where(Contact.id == Invitation.contact_id).scalar_subquery()
    return (
        select(
            Invitation.id.label("invitation_id"),
            Invitation.contact_id.label("contact_id"),
            Invitation.account_id.label("account_id"),
            Invitation.study_questionnaire_id.label("questionnaire_id"),
            Invitation.first_sent_at.label("first_sent_at"),
            done.label("done"),
            audience.label("audience"),
            problem.label("problem"),
        )
        .where(*conditions)
        .order_by(Invitation.contact_id, Invitation.id)
    )
