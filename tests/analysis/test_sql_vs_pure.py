"""Property: the SQL path and the straightforward pure-Python path give the same numbers on random data.

Random respondents answer the engine's test questionnaires (every question type, not-applicable answers,
`show_if`, matrix rows, reverse keying, weights, several scale sizes), some of them twice. The SQL path reads
the stored answers through `queries`; the pure path scores the same raw answers with the engine
(`score_answers`), keeps the latest response per (contact, account, perspective) in Python and applies the
pure rules (`respondent_dimension_scores`, `account_scores_from_respondents`, `signal_aggregates_from_items`,
`alpha_aggregates_from_items`). Runs on SQLite and, with SURVEYAPP_TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import math
from itertools import count
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.analysis import queries
from surveyapp.analysis.accounts import account_scores_from_aggregates, account_scores_from_respondents
from surveyapp.analysis.inputs import AlphaAggregate, ItemMatrix, ItemScore
from surveyapp.analysis.items import respondent_dimension_scores
from surveyapp.analysis.signals import signal_aggregates_from_items
from surveyapp.analysis.stats import (
    alpha_aggregates_from_items,
    alpha_from_aggregate,
    item_matrices_from_items,
    reliability,
)
from surveyapp.enums import Perspective, QuestionType, ResponseMode
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.types import score_answers
from surveyapp.studies.services import create_supplier
from tests.analysis.builders import CLIENT_SURVEY, SUPPLIER_SURVEY, day, make_world

TOLERANCE = 1e-9
_numbers = count(1)


def _raw_values(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, str]]:
    """A raw answer or none for every scoring or conditioning item of the questionnaire."""
    fields: dict[str, st.SearchStrategy[str | None]] = {}
    for item in questionnaire.items:
        question = item.question
        na = [st.just("NA")] if question.not_applicable else []
        if item.type in (QuestionType.SCALE, QuestionType.MATRIX):
            assert question.scale is not None
            values = st.integers(1, question.scale.points).map(str)
        elif item.type is QuestionType.NPS:
            values = st.integers(0, 10).map(str)
        elif item.type is QuestionType.SINGLE:
            values = st.sampled_from([option.key for option in question.options or ()])
        elif item.type is QuestionType.MULTI:
            keys = [option.key for option in question.options or () if not option.not_applicable]
            values = st.lists(st.sampled_from(keys), min_size=1, unique=True).map("|".join)
        else:
            continue
        fields[item.key] = st.one_of(st.none(), values, *na)
    return st.fixed_dictionaries(fields).map(lambda raw: {k: v for k, v in raw.items() if v is not None})


@st.composite
def studies(draw: Any) -> list[tuple[int, str, int, dict[str, str], int]]:
    """Responses as (account, respondent, side 0 = client / 1 = staff, answers, day)."""
    responses = []
    for account in range(draw(st.integers(1, 3))):
        for client in range(draw(st.integers(0, 4))):
            for _ in range(draw(st.integers(1, 2))):
                answers = draw(_raw_values(CLIENT_SURVEY))
                responses.append((account, f"c{account}-{client}", 0, answers, draw(st.integers(1, 9))))
        for staff in range(draw(st.integers(0, 2))):
            answers = draw(_raw_values(SUPPLIER_SURVEY))
            responses.append((account, f"s{staff}", 1, answers, draw(st.integers(1, 9))))
    return responses


def _pure_items(world: Any, responses: list[tuple[int, str, int, dict[str, str], int]]) -> list[ItemScore]:
    latest: dict[tuple[str, int], tuple[int, int, dict[str, str]]] = {}
    for order, (account, name, _side, answers, when) in enumerate(responses):
        key = (name, account)
        if key not in latest or (when, order) >= latest[key][:2]:
            latest[key] = (when, order, answers)
    items = []
    for (name, account), (_when, _order, answers) in latest.items():
        contact = world.contacts[name]
        questionnaire = SUPPLIER_SURVEY if name.startswith("s") else CLIENT_SURVEY
        perspective = Perspective.SUPPLIER if name.startswith("s") else Perspective.CLIENT
        for key, scored in score_answers(questionnaire, answers).items():
            items.append(
                ItemScore(
                    world.accounts[f"Account {account}"],
                    contact.id,
                    perspective,
                    key,
                    scored.dimension,
                    scored.weight,
                    scored.score,
                    scored.tags,
                )
            )
    return items


def _close(first: float | None, second: float | None) -> bool:
    if first is None or second is None:
        return first is second
    return math.isclose(first, second, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _same_alpha(sql: AlphaAggregate, pure: AlphaAggregate) -> bool:
    return (
        (sql.perspective, sql.dimension, sql.items, sql.respondents)
        == (pure.perspective, pure.dimension, pure.items, pure.respondents)
        and len(sql.item_sums) == len(pure.item_sums)
        and all(_close(a, b) for a, b in zip(sql.item_sums, pure.item_sums, strict=True))
        and all(
            _close(a, b)
            for a, b in (
                (sql.total_sum, pure.total_sum),
                (sql.total_sum_sq, pure.total_sum_sq),
                (sql.square_sum, pure.square_sum),
            )
        )
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(studies())
def test_sql_path_equals_pure_path_on_random_studies(db, responses):
    # Arrange: a fresh supplier and study per example, filled through the storage path
    number = next(_numbers)
    supplier = create_supplier(session=db.session, name=f"Random supplier {number}")
    world = make_world(db, supplier, slug=f"random-{number}")
    for account in sorted({row[0] for row in responses} | {0}):
        world.account(f"Account {account}")
    for account, name, side, answers, when in responses:
        if name not in world.contacts or side == 1:
            (
                world.client(name, f"Account {account}")
                if side == 0
                else world.staff(name, f"Account {account}")
            )
        world.respond(name, f"Account {account}", answers, at=day(when), mode=ResponseMode.SURVEY)
    items = _pure_items(world, responses)

    # Act
    questionnaires = queries.ItemSets.of(
        queries.scoring_questionnaires(session=db.session, study=world.study)
    )
    sql = queries.answer_aggregates(session=db.session, study=world.study, signals=questionnaires.signals)
    sql_nps = queries.nps_answers(session=db.session, study=world.study, nps=questionnaires.nps)
    pure_scores = account_scores_from_respondents(respondent_dimension_scores(items))
    sql_scores = account_scores_from_aggregates(sql.accounts)

    # Assert: account scores (rule 4): same cells and n; means and sds within 1e-9
    assert [(s.account_id, s.perspective, s.dimension, s.n) for s in sql_scores] == [
        (s.account_id, s.perspective, s.dimension, s.n) for s in pure_scores
    ]
    for from_sql, from_pure in zip(sql_scores, pure_scores, strict=True):
        assert _close(from_sql.mean, from_pure.mean) and _close(from_sql.sd, from_pure.sd)
    # signals (rule 9)
    by_key = {(row.account_id, row.perspective, row.item_key): row for row in sql.signals}
    pure_signals = signal_aggregates_from_items(items)
    assert sorted(by_key) == sorted((row.account_id, row.perspective, row.item_key) for row in pure_signals)
    for row in pure_signals:
        found = by_key[(row.account_id, row.perspective, row.item_key)]
        assert found.n == row.n and _close(found.mean, row.mean)
    # NPS answers (rule 8): the client respondents' raw 0..10
    pure_nps = sorted(
        (row.account_id, row.respondent_id, round(row.score / 10))
        for row in items
        if row.perspective is Perspective.CLIENT and row.item_key == "recommend"
    )
    assert sorted((row.account_id, row.respondent_id, row.value) for row in sql_nps) == pure_nps
    # alpha's listwise sums (rule 13)
    pure_alpha = {(row.perspective, row.dimension): row for row in alpha_aggregates_from_items(items)}
    assert sorted(pure_alpha) == sorted((row.perspective, row.dimension) for row in sql.alpha)
    for row in sql.alpha:
        assert _same_alpha(row, pure_alpha[(row.perspective, row.dimension)])


# Scores as rule 1 makes them on 4-, 5- and 7-point scales; respondents answer with a common level plus noise,
# so alpha is a real number rather than noise around zero.
_levels = st.lists(st.integers(0, 6), min_size=30, max_size=45)


@settings(max_examples=25, deadline=None)
@given(_levels, st.lists(st.integers(-1, 1), min_size=135, max_size=135), st.integers(0, 44))
def test_alpha_from_sums_equals_alpha_from_rows(levels, noise, missing):
    # Arrange: three items on 7, 5 and 4 points; one response misses an item (deleted listwise)
    points = (7, 5, 4)
    rows = {}
    for unit, level in enumerate(levels):
        scores = {}
        for column, k in enumerate(points):
            value = min(k, max(1, round(level * (k - 1) / 6) + 1 + noise[unit * 3 + column]))
            scores[f"q{column}"] = (value - 1) / (k - 1) * 100
        rows[(1, unit)] = scores
    if missing < len(levels):
        del rows[(1, missing)]["q1"]
    items = [
        ItemScore(account, unit, Perspective.CLIENT, key, "needs", 1.0, score)
        for (account, unit), scores in rows.items()
        for key, score in scores.items()
    ]
    matrix = ItemMatrix(Perspective.CLIENT, "needs", rows)

    # Act
    from_rows = reliability(matrix)
    (aggregate,) = alpha_aggregates_from_items(items)
    from_sums = alpha_from_aggregate(aggregate)

    # Assert
    assert item_matrices_from_items(items) == (matrix,)
    assert (from_sums.respondents, from_sums.items) == (from_rows.respondents, from_rows.items)
    assert _close(from_sums.alpha, from_rows.alpha)
