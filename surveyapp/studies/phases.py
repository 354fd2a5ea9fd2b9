"""The phase workflow `prepare -> interview -> analyse -> act`: an explicit state machine with guards.

Moving forward goes one phase at a time and only when every requirement of the phase being left is met; each
requirement says exactly what is missing. Moving back is always allowed, needs a reason, and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from surveyapp.audit.services import record
from surveyapp.db import utcnow
from surveyapp.enums import Perspective, Phase, Side
from surveyapp.i18n import _l
from surveyapp.invitations.guards import supplier_invitations_sent
from surveyapp.responses.models import COMPLETED, Response
from surveyapp.studies.models import Assignment, Contact, Study, StudyAccount

ORDER = (Phase.PREPARE, Phase.INTERVIEW, Phase.ANALYSE, Phase.ACT)
PHASE_NAMES = {
    Phase.PREPARE: _l("Prepare"),
    Phase.INTERVIEW: _l("Interview"),
    Phase.ANALYSE: _l("Analyse"),
    Phase.ACT: _l("Act"),
}


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition for leaving a phase: whether it is met, what it asks, and how far along it is."""

    key: str
    met: bool
    label: Any
    missing: Any
    count: int


class PhaseError(ValueError):
    """A phase change that is not allowed; `missing` lists every unmet requirement."""

    def __init__(self, message: Any, missing: list[Any] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.missing = missing or []


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement) or 0)


def _accounts_in_scope(session: Session, study: Study) -> Requirement:
    n = _count(
        session, select(func.count()).select_from(StudyAccount).where(StudyAccount.study_id == study.id)
    )
    return Requirement(
        "accounts",
        n > 0,
        _l("At least one account in scope"),
        _l("Add at least one account to the study."),
        n,
    )


def _client_contacts(session: Session, study: Study) -> Requirement:
    n = _count(
        session,
        select(func.count(Contact.id))
        .join(
            StudyAccount,
            (StudyAccount.account_id == Contact.account_id) & (StudyAccount.study_id == study.id),
        )
        .where(Contact.side == Side.CLIENT, Contact.erased_at.is_(None)),
    )
    return Requirement(
        "client_contacts",
        n > 0,
        _l("At least one client contact on an account in scope"),
        _l("Add at least one client contact to an account in the study."),
        n,
    )


def _staff_assigned(session: Session, study: Study) -> Requirement:
    n = _count(session, select(func.count()).select_from(Assignment).where(Assignment.study_id == study.id))
    return Requirement(
        "staff_assigned",
        n > 0,
        _l("Supplier staff assigned to rate accounts"),
        _l(
            "Assign at least one supplier staff member to rate an account, "
            "so the supplier's own view is collected first."
        ),
        n,
    )


def _completed_client_responses(session: Session, study: Study) -> Requirement:
    n = _count(
        session,
        select(func.count())
        .select_from(Response)
        .where(
            Response.study_id == study.id,
            Response.perspective == Perspective.CLIENT,
            Response.status == COMPLETED,
        ),
    )
    return Requirement(
        "client_responses",
        n > 0,
        _l("At least one completed client response"),
        _l("Collect at least one completed client response (survey, interview or import)."),
        n,
    )


# The requirements for LEAVING each phase. Later capabilities add theirs here (e.g. invitations sent).
GUARDS: dict[Phase, list[Callable[[Session, Study], Requirement]]] = {
    Phase.PREPARE: [_accounts_in_scope, _client_contacts, _staff_assigned, supplier_invitations_sent],
    Phase.INTERVIEW: [_completed_client_responses],
    Phase.ANALYSE: [],
    Phase.ACT: [],
}


def requirements(*, session: Session, study: Study) -> list[Requirement]:
    """What the study's current phase needs before it can move on (the study page's checklist)."""
    return [guard(session, study) for guard in GUARDS[study.phase]]


def next_phase(phase: Phase) -> Phase | None:
    index = ORDER.index(phase)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def on_enter_analyse(session: Session, study: Study) -> None:
    """Pin the scoring version the first time a study enters analyse (moving back keeps the pin), and let every
    survey reopened for changes but not sent again count as it was last sent (rule 19: answers close now)."""
    from surveyapp.responses.services import restore_reopened

    if study.scoring_version_id is None:
        from surveyapp.questionnaires.runtime import current_scoring_version

        study.scoring_version_id = current_scoring_version(session=session).id
    restore_reopened(session=session, study=study, now=utcnow())


def on_leave_act(session: Session, study: Study) -> None:
    """Moving back from act keeps the decisions, marked for review (they change again only in act)."""
    from surveyapp.act.services import mark_for_review

    mark_for_review(session=session, study=study)


def change_phase(
    *,
    session: Session,
    study: Study,
    target: Phase,
    actor: Any,
    reason: str = "",
    actor_label: str | None = None,
) -> None:
    """Move the study to `target`: forward one step when its guards allow, or back to any earlier phase."""
    current = study.phase
    if target == current:
        raise PhaseError(_l("The study is already in the %(phase)s phase.", phase=PHASE_NAMES[target]))
    forward = ORDER.index(target) > ORDER.index(current)
    if forward:
        if target != next_phase(current):
            raise PhaseError(
                _l(
                    "A study moves forward one phase at a time: from %(current)s the next phase is %(next)s.",
                    current=PHASE_NAMES[current],
                    next=PHASE_NAMES[next_phase(current)],
                )  # type: ignore[index]
            )
        unmet = [r.missing for r in requirements(session=session, study=study) if not r.met]
        if unmet:
            raise PhaseError(_l("The study cannot move to %(phase)s yet.", phase=PHASE_NAMES[target]), unmet)
    elif not reason.strip():
        raise PhaseError(_l("Moving a study back to an earlier phase needs a reason."))
    study.phase = target
    study.phase_changed_at = utcnow()
    if target == Phase.ANALYSE:
        on_enter_analyse(session, study)
    if current == Phase.ACT:
        on_leave_act(session, study)
    session.flush()
    record(
        session=session,
        action="study.phase_changed",
        actor=actor,
        actor_label=actor_label,
        obj=study,
        supplier_id=study.supplier_id,
        reason=reason.strip() or None,
        details={"from": current.value, "to": target.value},
    )
