"""Every committee table as data, snapshotted (syrupy): a change to any figure shows as a diff.

The tables are the JSON twins' content (``csplan.core.render.table_to_dict``), built by the
same report functions as the pages, the API and ``csplan table``. To accept a deliberate
change, run ``pytest tests/reports/test_snapshots.py --snapshot-update`` and review the diff
of ``__snapshots__`` in the commit.
"""

from __future__ import annotations

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from csplan.benchmark.demo import DEMO_LA, load_demo_benchmark
from csplan.benchmark.report import benchmark_report
from csplan.benchmark.store import load_benchmark_data
from csplan.cases.demo import load_cambridgeshire_plan, load_cases_demo, load_hampshire_demo
from csplan.cli.tables import TABLES, Choice, build_table
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.core.render import table_to_dict
from csplan.investment import reports as investment_reports
from csplan.investment.demo import load_investment_demo
from csplan.investment.store import case_figures
from csplan.monitoring.demo import load_monitoring_demo
from csplan.programme.phasing import PhasingForm

MONTHS = (3, 9)


@pytest.fixture
def snapshot_json(snapshot):
    return snapshot.use_extension(JSONSnapshotExtension)


@pytest.mark.django_db
def test_hampshire_tables_at_months_3_and_9(snapshot_json):
    plan = load_monitoring_demo(load_hampshire_demo())
    for month in MONTHS:
        period = MonitoringPeriod(FinancialYear(2016), month)
        for name in TABLES:
            for phasing in PhasingForm:
                table = build_table(name, plan, Choice(phasing=phasing, period=period))
                label = f"{name}-month{month}-{phasing.value}"
                assert table_to_dict(table) == snapshot_json(name=label)


@pytest.mark.django_db
def test_cambridgeshire_case_tables(snapshot_json):
    plan = load_cambridgeshire_plan()
    load_cases_demo([plan])
    for name in ("proposals", "targets", "workstreams", "equality", "equality-matrix",
                 "decisions", "approved"):  # fmt: skip
        assert table_to_dict(build_table(name, plan, Choice())) == snapshot_json(name=name)


@pytest.mark.django_db
def test_bcp_invest_to_save_tables(snapshot_json):
    case = load_investment_demo()
    figures = case_figures(case)
    tables = {
        "case": investment_reports.case_report(figures, note=case.savings_note),
        "actuals": investment_reports.actuals_report(figures),
        "strategy": investment_reports.council_strategy_report(case.council),
    }
    for name, table in tables.items():
        assert table is not None, name
        assert table_to_dict(table) == snapshot_json(name=name)


@pytest.mark.django_db
def test_benchmark_tables(snapshot_json):
    load_demo_benchmark()
    data = load_benchmark_data()
    year = max(data.years)
    report = benchmark_report(data, DEMO_LA, year)
    assert [table_to_dict(t) for t in report.tables] == snapshot_json(name="demo-la")
