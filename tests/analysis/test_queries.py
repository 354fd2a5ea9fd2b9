"""The SQL path of the analysis (`queries`, `service`) on a real database, against hand-computed numbers.

Fit model (tests/questionnaires/data/scoring.yaml): needs_match weight 2, ways_of_working 1, relationship 1,
effort 1.5; quadrant 60, gap 15, signal 40, min_n 3. Item scores (rule 1): 5-point scale (v-1)/4*100,
7-point (v-1)/6*100, 4-point matrix (v-1)/3*100, nps v*10, reverse 100 - score.
"""

from __future__ import annotations

import gc
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.analysis import queries
from surveyapp.analysis.service import analysis_document, study_analysis
from surveyapp.enums import InvitationStatus, Perspective, Quadrant, ResponseMode
from surveyapp.responses.models import Response
from tests.analysis.builders import SCORING, World, day, make_world

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER

# A user at Acme: needs 4 -> 75 (weight 2, signal); workarounds 2 on 7 points, reverse -> 100 - 100/6;
# contact monthly -> 50; channels mail|portal -> (40 + 90) / 2 = 65; recommend 8 -> 80;
# statements.clear 3 on 4 points -> 200/3; statements.late 4, reverse -> 0 (weight 3, ways_of_working,
# signal).
ANNA = {
    "role": "user",
    "needs": "4",
    "workarounds": "2",
    "contact": "monthly",
    "channels": "portal|mail",
    "recommend": "8",
    "statements.clear": "3",
    "statements.late": "4",
}
# needs_match = (2*75 + 200/3) / 3 = 650/9; ways = (250/3 + 65 + 3*0) / 5 = 89/3;
# relationship = (50 + 80) / 2 = 65
ANNA_NEEDS, ANNA_WAYS, ANNA_RELATIONSHIP = 650 / 9, 89 / 3, 65.0
# client overall = (2*650/9 + 89/3 + 65) / 4 = 538/9 = 59.78: just below the quadrant threshold
ANNA_OVERALL = 538 / 9
# Sam, staff on Acme: needs 5 -> 100; effort_hours 4, reverse -> 25; relation 9 -> 90; wow 3 -> 50.
SAM = {"needs": "5", "effort_hours": "4", "relation": "9", "wow": "3"}
# supplier overall = (2*100 + 50 + 90 + 1.5*25) / 5.5 = 377.5 / 5.5
SAM_OVERALL = 377.5 / 5.5


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", external_id="A-1", effort=1000, billable=600)
    built.account("Globex", effort=500, billable=500)
    built.client("anna", "Acme BV")
    built.client("bert", "Acme BV")
    built.client("ben", "Globex")
    built.staff("sam", "Acme BV", "Globex")
    db.session.commit()
    return built


