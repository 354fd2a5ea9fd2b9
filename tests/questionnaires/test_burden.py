"""The respondent's time a questionnaire takes (`questionnaires.burden`) and the check's warnings about it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from surveyapp.questionnaires.burden import check_burden, estimate, summary
from surveyapp.questionnaires.cli import questionnaires
from surveyapp.questionnaires.schema import Questionnaire
from tests.questionnaires.builders import question, scale, text

ROOT = Path(__file__).resolve().parents[2]


def _questionnaire(
    *questions: dict[str, Any], intro: str = "Intro", minutes: int | None = None, **fields: Any
) -> Questionnaire:
    data: dict[str, Any] = {
        "slug": "test",
        "title": text("Test"),
        "phase": "interview",
        "purpose": "survey",
        "perspective": "client",
        "intro": {"nl": intro, "en": intro},
        "outro": text("Outro"),
        "privacy": text("Privacy"),
        "sections": [{"key": "s1", "title": text("Section"), "questions": list(questions)}],
        **fields,
    }
    if minutes is not None:
        data["estimated_minutes"] = minutes
    return Questionnaire.model_validate(data)


def _scales(count: int) -> list[dict[str, Any]]:
    return [question(f"q{number}", "scale", scale=scale(5)) for number in range(count)]


def _warnings(questionnaire: Questionnaire) -> list[tuple[tuple[str, ...], str]]:
    found: list[tuple[tuple[str, ...], str]] = []
    check_burden(questionnaire, lambda path, message: found.append((path, message)))
    return found


def test_estimate_adds_seconds_per_answer_type_page_and_intro_words():
    # Arrange: a page (5 s), a scale (7), a 3-row matrix (3 x 6), a longtext (45), a number shown only
    # sometimes (12); an intro of 10 words at 200 a minute (3 s)
    matrix = question(
        "grid",
        "matrix",
        scale=scale(5),
        rows=[{"key": key, "text": text(key)} for key in ("a", "b", "c")],
    )
    built = _questionnaire(
        question("q1", "scale", scale=scale(5)),
        matrix,
        question("why", "longtext"),
        question("hours", "number", show_if="q1 >= 3"),
        intro="one two three four five six seven eight nine ten",
    )

    # Act
    burden = estimate(built)

    # Assert
    assert (burden.seconds, burden.answers, burden.conditional, burden.minutes) == (90, 6, 1, 2)


def test_summary_of_a_staff_survey_is_per_account_and_of_an_interview_its_stated_minutes():
    # Arrange
    staff = _questionnaire(*_scales(10), perspective="supplier", phase="prepare")
    interview = _questionnaire(*_scales(10), purpose="interview", minutes=40)

    # Act / Assert: 5 + 70 + 1 s = 76 s: 2 minutes
    assert (summary(staff), summary(interview)) == ("about 2 min per account", "interview of about 40 min")


def test_check_burden_over_twelve_minutes_warns_with_the_estimate():
    # Arrange: 5 + 103 x 7 + 1 = 727 s: 13 minutes
    built = _questionnaire(*_scales(103), minutes=13)

    # Act
    warnings = _warnings(built)

    # Assert
    assert warnings == [
        (
            ("sections",),
            "estimated 13 minutes (103 answers), above the 12 a survey should take: shorten it, or split it",
        )
    ]


def test_check_burden_stated_minutes_below_the_estimate_warns_that_the_promise_is_not_kept():
    # Arrange: 5 + 20 x 7 + 1 = 146 s: 3 minutes, stated 2
    built = _questionnaire(*_scales(20), minutes=2)

    # Act
    warnings = _warnings(built)

    # Assert
    assert warnings == [
        (
            ("estimated_minutes",),
            "states 2 minutes, but its questions take about 3 (20 answers): the respondent is promised less "
            "than it takes",
        )
    ]


def test_check_burden_intro_promising_other_minutes_warns_per_language():
    # Arrange
    built = _questionnaire(*_scales(2), minutes=5, intro="Het duurt ongeveer 10 minuten / about 10 minutes.")

    # Act
    warnings = _warnings(built)

    # Assert
    assert warnings == [
        (("intro", "nl"), "the nl introduction says 10 minutes, estimated_minutes says 5"),
        (("intro", "en"), "the en introduction says 10 minutes, estimated_minutes says 5"),
    ]


def test_check_burden_of_an_interview_guide_holds_it_to_its_introduction_only():
    # Arrange: 40 stated minutes, far more than its self-completion estimate; the intro agrees
    built = _questionnaire(*_scales(2), purpose="interview", minutes=40, intro="About 40 minutes.")

    # Act / Assert
    assert _warnings(built) == []


def test_check_of_the_shipped_folder_prints_each_questionnaires_minutes_without_warnings():
    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(ROOT / "questionnaires")])

    # Assert
    assert result.exit_code == 0
    assert result.stderr == ""
    endings = {
        line.split(":")[0].removeprefix("OK "): line.rsplit(", ", 1)[1] for line in result.stdout.splitlines()
    }
    assert {Path(name).name: ending for name, ending in endings.items() if "scoring" not in name} == {
        "deal-fit-check.yaml": "about 4 min",
        "fit-client.yaml": "about 8 min",
        "fit-supplier-predicts.yaml": "about 6 min per account",
        "fit-supplier.yaml": "about 9 min per account",
        "intake.yaml": "about 12 min",
        "interview-guide-supplier.yaml": "interview of about 35 min",
        "interview-guide.yaml": "interview of about 40 min",
    }
