"""A study in the analyse phase with free-text answers, quote consents and an interview quote, to code.

Built on the reporting test study (three accounts: Van Dijk Logistiek = match, Noordzee Havenbedrijf =
customer swayed, Stadsbank Utrecht = misfit), with open answers added to the counted responses as the survey
stores them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.enums import Perspective, Purpose, ResponseMode
from surveyapp.interviews.models import (
    Interview,
    InterviewChannel,
    InterviewQuote,
    InterviewStatus,
    QuoteConsent,
)
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import COMPLETED, Answer, Response
from surveyapp.responses.storage import stored_answer
from surveyapp.studies.models import Account, Contact
from tests.reporting.studies import answered_study_factory
from tests.studies.conftest import make_study  # noqa: F401

# email: (name, role, consent answer or None, open_works text)
PEOPLE = {
    "m.vandijk@vandijk.example": ("Marieke van Dijk", "Director", "named", "Fast answers on the phone."),
    "j.kok@vandijk.example": ("Jan Kok", "Planner", None, "They keep to the planning."),
    "s.visser@noordzee.example": (
        "Sanne Visser",
        "Head of operations",
        "anonymous",
        "Scope creep every month.",
    ),
    "a.meijer@noordzee.example": ("Anna Meijer", "Buyer", "no", "Invoices are late."),
    "l.dekker@stadsbank.example": ("Lotte Dekker", "CFO", "named", '<img src="file:///etc/passwd"> hostile'),
    "eva@brightline.example": ("Eva de Boer", "Account manager", None, "Too many small changes."),
    "mark@brightline.example": ("Mark Smit", "Engineer", None, "The client is demanding."),
}


@dataclass
class CodedStudy:
    study: Any
    # (email, account name) -> the open_works answer id
    answers: dict[tuple[str, str], int] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)

    def answer(self, email: str, account: str) -> int:
        return self.answers[(email, account)]


@pytest.fixture
def coded_study(
    db: Any,
    make_study: Callable[..., Any],  # noqa: F811
    make_supplier: Callable[..., Any],
) -> Callable[..., Any]:
    build = answered_study_factory(db, make_study, make_supplier)

    def factory(**kwargs: Any) -> CodedStudy:
        study = build(**kwargs)
        found = CodedStudy(study)
        found.accounts = {a.name: a.id for a in db.session.scalars(select(Account))}
        responses = db.session.scalars(select(Response).where(Response.study_id == study.id)).all()
        for response in responses:
            contact = db.session.get(Contact, response.contact_id)
            name, role, consent, text = PEOPLE[contact.email]
            contact.name, contact.role = name, role
            questionnaire = load_version(session=db.session, version_id=response.questionnaire_version_id)
            answer = Answer(
                response_id=response.id,
                item_key="open_works",
                **stored_answer(questionnaire.item("open_works"), text).columns(),
            )
            db.session.add(answer)
            if response.perspective == Perspective.CLIENT:
                # Who answers as a decision maker sees every question (the questionnaire's show_if).
                db.session.add(
                    Answer(
                        response_id=response.id,
                        item_key="role",
                        **stored_answer(questionnaire.item("role"), "decision_maker").columns(),
                    )
                )
            if consent is not None and response.perspective == Perspective.CLIENT:
                db.session.add(
                    Answer(
                        response_id=response.id,
                        item_key="quote_consent",
                        **stored_answer(questionnaire.item("quote_consent"), consent).columns(),
                    )
                )
            db.session.flush()
            account = db.session.get(Account, response.account_id)
            found.answers[(contact.email, account.name)] = answer.id
        db.session.commit()
        return found

    return factory


@pytest.fixture
def add_interview_quote(db: Any) -> Callable[..., InterviewQuote]:
    """A completed client interview with a quote from its notes, with the given consent and attribution."""

    def factory(
        study: Any,
        account_id: int,
        *,
        email: str,
        name: str,
        consent: QuoteConsent | None,
        attribution: QuoteConsent = QuoteConsent.NAMED,
        text: str = "We would choose them again.",
        question_key: str = "open_works",
    ) -> InterviewQuote:
        contact = Contact(
            supplier_id=study.supplier_id,
            account_id=account_id,
            side="client",
            email=email,
            name=name,
            role="COO",
        )
        db.session.add(contact)
        db.session.flush()
        when = datetime(2026, 10, 20, 10, tzinfo=UTC)
        chosen = study.questionnaire_for(Perspective.CLIENT, Purpose.INTERVIEW)
        response = Response(
            study_id=study.id,
            contact_id=contact.id,
            account_id=account_id,
            perspective=Perspective.CLIENT,
            mode=ResponseMode.INTERVIEW,
            questionnaire_version_id=chosen.version_id,
            status=COMPLETED,
            started_at=when,
            submitted_at=when,
        )
        db.session.add(response)
        db.session.flush()
        interview = Interview(
            study_id=study.id,
            contact_id=contact.id,
            account_id=account_id,
            perspective=Perspective.CLIENT,
            language="en",
            scheduled_at=when,
            channel=InterviewChannel.PHONE,
            status=InterviewStatus.COMPLETED,
            consent_participate=True,
            consent_quote=consent,
            started_at=when,
            ended_at=when,
            response_id=response.id,
            ics_uid=f"interview-{uuid.uuid4().hex}@surveyapp",
        )
        db.session.add(interview)
        db.session.flush()
        quote = InterviewQuote(
            interview_id=interview.id, question_key=question_key, text=text, attribution=attribution
        )
        db.session.add(quote)
        db.session.commit()
        return quote

    return factory
