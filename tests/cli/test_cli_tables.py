"""``csplan table NAME`` prints each table as its page builds it: the same rows as the page's
own JSON twin (reached with ``csplan get``)."""

import json

import pytest

from csplan.cli.tables import TABLES
from csplan.demo import demo_user
from csplan.monitoring.demo import load_monitoring_demo

pytestmark = pytest.mark.django_db

MONTH = "?year=2016/17&month=9"
TWINS = {
    "workstreams": "workstreams.json",
    "proposals": "proposals.json",
    "targets": "overview.json",
    "lines": "lines.json",
    "monitoring": f"monitoring/table/summary.json{MONTH}",
    "at-risk": f"monitoring/table/at_risk.json{MONTH}",
    "risk": f"monitoring/table/risk.json{MONTH}",
    "gross-offset-net": f"monitoring/table/gross_offset_net.json{MONTH}",
    "movements": f"monitoring/table/movements.json{MONTH}",
    "equality": "cases/equality/?format=json&table=workstreams",
    "equality-matrix": "cases/equality/?format=json&table=matrix",
    "decisions": "cases/decisions/?format=json&table=decisions",
    "approved": "cases/decisions/?format=json&table=approved",
}


@pytest.fixture
def plan(demo_plan):
    load_monitoring_demo(demo_plan, user=demo_user())
    return demo_plan


def test_every_table_is_its_pages_table(plan, run):
    assert set(TWINS) == set(TABLES)
    for name, twin in TWINS.items():
        printed = run("table", name, "--format", "json", "--year", "2016/17", "--month", 9)
        assert printed.exit_code == 0, (name, printed.output)
        page = run("get", f"/plans/{plan.slug}/{twin}", "--user", "viewer")
        assert page.exit_code == 0, (name, page.output)
        table, twin_table = json.loads(printed.output), json.loads(page.output)
        assert (table["title"], table["columns"], table["rows"]) == (
            twin_table["title"], twin_table["columns"], twin_table["rows"],
        ), name  # fmt: skip


def test_monitoring_tables_default_to_the_latest_month(plan, run):
    text = run("table", "monitoring").output
    assert text.startswith("Savings monitoring summary, 2016/17 Month 12 (March)")
    assert "161,400" in text and "Total" in text
    half = run("table", "movements", "--year", "2016/17")
    assert half.exit_code == 2 and "--year and --month together" in half.output