def _account(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(account for account in document["accounts"] if account["account"] == name)


def _dimension(account: dict[str, Any], key: str) -> dict[str, Any]:
    return next(row for row in account["dimensions"] if row["key"] == key)


def test_account_aggregates_reverse_weights_matrix_and_choices(db, world):
    # Arrange
    world.respond("anna", "Acme BV", ANNA)

    # Act
    rows = {
        (row.perspective, row.dimension): row
        for row in queries.account_aggregates(session=db.session, study=world.study)
    }

    # Assert: one respondent per cell, n 1, Σx = the score, Σx² its square
    assert {key: row.n for key, row in rows.items()} == {
        (CLIENT, "needs_match"): 1,
        (CLIENT, "ways_of_working"): 1,
        (CLIENT, "relationship"): 1,
    }
    assert rows[(CLIENT, "needs_match")].sum == pytest.approx(ANNA_NEEDS, abs=1e-12)
    assert rows[(CLIENT, "ways_of_working")].sum == pytest.approx(ANNA_WAYS, abs=1e-12)
    assert rows[(CLIENT, "relationship")].sum == ANNA_RELATIONSHIP
    assert rows[(CLIENT, "relationship")].sum_sq == 65.0 * 65.0


def test_study_analysis_blind_spot_with_gaps_signals_and_nps(db, world):
    # Arrange
    world.respond("anna", "Acme BV", ANNA)
    world.respond("sam", "Acme BV", SAM)

    # Act
    analysis = study_analysis(session=db.session, study=world.study, current=SCORING)
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert: client 59.78 < 60 <= supplier 68.64 -> blind_spot
    acme = next(result for result in analysis.accounts if result.account.name == "Acme BV")
    assert acme.fit.overall.client == pytest.approx(ANNA_OVERALL, abs=1e-12)
    assert acme.fit.overall.supplier == pytest.approx(SAM_OVERALL, abs=1e-12)
    assert acme.fit.quadrant is Quadrant.BLIND_SPOT
    account = _account(document, "Acme BV")
    # like-for-like gap over the shared needs_match, ways_of_working and relationship: the client's
    # 538/9 minus the supplier's (2*100 + 50 + 90)/4 = 85: -227/9 = -25.2 (not 59.78 - 68.64 = -8.9, which
    # hides the supplier-only effort 25 in it); one respondent each: indicative; |59.78 - 60| < 5: borderline
    assert account["overall"] == {
        "client": 59.8,
        "supplier": 68.6,
        "gap": -25.2,
        "shared_dimensions": 3,
        "supplier_only": ["effort"],
        "client_n": 1,
        "supplier_n": 1,
        "indicative": True,
        "borderline": True,
        "supplier_without_sensitive": None,
    }
    # needs 72.2 vs 100 (-27.8), ways 29.7 vs 50 (-20.3), relationship 65 vs 90 (-25): all flagged
    assert [(row["key"], row["gap"], row["flagged"]) for row in account["dimensions"]] == [
        ("needs_match", -27.8, True),
        ("ways_of_working", -20.3, True),
        ("relationship", -25.0, True),
        ("effort", None, False),
    ]
    assert _dimension(account, "effort")["supplier"] == {"mean": 25.0, "n": 1, "sd": None, "indicative": True}
    # signals: statements.late 0 <= 40 is raised; needs (75) is not. The test model gives no signal_group
    # (other); anna agreed with "delivery is often late" (4 of 4: reverse-keyed, item score 0 < 50): 1 of 1
    assert account["signals"] == [
        {
            "question": "statements.late",
            "perspective": "client",
            "score": 0.0,
            "n": 1,
            "indicative": True,
            "group": "other",
            "agreed": 100.0,
            "behaviour": False,
        }
    ]
    assert account["nps"] == {  # 8 is a passive
        "score": 0.0,
        "n": 1,
        "indicative": True,
        "promoters": 0,
        "passives": 1,
        "detractors": 0,
    }
    assert account["staff_advice"] is None  # the test questionnaires have no question tagged advice
    assert document["provisional"] is True
    assert document["scoring_version"] == SCORING.version


def test_not_applicable_left_out_and_one_perspective_missing_is_incomplete(db, world):
    # Arrange: a buyer (contact hidden); needs and statements.clear not applicable
    world.respond(
        "ben",
        "Globex",
        {
            "role": "buyer",
            "needs": "NA",
            "workarounds": "7",
            "recommend": "6",
            "statements.clear": "NA",
            "statements.late": "1",
        },
    )

    # Act
    account = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Globex")

    # Assert: no needs_match score at all (never 0: nobody scored it, so it has no row); ways =
    # (0 + 3*100) / 4 = 75; relationship 60; overall (75 + 60) / 2 = 67.5; no supplier view -> incomplete
    assert [row["key"] for row in account["dimensions"]] == ["ways_of_working", "relationship"]
    assert _dimension(account, "ways_of_working")["client"]["mean"] == 75.0
    assert account["overall"] == {
        "client": 67.5,
        "supplier": None,
        "gap": None,
        "shared_dimensions": 0,
        "supplier_only": [],
        "client_n": 1,
        "supplier_n": 0,
        "indicative": True,
        "borderline": False,  # |67.5 - 60| = 7.5 >= 5
        "supplier_without_sensitive": None,
    }
    assert account["quadrant"] == "incomplete"
    assert account["nps"]["score"] == -100.0


def test_latest_completed_counts_earlier_superseded_in_progress_ignored(db, world):
    # Arrange: anna completes on day 1, again on day 5, and leaves a third response in progress on day 9
    first = world.respond("anna", "Acme BV", {"role": "user", "recommend": "2"}, at=day(1))
    latest = world.respond("anna", "Acme BV", {"role": "user", "recommend": "10"}, at=day(5))
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "0"}, at=day(9), completed=False)

    # Act
    account = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Acme BV")

    # Assert: only day 5 counts (relationship 100, a promoter); day 1 is kept, marked superseded
    assert _dimension(account, "relationship")["client"]["mean"] == 100.0
    assert account["nps"] == {
        "score": 100.0,
        "n": 1,
        "indicative": True,
        "promoters": 1,
        "passives": 0,
        "detractors": 0,
    }
    assert account["responses"]["client"] == {"invited": 0, "completed": 1}
    flags = dict(db.session.execute(select(Response.id, Response.superseded)).all())
    assert flags[first.id] is True
    assert flags[latest.id] is False


