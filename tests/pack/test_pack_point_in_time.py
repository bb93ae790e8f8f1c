"""A Month N pack is true for Month N: built only from what was in effect at its end, with
its headline reconciled to the last pack's and to the approved baseline."""

from decimal import Decimal

import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.core.table import RowKind
from csplan.monitoring.demo import REPLACEMENT_REFERENCE, SCRIPTS, load_monitoring_demo
from csplan.monitoring.store import calibrate_probabilities
from csplan.monitoring.summary import OUTSIDE
from csplan.pack.builder import build_pack, pack_to_json
from csplan.pack.store import pack_for, publish
from csplan.programme.reports import OTHER_CHANGES_LABEL
from csplan.programme.store import programme_figures

Y16 = FinancialYear(2016)
DRAWS = 200


def _month(number):
    return MonitoringPeriod(Y16, number)


def _references(pack):
    return [row.cells[0] for row in pack.table("proposals").rows if row.kind is RowKind.LINE]


def _figures(table):
    return [cell for cell in table.rows[-1].cells[1:] if isinstance(cell, Decimal)]


def _adds_up(table):
    """The first row plus every movement row equals the last (total) row, in each year."""
    first, *middle, last = table.rows
    assert last.kind is RowKind.TOTAL
    for column in range(1, len(table.columns)):
        moved = sum((row.cells[column] for row in middle), Decimal(0))
        assert first.cells[column] + moved == last.cells[column], table.title
    return [row.cells[0] for row in middle]


def test_a_month_3_pack_has_no_line_created_later_and_month_9_has_c2r(plan):
    chosen = ["proposals", "at_risk", "equality"]
    month3 = build_pack(plan, _month(3), chosen, draws=DRAWS)
    month9 = build_pack(plan, _month(9), chosen, draws=DRAWS)
    assert REPLACEMENT_REFERENCE not in _references(month3)
    assert REPLACEMENT_REFERENCE in _references(month9)
    matrix3 = [t for t in month3.tables if t.name.startswith("equality")][-1]
    matrix9 = [t for t in month9.tables if t.name.startswith("equality")][-1]
    assert REPLACEMENT_REFERENCE not in [row.cells[0] for row in matrix3.rows]
    assert REPLACEMENT_REFERENCE in [row.cells[0] for row in matrix9.rows]
    # the line exists today, but not at Month 3
    assert REPLACEMENT_REFERENCE in {line.reference for line in programme_figures(plan).lines}
    # C2's rating and explanation are those of Month 3, not the year end's red
    at_risk = {row.cells[0]: row for row in month3.table("at_risk").rows}
    assert at_risk["C2"].cells[2] == SCRIPTS["C2"].rags[2] != SCRIPTS["C2"].rags[11]
    assert at_risk["C2"].cells[6] == ""  # no explanation while it was green
    late = {row.cells[0]: row for row in month9.table("at_risk").rows}
    assert late["C2"].cells[2] == SCRIPTS["C2"].rags[8]
    assert late["C2"].cells[6] == SCRIPTS["C2"].explanation


def test_the_month_6_pack_uses_the_ratings_and_plan_of_month_6(plan):
    """The issue's example: at Month 6 the programme plans 5,336 in 2016/17, and the risk
    adjustment uses the Month 6 ratings, not the year end's."""
    month6 = build_pack(plan, _month(6), ["programme_summary", "monitoring_summary"], draws=DRAWS)
    month12 = build_pack(plan, _month(12), ["programme_summary"], draws=DRAWS)
    planned = month6.table("programme_summary").rows[1]
    assert planned.cells[0] == "Savings planned (in-year)"
    assert planned.cells[1] == Decimal("5336000.00")
    assert month6.table("monitoring_summary").rows[-1].cells[2] == Decimal("5336000.00")
    expected6 = month6.table("programme_summary").rows[2].cells[1]
    expected12 = month12.table("programme_summary").rows[2].cells[1]
    assert expected6 != expected12


