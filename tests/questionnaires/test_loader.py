"""Loading: valid files, scoring.yaml checks, folders with cross-file rules, warnings, shared cached "
"objects."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from surveyapp.questionnaires import (
    Questionnaire,
    QuestionnaireError,
    ScoringModel,
    check_paths,
    load_directory,
    load_questionnaire,
    load_scoring,
    questionnaire_from_content,
    scoring_from_content,
)
from tests.questionnaires.conftest import DATA

SMALL = """
slug: {slug}
title: {{nl: Klein, en: Small}}
phase: interview
purpose: survey
perspective: {perspective}
{extra}
intro: {{nl: Hallo, en: Hello}}
outro: {{nl: Dag, en: Bye}}
privacy: {{nl: Privé, en: Private}}
sections:
  - key: s1
    title: {{nl: Een, en: One}}
    questions:
      - key: q1
        type: scale
        text: {{nl: Een, en: One}}
        dimension: {dimension}
        {question_extra}
        scale: {{points: 5, anchors: {{1: {{nl: a, en: a}}, 5: {{nl: b, en: b}}}}}}
"""


def small(
    slug: str,
    *,
    perspective: str = "client",
    extra: str = "",
    dimension: str = "needs_match",
    question_extra: str = "",
) -> str:
    return SMALL.format(
        slug=slug, perspective=perspective, extra=extra, dimension=dimension, question_extra=question_extra
    )


def copy_data(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for name in ("scoring.yaml", *names):
        shutil.copy(DATA / name, folder / name)
    return folder


def test_load_questionnaire_valid_file_gives_the_model(all_types: Questionnaire) -> None:
    # Act
    keys = [question.key for question in all_types.questions]

    # Assert
    assert (all_types.slug, all_types.phase, all_types.purpose, all_types.perspective) == (
        "all-types",
        "interview",
        "survey",
        "client",
    )
    assert keys == [
        "role", "since", "hours", "name", "needs", "workarounds", "contact", "channels", "recommend",
        "statements", "why", "consent", "when",
    ]  # fmt: skip


def test_load_scoring_valid_file_gives_the_model(scoring: ScoringModel) -> None:
    # Act
    dimension = scoring.dimension("effort")

    # Assert
    assert scoring.dimension_keys == ("needs_match", "ways_of_working", "relationship", "effort")
    assert (dimension.weight, dimension.perspectives) == (1.5, ("supplier",))
    assert (scoring.thresholds.quadrant, scoring.thresholds.min_n) == (60.0, 3)


def test_load_scoring_without_thresholds_uses_the_design_defaults(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "scoring.yaml"
    path.write_text(
        "dimensions:\n  - {key: d, name: {nl: D, en: D}, description: {nl: D, en: D}}\n", encoding="utf-8"
    )

    # Act
    model = load_scoring(path)

    # Assert
    assert model.thresholds.model_dump() == {
        "quadrant": 60.0, "gap": 15.0, "signal": 40.0, "min_n": 3, "borderline_band": 5.0,
        "confidential_min_n": 3, "deal_fit_go": 70.0, "deal_fit_no_go": 50.0,
    }  # fmt: skip
    assert model.perspectives_compared == ("client", "supplier")
    assert model.dimensions[0].perspectives == ("client", "supplier")


SCORING_CASES = [
    (
        "no_go_above_go",
        "thresholds: {deal_fit_go: 60, deal_fit_no_go: 70}\n",
        [(7, "thresholds: 'deal_fit_no_go' (70) must not be above 'deal_fit_go' (60)")],
    ),
    (
        "threshold_out_of_range",
        "thresholds:\n  quadrant: 160\n  min_n: 0\n",
        [
            (8, "thresholds: 'quadrant' must be from 0 to 100, not 160"),
            (9, "thresholds: 'min_n' must be at least 1, not 0"),
        ],
    ),
    (
        "confidential_min_n_below_three",
        "thresholds: {confidential_min_n: 2}\n",
        [
            (
                7,
                "thresholds: 'confidential_min_n' must be at least 3 (in a group of two each can read the "
                "other's answers, and the survey and email texts promise three), not 2",
            )
        ],
    ),
    (
        "compared_perspectives_not_two",
        "perspectives_compared: [client, client]\n",
        [
            (
                7,
                "'perspectives_compared' must name two different perspectives (client, supplier, "
                "supplier_predicts_client)",
            )
        ],
    ),
    (
        "unknown_threshold",
        "thresholds: {quadrnt: 50}\n",
        [(7, "unknown field 'thresholds.quadrnt' (did you mean 'quadrant'?)")],
    ),
]


@pytest.mark.parametrize(
    ("name", "extra", "expected"), SCORING_CASES, ids=[case[0] for case in SCORING_CASES]
)
def test_load_scoring_broken_file_reports_exact_message_and_line(
    tmp_path: Path, name: str, extra: str, expected: list[tuple[int, str]]
) -> None:
    # Arrange
    path = tmp_path / "scoring.yaml"
    dimensions = (
        "dimensions:\n"
        "  - key: d1\n"
        "    name: {nl: D, en: D}\n"
        "    description: {nl: D, en: D}\n"
        "  - {key: d2, name: {nl: E, en: E}, description: {nl: E, en: E}}\n"
        "# thresholds and perspectives follow\n"
    )
    path.write_text(dimensions + extra, encoding="utf-8")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_scoring(path)

    # Assert
    assert caught.value.messages == [f"{path}:{line}: {message}" for line, message in expected]


def test_load_scoring_dimension_errors_are_reported(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "scoring.yaml"
    path.write_text(
        "dimensions:\n"
        "  - {key: d1, name: {nl: D, en: D}, description: {nl: D, en: D}}\n"
        "  - {key: d1, name: {nl: 'D {supplier}', en: D}, description: {nl: D, en: D}, weight: 0}\n"
        "  - {key: d3, name: {nl: D, en: D}, description: {nl: D, en: D}, perspectives: [none, client, "
        "client]}\n",
        encoding="utf-8",
    )

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_scoring(path)

    # Assert
    assert caught.value.messages == [
        f"{path}:3: dimension 'd1': 'weight' must be greater than 0",
        f"{path}:3: duplicate dimension key 'd1' (first on line 2)",
        f"{path}:4: dimension 'd3': 'none' is not a perspective that can judge a dimension",
        f"{path}:4: dimension 'd3': 'perspectives' names a perspective twice",
    ]


def test_check_paths_folder_prints_one_summary_per_file(tmp_path: Path) -> None:
    # Arrange
    folder = copy_data(tmp_path, "all-types.yaml", "all-types-supplier.yaml")

    # Act
    result = check_paths([folder])

    # Assert
    scoring = load_scoring(folder / "scoring.yaml")
    client = load_questionnaire(folder / "all-types.yaml", scoring)
    supplier = load_questionnaire(folder / "all-types-supplier.yaml", scoring)
    assert result.errors == []
    assert result.warnings == []
    assert result.summaries == [
        f"OK {folder / 'scoring.yaml'}: scoring v{scoring.version[:12]}, 4 dimensions",
        f"OK {folder / 'all-types-supplier.yaml'}: all-types-supplier v{supplier.version[:12]}, 1 section, "
        "4 questions, 4 scored items, about 1 min per account",
        f"OK {folder / 'all-types.yaml'}: all-types v{client.version[:12]}, 3 sections, 13 questions, "
        "7 scored items, about 4 min",
    ]


def test_check_paths_single_file_needs_scoring_next_to_it(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "lonely.yaml"
    path.write_text(small("lonely"), encoding="utf-8")

    # Act
    result = check_paths([path])

    # Assert
    assert result.errors == [
        f"{tmp_path / 'scoring.yaml'}:1: no such file: every questionnaire folder needs a scoring.yaml"
    ]
    assert result.summaries == []


def test_check_paths_missing_path_is_an_error(tmp_path: Path) -> None:
    # Act
    result = check_paths([tmp_path / "nothing"])

    # Assert
    assert result.errors == [f"{tmp_path / 'nothing'}:1: no such file or folder"]


def test_check_paths_relative_path_is_shown_as_given(
    write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange
    path = write("small.yaml", small("small", dimension="scop"))
    monkeypatch.chdir(path.parent.parent)

    # Act
    result = check_paths([Path(path.parent.name) / "small.yaml"])

    # Assert
    assert result.errors == [f"{path.parent.name}/small.yaml:17: question 'q1': unknown dimension 'scop'"]


def test_check_paths_invalid_scoring_reports_it_and_skips_the_questionnaires(
    write: Callable[[str, str], Path],
) -> None:
    # Arrange
    path = write("small.yaml", small("small"))
    scoring_path = write("scoring.yaml", "dimensions: []\n")

    # Act
    result = check_paths([path.parent])

    # Assert
    assert result.errors == [f"{scoring_path}:1: 'dimensions' needs at least 1 entry"]
    assert result.summaries == []


def test_check_paths_mirror_of_pointing_at_nothing_is_an_error(write: Callable[[str, str], Path]) -> None:
    # Arrange
    client = write("c.yaml", small("c", extra="mirror: s", question_extra="mirror_of: q9"))
    write("s.yaml", small("s", perspective="supplier"))

    # Act
    result = check_paths([client.parent])

    # Assert
    assert result.errors == [f"{client}:18: question 'q1': mirror_of 'q9' is not in 's'"]


def test_check_paths_missing_mirror_is_an_error_in_a_folder_only(write: Callable[[str, str], Path]) -> None:
    # Arrange
    client = write("c.yaml", small("c", extra="mirror: gone", question_extra="mirror_of: q1"))

    # Act
    folder_result = check_paths([client.parent])
    file_result = check_paths([client])

    # Assert
    assert folder_result.errors == [f"{client}:6: mirror 'gone' is not a questionnaire in this folder"]
    assert file_result.errors == []


def test_check_paths_mirror_with_other_type_and_dimension_warns(write: Callable[[str, str], Path]) -> None:
    # Arrange
    client = write("c.yaml", small("c", extra="mirror: s", question_extra="mirror_of: q1"))
    write("s.yaml", small("s", perspective="supplier", dimension="ways_of_working"))

    # Act
    result = check_paths([client.parent])

    # Assert
    assert result.errors == []
    assert (
        f"{client}:18: question 'q1': dimension 'needs_match' differs from 'ways_of_working' of 'q1' in 's'"
        in (result.warnings)
    )


def test_check_paths_dimension_asked_from_one_perspective_only_warns(
    write: Callable[[str, str], Path],
) -> None:
    # Arrange
    client = write("c.yaml", small("c"))
    write("s.yaml", small("s", perspective="supplier", dimension="effort"))
    scoring_path = client.parent / "scoring.yaml"

    # Act
    result = check_paths([client.parent])

    # Assert
    assert result.errors == []
    assert result.warnings == [
        f"{scoring_path}:3: dimension 'needs_match' is asked from the client perspective only, but "
        "scoring.yaml "
        "says supplier can judge it too",
        f"{scoring_path}:8: dimension 'ways_of_working' is not used by any questionnaire",
        f"{scoring_path}:12: dimension 'relationship' is not used by any questionnaire",
    ]


def test_check_paths_dimension_the_perspective_cannot_judge_warns(write: Callable[[str, str], Path]) -> None:
    # Arrange
    client = write("c.yaml", small("c", dimension="effort"))

    # Act
    result = check_paths([client])

    # Assert
    assert result.errors == []
    assert result.warnings == [
        f"{client}:17: question 'q1': dimension 'effort' is scored from the client perspective here, but "
        "scoring.yaml lets only supplier judge it"
    ]


def test_check_paths_yml_file_is_ignored_with_a_warning(write: Callable[[str, str], Path]) -> None:
    # Arrange
    stray = write("old.yml", small("old"))
    write("c.yaml", small("c"))

    # Act
    result = check_paths([stray.parent])

    # Assert
    assert f"{stray}:1: ignored: questionnaire files end in '.yaml'" in result.warnings


def test_load_directory_gives_every_questionnaire_and_the_scoring(tmp_path: Path) -> None:
    # Arrange
    folder = copy_data(tmp_path, "all-types.yaml", "all-types-supplier.yaml")

    # Act
    catalogue = load_directory(folder)

    # Assert
    assert list(catalogue.questionnaires) == ["all-types-supplier", "all-types"]
    assert [q.slug for q in catalogue] == ["all-types-supplier", "all-types"]
    assert catalogue.get("all-types").mirror == "all-types-supplier"
    assert catalogue.scoring.dimension_keys == ("needs_match", "ways_of_working", "relationship", "effort")
    assert catalogue.warnings == ()
    assert len(catalogue) == 2


def test_load_directory_invalid_file_raises_with_every_message(write: Callable[[str, str], Path]) -> None:
    # Arrange
    bad = write("bad.yaml", small("bad", dimension="scop"))
    worse = write("worse.yaml", "slug: worse\n")

    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(bad.parent)

    # Assert
    assert caught.value.messages[0] == f"{bad}:17: question 'q1': unknown dimension 'scop'"
    assert caught.value.messages[1] == f"{worse}:1: 'title' is required"
    assert len(caught.value.messages) == 9


def test_load_directory_missing_folder_raises(tmp_path: Path) -> None:
    # Act
    with pytest.raises(QuestionnaireError) as caught:
        load_directory(tmp_path / "gone")

    # Assert
    assert caught.value.messages == [f"{tmp_path / 'gone'}: no such folder"]


def test_questionnaire_from_content_gives_the_shared_frozen_object(all_types: Questionnaire) -> None:
    # Arrange
    content = all_types.content()

    # Act
    first = questionnaire_from_content(content)
    second = questionnaire_from_content(dict(content))

    # Assert
    assert first is all_types
    assert second is all_types


def test_questionnaire_from_content_without_defaults_gives_an_equal_object(all_types: Questionnaire) -> None:
    # Arrange
    content = all_types.model_dump(mode="json", exclude_defaults=True)

    # Act
    loaded = questionnaire_from_content(content)

    # Assert
    assert loaded is all_types


def test_scoring_from_content_gives_the_shared_frozen_object(scoring: ScoringModel) -> None:
    # Act
    loaded = scoring_from_content(scoring.content())

    # Assert
    assert loaded is scoring


def test_load_questionnaire_twice_gives_the_same_object(
    scoring: ScoringModel, all_types: Questionnaire
) -> None:
    # Act
    again = load_questionnaire(DATA / "all-types.yaml", scoring)

    # Assert
    assert again is all_types


def test_questionnaire_is_frozen(all_types: Questionnaire) -> None:
    # Act
    with pytest.raises(ValueError) as caught:
        all_types.slug = "other"  # type: ignore[misc]

    # Assert
    assert "frozen" in str(caught.value)


def test_questionnaire_anchors_are_read_only(all_types: Questionnaire) -> None:
    # Arrange
    anchors = all_types.question("needs").scale.anchors  # type: ignore[union-attr]

    # Act
    with pytest.raises(TypeError):
        anchors[3] = anchors[1]  # type: ignore[index]

    # Assert
    assert sorted(anchors) == [1, 5]