def test_import_of_an_older_response_does_not_supersede_a_newer_one(db, world):
    # Arrange: the newer response is stored first, an older one arrives later (as an import would)
    newer = world.respond("anna", "Acme BV", {"role": "user", "recommend": "9"}, at=day(5))
    older = world.respond(
        "anna", "Acme BV", {"role": "user", "recommend": "1"}, at=day(2), mode=ResponseMode.IMPORT
    )

    # Act
    account = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Acme BV")

    # Assert
    assert account["nps"]["score"] == 100.0
    assert db.session.get(Response, older.id).superseded is True
    assert db.session.get(Response, newer.id).superseded is False


def test_same_completion_time_higher_id_counts(db, world):
    # Arrange
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "3"}, at=day(3))
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "7"}, at=day(3))

    # Act
    account = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Acme BV")

    # Assert
    assert _dimension(account, "relationship")["client"]["mean"] == 70.0


def test_interview_and_survey_of_one_contact_count_once_latest_wins(db, world):
    # Arrange: bert answers the survey on day 3 and is interviewed on day 4
    world.respond("bert", "Acme BV", {"role": "user", "recommend": "4"}, at=day(3))
    world.respond(
        "bert", "Acme BV", {"role": "user", "recommend": "9"}, at=day(4), mode=ResponseMode.INTERVIEW
    )
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "6"}, at=day(2))

    # Act
    account = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Acme BV")

    # Assert: bert counts once (the interview, 90), anna 60: relationship (90 + 60) / 2 = 75, n 2
    assert _dimension(account, "relationship")["client"] == {
        "mean": 75.0,
        "n": 2,
        "sd": 21.2,
        "indicative": True,
    }
    assert account["responses"]["by_mode"] == {"survey": 1, "interview": 1, "import": 0}


def test_nps_edges_six_seven_eight_nine(db, world):
    # Arrange: four client respondents answer 6, 7, 8 and 9
    for name, value in (("anna", "6"), ("bert", "7"), ("cleo", "8"), ("dirk", "9")):
        if name not in world.contacts:
            world.client(name, "Acme BV")
        world.respond(name, "Acme BV", {"role": "user", "recommend": value})

    # Act
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert: 9 promotes, 6 detracts, 7 and 8 are passive: (1 - 1) / 4 = 0; the portfolio pools respondents
    nps = {"score": 0.0, "n": 4, "indicative": False, "promoters": 1, "passives": 2, "detractors": 1}
    assert _account(document, "Acme BV")["nps"] == nps
    assert document["portfolio"]["nps"] == nps


def test_values_exactly_at_thresholds_reach_them(db, world):
    # Arrange: client relationship 60 (nps 6), supplier relationship 60 (nps 6): overall 60 on both sides
    world.respond("ben", "Globex", {"role": "other", "recommend": "6", "statements.late": "3"})
    world.respond("sam", "Globex", {"relation": "6", "wow": "4"})
    # ways: client statements.late 3 reverse -> 100 - 200/3 = 100/3; supplier wow 4 -> 75
    # Five clients at Acme give the signal item `needs` 25, 50, 50, 25, 50: mean exactly 40
    for index, value in enumerate(("2", "3", "3", "2", "3")):
        name = f"client{index}"
        world.client(name, "Acme BV")
        world.respond(name, "Acme BV", {"role": "user", "needs": value})

    # Act
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert
    globex = _account(document, "Globex")
    # client overall (100/3 + 60) / 2 = 46.67 -> not a fit; supplier (75 + 60) / 2 = 67.5 -> blind_spot;
    # relationship gap exactly 0, ways gap 100/3 - 75 = -41.67 flagged
    assert globex["quadrant"] == "blind_spot"
    assert _dimension(globex, "relationship")["gap"] == 0.0
    # needs is not reverse-keyed: nobody answered above the middle (25 and 50; exactly 50 agrees with
    # nothing): 0 of 5 agreed
    acme = _account(document, "Acme BV")
    assert acme["signals"] == [
        {
            "question": "needs",
            "perspective": "client",
            "score": 40.0,
            "n": 5,
            "indicative": False,
            "group": "other",
            "agreed": 0.0,
            "behaviour": False,
        }
    ]


