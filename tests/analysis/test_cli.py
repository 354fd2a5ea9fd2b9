"""`surveyapp analysis --study SLUG [--format json|table]`, `surveyapp analysis rescore --study SLUG`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select, update

from surveyapp.audit.models import AuditEvent
from surveyapp.cli import cli
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses.models import Answer
from surveyapp.studies.services import create_study, default_questionnaires
from tests.analysis.builders import SCORING, World, make_world


@pytest.fixture
def run(app: Any) -> Any:
    runner = app.test_cli_runner()

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", effort=900, billable=500)
    built.account("Globex", effort=300, billable=300)
    built.client("anna", "Acme BV")
    built.client("ben", "Globex")
    built.staff("sam", "Acme BV", "Globex")
    # Acme: client relationship 90 (nps 9), supplier 20 (nps 2): customer_swayed; Globex: both 80: match
    built.respond("anna", "Acme BV", {"role": "other", "recommend": "9"})
    built.respond("sam", "Acme BV", {"relation": "2", "effort_hours": "5"})
    built.respond("ben", "Globex", {"role": "other", "recommend": "8"})
    built.respond("sam", "Globex", {"relation": "8"})
    built.pin()
    return built


def test_analysis_json_is_the_document_in_contract_order(run, world):
    # Act
    result = run("analysis", "--study", "wave-1", "--format", "json")

    # Assert
    document = json.loads(result.output)
    assert result.exit_code == 0
    assert list(document) == [
        "study",
        "scoring_version",
        "provisional",
        "thresholds",
        "accounts",
        "portfolio",
    ]
    assert document["scoring_version"] == SCORING.version
    assert [(a["account"], a["quadrant"]) for a in document["accounts"]] == [
        ("Acme BV", "customer_swayed"),
        ("Globex", "match"),
    ]
    # supplier Acme: relationship 20, effort (5 reversed -> 0): (20 + 1.5 * 0) / 2.5 = 8.0; the gap is like
    # for like over relationship, the one shared dimension: 90 - 20 = 70
    assert document["accounts"][0]["overall"] == {
        "client": 90.0,
        "supplier": 8.0,
        "gap": 70.0,
        "shared_dimensions": 1,
        "supplier_only": ["effort"],
        "client_n": 1,
        "supplier_n": 1,
        "indicative": True,
        "borderline": False,
        "supplier_without_sensitive": None,
    }
    # cost: baseline from Globex (300 of 300 billable) 0; Acme 900 - 500 = 400 hours, all excess / Globex's
    # 300 = 1.3 (1.333...); no account has a revenue figure
    assert document["portfolio"]["cost_of_mismatch"] == {
        "accounts": 1,
        "nonbillable_hours": 400.0,
        "excess_hours": 400.0,
        "baseline_share": 0.0,
        "match_accounts": 1,  # Globex
        "median_match_hours": 300.0,
        "median_match_revenue": None,
        "equivalent_matching_clients": 1.3,
        "revenue_forgone": None,
        "reason": "no_match_account_with_revenue",
    }
    assert result.output.startswith('{\n  "study": "wave-1",')


def test_analysis_table_shows_quadrants_gaps_signals_and_cost(run, world):
    # Act
    result = run("analysis", "--study", "wave-1")

    # Assert
    lines = result.output.splitlines()
    assert result.exit_code == 0
    assert lines[0] == f"wave-1: scoring version {SCORING.version[:12]} (pinned)"
    # the quadrant carries rule 17's mark: one respondent per side, so indicative (*); the gap is like for
    # like over relationship: 90 - 20 = +70
    assert lines[4] == (
        "account  quadrant           client  supplier     gap  NPS            responses done/invited"
    )
    assert lines[5] == (
        "Acme BV  customer_swayed*     90.0       8.0   +70.0  100.0 (n 1*)   client 1/0, supplier 1/0"
    )
    assert "  gap relationship: client 90.0 (n 1*), supplier 20.0 (n 1*), gap +70.0" in lines
    assert "quadrants: match 1, customer_swayed 1, blind_spot 0, misfit 0, incomplete 0" in lines
    # baseline 0 (Globex bills all its hours): Acme's 400 non-billable hours are all excess, / 300 = 1.3
    assert (
        "cost of mismatch: 400.0 non-billable hours on misfit and customer_swayed accounts, 400.0 beyond the "
        "baseline share of 0.000 / 300.0 median effort hours of a match account = 1.3 equivalent matching "
        "clients; no revenue: No account in the match quadrant has an annual revenue above zero, so the "
        "matching clients cannot be expressed in revenue."
    ) in lines
    assert any(
        line.startswith("relationship") and "not shown (fewer than 10 non-zero pairs)" in line
        for line in lines
    )


def test_analysis_unknown_study_is_one_line_on_stderr(run, db):
    # Act
    result = run("analysis", "--study", "nope")

    # Assert
    assert result.exit_code == 1
    assert result.stderr == "Error: unknown study 'nope'\n"


def test_rescore_rebuilds_stale_scores(run, db, world):
    # Arrange: one stored score and one dimension are wrong (a stale cache)
    db.session.execute(update(Answer).where(Answer.item_key == "recommend").values(score=12.0))
    db.session.execute(update(Answer).where(Answer.item_key == "relation").values(dimension="needs_match"))
    db.session.commit()

    # Act
    result = run("analysis", "rescore", "--study", "wave-1")

    # Assert: 2 recommend scores and 2 relation dimensions fixed; 5 answers of 4 responses checked
    assert result.exit_code == 0
    assert result.output == (
        "rescored 7 answers of 4 responses: 4 changed (score 2, dimension 2, weight 0, not applicable 0)\n"
    )
    assert sorted(db.session.scalars(select(Answer.score).where(Answer.item_key == "recommend"))) == [
        80.0,
        90.0,
    ]
    assert set(db.session.scalars(select(Answer.dimension).where(Answer.item_key == "relation"))) == {
        "relationship"
    }
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "study.rescored")) is not None
    )


def test_rescore_again_changes_nothing(run, world):
    # Act
    result = run("analysis", "rescore", "--study", "wave-1")

    # Assert
    assert result.output == (
        "rescored 7 answers of 4 responses: 0 changed (score 0, dimension 0, weight 0, not applicable 0)\n"
    )


def test_rescore_repin_of_a_questionnaire_no_longer_shipped_fails_with_one_line(run, world):
    # Act: the study uses the engine's test questionnaires, which the app's folder does not have
    result = run("analysis", "rescore", "--study", "wave-1", "--repin")

    # Assert
    assert result.exit_code == 1
    assert result.stderr == "Error: questionnaire all-types is not in the questionnaire folder any more\n"


def test_rescore_repin_pins_the_current_files_and_audits(run, db, make_supplier):
    # Arrange: a study on the shipped questionnaires, not yet pinned to a scoring version (provisional)
    create_study(
        session=db.session,
        supplier=make_supplier("Northwind"),
        slug="wave-2",
        name="Wave 2",
        questionnaires=default_questionnaires(catalogue()),
    )
    db.session.commit()

    # Act
    first = run("analysis", "rescore", "--study", "wave-2", "--repin")
    second = run("analysis", "rescore", "--study", "wave-2", "--repin")

    # Assert
    scoring = catalogue().scoring.version[:12]
    assert first.output.splitlines() == [
        f"repinned the scoring version: none (provisional) -> {scoring}",
        "rescored 0 answers of 0 responses: 0 changed (score 0, dimension 0, weight 0, not applicable 0)",
    ]
    assert second.output.splitlines() == [
        "rescored 0 answers of 0 responses: 0 changed (score 0, dimension 0, weight 0, not applicable 0)"
    ]
    assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "study.repinned")) == {
        "scoring": ["none (provisional)", catalogue().scoring.version]
    }


def test_analysis_of_an_unpinned_study_is_provisional(run, db, make_supplier):
    # Arrange
    create_study(
        session=db.session,
        supplier=make_supplier("Northwind"),
        slug="wave-3",
        name="Wave 3",
        questionnaires=default_questionnaires(catalogue()),
    )
    db.session.commit()

    # Act
    result = run("analysis", "--study", "wave-3", "--format", "json")

    # Assert
    document = json.loads(result.output)
    assert (document["provisional"], document["scoring_version"]) == (True, catalogue().scoring.version)
    assert document["accounts"] == []


def test_check_sums_of_exact_summaries_says_exact(run, world):
    # Act
    result = run("analysis", "check-sums")

    # Assert
    assert (result.exit_code, result.output) == (
        0,
        "response_dimension_sums: exact\naccount_item_sums: exact\n",
    )


def test_check_sums_with_a_row_changed_by_hand_fails_then_repair_fixes(run, db, world):
    # Arrange: one row of each summary written behind the triggers' back
    from surveyapp.responses.models import AccountItemSums, ResponseDimensionSums

    db.session.execute(update(AccountItemSums).values(total=AccountItemSums.total + 1))
    db.session.execute(update(ResponseDimensionSums).values(answered=ResponseDimensionSums.answered + 1))
    db.session.commit()
    items = db.session.scalar(select(func.count()).select_from(AccountItemSums))
    units = db.session.scalar(select(func.count()).select_from(ResponseDimensionSums))

    # Act
    checked = run("analysis", "check-sums")
    repaired = run("analysis", "check-sums", "--repair")
    again = run("analysis", "check-sums")

    # Assert
    assert checked.exit_code == 1
    assert checked.output.splitlines()[:2] == [
        f"response_dimension_sums: {units} row(s) differ from the answers",
        f"account_item_sums: {items} row(s) differ from the answers",
    ]
    assert "check-sums --repair" in checked.output
    assert (repaired.exit_code, repaired.output.splitlines()[-1]) == (
        0,
        "recomputed both summaries from the answers",
    )
    assert again.output == "response_dimension_sums: exact\naccount_item_sums: exact\n"
