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
    "baseline": "baseline.json?table=baseline",
    "reconciliation": "baseline.json?table=reconciliation",
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
    said, blank, title = text.splitlines()[:3]
    assert (said, blank) == ("Hampshire County Council: Transformation to 2017.", "")
    assert title == "Savings monitoring summary, 2016/17 Month 12 (March)"
    assert "161,400" in text and "Total" in text
    half = run("table", "movements", "--year", "2016/17")
    assert half.exit_code == 2 and "--year and --month together" in half.output


def _total(text: str, label: str) -> list[str]:
    """The figures on the row that starts with ``label``."""
    row = next(line for line in text.splitlines() if line.startswith(label + " "))
    return row.removeprefix(label).split()


def test_proposals_and_targets_as_approved_and_as_they_are(plan, run):
    approved = run("table", "proposals", "--plan", plan.slug, "--basis", "approved")
    assert approved.exit_code == 0, approved.output
    assert _total(approved.output, "Total")[:3] == ["5,536", "22,836", "23,300"]
    current = run("table", "proposals", "--plan", plan.slug, "--basis", "current").output
    assert _total(current, "Total")[:3] == ["5,036", "23,036", "23,300"]
    as_at = run("table", "targets", "--plan", plan.slug, "--as-at", "2015-09-16").output
    as_approved = run("table", "targets", "--basis", "approved").output
    assert as_at.splitlines()[1:] == as_approved.splitlines()[1:]
    assert _total(as_at, "Shortfall")[:3] == ["0", "464", "0"]
    assert _total(as_at, "Available for the cost of change") == ["5,072"]


def test_every_printed_table_says_whose_position_it_shows(plan, run):
    whose = "Hampshire County Council: Transformation to 2017."
    approval = "Executive Member for Children's Services, 16 September 2015 (Decision report 6889)"
    printed = {
        "as at": run("table", "targets", "--as-at", "2015-09-16").output,
        "approved": run("table", "proposals", "--basis", "approved").output,
        "current": run("table", "workstreams").output,
    }
    assert {kind: text.splitlines()[0] for kind, text in printed.items()} == {
        "as at": f"{whose} As it stood on 16 September 2015: the changes in effect by the end "
        "of that day.",
        "approved": f"{whose} As approved by {approval}.",
        "current": f"{whose} Current position: every change recorded to date, since the budget "
        f"approved by {approval}.",
    }
    twin = json.loads(run("table", "lines", "--basis", "approved", "--format", "json").output)
    assert twin["meta"]["position"] == f"As approved by {approval}."
    assert (twin["meta"]["council"], twin["meta"]["plan"]) == (
        "Hampshire County Council", "Transformation to 2017",
    )  # fmt: skip


def test_the_reconciliation_from_approved_to_current(plan, run):
    text = run("table", "reconciliation", "--plan", plan.slug).output
    assert text.splitlines()[2].startswith("Reconciliation: Approved to Current")
    assert _total(text, "Current") == ["5,036", "23,036", "23,300"]
    assert "C2 write-off, 2016/17 Month 7" in text
    assert "Every change since approval is in the movements journal." in text


def test_dated_tables_refuse_what_they_cannot_show(plan, run):
    early = run("table", "proposals", "--as-at", "2015-09-15")
    assert early.exit_code == 1 and "the plan did not exist on 15 September 2015" in early.output
    monitoring = run("table", "monitoring", "--as-at", "2016-09-30")
    assert monitoring.exit_code == 1
    assert "--as-at and --basis apply to the workstreams, proposals, targets, lines" in (
        monitoring.output
    )
    both = run("table", "targets", "--as-at", "2015-09-16", "--basis", "approved")
    assert both.exit_code == 1 and "not both" in both.output
    bad = run("table", "targets", "--as-at", "31/02/2016")
    assert bad.exit_code == 2 and "is not a date: write 2015-09-16" in bad.output
