"""A study in the database with completed responses (imported, as `import responses` stores them): three
accounts, in the quadrants match, customer swayed and misfit; for the renderer child, pages and CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from surveyapp.enums import Language, Perspective, Phase, Purpose, QuestionType, ResponseMode, Side
from surveyapp.questionnaires.services import load_version
from surveyapp.responses.models import COMPLETED, Answer, Response
from surveyapp.responses.storage import stored_answer
from surveyapp.studies import scope
from surveyapp.studies.models import Contact
from tests.studies.conftest import fielded_in_2025

SUPPLIER = "Brightline Facility Services"

# account, effort, billable, [(side, email, level 1-5, nps)]; a level: how good the fit looks to that person.

ACCOUNTS = (
    (
        "Van Dijk Logistiek",
        2900,
        2750,
        [
            ("client", "m.vandijk@vandijk.example", 4, 9),
            ("client", "j.kok@vandijk.example", 5, 10),
            ("supplier", "eva@brightline.example", 4, 8),
        ],
    ),
    (
        "Noordzee Havenbedrijf",
        5200,
        3900,
        [
            ("client", "s.visser@noordzee.example", 4, 8),
            ("client", "a.meijer@noordzee.example", 5, 9),
            ("supplier", "mark@brightline.example", 2, 5),
        ],
    ),
    (
        "Stadsbank Utrecht",
        3400,
        2100,
        [("client", "l.dekker@stadsbank.example", 2, 4), ("supplier", "eva@brightline.example", 2, 3)],
    ),
)


def _answers(questionnaire: Any, level: int, nps: int) -> dict[str, str]:
    answers = {}
    for item in questionnaire.scored_items:
        if item.type is QuestionType.NPS:
            answers[item.key] = str(nps)
        elif item.type is QuestionType.SCALE:
            answers[item.key] = str(6 - level if item.reverse else level)
    return answers


def add_response(
    session: Any,
    study: Any,
    contact: Contact,
    account_id: int,
    perspective: Perspective,
    answers: dict[str, str],
    submitted_at: datetime,
) -> Response:
    chosen = study.questionnaire_for(perspective, Purpose.SURVEY)
    questionnaire = load_version(session=session, version_id=chosen.version_id)
    response = Response(
        study_id=study.id,
        contact_id=contact.id,
        account_id=account_id,
        perspective=perspective,
        mode=ResponseMode.IMPORT,
        questionnaire_version_id=chosen.version_id,
        status=COMPLETED,
        started_at=submitted_at,
        submitted_at=submitted_at,
    )
    session.add(response)
    session.flush()
    for key, raw in answers.items():
        session.add(
            Answer(
                response_id=response.id, item_key=key, **stored_answer(questionnaire.item(key), raw).columns()
            )
        )
    session.flush()
    return response


@pytest.fixture
def answered_study(db: Any, request: pytest.FixtureRequest) -> Callable[..., Any]:
    """A study in the analyse phase with three accounts (match, customer swayed, misfit) and their answers."""
    return answered_study_factory(
        db, request.getfixturevalue("make_study"), request.getfixturevalue("make_supplier")
    )


def answered_study_factory(
    db: Any, make_study: Callable[..., Any], make_supplier: Callable[..., Any]
) -> Callable[..., Any]:
    """The factory behind `answered_study` (for test packages whose conftest does not provide the fixture)."""

    def factory(supplier: Any = None, slug: str = "fit-2025", language: Language = Language.EN) -> Any:
        supplier = supplier or make_supplier(SUPPLIER, report_language=language)
        study = make_study(
            supplier=supplier, slug=slug, name="Client fit 2025", questionnaires=fielded_in_2025()
        )
        contacts: dict[str, Contact] = {}
        when = datetime(2026, 10, 1, 9, tzinfo=UTC)
        for name, effort, billable, people in ACCOUNTS:
            in_scope = scope.add_account(
                session=db.session,
                study=study,
                name=name,
                effort_hours=Decimal(effort),
                billable_hours=Decimal(billable),
                actor=None,
            )
            for side, email, level, nps in people:
                if email not in contacts:
                    contacts[email] = scope.add_contact(
                        session=db.session,
                        study=study,
                        side=Side(side),
                        email=email,
                        account_id=in_scope.account_id if side == "client" else None,
                        actor=None,
                    )
                perspective = Perspective(side)
                questionnaire = load_version(
                    session=db.session,
                    version_id=study.questionnaire_for(perspective, Purpose.SURVEY).version_id,
                )
                when += timedelta(hours=1)
                add_response(
                    db.session,
                    study,
                    contacts[email],
                    in_scope.account_id,
                    perspective,
                    _answers(questionnaire, level, nps),
                    when,
                )
        study.phase = Phase.ANALYSE
        db.session.commit()
        return study

    return factory


def mark_rendered(session: Any, report: Any, pdf: bytes = b"%PDF-1.7 test", pages: int = 1) -> Any:
    """A report as the renderer leaves it, without rendering: claimed, its PDF stored, and the state of the
    data it was made from recorded (`reporting.sources`), as `pipeline.render_stored_report` does."""
    from surveyapp.analysis.disclosure import outside_view
    from surveyapp.analysis.service import analysis_document, disclosure_of
    from surveyapp.reporting.assemble import section_providers
    from surveyapp.reporting.services import claim_for_rendering, store_pdf
    from surveyapp.reporting.settings import BUILT_IN_PROVIDERS
    from surveyapp.reporting.sources import current_states

    claim_for_rendering(session=session, report_id=report.id)
    # What `reporting.assemble.report_inputs` stores: the analysis as it may leave the research team.
    report.analysis = outside_view(
        analysis_document(session=session, study=report.study),
        disclosure_of(session=session, study=report.study),
    )
    state = current_states(
        session=session, study=report.study, reports=[report], providers=section_providers(BUILT_IN_PROVIDERS)
    )
    report.source_state = state[report.id]
    return store_pdf(session=session, report=report, pdf=pdf, pages=pages)
