"""A small study in the database for the SQL analysis tests, built through the services and the storage path.

The study uses the engine's test questionnaires (`all-types` for clients, `all-types-supplier` for staff) and
the test fit model (needs_match weight 2, ways_of_working 1, relationship 1, effort 1.5; thresholds 60/15/40,
min_n 3). `respond` stores a completed response the way the survey stores one: only visible, answered items,
each with the score, dimension and weight of the pinned version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from surveyapp.enums import InvitationStatus, Language, Perspective, Purpose, ResponseMode, Side
from surveyapp.invitations.models import Invitation
from surveyapp.questionnaires import load_questionnaire, load_scoring
from surveyapp.questionnaires.services import ensure_scoring_version, load_version
from surveyapp.questionnaires.visibility import visibility
from surveyapp.responses.models import COMPLETED, IN_PROGRESS, Answer, Response
from surveyapp.responses.storage import mark_superseded, stored_answer
from surveyapp.studies import scope
from surveyapp.studies.models import Contact, Study, Supplier
from surveyapp.studies.services import create_study

DATA = Path(__file__).resolve().parents[1] / "questionnaires" / "data"
SCORING = load_scoring(DATA / "scoring.yaml")
CLIENT_SURVEY = load_questionnaire(DATA / "all-types.yaml", SCORING)
SUPPLIER_SURVEY = load_questionnaire(DATA / "all-types-supplier.yaml", SCORING)
START = datetime(2025, 10, 1, 9, 0, tzinfo=UTC)


def day(number: int) -> datetime:
    """A completion time: `number` days after the study's start."""
    return START + timedelta(days=number)


@dataclass
class World:
    """A study with accounts by name and contacts by their email's local part."""

    db: Any
    study: Study
    accounts: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)

    def account(
        self,
        name: str,
        *,
        external_id: str | None = None,
        effort: int | None = None,
        billable: int | None = None,
    ) -> int:
        in_scope = scope.add_account(
            session=self.db.session,
            study=self.study,
            name=name,
            external_id=external_id,
            effort_hours=None if effort is None else Decimal(effort),
            billable_hours=None if billable is None else Decimal(billable),
            actor=None,
        )
        self.accounts[name] = in_scope.account_id
        return in_scope.account_id

    def client(self, name: str, account: str) -> Contact:
        contact = scope.add_contact(
            session=self.db.session,
            study=self.study,
            side=Side.CLIENT,
            email=f"{name}@client.example",
            name=name.title(),
            language=Language.NL,
            account_id=self.accounts[account],
            actor=None,
        )
        self.contacts[name] = contact
        return contact

    def staff(self, name: str, *accounts: str) -> Contact:
        contact = self.contacts.get(name)
        for account in accounts:
            contact = scope.add_contact(
                session=self.db.session,
                study=self.study,
                side=Side.SUPPLIER,
                email=f"{name}@supplier.example",
                name=name.title(),
                language=Language.EN,
                account_id=self.accounts[account],
                actor=None,
            )
        assert contact is not None
        self.contacts[name] = contact
        return contact

    def respond(
        self,
        name: str,
        account: str,
        answers: dict[str, str],
        *,
        at: datetime = START,
        mode: ResponseMode = ResponseMode.SURVEY,
        perspective: Perspective | None = None,
        completed: bool = True,
    ) -> Response:
        """Store a response as the survey does: visible, answered items only; supersede as rule 2 says."""
        contact = self.contacts[name]
        if perspective is None:
            perspective = Perspective.CLIENT if contact.side is Side.CLIENT else Perspective.SUPPLIER
        row = self.study.questionnaire_for(perspective, Purpose.SURVEY)
        assert row is not None
        questionnaire = load_version(session=self.db.session, version_id=row.version_id)
        counted = visibility(questionnaire, answers).answers
        response = Response(
            study_id=self.study.id,
            contact_id=contact.id,
            account_id=self.accounts[account],
            perspective=perspective,
            mode=mode,
            questionnaire_version_id=row.version_id,
            status=COMPLETED if completed else IN_PROGRESS,
            started_at=at,
            submitted_at=at if completed else None,
            updated_at=at,
        )
        self.db.session.add(response)
        self.db.session.flush()
        for key, raw in counted.items():
            answer = stored_answer(questionnaire.item(key), raw)
            self.db.session.add(Answer(response_id=response.id, item_key=key, **answer.columns()))
        mark_superseded(session=self.db.session, study=self.study)
        self.db.session.commit()
        return response

    def invite(
        self, name: str, account: str, *, status: InvitationStatus = InvitationStatus.SENT
    ) -> Invitation:
        contact = self.contacts[name]
        perspective = Perspective.CLIENT if contact.side is Side.CLIENT else Perspective.SUPPLIER
        row = self.study.questionnaire_for(perspective, Purpose.SURVEY)
        assert row is not None
        invitation = Invitation(
            study_id=self.study.id,
            contact_id=contact.id,
            account_id=self.accounts[account],
            study_questionnaire_id=row.id,
            status=status,
        )
        self.db.session.add(invitation)
        self.db.session.commit()
        return invitation

    def pin(self) -> None:
        """Pin the test fit model, as entering analyse would pin the current one."""
        self.study.scoring_version_id = ensure_scoring_version(session=self.db.session, scoring=SCORING).id
        self.db.session.commit()


def make_world(
    db: Any,
    supplier: Supplier,
    slug: str = "wave-1",
    previous: Study | None = None,
    extra: tuple[Any, ...] = (),
) -> World:
    study = create_study(
        session=db.session,
        supplier=supplier,
        slug=slug,
        name=slug.title(),
        questionnaires=[CLIENT_SURVEY, SUPPLIER_SURVEY, *extra],
        previous=previous,
    )
    db.session.commit()
    return World(db, study)
