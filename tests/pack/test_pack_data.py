"""The pack's report data: values in its tables."""

from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.core.table import RowKind
from csplan.evidence.models import Evidence
from csplan.investment.demo import EXPECTED_NOTES, bcp_figures
from csplan.investment.store import save_case
from csplan.monitoring.models import MonitoringRecord
from csplan.pack.builder import PackError, build_pack, pack_from_json, pack_to_json

Y16, Y17 = FinancialYear(2016), FinancialYear(2017)


def _column(table, heading):
    return table.column_index(heading)


def test_monitoring_tables_at_month_9(plan, month9):
    pack = build_pack(plan, month9, ["monitoring_summary", "at_risk", "movements"], draws=500)
    assert [t.name for t in pack.tables] == [
        "monitoring_summary",
        "at_risk",
        "movements",
        "movements_reconciliation",
    ]
    summary = pack.table("monitoring_summary")
    total = summary.rows[-1]
    assert total.kind is RowKind.TOTAL
    # C6 is demand-led: its Month 9 forecast and rating come from that month's stored re-run
    c6 = MonitoringRecord.objects.get(line__reference="C6", year=2016, month=9)
    c6_forecast = c6.forecast_by_year()[Y16]
    c6_at_risk = max(c6.target - c6_forecast, Decimal(0))
    anticipated = Decimal("4332750.00") + c6_forecast  # the other lines' forecasts and C6's
    assert total.cells[:8] == (
        "Total",
        Decimal("161400000.00"),
        Decimal("5036000.00"),
        anticipated,
        Decimal("5036000.00") - anticipated,
        Decimal("550000.00"),
        Decimal("349200.00"),
        Decimal("514050.00") + c6_at_risk,
    )
    school = summary.row_labelled("School improvement services remodelling")
    assert school.cells[_column(summary, "Net at risk as % of net budget")] == Decimal("3.2")

    at_risk = pack.table("at_risk")
    c6_listed = c6.rag in ("A", "R") or c6_at_risk > 0
    expected = ["C3", "C2", "C5", *(["C6"] if c6_listed else []), "C4", "Total"]
    assert [row.cells[0] for row in at_risk.rows] == expected
    assert at_risk.row_labelled("C2").cells[2] == "R"
    assert "one-off" in at_risk.row_labelled("C4").cells[-1]

    movements = pack.table("movements")
    kinds = [row.cells[2] for row in movements.rows[:-1]]
    assert kinds == [
        "Re-profiling between years",
        "Slippage into the next year",
        "Write-off",
        "Mitigation (one-off)",
        "Replacement saving",
        "Offset by demand",
    ]
    change = _column(movements, "Change to full-year saving")
    assert movements.rows[-1].cells[change] == Decimal("0.00")  # write-off fully replaced
    assert movements.row_labelled("2016/17 Month 7").cells[change] == Decimal("-300000.00")


def test_movements_are_those_since_the_last_pack(plan, month9):
    pack = build_pack(plan, month9, ["movements"], since=MonitoringPeriod(Y16, 7))
    table = pack.table("movements")
    assert [row.cells[0] for row in table.rows] == ["2016/17 Month 9", "Total"]
    assert "after 2016/17 Month 7" in table.title


def test_programme_summary_is_risk_adjusted_against_the_target(plan, month9):
    pack = build_pack(plan, month9, ["programme_summary"], draws=2000, seed=5)
    table = pack.table("programme_summary")
    assert [c.heading for c in table.columns] == ["Measure", "2016/17", "2017/18", "2018/19"]
    target = table.row_labelled("Savings target (cumulative)").cells[1:]
    planned = table.row_labelled("Savings planned (in-year)").cells[1:]
    expected = table.row_labelled("Expected delivery (risk-adjusted)").cells[1:]
    assert target == (0, Decimal("23300000.00"), Decimal("23300000.00"))
    assert planned == (Decimal("5036000.00"), Decimal("23036000.00"), Decimal("23300000.00"))
    assert all(e < p for e, p in zip(expected, planned, strict=True))
    gap = table.rows[-1]
    assert gap.kind is RowKind.TOTAL
    assert gap.cells[2] == target[1] - expected[1]
    assert any("Delivery probability by RAG" in note for note in table.notes)


def test_invest_to_save_tables_for_a_case_of_the_council(plan, month9):
    save_case(plan.council, bcp_figures(), expected_notes=EXPECTED_NOTES)
    pack = build_pack(plan, month9, ["investment"], draws=200)
    case = pack.table("case_BSF")
    assert [c.heading for c in case.columns] == [
        "Measure", "2023/24", "2024/25", "2025/26", "2026/27", "Total",
    ]  # fmt: skip
    assert case.row_labelled("Total investment").cells[-1] == Decimal("4462000.00")
    assert case.row_labelled("Improvement spend").cells[1:3] == (
        Decimal("1734000.00"),
        Decimal("1022000.00"),
    )
    assert case.row_labelled("Transformation spend").cells[-1] == Decimal("1706000.00")
    assert case.row_labelled("Cumulative net position").cells[1:5] == (
        Decimal("-3080000.00"),
        Decimal("-562000.00"),
        Decimal("4588000.00"),
        Decimal("10988000.00"),
    )
    assert "Payback year: 2025/26." in case.notes
    assert case.displayed()[5][1] == "(3,080)"
    strategy = pack.table("capital_receipts")
    assert strategy.rows[0].cells[0].startswith("BSF")
    assert strategy.rows[-1].cells[1:3] == (Decimal("1346000.00"), Decimal("360000.00"))


