"""The act phase of the demo's finished wave: a decision for every account, with actions (some done, some
overdue). Idempotent: nothing is added when the wave already has decisions. Called by `surveyapp.demo`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.act import services
from surveyapp.act.models import Decision
from surveyapp.act.proposals import propose
from surveyapp.analysis.service import analysis_document
from surveyapp.auth.models import User
from surveyapp.enums import ActionStatus, DecisionKind, Language, Phase
from surveyapp.studies.models import Account, Study

WAVE = "brightline-2025"
LABEL = "demo"
ACCOUNT_TEAM = "accountteam@demo.example"
# Written by the demo's Dutch-speaking researcher: the supplier's report language is Dutch.
RATIONALES = {
    DecisionKind.CONTINUE: "Beide kanten zien een goede fit; houden en versterken.",
    DecisionKind.REALIGN: "De fit wringt aan één kant: scope, werkwijze en prijs opnieuw afspreken.",
    DecisionKind.EXIT: "Beide kanten zien geen fit meer en de kosten lopen op; netjes afbouwen.",
}
NO_PROPOSAL = (
    DecisionKind.REALIGN,
    "Alleen het oordeel van de leverancier; eerst samen de verwachtingen toetsen.",
)
HANDOVER = (
    "Opzegtermijn van drie maanden; overdracht van dossiers en sleutels aan de opvolger in één overleg."
)
# Per decision kind: (title, owner is the account team user?, due in days from the decision, status)
ACTIONS = {
    DecisionKind.CONTINUE: [("Kwartaaloverleg vastleggen voor volgend jaar", True, 40, ActionStatus.DONE)],
    DecisionKind.REALIGN: [
        ("Scope en meerwerk opnieuw afspreken", True, 30, ActionStatus.DONE),
        ("Nieuwe prijsafspraak voorleggen", False, 60, ActionStatus.OPEN),
    ],
    DecisionKind.EXIT: [("Afbouwplan en overdracht met de klant afstemmen", True, 45, ActionStatus.DOING)],
}
CONTACT_OWNER = ("Mark de Groot", "mark.degroot@brightline.example")


def load_act_demo(*, session: Session) -> None:
    """Decisions and actions for the finished wave (in the act phase), once."""
    study = session.scalar(select(Study).where(Study.slug == WAVE))
    if study is None or study.phase != Phase.ACT:
        return
    if session.scalar(select(Decision.id).where(Decision.study_id == study.id).limit(1)) is not None:
        return
    document = analysis_document(session=session, study=study)
    owner = session.scalar(select(User).where(User.email == ACCOUNT_TEAM))
    names = dict(
        session.execute(
            select(Account.name, Account.id).where(Account.supplier_id == study.supplier_id)
        ).all()
    )
    decided = study.deadline + timedelta(days=7) if study.deadline else date(2025, 12, 5)
    for entry in document["accounts"]:
        proposal = propose(entry["quadrant"])
        kind, rationale = (proposal.kind, RATIONALES[proposal.kind]) if proposal else NO_PROPOSAL
        decision = services.record_decision(
            session=session,
            study=study,
            account_id=names[entry["account"]],
            kind=kind,
            rationale=rationale,
            handover_plan=HANDOVER if kind == DecisionKind.EXIT else "",
            actor=None,
            actor_label=LABEL,
            document=document,
        )
        # Decided a week after the wave closed, like the actions' due dates, not on the day the demo loads.
        decision.decided_at = datetime.combine(decided, time(15, 0), tzinfo=UTC)
        for title, by_user, days, status in ACTIONS[kind]:
            action = services.add_action(
                session=session,
                decision=decision,
                title=title,
                due=decided + timedelta(days=days),
                owner_user_id=owner.id if by_user and owner is not None else None,
                owner_name="" if by_user and owner is not None else CONTACT_OWNER[0],
                owner_email="" if by_user and owner is not None else CONTACT_OWNER[1],
                owner_language=Language.NL,
                actor=None,
                actor_label=LABEL,
                today=decided,
            )
            action.status = status
    session.flush()
