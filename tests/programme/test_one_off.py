"""One-off against recurrent savings in the arithmetic (issue 11, item 5): a one-off saving
counts in its year and reverses the next; a recurrent one stays in the base budget."""

from dataclasses import replace
from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.programme.calculations import (
    proposals_appendix,
    target_comparison,
    workstream_table,
)
from csplan.programme.demo import hampshire_figures
from csplan.programme.figures import (
    DEFAULT_RAG_KEY,
    LineFigures,
    ProgrammeFigures,
    WorkstreamFigures,
)
from csplan.programme.io.workbook import read_workbook, workbook_bytes
from csplan.programme.phasing import (
    PhasingForm,
    budget_effect,
    from_form,
    in_form,
    in_place,
)

Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
YEARS = (Y16, Y17, Y18)
FIFTY = Decimal("50")


def _line(reference: str, recurrence: str, phasing: dict) -> LineFigures:
    return LineFigures(reference, reference, "Social care", phasing, recurrence=recurrence)


def _programme(*lines: LineFigures) -> ProgrammeFigures:
    return ProgrammeFigures(
        council="Test council",
        plan="Test plan",
        years=YEARS,
        targets={Y16: Decimal("40"), Y17: Decimal("20")},
        workstreams=(WorkstreamFigures("Social care", Decimal("1000")),),
        lines=lines,
        rag_key=DEFAULT_RAG_KEY,
    )


def test_a_one_off_saving_counts_in_its_year_and_reverses_the_next():
    assert budget_effect({Y16: FIFTY}, YEARS, "one_off") == {Y16: FIFTY, Y17: -FIFTY, Y18: 0}
    assert in_place({Y16: FIFTY}, YEARS, "one_off") == {Y16: FIFTY, Y17: 0, Y18: 0}


def test_a_recurrent_saving_stays_once_made():
    assert budget_effect({Y16: FIFTY}, YEARS, "recurrent") == {Y16: FIFTY, Y17: 0, Y18: 0}
    assert in_place({Y16: FIFTY}, YEARS) == {Y16: FIFTY, Y17: FIFTY, Y18: FIFTY}


def test_one_off_savings_in_two_years_each_reverse():
    amounts = {Y16: FIFTY, Y17: Decimal("30")}
    assert budget_effect(amounts, YEARS, "one_off") == {
        Y16: FIFTY,
        Y17: Decimal("-20"),
        Y18: Decimal("-30"),
    }
    assert in_place(amounts, YEARS, "one_off") == {Y16: FIFTY, Y17: Decimal("30"), Y18: 0}


@pytest.mark.parametrize("form", list(PhasingForm))
@pytest.mark.parametrize("recurrence", ["one_off", "recurrent"])
def test_published_forms_convert_back_to_the_stored_amounts(form, recurrence):
    amounts = {Y16: FIFTY, Y18: Decimal("12.34")}
    shown = in_form(amounts, YEARS, form, recurrence)
    assert from_form(shown, YEARS, form, recurrence) == amounts


def test_a_one_off_line_leaves_no_full_year_effect():
    assert _line("X1", "one_off", {Y16: FIFTY}).full_year_effect == 0
    assert _line("X2", "recurrent", {Y16: FIFTY}).full_year_effect == FIFTY


def test_proposals_appendix_shows_a_one_off_reversing():
    programme = _programme(
        _line("X1", "one_off", {Y16: FIFTY}), _line("X2", "recurrent", {Y17: Decimal("20")})
    )
    incremental = proposals_appendix(programme, PhasingForm.INCREMENTAL)
    cumulative = proposals_appendix(programme, PhasingForm.CUMULATIVE)
    assert incremental.rows[0].amounts == {Y16: FIFTY, Y17: -FIFTY, Y18: 0}
    assert cumulative.rows[0].amounts == {Y16: FIFTY, Y17: 0, Y18: 0}
    assert cumulative.rows[1].amounts == {Y16: 0, Y17: Decimal("20"), Y18: Decimal("20")}
    assert cumulative.totals == {Y16: FIFTY, Y17: Decimal("20"), Y18: Decimal("20")}
    assert incremental.totals == {Y16: FIFTY, Y17: Decimal("-30"), Y18: 0}


