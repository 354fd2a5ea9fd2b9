"""`surveyapp demo` then `surveyapp analysis`: every quadrant, gaps, signals, the cost of mismatch and drift,
numbers that match an independent computation, and a second `demo` that adds nothing."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from surveyapp.analysis.accounts import account_scores_from_respondents
from surveyapp.analysis.inputs import (
    SIGNAL_TAG,
    AdviceAnswer,
    ItemScore,
    NpsAnswer,
    ScoredRespondents,
    SignalAgreement,
)
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.analysis.queries import account_figures, response_counts
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.service import fit_model_of, previous_account_fits, thresholds_of
from surveyapp.analysis.signals import signal_aggregates_from_items
from surveyapp.analysis.stats import item_matrices_from_items
from surveyapp.analysis.study import analyse_study
from surveyapp.audit.models import AuditEvent
from surveyapp.auth.models import User
from surveyapp.cli import cli
from surveyapp.enums import Perspective, Phase, SignalGroup
from surveyapp.invitations.models import Invitation, InvitationEvent
from surveyapp.questionnaires.loader import load_questionnaire
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.questionnaires.schema import BEHAVIOUR_TYPES
from surveyapp.questionnaires.services import load_scoring_version, load_version
from surveyapp.questionnaires.types import score_answers
from surveyapp.responses.models import Answer, Response
from surveyapp.studies.models import Account, Study

EXPECTED_QUADRANTS = {
    "Atlas Engineering": "customer_swayed",
    "Greenfield Offices Ltd": "match",
    "Helder Zorggroep": "blind_spot",
    "Kempen Retail": "match",
    "Noordzee Havenbedrijf": "customer_swayed",
    "Polderwind Energie": "incomplete",
    "Stadsbank Utrecht": "misfit",
    "Van Dijk Logistiek": "match",
}


@pytest.fixture
def demo(app: Any, db: Any) -> Any:
    runner = app.test_cli_runner()

    def invoke(*args: str) -> Any:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    invoke("demo")
    return invoke


def _counts(db: Any) -> dict[str, int]:
    models = (Response, Answer, Invitation, InvitationEvent, AuditEvent)
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


def _pure_document(db: Any, study: Study) -> dict[str, Any]:
    """The same analysis computed the plain way: every counted response's raw answers scored by the engine."""
    latest: dict[tuple[int, int, str], Response] = {}
    for response in db.session.scalars(
        select(Response).where(Response.study_id == study.id, Response.status == "completed")
    ):
        key = (response.contact_id, response.account_id, response.perspective.value)
        if key not in latest or (response.submitted_at, response.id) > (
            latest[key].submitted_at,
            latest[key].id,
        ):
            latest[key] = response
    items = []
    agreed: Counter[tuple[int, Perspective, str]] = Counter()
    advice = []
    behaviour: set[str] = set()
    for response in latest.values():
        questionnaire = load_version(session=db.session, version_id=response.questionnaire_version_id)
        raw = {answer.item_key: answer.value for answer in response.answers if answer.value is not None}
        question = questionnaire.advice_question
        if response.perspective is Perspective.SUPPLIER and question is not None and question.key in raw:
            advice.append(AdviceAnswer(response.account_id, response.contact_id, raw[question.key]))
        for key, scored in score_answers(questionnaire, raw).items():
            if SIGNAL_TAG in scored.tags:
                # agreeing with the statement: above the scale's middle, below it for a reverse-keyed one
                # (or, for a frequency, count or hours, reporting the problem: below the middle)
                item = questionnaire.item(key)
                if item.type in BEHAVIOUR_TYPES:
                    behaviour.add(key)
                reported_below = item.reverse or item.type in BEHAVIOUR_TYPES
                agreed[(response.account_id, response.perspective, key)] += (
                    scored.score < 50 if reported_below else scored.score > 50
                )
            items.append(
                ItemScore(
                    response.account_id,
                    response.contact_id,
                    response.perspective,
                    key,
                    scored.dimension,
                    scored.weight,
                    scored.score,
                    scored.tags,
                )
            )
    pinned = study.scoring_version_id is not None
    scoring = (
        load_scoring_version(session=db.session, version_id=study.scoring_version_id)
        if pinned
        else catalogue().scoring
    )
    groups = {dimension.key: dimension.signal_group for dimension in scoring.dimensions}
    dimension_scores = respondent_dimension_scores(items)
    scored = Counter(
        (account_id, perspective)
        for account_id, _, perspective in {
            (row.account_id, row.respondent_id, row.perspective) for row in dimension_scores
        }
    )
    options = [
        question.options
        for row in study.questionnaires
        if (question := load_version(session=db.session, version_id=row.version_id).advice_question)
    ]
    nps = [
        (row.account_id, row.respondent_id, round(row.score / 10))
        for row in items
        if row.perspective is Perspective.CLIENT and row.item_key == "rel_nps"
    ]
    analysis = analyse_study(
        study=study.slug,
        scoring_version=scoring.version,
        provisional=not pinned,
        fit_model=fit_model_of(scoring),
        thresholds=thresholds_of(scoring),
        accounts=account_figures(session=db.session, study=study),
        account_scores=account_scores_from_respondents(dimension_scores),
        nps_answers=[NpsAnswer(*row) for row in nps],
        signal_aggregates=signal_aggregates_from_items(items),
        response_counts=response_counts(session=db.session, study=study),
        item_matrices=item_matrices_from_items(items),
        previous=None
        if study.previous_study is None
        else previous_account_fits(session=db.session, study=study.previous_study),
        scored_respondents=[ScoredRespondents(*key, n) for key, n in scored.items()],
        signal_groups={
            row.item_key: groups.get(row.dimension, SignalGroup.OTHER)
            for row in items
            if SIGNAL_TAG in row.tags and row.dimension is not None
        },
        signal_agreement=[SignalAgreement(*key, count) for key, count in agreed.items()],
        behaviour_signals=behaviour,
        advice_answers=advice,
        advice_options=None if not options else tuple(option.key for option in options[0]),
    )
    return build_analysis_document(analysis)


