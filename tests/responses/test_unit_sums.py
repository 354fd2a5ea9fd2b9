"""`response_dimension_sums`: the triggers keep one row per (response, dimension) equal to its scored answers,
whatever writes them — inserts, score/weight/dimension changes, not-applicable, deletes, whole responses.

(Every test of the suite also checks the table against a recomputation when it empties the database: see
`tests/conftest.py`.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from surveyapp.analysis.rescore import rescore
from surveyapp.responses.models import Answer, Response, ResponseDimensionSums
from surveyapp.responses.unit_sums import install, stale_units
from tests.analysis.builders import World, make_world


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV")
    built.client("anna", "Acme BV")
    return built


def _sums(db: Any) -> dict[str, tuple[int, float, float, float, float]]:
    rows = db.session.execute(
        select(ResponseDimensionSums).order_by(ResponseDimensionSums.dimension)
    ).scalars()
    return {row.dimension: (row.answered, row.weighted, row.weights, row.total, row.squares) for row in rows}


def _answer(
    db: Any, response: Response, key: str, *, score: float | None, dimension: str, weight: float
) -> None:
    db.session.add(
        Answer(
            response_id=response.id, item_key=key, value="x", score=score, dimension=dimension, weight=weight
        )
    )


@pytest.fixture
def response(db: Any, world: World) -> Response:
    # Arrange (shared): a response with only an unscored answer, then two scored ones in "needs" written raw
    stored = world.respond("anna", "Acme BV", {"role": "user"})
    _answer(db, stored, "a", score=50.0, dimension="needs", weight=2.0)
    _answer(db, stored, "b", score=25.0, dimension="needs", weight=1.0)
    db.session.commit()
    return stored


def test_unit_sums_after_insert_hold_the_weighted_sums(db, response):
    # Assert: n 2; Σ score×weight 125; Σ weight 3; Σ score 75; Σ score² 3125
    assert _sums(db) == {"needs": (2, 125.0, 3.0, 75.0, 3125.0)}


def test_unit_sums_after_score_change_are_recomputed(db, response):
    # Act
    db.session.execute(update(Answer).where(Answer.item_key == "b").values(score=100.0, weight=0.5))
    db.session.commit()

    # Assert: 50×2 + 100×0.5 = 150; weights 2.5; total 150; squares 2500 + 10000
    assert _sums(db) == {"needs": (2, 150.0, 2.5, 150.0, 12500.0)}


def test_unit_sums_after_value_only_change_stay_the_same(db, response):
    # Act: a free-text style change that touches neither score, weight nor dimension
    db.session.execute(update(Answer).where(Answer.item_key == "a").values(value="changed", version=2))
    db.session.commit()

    # Assert
    assert _sums(db) == {"needs": (2, 125.0, 3.0, 75.0, 3125.0)}


def test_unit_sums_after_not_applicable_leave_the_item_out(db, response):
    # Act: "not applicable" keeps the answer but drops its score
    db.session.execute(update(Answer).where(Answer.item_key == "a").values(score=None, not_applicable=True))
    db.session.commit()

    # Assert
    assert _sums(db) == {"needs": (1, 25.0, 1.0, 25.0, 625.0)}


def test_unit_sums_after_dimension_change_move_the_item(db, response):
    # Act
    db.session.execute(update(Answer).where(Answer.item_key == "b").values(dimension="errors"))
    db.session.commit()

    # Assert: both the old unit and the new one are recomputed
    assert _sums(db) == {"errors": (1, 25.0, 1.0, 25.0, 625.0), "needs": (1, 100.0, 2.0, 50.0, 2500.0)}


def test_unit_sums_after_last_answer_deleted_are_gone(db, response):
    # Act
    db.session.execute(delete(Answer).where(Answer.item_key.in_(["a", "b"])))
    db.session.commit()

    # Assert
    assert _sums(db) == {}


def test_unit_sums_after_response_deleted_are_gone(db, response):
    # Act: the answers go by ON DELETE CASCADE, their triggers must not bring a row back
    db.session.execute(delete(Response).where(Response.id == response.id))
    db.session.commit()

    # Assert
    assert (_sums(db), db.session.scalar(select(Answer.id).limit(1))) == ({}, None)


def test_unit_sums_after_rescore_equal_a_recomputation(db, world):
    # Arrange: answers through the builder (the survey's storage), then a rescore rewrites every score
    world.respond(
        "anna",
        "Acme BV",
        {"role": "user", "needs": "4", "contact": "weekly", "workarounds": "1", "recommend": "8"},
    )

    # Act
    rescore(session=db.session, study=world.study)
    db.session.commit()

    # Assert
    assert stale_units(db.session.connection()) == []
    assert sorted(_sums(db)) == ["needs_match", "relationship", "ways_of_working"]


def test_stale_units_when_a_row_is_wrong_names_it(db, response):
    # Arrange: a row changed behind the triggers' back
    db.session.execute(update(ResponseDimensionSums).values(total=1.0))
    db.session.commit()

    # Act
    stale = stale_units(db.session.connection())
    install(db.session.connection(), refill=True)
    db.session.commit()

    # Assert: found, and a refill repairs it
    assert (stale, stale_units(db.session.connection())) == ([(response.id, "needs")], [])
