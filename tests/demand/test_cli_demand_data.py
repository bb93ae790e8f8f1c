"""``csplan demand validate`` and ``csplan demand generate``."""

from __future__ import annotations

import csv
import io
import json

import click
import pytest
from click.testing import CliRunner

from csplan.cli.demand_data import COMMANDS

group = click.Group("demand", commands={command.name: command for command in COMMANDS})


def run(*args):
    return CliRunner().invoke(group, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def returns_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli") / "903"
    result = run("generate", folder, "--children", 120, "--years", 2, "--seed", 4)
    assert result.exit_code == 0, result.output
    return folder


def test_generate_writes_the_files_it_says(returns_folder):
    names = sorted(p.relative_to(returns_folder).as_posix() for p in returns_folder.rglob("*"))
    assert names == ["2024", "2024/episodes.csv", "2024/header.csv", "2025",
                     "2025/episodes.csv", "2025/header.csv"]  # fmt: skip


def test_generate_flat_xlsx(tmp_path):
    result = run("generate", tmp_path / "x", "--children", 50, "--years", 1, "--format", "xlsx",
                 "--layout", "flat")  # fmt: skip
    assert result.exit_code == 0
    assert "Wrote 2 files" in result.output
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "episodes_2025.xlsx",
        "header_2025.xlsx",
    ]


def test_validate_text_lists_issues_with_file_row_and_child(tmp_path, write_903, base_returns):
    base_returns[2023]["header"][1]["DOB"] = "31/13/2008"
    folder = write_903(tmp_path / "in", base_returns)
    result = run("validate", folder, "--no-dfe")
    assert result.exit_code == 0
    assert "Input issues: 1" in result.output
    assert "bad-dob: date of birth '31/13/2008'" in result.output
    assert "file 2023/header.csv, row 3, child C3, column DOB" in result.output


def test_validate_csv_and_json(tmp_path, write_903, base_returns):
    base_returns[2024]["episodes"][1]["PLACE"] = "ZZ"
    folder = write_903(tmp_path / "in", base_returns)
    rows = list(csv.DictReader(io.StringIO(run("validate", folder, "--no-dfe", "--format",
                                               "csv").output)))  # fmt: skip
    assert [(r["rule"], r["file"], r["row"], r["child"], r["column"]) for r in rows] == [
        ("unknown-code", "2024/episodes.csv", "3", "C2", "PLACE")
    ]
    data = json.loads(run("validate", folder, "--no-dfe", "--format", "json").output)
    assert data["years"] == [2023, 2024] and data["episodes"] == 4
    assert data["input_issues"][0]["rule"] == "unknown-code"
    assert data["dfe"] == []


def test_validate_input_error_exits_non_zero_with_the_reason(tmp_path, write_903, base_returns):
    del base_returns[2024]["header"]
    folder = write_903(tmp_path / "in", base_returns)
    result = run("validate", folder, "--no-dfe")
    assert result.exit_code == 1
    assert "collection year 2023-24: no header table" in result.output


def test_validate_unknown_year(returns_folder):
    result = run("validate", returns_folder, "--year", 2019)
    assert result.exit_code == 1
    assert "no returns for 2019" in result.output


def test_validate_without_the_validator_still_prints_input_issues(returns_folder, monkeypatch):
    monkeypatch.setenv("CSPLAN_VALIDATOR_PYTHON", "/nonexistent/python")
    result = CliRunner().invoke(group, ["validate", str(returns_folder), "--la", "E10000015"])
    assert result.exit_code == 0
    assert "run scripts/setup.sh" in result.output
    assert "Input issues: 0" in result.output


@pytest.mark.validator
def test_validate_runs_the_dfe_rules(returns_folder):
    result = run("validate", returns_folder, "--year", 2025, "--la", "E10000015", "--format",
                 "json")  # fmt: skip
    data = json.loads(result.output[result.output.index("{") :])
    [report] = data["dfe"]
    assert report["ruleset"] == "lac2024_25"
    real = [f for f in report["findings"] if not f["false_positive"]]
    assert real == []
    assert {f["rule"] for f in report["findings"]} <= {"146", "202", "241"}


def test_validate_xlsx_needs_an_output_and_lists_the_issue(tmp_path, write_903, base_returns):
    from openpyxl import load_workbook

    base_returns[2024]["episodes"][1]["PLACE"] = "ZZ"
    folder = write_903(tmp_path / "in", base_returns)
    assert run("validate", folder, "--no-dfe", "--format", "xlsx").exit_code == 2
    target = tmp_path / "issues.xlsx"
    assert run("validate", folder, "--no-dfe", "--format", "xlsx", "-o", target).exit_code == 0
    rows = [[c.value for c in row] for row in load_workbook(target)["validation"].iter_rows()]
    header = next(i for i, r in enumerate(rows) if r[0] == "source")
    assert rows[header][:6] == ["source", "rule", "message", "file", "row", "child"]
    issue = rows[header + 2]  # under the heading and the (empty) units row
    assert (issue[1], issue[3], issue[4], issue[5]) == ("unknown-code", "2024/episodes.csv", "3",
                                                        "C2")  # fmt: skip
