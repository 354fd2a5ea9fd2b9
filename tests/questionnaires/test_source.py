"""Reading YAML with line numbers: YAML 1.2 scalars, duplicate keys, aliases, the line map."""

from __future__ import annotations

from pathlib import Path

from surveyapp.questionnaires.source import read_file, read_text


def test_read_text_yaml_1_1_booleans_stay_text() -> None:
    # Act
    source = read_text("keys: [yes, no, on, off, y, n, true, false, True]\n", "f.yaml")

    # Assert
    assert source.data == {"keys": ["yes", "no", "on", "off", "y", "n", True, False, True]}
    assert source.diagnostics == []


def test_read_text_dates_stay_text_and_numbers_are_numbers() -> None:
    # Act
    source = read_text("when: 2025-01-31\npoints: 5\nscore: 12.5\nnothing:\n", "f.yaml")

    # Assert
    assert source.data == {"when": "2025-01-31", "points": 5, "score": 12.5, "nothing": None}


def test_read_text_line_map_points_at_keys_and_items() -> None:
    # Arrange
    text = "a: 1\nlist:\n  - key: x\n    value: 2\n  - key: y\n"

    # Act
    source = read_text(text, "f.yaml")

    # Assert
    assert source.lines.line(("a",)) == 1
    assert source.lines.line(("list",)) == 2
    assert source.lines.line(("list", 0)) == 3
    assert source.lines.line(("list", 0, "value")) == 4
    assert source.lines.line(("list", 1, "key")) == 5
    assert source.lines.line(("list", 1, "missing")) == 5
    assert source.lines.line(("nothing", "here")) == 1


def test_read_text_aliases_expand_like_plain_yaml() -> None:
    # Act
    source = read_text("base: &b {nl: a, en: b}\ncopy: *b\n", "f.yaml")

    # Assert
    assert source.data == {"base": {"nl": "a", "en": "b"}, "copy": {"nl": "a", "en": "b"}}


def test_read_text_duplicate_keys_keep_the_first_and_report_each_repeat() -> None:
    # Act
    source = read_text("a: 1\nb: 2\na: 3\na: 4\n", "f.yaml")

    # Assert
    assert source.data == {"a": 1, "b": 2}
    assert [str(d) for d in source.diagnostics] == [
        "f.yaml:3: duplicate key 'a' (first on line 1)",
        "f.yaml:4: duplicate key 'a' (first on line 1)",
    ]


def test_read_text_alias_bomb_is_refused() -> None:
    # Arrange
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]

    # Act
    source = read_text("\n".join(lines) + "\n", "f.yaml")

    # Assert
    assert source.data is None
    assert [d.message for d in source.diagnostics] == [
        "the file expands to more than 200000 values (check its aliases)"
    ]


def test_read_text_deep_nesting_is_refused_without_a_crash() -> None:
    # Act
    source = read_text("[" * 5000 + "]" * 5000, "f.yaml")

    # Assert
    assert source.data is None
    assert [str(d) for d in source.diagnostics] == ["f.yaml:1: the file is nested too deeply"]


def test_read_text_moderate_nesting_beyond_the_format_is_refused() -> None:
    # Act
    source = read_text("a: " + "[" * 50 + "]" * 50 + "\n", "f.yaml")

    # Assert
    assert source.data is None
    assert [str(d) for d in source.diagnostics] == ["f.yaml:1: the file is nested more than 40 levels deep"]


def test_read_file_with_byte_order_mark_reads(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "f.yaml"
    path.write_bytes("\ufeffa: één\n".encode())

    # Act
    source = read_file(path, "f.yaml")

    # Assert
    assert source.data == {"a": "één"}


def test_read_file_missing_file_is_a_diagnostic(tmp_path: Path) -> None:
    # Act
    source = read_file(tmp_path / "none.yaml", "none.yaml")

    # Assert
    assert [str(d) for d in source.diagnostics] == [
        "none.yaml:1: cannot read the file: No such file or directory"
    ]


def test_read_file_over_one_megabyte_is_refused(tmp_path: Path) -> None:
    # Arrange
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 1_000_001 + "\n", encoding="utf-8")

    # Act
    source = read_file(path, "big.yaml")

    # Assert
    assert [str(d) for d in source.diagnostics] == ["big.yaml:1: the file is larger than 1 MB"]
