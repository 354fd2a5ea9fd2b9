"""Issue 22 on a real database: the SQL inputs and the whole analysis of a study in which most accounts have
no response, against the general path; and the fast paths of the input rows against their full checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.analysis import queries
from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_aggregates
from surveyapp.analysis.fit import assess_account
from surveyapp.analysis.inputs import AccountDimensionAggregate, AccountFigures
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.service import analysis_document, fit_model_of, study_analysis, thresholds_of
from surveyapp.enums import InvitationStatus, Perspective, Quadrant, ResponseMode
from surveyapp.invitations.models import Invitation
from surveyapp.studies.models import StudyAccount
from tests.analysis.builders import SCORING, World, make_world
from tests.analysis.test_unscored_accounts import _reference_entry

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
ANNA = {"role": "user", "needs": "4", "workarounds": "2", "statements.late": "4", "recommend": "9"}
SAM = {"needs": "5", "effort_hours": "4", "relation": "9", "wow": "3"}


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    """Two answered accounts (Acme: both views; Globex: an imported client response, no invitation) and
    six without any response, each with a client contact invited."""
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", external_id="A-1", effort=1000, billable=600)
    built.account("Globex", effort=500, billable=500)
    built.client("anna", "Acme BV")
    built.client("gina", "Globex")
    built.staff("sam", "Acme BV")
    for number in range(6):
        name = f"Quiet {number}"
        built.account(name, effort=100 + number, billable=None if number % 2 else 90)
        built.client(f"quiet{number}", name)
    db.session.commit()
    built.invite("anna", "Acme BV", status=InvitationStatus.COMPLETED)
    built.invite("sam", "Acme BV", status=InvitationStatus.COMPLETED)
    for number in range(6):
        built.invite(f"quiet{number}", f"Quiet {number}")
    built.respond("anna", "Acme BV", ANNA)
    built.respond("sam", "Acme BV", SAM)
    built.respond("gina", "Globex", ANNA, mode=ResponseMode.IMPORT)
    return built


def test_response_tally_merges_invitations_counted_responses_and_imports_in_order(db, world):
    # Act
    counts = queries.response_tally(session=db.session, study=world.study).counts

    # Assert: one row per account and perspective, in (account, perspective) order; Globex's import has no
    # invitation; each quiet account one client invitation and nothing completed
    ids = world.accounts
    rows = [(c.account_id, c.perspective, c.invited, c.survey, c.interview, c.imported) for c in counts]
    assert rows == sorted(rows, key=lambda row: (row[0], row[1]))
    assert (ids["Acme BV"], CLIENT, 1, 1, 0, 0) in rows
    assert (ids["Acme BV"], SUPPLIER, 1, 1, 0, 0) in rows
    assert (ids["Globex"], CLIENT, 0, 0, 0, 1) in rows
    assert [row for row in rows if row[0] == ids["Quiet 3"]] == [(ids["Quiet 3"], CLIENT, 1, 0, 0, 0)]
    assert len(rows) == 9


def test_response_tally_and_figures_see_changes_the_session_has_not_flushed(db, world):
    # Arrange: changes in the session only, as `session.execute` would flush them first
    quiet = world.accounts["Quiet 0"]
    figures = db.session.scalar(
        select(StudyAccount).where(StudyAccount.study_id == world.study.id, StudyAccount.account_id == quiet)
    )
    figures.effort_hours = Decimal("321.50")
    invitation = db.session.scalar(select(Invitation).where(Invitation.account_id == quiet))
    invitation.status = InvitationStatus.OPTED_OUT

    # Act
    found = {row.account_id: row for row in queries.account_figures(session=db.session, study=world.study)}
    counts = queries.response_tally(session=db.session, study=world.study).counts

    # Assert
    assert found[quiet].effort_hours == 321.5
    assert [c for c in counts if c.account_id == quiet] == []  # its one invitation opted out


def test_analysis_of_a_study_of_mostly_unanswered_accounts_equals_the_general_path(db, world):
    # Act
    analysis = study_analysis(session=db.session, study=world.study, current=SCORING)
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert: every fit as assess_account gives it, every entry as the value-by-value rendering
    model, thresholds = fit_model_of(SCORING), thresholds_of(SCORING)
    aggregates = queries.account_aggregates(session=db.session, study=world.study)
    index = AccountScoreIndex(account_scores_from_aggregates(aggregates))
    keys = tuple(row.dimension for row in analysis.accounts[0].fit.dimensions)
    for result in analysis.accounts:
        expected = assess_account(
            result.account.account_id, index, model, thresholds, dimension_keys=keys, understanding_keys=()
        )
        assert result.fit == expected
    assert document == build_analysis_document(analysis)
    assert document["accounts"] == [_reference_entry(result, thresholds) for result in analysis.accounts]
    quadrants = {entry["account"]: entry["quadrant"] for entry in document["accounts"]}
    assert quadrants["Globex"] == Quadrant.INCOMPLETE.value
    assert [quadrants[f"Quiet {number}"] for number in range(6)] == [Quadrant.INCOMPLETE.value] * 6
    assert quadrants["Acme BV"] != Quadrant.INCOMPLETE.value
    assert document["portfolio"]["quadrants"][Quadrant.INCOMPLETE.value] == 7


def _rows(*keys: tuple[int, str, str, int, float]) -> list[AccountDimensionAggregate]:
    return [AccountDimensionAggregate(account, perspective, dimension, n, total, total * total / max(n, 1))
            for account, perspective, dimension, n, total in keys]  # fmt: skip


def test_account_scores_in_any_order_are_sorted_and_in_order_kept():
    # Arrange
    ordered = _rows((1, "client", "a", 1, 50.0), (1, "client", "b", 0, 0.0), (2, "client", "a", 2, 90.0))
    shuffled = [ordered[2], ordered[0], ordered[1]]

    # Act
    from_ordered = account_scores_from_aggregates(ordered)
    from_shuffled = account_scores_from_aggregates(iter(shuffled))

    # Assert
    assert from_ordered == from_shuffled
    assert [(score.account_id, score.dimension, score.mean) for score in from_ordered] == [
        (1, "a", 50.0),
        (2, "a", 45.0),
    ]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        # a repeat after rows in order: found, though the order test alone would only see "not greater"
        ([(1, "client", "a", 1, 50.0), (1, "client", "b", 1, 50.0), (1, "client", "b", 1, 60.0)], "twice"),
        # an off-scale mean before a repeat: the first error in row order is the one raised
        ([(1, "client", "a", 1, 50.0), (1, "client", "b", 1, 150.0), (1, "client", "a", 1, 50.0)], "scale"),
        ([(1, "client", "a", 1, 50.0), (1, "client", "a", 1, 50.0), (1, "client", "b", 1, 150.0)], "twice"),
        # a repeat of a skipped row (n = 0) is a repeat all the same
        ([(1, "client", "a", 0, 0.0), (1, "client", "a", 1, 50.0)], "twice"),
    ],
)
def test_account_scores_raise_the_first_error_in_row_order(keys, message):
    with pytest.raises(ValueError, match=message):
        account_scores_from_aggregates(_rows(*keys))


@pytest.mark.parametrize(
    ("value", "stored"),
    [(Decimal("1234.50"), 1234.5), (Decimal("0"), 0.0), (12.25, 12.25), (7, 7.0), (None, None)],
)
def test_account_figures_store_what_sql_returns_as_floats(value, stored):
    # Act
    figures = AccountFigures(1, "Acme", None, value, value, value)

    # Assert
    assert figures.annual_revenue == figures.effort_hours == figures.billable_hours == stored
    assert stored is None or type(figures.effort_hours) is float


@pytest.mark.parametrize(
    "value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1E+400"), float("inf"), float("nan"), True, "12"]
)
def test_account_figures_refuse_what_is_no_finite_number(value):
    with pytest.raises(ValueError, match="finite number or None"):
        AccountFigures(1, "Acme", None, effort_hours=value)
