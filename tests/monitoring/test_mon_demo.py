from decimal import Decimal

import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.monitoring.demo import load_monitoring_demo
from csplan.monitoring.models import MonitoringRecord, Movement
from csplan.monitoring.store import (
    calibrate_probabilities,
    current_probabilities,
    demand_lines,
    demand_track,
    monitoring_summary_for,
    positions_for,
    risk_adjusted_for,
)
from csplan.programme.phasing import to_cumulative
from csplan.programme.store import line_figures

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
M12 = MonitoringPeriod(Y16, 12)


@pytest.fixture
def plan():
    return load_monitoring_demo(load_hampshire_demo())


def _in_year(plan, reference):
    line = plan.lines.get(reference=reference)
    return to_cumulative(line_figures(line).phasing, plan.years)


def test_a_year_of_records_for_every_line(plan):
    assert MonitoringRecord.objects.filter(line__plan=plan, year=2016).count() == 7 * 12 + 6
    assert set(Movement.objects.values_list("kind", flat=True)) == {
        "reprofile", "slippage", "write_off", "mitigation", "replacement", "demand_offset",
    }  # fmt: skip


def test_movements_changed_the_phasing(plan):
    assert _in_year(plan, "C8") == {Y16: 815000, Y17: 1200000, Y18: 1464000}  # re-profiled
    assert _in_year(plan, "C5") == {Y16: 415000, Y17: 3200000, Y18: 3200000}  # slipped
    assert _in_year(plan, "C2") == {Y16: 709000, Y17: 736000, Y18: 736000}  # written off
    assert _in_year(plan, "C2R") == {Y16: 0, Y17: 300000, Y18: 300000}  # replacement


def test_monitoring_summary_at_month_12(plan):
    summary = monitoring_summary_for(plan, M12)
    total = summary.total
    # 5,536k planned less 200k slipped and 300k written off
    assert total.proposed == Decimal("5036000.00")
    school = summary.row("School improvement services remodelling")
    # C2 delivers 80% of its 709k; C2R has nothing in 2016/17
    assert (school.proposed, school.anticipated) == (Decimal("709000.00"), Decimal("567200.00"))
    assert school.pressures == Decimal("300000.00")  # the write-off
    assert school.mitigation == Decimal("300000.00")  # one-off cover for 2016/17
    assert school.net_at_risk == Decimal("141800.00")
    social = summary.row("Social care transformation")
    assert social.pressures == Decimal("250000.00")  # offset by demand
    # 4% of 1,500k short (60k) plus 250k offset by demand
    assert social.net_at_risk == Decimal("310000.00")
    assert social.percent_of_budget == Decimal("0.6")  # 310k of 52.5m
    placements = summary.row("Children Looked After placements review")
    # C6 (390k) is demand-led: its forecast is what the Month 12 re-run implies, up to the plan
    c6 = MonitoringRecord.objects.get(line__reference="C6", year=2016, month=12)
    implied = c6.line.demand_reruns.get(year=2016, month=12).implied_by_year()[Y16]
    assert placements.anticipated == min(max(implied, Decimal(0)), Decimal("390000.00"))
    assert total.net_at_risk == sum((r.net_at_risk for r in summary.rows[:-1]), Decimal(0))


def test_achieved_to_date_accumulates(plan):
    records = MonitoringRecord.objects.filter(line__plan=plan, line__reference="C1/7")
    achieved = [r.achieved_to_date for r in records.order_by("month")]
    assert achieved[-1] == Decimal("715000.00")
    assert achieved[0] < achieved[5] < achieved[-1]


def test_positions_follow_the_period(plan):
    early = {p.reference: p for p in positions_for(plan, MonitoringPeriod(Y16, 3))}
    late = {p.reference: p for p in positions_for(plan, M12)}
    assert early["C2"].rag == "G" and late["C2"].rag == "R"
    assert "C2R" not in {p.reference for p in positions_for(plan, MonitoringPeriod(Y16, 3))} or (
        early["C2R"].proposed == 0
    )


