"""Gathering a report's inputs from the database: the analysis JSON, names and texts in the report's language,
figures, commentary, the supplier's logo and the optional sections of the configured providers."""

from __future__ import annotations

from sqlalchemy import select

from surveyapp.enums import Language, Role
from surveyapp.jobs.render import run_render
from surveyapp.reporting.assemble import report_inputs, section_providers
from surveyapp.reporting.context import Hours
from surveyapp.reporting.models import Report, ReportKind
from surveyapp.reporting.services import request_report, save_commentary
from surveyapp.studies.models import Account
from tests.reporting.conftest import pdf_text
from tests.reporting.providers import sections
from tests.reporting.security import PNG_1PX


def test_report_inputs_in_the_report_language(db, answered_study, make_user):
    # Arrange
    study = answered_study(language=Language.NL)
    study.supplier.logo, study.supplier.logo_mime = b"\x89PNG fake", "image/png"
    account = db.session.scalar(select(Account).where(Account.name == "Stadsbank Utrecht"))
    save_commentary(
        session=db.session,
        study=study,
        account=account,
        text="Exit?",
        actor=make_user(Role.RESEARCHER, all_suppliers=True),
    )
    report = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)

    # Act
    inputs = report_inputs(session=db.session, report=report, providers=[sections])

    # Assert
    assert inputs.language == "nl"
    assert inputs.dimensions["needs_match"].name == "Aansluiting op de behoefte"
    assert inputs.item_texts[("supplier", "effort_1")].startswith("{account} kost ons")
    assert inputs.commentary == {"Stadsbank Utrecht": "Exit?"}
    assert inputs.hours["Noordzee Havenbedrijf"] == Hours(5200.0, 3900.0)
    assert inputs.facts.logo == "data:image/png;base64,iVBORyBmYWtl"
    assert [q.slug for q in inputs.facts.questionnaires] == [q.slug for q in study.questionnaires]
    assert inputs.sections[None] == {"themes": [{"name": "Scope creep", "mentions": 3}]}
    assert report.analysis == inputs.document
    assert report.provisional is True


def test_section_providers_are_named_module_and_function():
    assert section_providers(["tests.reporting.providers:sections"]) == [sections]


def test_configured_providers_reach_the_renderer_child(db, make_app, answered_study):
    # Arrange
    study = answered_study()
    account = db.session.scalar(select(Account).where(Account.name == "Noordzee Havenbedrijf"))
    report_id = request_report(session=db.session, study=study, kind=ReportKind.ACCOUNT, account=account).id
    db.session.commit()
    configured = make_app(REPORT_SECTION_PROVIDERS=["tests.reporting.providers:sections"])

    # Act
    outcome = run_render(report_id, app=configured)

    # Assert
    text = pdf_text(db.session.get(Report, report_id).pdf)
    assert outcome.ok
    assert "“Good afternoon from fit-2025”" in text


def test_logo_of_another_type_is_left_out(db, answered_study):
    study = answered_study()
    study.supplier.logo, study.supplier.logo_mime = PNG_1PX.encode(), "image/svg+xml"
    report = request_report(session=db.session, study=study, kind=ReportKind.PORTFOLIO)

    assert report_inputs(session=db.session, report=report).facts.logo is None
