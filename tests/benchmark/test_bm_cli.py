"""``csplan benchmark``: import, show (and the short form), datasets, gap."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from csplan.benchmark.demo import DEMO_LA
from csplan.benchmark.models import Dataset
from csplan.benchmark.store import import_parsed
from csplan.cli import cli

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def published(reference_files):
    import_parsed(reference_files.values())


@pytest.mark.reference
def test_import_prints_what_it_imported(reference_paths):
    result = run("benchmark", "import", *[str(p) for p in reference_paths.values()])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "cla_number_and_rate_per_10k_children.csv: DfE children looked after numbers and rates "
        "per 10,000 (2025 columns) - imported 2,505 rows [cla, sha256 "
    )
    assert "RO3_LA_Data_2024-25_data_by_LA.ods: MHCLG RO3" in lines[4]
    assert "imported 411 rows [ro3:2024" in lines[4]
    assert lines[-1] == "5 file(s), 5,522 rows."
    again = run("benchmark", "import", str(reference_paths["cla"]))
    assert "replaced 2,505 rows" in again.output
    assert Dataset.objects.count() == 5


def test_import_of_a_bad_file_fails_clearly(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    result = CliRunner().invoke(cli, ["benchmark", "import", str(bad)])
    assert result.exit_code == 1
    assert "file bad.csv, row 1: not a recognised benchmark file" in result.output
    assert "(nothing was imported)" in result.output
    assert Dataset.objects.count() == 0


@pytest.mark.reference
@pytest.mark.usefixtures("published")
def test_show_hertfordshire_text():
    result = run("benchmark", "show", "E10000015", "--year", "2025")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(
        "Hertfordshire (E10000015) against its statistical neighbours, 31 March 2025"
    )
    cla_line = next(line for line in out.splitlines() if line.startswith("Children looked after"))
    assert cla_line.split()[-9:] == ["999", "36.0", "36", "52.2", "50.0", "49", "67", "10", "151"]
    assert "10  E06000040  Windsor and Maidenhead" in out
    assert "Rank 1 = the lowest rate" in out


@pytest.mark.reference
@pytest.mark.usefixtures("published")
def test_short_form_and_old_code_give_the_same_output():
    full = run("benchmark", "show", "E10000015", "--year", "2025").output
    assert run("benchmark", "E10000015", "--year", "2025").output == full
    assert run("benchmark", "919", "--year", "2025").output == full


@pytest.mark.reference
@pytest.mark.usefixtures("published")
def test_show_csv_json_and_xlsx(tmp_path):
    rows = list(
        csv.DictReader(
            io.StringIO(run("benchmark", "E10000015", "--year", "2025", "--format", "csv").output)
        )
    )
    first = rows[0]
    assert (first["LA count"], first["LA published"], first["Rank among LAs (1 = lowest)"]) == (
        "999",
        "36",
        "10",
    )
    assert first["LA rate per 10,000"] == "36.0"  # as shown; the XLSX keeps the exact rate
    tables = json.loads(run("benchmark", "E10000015", "--year", "2025", "--format", "json").output)
    comparison = tables[0]
    england = [c["heading"] for c in comparison["columns"]].index("England")
    assert comparison["name"] == "comparison" and comparison["rows"][0]["cells"][england] == "67"
    target = tmp_path / "herts.xlsx"
    result = run(
        "benchmark", "E10000015", "--year", "2025", "--format", "xlsx", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {target} (comparison, spend, neighbours, trend)" in result.output
    from openpyxl import load_workbook

    book = load_workbook(target)
    assert book.sheetnames == ["comparison", "spend", "neighbours", "trend"]
    assert book["comparison"]["B4"].value == 999
    assert str(book["comparison"]["C4"].value).startswith("36.002594781605")
    assert run("benchmark", "E10000015", "--format", "xlsx").exit_code == 1


@pytest.mark.reference
@pytest.mark.usefixtures("published")
def test_unknown_la_and_year_are_clear_errors():
    result = CliRunner().invoke(cli, ["benchmark", "E10000099", "--year", "2025"])
    assert result.exit_code == 1
    assert "no published figures for LA E10000099" in result.output
    result = CliRunner().invoke(cli, ["benchmark", "E10000015", "--year", "2019"])
    assert "no figures for the year ending 31 March 2019; years available: 2021, 2022" in (
        result.output
    )


def test_show_without_data_says_to_import():
    result = CliRunner().invoke(cli, ["benchmark", "show", "E10000015"])
    assert result.exit_code == 1
    assert "run `csplan benchmark import` first" in result.output


def test_datasets_and_gap_on_the_demo():
    loaded = run("benchmark", "demo").output
    assert loaded.splitlines()[0].startswith("demo-cla-2025: DfE children looked after")
    assert "Try: csplan benchmark E10009999" in loaded
    listing = run("benchmark", "datasets").output
    assert listing.splitlines()[0].startswith("cla          demo-cla-2025  ")
    out = run("benchmark", "gap", DEMO_LA, "--by", "2027/28", "--weekly-cost", "1,000").output
    assert out.startswith("Close the gap: Demoshire (E10009999)")
    assert "2025/26" in out and "2027/28" in out and "Full-year effect after 2027/28" in out
    bad = CliRunner().invoke(
        cli, ["benchmark", "gap", DEMO_LA, "--by", "2019/20", "--weekly-cost", "1000"]
    )
    assert "the target year 2019/20 is not after the base year 2024/25" in bad.output


@pytest.mark.reference
@pytest.mark.usefixtures("published")
def test_check_reports_the_four_regional_differences():
    out = run("benchmark", "check").output.splitlines()
    assert out[0] == (
        "2,447 published rates; 2,443 agree with round-half-up(count x 10,000 / population); "
        "4 differ."
    )
    assert out[1] == (
        "  2023 London (regional) ceased: the published count 5,230 is rounded to the nearest 10 "
        "(DfE rounds national and regional counts); an unrounded count of 5,232–5,234 gives the "
        "published rate 28"
    )
    assert len([line for line in out if "the published count" in line]) == 4
    assert out[-1] == "0 populations differ from the ONS mid-year estimate of the year before."
