"""Report data and its renderers (text, CSV, JSON, XLSX) on a tiny synthetic report."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from csplan.benchmark.calculations import Rank
from csplan.benchmark.render import render, to_csv, to_json, to_text, to_xlsx
from csplan.benchmark.report import (
    INTEGER,
    MONEY,
    RATE,
    YEAR,
    Cell,
    Column,
    Report,
    Table,
)


def tiny() -> Report:
    table = Table(
        "t",
        "Tiny",
        [
            Column("m", "Measure"),
            Column("n", "Count"),
            Column("r", "Rate"),
            Column("s", "Spend"),
            Column("y", "Year"),
        ],
    )
    table.rows = [
        [
            Cell("A"),
            Cell(1234, INTEGER),
            Cell(Decimal("36.05"), RATE),
            Cell(Decimal("-1234.5"), MONEY),
            Cell(2025, YEAR),
        ],
        [
            Cell("B"),
            Cell(None, INTEGER, "c: suppressed"),
            Cell(None, RATE),
            Cell(None, MONEY),
            Cell(2024, YEAR),
        ],
    ]
    table.notes = ["a note"]
    return Report("Title", "E1", "Test", 2025, [table], ["Source: test"])


def test_cells_display_rounded_half_up_and_keep_exact_values():
    assert Cell(Decimal("36.05"), RATE).display == "36.1"
    assert Cell(Decimal("120938.5"), MONEY).display == "£120,939"
    assert Cell(1234, INTEGER).display == "1,234"
    assert Cell(2025, YEAR).display == "2025"
    assert Cell(None, RATE).display == "–"
    assert Cell(Decimal("36.05"), RATE).plain == "36.05"
    assert Cell(Rank(3, 10)).plain == 3


def test_text():
    text = to_text(tiny())
    assert "A        1,234  36.1  £-1,235  2025" in text
    assert "note: c: suppressed" in text and "* a note" in text
    assert text.rstrip().endswith("Source: test")


def test_csv_and_json_carry_exact_values():
    rows = list(csv.reader(io.StringIO(to_csv(tiny()))))
    assert rows[0] == ["table", "m", "n", "r", "s", "y"]
    assert rows[1] == ["t", "A", "1234", "36.05", "-1234.5", "2025"]
    assert rows[2] == ["t", "B", "", "", "", "2024"]
    data = json.loads(to_json(tiny()))
    assert data["tables"][0]["rows"][0]["r"] == {"value": "36.05", "display": "36.1", "note": ""}
    assert data["tables"][0]["rows"][1]["n"]["note"] == "c: suppressed"


def test_xlsx_numbers_and_formats():
    book = load_workbook(io.BytesIO(to_xlsx(tiny())))
    sheet = book["t"]
    assert [c.value for c in sheet[3]] == ["Measure", "Count", "Rate", "Spend", "Year"]
    assert sheet["B4"].value == 1234 and sheet["B4"].number_format == "#,##0"
    assert sheet["C4"].value == pytest.approx(36.05) and sheet["C4"].number_format == "#,##0.0"
    assert sheet["D4"].number_format == "£#,##0;(£#,##0)"


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        render(tiny(), "pdf")


def test_text_from_imported_files_cannot_become_a_spreadsheet_formula():
    report = tiny()
    report.tables[0].rows[0][0] = Cell('=HYPERLINK("http://x")')
    assert list(csv.reader(io.StringIO(to_csv(report))))[1][1] == '\'=HYPERLINK("http://x")'
    assert list(csv.reader(io.StringIO(to_csv(report))))[1][4] == "-1234.5"  # numbers untouched
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["t"]
    assert sheet["A4"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A4"].data_type == "s"
