"""``csplan demand forecast|backtest|scenario`` through the top-level command line."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from csplan.cli import cli
from csplan.demand.config import load_config
from csplan.demand.episodes import load_returns
from csplan.demand.scenarios import reproduce

SCENARIO = """\
name: More in-house fostering
adjustments:
  - kind: in_house_share
    share: 0.5
    start: 2025-04-01
    ramp_months: 12
"""


def run(*args, ok: bool = True):
    result = CliRunner().invoke(cli, ["demand", *map(str, args)], catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def returns_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model") / "903"
    run("generate", folder, "--children", 200, "--years", 3, "--seed", 8)
    return folder


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("scenario") / "in_house.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def test_forecast_csv_has_one_row_per_month_band_and_group_then_the_aggregates(returns_folder):
    result = run("forecast", returns_folder, "--format", "csv", "--months", 6,
                 "--simulations", 50)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    config = load_config()
    bands, groups = len(config.age_bands), len(config.groups)
    assert list(rows[0]) == ["date", "age_band", "placement_group", "p10", "p50", "p90"]
    # cells, then each group (age_band all), each band (placement_group all), the total
    assert len(rows) == 6 * (bands * groups + groups + bands + 1)
    cells = rows[: 6 * bands * groups]
    assert all(r["age_band"] != "all" and r["placement_group"] != "all" for r in cells)
    assert sorted({r["date"] for r in rows}) == [
        "2025-04-30", "2025-05-31", "2025-06-30", "2025-07-31", "2025-08-31", "2025-09-30"
    ]  # fmt: skip
    assert {r["placement_group"] for r in cells} == set(config.group_keys)
    by_group = [r for r in rows if r["age_band"] == "all" and r["placement_group"] != "all"]
    by_band = [r for r in rows if r["placement_group"] == "all" and r["age_band"] != "all"]
    totals = [r for r in rows if r["age_band"] == r["placement_group"] == "all"]
    assert (len(by_group), len(by_band), len(totals)) == (6 * groups, 6 * bands, 6)
    assert all(float(r["p10"]) <= float(r["p50"]) <= float(r["p90"]) for r in rows)
    # the total's band comes from summed paths: narrower than the summed cell bands
    last = [r for r in cells if r["date"] == "2025-09-30"]
    total = next(r for r in totals if r["date"] == "2025-09-30")
    width = float(total["p90"]) - float(total["p10"])
    assert 0 < width < sum(float(r["p90"]) - float(r["p10"]) for r in last)


def test_forecast_default_is_24_months(returns_folder):
    result = run("forecast", returns_folder, "--format", "csv", "--simulations", 0)
    dates = sorted({r["date"] for r in csv.DictReader(io.StringIO(result.stdout))})
    assert len(dates) == 24 and dates[-1] == "2027-03-31"


def test_forecast_json_costs_add_up_by_financial_year(returns_folder):
    body = json.loads(run("forecast", returns_folder, "--format", "json", "--months", 12,
                          "--simulations", 0).stdout)  # fmt: skip
    assert body["start"] == "2025-03-31"
    cost = body["costs"]["2025/26"]
    assert cost["partial"] is False
    assert Decimal(cost["total"]) == sum(Decimal(v) for v in cost["by_group"].values())
    returns = load_returns(returns_folder)
    in_care = returns.episodes[returns.episodes["end"].isna()]["child_id"].nunique()
    assert body["parameters"]["children_in_care_at_start"] == in_care


def test_forecast_xlsx_needs_an_output_and_writes_three_sheets(returns_folder, tmp_path):
    missing = run("forecast", returns_folder, "--format", "xlsx", "--simulations", 0, ok=False)
    assert missing.exit_code != 0 and "--output" in missing.output
    target = tmp_path / "forecast.xlsx"
    run("forecast", returns_folder, "--format", "xlsx", "-o", target, "--simulations", 0,
        "--months", 3)  # fmt: skip
    book = load_workbook(target)
    assert book.sheetnames == ["forecast", "forecast_groups", "costs"]


def test_scenario_saving_is_baseline_less_scenario_and_the_evidence_reproduces(
    returns_folder, scenario_file, tmp_path
):
    evidence = tmp_path / "evidence.json"
    result = run("scenario", returns_folder, scenario_file, "--format", "csv",
                 "--simulations", 20, "--evidence", evidence)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    years = [r["Financial year"] for r in rows]
    assert years == ["2025/26", "2026/27", "2027/28", "2028/29", "2029/30", "Total"]
    for row in rows:
        baseline = Decimal(row["Baseline cost (£)"])
        scenario = Decimal(row["More in-house fostering cost (£)"])
        assert Decimal(row["Saving (£)"]) == baseline - scenario
    assert Decimal(rows[1]["Saving (£)"]) > Decimal(rows[0]["Saving (£)"]) > 0  # ramping up
    record = json.loads(evidence.read_text())
    assert record["savings"]["2026/27"] == rows[1]["Saving (£)"]
    rerun = reproduce(record, load_returns(returns_folder))
    assert rerun.evidence["savings"] == record["savings"]


def test_two_scenario_files_compose(returns_folder, scenario_file, tmp_path):
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps({"name": "Fewer entries", "adjustments": [
        {"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01"}]}))  # fmt: skip
    one = json.loads(run("scenario", returns_folder, scenario_file, "--format", "json",
                         "--simulations", 0, "--months", 12).stdout)  # fmt: skip
    both = json.loads(run("scenario", returns_folder, scenario_file, fewer, "--format", "json",
                          "--simulations", 0, "--months", 12).stdout)  # fmt: skip
    assert both["parameters"]["scenario"]["name"] == "More in-house fostering + Fewer entries"
    assert Decimal(both["savings"]["2025/26"]) > Decimal(one["savings"]["2025/26"])


def test_a_bad_scenario_is_a_clear_error(returns_folder, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nadjustments:\n  - kind: fewer_children\n    start: 2025-04-01\n")
    result = run("scenario", returns_folder, bad, ok=False)
    assert result.exit_code == 1
    assert "unknown adjustment kind 'fewer_children'" in result.output


def test_backtest_reports_error_and_band_coverage(returns_folder):
    result = run("backtest", returns_folder, "--simulations", 50)
    text = result.stdout
    assert "Back-test: fitted on the data to 2023-03-31" in text
    assert "12 months: the actual fell inside the 80% band" in text
    body = json.loads(run("backtest", returns_folder, "--simulations", 50, "--format",
                          "json").stdout)  # fmt: skip
    assert [h["months"] for h in body["horizons"]] == [12, 24]
    total = next(r for r in body["horizons"][0]["rows"] if r["group"] == "total")
    assert total["error"] == pytest.approx(total["expected"] - total["actual"])


def test_rolling_backtest_reports_band_coverage_by_months_ahead(returns_folder):
    args = ("backtest", returns_folder, "--simulations", 40, "--horizon", 6, "--origins", 3,
            "--spacing", 2)  # fmt: skip
    body = json.loads(run(*args, "--format", "json").stdout)
    rolling = body["rolling"]
    # data to 2025-03-31: the latest origin 6 months before, then every 2 months back
    assert rolling["origins"] == ["2024-05-31", "2024-07-31", "2024-09-30"]
    assert [h["months"] for h in rolling["horizons"]] == [1, 2, 3, 4, 5, 6]
    for h in rolling["horizons"]:
        assert h["forecasts"] == 3
        assert h["total"] in (0.0, 1 / 3, 2 / 3, 1.0)
        assert set(h["groups"]) == set(load_config().group_keys)
    text = run(*args).stdout
    assert "Rolling back-test: 80% band coverage by months ahead" in text
    assert "3 forecasts, fitted on the data known at month ends 2024-05-31 to 2024-09-30" in text


def test_backtest_with_no_later_data_is_a_clear_error(returns_folder):
    result = run("backtest", returns_folder, "--until", "2025-03-31", ok=False)
    assert result.exit_code == 1 and "no data after 2025-03-31" in result.output


def test_a_missing_year_is_a_clear_error(returns_folder, tmp_path):
    import shutil

    copy = tmp_path / "gap"
    shutil.copytree(returns_folder, copy)
    shutil.rmtree(copy / "2024")
    result = run("forecast", copy, ok=False)
    assert result.exit_code == 1 and "no returns for collection year 2023-24" in result.output


def test_short_breaks_are_left_out_of_a_forecast_unless_asked_for(returns_folder, tmp_path):
    import shutil

    folder = tmp_path / "903"
    shutil.copytree(returns_folder, folder)
    episodes = folder / "2025" / "episodes.csv"
    rows = list(csv.DictReader(io.StringIO(episodes.read_text(encoding="utf-8"))))
    open_rows = [row for row in rows if not row["DEC"]]
    respite = {row["CHILD"] for row in open_rows[:10]}
    assert len(respite) == 10
    for row in open_rows[:10]:
        row["LS"] = "V3"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    episodes.write_text(buffer.getvalue(), encoding="utf-8")

    def in_care(returns, *extra) -> tuple[int, str]:
        printed = run("forecast", returns, "--months", 1, "--simulations", 0, "--format", "json",
                      *extra)  # fmt: skip
        said = json.loads(printed.stdout)["parameters"]
        return said["children_in_care_at_start"], said["short_breaks"]

    before, _ = in_care(returns_folder)
    assert in_care(folder) == (before - 10, "left out")
    assert in_care(folder, "--include-short-breaks") == (before, "counted")


def test_backtest_compares_the_exit_models_and_names_the_best(returns_folder):
    args = ("backtest", returns_folder, "--horizon", 4, "--origins", 2, "--compare-exits")
    body = json.loads(run(*args, "--format", "json").stdout)
    compared = body["exit_models"]
    assert sorted(c["variant"] for c in compared) == sorted(
        ["constant", "duration", "duration+legal_status", "duration+uasc",
         "duration+legal_status+uasc"])  # fmt: skip
    means = [c["mean_group_mape"] for c in compared]
    assert means == sorted(means)
    for c in compared:
        assert len(c["rolling"]["origins"]) == 2 and len(c["rolling"]["horizons"]) == 4
        assert c["rolling"]["simulations"] == 0  # errors of the expected values
    text = run(*args).stdout
    assert "Exit models compared by rolling back-test" in text
    assert f"Best here: {compared[0]['variant']} (set it with exits:" in text


def test_the_exit_model_is_chosen_on_the_command_line_and_recorded(returns_folder):
    from csplan.cli.demand_model import EXIT_MODELS
    from csplan.demand.config import EXIT_VARIANT_NAMES

    assert EXIT_MODELS == EXIT_VARIANT_NAMES
    args = ("forecast", returns_folder, "--months", 6, "--simulations", 0, "--format", "json")
    constant = json.loads(run(*args).stdout)
    duration = json.loads(run(*args, "--exits", "duration").stdout)
    assert constant["parameters"]["exits"] == {"variant": "constant"}
    assert duration["parameters"]["exits"]["variant"] == "duration"
    assert duration["parameters"]["exits"]["duration_buckets_months"][-1] == "24+"
    totals = [[row["expected"] for row in body["totals"]] for body in (constant, duration)]
    assert totals[0] != totals[1]  # a different model, different numbers
    refused = run("forecast", returns_folder, "--exits", "weibull", ok=False)
    assert refused.exit_code == 2 and "'weibull' is not one of 'constant'" in refused.output


def test_a_scenario_under_the_duration_model_reproduces_from_its_evidence(
    returns_folder, scenario_file, tmp_path
):
    evidence = tmp_path / "evidence.json"
    run("scenario", returns_folder, scenario_file, "--simulations", 20, "--exits", "duration",
        "--evidence", evidence)  # fmt: skip
    record = json.loads(evidence.read_text())
    rerun = reproduce(record, load_returns(returns_folder))
    assert rerun.evidence["savings"] == record["savings"]
    assert rerun.baseline.result.parameters["exits"]["variant"] == "duration"
