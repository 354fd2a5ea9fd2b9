"""`account_dimension_sums`: the triggers keep one row per (study, account, perspective, dimension, items
answered) equal to the `response_dimension_sums` units of that group's responses, whatever changes them.

(Every test of the suite also checks the table against a recomputation when it empties the database: see
`tests/conftest.py`.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from surveyapp.responses.account_sums import install, stale_account_sums
from surveyapp.responses.models import AccountDimensionSums, Answer, Response
from tests.analysis.builders import World, make_world


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV")
    built.account("Globex")
    built.client("anna", "Acme BV")
    built.client("bert", "Acme BV")
    return built


def _sums(db: Any) -> dict[tuple[int, str, int], tuple[int, float, float, float, float, float]]:
    """(account id, dimension, items answered) -> (units, Σmean, Σmean², ΣT, ΣT², Σx²), client perspective."""
    rows = db.session.execute(select(AccountDimensionSums)).scalars().all()
    return {
        (row.account_id, row.dimension, row.answered): (
            row.units,
            row.means,
            row.means_sq,
            row.totals,
            row.totals_sq,
            row.squares,
        )
        for row in rows
        if row.perspective == "client"
    }


def _answer(db: Any, response: Response, key: str, *, score: float, weight: float = 1.0) -> None:
    db.session.add(
        Answer(response_id=response.id, item_key=key, value="x", score=score, dimension="needs", weight=weight)
    )


@pytest.fixture
def responses(db: Any, world: World) -> tuple[Response, Response]:
    # Arrange (shared): anna answers a (50, weight 3) and b (10); bert answers a (20) and b (40)
    anna = world.respond("anna", "Acme BV", {"role": "user"})
    bert = world.respond("bert", "Acme BV", {"role": "user"})
    _answer(db, anna, "a", score=50.0, weight=3.0)
    _answer(db, anna, "b", score=10.0)
    _answer(db, bert, "a", score=20.0)
    _answer(db, bert, "b", score=40.0)
    db.session.commit()
    return anna, bert


def test_account_sums_after_insert_add_up_the_units(db, world, responses):
    # Assert: anna's mean (150 + 10) / 4 = 40, bert's 30; totals 60 and 60; squares 2600 and 2000
    acme = world.accounts["Acme BV"]
    assert _sums(db) == {(acme, "needs", 2): (2, 70.0, 2500.0, 120.0, 7200.0, 4600.0)}


def test_account_sums_after_an_answer_is_removed_move_the_unit_to_its_new_width(db, world, responses):
    anna, _bert = responses

    # Act: anna's b goes; her unit now has one item (mean 50)
    db.session.execute(delete(Answer).where(Answer.response_id == anna.id, Answer.item_key == "b"))
    db.session.commit()

    # Assert
    acme = world.accounts["Acme BV"]
    assert _sums(db) == {
        (acme, "needs", 1): (1, 50.0, 2500.0, 50.0, 2500.0, 2500.0),
        (acme, "needs", 2): (1, 30.0, 900.0, 60.0, 3600.0, 2000.0),
    }


def test_account_sums_after_response_deleted_keep_the_others(db, world, responses):
    anna, _bert = responses

    # Act
    db.session.execute(delete(Response).where(Response.id == anna.id))
    db.session.commit()

    # Assert
    acme = world.accounts["Acme BV"]
    assert _sums(db) == {(acme, "needs", 2): (1, 30.0, 900.0, 60.0, 3600.0, 2000.0)}


def test_account_sums_after_response_moved_to_another_account_follow_it(db, world, responses):
    anna, _bert = responses

    # Act
    db.session.execute(
        update(Response).where(Response.id == anna.id).values(account_id=world.accounts["Globex"])
    )
    db.session.commit()

    # Assert
    acme, globex = world.accounts["Acme BV"], world.accounts["Globex"]
    assert _sums(db) == {
        (acme, "needs", 2): (1, 30.0, 900.0, 60.0, 3600.0, 2000.0),
        (globex, "needs", 2): (1, 40.0, 1600.0, 60.0, 3600.0, 2600.0),
    }


def test_stale_account_sums_when_a_row_is_wrong_names_it_and_refill_repairs(db, world, responses):
    # Arrange
    db.session.execute(update(AccountDimensionSums).values(means=1.0))
    db.session.commit()

    # Act
    stale = stale_account_sums(db.session.connection())
    install(db.session.connection(), refill=True)
    db.session.commit()

    # Assert
    assert [key[3] for key in stale] == ["needs"]
    assert stale_account_sums(db.session.connection()) == []