def test_demo_finished_wave_shows_every_quadrant_gaps_signals_and_cost(db, demo):
    # Act
    document = json.loads(demo("analysis", "--study", "brightline-2025", "--format", "json").output)
    table = demo("analysis", "--study", "brightline-2025").output

    # Assert: every quadrant, Polderwind incomplete (its client never answered)
    assert {account["account"]: account["quadrant"] for account in document["accounts"]} == EXPECTED_QUADRANTS
    assert document["portfolio"]["quadrants"] == {
        "match": 3,
        "customer_swayed": 2,
        "blind_spot": 1,
        "misfit": 1,
        "incomplete": 1,
    }
    # Cost by hand (rule 11): non-billable hours of the customer_swayed and misfit accounts, Noordzee
    # 5200 - 3900 = 1300, Atlas 1900 - 1500 = 400, Stadsbank 3400 - 2100 = 1300: 3000.
    # Match accounts (effort, non-billable, revenue): Van Dijk 2900, 150, 420,000; Greenfield 2300, 150,
    # 330,000; Kempen 1700, 50, 260,000. Baseline b = median(150/2900, 150/2300, 50/1700) = 150/2900 = 3/58 =
    # 0.0517 -> 0.052; median effort 2300; median revenue 330,000.
    # Excess = 3000 - 3/58 x (5200 + 1900 + 3400) = 3000 - 31500/58 = 142500/58 = 2456.90 -> 2456.9;
    # / 2300 = 1.068 -> 1.1 matching clients; x 330,000 = 352,511.24 -> 352511
    assert document["portfolio"]["cost_of_mismatch"] == {
        "accounts": 3,
        "nonbillable_hours": 3000.0,
        "excess_hours": 2456.9,
        "baseline_share": 0.052,
        "match_accounts": 3,
        "median_match_hours": 2300.0,
        "median_match_revenue": 330000,
        "equivalent_matching_clients": 1.1,
        "revenue_forgone": 352511,
        "reason": None,
    }
    helder = next(account for account in document["accounts"] if account["account"] == "Helder Zorggroep")
    assert {row["key"] for row in helder["dimensions"] if row["flagged"]} >= {
        "needs_match",
        "execution_quality",
    }
    # quality_2 (small mistakes, reverse-keyed) scores 0: both clients agreed with it
    assert {
        "question": "quality_2",
        "perspective": "client",
        "score": 0.0,
        "n": 2,
        "indicative": True,
        "group": "small_errors",
        "agreed": 100.0,
        "behaviour": False,
    } in helder["signals"]
    assert all(account["drift"] is None for account in document["accounts"])
    assert "quadrants: match 3, customer_swayed 2, blind_spot 1, misfit 1, incomplete 1" in table
    assert "= 1.1 equivalent matching clients" in table
    assert "  signal effort_1 (supplier, cost_to_serve): 0.0, 100.0% agreed (n 2*)" in table


