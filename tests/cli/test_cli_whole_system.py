"""``csplan send`` and ``csplan needs``: forecast, scenario (and --attach), back-test and
generate, on synthetic files in DfE's layout."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from csplan.cli import cli
from csplan.evidence.models import Evidence


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("whole")
    assert run("send", "generate", root / "ehcp").exit_code == 0
    assert run("needs", "generate", root / "cin").exit_code == 0
    (root / "send.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "Transport",
                "adjustments": [
                    {"kind": "personal_budget", "start": "2016-04-01", "share": 0.1, "cost": "2500"}
                ],
            }
        )
    )
    (root / "needs.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "Early help",
                "adjustments": [
                    {"kind": "earlier_help", "start": "2016-04-01", "fewer_referrals": 500}
                ],
            }
        )
    )
    return root


def test_send_forecast_prints_plans_ages_and_costs(folders):
    result = run("send", "forecast", folders / "ehcp", "--years", "3", "--simulations", "100")
    assert result.exit_code == 0, result.output
    assert "EHC plans in January by setting: Demoshire" in result.output
    assert "Jan 2019" in result.output and "All plans: 90th percentile" in result.output
    assert "EHC plans in January 2017 by setting and age" in result.output
    assert "2015/16 (base)" in result.output and "Home-to-school transport" in result.output


def test_send_forecast_as_json_and_xlsx(folders, tmp_path):
    result = run("send", "forecast", folders / "ehcp", "--format", "json", "--simulations", "0")
    tables = json.loads(result.stdout)
    assert [t["name"] for t in tables] == ["ehc_plans", "ehc_plans_by_age", "send_costs"]
    target = tmp_path / "send.xlsx"
    assert run("send", "forecast", folders / "ehcp", "--format", "xlsx", "-o", target,
               "--simulations", "0").exit_code == 0  # fmt: skip
    assert target.read_bytes()[:2] == b"PK"


def test_a_bad_path_or_la_is_a_clear_error(folders, tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    result = run("send", "forecast", tmp_path / "other.csv")
    assert result.exit_code != 0 and "not a recognised file" in result.output
    result = run("needs", "forecast", folders / "cin", "--la", "E10000001")
    assert result.exit_code != 0 and "no published figures for LA 'E10000001'" in result.output


def test_needs_forecast_shows_each_level_and_its_band(folders):
    result = run("needs", "forecast", folders / "cin", "--la", "999", "--years", "3",
                 "--simulations", "100")  # fmt: skip
    assert result.exit_code == 0, result.output
    for label in ("Referrals", "Children in need on 31 March", "Children looked after on 31"):
        assert label in result.output
    assert "80% band" in result.output and "Rates per 10,000" in result.output


def test_backtests_print_error_and_coverage(folders):
    result = run("send", "backtest", folders / "ehcp", "--simulations", "50")
    assert result.exit_code == 0, result.output
    assert "EHC plan model back-test: 1 LA(s)" in result.output and "In 80% band" in result.output
    result = run("needs", "backtest", folders / "cin", "--first-origin", "2013",
                 "--simulations", "50")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Naive rival: the last year held" in result.output


@pytest.mark.django_db
def test_scenarios_attach_their_saving_to_a_line(folders):
    from csplan.cases.demo import load_hampshire_demo

    load_hampshire_demo()
    result = run("send", "scenario", folders / "ehcp", folders / "send.yaml", "--years", "3",
                 "--attach", "C4")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Transport saving" in result.output
    evidence = Evidence.objects.get(line__reference="C4")
    assert evidence.kind == "send_scenario" and evidence.title.endswith("Transport")
    assert sorted(evidence.savings) == ["2016/17", "2017/18", "2018/19"]

    result = run("needs", "scenario", folders / "cin", folders / "needs.yaml", "--la", "999",
                 "--years", "3", "--attach", "C1/7")  # fmt: skip
    assert result.exit_code == 0, result.output
    evidence = Evidence.objects.get(line__reference="C1/7")
    assert evidence.kind == "needs_scenario"
    assert evidence.parameters["costing"] == "average_weekly_cost"
    result = run("send", "scenario", folders / "ehcp", folders / "send.yaml", "--attach", "Z9")
    assert result.exit_code != 0 and "no savings line with reference 'Z9'" in result.output


def _returns_with_bad_start_dates(folder):
    """Synthetic returns where every fifth episode of the last year has no usable DECOM."""
    from csplan.demand.synthetic import returns_files

    files = returns_files(300, years=3, last_year=2016, seed=4)
    lines = files["2016/episodes.csv"].decode().splitlines()
    column = lines[0].split(",").index("DECOM")
    for number in range(1, len(lines), 5):
        cells = lines[number].split(",")
        cells[column] = "31/31/2015"
        lines[number] = ",".join(cells)
    files["2016/episodes.csv"] = ("\n".join(lines) + "\n").encode()
    for name, body in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(body)
    return folder, len(lines) - 1


def test_needs_scenario_refuses_returns_with_too_many_unusable_rows(folders, tmp_path):
    returns, rows = _returns_with_bad_start_dates(tmp_path)
    bad = len(range(1, rows + 1, 5))
    result = run("needs", "scenario", folders / "cin", folders / "needs.yaml", "--la", "999",
                 "--years", "3", "--returns", returns)  # fmt: skip
    assert result.exit_code == 1
    assert f"2016/episodes.csv, column DECOM: {bad:,} of {rows:,} rows" in result.output
    assert f"({bad / rows:.1%}) cannot be used" in result.output
    assert "no forecast is made on the rest" in result.output
