"""Reading CSV files as spreadsheets write them: separators, byte order marks, row numbers, decoding errors,
decimal commas and the exporters' formula protection. No app is needed: messages outside one are English."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from surveyapp.core.csvfiles import (
    MAX_LINE_BYTES,
    CellError,
    CsvFileError,
    CsvRow,
    clean_text,
    column_problems,
    detect_delimiter,
    open_table,
    parse_decimal,
)


def read(content: bytes) -> tuple[str, tuple[str, ...], list[CsvRow]]:
    with open_table(io.BytesIO(content)) as table:
        return table.delimiter, table.columns, list(table.rows())


def file_error(content: bytes) -> tuple[int | None, str]:
    with pytest.raises(CsvFileError) as caught:
        read(content)
    return caught.value.row, str(caught.value.message)


# ---- tables ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("name,segment", ","),
        ("name;segment", ";"),
        ("name;segment,with comma;third", ";"),
        ("name", ","),
        ("", ","),
    ],
)
def test_detect_delimiter_prefers_the_more_frequent_separator(header, expected):
    assert detect_delimiter(header) == expected


def test_open_table_with_a_bom_and_semicolons_normalises_the_header():
    delimiter, columns, rows = read(b"\xef\xbb\xbf Name ;EMAIL\r\nAnna;anna@example.org\r\n")

    assert delimiter == ";"
    assert columns == ("name", "email")
    assert rows == [CsvRow(2, {"name": "Anna", "email": "anna@example.org"})]


def test_open_table_numbers_rows_as_a_spreadsheet_shows_them():
    content = b'name,note\nA,"two\nlines"\n\n,\nB,x\n'

    _delimiter, _columns, rows = read(content)

    assert rows == [CsvRow(2, {"name": "A", "note": "two\nlines"}), CsvRow(5, {"name": "B", "note": "x"})]


def test_open_table_pads_short_rows_and_flags_cells_without_a_column():
    _delimiter, _columns, rows = read(b"name,,note\nA\nB,,x\nC,y,\nD,,,z\nE,,,\n")

    assert rows == [
        CsvRow(2, {"name": "A", "note": ""}),
        CsvRow(3, {"name": "B", "note": "x"}),
        CsvRow(4, {"name": "C", "note": ""}, stray_column=2),
        CsvRow(5, {"name": "D", "note": ""}, stray_column=4),
        CsvRow(6, {"name": "E", "note": ""}),
    ]


def test_open_table_reads_rows_again_from_the_start_of_a_file_object():
    upload = io.BytesIO(b"skip me\nname\nA\nB\n")
    upload.seek(len(b"skip me\n"))

    with open_table(upload) as table:
        first = [row.values["name"] for row in table.rows()]
        second = [row.values["name"] for row in table.rows()]

    assert first == ["A", "B"]
    assert second == ["A", "B"]
    assert upload.closed is False


def test_open_table_opens_and_closes_a_path(tmp_path: Path):
    path = tmp_path / "file.csv"
    path.write_bytes(b"name\nA\n")

    with open_table(path) as table:
        rows = list(table.rows())

    assert rows == [CsvRow(2, {"name": "A"})]


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\r\n\n", b" , \n,\n"])
def test_open_table_without_any_content_says_the_file_has_no_rows(content):
    assert file_error(content) == (
        None,
        "The file has no rows: it needs a header row and at least one row of data.",
    )


def test_open_table_with_an_empty_first_line_keeps_it_as_the_header():
    _delimiter, columns, rows = read(b"\nname\nA\n")

    assert columns == ()
    assert [row.number for row in rows] == [2, 3]


def test_open_table_names_the_row_that_is_not_utf8():
    content = "name\nAnna\nBjörn\n".encode() + "José\n".encode("latin-1") + b"Zoe\n"

    with open_table(io.BytesIO(content)) as table:
        rows = table.rows()
        first = [next(rows).values["name"], next(rows).values["name"]]
        with pytest.raises(CsvFileError) as caught:
            next(rows)

    assert first == ["Anna", "Björn"]
    assert caught.value.row == 4
    assert str(caught.value.message) == (
        "This row is not UTF-8 text, so the file cannot be read from here on. "
        "Save it as “CSV UTF-8” and try again."
    )


def test_open_table_with_a_header_that_is_not_utf8_names_row_1():
    assert file_error("naam,straße\n".encode("latin-1"))[0] == 1


def test_open_table_refuses_an_overlong_line():
    content = b"name\n" + b"x" * (MAX_LINE_BYTES + 1) + b"\n"

    assert file_error(content) == (
        2,
        f"This row is longer than {MAX_LINE_BYTES} bytes: this is not a spreadsheet file.",
    )


def test_open_table_names_the_row_where_a_quote_is_not_closed():
    assert file_error(b'name,note\nA,x\nB,"open\nC,y\n') == (
        3,
        "This row is not valid CSV (a quote that is not closed, or a cell that is too long); "
        "the file cannot be read from here on.",
    )


# ---- headers ---------------------------------------------------------------------------------------------


def test_column_problems_names_missing_unknown_and_repeated_columns():
    found = column_problems(
        ("name", "colour", "name", "", "size"), required=("name", "email"), optional=("role",)
    )

    assert [str(problem) for problem in found] == [
        "The file lacks the column(s) email. Expected columns: name,email[,role].",
        "The file has unknown column(s) colour, size. Expected columns: name,email[,role].",
        "The header names column(s) name more than once.",
    ]


def test_column_problems_accepts_optional_columns_being_absent():
    assert column_problems(("email", "name"), required=("name", "email"), optional=("role",)) == []


# ---- text cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Acme BV \u00a0", "Acme BV"),
        ("'=SUM(A1:A9)", "=SUM(A1:A9)"),
        ("'+31 6 1234", "+31 6 1234"),
        ("'-5", "-5"),
        ("'@handle", "@handle"),
        ("'s-Hertogenbosch", "'s-Hertogenbosch"),
        ("'", "'"),
        ("''=x", "''=x"),
        ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
        ("  '=1  ", "=1"),
        ("", ""),
    ],
)
def test_clean_text_strips_and_removes_only_the_formula_protection(raw, expected):
    assert clean_text(raw, column="name") == expected


@pytest.mark.parametrize(
    "raw", ["a\tb", "a\nb", "a\x00b", "a\x1bb", "a\x85b", "a\u2028b", "'\tcell", "'\rcell"]
)
def test_clean_text_refuses_control_characters(raw):
    with pytest.raises(CellError) as caught:
        clean_text(raw, column="name")

    assert str(caught.value.message) == "name contains a control character such as a tab or a line break."


def test_clean_text_may_keep_line_breaks():
    assert (
        clean_text("first line\r\nsecond line", column="answer", allow_newlines=True)
        == "first line\r\nsecond line"
    )


# ---- numbers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", Decimal("1234")),
        ("1234.5", Decimal("1234.5")),
        ("-0.25", Decimal("-0.25")),
        ("+7", Decimal("7")),
        ("", None),
    ],
)
def test_parse_decimal_in_a_comma_file_reads_decimal_points(raw, expected):
    assert parse_decimal(raw, column="x", decimal_comma=False) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234", Decimal("1234")),
        ("1234,5", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal("1234")),
        ("12.345.678,90", Decimal("12345678.90")),
        ("-3,25", Decimal("-3.25")),
    ],
)
def test_parse_decimal_in_a_semicolon_file_reads_decimal_commas(raw, expected):
    assert parse_decimal(raw, column="x", decimal_comma=True) == expected


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("12abc", False, "effort must be a number, not 12abc."),
        ("1e5", False, "effort must be a number, not 1e5."),
        ("NaN", True, "effort must be a number, not NaN."),
        ("1 234", True, "effort must be a number, not 1 234."),
        ("١٢", False, "effort must be a number, not ١٢."),
        ("12.34.5", True, "effort must be a number, not 12.34.5."),
        ("1,5", False, "effort 1,5: in a file separated by commas, decimals are written with a point (1.5)."),
        (
            "12.5",
            True,
            "effort 12.5: in a file separated by semicolons, decimals are written with a comma (12,5).",
        ),
        (
            "0.500",
            True,
            "effort 0.500: in a file separated by semicolons, decimals are written with a comma (0,500).",
        ),
    ],
)
def test_parse_decimal_refuses_what_is_not_a_number_in_this_file(raw, decimal_comma, expected):
    with pytest.raises(CellError) as caught:
        parse_decimal(raw, column="effort", decimal_comma=decimal_comma)

    assert str(caught.value.message) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("0,005", Decimal("0.01")), ("2,344", Decimal("2.34")), ("7,5", Decimal("7.5"))]
)
def test_parse_decimal_rounds_half_up_to_the_places_asked(raw, expected):
    assert parse_decimal(raw, column="x", decimal_comma=True, places=2) == expected


def test_parse_decimal_shortens_a_long_value_in_its_message():
    with pytest.raises(CellError) as caught:
        parse_decimal("x" * 100, column="effort", decimal_comma=False)

    assert str(caught.value.message) == f"effort must be a number, not {'x' * 59}…."
