"""`questionnaires check` and `questionnaires list`: exit codes, summary lines, every error on stderr."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from surveyapp.questionnaires import load_questionnaire, load_scoring
from surveyapp.questionnaires.cli import questionnaires
from tests.questionnaires.conftest import DATA

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "questionnaires"
    target.mkdir()
    for name in ("scoring.yaml", "all-types.yaml", "all-types-supplier.yaml"):
        shutil.copy(DATA / name, target / name)
    return target


def versions(folder: Path) -> tuple[str, str, str]:
    scoring = load_scoring(folder / "scoring.yaml")
    client = load_questionnaire(folder / "all-types.yaml", scoring)
    supplier = load_questionnaire(folder / "all-types-supplier.yaml", scoring)
    return scoring.version[:12], client.version[:12], supplier.version[:12]


def test_check_valid_folder_exits_0_with_one_line_per_file(folder: Path) -> None:
    # Arrange
    scoring, client, supplier = versions(folder)

    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(folder)])

    # Assert
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"OK {folder}/scoring.yaml: scoring v{scoring}, 4 dimensions",
        f"OK {folder}/all-types-supplier.yaml: all-types-supplier v{supplier}, 1 section, 4 questions, "
        "4 scored items, about 1 min per account",
        f"OK {folder}/all-types.yaml: all-types v{client}, 3 sections, 13 questions, 7 scored items, about 4 min",
    ]
    assert result.stderr == ""


def test_check_invalid_file_exits_1_with_every_error_on_stderr(folder: Path) -> None:
    # Arrange
    path = folder / "all-types.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("dimension: needs_match\n        weight: 2", "dimension: needs\n        weight: 2")
    text = text.replace("show_if: role in [buyer, user]", "show_if: role in [buyer, usr]")
    path.write_text(text, encoding="utf-8")

    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(path)])

    # Assert
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:38: question 'hours': show_if compares 'role' with 'usr', which is not one of its options "
        "(did you mean 'user'?)",
        f"{path}:53: question 'needs': unknown dimension 'needs' (did you mean 'needs_match'?)",
    ]


def test_check_prints_valid_files_and_errors_of_the_others(folder: Path) -> None:
    # Arrange
    broken = folder / "broken.yaml"
    broken.write_text("slug: broken\ntitle: {nl: Kapot, en: Broken}\nphase: later\n", encoding="utf-8")

    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(folder)])

    # Assert
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr.splitlines() == [
        f"{broken}:1: 'purpose' is required",
        f"{broken}:1: 'perspective' is required",
        f"{broken}:1: 'intro' is required",
        f"{broken}:1: 'outro' is required",
        f"{broken}:1: 'privacy' is required",
        f"{broken}:1: 'sections' is required",
        f"{broken}:3: 'phase' must be one of 'prepare', 'interview', 'analyse' or 'act', not 'later'",
    ]


def test_check_warnings_are_prefixed_and_do_not_fail(folder: Path) -> None:
    # Arrange
    (folder / "all-types-supplier.yaml").unlink()
    text = (folder / "all-types.yaml").read_text(encoding="utf-8").replace("mirror: all-types-supplier\n", "")
    text = text.replace("        mirror_of: needs\n", "")
    (folder / "all-types.yaml").write_text(text, encoding="utf-8")

    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(folder)])

    # Assert
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {folder}/scoring.yaml:3: dimension 'needs_match' is asked from the client perspective "
        "only, "
        "but scoring.yaml says supplier can judge it too",
        f"warning: {folder}/scoring.yaml:8: dimension 'ways_of_working' is asked from the client perspective "
        "only, but scoring.yaml says supplier can judge it too",
        f"warning: {folder}/scoring.yaml:12: dimension 'relationship' is asked from the client perspective "
        "only, "
        "but scoring.yaml says supplier can judge it too",
        f"warning: {folder}/scoring.yaml:16: dimension 'effort' is not used by any questionnaire",
    ]


def test_check_without_paths_checks_the_configured_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange
    monkeypatch.setenv("SURVEYAPP_QUESTIONNAIRE_DIR", str(folder))

    # Act
    result = CliRunner().invoke(questionnaires, ["check"])

    # Assert
    assert result.exit_code == 0
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        f"OK {folder}/scoring.yaml",
        f"OK {folder}/all-types-supplier.yaml",
        f"OK {folder}/all-types.yaml",
    ]


def test_check_missing_path_exits_1(tmp_path: Path) -> None:
    # Act
    result = CliRunner().invoke(questionnaires, ["check", str(tmp_path / "nope.yaml")])

    # Assert
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.yaml'}:1: no such file or folder\n"


def test_list_prints_a_table(folder: Path) -> None:
    # Arrange
    scoring, client, supplier = versions(folder)

    # Act
    result = CliRunner().invoke(questionnaires, ["list", str(folder)])

    # Assert
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "slug                phase      purpose  perspective  version",
        f"all-types-supplier  prepare    survey   supplier     {supplier}",
        f"all-types           interview  survey   client       {client}",
        f"scoring v{scoring} ({folder})",
    ]


def test_list_invalid_folder_exits_1_with_the_errors(folder: Path) -> None:
    # Arrange
    (folder / "scoring.yaml").write_text("dimensions: []\n", encoding="utf-8")

    # Act
    result = CliRunner().invoke(questionnaires, ["list", str(folder)])

    # Assert
    assert result.exit_code == 1
    assert result.stderr == f"{folder}/scoring.yaml:1: 'dimensions' needs at least 1 entry\n"


def test_python_module_runs_the_check(folder: Path) -> None:
    # Arrange
    (folder / "broken.yaml").write_text("slug: broken\n", encoding="utf-8")

    # Act
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "surveyapp.questionnaires",
            str(folder / "all-types.yaml"),
            str(folder / "broken.yaml"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )

    # Assert
    assert completed.returncode == 1
    assert completed.stdout.startswith(f"OK {folder}/all-types.yaml: all-types v")
    assert completed.stderr.splitlines()[0] == f"{folder}/broken.yaml:1: 'title' is required"
    assert len(completed.stderr.splitlines()) == 8
