"""``csplan demo``, ``import``, ``export`` and ``table``: Hampshire reproduced in every format."""

import csv
import io
import json

import openpyxl
import pytest
from click.testing import CliRunner
from django.contrib.auth import authenticate, get_user_model

from csplan.cases.demo import load_hampshire_demo
from csplan.cli import cli
from csplan.programme.demo import hampshire_figures
from csplan.programme.models import Council, PhasingEntry, Plan, SavingsLine, Workstream
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db

TABLE_I1_TEXT_TAIL = [
    "Sub-Total - Workstreams                         149.6       23.3            15.6",
    "Mainstream home to school transport              11.8        n/a             n/a",
]


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env, catch_exceptions=False)


@pytest.fixture
def demo():
    return load_hampshire_demo()


def _counts():
    models = (Council, Plan, Workstream, SavingsLine, PhasingEntry)
    return [(m.objects.count(), m.history.count()) for m in models]


# --- demo --------------------------------------------------------------------------------------


def _printed_password(output: str) -> str:
    last = output.strip().splitlines()[-1]
    assert last.startswith("Demo log-in: user 'demo', password '")
    return last.rsplit(" ", 1)[1].strip("'")


def test_demo_loads_every_demo_and_prints_the_same_log_in_each_time():
    result = run("demo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Loaded: Hampshire County Council: Transformation to 2017"
    assert any(line.startswith("Loaded: Invest-to-save case") for line in lines)
    password = _printed_password(result.stdout)
    assert authenticate(username="demo", password=password) is not None
    user = get_user_model().objects.get(username="demo")
    assert SavingsLine.history.filter(history_user=user, reference="C3").exists()

    again = run("demo", "--if-empty")
    assert "already holds a programme" in again.stdout
    assert _printed_password(again.stdout) == password
    # demo (admin) and one user for each other role: finance, sro, viewer
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == [
        "demo", "finance", "sro", "viewer"
    ]  # fmt: skip


def test_demo_password_from_the_environment():
    result = run("demo", env={"CSPLAN_DEMO_PASSWORD": "a-long-demo-password-1"})
    assert _printed_password(result.stdout) == "a-long-demo-password-1"
    assert authenticate(username="demo", password="a-long-demo-password-1") is not None


def test_demo_if_empty_leaves_an_existing_programme_alone(demo):
    before = programme_figures(Plan.objects.get())
    result = run("demo", "--if-empty")
    assert result.exit_code == 0
    assert "already holds a programme" in result.stdout
    assert programme_figures(Plan.objects.get()) == before


# --- table -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "csv", "md", "json", "html"])
@pytest.mark.parametrize("name", ["workstreams", "proposals", "targets"])
def test_table_prints_exactly_the_tested_report_data(demo, name, fmt):
    from csplan.core.render import render
    from csplan.programme.reports import build_report

    result = run("table", name, "--format", fmt)
    assert result.exit_code == 0, result.output
    expected = render(build_report(name, hampshire_figures()), fmt).decode()
    position = (
        "Current position: every change recorded to date, since the budget approved by "
        "Executive Member for Children's Services, 16 September 2015 (Decision report 6889)."
    )
    if fmt == "text":
        said, blank, *rest = result.stdout.split("\n")
        assert said == f"Hampshire County Council: Transformation to 2017. {position}"
        assert (blank, "\n".join(rest)) == ("", expected)
    elif fmt == "json":
        printed, tested = json.loads(result.stdout), json.loads(expected)
        assert printed["meta"].pop("position") == position
        assert printed == tested
    else:
        assert result.stdout == expected


def test_table_text_reproduces_table_i1(demo):
    result = run("table", "workstreams")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()[2:]
    assert lines[0] == "Department Workstreams and Savings Target"
    for expected in TABLE_I1_TEXT_TAIL:
        assert expected in lines
    assert (
        lines[-5]
        == "TOTAL                                           161.4       23.3            14.4"
    )
    assert lines[-3] == "Totals may not add because of rounding."


def test_table_csv_reproduces_table_i1(demo):
    rows = list(csv.reader(io.StringIO(run("table", "workstreams", "--format", "csv").stdout)))
    assert rows[0][1] == "Total Budget (£m)"
    assert [row[1:] for row in rows[1:]] == [
        ["52.5", "4.0", "7.6"], ["21.3", "3.2", "15.0"], ["13.4", "8.4", "62.7"],
        ["23.1", "1.6", "6.9"], ["22.0", "3.6", "16.4"], ["4.4", "1.0", "22.7"],
        ["12.9", "1.5", "11.6"], ["149.6", "23.3", "15.6"], ["11.8", "n/a", "n/a"],
        ["11.8", "n/a", "n/a"], ["161.4", "23.3", "14.4"],
    ]  # fmt: skip


def test_table_markdown_reproduces_appendix_1(demo):
    text = run("table", "proposals", "--format", "md").stdout
    assert "| C3 | Social Care |" in text
    assert text.count("| 1,500 | 4,000 | 4,000 | 3.1 |") == 1
    assert "| **Total** |  |  |  | **5,536** | **22,836** | **23,300** | **58.6** |" in text
    assert "_FTE for C5, C1/7 is not yet known (TBC) and is not included in the total._" in text


def test_table_json_reproduces_appendix_1_incremental(demo):
    data = json.loads(
        run("table", "proposals", "--format", "json", "--phasing", "incremental").stdout
    )
    assert data["meta"]["phasing"] == "incremental"
    assert data["rows"][-1]["cells"][4:] == ["5536", "17300", "464", "58.6"]
    assert data["rows"][0]["cells"][4:] == ["1500", "2500", "0", "3.1"]


def test_table_targets_text(demo):
    text = run("table", "targets").stdout
    assert "Proposals above or (below) target           5,536    (464)        0" in text
    assert "Available for the cost of change                              5,072" in text


@pytest.mark.parametrize(
    "name, sheet, cell, value, number_format",
    [
        ("workstreams", "workstreams", "B4", 52.5, "#,##0.0;(#,##0.0)"),
        ("workstreams", "workstreams", "D14", 14.4, "0.0;(0.0)"),
        ("proposals", "proposals", "G11", 23300, "#,##0;(#,##0)"),
        ("proposals", "proposals", "H11", 58.6, "#,##0.0;(#,##0.0)"),
        ("targets", "targets", "C6", -464, "#,##0;(#,##0)"),
        ("targets", "targets", "D12", 5072, "#,##0;(#,##0)"),
    ],
)
def test_table_xlsx(demo, tmp_path, name, sheet, cell, value, number_format):
    path = tmp_path / f"{name}.xlsx"
    result = run("table", name, "--output", path)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book[sheet][cell].value == value
    assert book[sheet][cell].number_format == number_format


def test_table_xlsx_needs_an_output_file(demo):
    result = CliRunner().invoke(cli, ["table", "proposals", "--format", "xlsx"])
    assert result.exit_code == 1
    assert "An xlsx table needs --output FILE.xlsx." in result.stderr


def test_table_to_a_file_takes_the_format_from_the_extension(demo, tmp_path):
    path = tmp_path / "t.md"
    run("table", "targets", "--output", path)
    assert path.read_text().startswith("**Savings Target and Proposals by Year**")


def test_table_without_a_programme():
    result = CliRunner().invoke(cli, ["table", "workstreams"])
    assert result.exit_code == 1
    assert "There is no plan yet: create one or load the demo." in result.stderr


# --- export and import -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_export_then_import_changes_nothing(demo, tmp_path, suffix):
    path = tmp_path / f"plan{suffix}"
    result = run("export", path)
    assert result.exit_code == 0, result.output
    assert "(7 lines, incremental phasing, £'000)" in result.stdout
    before = _counts()
    result = run("import", path)
    assert result.exit_code == 0, result.output
    assert f"plan{suffix}: nothing changed in Hampshire County Council" in result.stdout
    assert [c for c, _ in _counts()] == [c for c, _ in before]


@pytest.mark.parametrize("form", ["cumulative", "incremental"])
def test_csv_export_and_import_in_either_form(demo, tmp_path, form):
    path = tmp_path / "appendix.csv"
    result = run("export", path, "--phasing", form)
    assert f"To import it again: csplan import {path} --phasing {form}" in result.stdout
    assert run("import", path, "--phasing", form).exit_code == 0
    assert programme_figures(Plan.objects.get()) == hampshire_figures()


def test_import_into_an_empty_database_reports_the_lines(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(
        __import__("csplan.programme.io", fromlist=["x"]).programme_file_bytes(
            hampshire_figures(), ".xlsx"
        )
    )
    result = run("import", path)
    assert result.exit_code == 0, result.output
    assert "plan.xlsx: Created Hampshire County Council: Transformation to 2017." in result.stdout
    assert "  Lines added: 7: C3, C5, C1/7, C6, C4, C2, C8" in result.stdout


def test_csv_import_without_phasing_fails_and_changes_nothing(demo, tmp_path):
    path = tmp_path / "appendix.csv"
    run("export", path)
    before = _counts()
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "Nothing was imported: 1 problem(s)." in result.stderr
    assert "appendix.csv: say whether the year columns are incremental or cumulative" in (
        result.stderr
    )
    assert _counts() == before


def test_bad_csv_lists_every_problem_on_stderr(demo, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Ref,2016/17,2017/18,2018/19,FTE\n"
        "C3,1500,4000,4000,3.1\n"
        "C3,615,3x,3200,TBC\n"
        "C6,390,1600,1600,four\n"
    )
    before = _counts()
    result = CliRunner().invoke(cli, ["import", str(path), "--phasing", "cumulative"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-3:] == [
        "Nothing was imported: 2 problem(s).",
        "  bad.csv, row 3, column '2017/18 (C)': '3x' is not an amount in £'000",
        "  bad.csv, row 4, column 'FTE (E)': 'four' is not a number of posts (write a number "
        "or TBC)",
    ]
    assert _counts() == before


def test_unknown_file_type(demo, tmp_path):
    path = tmp_path / "plan.xls"
    path.write_text("x")
    result = CliRunner().invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "plan.xls: unknown file type (.xls)" in result.stderr
    result = CliRunner().invoke(cli, ["export", str(path)])
    assert result.exit_code == 1


def test_bad_unit_option(demo, tmp_path):
    path = tmp_path / "appendix.csv"
    run("export", path)
    result = CliRunner().invoke(
        cli, ["import", str(path), "--phasing", "cumulative", "--unit", "$"]
    )
    assert result.exit_code == 2
    assert "unknown money unit '$'" in result.stderr


def test_export_template(tmp_path):
    path = tmp_path / "template.xlsx"
    result = run("export", path, "--template", "--first-year", "2025/26", "--years", "4")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote an empty template to {path} (2025/26 to 2028/29).\n"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Key", "Programme", "Workstreams", "Lines"]
    bad = CliRunner().invoke(cli, ["export", str(tmp_path / "t.csv"), "--template"])
    assert "A template is a workbook" in bad.stderr


def test_every_command_has_help():
    for command in ("demo", "import", "export", "table"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Usage: " in result.output
    assert "--phasing [incremental|cumulative]" in run("import", "--help").output


def test_csv_import_into_a_named_plan_in_millions(demo, tmp_path):
    path = tmp_path / "appendix.csv"
    run("export", path, "--unit", "£m", "--phasing", "incremental")
    text = path.read_text().replace(",0.815,0.185,0.464,", ",0.815,0.185,0.5,")
    path.write_text(text.replace(",5.536,17.3,0.464,", ",5.536,17.3,0.5,"))
    result = run("import", path, "--plan", "Transformation to 2017", "--phasing", "incremental")
    assert result.exit_code == 0, result.output
    assert "  Lines updated: 1: C8" in result.stdout
    plan = Plan.objects.get()
    assert programme_figures(plan).lines[-1].full_year_effect == 1_500_000
    missing = CliRunner().invoke(
        cli, ["import", str(path), "--plan", "Nope", "--phasing", "incremental"]
    )
    assert missing.exit_code == 1
    assert "there is no plan called 'Nope'" in missing.stderr


def test_csv_import_keeps_lines_not_in_the_file_unless_told(demo, tmp_path):
    path = tmp_path / "part.csv"
    path.write_text("Ref,2016/17,2017/18,2018/19\nC3,1500,4000,4000\nC5,615,3200,3200\n")
    kept = run("import", path, "--phasing", "cumulative")
    assert "nothing changed" in kept.stdout
    assert SavingsLine.objects.count() == 7
    removed = run("import", path, "--phasing", "cumulative", "--remove-missing")
    assert "  Lines removed: 5: C1/7, C6, C4, C2, C8" in removed.stdout
    assert sorted(SavingsLine.objects.values_list("reference", flat=True)) == ["C3", "C5"]
