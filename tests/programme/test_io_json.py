"""The JSON exchange file, and choosing a reader by file type."""

import json
from pathlib import Path

import pytest

from csplan.core.money import Unit
from csplan.programme.demo import hampshire_figures
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io import default_form, file_type, programme_file_bytes, read_programme_file
from csplan.programme.io.json_file import json_bytes, read_json
from csplan.programme.phasing import PhasingForm


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


def _problems(call):
    with pytest.raises(ProgrammeImportError) as caught:
        call()
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("form", list(PhasingForm))
@pytest.mark.parametrize("unit", list(Unit))
def test_json_round_trip(programme, form, unit):
    data = json_bytes(programme, form, unit)
    assert json.loads(data)["plan"]["phasing"] == form.value
    assert read_json(data) == programme


def test_json_decimals_are_read_exactly(programme):
    data = json.loads(json_bytes(programme))
    data["lines"][0]["phasing"]["2016/17"] = 1500.25  # a JSON number, not a string
    again = read_json(json.dumps(data).encode())
    assert str(again.lines[0].phasing[min(again.lines[0].phasing)]) == "1500250.00"


def test_bad_json_names_line_and_character():
    assert _problems(lambda: read_json(b'{"format": }', file="p.json")) == [
        "p.json, row 1, column 'character 12': is not valid JSON: Expecting value"
    ]
    assert _problems(lambda: read_json(b"  ", file="p.json")) == ["p.json: is empty"]
    assert _problems(lambda: read_json(b"\xff\xfe\x00", file="p.json")) == [
        "p.json: is not a JSON text file (it is not UTF-8 text)"
    ]


def test_exchange_problems_are_passed_on(programme):
    data = json.loads(json_bytes(programme))
    data["lines"][1]["reference"] = "C3"
    data["lines"][2]["workstream"] = "Nowhere"
    problems = _problems(lambda: read_json(json.dumps(data).encode(), file="p.json"))
    assert (
        "p.json, row 2, column 'lines.reference': reference 'C3' is used by more than one line"
        in problems
    )
    assert "p.json, row 3, column 'lines.workstream': unknown workstream 'Nowhere'" in problems


def test_file_type_by_extension():
    assert file_type(Path("a.XLSX")) == ".xlsx"
    assert _problems(lambda: file_type(Path("plan.xls"))) == [
        "plan.xls: unknown file type (.xls): use .xlsx (the workbook), .csv (the appendix "
        "layout) or .json (the exchange format)"
    ]
    assert default_form(".csv") is PhasingForm.CUMULATIVE
    assert default_form(".json") is PhasingForm.INCREMENTAL


def test_read_programme_file_by_type(programme, tmp_path):
    for kind in (".xlsx", ".json"):
        path = tmp_path / f"plan{kind}"
        path.write_bytes(programme_file_bytes(programme, kind))
        assert read_programme_file(path) == programme
        assert _problems(
            lambda path=path: read_programme_file(path, phasing=PhasingForm.CUMULATIVE)
        ) == [
            f"plan{kind}: a {kind} file names its own phasing form and unit: leave out "
            "--phasing and --unit"
        ]
    csv_path = tmp_path / "plan.csv"
    csv_path.write_bytes(programme_file_bytes(programme, ".csv"))
    assert read_programme_file(csv_path, phasing=PhasingForm.CUMULATIVE, base=programme) == (
        programme
    )
    assert _problems(lambda: read_programme_file(csv_path)) == [
        "plan.csv: say whether the year columns are incremental or cumulative (--phasing "
        "incremental or --phasing cumulative): a CSV cannot say itself",
        "plan.csv: there is no plan to update: a CSV adds to or updates the lines of an "
        "existing plan (create one with csplan plan new, or import a workbook or JSON)",
    ]
