"""The registry and whole-response helpers: score_answers, knockouts, advice conditions, validate_answers."""

from __future__ import annotations

import pytest

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import Questionnaire
from surveyapp.questionnaires.types import (
    REGISTRY,
    ScoredAnswer,
    advice_conditions,
    handler_for,
    knockouts,
    score_answers,
    validate_answers,
)


def test_registry_has_one_handler_per_question_type() -> None:
    # Act
    kinds = {kind: type(handler).__name__ for kind, handler in REGISTRY.items()}

    # Assert
    assert kinds == {
        QuestionType.SCALE: "ScaleType",
        QuestionType.NPS: "NpsType",
        QuestionType.SINGLE: "SingleType",
        QuestionType.MULTI: "MultiType",
        QuestionType.TEXT: "TextType",
        QuestionType.LONGTEXT: "LongtextType",
        QuestionType.NUMBER: "NumberType",
        QuestionType.DATE: "DateType",
        QuestionType.MATRIX: "MatrixType",
    }


def test_handler_for_accepts_a_type_a_question_or_an_item(all_types: Questionnaire) -> None:
    # Act
    handlers = {
        handler_for(QuestionType.MATRIX),
        handler_for(all_types.question("statements")),
        handler_for(all_types.item("statements.clear")),
    }

    # Assert
    assert handlers == {REGISTRY[QuestionType.MATRIX]}


def test_score_answers_scores_visible_answered_items(all_types: Questionnaire) -> None:
    # Arrange
    answers = {
        "role": "user",
        "name": "Ann",
        "needs": "4",
        "workarounds": "1",
        "contact": "monthly",
        "channels": "mail|portal",
        "recommend": "9",
        "statements.clear": "3",
        "statements.late": "4",
        "why": "Because.",
    }

    # Act
    scored = score_answers(all_types, answers)

    # Assert
    assert scored == {
        "needs": ScoredAnswer(75.0, "needs_match", 2.0, frozenset({"signal"})),
        "workarounds": ScoredAnswer(100.0, "ways_of_working", 1.0, frozenset()),
        "contact": ScoredAnswer(50.0, "relationship", 1.0, frozenset()),
        "channels": ScoredAnswer(65.0, "ways_of_working", 1.0, frozenset()),
        "recommend": ScoredAnswer(90.0, "relationship", 1.0, frozenset({"nps"})),
        "statements.clear": ScoredAnswer(2 / 3 * 100, "needs_match", 1.0, frozenset()),
        "statements.late": ScoredAnswer(0.0, "ways_of_working", 3.0, frozenset({"signal"})),
    }


def test_score_answers_leaves_out_hidden_not_applicable_and_unanswered(all_types: Questionnaire) -> None:
    # Arrange: role "other" hides the whole fit section; the statements are not applicable or unanswered
    answers = {
        "role": "other",
        "needs": "5",
        "workarounds": "2",
        "contact": "weekly",
        "recommend": "10",
        "statements.clear": "NA",
    }

    # Act
    scored = score_answers(all_types, answers)

    # Assert
    assert scored == {"recommend": ScoredAnswer(100.0, "relationship", 1.0, frozenset({"nps"}))}


def test_score_answers_invalid_value_raises(all_types: Questionnaire) -> None:
    # Act
    with pytest.raises(ValueError) as caught:
        score_answers(all_types, {"recommend": "11"})

    # Assert
    assert str(caught.value) == "item 'recommend': '11' is not a value from 0 to 10"


def test_knockouts_lists_visible_knocked_out_questions(all_types: Questionnaire) -> None:
    # Arrange: needs 1 knocks out (scale), contact "never" would too but needs >= 3 hides it
    answers = {"role": "user", "needs": "1", "contact": "never"}

    # Act
    found = (
        knockouts(all_types, answers),
        knockouts(all_types, {"role": "user", "needs": "3", "contact": "never"}),
    )

    # Assert
    assert found == (["needs"], ["contact"])


def test_advice_conditions_in_question_order(all_types: Questionnaire) -> None:
    # Arrange
    answers = {"role": "user", "needs": "2", "channels": "phone"}

    # Act
    conditions = advice_conditions(all_types, answers)

    # Assert
    assert [condition.en for condition in conditions] == ["Agree on the needs.", "Fixed call times"]


def test_validate_answers_reports_per_key(all_types: Questionnaire) -> None:
    # Arrange
    answers = {"role": "boss", "needs": "3", "nope": "1", "hours": "", "statements.late": "9"}

    # Act
    problems = validate_answers(all_types, answers)

    # Assert
    assert problems == {
        "role": "'boss' is not an option of this question (options: buyer, user, other)",
        "nope": "'nope' is not a question of 'all-types'",
        "statements.late": "'9' is not a value from 1 to 4",
    }
