"""The typed format: items (matrix rows inherit or override), versions (normalised content), texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from surveyapp.enums import QuestionType
from surveyapp.questionnaires import Questionnaire, ScoringModel, Text, load_questionnaire
from surveyapp.questionnaires.schema import content_hash
from tests.questionnaires.builders import question, questionnaire, text
from tests.questionnaires.conftest import DATA


def test_items_matrix_rows_inherit_unless_they_override(all_types: Questionnaire) -> None:
    # Act
    clear = all_types.item("statements.clear")
    late = all_types.item("statements.late")

    # Assert
    assert (clear.dimension, clear.weight, clear.reverse, clear.tags) == (
        "needs_match",
        1.0,
        False,
        frozenset(),
    )
    assert (late.dimension, late.weight, late.reverse, late.tags) == (
        "ways_of_working",
        3.0,
        True,
        frozenset({"signal"}),
    )
    assert (clear.type, clear.question.key, clear.row.key, clear.text.en) == (  # type: ignore[union-attr]
        QuestionType.MATRIX,
        "statements",
        "clear",
        "Agreements are clear.",
    )


def test_items_are_the_answerable_items_in_order(all_types: Questionnaire) -> None:
    # Act
    keys = [item.key for item in all_types.items]

    # Assert
    assert keys == [
        "role", "since", "hours", "name", "needs", "workarounds", "contact", "channels", "recommend",
        "statements.clear", "statements.late", "why", "consent", "when",
    ]  # fmt: skip


def test_scored_items_have_a_scoring_type_and_a_dimension(all_types: Questionnaire) -> None:
    # Act
    keys = [item.key for item in all_types.scored_items]

    # Assert
    assert keys == [
        "needs",
        "workarounds",
        "contact",
        "channels",
        "recommend",
        "statements.clear",
        "statements.late",
    ]


def test_nps_item_is_the_nps_question_with_the_implicit_tag(all_types: Questionnaire) -> None:
    # Act
    item = all_types.nps_item

    # Assert
    assert item is not None
    assert (item.key, item.tags) == ("recommend", frozenset({"nps"}))


def test_lookups_by_key(all_types: Questionnaire) -> None:
    # Act
    found = (
        all_types.question("channels").type,
        all_types.section("fit").key,
        all_types.section_of("channels").key,
        all_types.question("contact").option("never").knockout,  # type: ignore[union-attr]
    )

    # Assert
    assert found == (QuestionType.MULTI, "fit", "fit", True)
    with pytest.raises(KeyError):
        all_types.question("nope")
    with pytest.raises(KeyError):
        all_types.section("nope")


def test_version_is_the_hash_of_the_canonical_content(all_types: Questionnaire) -> None:
    # Act
    expected = content_hash(all_types.content())

    # Assert
    assert all_types.version == expected
    assert len(all_types.version) == 64


def test_version_ignores_layout_comments_and_key_order(tmp_path: Path, scoring: ScoringModel) -> None:
    # Arrange
    original = load_questionnaire(DATA / "all-types.yaml", scoring)
    data = yaml.safe_load((DATA / "all-types.yaml").read_text(encoding="utf-8"))
    reordered = dict(reversed(list(data.items())))
    path = tmp_path / "all-types.yaml"
    path.write_text("# rewritten\n" + yaml.safe_dump(reordered, sort_keys=True, indent=4), encoding="utf-8")

    # Act
    rewritten = load_questionnaire(path, scoring)

    # Assert
    assert rewritten.version == original.version
    assert rewritten == original


def test_version_counts_an_explicit_default_the_same_as_the_default(
    tmp_path: Path, scoring: ScoringModel
) -> None:
    # Arrange
    original = load_questionnaire(DATA / "all-types.yaml", scoring)
    text = (DATA / "all-types.yaml").read_text(encoding="utf-8")
    path = tmp_path / "all-types.yaml"
    path.write_text(
        text.replace("        max_length: 20\n", "        max_length: 20\n        required: false\n")
    )

    # Act
    rewritten = load_questionnaire(path, scoring)

    # Assert
    assert rewritten.version == original.version


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("en: Thank you.}", "en: Thank you!}"),
        ("            score: 50", "            score: 55"),
        ("      - key: when\n", "      - key: when_\n"),
        ("4: {nl: Soms, en: Sometimes}", "4: {nl: Soms, en: Now and then}"),
    ],
)
def test_version_changes_when_content_changes(
    tmp_path: Path, scoring: ScoringModel, old: str, new: str
) -> None:
    # Arrange
    original = load_questionnaire(DATA / "all-types.yaml", scoring)
    text = (DATA / "all-types.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "all-types.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    # Act
    changed = load_questionnaire(path, scoring)

    # Assert
    assert changed.version != original.version


def test_scoring_version_is_the_hash_of_its_content(scoring: ScoringModel) -> None:
    # Act
    expected = content_hash(scoring.content())

    # Assert
    assert scoring.version == expected


def test_text_render_fills_placeholders_per_language() -> None:
    # Arrange
    text = Text(
        nl="Hoe past {supplier} bij {account}? {{letterlijk}}", en="How does {supplier} fit {account}?"
    )

    # Act
    rendered = (
        text.render("nl", supplier="Acme", account="Beta"),
        text.render("en", supplier="Acme", account="Beta"),
    )

    # Assert
    assert rendered == ("Hoe past Acme bij Beta? {letterlijk}", "How does Acme fit Beta?")


def test_text_render_missing_placeholder_renders_empty() -> None:
    # Arrange
    text = Text(nl="Over {account}.", en="About {account}.")

    # Act
    rendered = text.render("en", supplier="Acme")

    # Assert
    assert rendered == "About ."


def test_text_render_never_formats_attributes() -> None:
    # Arrange
    text = Text(nl="{supplier}", en="{supplier}")

    # Act
    rendered = text.render("en", supplier="{account.__class__}")

    # Assert
    assert rendered == "{account.__class__}"


def test_text_unknown_language_falls_back_to_english() -> None:
    # Act
    rendered = Text(nl="Hallo", en="Hello").render("de")

    # Assert
    assert rendered == "Hello"


def test_version_survives_a_json_round_trip_with_two_digit_anchors() -> None:
    # Arrange: anchors 1..11 sort differently as numbers and as text; stored JSON has text keys
    anchors = {value: text(f"a{value}") for value in (1, 2, 10, 11)}
    original = questionnaire(question("q", "scale", scale={"points": 11, "anchors": anchors}))
    stored = json.loads(json.dumps(original.content()))

    # Act
    loaded = Questionnaire.model_validate(stored)

    # Assert
    assert loaded == original
    assert loaded.version == original.version
