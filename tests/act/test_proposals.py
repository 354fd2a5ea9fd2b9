"""The pure rules: the proposal per quadrant, when a decision is an override, and the follow-up of a decision."""

from __future__ import annotations

import pytest

from surveyapp.act.proposals import Change, Proposal, fit_change, follow_up, is_override, propose
from surveyapp.enums import DecisionKind, Quadrant


@pytest.mark.parametrize(
    ("quadrant", "expected"),
    [
        (Quadrant.MATCH, Proposal(DecisionKind.CONTINUE)),
        (Quadrant.CUSTOMER_SWAYED, Proposal(DecisionKind.REALIGN)),
        (Quadrant.BLIND_SPOT, Proposal(DecisionKind.REALIGN)),
        (Quadrant.MISFIT, Proposal(DecisionKind.EXIT, to_be_confirmed=True)),
        (Quadrant.INCOMPLETE, None),
    ],
)
def test_propose_gives_the_default_of_each_quadrant(quadrant, expected):
    assert propose(quadrant.value) == expected


def test_is_override_only_when_the_decision_differs_from_a_proposal():
    proposal = Proposal(DecisionKind.REALIGN)

    assert (
        is_override(DecisionKind.REALIGN, proposal),
        is_override(DecisionKind.EXIT, proposal),
        is_override(DecisionKind.EXIT, None),
    ) == (False, True, False)


def test_fit_change_growing_apart_is_the_documents_flag():
    drift = {"client": -20.0, "supplier": 1.0, "gap": -21.0, "growing_apart": True}

    assert fit_change(drift, overall_gap=-5.0, threshold=15) == Change.GROWING_APART


def test_fit_change_a_rise_at_the_threshold_is_closer():
    drift = {"client": 15.0, "supplier": 0.0, "gap": 15.0, "growing_apart": False}

    assert fit_change(drift, overall_gap=20.0, threshold=15) == Change.CLOSER


def test_fit_change_a_gap_narrowed_by_the_threshold_is_closer():
    # previous gap 20 - (-16) = 36 -> now 20: |gap| narrowed by 16
    drift = {"client": 0.0, "supplier": 5.0, "gap": -16.0, "growing_apart": False}

    assert fit_change(drift, overall_gap=20.0, threshold=15) == Change.CLOSER


def test_fit_change_below_the_threshold_is_no_clear_change():
    drift = {"client": 14.9, "supplier": -3.0, "gap": 10.0, "growing_apart": False}

    assert fit_change(drift, overall_gap=12.0, threshold=15) == Change.NO_CLEAR_CHANGE


def test_fit_change_without_drift_is_not_measured():
    assert fit_change(None, overall_gap=None, threshold=15) == Change.NOT_MEASURED


def test_follow_up_counts_done_actions_of_those_not_dropped():
    drift = {"client": 2.0, "supplier": None, "gap": None, "growing_apart": False}

    result = follow_up(
        decision=DecisionKind.REALIGN,
        statuses=["done", "open", "dropped", "done", "doing"],
        drift=drift,
        overall_gap=None,
        threshold=15,
    )

    assert (result.actions_done, result.actions_total, result.client_change, result.change) == (
        2,
        4,
        2.0,
        Change.NO_CLEAR_CHANGE,
    )
