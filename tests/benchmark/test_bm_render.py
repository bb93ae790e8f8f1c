"""The benchmark's tables are core report tables: typed columns, cell notes, and the core
renderers (text, CSV, JSON, XLSX) with their conventions, on the synthetic demo figures."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from csplan.benchmark.calculations import build_benchmark_data
from csplan.benchmark.demo import DEMO_LA, demo_files
from csplan.benchmark.report import benchmark_report
from csplan.core.render import render_csv, render_json, render_text, render_xlsx
from csplan.core.table import Row


@pytest.fixture(scope="module")
def report():
    cla, population, neighbours, ro3 = (f.rows for f in demo_files())
    return benchmark_report(build_benchmark_data(cla, population, neighbours, ro3), DEMO_LA, 2025)


def test_one_table_per_kind_of_figure(report):
    assert [t.name for t in report.tables] == ["comparison", "spend", "neighbours", "trend"]
    assert all(t.meta == {"la_code": DEMO_LA, "la_name": "Demoshire", "year": "2025"}
               for t in report.tables)  # fmt: skip
    comparison = report.table("comparison")
    assert [c.kind.value for c in comparison.columns] == [
        "text", "count", "number", "number", "number", "number", "number", "number", "count",
        "count",
    ]  # fmt: skip
    assert report.table("spend").columns[1].unit_label == "£"


def test_rates_show_rounded_half_up_and_counts_with_separators(report):
    row = report.table("comparison").rows[0]
    assert row.cells[1] == 1549 and row.cells[3] == 74
    assert isinstance(row.cells[2], Decimal)  # exact, rounded only when shown
    shown = report.table("comparison").displayed()[0]
    assert shown[1:] == ["1,549", "73.9", "74", "52.6", "53.1", "55", "55", "10", "11"]


def test_text(report):
    text = render_text(report.table("trend"))
    assert "2025                    1,549         73.9            74        52.6" in text
    spend = render_text(report.table("spend"))
    assert "Spend per child looked after = RO3 spend" in spend
    assert "Note: Spend per child looked after, net current expenditure (RO3 C7), £, Region: " \
        "11 LAs with both figures" in spend  # fmt: skip


def test_csv_and_json_give_the_figures_as_shown(report):
    rows = list(csv.reader(io.StringIO(render_csv(report.table("comparison")))))
    assert rows[0][:4] == ["Measure", "LA count", "LA rate per 10,000", "LA published"]
    assert rows[1][1:] == ["1549", "73.9", "74", "52.6", "53.1", "55", "55", "10", "11"]
    data = json.loads(render_json(report.table("spend")))
    assert data["rows"][0]["cells"][2] == "85382"
    assert data["rows"][0]["notes"][5] == "11 LAs with both figures"
    assert "notes" not in json.loads(render_json(report.table("trend")))["rows"][0]


def test_xlsx_keeps_exact_numbers_with_a_display_format(report):
    book = load_workbook(io.BytesIO(render_xlsx(report.table("comparison"))))
    sheet = book["comparison"]
    assert [c.value for c in sheet[2]][:3] == ["Measure", "LA count", "LA rate per 10,000"]
    assert sheet["B4"].value == 1549
    assert sheet["C4"].value == pytest.approx(73.93, abs=0.01)
    assert sheet["C4"].number_format == "#,##0.0;(#,##0.0)"


def test_a_note_per_cell_or_none():
    from csplan.core.table import Column, Table

    with pytest.raises(ValueError, match="has 1 notes for 2 cells"):
        Table("t", "T", (Column("A"), Column("B")), (Row(("a", "b"), notes=("n",)),))


def test_text_from_imported_files_cannot_become_a_spreadsheet_formula(report):
    table = report.table("neighbours")
    first = table.rows[0]
    hostile = replace(first, cells=(first.cells[0], first.cells[1], '=HYPERLINK("http://x")',
                                    *first.cells[3:]))  # fmt: skip
    table = replace(table, rows=(hostile, *table.rows[1:]))
    assert list(csv.reader(io.StringIO(render_csv(table))))[1][2] == '\'=HYPERLINK("http://x")'
    sheet = load_workbook(io.BytesIO(render_xlsx(table)))["neighbours"]
    assert sheet["C4"].value == '\'=HYPERLINK("http://x")'
    assert sheet["C4"].data_type == "s"
