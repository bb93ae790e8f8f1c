"""Renderers: format conventions (£'000, brackets, totals, notes) and formula injection."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from csplan.core.money import Unit
from csplan.core.render import (
    FORMATS,
    MEDIA_TYPES,
    download,
    render,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    render_text,
    render_xlsx,
    xlsx_number_format,
)
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.programme.demo import hampshire_figures
from csplan.programme.reports import proposals_report, targets_report, workstream_report

WHOLE = "#,##0;(#,##0)"
ONE_PLACE = "#,##0.0;(#,##0.0)"


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


@pytest.fixture
def hostile():
    """A table whose text would run as formulas in a spreadsheet if not neutralised."""
    columns = (Column("Ref"), Column("Amount", ColumnKind.MONEY, Unit.THOUSANDS, 0))
    rows = (
        Row(('=HYPERLINK("http://x","y")', Decimal("-1500000"))),
        Row(("+1", Decimal("2000"))),
        Row(("@SUM(1)", None)),
        Row(("Total", Decimal("-1498000")), RowKind.TOTAL),
    )
    return Table("hostile", "Hostile", columns, rows, ("-note",))


def test_text_aligns_columns_brackets_negatives_and_shows_notes(programme):
    text = render_text(targets_report(programme))
    lines = text.splitlines()
    assert lines[0] == "Savings Target and Proposals by Year"
    variance = next(line for line in lines if line.startswith("Proposals above"))
    assert variance.endswith("5,536    (464)        0")
    assert "£'000" in lines[3]
    assert lines[-1] == "£5,072,000 of early achievement remains available for the cost of change."
    # numbers are right-aligned: every year column ends at the same place
    header_end = len(lines[3])
    assert len(variance) == header_end


def test_text_wraps_long_text_and_rules_off_totals(programme):
    text = render_text(workstream_report(programme))
    lines = text.splitlines()
    total = lines.index(next(line for line in lines if line.startswith("TOTAL")))
    assert set(lines[total - 1]) <= {"-", " "}
    assert lines[total].split()[-3:] == ["161.4", "23.3", "14.4"]
    assert all(len(line) < 110 for line in lines)


def test_csv_is_plain_numbers_in_the_unit_with_the_unit_in_the_header(programme):
    rows = list(csv.reader(io.StringIO(render_csv(targets_report(programme)))))
    assert rows[0] == ["Measure", "2016/17 (£'000)", "2017/18 (£'000)", "2018/19 (£'000)"]
    assert rows[3] == ["Proposals above or (below) target", "5536", "-464", "0"]
    assert rows[-1] == ["Available for the cost of change", "", "", "5072"]


def test_csv_with_a_unit_row_as_hampshire_prints_it(programme):
    rows = list(csv.reader(io.StringIO(render_csv(proposals_report(programme), unit_row=True))))
    assert rows[0][4:] == ["2016/17", "2017/18", "2018/19", "FTE"]
    assert rows[1] == ["", "", "", "", "£'000", "£'000", "£'000", ""]
    assert rows[-1] == ["Total", "", "", "", "5536", "22836", "23300", "58.6"]


def test_csv_rounds_once_half_up(programme):
    rows = list(csv.reader(io.StringIO(render_csv(workstream_report(programme)))))
    school = next(row for row in rows if row[0].startswith("School"))
    assert school == ["School improvement services remodelling", "4.4", "1.0", "22.7"]


def test_markdown_table(programme):
    text = render_markdown(workstream_report(programme))
    lines = text.splitlines()
    assert lines[0] == "**Department Workstreams and Savings Target**"
    assert lines[2] == (
        "| Workstream | Total Budget (£m) | Full Year Savings Proposals (£m) | "
        "Savings Proposals as % of Budget (%) |"
    )
    assert lines[3] == "| :--- | ---: | ---: | ---: |"
    assert "| **TOTAL** | **161.4** | **23.3** | **14.4** |" in lines
    assert "_Totals may not add because of rounding._  " in lines


def test_markdown_escapes_pipes():
    table = Table("t", "T", (Column("A"),), (Row(("a|b",)),))
    assert "| a\\|b |" in render_markdown(table)


def test_json_is_typed_with_unit_and_phasing(programme):
    data = json.loads(render_json(proposals_report(programme)))
    assert data["meta"]["phasing"] == "cumulative"
    assert data["units"] == ["£'000"]
    assert data["columns"][4] == {"heading": "2016/17", "kind": "money", "unit": "£'000",
                                  "places": 0}  # fmt: skip
    assert data["columns"][0]["places"] is None
    assert data["rows"][0]["cells"][4:] == ["1500", "4000", "4000", "3.1"]
    assert data["rows"][1]["cells"][-1] == "TBC"
    assert data["rows"][-1] == {
        "kind": "total",
        "cells": ["Total", None, None, None, "5536", "22836", "23300", "58.6"],
    }
    assert "Totals may not add because of rounding." in data["notes"]


def test_xlsx_cells_number_formats_bold_totals_and_notes(programme):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(proposals_report(programme))))
    sheet = book["proposals"]
    assert sheet["A1"].value == "Proposed Savings Options"
    assert [c.value for c in sheet[2]] == [
        "Ref", "Service activity", "Description", "Impact", "2016/17", "2017/18", "2018/19",
        "FTE",
    ]  # fmt: skip
    assert [c.value for c in sheet[3]][4:] == ["£'000", "£'000", "£'000", None]
    assert [c.value for c in sheet[4]][4:] == [1500, 4000, 4000, 3.1]
    assert sheet["E4"].number_format == WHOLE
    assert sheet["H4"].number_format == ONE_PLACE
    assert sheet["H5"].value == "TBC"
    total = sheet[11]
    assert [c.value for c in total][4:] == [5536, 22836, 23300, 58.6]
    assert all(cell.font.b for cell in total)
    assert not sheet["A4"].font.b
    assert sheet.freeze_panes == "B4"
    assert sheet["A13"].value == "Totals may not add because of rounding."
    assert sheet.column_dimensions["C"].width == 60


def test_xlsx_holds_exact_values_and_formats_round_the_display(programme):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(workstream_report(programme))))
    sheet = book["workstreams"]
    school = next(row for row in sheet.iter_rows(min_row=4) if row[0].value.startswith("School"))
    assert [c.value for c in school[1:]] == [4.4, 1.036, 22.7]
    assert school[1].number_format == ONE_PLACE
    assert school[3].number_format == "0.0;(0.0)"
    mainstream = next(r for r in sheet.iter_rows(min_row=4) if r[0].value.startswith("Mainstream"))
    assert mainstream[2].value == "n/a"


def test_xlsx_number_formats():
    money = Column("x", ColumnKind.MONEY, Unit.MILLIONS, 3)
    assert xlsx_number_format(money) == "#,##0.000;(#,##0.000)"


def test_csv_neutralises_formulas(hostile):
    rows = list(csv.reader(io.StringIO(render_csv(hostile))))
    assert rows[1] == ['\'=HYPERLINK("http://x","y")', "-1500"]
    assert rows[2][0] == "'+1"
    assert rows[3] == ["'@SUM(1)", ""]


def test_xlsx_neutralises_formulas(hostile):
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(hostile)))["hostile"]
    cell = sheet["A4"]
    assert cell.value == '\'=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"
    assert sheet["A5"].value == "'+1"
    assert sheet["B4"].value == -1500
    assert sheet["A9"].value == "'-note"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_html_fragment_is_escaped_with_numeric_cells(hostile, programme):
    text = render_html(workstream_report(programme))
    assert '<table class="govuk-table csplan-report">' in text
    assert 'govuk-table__header--numeric">Total Budget<br>£m</th>' in text
    assert "<strong>161.4</strong>" in text
    assert "<script" not in render_html(
        Table("t", "<script>", (Column("A"),), (Row(("<script>",)),))
    )
    assert "(1,500)" in render_html(hostile)


def test_render_by_name(programme):
    table = workstream_report(programme)
    for fmt in FORMATS:
        assert render(table, fmt)
        assert fmt in MEDIA_TYPES
    with pytest.raises(ValueError, match="unknown format"):
        render(table, "pdf")
    body, media_type, filename = download(table, "xlsx")
    assert body.startswith(b"PK") and filename == "workstreams.xlsx"
    assert media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download(table, "text")[2] == "workstreams.txt"
