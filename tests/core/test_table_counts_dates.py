"""Count and date columns of the one Table, through every renderer."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from csplan.core.money import Unit
from csplan.core.render import (
    XLSX_DATE_FORMAT,
    render_csv,
    render_html,
    render_json,
    render_markdown,
    render_text,
    render_xlsx,
)
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table


@pytest.fixture
def table() -> Table:
    columns = (
        Column("Data set"),
        Column("Data to", ColumnKind.DATE),
        Column("Children", ColumnKind.COUNT),
        Column("Cost", ColumnKind.MONEY, Unit.THOUSANDS, 0),
    )
    rows = (
        Row(("North", date(2026, 12, 5), 30125, Decimal("1500000"))),
        Row(("South", None, Decimal(-4), Decimal("-2500"))),
        Row(("Total", date(2027, 3, 31), 30121, Decimal("1497500")), RowKind.TOTAL),
    )
    return Table("datasets", "Data sets", columns, rows)


def test_the_page_shows_dates_in_words_and_counts_with_separators(table):
    assert table.displayed() == [
        ["North", "5 December 2026", "30,125", "1,500"],
        ["South", "", "(4)", "(3)"],
        ["Total", "31 March 2027", "30,121", "1,498"],
    ]


def test_csv_and_json_write_iso_dates_and_plain_counts(table):
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert rows == [
        ["Data set", "Data to", "Children", "Cost (£'000)"],
        ["North", "2026-12-05", "30125", "1500"],
        ["South", "", "-4", "-3"],
        ["Total", "2027-03-31", "30121", "1498"],
    ]
    body = json.loads(render_json(table))
    assert [c["kind"] for c in body["columns"]] == ["text", "date", "count", "money"]
    assert [c["places"] for c in body["columns"]] == [None, None, 0, 0]
    assert body["rows"][0]["cells"] == ["North", "2026-12-05", "30125", "1500"]
    assert body["rows"][1]["cells"] == ["South", None, "-4", "-3"]


def test_text_markdown_and_html_show_the_committee_format(table):
    text = render_text(table)
    assert "5 December 2026" in text and "30,125" in text
    north = next(line for line in text.splitlines() if line.startswith("North"))
    assert north.index("5 December 2026") < north.index("30,125")
    markdown = render_markdown(table)
    assert "| North | 5 December 2026 | 30,125 | 1,500 |" in markdown
    assert "| :--- | :--- | ---: | ---: |" in markdown
    html = render_html(table)
    assert '<td class="govuk-table__cell">5 December 2026</td>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">30,125</td>' in html


def test_xlsx_holds_real_dates_and_whole_counts(table):
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(table)))["datasets"]
    assert sheet["B4"].value.date() == date(2026, 12, 5)
    assert sheet["B4"].number_format == XLSX_DATE_FORMAT == "d mmmm yyyy"
    assert sheet["C4"].value == 30125 and sheet["C4"].number_format == "#,##0;(#,##0)"
    assert sheet["C5"].value == -4
    assert sheet["B5"].value is None


def test_a_count_column_shows_no_places():
    with pytest.raises(ValueError, match="whole numbers"):
        Column("Children", ColumnKind.COUNT, places=1)
    assert Column("Children", ColumnKind.COUNT).display(Decimal("12.5")) == "13"