def test_quadrant_exactly_sixty_on_both_sides_is_a_match(db, world):
    # Arrange: relationship is the only dimension on both sides, both exactly 60
    world.respond("ben", "Globex", {"role": "other", "recommend": "6"})
    world.respond("sam", "Globex", {"relation": "6"})

    # Act
    globex = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Globex")

    # Assert
    assert globex["overall"] == {
        "client": 60.0,
        "supplier": 60.0,
        "gap": 0.0,
        "shared_dimensions": 1,
        "supplier_only": [],
        "client_n": 1,
        "supplier_n": 1,
        "indicative": True,
        "borderline": True,  # |60 - 60| = 0 < 5
        "supplier_without_sensitive": None,
    }
    assert globex["quadrant"] == "match"


def test_gap_of_exactly_fifteen_is_flagged(db, world):
    # Arrange: ways of working: client channels phone -> 60 (shown because needs is answered); supplier wow
    # 4 -> 75: gap exactly -15
    world.respond("anna", "Acme BV", {"role": "user", "needs": "3", "channels": "phone", "recommend": "9"})
    world.respond("sam", "Acme BV", {"wow": "4", "relation": "9"})

    # Act
    acme = _account(analysis_document(session=db.session, study=world.study, current=SCORING), "Acme BV")

    # Assert
    assert (_dimension(acme, "ways_of_working")["gap"], _dimension(acme, "ways_of_working")["flagged"]) == (
        -15.0,
        True,
    )


def test_cost_of_mismatch_without_a_match_account_has_a_reason(db, world):
    # Arrange: Acme is customer_swayed (client 90, supplier 20), Globex incomplete: no match account
    world.respond("anna", "Acme BV", {"role": "other", "recommend": "9"})
    world.respond("sam", "Acme BV", {"relation": "2"})

    # Act
    cost = analysis_document(session=db.session, study=world.study, current=SCORING)["portfolio"][
        "cost_of_mismatch"
    ]

    # Assert: Acme's effort 1000 - billable 600 = 400 non-billable hours; no match account: baseline 0, so
    # all 400 are excess, and nothing to divide by
    assert cost == {
        "accounts": 1,
        "nonbillable_hours": 400.0,
        "excess_hours": 400.0,
        "baseline_share": 0.0,
        "match_accounts": 0,
        "median_match_hours": None,
        "median_match_revenue": None,
        "equivalent_matching_clients": None,
        "revenue_forgone": None,
        "reason": "no_match_account_with_effort",
    }


def test_response_counts_invitations_not_opted_out_by_perspective(db, world):
    # Arrange
    world.invite("anna", "Acme BV")
    world.invite("bert", "Acme BV", status=InvitationStatus.OPTED_OUT)
    world.invite("sam", "Acme BV", status=InvitationStatus.EXPIRED)
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "9"})

    # Act
    counts = {
        (row.account_id, row.perspective): row
        for row in queries.response_counts(session=db.session, study=world.study)
    }

    # Assert
    acme = world.accounts["Acme BV"]
    assert (counts[(acme, CLIENT)].invited, counts[(acme, CLIENT)].survey) == (1, 1)
    assert (counts[(acme, SUPPLIER)].invited, counts[(acme, SUPPLIER)].completed) == (1, 0)


