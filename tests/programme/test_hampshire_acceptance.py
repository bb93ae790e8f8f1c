"""Hampshire decision report 6889 (seed 000_…): Table I.1, Appendix 1 and paragraph 5.3."""

from decimal import Decimal

import pytest

from csplan.core.money import Unit, format_amount, format_percentage
from csplan.core.periods import FinancialYear
from csplan.programme.calculations import proposals_appendix, target_comparison, workstream_table
from csplan.programme.demo import hampshire_figures
from csplan.programme.phasing import PhasingForm

Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


def _shown(row):
    return (
        format_amount(row.budget, Unit.MILLIONS, 1),
        format_amount(row.savings, Unit.MILLIONS, 1, blank="n/a"),
        format_percentage(row.percent_of_budget),
    )


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Social care transformation", ("52.5", "4.0", "7.6")),
        ("Children with Disabilities (CWD) remodelling", ("21.3", "3.2", "15.0")),
        ("Family Support Services remodelling", ("13.4", "8.4", "62.7")),
        ("Children Looked After placements review", ("23.1", "1.6", "6.9")),
        ("School improvement services remodelling", ("4.4", "1.0", "22.7")),
        ("Support functions review", ("12.9", "1.5", "11.6")),
        ("Sub-Total - Workstreams", ("149.6", "23.3", "15.6")),
        ("Mainstream home to school transport", ("11.8", "n/a", "n/a")),
        ("Sub-Total - Non-Workstreams", ("11.8", "n/a", "n/a")),
        ("TOTAL", ("161.4", "23.3", "14.4")),
    ],
)
def test_table_i1(programme, name, expected):
    assert _shown(workstream_table(programme).row(name)) == expected


def test_table_i1_row_order_and_kinds(programme):
    kinds = [row.kind for row in workstream_table(programme).rows]
    assert kinds == ["workstream"] * 7 + ["subtotal", "non_workstream", "subtotal", "total"]


def test_exact_percentages_differ_where_the_council_rounded_first(programme):
    from dataclasses import replace

    exact = workstream_table(replace(programme, percent_basis="exact"))
    # 1,036 / 4,400 = 23.5% exactly; Hampshire printed 22.7% from the rounded 1.0 / 4.4.
    assert exact.row("School improvement services remodelling").percent_of_budget == Decimal("23.5")
    assert exact.row("Support functions review").percent_of_budget == Decimal("11.3")


def test_appendix_1_totals_and_fte(programme):
    appendix = proposals_appendix(programme, PhasingForm.CUMULATIVE)
    totals = [format_amount(appendix.totals[year]) for year in (Y16, Y17, Y18)]
    assert totals == ["5,536", "22,836", "23,300"]
    assert appendix.fte_total == Decimal("58.6")
    assert appendix.fte_unknown == ("C5", "C1/7")
    c3 = appendix.rows[0]
    assert c3.line.reference == "C3"
    assert [format_amount(c3.amounts[y]) for y in (Y16, Y17, Y18)] == ["1,500", "4,000", "4,000"]


def test_appendix_incremental_form_adds_up_to_the_full_year_effect(programme):
    appendix = proposals_appendix(programme, PhasingForm.INCREMENTAL)
    assert [appendix.totals[y] for y in (Y16, Y17, Y18)] == [
        Decimal("5536000"),
        Decimal("17300000"),
        Decimal("464000"),
    ]
    assert sum(appendix.totals.values()) == Decimal("23300000")


def test_target_comparison_paragraph_5_3(programme):
    comparison = target_comparison(programme)
    first, second, third = comparison.years
    assert first.early_achievement == Decimal("5536000")
    assert second.target == Decimal("23300000") and second.proposals == Decimal("22836000")
    assert second.shortfall == Decimal("464000")
    assert second.shortfall_covered == Decimal("464000") and second.shortfall_uncovered == 0
    assert third.variance == 0
    assert comparison.available_for_cost_of_change == Decimal("5072000")