@pytest.mark.parametrize("number", range(1, 13))
def test_every_months_headline_agrees_with_its_monitoring_table_and_reconciles(plan, number):
    period = _month(number)
    pack = build_pack(
        plan,
        period,
        ["programme_summary", "baseline", "monitoring_summary", "movements"],
        draws=DRAWS,
    )
    headline = pack.table("programme_summary").rows[1].cells[1:]
    monitoring = pack.table("monitoring_summary")
    assert monitoring.rows[-1].cells[2] == headline[0]  # the period's year, 2016/17
    budgets = [row.cells[1] for row in monitoring.rows[:-1]]
    assert sum(budgets, Decimal(0)) == monitoring.rows[-1].cells[1]
    for name in ("reconciliation", "movements_reconciliation"):
        items = _adds_up(pack.table(name))
        assert OTHER_CHANGES_LABEL not in items
        assert tuple(_figures(pack.table(name))) == tuple(headline)
    assert pack.table("reconciliation").rows[-1].cells[0] == f"Current at the end of {period}"
    baseline = pack.table("baseline")
    current = list(baseline.rows[-1].cells[3::2])
    assert tuple(current) == tuple(headline)


def test_movements_since_the_last_published_pack_reconcile_its_headline(plan):
    first = publish(plan, _month(6), ["programme_summary"], draws=DRAWS)
    before = first.data["tables"][0]["rows"][1]["cells"][1:]
    following = pack_for(plan, _month(9), ["programme_summary", "movements"], draws=DRAWS)
    table = following.table("movements_reconciliation")
    items = _adds_up(table)
    assert [row["d"] for row in before] == [format(c, "f") for c in table.rows[0].cells[1:]]
    assert table.rows[0].cells[0] == "Last published pack (2016/17 Month 6)"
    assert [item.split(",")[0] for item in items] == ["C2 write-off", "C2R replacement saving"]
    assert tuple(_figures(table)) == tuple(following.table("programme_summary").rows[1].cells[1:])


def test_the_non_workstream_budget_is_shown_and_labelled(plan):
    table = build_pack(plan, _month(9), ["monitoring_summary"], draws=DRAWS).table(
        "monitoring_summary"
    )
    names = [row.cells[0] for row in table.rows]
    assert f"Mainstream home to school transport {OUTSIDE}" in names


def test_a_month_6_pack_built_today_equals_one_built_at_month_6(db):
    chosen = ["programme_summary", "proposals", "monitoring_summary", "at_risk", "movements"]
    plan = load_monitoring_demo(load_hampshire_demo(), months=6)
    then = pack_to_json(build_pack(plan, _month(6), chosen, draws=DRAWS))
    plan = load_monitoring_demo(plan)  # the rest of the year happens
    calibrate_probabilities(plan, Y16)  # and the year's outturn calibrates the ratings
    now = pack_to_json(build_pack(plan, _month(6), chosen, draws=DRAWS))
    assert now["tables"] == then["tables"]
    assert now["charts"] == then["charts"]
    later = pack_to_json(build_pack(plan, _month(12), chosen, draws=DRAWS))
    assert later["tables"] != now["tables"]


def test_c6_rating_forecast_and_text_follow_each_months_rerun(plan):
    """C6's record says what that month's stored re-run implies, and is rated by it."""
    from csplan.core.money import format_amount
    from csplan.monitoring.models import DemandRerun, MonitoringRecord

    line = plan.lines.get(reference="C6")
    for record in MonitoringRecord.objects.filter(line=line).order_by("month"):
        rerun = DemandRerun.objects.get(line=line, year=Y16.start, month=record.month)
        implied = rerun.implied_by_year()[Y16]
        planned = record.target
        expected = "G" if implied >= planned else ("A" if implied > 0 else "R")
        assert record.rag == expected
        assert record.forecast_by_year()[Y16] == min(max(implied, Decimal(0)), planned)
        words = record.commentary if expected == "G" else record.explanation
        shown = format_amount(abs(implied), places=0)
        assert f"implies {'a cost of ' if implied < 0 else ''}£{shown}k in 2016/17" in words
        assert "smaller saving" not in words