def test_response_tally_lists_the_accounts_with_a_response_that_does_not_count(db, world):
    # Arrange: at Acme anna's first response is superseded by her second; at Globex ben's counts and sam's
    # supplier response is still in progress
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "2"}, at=day(1))
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "9"}, at=day(2))
    world.respond("ben", "Globex", {"role": "user", "recommend": "7"}, at=day(1))
    world.respond("sam", "Globex", {"relation": "3"}, at=day(3), completed=False)

    # Act
    tally = queries.response_tally(session=db.session, study=world.study)

    # Assert: one counted survey per client cell; the progress response counts nowhere
    acme, globex = world.accounts["Acme BV"], world.accounts["Globex"]
    assert tally.uncounted == frozenset({acme, globex})
    assert [(row.account_id, row.perspective, row.survey, row.completed) for row in tally.counts] == [
        (acme, CLIENT, 1, 1),
        (globex, CLIENT, 1, 1),
    ]


def test_response_tally_with_every_response_counted_has_no_uncounted_account(db, world):
    # Arrange
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "9"})
    world.respond("sam", "Globex", {"relation": "3"})

    # Act
    tally = queries.response_tally(session=db.session, study=world.study)

    # Assert
    assert tally.uncounted == frozenset()


def test_pinned_scoring_version_is_used_and_not_provisional(db, world):
    # Arrange
    world.respond("anna", "Acme BV", {"role": "user", "recommend": "9"})
    world.pin()

    # Act: the app's current scoring.yaml is the shipped one; the pinned test model wins
    document = analysis_document(session=db.session, study=world.study)

    # Assert
    assert (document["provisional"], document["scoring_version"]) == (False, SCORING.version)
    assert [row["key"] for row in document["portfolio"]["dimensions"]] == ["relationship"]


def test_drift_matches_a_renamed_account_by_id(db, make_supplier):
    # Arrange: wave 1 with Acme (supplier 90, client 80); Acme is renamed; wave 2 (supplier 70, client 80)
    supplier = make_supplier("Brightline")
    first = make_world(db, supplier, "wave-1")
    first.account("Acme BV")
    first.client("anna", "Acme BV")
    first.staff("sam", "Acme BV")
    first.respond("anna", "Acme BV", {"role": "other", "recommend": "8"})
    first.respond("sam", "Acme BV", {"relation": "9"})
    first.pin()
    acme_id = first.accounts["Acme BV"]
    second = make_world(db, supplier, "wave-2", previous=first.study)
    from surveyapp.studies.models import Account

    db.session.get(Account, acme_id).name = "Acme Holding"
    second.account("Acme Holding")
    second.contacts = dict(first.contacts)
    second.staff("sam", "Acme Holding")
    second.respond("anna", "Acme Holding", {"role": "other", "recommend": "8"})
    second.respond("sam", "Acme Holding", {"relation": "7"})

    # Act
    account = analysis_document(session=db.session, study=second.study, current=SCORING)["accounts"][0]

    # Assert: same account id -> drift client 0, supplier -20 (a fall of more than 15: growing apart),
    # gap from -10 to +10 (|gap| unchanged); relationship, the one dimension, alike
    assert second.accounts["Acme Holding"] == acme_id
    assert account["drift"] == {
        "client": 0.0,
        "supplier": -20.0,
        "gap": 20.0,
        "growing_apart": True,
        "dimensions": [
            {"key": "relationship", "client": 0.0, "supplier": -20.0, "gap": 20.0, "growing_apart": True}
        ],
    }


def test_study_without_responses_has_every_account_incomplete(db, world):
    # Act
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert
    assert [account["quadrant"] for account in document["accounts"]] == ["incomplete", "incomplete"]
    assert document["portfolio"]["dimensions"] == []
    assert document["portfolio"]["nps"] == {
        "score": None,
        "n": 0,
        "indicative": False,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
    }
    assert [account["cost"] for account in document["accounts"]] == [
        # Acme: 1000 - 600 = 400 non-billable; no match account: baseline 0, no equivalent
        {
            "effort_hours": 1000.0,
            "billable_hours": 600.0,
            "nonbillable_hours": 400.0,
            "excess_hours": 400.0,
            "equivalent_matching_clients": None,
            "revenue_forgone": None,
        },
        # Globex: fully billable
        {
            "effort_hours": 500.0,
            "billable_hours": 500.0,
            "nonbillable_hours": 0.0,
            "excess_hours": 0.0,
            "equivalent_matching_clients": None,
            "revenue_forgone": None,
        },
    ]


