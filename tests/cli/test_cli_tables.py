"""``csplan table NAME`` prints each table as its page builds it: the same rows as the page's
own JSON twin (reached with ``csplan get``)."""

import json

import pytest
from click.testing import CliRunner

from csplan.accounts.demo import load_role_users
from csplan.cli import cli
from csplan.cli.tables import TABLES
from csplan.demo import demo_user
from csplan.monitoring.demo import load_monitoring_demo
from csplan.programme.demo import load_hampshire_demo

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


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture
def plan(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", "a-demo-password-for-tests")
    plan = load_hampshire_demo()
    load_role_users(plan, "a-demo-password-for-tests")
    load_monitoring_demo(plan, user=demo_user())
    return plan


def test_every_table_is_its_pages_table(plan):
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


def test_monitoring_tables_default_to_the_latest_month(plan):
    text = run("table", "monitoring").output
    assert text.startswith("Savings monitoring summary, 2016/17 Month 12 (March)")
    assert "161,400" in text and "Total" in text
    half = run("table", "movements", "--year", "2016/17")
    assert half.exit_code == 2 and "--year and --month together" in half.output
