"""Every download goes through one response builder: safe file names, neutralised CSV text."""

from __future__ import annotations

import csv
import io

from csplan.core.table import Column, Row, Table
from csplan.web.tables import attachment, download


def test_a_file_name_with_cr_lf_quotes_and_a_path_is_made_safe():
    response = attachment(b"%PDF", "application/pdf", 'A/R.6\r\nSet-Cookie: x="1".pdf', inline=True)
    header = response["Content-Disposition"]
    assert header.startswith('inline; filename="')
    assert "\r" not in header and "\n" not in header and "/" not in header.split("filename=")[1]
    assert header.count('"') == 2


def test_a_download_is_an_attachment_unless_asked_inline():
    assert attachment("a,b\n", "text/csv", "table.csv")["Content-Disposition"] == (
        'attachment; filename="table.csv"'
    )


def test_the_demand_csv_twin_neutralises_formulas():
    table = Table(
        name="groups",
        title="Groups",
        columns=(Column("Placement group"),),
        rows=(Row(('=HYPERLINK("http://x.example")',)), Row(("Fostering",))),
    )
    response = download([table], "csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Placement group"], ['\'=HYPERLINK("http://x.example")'], ["Fostering"]]
    assert response["Content-Disposition"] == 'attachment; filename="groups.csv"'
