"""Visibility on the server: hidden sections hide their questions, and hidden answers never count."""

from __future__ import annotations

from surveyapp.questionnaires import Questionnaire
from surveyapp.questionnaires.visibility import is_visible, visibility, visible_answers, visible_questions
from tests.questionnaires.builders import question, questionnaire, text


def test_visible_questions_without_answers(all_types: Questionnaire) -> None:
    # Act
    keys = [q.key for q in visible_questions(all_types, {})]

    # Assert: hours needs a role, the fit section needs role != other (false when unanswered),
    # why, consent and when need answers
    assert keys == ["role", "since", "name", "recommend", "statements"]


def test_visible_questions_follow_the_answers(all_types: Questionnaire) -> None:
    # Arrange
    answers = {
        "role": "buyer",
        "needs": "4",
        "recommend": "3",
        "why": "Slow.",
        "since": "2021-05-01",
        "hours": "12",
    }

    # Act
    keys = [q.key for q in visible_questions(all_types, answers)]

    # Assert
    assert keys == [
        "role", "since", "hours", "name", "needs", "workarounds", "channels", "recommend", "statements",
        "why", "consent",
    ]  # fmt: skip


def test_hidden_section_hides_its_questions_and_their_answers_do_not_count(all_types: Questionnaire) -> None:
    # Arrange: role "other" hides the fit section, so channels' show_if (needs answered) must not see needs
    answers = {"role": "other", "needs": "5", "channels": "mail"}

    # Act
    outcome = visibility(all_types, answers)

    # Assert
    assert "fit" not in outcome.sections
    assert {"needs", "channels"} & outcome.questions == set()
    assert dict(outcome.answers) == {"role": "other"}


def test_hidden_answer_does_not_make_a_later_question_visible() -> None:
    # Arrange: b is hidden (a is not yes), so c, which depends on b, stays hidden even though b has an answer
    built = questionnaire(
        question(
            "a", "single", options=[{"key": "yes", "label": text("Yes")}, {"key": "no", "label": text("No")}]
        ),
        question("b", "text", show_if="a == yes"),
        question("c", "text", show_if="b answered"),
    )

    # Act
    keys = [q.key for q in visible_questions(built, {"a": "no", "b": "stale", "c": "stale"})]

    # Assert
    assert keys == ["a"]


def test_not_applicable_counts_as_not_answered_for_show_if(all_types: Questionnaire) -> None:
    # Act
    shown = is_visible(all_types, all_types.question("channels"), {"role": "user", "needs": "NA"})

    # Assert
    assert shown is False


def test_is_visible_for_a_section(all_types: Questionnaire) -> None:
    # Act
    results = (
        is_visible(all_types, all_types.section("fit"), {"role": "user"}),
        is_visible(all_types, all_types.section("fit"), {"role": "other"}),
    )

    # Assert
    assert results == (True, False)


def test_visible_answers_drops_hidden_empty_and_unknown_keys(all_types: Questionnaire) -> None:
    # Act
    counted = visible_answers(
        all_types, {"role": "other", "needs": "3", "name": "", "ghost": "1", "recommend": "8"}
    )

    # Assert
    assert counted == {"role": "other", "recommend": "8"}


def test_matrix_row_answer_drives_a_later_condition(all_types: Questionnaire) -> None:
    # Act
    keys = [q.key for q in visible_questions(all_types, {"statements.late": "3"})]

    # Assert
    assert "why" in keys
