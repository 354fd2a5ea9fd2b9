"""Gathering a report's inputs from the database: the analysis JSON, names and texts, figures, commentary.

Runs in the renderer child (jobs/render.py). The numbers come from `analysis_document`, the same function
behind `surveyapp analysis --format json`, so a report prints exactly the numbers of the analysis JSON.

Optional sections (see context.py) come from the providers named in `REPORT_SECTION_PROVIDERS`
("module:function" strings); a later capability adds its provider there. Each provider is called as
`provider(session=..., study=..., language=..., document=...)` (`document`: the study's analysis JSON, already
computed, so that a provider never recomputes it) and returns {account name or None: {section key: data}}.
"""

from __future__ import annotations

import base64
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from surveyapp.analysis.disclosure import outside_view
from surveyapp.analysis.service import analysis_document, disclosure_of, scoring_of
from surveyapp.enums import Perspective, Purpose
from surveyapp.questionnaires.services import load_version
from surveyapp.reporting.context import DimensionText, Hours, QuestionnaireRef, ReportInputs, StudyFacts
from surveyapp.reporting.models import Report, ReportCommentary
from surveyapp.studies.models import Account, Study, StudyAccount, Supplier

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_TYPES = {"image/png", "image/jpeg"}
# Where an item's text is looked up, per perspective: the survey first, then the interview guide.
ITEM_SOURCES = {
    Perspective.CLIENT.value: ((Perspective.CLIENT, Purpose.SURVEY), (Perspective.CLIENT, Purpose.INTERVIEW)),
    Perspective.SUPPLIER.value: (
        (Perspective.SUPPLIER, Purpose.SURVEY),
        (Perspective.SUPPLIER, Purpose.INTERVIEW),
    ),
}


def _logo(supplier: Supplier) -> str | None:
    if not supplier.logo or supplier.logo_mime not in LOGO_TYPES:
        return None
    return f"data:{supplier.logo_mime};base64," + base64.b64encode(supplier.logo).decode("ascii")


def _item_texts(session: Session, study: Study, language: str) -> dict[tuple[str, str], str]:
    texts: dict[tuple[str, str], str] = {}
    for perspective, sources in ITEM_SOURCES.items():
        for source in reversed(sources):  # the survey's wording wins where both have the item
            chosen = study.questionnaire_for(*source)
            if chosen is None:
                continue
            questionnaire = load_version(session=session, version_id=chosen.version_id)
            for item in questionnaire.items:
                texts[(perspective, item.key)] = item.text.get(language)
    return texts


def commentary_of(session: Session, study: Study) -> dict[str | None, str]:
    rows = session.execute(
        select(Account.name, ReportCommentary.text)
        .select_from(ReportCommentary)
        .outerjoin(Account, Account.id == ReportCommentary.account_id)
        .where(ReportCommentary.study_id == study.id)
    ).all()
    return {name: text for name, text in rows}


def hours_of(session: Session, study: Study) -> dict[str, Hours]:
    rows = session.execute(
        select(Account.name, StudyAccount.effort_hours, StudyAccount.billable_hours)
        .join(StudyAccount, StudyAccount.account_id == Account.id)
        .where(StudyAccount.study_id == study.id)
    ).all()
    return {
        name: Hours(None if effort is None else float(effort), None if billable is None else float(billable))
        for name, effort, billable in rows
    }


def section_providers(names: Iterable[str]) -> list[Callable[..., Mapping[str | None, Mapping[str, Any]]]]:
    """The optional-section providers named "module:function" (configuration, not user input)."""
    providers = []
    for name in names:
        module, _sep, function = name.partition(":")
        providers.append(getattr(importlib.import_module(module), function))
    return providers


def optional_sections(
    *,
    session: Session,
    study: Study,
    language: str,
    document: Mapping[str, Any],
    providers: Iterable[Callable[..., Any]],
) -> dict[str | None, dict[str, Any]]:
    merged: dict[str | None, dict[str, Any]] = {}
    for provider in providers:
        found = provider(session=session, study=study, language=language, document=document)
        for key, sections in found.items():
            merged.setdefault(key, {}).update(sections)
    return merged


def report_inputs(
    *, session: Session, report: Report, providers: Iterable[Callable[..., Any]] = ()
) -> ReportInputs:
    """Everything a report needs, read from the database; the analysis document is stored on the report."""
    study = report.study
    supplier = session.scalar(
        select(Supplier).options(undefer(Supplier.logo)).where(Supplier.id == study.supplier_id)
    )
    assert supplier is not None
    language = report.language.value
    # Every report goes to an account team: it shows what rule 18 lets leave the research team.
    document = outside_view(
        analysis_document(session=session, study=study), disclosure_of(session=session, study=study)
    )
    scoring, _provisional = scoring_of(session=session, study=study)
    report.analysis = document
    report.scoring_version = document["scoring_version"]
    report.provisional = document["provisional"]
    report.questionnaire_versions = {row.slug: row.version.version for row in study.questionnaires}
    facts = StudyFacts(
        supplier=supplier.name,
        study_name=study.name,
        study_slug=study.slug,
        generated_at=report.created_at,
        time_zone=study.time_zone,
        previous_study=study.previous_study.name if study.previous_study else None,
        logo=_logo(supplier),
        brand_colour=supplier.brand_colour
        if supplier.brand_colour and COLOUR.match(supplier.brand_colour)
        else None,
        questionnaires=tuple(
            QuestionnaireRef(row.slug, row.version.title, row.version.version) for row in study.questionnaires
        ),
    )
    return ReportInputs(
        document=document,
        language=language,
        facts=facts,
        dimensions={
            dimension.key: DimensionText(dimension.name.get(language), dimension.description.get(language))
            for dimension in scoring.dimensions
        },
        item_texts=_item_texts(session, study, language),
        commentary=commentary_of(session, study),
        hours=hours_of(session, study),
        sections=optional_sections(
            session=session, study=study, language=language, document=document, providers=providers
        ),
    )