def test_demo_current_wave_shows_drift_and_growing_apart(db, demo):
    # Act
    document = json.loads(demo("analysis", "--study", "brightline-2026", "--format", "json").output)
    table = demo("analysis", "--study", "brightline-2026").output

    # Assert
    drift = {account["account"]: account["drift"] for account in document["accounts"]}
    assert drift["Van Dijk Logistiek"]["growing_apart"] is True
    assert drift["Van Dijk Logistiek"]["supplier"] < -15
    assert drift["Kempen Retail"]["growing_apart"] is False
    assert drift["Atlas Engineering"] is None  # nobody answered yet in this wave
    assert "GROWING APART" in table
    assert document["provisional"] is True  # the current wave has not entered analyse: nothing pinned yet


@pytest.mark.parametrize("slug", ["brightline-2025", "brightline-2026"])
def test_demo_numbers_match_the_plain_computation(db, demo, slug):
    # Arrange
    study = db.session.scalar(select(Study).where(Study.slug == slug))

    # Act
    sql = json.loads(demo("analysis", "--study", slug, "--format", "json").output)

    # Assert
    assert sql == _pure_document(db, study)


def test_demo_phases_texts_and_a_second_run_adds_nothing(db, demo):
    # Arrange
    before = _counts(db)

    # Act
    demo("demo")

    # Assert
    assert _counts(db) == before
    phases = dict(db.session.execute(select(Study.slug, Study.phase)).all())
    assert phases == {"brightline-2025": Phase.ACT, "brightline-2026": Phase.INTERVIEW}
    texts = set(db.session.scalars(select(Answer.value).where(Answer.item_key == "open_change")))
    assert any("scope" in text for text in texts)  # Dutch
    assert any("Reporting could be more concise" in text for text in texts)  # English
    consents = set(db.session.scalars(select(Answer.value).where(Answer.item_key == "quote_consent")))
    assert consents <= {"named", "anonymous", "no"} and len(consents) >= 2


def test_demo_finished_wave_keeps_the_2025_questions_and_the_current_wave_has_todays(db, demo):
    # Arrange
    earlier = catalogue().directory / "earlier" / "2025"
    studies = {study.slug: study for study in db.session.scalars(select(Study))}

    # Act
    pinned = {
        slug: {
            row.slug: load_version(session=db.session, version_id=row.version_id).version
            for row in study.questionnaires
        }
        for slug, study in studies.items()
    }
    answered = {
        slug: set(
            db.session.scalars(
                select(Answer.item_key).join(Response).where(Response.study_id == study.id).distinct()
            )
        )
        for slug, study in studies.items()
    }

    # Assert
    for slug in ("fit-client", "fit-supplier", "interview-guide", "interview-guide-supplier"):
        then = load_questionnaire(earlier / f"{slug}.yaml", catalogue().scoring).version
        assert pinned["brightline-2025"][slug] == then
        assert pinned["brightline-2026"][slug] == catalogue().get(slug).version != then
    assert pinned["brightline-2025"]["intake"] == pinned["brightline-2026"]["intake"]  # unchanged since
    assert {"wow_2", "quality_2", "quality_4"} <= answered["brightline-2025"]
    assert not {"wow_freq", "effort_hours_3m"} & answered["brightline-2025"]
    assert {"wow_freq", "quality_freq", "wow_count_3m", "effort_hours_3m", "energy_fear"} <= answered[
        "brightline-2026"
    ]
    assert not {"wow_2", "quality_2", "quality_4"} & answered["brightline-2026"]


def test_demo_current_wave_raises_behaviour_signals(db, demo):
    # Act
    document = json.loads(demo("analysis", "--study", "brightline-2026", "--format", "json").output)

    # Assert
    van_dijk = next(entry for entry in document["accounts"] if entry["account"] == "Van Dijk Logistiek")
    hours = [signal for signal in van_dijk["signals"] if signal["question"] == "effort_hours_3m"]
    assert [
        (signal["perspective"], signal["score"], signal["agreed"], signal["behaviour"]) for signal in hours
    ] == [("supplier", 0.0, 100.0, True)]


def test_demo_account_page_says_who_reported_a_behaviour_signal(db, demo, client, login):
    # Arrange: Noordzee's two staff raters both report unbilled hours in the top band (the current wave)
    researcher = db.session.scalar(select(User).where(User.email == "researcher@demo.example"))
    account_id = db.session.scalar(select(Account.id).where(Account.name == "Noordzee Havenbedrijf"))
    login(researcher, "demo-researcher-password")

    # Act
    html = client.get(f"/studies/brightline-2026/dashboard/accounts/{account_id}").get_data(as_text=True)

    # Assert
    hours = re.search(r"about how many hours did you spend.*?</tr>", html, re.S)
    assert hours is not None and "2 of 2 reported it" in hours.group(0)
    assert "Agreed or reported" in html  # the header of a group with a behaviour signal