def test_calibration_from_the_demo_year(plan):
    calibrated = calibrate_probabilities(plan, Y16)
    values = calibrated.as_decimals()
    assert values["G"] <= Decimal("1")
    assert values["A"] < values["G"]
    assert calibrated.label == "Calibrated from 2016/17 monitoring"
    assert str(calibrated.as_of) == "2017-03-31"
    assert current_probabilities(plan.council) == calibrated  # the newest set is used


def test_risk_adjusted_forecast_is_below_plan_and_within_range(plan):
    probabilities, rows = risk_adjusted_for(plan, draws=2000, seed=11)
    for row in rows:
        assert row.range.p10 <= row.expected <= row.planned
        assert row.range.p10 <= row.range.p50 <= row.range.p90 <= row.planned


def test_demand_led_line_is_tracked_month_by_month(plan):
    [evidence] = demand_lines(plan)
    track = demand_track(evidence, Y16)
    assert [m.period.number for m in track] == list(range(1, 13))
    promised = evidence.savings_by_year()[Y16]
    assert all(m.promised == promised for m in track)
    # The demand model's saving for the first year of a ramped in-house fostering scenario
    # on about 1,400 children is of the size C6 plans (390k).
    assert Decimal("250000") < promised < Decimal("500000")
    assert evidence.parameters["scenario"]["adjustments"][0]["kind"] == "in_house_share"
    assert len({m.data_hash for m in track}) == 12
    assert all(m.difference == m.implied - m.promised for m in track)
    assert len({m.implied for m in track}) == 12  # each month's data say something new
    last = evidence.reruns.get(month=12)
    assert Decimal(last.parameters["actual_cost"]["2016/17"]) > 0
    assert last.parameters["forecast_cost"].get("2016/17") is None  # the whole year is actual


def test_the_demo_loads_twice_the_same(plan):
    again = load_monitoring_demo(plan)
    assert MonitoringRecord.objects.filter(line__plan=again).count() == 7 * 12 + 6
    assert _in_year(again, "C8") == {Y16: 815000, Y17: 1200000, Y18: 1464000}


def test_rerun_from_the_command_line(plan, tmp_path):
    from click.testing import CliRunner

    from csplan.cli import cli
    from csplan.monitoring.demo import demo_return_files

    for name, content in demo_return_files().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    args = ["monitoring", "rerun", "C6", str(tmp_path), "--year", "2016/17", "--month", "6",
            "--as-at", "2016-09-30"]  # fmt: skip
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [evidence] = demand_lines(plan)
    stored = evidence.reruns.get(month=6)
    assert stored.parameters["latest_date"] == "2016-09-30"
    assert f"imply £{stored.implied_by_year()[Y16]:,}" in result.output
    missing = CliRunner().invoke(cli, ["monitoring", "rerun", "ZZ1", str(tmp_path), "--year",
                                       "2016/17", "--month", "1"])  # fmt: skip
    assert missing.exit_code == 1 and "No demand-model evidence" in missing.output


def test_rerun_from_the_command_line_refuses_returns_with_too_many_unusable_rows(plan, tmp_path):
    from click.testing import CliRunner

    from csplan.cli import cli
    from csplan.monitoring.demo import demo_return_files
    from csplan.monitoring.models import DemandRerun

    files = demo_return_files()
    name = max(n for n in files if n.endswith("episodes.csv"))
    lines = files[name].decode().splitlines()
    column = lines[0].split(",").index("DECOM")
    for number in range(1, len(lines), 10):  # every tenth start date is not a date
        cells = lines[number].split(",")
        cells[column] = "31/31/2016"
        lines[number] = ",".join(cells)
    files[name] = ("\n".join(lines) + "\n").encode()
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(content)
    before = DemandRerun.objects.count()
    args = ["monitoring", "rerun", "C6", str(tmp_path), "--year", "2016/17", "--month", "6"]
    result = CliRunner().invoke(cli, args)
    rows, bad = len(lines) - 1, len(range(1, len(lines), 10))
    assert result.exit_code == 1
    assert f"{name}, column DECOM: {bad:,} of {rows:,} rows ({bad / rows:.1%})" in result.output
    assert DemandRerun.objects.count() == before
