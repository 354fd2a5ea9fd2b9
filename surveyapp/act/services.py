"""Recording decisions and action items. Services flush; the caller (view, CLI, demo) commits once.

Every check runs before anything is written, so a refused request leaves nothing half-done.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from surveyapp.act.models import ActionItem, Decision
from surveyapp.act.proposals import is_override, propose
from surveyapp.analysis.disclosure import Disclosure, outside_account
from surveyapp.analysis.service import analysis_document
from surveyapp.audit.services import record
from surveyapp.auth.models import User
from surveyapp.auth.permissions import can_see_supplier, is_staff
from surveyapp.auth.services import UserError, normalise_email
from surveyapp.dashboard import display
from surveyapp.db import claim_edit, utcnow
from surveyapp.enums import ActionStatus, DecisionKind, Language, Phase, Role
from surveyapp.i18n import _l
from surveyapp.studies.models import Account, Study, StudyAccount

MAX_TEXT = 5000
MAX_TITLE = 500
OWNER_ROLES = (Role.ACCOUNT_TEAM, Role.RESEARCHER, Role.ADMIN)


class ActError(ValueError):
    """A decision or action request that cannot be carried out; the message says what is wrong."""


class DecisionConflict(ActError):
    """Someone else recorded or changed the account's decision after the form was opened; nothing changed."""


def study_today(study: Study, now: datetime | None = None) -> date:
    """Today's date in the study's time zone."""
    return (now or utcnow()).astimezone(ZoneInfo(study.time_zone)).date()


def require_act_phase(study: Study) -> None:
    """Decisions and actions change only in the act phase; after a move back they are kept for review."""
    if study.phase == Phase.ACT:
        return
    if study.phase == Phase.ANALYSE:
        raise ActError(
            _l(
                "This study was moved back to the analyse phase: its decisions and actions are kept and "
                "marked for review, and can be changed again once the study is in the act phase."
            )
        )
    raise ActError(_l("Decisions and actions are recorded in the act phase."))


def _text(value: str, *, what: Any, required: bool, limit: int = MAX_TEXT) -> str:
    clean = (value or "").strip()
    if required and not clean:
        raise ActError(_l("%(what)s is required.", what=what))
    if len(clean) > limit:
        raise ActError(_l("%(what)s may have at most %(n)d characters.", what=what, n=limit))
    return clean


def account_in_study(*, session: Session, study: Study, account_id: int) -> Account:
    """The account if it is in the study's scope; ActError otherwise."""
    account = session.scalar(
        select(Account)
        .join(StudyAccount, StudyAccount.account_id == Account.id)
        .where(StudyAccount.study_id == study.id, Account.id == account_id)
    )
    if account is None:
        raise ActError(_l("That account is not in this study."))
    return account


