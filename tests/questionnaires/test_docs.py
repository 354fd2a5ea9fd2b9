"""docs/questionnaires.md stays true: the worked example is the tested file, its numbers and its error listing
are what the engine produces, and every YAML snippet is valid YAML."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from surveyapp.questionnaires import ScoringModel, check_paths, load_questionnaire
from surveyapp.questionnaires.source import read_text
from surveyapp.questionnaires.types import advice_conditions, knockouts, score_answers
from tests.questionnaires.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "questionnaires.md").read_text(encoding="utf-8")
EXAMPLE = DATA / "worked-example.yaml"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, re.S)


def test_docs_worked_example_is_the_tested_file() -> None:
    # Act
    block = DOC.split("## 16. A worked example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]

    # Assert
    assert block == EXAMPLE.read_text(encoding="utf-8")


def test_docs_worked_example_is_valid_without_warnings(tmp_path: Path) -> None:
    # Arrange
    shutil.copy(DATA / "scoring.yaml", tmp_path / "scoring.yaml")
    shutil.copy(EXAMPLE, tmp_path / "worked-example.yaml")

    # Act
    result = check_paths([tmp_path / "worked-example.yaml"])

    # Assert
    assert result.errors == []
    assert result.warnings == []
    assert len(result.summaries) == 1


def test_docs_worked_example_fits_the_shipped_dimensions(tmp_path: Path) -> None:
    # Arrange
    shutil.copy(ROOT / "questionnaires" / "scoring.yaml", tmp_path / "scoring.yaml")
    shutil.copy(EXAMPLE, tmp_path / "worked-example.yaml")

    # Act
    result = check_paths([tmp_path / "worked-example.yaml"])

    # Assert
    assert result.errors == []


@pytest.mark.parametrize("index", range(len(yaml_blocks())))
def test_docs_yaml_snippets_are_valid_yaml(index: int) -> None:
    # Act
    source = read_text(yaml_blocks()[index], f"snippet {index}")

    # Assert
    assert source.diagnostics == []


def test_docs_scoring_example_is_what_the_engine_computes(scoring: ScoringModel) -> None:
    # Arrange
    example = load_questionnaire(EXAMPLE, scoring)
    answers = {
        "role": "user", "needs_1": "4", "statements.clear": "5", "workarounds": "2", "contact": "monthly",
        "channels": "email|portal", "statements.late": "4", "recommend": "8", "continue_next_year": "1",
    }  # fmt: skip

    # Act
    scored = score_answers(example, answers)
    dimensions: dict[str, list[float]] = {}
    for answer in scored.values():
        total = dimensions.setdefault(answer.dimension or "", [0.0, 0.0])
        total[0] += answer.score * answer.weight
        total[1] += answer.weight
    means = {key: round(value[0] / value[1], 1) for key, value in dimensions.items()}

    # Assert
    assert {key: round(answer.score, 1) for key, answer in scored.items()} == {
        "needs_1": 75.0, "statements.clear": 100.0, "workarounds": 83.3, "contact": 60.0, "channels": 65.0,
        "statements.late": 25.0, "recommend": 80.0,
    }  # fmt: skip
    assert means == {"needs_match": 83.3, "ways_of_working": 50.2, "relationship": 80.0}
    assert knockouts(example, answers) == []
    assert knockouts(example, {**answers, "role": "decision_maker"}) == ["continue_next_year"]
    assert advice_conditions(example, answers) == []


def test_docs_error_listing_is_what_the_check_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: the worked example with the five mistakes the docs show
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(DATA / "scoring.yaml", folder / "scoring.yaml")
    text = EXAMPLE.read_text(encoding="utf-8").replace("slug: worked-example", "slug: my-survey")
    for old, new in [
        (
            "        dimension: needs_match\n        weight: 2",
            "        dimension: needs_macth\n        weight: 2",
        ),
        ("show_if: role in [decision_maker, user]", "show_if: role in [decision_maker, usr]"),
        ("            score: 60\n", "            score: 160\n"),
        ("        show_if: workarounds >= 5", "        show_if: workarounds => 5"),
        (
            "        required: true\n        dimension: relationship",
            "        requird: true\n        dimension: relationship",
        ),
    ]:
        assert old in text
        text = text.replace(old, new, 1)
    (folder / "my-survey.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    documented = [line for line in DOC.splitlines() if line.startswith("questionnaires/my-survey.yaml:")]

    # Act
    result = check_paths([Path("questionnaires")])

    # Assert
    assert result.errors == documented
