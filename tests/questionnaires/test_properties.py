"""Properties over random valid questionnaires: dump -> YAML -> load gives an equal object with the same
version, and every valid answer scores within 0..100."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.questionnaires import Questionnaire, load_questionnaire, load_scoring
from surveyapp.questionnaires.types import handler_for, score_answers
from tests.questionnaires.conftest import DATA

SCORING = load_scoring(DATA / "scoring.yaml")
# Dimensions the client perspective may judge in the test model (effort is supplier-only: it would warn).
DIMENSIONS = ["needs_match", "ways_of_working", "relationship"]
KEYS = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)
WORDS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzéëïABCXYZ0123456789 .,:;?!#'\"-&<>|/\\", min_size=1, max_size=30
)
SUFFIX = st.sampled_from(["", " {supplier}", " {account}", " {{x}}"])


@st.composite
def texts(draw: st.DrawFn) -> dict[str, str]:
    def one() -> str:
        word = draw(WORDS.filter(lambda value: value.strip() != ""))
        return word + draw(SUFFIX)

    return {"nl": one(), "en": one()}


@st.composite
def scales(draw: st.DrawFn) -> dict[str, Any]:
    points = draw(st.integers(2, 11))
    anchors = {1: draw(texts()), points: draw(texts())}
    for value in draw(st.sets(st.integers(1, points), max_size=3)):
        anchors[value] = draw(texts())
    return {"points": points, "anchors": anchors}


@st.composite
def options(draw: st.DrawFn, *, scored: bool) -> list[dict[str, Any]]:
    keys = draw(
        st.lists(st.from_regex(r"[a-z0-9_]{1,6}", fullmatch=True), min_size=2, max_size=5, unique=True)
    )
    result = []
    for index, key in enumerate(keys):
        entry: dict[str, Any] = {"key": key, "label": draw(texts())}
        not_applicable = index == len(keys) - 1 and len(keys) > 2 and draw(st.booleans())
        if not_applicable:
            entry["not_applicable"] = True
        elif scored or draw(st.booleans()):
            entry["score"] = draw(st.one_of(st.integers(0, 100), st.floats(0, 100, allow_nan=False)))
        if draw(st.booleans()):
            entry["knockout"] = True
        if draw(st.booleans()):
            entry["condition"] = draw(texts())
        result.append(entry)
    return result


@st.composite
def questions(draw: st.DrawFn, key: str, earlier: list[str], nps_taken: bool) -> dict[str, Any]:
    kinds = ["scale", "single", "multi", "text", "longtext", "number", "date", "matrix"]
    kind = draw(st.sampled_from(kinds if nps_taken else [*kinds, "nps"]))
    dimension = draw(st.one_of(st.none(), st.sampled_from(DIMENSIONS)))
    data: dict[str, Any] = {"key": key, "type": kind, "text": draw(texts())}
    if draw(st.booleans()):
        data["help"] = draw(texts())
    data["required"] = draw(st.booleans())
    if kind in ("scale", "nps", "single", "multi", "matrix") and dimension is not None:
        data["dimension"] = dimension
        data["weight"] = draw(st.sampled_from([0.5, 1, 1.5, 2, 3]))
    if kind in ("scale", "nps", "single", "multi", "number", "date", "matrix"):
        data["not_applicable"] = draw(st.booleans())
    if kind in ("scale", "nps", "matrix"):
        data["reverse"] = draw(st.booleans())
    if kind in ("scale", "matrix"):
        data["scale"] = draw(scales())
    if kind == "scale" and draw(st.booleans()):
        data["knockout_at_or_below"] = draw(st.integers(1, data["scale"]["points"] - 1))
    if kind in ("single", "multi"):
        data["options"] = draw(options(scored="dimension" in data))
    if kind == "number" and draw(st.booleans()):
        low = draw(st.integers(-100, 100))
        data.update(min=low, max=low + draw(st.integers(0, 1000)), unit=draw(texts()))
    if kind in ("text", "longtext") and draw(st.booleans()):
        data["max_length"] = draw(st.integers(1, 300))
    if kind == "matrix":
        row_keys = draw(
            st.lists(st.from_regex(r"[a-z0-9_]{1,5}", fullmatch=True), min_size=1, max_size=3, unique=True)
        )
        data["rows"] = [
            {"key": row, "text": draw(texts()), **({"reverse": True} if draw(st.booleans()) else {})}
            for row in row_keys
        ]
    if earlier and draw(st.booleans()):
        data["show_if"] = f"{draw(st.sampled_from(earlier))} answered"
    if draw(st.booleans()):
        data["tags"] = draw(
            st.lists(st.sampled_from(["open", "quote_consent", "extra_tag"]), unique=True, max_size=2)
        )
    return data


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    keys = draw(st.lists(KEYS, min_size=1, max_size=8, unique=True))
    sections: list[dict[str, Any]] = []
    earlier: list[str] = []
    nps_taken = False
    index = 0
    while index < len(keys):
        size = draw(st.integers(1, 3))
        section_questions = []
        for key in keys[index : index + size]:
            question = draw(questions(key, earlier, nps_taken))
            nps_taken = nps_taken or question["type"] == "nps"
            section_questions.append(question)
        section: dict[str, Any] = {
            "key": f"s{len(sections)}",
            "title": draw(texts()),
            "questions": section_questions,
        }
        if earlier and draw(st.booleans()):
            section["show_if"] = f"not {earlier[0]} answered"
        sections.append(section)
        for question in section_questions:
            if question["type"] == "matrix":
                earlier.extend(f"{question['key']}.{row['key']}" for row in question["rows"])
            else:
                earlier.append(question["key"])
        index += size
    return Questionnaire.model_validate(
        {
            "slug": "generated",
            "title": draw(texts()),
            "phase": draw(st.sampled_from(["prepare", "interview", "analyse", "act"])),
            "purpose": draw(st.sampled_from(["survey", "interview", "brief", "deal_check"])),
            "perspective": "client",
            "intro": draw(texts()),
            "outro": draw(texts()),
            "privacy": draw(texts()),
            "sections": sections,
        }
    )


def raw_answers(questionnaire: Questionnaire) -> st.SearchStrategy[dict[str, str]]:
    """Valid raw answers for some items of a questionnaire."""
    per_item: dict[str, st.SearchStrategy[str]] = {}
    for item in questionnaire.items:
        question = item.question
        choices: st.SearchStrategy[str]
        if item.type.value in ("scale", "matrix"):
            choices = st.integers(1, question.scale.points).map(str)  # type: ignore[union-attr]
        elif item.type.value == "nps":
            choices = st.integers(0, 10).map(str)
        elif item.type.value == "single":
            choices = st.sampled_from([option.key for option in question.options or ()])
        elif item.type.value == "multi":
            plain = [option.key for option in question.options or () if not option.not_applicable]
            choices = st.lists(st.sampled_from(plain), min_size=1, unique=True).map(
                lambda chosen, keys=plain: "|".join(key for key in keys if key in chosen)
            )
        elif item.type.value == "number":
            low = int(question.min) if question.min is not None else -1000
            high = int(question.max) if question.max is not None else 1000
            choices = st.integers(low, high).map(str)
        elif item.type.value == "date":
            choices = st.dates().map(lambda day: day.isoformat())
        else:
            choices = st.text(alphabet="abc xyz", min_size=1, max_size=question.max_length or 50)
        if question.not_applicable:
            choices = st.one_of(choices, st.just("NA"))
        per_item[item.key] = choices
    return st.fixed_dictionaries({}, optional=per_item)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaire=questionnaires(), sort_keys=st.booleans())
def test_generated_questionnaire_round_trips_through_yaml(
    questionnaire: Questionnaire, sort_keys: bool
) -> None:
    # Arrange
    content = questionnaire.model_dump(mode="json", exclude_none=True, exclude_defaults=not sort_keys)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(yaml.safe_dump(content, sort_keys=sort_keys, allow_unicode=True), encoding="utf-8")

        # Act
        loaded = load_questionnaire(path, SCORING)

    # Assert
    assert loaded == questionnaire
    assert loaded.version == questionnaire.version


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_answers_are_valid_and_score_within_0_and_100(data: st.DataObject) -> None:
    # Arrange
    questionnaire = data.draw(questionnaires())
    answers = data.draw(raw_answers(questionnaire))

    # Act
    problems = {key: handler_for(questionnaire.item(key)).validate_raw(questionnaire.item(key), raw)
                for key, raw in answers.items()}  # fmt: skip
    item_scores = [handler_for(item).score(item, answers.get(item.key)) for item in questionnaire.items]
    scored = score_answers(questionnaire, answers)

    # Assert
    assert set(problems.values()) <= {None}
    assert all(0 <= score <= 100 for score in item_scores if score is not None)
    assert all(0 <= answer.score <= 100 for answer in scored.values())
    assert set(scored) <= {item.key for item in questionnaire.items}