def document_entry(document: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((entry for entry in document["accounts"] if entry["account"] == name), None)


def analysis_summary(
    entry: Mapping[str, Any] | None, *, disclosure: Disclosure, outside: bool
) -> dict[str, Any] | None:
    """What the act screen's "What the analysis says" shows of an account: the entry as the reader may see it
    (rule 18's outside view for a reader outside the research team), rule 17's NPS in words where it rests on
    fewer than min_n answers, and rule 20's staff advice beside the quadrant's proposal. None without an
    entry."""
    if entry is None:
        return None
    shown = outside_account(entry, disclosure) if outside else entry
    return {
        "entry": shown,
        "nps_answers": display.nps_answers(shown["nps"]),
        "advice": display.advice_tally(shown.get("staff_advice"), disclosure=disclosure, outside=outside),
    }


def _snapshot(document: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "quadrant": entry["quadrant"],
        "overall": dict(entry["overall"]),
        "gaps": [
            {"key": row["key"], "gap": row["gap"], "flagged": row["flagged"]} for row in entry["dimensions"]
        ],
        "signals": [
            {"question": s["question"], "perspective": s["perspective"], "score": s["score"]}
            for s in entry["signals"]
        ],
        "scoring_version": document["scoring_version"],
        "provisional": bool(document["provisional"]),
    }


def get_decision(*, session: Session, study: Study, account_id: int) -> Decision | None:
    return session.scalar(
        select(Decision).where(Decision.study_id == study.id, Decision.account_id == account_id)
    )


def record_decision(
    *,
    session: Session,
    study: Study,
    account_id: int,
    kind: DecisionKind,
    rationale: str,
    override_reason: str = "",
    handover_plan: str = "",
    actor: Any,
    actor_label: str | None = None,
    document: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Decision:
    """Record (or change) the decision for an account, keeping the analysis it rests on with it.

    The proposal follows from the account's quadrant; a different decision needs `override_reason`; an exit
    needs a hand-over plan. Recording a decision again clears its "needs review" mark.
    `expected_version` is the decision's `edit_version` the form showed (0: there was none yet): when someone
    else recorded or changed it since, this raises DecisionConflict and changes nothing (None: no check).
    """
    require_act_phase(study)
    account = account_in_study(session=session, study=study, account_id=account_id)
    rationale = _text(rationale, what=_l("The rationale"), required=True)
    reason = _text(override_reason, what=_l("The reason for overriding the proposal"), required=False)
    plan = _text(handover_plan, what=_l("The hand-over plan"), required=kind == DecisionKind.EXIT)
    document = document if document is not None else analysis_document(session=session, study=study)
    entry = document_entry(document, account.name)
    if entry is None:
        raise ActError(_l("The analysis has no results for %(name)s yet.", name=account.name))
    proposal = propose(entry["quadrant"])
    if is_override(kind, proposal) and not reason:
        raise ActError(
            _l("The decision differs from the proposal: say why you override it (the reason is kept).")
        )
    decision = get_decision(session=session, study=study, account_id=account.id)
    if decision is None:
        if expected_version:
            raise _decision_conflict()
        decision = Decision(study_id=study.id, account_id=account.id)
    elif not claim_edit(session=session, model=Decision, row_id=decision.id, expected=expected_version):
        raise _decision_conflict()
    new = decision.id is None
    decision.kind = kind
    decision.proposal = proposal.kind if proposal else None
    decision.rationale = rationale
    decision.override_reason = reason if is_override(kind, proposal) else None
    decision.handover_plan = plan or None
    for key, value in _snapshot(document, entry).items():
        setattr(decision, key, value)
    decision.needs_review = False
    decision.decided_by_id = actor.id if actor is not None else None
    decision.decided_by_label = (actor_label or (actor.email if actor is not None else "system"))[:100]
    decision.decided_at = utcnow()
    session.add(decision)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        if not new:
            raise
        # Another researcher recorded the first decision for this account at the same moment.
        raise _decision_conflict() from None
    record(
        session=session,
        action="decision.recorded",
        actor=actor,
        actor_label=actor_label,
        obj=decision,
        supplier_id=study.supplier_id,
        reason=decision.override_reason,
        details={
            "account": account.id,
            "decision": kind.value,
            "proposal": decision.proposal.value if decision.proposal else None,
            "quadrant": decision.quadrant,
        },
    )
    return decision


def _decision_conflict() -> DecisionConflict:
    return DecisionConflict(
        _l(
            "Someone else recorded a decision for this account while you were editing it; it is shown above. "
            "Nothing of yours is saved yet: what you typed is still below. Save again to replace it."
        )
    )


def mark_for_review(*, session: Session, study: Study) -> int:
    """The phase hook for a move back from act: keep the decisions, marked for review. Returns how many."""
    result = session.execute(
        update(Decision)
        .where(Decision.study_id == study.id, Decision.needs_review.is_(False))
        .values(needs_review=True)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def owner_candidates(*, session: Session, study: Study) -> list[User]:
    """Active users who may own an action: the supplier's account team and researchers who see it."""
    users = session.scalars(
        select(User).where(User.is_active_user.is_(True), User.role.in_(OWNER_ROLES)).order_by(User.email)
    )
    return [user for user in users if can_see_supplier(user, study.supplier_id)]


def _owner(
    session: Session, study: Study, user_id: int | None, name: str, email: str, language: Language | None
) -> dict[str, Any]:
    if user_id:
        user = session.get(User, user_id)
        if user is None or not any(c.id == user.id for c in owner_candidates(session=session, study=study)):
            raise ActError(
                _l("The owner must be an active user of this supplier: its account team or a researcher.")
            )
        return {"owner_user_id": user.id, "owner_name": "", "owner_email": None}
    name = _text(name, what=_l("The owner's name"), required=True, limit=200)
    if not email.strip():
        raise ActError(_l("Choose a user as owner, or give the owner's name and email address."))
    try:
        address = normalise_email(email)
    except UserError as exc:
        raise ActError(str(exc)) from None
    return {
        "owner_user_id": None,
        "owner_name": name,
        "owner_email": address,
        "owner_language": language or study.supplier.report_language,
    }


def _link(decision: Decision, link: str) -> dict[str, Any]:
    kind, _sep, key = (link or "").partition(":")
    if not link:
        return {"dimension": None, "signal": None}
    if kind == "dimension" and key in {row["key"] for row in decision.gaps}:
        return {"dimension": key, "signal": None}
    if kind == "signal" and key in {row["question"] for row in decision.signals}:
        return {"dimension": None, "signal": key}
    raise ActError(_l("Link the action to one of this account's dimensions or warning signals."))


def add_action(
    *,
    session: Session,
    decision: Decision,
    title: str,
    due: date | None,
    owner_user_id: int | None = None,
    owner_name: str = "",
    owner_email: str = "",
    owner_language: Language | None = None,
    link: str = "",
    notes: str = "",
    actor: Any,
    actor_label: str | None = None,
    today: date | None = None,
) -> ActionItem:
    """Add an action item to a decision: a title, an owner and a due date from today on."""
    study = decision.study
    require_act_phase(study)
    title = _text(title, what=_l("The action"), required=True, limit=MAX_TITLE)
    if due is None:
        raise ActError(_l("Give the action a due date."))
    if due < (today or study_today(study)):
        raise ActError(_l("The due date cannot be before today."))
    values = {
        **_owner(session, study, owner_user_id, owner_name, owner_email, owner_language),
        **_link(decision, link),
    }
    label = (actor_label or (actor.email if actor is not None else "system"))[:100]
    action = ActionItem(
        decision=decision,
        title=title,
        due=due,
        status=ActionStatus.OPEN,
        notes=_text(notes, what=_l("The notes"), required=False),
        created_by_label=label,
        **values,
    )
    session.add(action)
    session.flush()
    record(
        session=session,
        action="action.created",
        actor=actor,
        actor_label=actor_label,
        obj=action,
        supplier_id=study.supplier_id,
        details={"decision": decision.id, "due": due.isoformat()},
    )
    return action


def can_update_action(user: Any, action: ActionItem) -> bool:
    """Researchers who see the supplier may update any action; an account-team member only those they own."""
    supplier_id = action.decision.study.supplier_id
    if user is None or not can_see_supplier(user, supplier_id):
        return False
    if is_staff(user):
        return True
    return user.role == Role.ACCOUNT_TEAM and action.owner_user_id == user.id


def update_action(
    *, session: Session, action: ActionItem, status: ActionStatus, notes: str, actor: Any
) -> ActionItem:
    """Change an action's status and notes (what an owner in the account team may change, and nothing else)."""
    if not can_update_action(actor, action):
        raise ActError(_l("You may update only the actions you own."))
    require_act_phase(action.decision.study)
    notes = _text(notes, what=_l("The notes"), required=False)
    before = action.status
    action.status = status
    action.notes = notes
    action.updated_at = utcnow()
    session.flush()
    record(
        session=session,
        action="action.updated",
        actor=actor,
        obj=action,
        supplier_id=action.decision.study.supplier_id,
        details={"from": before.value, "to": status.value},
    )
    return action


def edit_action(
    *,
    session: Session,
    action: ActionItem,
    title: str,
    due: date | None,
    owner_user_id: int | None = None,
    owner_name: str = "",
    owner_email: str = "",
    owner_language: Language | None = None,
    link: str = "",
    actor: Any,
    today: date | None = None,
) -> ActionItem:
    """A researcher changes what an action is, who owns it and when it is due (status and notes have their own
    form). A new due date may not lie before today; an unchanged one may (the action is simply overdue)."""
    study = action.decision.study
    if actor is None or not is_staff(actor) or not can_see_supplier(actor, study.supplier_id):
        raise ActError(_l("Only a researcher can change an action."))
    require_act_phase(study)
    title = _text(title, what=_l("The action"), required=True, limit=MAX_TITLE)
    if due is None:
        raise ActError(_l("Give the action a due date."))
    if due != action.due and due < (today or study_today(study)):
        raise ActError(_l("The due date cannot be before today."))
    values = {
        **_owner(session, study, owner_user_id, owner_name, owner_email, owner_language),
        **_link(action.decision, link),
    }
    before = {"title": action.title, "due": action.due.isoformat(), "owner": action.owner_label}
    action.title = title
    action.due = due
    for key, value in values.items():
        setattr(action, key, value)
    action.updated_at = utcnow()
    session.flush()
    record(
        session=session,
        action="action.edited",
        actor=actor,
        obj=action,
        supplier_id=study.supplier_id,
        details={"before": before, "due": due.isoformat()},
    )
    return action
