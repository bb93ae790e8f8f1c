"""The synthetic benchmark dataset for the demo council."""

from __future__ import annotations

from decimal import Decimal

from csplan.benchmark.calculations import (
    build_benchmark_data,
    check_published_rates,
    compare_measure,
    compare_spend,
)
from csplan.benchmark.demo import DEMO_LA, NEIGHBOURS, demo_files
from csplan.benchmark.gap import gap_from_benchmark
from csplan.benchmark.report import benchmark_report
from csplan.core.periods import FinancialYear


def demo_data():
    cla, population, neighbours, ro3 = (f.rows for f in demo_files())
    return build_benchmark_data(cla, population, neighbours, ro3)


def test_demo_is_deterministic_and_fictional():
    assert demo_files()[0].rows == demo_files()[0].rows
    assert demo_files(1)[0].rows != demo_files(2)[0].rows
    codes = {r.area_code for r in demo_files()[0].rows if r.level == "la"}
    assert codes == {DEMO_LA, *(code for code, _, _ in NEIGHBOURS)}
    assert all(code.startswith("E100099") for code in codes)


def test_demo_figures_are_consistent_and_plausible():
    data = demo_data()
    assert data.years == [2021, 2022, 2023, 2024, 2025]
    assert all(check.agrees for check in check_published_rates(data))
    for year in data.years:
        cla = compare_measure(data, DEMO_LA, year, "looked_after")
        assert 20 < cla.la.rate < 120
        assert cla.la.rate > cla.neighbours.weighted  # a gap to close
        assert len(cla.neighbours.used) == 10
    spend = compare_spend(data, DEMO_LA, 2025)
    assert Decimal(50_000) < spend.la_per_child < Decimal(200_000)


def test_demo_report_and_gap():
    data = demo_data()
    report = benchmark_report(data, DEMO_LA, 2025)
    assert report.la_name == "Demoshire"
    assert len(report.table("neighbours").rows) == 10
    plan = gap_from_benchmark(data, DEMO_LA, 2025, "neighbours", FinancialYear(2027), Decimal(1000))
    assert plan.gap_children > 0
    assert plan.years[-1].saving > plan.years[0].saving > 0
