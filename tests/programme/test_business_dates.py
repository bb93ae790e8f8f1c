"""Business dates and the approved baseline (issue 11, items 2 and 3): every change carries the
date it takes effect; "as at" a day and the approved baseline reproduce Hampshire's published
Appendix 1 exactly after the demo's year of monitoring; the reconciliation adds up."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from csplan.cases.demo import load_hampshire_demo
from csplan.cases.models import Decision
from csplan.core.history import correcting, effective_on
from csplan.core.periods import FinancialYear
from csplan.monitoring.demo import load_monitoring_demo
from csplan.monitoring.models import Movement
from csplan.programme import reports
from csplan.programme.asat import AsAtError, programme_as_at
from csplan.programme.baseline import BaselineError, approval_decision, plan_baseline
from csplan.programme.calculations import target_comparison
from csplan.programme.demo import APPROVAL_DATE
from csplan.programme.models import PhasingEntry, SavingsLine
from csplan.programme.store import line_figures, programme_figures, save_programme, update_line

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
PUBLISHED = {Y16: Decimal("5536000"), Y17: Decimal("22836000"), Y18: Decimal("23300000")}
MOVED = {Y16: Decimal("5036000"), Y17: Decimal("23036000"), Y18: Decimal("23300000")}


@pytest.fixture
def plan():
    return load_monitoring_demo(load_hampshire_demo())


def _proposals(figures):
    return {row.year: row.proposals for row in target_comparison(figures).years}


def _row(table, label):
    return next(row.cells for row in table.rows if str(row.cells[0]).startswith(label))


def _published_appendix_1(figures) -> None:
    comparison = target_comparison(figures)
    assert _proposals(figures) == PUBLISHED
    assert [row.shortfall for row in comparison.years] == [0, Decimal("464000"), 0]
    assert comparison.available_for_cost_of_change == Decimal("5072000")
    targets = reports.targets_report(figures)
    assert _row(targets, "Savings proposals")[1:] == tuple(PUBLISHED.values())
    assert _row(targets, "Available for the cost of change")[-1] == Decimal("5072000")


def test_as_at_the_decision_date_is_the_published_appendix_1_after_a_year_of_monitoring(plan):
    assert _proposals(programme_figures(plan)) == MOVED  # the monitoring moved the lines
    figures = programme_as_at(plan.pk, dt.date(2015, 9, 16))
    _published_appendix_1(figures)
    assert "C2R" not in [line.reference for line in figures.lines]
    with pytest.raises(AsAtError, match="the plan did not exist on 15 September 2015"):
        programme_as_at(plan.pk, dt.date(2015, 9, 15))


def test_the_approved_baseline_is_the_plan_as_its_recorded_decision_approved_it(plan):
    decision = approval_decision(plan)
    assert (decision.date, decision.reference) == (APPROVAL_DATE, "Decision report 6889")
    baseline = plan_baseline(plan)
    assert baseline.approved == programme_as_at(plan.pk, APPROVAL_DATE)
    _published_appendix_1(baseline.approved)
    assert _proposals(baseline.current) == MOVED
    assert reports.proposals_report(baseline.approved).rows[-1].cells[4:7] == tuple(
        PUBLISHED.values()
    )


def test_the_reconciliation_adds_up_exactly_in_every_year(plan):
    table = reports.reconciliation_report(plan_baseline(plan))
    labels = [str(row.cells[0]) for row in table.rows]
    assert labels[0].startswith("Approved (Executive Member for Children's Services, 16 Sep")
    assert [label.split(",")[0] for label in labels[1:-1]] == [
        "C8 re-profiling between years", "C5 slippage into the next year", "C2 write-off",
        "C2R replacement saving",
    ]  # fmt: skip
    assert labels[-1] == "Current"
    columns = range(1, 4)
    for column in columns:
        amounts = [row.cells[column] for row in table.rows]
        assert amounts[0] + sum(amounts[1:-1]) == amounts[-1]
    assert table.rows[0].cells[1:] == tuple(PUBLISHED.values())
    assert table.rows[-1].cells[1:] == tuple(MOVED.values())
    assert _row(table, "C2 write-off")[1:] == (Decimal(-300000),) * 3
    assert "Every change since approval is in the movements journal." in table.notes


def test_an_edit_outside_the_journal_is_shown_and_the_reconciliation_still_adds_up(plan):
    line = plan.lines.get(reference="C6")
    changed = dataclasses.replace(
        line_figures(line), phasing={**line_figures(line).phasing, Y18: Decimal("10000")}
    )
    update_line(line, changed, expected_version=line.version)
    table = reports.reconciliation_report(plan_baseline(plan))
    assert _row(table, reports.OTHER_CHANGES_LABEL)[1:] == (0, 0, Decimal("10000"))
    for column in range(1, 4):
        amounts = [row.cells[column] for row in table.rows]
        assert amounts[0] + sum(amounts[1:-1]) == amounts[-1]
    # the baseline itself does not move: the edit takes effect today
    _published_appendix_1(plan_baseline(plan).approved)


def test_the_side_by_side_table_shows_approved_and_current(plan):
    table = reports.baseline_report(plan_baseline(plan))
    headings = [column.heading for column in table.columns]
    assert headings[2:4] == ["2016/17 approved", "2016/17 current"]
    assert table.rows[-1].cells[2:] == (
        PUBLISHED[Y16], MOVED[Y16], PUBLISHED[Y17], MOVED[Y17], PUBLISHED[Y18], MOVED[Y18],
    )  # fmt: skip
    assert _row(table, "C5")[2:4] == (Decimal("615000"), Decimal("415000"))
    assert _row(table, "C2R")[2:] == (0, 0, 0, Decimal("300000"), 0, Decimal("300000"))
    assert "Not in the approved budget (added since): C2R." in table.notes


def test_the_programme_moves_at_each_month_end_of_the_monitoring_year(plan):
    before_month_4 = programme_as_at(plan.pk, dt.date(2016, 7, 30))
    assert _proposals(before_month_4) == PUBLISHED
    month_5 = programme_as_at(plan.pk, dt.date(2016, 8, 31))  # C8 re-profiled, C5 slipped
    assert _proposals(month_5) == {Y16: Decimal("5336000"), Y17: Decimal("23036000"),
                                   Y18: Decimal("23300000")}  # fmt: skip
    assert "C2R" not in [line.reference for line in month_5.lines]
    month_7 = programme_as_at(plan.pk, dt.date(2016, 10, 31))
    assert "C2R" in [line.reference for line in month_7.lines]
    assert _proposals(month_7) == MOVED


def test_each_change_carries_its_effective_date_as_well_as_when_it_was_recorded(plan):
    write_off = Movement.objects.get(line__plan=plan, kind="write_off")
    assert write_off.history.get().effective == dt.date(2016, 10, 31)  # end of Month 7
    c2 = PhasingEntry.history.filter(line__reference="C2", year=2016).order_by("history_date")
    assert [record.effective for record in c2] == [APPROVAL_DATE, dt.date(2016, 10, 31)]
    assert c2.last().history_date.date() == timezone.now().date()  # recorded today
    decision = Decision.objects.get(plan=plan, reference="Decision report 6889")
    assert decision.history.get().effective == APPROVAL_DATE
    line = plan.lines.get(reference="C3")
    update_line(line, dataclasses.replace(line_figures(line), title="Edited"),
                expected_version=line.version)  # fmt: skip
    latest = SavingsLine.history.filter(id=line.pk).order_by("history_date").last()
    assert latest.effective == timezone.localdate()  # a plain edit takes effect today


def test_running_the_demo_again_keeps_its_dated_history(plan):
    load_monitoring_demo(plan)  # resets and records the year again
    month_7 = programme_as_at(plan.pk, dt.date(2016, 11, 30))
    assert [line.reference for line in month_7.lines].count("C2R") == 1
    assert _proposals(month_7) == MOVED
    _published_appendix_1(programme_as_at(plan.pk, APPROVAL_DATE))
    table = reports.reconciliation_report(plan_baseline(plan))
    assert table.rows[-1].cells[1:] == tuple(MOVED.values())
    assert len(table.rows) == 6


def test_effective_on_dates_a_block_and_correcting_keeps_the_replaced_date():
    plan = load_hampshire_demo()
    figures = programme_figures(plan)
    with effective_on(dt.date(2016, 1, 31)):
        save_programme(dataclasses.replace(figures, department="Children's Services (2016)"))
    assert programme_as_at(plan.pk, dt.date(2016, 1, 30)).department == "Children's Services"
    assert programme_as_at(plan.pk, dt.date(2016, 1, 31)).department.endswith("(2016)")
    with correcting():
        save_programme(dataclasses.replace(figures, department="Corrected"))
    assert programme_as_at(plan.pk, dt.date(2016, 1, 30)).department == "Children's Services"
    assert programme_as_at(plan.pk, dt.date(2016, 1, 31)).department == "Corrected"
    with pytest.raises(TypeError), effective_on(timezone.now()):
        pass


def test_a_plan_without_an_approval_decision_has_no_baseline():
    plan = load_hampshire_demo()
    Decision.objects.filter(plan=plan).delete()
    with pytest.raises(BaselineError, match="no approved baseline: record the decision"):
        plan_baseline(plan)


def test_a_lines_history_shows_when_each_change_takes_effect(plan):
    from csplan.programme.history import line_history

    entries = line_history(plan.lines.get(reference="C2"))
    write_off = [e for e in entries if e.field == "2016/17 saving (incremental)"]
    assert [(e.effective, e.after) for e in write_off] == [
        (dt.date(2016, 10, 31), "£709,000.00"),
        (APPROVAL_DATE, "£1,009,000.00"),
    ]