def test_targets_table_counts_a_one_off_only_in_its_year():
    programme = _programme(
        _line("X1", "one_off", {Y16: FIFTY}), _line("X2", "recurrent", {Y17: Decimal("20")})
    )
    comparison = target_comparison(programme)
    # Target in place: 40 / 60 / 60. Proposals in place: 50 / 20 / 20.
    assert [row.proposals for row in comparison.years] == [FIFTY, Decimal("20"), Decimal("20")]
    assert [row.early_achievement for row in comparison.years] == [Decimal("10"), 0, 0]
    assert [row.shortfall for row in comparison.years] == [0, Decimal("40"), Decimal("40")]
    assert [row.shortfall_covered for row in comparison.years] == [0, Decimal("10"), 0]
    assert comparison.available_for_cost_of_change == 0


def test_workstream_table_counts_only_the_recurrent_saving():
    programme = _programme(
        _line("X1", "one_off", {Y16: FIFTY}), _line("X2", "recurrent", {Y17: Decimal("20")})
    )
    assert workstream_table(programme).row("Social care").savings == Decimal("20")


def test_a_one_off_line_keeps_its_amounts_through_a_cumulative_workbook():
    programme = _programme(
        _line("X1", "one_off", {Y16: FIFTY}), _line("X2", "recurrent", {Y17: Decimal("20")})
    )
    assert read_workbook(workbook_bytes(programme, PhasingForm.CUMULATIVE)) == programme


def test_hampshire_has_no_one_off_line_so_its_published_figures_are_unchanged():
    programme = hampshire_figures()
    assert {line.recurrence for line in programme.lines} == {"recurrent"}
    comparison = target_comparison(programme)
    assert [row.proposals for row in comparison.years] == [
        Decimal("5536000"),
        Decimal("22836000"),
        Decimal("23300000"),
    ]
    assert comparison.available_for_cost_of_change == Decimal("5072000")


def test_marking_a_hampshire_line_one_off_moves_the_totals_by_exactly_its_reversal():
    programme = hampshire_figures()
    first = programme.lines[0]
    changed = replace(programme, lines=(replace(first, recurrence="one_off"), *programme.lines[1:]))
    before = proposals_appendix(programme).totals
    after = proposals_appendix(changed).totals
    recurrent_in_place = in_place(first.phasing, programme.years)
    one_off_in_place = dict(first.phasing)
    for year in programme.years:
        assert before[year] - after[year] == recurrent_in_place[year] - one_off_in_place.get(
            year, 0
        )


@pytest.mark.django_db
def test_monitoring_positions_plan_a_one_off_only_in_its_year():
    from csplan.cases.demo import load_hampshire_demo
    from csplan.core.periods import MonitoringPeriod
    from csplan.monitoring.store import planned_in_year, positions_for
    from csplan.programme.store import create_line

    plan = load_hampshire_demo()
    workstream = plan.workstreams.first().name
    line = create_line(
        plan,
        LineFigures("X1", "One-off underspend", workstream, {Y16: FIFTY}, recurrence="one_off"),
    )
    assert planned_in_year(line, Y16) == FIFTY
    assert planned_in_year(line, Y17) == 0
    positions = {p.reference: p for p in positions_for(plan, MonitoringPeriod(Y17, 3))}
    assert positions["X1"].proposed == 0
    assert {p.reference: p for p in positions_for(plan, MonitoringPeriod(Y16, 3))}[
        "X1"
    ].proposed == FIFTY


@pytest.mark.django_db
def test_a_business_case_shows_a_one_off_reversing():
    from csplan.cases.demo import load_hampshire_demo
    from csplan.cases.reports import case_savings
    from csplan.programme.store import create_line

    plan = load_hampshire_demo()
    workstream = plan.workstreams.first().name
    line = create_line(
        plan, LineFigures("X1", "One-off", workstream, {Y16: FIFTY}, recurrence="one_off")
    )
    (row,) = case_savings(line).rows
    assert row.cells[1:] == (FIFTY, -FIFTY, 0)
