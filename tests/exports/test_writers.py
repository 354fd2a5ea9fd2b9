"""Formula protection in CSV and XLSX, read back with csv and openpyxl, and taken off again by the importer."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from surveyapp.core.csvfiles import clean_text
from surveyapp.exports.writers import Table, as_number, csv_chunks, neutralised, xlsx_bytes

HOSTILE = ["=1+2", "-5 km", "@x", "\tleading tab", "+31 6 1234", "\rcarriage return"]


def _table():
    return Table(
        "answers",
        ("text", "number"),
        [[value, as_number("-5")] for value in HOSTILE] + [["'s-Hertogenbosch", 7.5]],
    )


def test_csv_prefixes_formula_like_text_and_writes_numbers_as_they_are():
    data = b"".join(csv_chunks(_table())).decode("utf-8")

    rows = list(csv.reader(io.StringIO(data.removeprefix("\ufeff"), newline="")))

    assert rows[0] == ["text", "number"]
    assert [row[0] for row in rows[1:]] == [
        "'=1+2",
        "'-5 km",
        "'@x",
        "'\tleading tab",
        "'+31 6 1234",
        "'\rcarriage return",
        "'s-Hertogenbosch",
    ]
    assert [row[1] for row in rows[1:]] == ["-5"] * 6 + ["7.5"]


def test_xlsx_writes_strings_as_strings_never_formulas():
    # XML reads a carriage return in a cell back as a line feed; the protecting ' stays in front of it.
    workbook = load_workbook(io.BytesIO(xlsx_bytes([_table()])))

    sheet = workbook["answers"]
    cells = list(sheet.iter_rows(min_row=2))
    assert [row[0].value for row in cells] == [
        "'=1+2",
        "'-5 km",
        "'@x",
        "'\tleading tab",
        "'+31 6 1234",
        "'\ncarriage return",
        "'s-Hertogenbosch",
    ]
    assert {row[0].data_type for row in cells} == {"s"}
    assert [(row[1].value, row[1].data_type) for row in cells] == [(-5, "n")] * 6 + [(7.5, "n")]


@pytest.mark.parametrize("value", [*HOSTILE, "'s-Hertogenbosch", "plain"])
def test_the_importer_takes_the_protection_off_exactly(value):
    assert (
        clean_text(neutralised(value), column="value", allow_newlines=True) == value.strip()
        or value[0] in "\t\r"
    )


def test_the_importer_restores_a_leading_tab_or_carriage_return_exactly():
    assert clean_text(neutralised("\tx"), column="value", allow_newlines=True) == "\tx"
    assert clean_text(neutralised("\rx"), column="value", allow_newlines=True) == "\rx"
    assert clean_text("'s-Hertogenbosch", column="value") == "'s-Hertogenbosch"
