"""Importing into the database: what changed, and a bad file changes nothing."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.programme.demo import hampshire_figures
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io import programme_file_bytes
from csplan.programme.io.importing import compare, import_programme_file
from csplan.programme.models import (
    Council,
    PhasingEntry,
    Plan,
    SavingsLine,
    TargetEntry,
    Workstream,
)
from csplan.programme.phasing import PhasingForm
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db
MODELS = (Council, Plan, TargetEntry, Workstream, SavingsLine, PhasingEntry)


def _counts():
    return [(m.objects.count(), m.history.count()) for m in MODELS]


def test_workbook_import_creates_then_reports_changes(tmp_path):
    figures = hampshire_figures()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(programme_file_bytes(figures, ".xlsx"))
    stages = []
    summary = import_programme_file(path, progress=stages.append)
    assert stages == ["read", "compared", "saved"]
    assert summary.created and summary.added == tuple(line.reference for line in figures.lines)
    assert summary.describe()[0] == (
        "plan.xlsx: Created Hampshire County Council: Transformation to 2017."
    )
    plan = Plan.objects.get()
    assert programme_figures(plan) == figures

    lines = list(figures.lines[:-1])
    lines[0] = replace(lines[0], phasing={FinancialYear(2016): Decimal("1000000")})
    extra = replace(lines[1], reference="C9", title="New")
    changed = replace(figures, lines=(*lines, extra))
    path.write_bytes(programme_file_bytes(changed, ".xlsx"))
    summary = import_programme_file(path)
    assert (summary.added, summary.updated, summary.removed) == (("C9",), ("C3",), ("C8",))
    assert summary.unchanged == 5
    assert summary.describe() == [
        "plan.xlsx: Updated Hampshire County Council: Transformation to 2017.",
        "  Lines added: 1: C9",
        "  Lines updated: 1: C3",
        "  Lines removed: 1: C8",
        "  Lines unchanged: 5",
    ]
    assert SavingsLine.history.filter(reference="C8", history_type="-").exists()
    assert SavingsLine.history.filter(history_change_reason="Imported plan.xlsx").exists()


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    load_hampshire_demo()
    path = tmp_path / "same.json"
    path.write_bytes(programme_file_bytes(hampshire_figures(), ".json"))
    before = _counts()
    summary = import_programme_file(path)
    assert not summary.changed
    assert summary.describe() == [
        "same.json: nothing changed in Hampshire County Council: Transformation to 2017."
    ]
    # save_programme saves the council and plan rows every time (a history row each);
    # the programme's own rows and their history are untouched.
    after = _counts()
    assert [count for count, _ in after] == [count for count, _ in before]
    assert after[2:] == before[2:]


def test_csv_updates_the_default_plan(tmp_path):
    load_hampshire_demo()
    path = tmp_path / "appendix.csv"
    text = programme_file_bytes(hampshire_figures(), ".csv", PhasingForm.INCREMENTAL).decode()
    text = text.replace(",815,185,464,24.5", ",815,185,500,24.5")
    text = text.replace(",5536,17300,464,58.6", ",5536,17300,500,58.6")
    path.write_text(text)
    summary = import_programme_file(path, phasing=PhasingForm.INCREMENTAL)
    assert summary.updated == ("C8",) and not summary.added and not summary.removed
    c8 = SavingsLine.objects.get(reference="C8")
    assert {e.year: e.amount_pence for e in c8.phasing.all()}[2018] == 50_000_000


def test_csv_with_no_plan_or_unknown_plan(tmp_path):
    path = tmp_path / "appendix.csv"
    path.write_text("Ref,2016/17\nC3,1\n")
    with pytest.raises(ProgrammeImportError, match="there is no plan to update"):
        import_programme_file(path, phasing=PhasingForm.CUMULATIVE)
    with pytest.raises(ProgrammeImportError, match="there is no plan called 'Other'"):
        import_programme_file(path, phasing=PhasingForm.CUMULATIVE, plan="Other")


@pytest.mark.parametrize(
    "name, content",
    [
        ("bad.csv", "Ref,2016/17,2017/18,2018/19\nC3,1,2,2\nC3,1,1x,2\n"),
        ("bad.json", "{not json"),
        ("bad.xlsx", "not a workbook"),
        ("bad.xls", "anything"),
        ("empty.csv", ""),
    ],
)
def test_a_bad_file_changes_nothing(tmp_path, name, content):
    load_hampshire_demo()
    before = _counts()
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ProgrammeImportError):
        import_programme_file(
            path, phasing=PhasingForm.CUMULATIVE if name.endswith(".csv") else None
        )
    assert _counts() == before


def test_a_workbook_with_one_bad_line_changes_nothing(tmp_path):
    load_hampshire_demo()
    data = json.loads(programme_file_bytes(hampshire_figures(), ".json"))
    data["lines"][0]["phasing"]["2016/17"] = "999"
    data["lines"][6]["phasing"]["2018/19"] = "1,5x"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    before = _counts()
    with pytest.raises(ProgrammeImportError, match="'1,5x' is not an amount"):
        import_programme_file(path)
    assert _counts() == before
    assert (
        SavingsLine.objects.get(reference="C3").phasing.get(year=2016).amount_pence == 150_000_000
    )


def test_compare_without_a_before():
    figures = hampshire_figures()
    summary = compare(None, figures, "x")
    assert summary.created and summary.changed and not summary.removed
