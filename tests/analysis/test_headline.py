"""Method v2's headlines (`queries.headline` and what the analysis makes of it): rule 17's respondents behind
each overall with its indicative and borderline marks, the share of respondents who agreed with a warning
signal and its group (rule 9), and the staff's advice read from the database (rule 20).

DB tests use the engine's test questionnaires and fit model (tests/analysis/builders.py): needs_match weight 2,
ways_of_working 1, relationship 1, effort 1.5; thresholds 60/15/40, min_n 3, borderline_band 5 (the default).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surveyapp.analysis import queries
from surveyapp.analysis.accounts import AccountScoreIndex, account_scores_from_respondents
from surveyapp.analysis.fit import OverallFit, assess_account
from surveyapp.analysis.inputs import (
    AccountFigures,
    AdviceAnswer,
    DimensionSpec,
    FitModel,
    RespondentDimensionScore,
    ScoredRespondents,
    SignalAgreement,
)
from surveyapp.analysis.report import build_analysis_document
from surveyapp.analysis.service import analysis_document
from surveyapp.analysis.study import analyse_study
from surveyapp.analysis.thresholds import Thresholds
from surveyapp.enums import Perspective
from surveyapp.questionnaires import load_questionnaire, load_scoring
from surveyapp.studies.services import create_study
from tests.analysis.builders import CLIENT_SURVEY, DATA, SCORING, World, make_world
from tests.questionnaires.builders import option, question, questionnaire, scale

CLIENT, SUPPLIER = Perspective.CLIENT, Perspective.SUPPLIER
ADVICE_QUESTION = """\
      - key: advice
        type: single
        text: {nl: "Wat doen we met {account}?", en: "What do we do with {account}?"}
        tags: [advice]
        options:
          - {key: continue, label: {nl: Doorgaan, en: Continue}}
          - {key: realign, label: {nl: Andere afspraken, en: Realign}}
          - {key: exit, label: {nl: Afscheid, en: Exit}}
          - {key: unsure, label: {nl: Weet ik niet, en: Not sure}}
