"""`rescore`: every answer rebuilt from the version it is scored on — reversed items, hidden answers, questions
the version no longer has, values it no longer accepts — and `repin`."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from surveyapp.analysis.rescore import RescoreError, repin, rescore
from surveyapp.questionnaires.schema import Questionnaire
from surveyapp.questionnaires.services import ensure_questionnaire_version
from surveyapp.responses.models import Answer
from tests.analysis.builders import CLIENT_SURVEY, World, make_world


@pytest.fixture
def world(db: Any, make_supplier: Any) -> World:
    built = make_world(db, make_supplier("Brightline"))
    built.account("Acme BV")
    built.client("anna", "Acme BV")
    # needs 4 -> 75; contact weekly -> 100 (shown: needs >= 3); workarounds 1 on 7 points, reverse -> 100;
    # recommend 8 -> 80
    built.respond(
        "anna",
        "Acme BV",
        {"role": "user", "needs": "4", "contact": "weekly", "workarounds": "1", "recommend": "8"},
    )
    return built


def _changed_version(db: Any, world: World) -> None:
    """Pin a new version of the client survey: `needs` reversed, `contact` shown only for needs >= 5, the
    7-point `workarounds` now on 5 points with weight 2, and `recommend` removed."""
    content = copy.deepcopy(CLIENT_SURVEY.content())
    for section in content["sections"]:
        for question in section["questions"]:
            if question["key"] == "needs":
                question["reverse"] = True
            elif question["key"] == "contact":
                question["show_if"] = "needs >= 5 and not (role == buyer)"
            elif question["key"] == "workarounds":
                question["scale"] = {"points": 5, "anchors": {}}
                question["weight"] = 2.0
        section["questions"] = [
            q for q in section["questions"] if q["key"] not in ("recommend", "why", "consent")
        ]
    version = ensure_questionnaire_version(
        session=db.session, questionnaire=Questionnaire.model_validate(content)
    )
    row = next(row for row in world.study.questionnaires if row.slug == CLIENT_SURVEY.slug)
    row.version = version
    db.session.commit()


def _stored(db: Any) -> dict[str, tuple[Any, ...]]:
    rows = db.session.execute(select(Answer.item_key, Answer.score, Answer.dimension, Answer.weight)).all()
    return {key: (score, dimension, weight) for key, score, dimension, weight in rows}


def test_rescore_rebuilds_from_the_pinned_version(db, world):
    # Arrange
    _changed_version(db, world)

    # Act
    report = rescore(session=db.session, study=world.study)
    db.session.commit()

    # Assert: needs reversed (25); contact now hidden (no score, keeps its dimension); workarounds 1 on 5 points,
    # reverse -> 100 with weight 2; recommend not in the version (no score, no dimension); role unchanged
    assert _stored(db) == {
        "role": (None, None, 1.0),
        "needs": (25.0, "needs_match", 2.0),
        "contact": (None, "relationship", 1.0),
        "workarounds": (100.0, "ways_of_working", 2.0),
        "recommend": (None, None, 1.0),
    }
    assert (report.answers, report.changed, report.scores, report.dimensions, report.weights) == (
        5,
        4,
        3,
        1,
        1,
    )
    assert (report.unknown_items, report.invalid_values) == (1, 0)
    assert report.lines()[-1] == (
        "1 answers have no score now: their question is not in the pinned version (1) or their value is not "
        "valid there (0)"
    )


def test_rescore_value_the_version_rejects_gets_no_score(db, world):
    # Arrange: workarounds 6 was valid on 7 points; the new version has 5
    db.session.execute(Answer.__table__.update().where(Answer.item_key == "workarounds").values(value="6"))
    _changed_version(db, world)

    # Act
    report = rescore(session=db.session, study=world.study)

    # Assert
    assert _stored(db)["workarounds"] == (None, "ways_of_working", 2.0)
    assert report.invalid_values == 1


def test_repin_a_questionnaire_missing_from_the_folder_is_refused(db, world):
    # Arrange
    class Folder:
        questionnaires: dict[str, Any] = {}
        scoring = None

    # Act / Assert
    with pytest.raises(RescoreError, match="questionnaire all-types is not in the questionnaire folder"):
        repin(session=db.session, study=world.study, catalogue=Folder())
