"""The coding section provider: its data, and what the real report pipeline prints of it (PDF text)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.coding import services
from surveyapp.coding.models import PALETTE
from surveyapp.coding.report_sections import sections
from surveyapp.coding.targets import ANSWER, Target
from surveyapp.enums import Role
from surveyapp.jobs.render import run_render
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.services import request_report
from surveyapp.responses.models import Answer
from surveyapp.studies.models import Account
from tests.reporting.conftest import pdf_text

VAN_DIJK, NOORDZEE, STADSBANK = "Van Dijk Logistiek", "Noordzee Havenbedrijf", "Stadsbank Utrecht"
PROVIDER = "surveyapp.coding.report_sections:sections"


@pytest.fixture
def researcher(make_user):
    return make_user(Role.RESEARCHER, all_suppliers=True)


def _code(db, coded, researcher):
    study = coded.study
    scope = services.create_theme(
        session=db.session, study=study, name="Scope creep", colour=PALETTE[0], actor=researcher
    )
    speed = services.create_theme(
        session=db.session, study=study, name="Speed", colour=PALETTE[1], actor=researcher
    )
    services.save_tags(
        session=db.session,
        study=study,
        chosen={
            Target(ANSWER, coded.answer("m.vandijk@vandijk.example", VAN_DIJK)): frozenset({speed.id}),
            Target(ANSWER, coded.answer("s.visser@noordzee.example", NOORDZEE)): frozenset({scope.id}),
            Target(ANSWER, coded.answer("mark@brightline.example", NOORDZEE)): frozenset(
                {scope.id, speed.id}
            ),
        },
        actor=researcher,
    )
    services.save_selection(
        session=db.session,
        study=study,
        chosen={
            Target(ANSWER, coded.answer("m.vandijk@vandijk.example", VAN_DIJK)): True,
            Target(ANSWER, coded.answer("j.kok@vandijk.example", VAN_DIJK)): False,
            Target(ANSWER, coded.answer("l.dekker@stadsbank.example", STADSBANK)): True,
            Target(ANSWER, coded.answer("eva@brightline.example", STADSBANK)): True,
        },
        actor=researcher,
    )
    db.session.commit()


def _narrow_consent(db, coded, email, account, value):
    response_id = db.session.get(Answer, coded.answer(email, account)).response_id
    answer = db.session.scalar(
        select(Answer).where(Answer.response_id == response_id, Answer.item_key == "quote_consent")
    )
    answer.value = value
    db.session.commit()


def test_sections_gives_themes_per_account_and_portfolio_and_permitted_quotes(db, coded_study, researcher):
    coded = coded_study()
    _code(db, coded, researcher)

    found = sections(session=db.session, study=coded.study, language="en")

    assert found == {
        VAN_DIJK: {
            "themes": [{"name": "Speed", "mentions": 1}],
            "quotes": [
                {
                    "text": "Fast answers on the phone.",
                    "attribution": "Marieke van Dijk, Director, Van Dijk Logistiek",
                    "perspective": "client",
                }
            ],
        },
        NOORDZEE: {"themes": [{"name": "Scope creep", "mentions": 2}, {"name": "Speed", "mentions": 1}]},
        STADSBANK: {
            "quotes": [
                {
                    "text": '<img src="file:///etc/passwd"> hostile',
                    "attribution": "Lotte Dekker, CFO, Stadsbank Utrecht",
                    "perspective": "client",
                },
                {"text": "Too many small changes.", "attribution": None, "perspective": "supplier"},
            ]
        },
        None: {"themes": [{"name": "Scope creep", "mentions": 2}, {"name": "Speed", "mentions": 2}]},
    }


def test_sections_of_a_study_without_coding_are_empty(db, coded_study):
    assert sections(session=db.session, study=coded_study().study, language="nl") == {}


def _render(db, make_app, study, account_name):
    account = db.session.scalar(select(Account).where(Account.name == account_name))
    report_id = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account).id
    db.session.commit()
    outcome = run_render(report_id, app=make_app(REPORT_SECTION_PROVIDERS=PROVIDER))
    assert outcome.ok
    return pdf_text(db.session.get(Report, report_id).pdf)


def test_report_prints_hostile_quote_text_as_text(db, make_app, coded_study, researcher):
    coded = coded_study()
    _code(db, coded, researcher)

    text = _render(db, make_app, coded.study, STADSBANK)

    assert '“<img src="file:///etc/passwd"> hostile”' in text
    assert "Lotte Dekker, CFO, Stadsbank Utrecht" in text
    assert "“Too many small changes.”" in text


def test_report_leaves_out_a_quote_whose_consent_was_withdrawn(db, make_app, coded_study, researcher):
    coded = coded_study()
    _code(db, coded, researcher)
    _narrow_consent(db, coded, "m.vandijk@vandijk.example", VAN_DIJK, "no")

    text = _render(db, make_app, coded.study, VAN_DIJK)

    assert "Fast answers on the phone." not in text
    assert "Marieke van Dijk" not in text
    assert "Speed" in text
