"""`account_item_sums`: the triggers keep one row per (study, account, perspective, questionnaire version, item,
dimension) equal to the scored answers of that group's responses, whatever writes or moves them.

(Every test of the suite also checks the table against a recomputation when it empties the database: see
`tests/conftest.py`.)"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import current_app
from sqlalchemy import delete, select, text, update

from surveyapp.responses.item_sums import install, stale_item_sums
from surveyapp.responses.models import AccountItemSums, Answer, Response
from surveyapp.studies.models import Study
from tests.analysis.builders import World, make_world
from tests.conftest import is_postgres


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV")
    built.account("Globex")
    built.client("anna", "Acme BV")
    built.client("bert", "Acme BV")
    return built


def _sums(db: Any) -> dict[tuple[str, str, str], tuple[int, float]]:
    """(account id, item, dimension) -> (n, Σscore), for the client perspective."""
    rows = db.session.execute(select(AccountItemSums)).scalars().all()
    return {
        (str(row.account_id), row.item_key, row.dimension): (row.answered, row.total)
        for row in rows
        if row.perspective == "client"
    }


def _answer(db: Any, response: Response, key: str, *, score: float | None, dimension: str | None) -> None:
    db.session.add(Answer(response_id=response.id, item_key=key, value="x", score=score, dimension=dimension))


@pytest.fixture
def responses(db: Any, world: World) -> tuple[Response, Response]:
    # Arrange (shared): anna and bert each answer item "a" in "needs"; anna also "b" without a dimension
    anna = world.respond("anna", "Acme BV", {"role": "user"})
    bert = world.respond("bert", "Acme BV", {"role": "user"})
    _answer(db, anna, "a", score=50.0, dimension="needs")
    _answer(db, anna, "b", score=20.0, dimension=None)
    _answer(db, bert, "a", score=25.0, dimension="needs")
    db.session.commit()
    return anna, bert


def _acme(world: World) -> str:
    return str(world.accounts["Acme BV"])


def test_item_sums_after_insert_add_up_the_group(db, world, responses):
    # Assert: "a" over both respondents: n 2, Σ 75; "b" under the empty dimension
    acme = _acme(world)
    assert _sums(db) == {(acme, "a", "needs"): (2, 75.0), (acme, "b", ""): (1, 20.0)}


def test_item_sums_after_score_change_are_recomputed(db, world, responses):
    # Act
    db.session.execute(update(Answer).where(Answer.item_key == "a", Answer.score == 25.0).values(score=100.0))
    db.session.commit()

    # Assert
    assert _sums(db)[(_acme(world), "a", "needs")] == (2, 150.0)


def _sides(db: Any) -> dict[tuple[str, str], tuple[int, int]]:
    """(account id, item) -> (answers above the middle, answers below it), for the client perspective."""
    rows = db.session.execute(select(AccountItemSums)).scalars().all()
    return {
        (str(row.account_id), row.item_key): (row.above, row.below)
        for row in rows
        if row.perspective == "client"
    }


def test_item_sums_count_answers_above_and_below_the_middle_leaving_the_middle_out(db, world, responses):
    # Assert: "a" is anna's 50 (the middle: neither) and bert's 25 (below); "b" is anna's 20 (below)
    acme = _acme(world)
    assert _sides(db) == {(acme, "a"): (0, 1), (acme, "b"): (0, 1)}


def test_item_sums_above_and_below_after_score_change_follow_it(db, world, responses):
    # Act: bert's 25 becomes 100, anna's 50 becomes 75
    db.session.execute(update(Answer).where(Answer.item_key == "a", Answer.score == 25.0).values(score=100.0))
    db.session.execute(update(Answer).where(Answer.item_key == "a", Answer.score == 50.0).values(score=75.0))
    db.session.commit()

    # Assert
    assert _sides(db)[(_acme(world), "a")] == (2, 0)


def test_item_sums_after_not_applicable_leave_the_answer_out(db, world, responses):
    # Act
    db.session.execute(update(Answer).where(Answer.item_key == "a", Answer.score == 50.0).values(score=None))
    db.session.commit()

    # Assert
    assert _sums(db)[(_acme(world), "a", "needs")] == (1, 25.0)


def test_item_sums_after_dimension_and_key_change_move_the_answer(db, world, responses):
    anna, _bert = responses

    # Act: anna's "a" moves to another dimension, her "b" becomes "c"
    db.session.execute(
        update(Answer).where(Answer.response_id == anna.id, Answer.item_key == "a").values(dimension="errors")
    )
    db.session.execute(update(Answer).where(Answer.item_key == "b").values(item_key="c"))
    db.session.commit()

    # Assert
    acme = _acme(world)
    assert _sums(db) == {
        (acme, "a", "errors"): (1, 50.0),
        (acme, "a", "needs"): (1, 25.0),
        (acme, "c", ""): (1, 20.0),
    }


def test_item_sums_after_answer_deleted_drop_it(db, world, responses):
    # Act
    db.session.execute(delete(Answer).where(Answer.item_key.in_(["a", "b"]), Answer.score != 25.0))
    db.session.commit()

    # Assert
    assert _sums(db) == {(_acme(world), "a", "needs"): (1, 25.0)}


def test_item_sums_after_response_deleted_keep_the_others(db, world, responses):
    anna, _bert = responses

    # Act: anna's answers go by ON DELETE CASCADE
    db.session.execute(delete(Response).where(Response.id == anna.id))
    db.session.commit()

    # Assert
    assert _sums(db) == {(_acme(world), "a", "needs"): (1, 25.0)}


def test_item_sums_after_response_moved_to_another_account_follow_it(db, world, responses):
    anna, _bert = responses

    # Act
    db.session.execute(
        update(Response).where(Response.id == anna.id).values(account_id=world.accounts["Globex"])
    )
    db.session.commit()

    # Assert
    acme, globex = _acme(world), str(world.accounts["Globex"])
    assert _sums(db) == {
        (acme, "a", "needs"): (1, 25.0),
        (globex, "a", "needs"): (1, 50.0),
        (globex, "b", ""): (1, 20.0),
    }


def test_item_sums_after_study_deleted_are_gone(db, world, responses):
    # Act: responses and answers go with the study by ON DELETE CASCADE
    db.session.execute(delete(Study).where(Study.id == world.study.id))
    db.session.commit()

    # Assert
    assert db.session.scalar(select(AccountItemSums.study_id).limit(1)) is None


def test_stale_item_sums_when_a_row_is_wrong_names_it_and_refill_repairs(db, world, responses):
    # Arrange: a row changed behind the triggers' back
    db.session.execute(update(AccountItemSums).where(AccountItemSums.item_key == "b").values(total=1.0))
    db.session.commit()

    # Act
    stale = stale_item_sums(db.session.connection())
    install(db.session.connection(), refill=True)
    db.session.commit()

    # Assert
    assert [key[4] for key in stale] == ["b"]
    assert stale_item_sums(db.session.connection()) == []


def test_item_sums_with_two_respondents_of_one_account_writing_at_once_stay_exact(db, world, responses):
    # Arrange: anna's and bert's new answers to the same item, written in two transactions that overlap
    if not is_postgres():
        pytest.skip("SQLite lets one writer in at a time")
    anna, bert = responses
    insert = text(
        "INSERT INTO answers (response_id, item_key, value, not_applicable, score, dimension, weight, version, "
        "created_at, updated_at) VALUES (:response, 'c', 'x', false, :score, 'needs', 1.0, 1, now(), now())"
    )
    engine = db.engine
    app = current_app._get_current_object()  # the engine's event hooks need an app context in the thread too
    first = engine.connect()
    first.begin()
    first.execute(insert, {"response": anna.id, "score": 10.0})
    errors: list[BaseException] = []

    def second_writer() -> None:
        with app.app_context(), engine.connect() as second, second.begin():
            try:
                second.execute(insert, {"response": bert.id, "score": 30.0})
            except BaseException as error:  # reported by the assertion below
                errors.append(error)
                raise

    # Act: the second writer starts while the first is still open, and has to wait for it
    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=1)
    first.commit()
    first.close()
    thread.join(timeout=30)

    # Assert: no duplicate row, nobody's answer missing
    assert errors == []
    assert _sums(db)[(_acme(world), "c", "needs")] == (2, 40.0)