"""


def _index(*rows):
    return AccountScoreIndex(account_scores_from_respondents(RespondentDimensionScore(*row) for row in rows))


def _sorted(rows):
    return sorted(rows, key=lambda row: (row.account_id, row.perspective.value))


# --- rule 17: indicative and borderline -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_n", "supplier_n", "expected"),
    [
        (3, 3, False),  # both at min_n
        (2, 3, True),  # the client's overall rests on two respondents
        (3, 2, True),  # the supplier's on two
        (5, 0, True),  # no supplier view at all: an incomplete headline
        (0, 0, True),
    ],
)
def test_overall_indicative_when_either_n_below_min_n(client_n, supplier_n, expected):
    # Arrange
    overall = OverallFit(1, 70.0, 70.0, 0.0, 1, client_n, supplier_n)

    # Act / Assert
    assert overall.indicative(Thresholds()) is expected


@pytest.mark.parametrize(
    ("client", "supplier", "expected"),
    [
        (65.0, 80.0, False),  # |65 - 60| = 5: exactly the band is not within it
        (55.0, 80.0, False),  # |55 - 60| = 5
        (64.9, 80.0, True),  # just inside, above the threshold
        (55.1, 80.0, True),  # just inside, below it
        (80.0, 60.0, True),  # the supplier exactly at the threshold
        (80.0, 40.0, False),
        (62.0, None, True),  # one side is enough
        (None, None, False),  # nothing to be close
    ],
)
def test_overall_borderline_within_band_of_quadrant_threshold(client, supplier, expected):
    # Arrange
    overall = OverallFit(1, client, supplier)

    # Act / Assert
    assert overall.borderline(Thresholds()) is expected


def test_overall_borderline_with_a_configured_band():
    # Arrange: band 2 around 60
    thresholds = Thresholds(borderline_band=2)

    # Act / Assert: |61.9 - 60| = 1.9 < 2; |62 - 60| = 2 is not
    assert OverallFit(1, 61.9, 90.0).borderline(thresholds) is True
    assert OverallFit(1, 62.0, 90.0).borderline(thresholds) is False


@pytest.mark.parametrize(
    ("needs", "effort", "noisy"),
    [
        # (34.1*1 + 85.6*1.5) / 2.5 = 162.5 / 2.5 = 65 on paper; 64.99999999999999 in floats
        (34.1, 85.6, 64.99999999999999),
        # (9.4*1 + 85.4*1.5) / 2.5 = 137.5 / 2.5 = 55 on paper; 55.000000000000014 in floats
        (9.4, 85.4, 55.000000000000014),
    ],
)
def test_overall_borderline_float_noise_at_the_band_edge_is_not_borderline(needs, effort, noisy):
    # Arrange: the supplier's weighted mean lands a float hair inside the band
    model = FitModel((DimensionSpec("needs"), DimensionSpec("effort", 1.5)))
    index = _index(
        (1, 1, CLIENT, "needs", 90.0),
        (1, 9, SUPPLIER, "needs", needs),
        (1, 9, SUPPLIER, "effort", effort),
    )

    # Act
    fit = assess_account(1, index, model, Thresholds())

    # Assert: exactly 5 from 60 on paper: not borderline (client 90 is far away)
    assert fit.overall.supplier == noisy
    assert fit.overall.borderline(Thresholds()) is False


def _one_account_study(**inputs):
    """A study of one account (id 1) with model needs, errors (weight 1 each)."""
    return analyse_study(
        study="wave",
        scoring_version="v1",
        provisional=False,
        fit_model=FitModel((DimensionSpec("needs"), DimensionSpec("errors"))),
        thresholds=inputs.pop("thresholds", Thresholds()),
        accounts=[AccountFigures(1, "Acme")],
        **inputs,
    )


# Clients: 1 scored needs only, 2 errors only, 3 both; three staff members needs 70.
SCORES = [
    (1, 1, CLIENT, "needs", 80.0),
    (1, 2, CLIENT, "errors", 60.0),
    (1, 3, CLIENT, "needs", 70.0),
    (1, 3, CLIENT, "errors", 50.0),
    (1, 11, SUPPLIER, "needs", 70.0),
    (1, 12, SUPPLIER, "needs", 70.0),
    (1, 13, SUPPLIER, "needs", 70.0),
]


def test_analyse_study_scored_respondents_count_clients_of_different_dimensions():
    # Arrange: the database counts three clients with a dimension score (no cell has more than two)
    scores = account_scores_from_respondents(RespondentDimensionScore(*row) for row in SCORES)
    respondents = [ScoredRespondents(1, CLIENT, 3), ScoredRespondents(1, SUPPLIER, 3)]

    # Act
    with_counts = build_analysis_document(
        _one_account_study(account_scores=scores, scored_respondents=respondents)
    )
    without = build_analysis_document(_one_account_study(account_scores=scores))

    # Assert: client needs (80 + 70)/2 = 75, errors (60 + 50)/2 = 55, overall (75 + 55)/2 = 65: exactly
    # the band's edge, not borderline; supplier 70; gap over needs 75 - 70 = 5. n 3 and 3: not indicative.
    # Without the counts n is the largest cell n, 2: indicative
    assert with_counts["accounts"][0]["overall"] == {
        "client": 65.0,
        "supplier": 70.0,
        "gap": 5.0,
        "shared_dimensions": 1,
        "supplier_only": [],
        "client_n": 3,
        "supplier_n": 3,
        "indicative": False,
        "borderline": False,
        "supplier_without_sensitive": None,
    }
    fallback = without["accounts"][0]["overall"]
    assert (fallback["client_n"], fallback["indicative"]) == (2, True)


def test_analyse_study_scored_respondents_below_a_cell_n_raise():
    # Arrange: two clients said to have scores, but the needs cell alone has two and errors two of three
    scores = account_scores_from_respondents(RespondentDimensionScore(*row) for row in SCORES)
    respondents = [ScoredRespondents(1, CLIENT, 1), ScoredRespondents(1, SUPPLIER, 3)]

    # Act / Assert
    with pytest.raises(
        ValueError, match=r"scored respondents of account 1 \(client\) do not cover its scores"
    ):
        _one_account_study(account_scores=scores, scored_respondents=respondents)


def test_analyse_study_scored_respondents_outside_scope_raise():
    # Arrange
    scores = account_scores_from_respondents(RespondentDimensionScore(*row) for row in SCORES)
    respondents = [
        ScoredRespondents(1, CLIENT, 3),
        ScoredRespondents(1, SUPPLIER, 3),
        ScoredRespondents(7, CLIENT, 1),
    ]

    # Act / Assert
    with pytest.raises(ValueError, match=r"scored respondents for accounts \[7\]"):
        _one_account_study(account_scores=scores, scored_respondents=respondents)


def test_build_analysis_document_echoes_the_borderline_band():
    # Arrange: band 10: the client's 65 is within it now
    scores = account_scores_from_respondents(RespondentDimensionScore(*row) for row in SCORES)

    # Act
    document = build_analysis_document(
        _one_account_study(account_scores=scores, thresholds=Thresholds(borderline_band=10))
    )

    # Assert
    assert document["thresholds"]["borderline_band"] == 10.0
    assert document["accounts"][0]["overall"]["borderline"] is True


# --- the database: rule 17's n, signal agreement and groups, staff advice -------------------------------------


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV", effort=1000, billable=600)
    built.account("Globex", effort=500, billable=500)
    built.client("anna", "Acme BV")
    built.client("bert", "Acme BV")
    built.client("cleo", "Acme BV")
    built.staff("sam", "Acme BV", "Globex")
    db.session.commit()
    return built


def test_scored_respondents_counts_clients_who_scored_different_dimensions(db, world):
    # Arrange: anna scores needs_match only (needs 4 -> 75), bert relationship only (role other hides the fit
    # questions; recommend 9 -> 90), cleo no dimension at all (her role has none); sam relationship (8 -> 80)
    world.respond("anna", "Acme BV", {"role": "user", "needs": "4"})
    world.respond("bert", "Acme BV", {"role": "other", "recommend": "9"})
    world.respond("cleo", "Acme BV", {"role": "other"})
    world.respond("sam", "Acme BV", {"relation": "8"})
    acme = world.accounts["Acme BV"]

    # Act
    counted = queries.scored_respondents(session=db.session, study=world.study)
    account = analysis_document(session=db.session, study=world.study, current=SCORING)["accounts"][0]

    # Assert: two clients with a dimension score, though no dimension has more than one; the client overall
    # (2*75 + 90)/3 = 80, supplier 80, gap over relationship 90 - 80 = 10; n 2 and 1: indicative
    assert _sorted(counted) == [ScoredRespondents(acme, CLIENT, 2), ScoredRespondents(acme, SUPPLIER, 1)]
    assert account["overall"] == {
        "client": 80.0,
        "supplier": 80.0,
        "gap": 10.0,
        "shared_dimensions": 1,
        "supplier_only": [],
        "client_n": 2,
        "supplier_n": 1,
        "indicative": True,
        "borderline": False,
        "supplier_without_sensitive": None,
    }


def _scoring_with_groups(tmp_path: Path) -> Any:
    """The test fit model with `signal_group: workarounds` on ways_of_working (needs_match has none)."""
    text = (DATA / "scoring.yaml").read_text(encoding="utf-8")
    line = "    description: {nl: Samenwerken zonder omwegen., en: Working together without workarounds.}\n"
    assert text.count(line) == 1
    path = tmp_path / "scoring.yaml"
    path.write_text(text.replace(line, line + "    signal_group: workarounds\n"), encoding="utf-8")
    return load_scoring(path)


def _signal_answers(world: World) -> None:
    # needs (5 points, needs_match, signal): 4 -> 75, 1 -> 0, 1 -> 0; mean 25.
    # statements.late (4 points, ways_of_working, signal, reverse-keyed "delivery is often late"): 4 -> 0,
    # 4 -> 0, 1 -> 100; mean 100/3 = 33.3.
    world.respond("anna", "Acme BV", {"role": "user", "needs": "4", "statements.late": "4"})
    world.respond("bert", "Acme BV", {"role": "user", "needs": "1", "statements.late": "4"})
    world.respond("cleo", "Acme BV", {"role": "user", "needs": "1", "statements.late": "1"})


def test_signal_agreement_counts_reverse_keyed_below_and_plain_above_the_middle(db, world):
    # Arrange
    _signal_answers(world)
    acme = world.accounts["Acme BV"]
    items = queries.ItemSets.of(queries.scoring_questionnaires(session=db.session, study=world.study))

    # Act
    agreement = queries.signal_agreement(
        queries.summed_item_rows(
            session=db.session,
            study=world.study,
            signals=items.signals,
            reversed_items=items.reversed_signals,
        )
    )

    # Assert: needs is plain: agreeing is above 50 (anna's 75); statements.late is reverse-keyed: agreeing
    # ("often late", answer 4) is an item score below 50 (anna's and bert's 0)
    assert agreement == [
        SignalAgreement(acme, CLIENT, "needs", 1),
        SignalAgreement(acme, CLIENT, "statements.late", 2),
    ]


def test_signal_agreement_with_a_response_in_progress_counts_the_counted_answers_only(db, world):
    # Arrange: dora's response is in progress (it does not count, rule 2): the account is read from its answers
    _signal_answers(world)
    world.client("dora", "Acme BV")
    world.respond("dora", "Acme BV", {"role": "user", "needs": "5", "statements.late": "4"}, completed=False)
    acme = world.accounts["Acme BV"]
    items = queries.ItemSets.of(queries.scoring_questionnaires(session=db.session, study=world.study))

    # Act
    agreement = queries.signal_agreement(
        queries.summed_item_rows(
            session=db.session,
            study=world.study,
            signals=items.signals,
            uncounted={acme},
            reversed_items=items.reversed_signals,
        )
    )

    # Assert: as without dora
    assert agreement == [
        SignalAgreement(acme, CLIENT, "needs", 1),
        SignalAgreement(acme, CLIENT, "statements.late", 2),
    ]


def test_study_analysis_signals_carry_group_from_scoring_and_share_agreed(db, world, tmp_path):
    # Arrange
    _signal_answers(world)
    scoring = _scoring_with_groups(tmp_path)

    # Act
    account = analysis_document(session=db.session, study=world.study, current=scoring)["accounts"][0]

    # Assert: worst first; needs 25 (needs_match has no signal_group: other), 1 of 3 agreed = 33.3%;
    # statements.late 33.3 (ways_of_working: workarounds), 2 of 3 = 66.7%
    assert account["signals"] == [
        {
            "question": "needs",
            "perspective": "client",
            "score": 25.0,
            "n": 3,
            "indicative": False,
            "group": "other",
            "agreed": 33.3,
            "behaviour": False,
        },
        {
            "question": "statements.late",
            "perspective": "client",
            "score": 33.3,
            "n": 3,
            "indicative": False,
            "group": "workarounds",
            "agreed": 66.7,
            "behaviour": False,
        },
    ]


def test_staff_advice_null_without_an_advice_question(db, world):
    # Arrange: the test supplier questionnaire has no question tagged advice
    world.respond("anna", "Acme BV", {"role": "other", "recommend": "9"})
    world.respond("sam", "Acme BV", {"relation": "8"})

    # Act
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert
    assert [account["staff_advice"] for account in document["accounts"]] == [None, None]


@pytest.fixture
def advice_world(db: Any, make_supplier: Any, tmp_path: Path) -> World:
    """A study whose supplier survey is the test one plus a question tagged advice."""
    text = (DATA / "all-types-supplier.yaml").read_text(encoding="utf-8")
    path = tmp_path / "advice-supplier.yaml"
    path.write_text(text.replace("slug: all-types-supplier", "slug: advice-supplier") + ADVICE_QUESTION)
    study = create_study(
        session=db.session,
        supplier=make_supplier("Brightline"),
        slug="wave-1",
        name="Wave 1",
        questionnaires=[CLIENT_SURVEY, load_questionnaire(path, SCORING)],
        previous=None,
    )
    db.session.commit()
    built = World(db, study)
    built.account("Acme BV")
    built.account("Globex")
    built.client("anna", "Acme BV")
    built.staff("sam", "Acme BV", "Globex")
    built.staff("tom", "Acme BV")
    built.staff("uma", "Acme BV")
    db.session.commit()
    return built


def test_advice_answers_and_staff_advice_per_account(db, advice_world):
    # Arrange: at Acme sam and uma advise realign, tom is not sure; at Globex sam rates without advising
    world = advice_world
    world.respond("sam", "Acme BV", {"relation": "8", "advice": "realign"})
    world.respond("tom", "Acme BV", {"advice": "unsure"})
    world.respond("uma", "Acme BV", {"advice": "realign"})
    world.respond("sam", "Globex", {"relation": "7"})
    acme = world.accounts["Acme BV"]
    contacts = world.contacts
    items = queries.ItemSets.of(queries.scoring_questionnaires(session=db.session, study=world.study))

    # Act
    answers = queries.advice_answers(session=db.session, study=world.study, advice=items.advice)
    document = analysis_document(session=db.session, study=world.study, current=SCORING)

    # Assert: one answer per staff rater who answered it; the tally lists every option in the question's
    # order, zeros included, and n the advisers; Globex: nobody advised
    assert items.advice_options == ("continue", "realign", "exit", "unsure")
    assert sorted(answers, key=lambda row: row.respondent_id) == [
        AdviceAnswer(acme, contacts["sam"].id, "realign"),
        AdviceAnswer(acme, contacts["tom"].id, "unsure"),
        AdviceAnswer(acme, contacts["uma"].id, "realign"),
    ]
    assert {account["account"]: account["staff_advice"] for account in document["accounts"]} == {
        "Acme BV": {"counts": {"continue": 0, "realign": 2, "exit": 0, "unsure": 1}, "n": 3},
        "Globex": {"counts": {"continue": 0, "realign": 0, "exit": 0, "unsure": 0}, "n": 0},
    }


def test_staff_advice_zero_tally_while_no_staff_member_has_answered(db, advice_world):
    # Arrange: the study has a question tagged advice; only a client has answered so far
    advice_world.respond("anna", "Acme BV", {"role": "other", "recommend": "9"})

    # Act
    document = analysis_document(session=db.session, study=advice_world.study, current=SCORING)

    # Assert: the JSON contract (report.py) makes staff_advice null only when the study has no question
    # tagged advice, and rule 20 tallies the advice per account; this study has one, so every account has
    # the tally, nobody advised yet. (At ab7524f this fails: `queries.ItemSets.of` reads only the
    # questionnaire versions someone answered, so before the first staff response the study seems to have
    # no advice question and staff_advice is null.)
    nobody = {"counts": {"continue": 0, "realign": 0, "exit": 0, "unsure": 0}, "n": 0}
    assert [account["staff_advice"] for account in document["accounts"]] == [nobody, nobody]


def test_item_sets_count_a_behaviour_signal_as_reported_below_the_middle():
    # Arrange: a statement (scale), a reverse-keyed statement, a frequency (single) and a count (number)
    built = questionnaire(
        question("plain", "scale", scale=scale(5), tags=["signal"]),
        question("worded_as_problem", "scale", scale=scale(5), tags=["signal"], reverse=True),
        question(
            "how_often",
            "single",
            tags=["signal"],
            options=[option("never", 100), option("sometimes", 50), option("always", 0)],
        ),
        question(
            "how_many",
            "number",
            min=0,
            tags=["signal"],
            bands=[{"up_to": 0, "score": 100}, {"up_to": 5, "score": 50}, {"score": 0}],
        ),
    )

    # Act
    items = queries.ItemSets.of({7: built})

    # Assert: agreeing with a statement is scoring above the middle; reporting a behaviour problem below it
    assert items.signals[7] == frozenset({"plain", "worded_as_problem", "how_often", "how_many"})
    assert items.reversed_signals[7] == frozenset({"worded_as_problem", "how_often", "how_many"})