def test_no_cases_gives_a_plain_message(plan, month9):
    pack = build_pack(plan, month9, ["investment"], draws=200)
    assert pack.table("investment").rows[0].cells == ("No invest-to-save cases recorded.",)


def test_demand_led_line_table(plan, month9):
    pack = build_pack(plan, month9, ["demand"], draws=200)
    [table] = pack.tables
    assert len(table.rows) == 9
    evidence = Evidence.objects.get(kind="demand_scenario")
    assert table.rows[0].cells[2] == evidence.savings_by_year()[month9.year]
    last = table.rows[-1].cells
    assert last[4] == last[3] - last[2]  # difference = implied less promised


def test_charts_are_svg_with_words(plan, month9):
    pack = build_pack(plan, month9, ["at_risk"], draws=200)
    names = [chart.name for chart in pack.charts]
    assert names == ["gap", "trajectory", "rag", "fan"]
    for chart in pack.charts:
        assert chart.svg.startswith("<svg") and 'role="img"' in chart.svg
        assert f'<title id="{chart.name}-title">' in chart.svg
    rag = next(c for c in pack.charts if c.name == "rag")
    # C6's Month 9 rating comes from that month's stored re-run; the others from the script
    counts = {"B": 0, "G": 3, "A": 3, "R": 1}
    counts[MonitoringRecord.objects.get(line__reference="C6", year=2016, month=9).rag] += 1
    words = f"{counts['B']} Blue, {counts['G']} Green, {counts['A']} Amber, {counts['R']} Red"
    assert words in rag.description


def test_pack_data_round_trips_exactly(plan, month9):
    pack = build_pack(plan, month9, ["monitoring_summary", "movements"], draws=200)
    again = pack_from_json(pack_to_json(pack))
    assert again == pack


def test_unknown_table_or_year_is_refused(plan, month9):
    with pytest.raises(PackError, match="unknown table"):
        build_pack(plan, month9, ["equalities"])
    with pytest.raises(PackError, match="not one of the programme's years"):
        build_pack(plan, MonitoringPeriod(FinancialYear(2030), 1))


def test_the_demand_fan_chart_joins_the_pack_when_a_forecast_exists(plan, month9, monkeypatch):
    from datetime import date

    from csplan.core.charts.fan import FanPoint
    from csplan.forecasts import services
    from csplan.pack import builder

    GroupFan = services.GroupFan

    assert builder.demand_fan_charts(plan, month9) == []  # no forecast stored yet
    fan = GroupFan(
        "all",
        "All placements",
        [(date(2016, 3, 31), 1000.0)],
        [FanPoint(date(2016, 4, 30), 990.0, 1010.0, 1030.0)],
    )
    monkeypatch.setattr(builder, "_latest_demand_fans", lambda plan, period: [fan])
    pack = build_pack(plan, month9, ["at_risk"], draws=200)
    chart = pack.charts[-1]
    assert chart.name == "demand-all"
    assert "median of 1,010 and a range of 990 to 1,030" in chart.description
    assert chart.svg.startswith("<svg")


def test_equality_annex_counts_each_characteristic(plan, month9):
    from csplan.cases.demo import load_cases_demo
    from csplan.cases.reports import rated_lines

    load_cases_demo([plan])
    pack = build_pack(plan, month9, ["equality"], draws=200)
    by_workstream, matrix = pack.tables
    assert (by_workstream.name, matrix.name) == ("equality_workstreams", "equality_matrix")
    lines = rated_lines(plan)
    assert [row.cells[0] for row in matrix.rows[: len(lines)]] == [x.reference for x in lines]
    age = [c.heading for c in by_workstream.columns].index("Age")
    total = by_workstream.rows[-1]
    assert total.cells[0] == "Workstreams affecting"
    assert total.cells[age] == len(by_workstream.rows) - 1  # age: every workstream (Hampshire 7.4)
    assert "Age is the one characteristic every workstream affects." in by_workstream.notes


def test_a_packs_demand_fan_is_of_its_councils_returns_known_by_the_months_end(
    plan, month9, monkeypatch
):
    from datetime import date

    from csplan.forecasts import services
    from csplan.forecasts.models import Dataset, ForecastRun
    from csplan.pack import builder
    from csplan.programme.models import Council

    monkeypatch.setattr(services, "fans", lambda run: [run.dataset.name])
    elsewhere = Council.objects.create(name="Elsewhere Council")

    def run(name, council, last_date):
        data = Dataset.objects.create(name=name, council=council, last_date=last_date)
        return ForecastRun.objects.create(dataset=data, data_hash="d" * 64)

    run("own, to March 2016", plan.council, date(2016, 3, 31))
    run("no council, to September 2016", None, date(2016, 9, 30))
    run("own, to March 2017", plan.council, date(2017, 3, 31))  # after Month 9 ended
    run("another council's, to November 2016", elsewhere, date(2016, 11, 30))
    assert builder._latest_demand_fans(plan, month9) == ["no council, to September 2016"]
    march = MonitoringPeriod(FinancialYear(2016), 12)
    assert builder._latest_demand_fans(plan, march) == ["own, to March 2017"]
    april = MonitoringPeriod(FinancialYear(2015), 1)
    assert builder._latest_demand_fans(plan, april) == []
