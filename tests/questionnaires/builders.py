"""Small in-memory questionnaires for tests: only what a test varies is written out."""

from __future__ import annotations

from typing import Any

from surveyapp.questionnaires import Item, Question, Questionnaire


def text(word: str) -> dict[str, str]:
    return {"nl": f"{word} (nl)", "en": word}


def scale(points: int) -> dict[str, Any]:
    return {"points": points, "anchors": {1: text("low"), points: text("high")}}


def question(key: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "text": text(f"Question {key}"), **fields}


def option(key: str, score: float | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "label": text(f"Option {key}"), **fields}
    if score is not None:
        data["score"] = score
    return data


def questionnaire(*questions: dict[str, Any], sections: list[dict[str, Any]] | None = None) -> Questionnaire:
    """A questionnaire with the given questions in one section (or the given sections)."""
    return Questionnaire.model_validate(
        {
            "slug": "test",
            "title": text("Test"),
            "phase": "interview",
            "purpose": "survey",
            "perspective": "client",
            "intro": text("Intro"),
            "outro": text("Outro"),
            "privacy": text("Privacy"),
            "sections": sections or [{"key": "s1", "title": text("Section"), "questions": list(questions)}],
        }
    )


def only_item(**fields: Any) -> Item:
    """The single item of a questionnaire made of one question."""
    built = questionnaire(fields)
    (item,) = built.items
    return item


def only_question(**fields: Any) -> Question:
    return questionnaire(fields).questions[0]