@pytest.mark.parametrize("enabled", [True, False])
def test_study_analysis_leaves_the_garbage_collector_as_it_found_it(db, world, enabled):
    # Arrange
    world.respond("anna", "Acme BV", ANNA)
    was_enabled = gc.isenabled()
    if not enabled:
        gc.disable()

    # Act
    try:
        analysis = study_analysis(session=db.session, study=world.study, current=SCORING)
        after = gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()

    # Assert
    assert after is enabled
    assert [result.account.name for result in analysis.accounts] == ["Acme BV", "Globex"]


def test_answer_aggregates_with_a_response_in_progress_read_that_account_from_its_answers(db, world):
    # Arrange: Acme's anna completes (needs 75, late 4 -> 0: both signals); bert starts and stops at needs 1,
    # late 1. Globex's ben completes (needs 2 -> 25, late 2 -> 100 - 100/3). Acme has a response that does not
    # count, so its items come from the counted answers; Globex's from account_item_sums.
    world.respond("anna", "Acme BV", ANNA)
    world.respond("bert", "Acme BV", {"role": "user", "needs": "1", "statements.late": "1"}, completed=False)
    world.respond("ben", "Globex", {"role": "user", "needs": "2", "statements.late": "2"})
    signals = queries.ItemSets.of(
        queries.scoring_questionnaires(session=db.session, study=world.study)
    ).signals

    # Act
    result = queries.answer_aggregates(session=db.session, study=world.study, signals=signals)

    # Assert: one signal row per account and item, bert's answers nowhere
    acme, globex = world.accounts["Acme BV"], world.accounts["Globex"]
    assert sorted((row.account_id, row.item_key, row.n, row.mean) for row in result.signals) == sorted(
        [
            (acme, "needs", 1, 75.0),
            (acme, "statements.late", 1, 0.0),
            (globex, "needs", 1, 25.0),
            (globex, "statements.late", 1, 100 - (2 - 1) / 3 * 100),
        ]
    )
    # alpha pools both accounts, listwise: in needs_match anna answered needs and statements.clear, ben only
    # needs, so only anna's unit is complete and ben's needs (25) is taken out again
    needs = next(row for row in result.alpha if row.perspective is CLIENT and row.dimension == "needs_match")
    assert (needs.items, needs.respondents, needs.item_sums) == (2, 1, (75.0, (3 - 1) / 3 * 100))


@pytest.mark.parametrize("superseded", [False, True], ids=["summed", "from_answers"])
def test_answer_aggregates_signals_at_most_keeps_the_aggregates_that_may_reach_it(db, world, superseded):
    # Arrange: Acme needs (75 + 0) / 2 = 37.5, exactly the ceiling; Acme late (0 + 100) / 2 = 50; Globex needs
    # 25, late 100 - 100/3. With an earlier, superseded response of anna's, Acme is read from its answers.
    if superseded:
        world.respond("anna", "Acme BV", {"role": "user", "needs": "1", "statements.late": "1"}, at=day(1))
    world.respond("anna", "Acme BV", {"role": "user", "needs": "4", "statements.late": "4"}, at=day(2))
    world.respond("bert", "Acme BV", {"role": "user", "needs": "1", "statements.late": "1"}, at=day(2))
    world.respond("ben", "Globex", {"role": "user", "needs": "2", "statements.late": "2"}, at=day(2))
    signals = queries.ItemSets.of(
        queries.scoring_questionnaires(session=db.session, study=world.study)
    ).signals

    # Act
    result = queries.answer_aggregates(
        session=db.session, study=world.study, signals=signals, signals_at_most=37.5
    )

    # Assert: the aggregates above 37.5 are left out; alpha still pools every account's items
    acme, globex = world.accounts["Acme BV"], world.accounts["Globex"]
    assert sorted((row.account_id, row.item_key, row.n, row.mean) for row in result.signals) == sorted(
        [(acme, "needs", 2, 37.5), (globex, "needs", 1, 25.0)]
    )
    needs = next(row for row in result.alpha if row.perspective is CLIENT and row.dimension == "needs_match")
    assert (needs.items, needs.respondents) == (1, 3)
    assert needs.item_sums == (75.0 + 0.0 + 25.0,)
