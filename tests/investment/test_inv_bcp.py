"""Acceptance: BCP Council, Building Stronger Foundations (Cabinet, 26 July 2023)."""

from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.investment.calculations import (
    CaseFigures,
    Spend,
    actual_against_expected,
    capital_receipts_strategy,
    eligibility_problems,
    net_position,
    payback_year,
)
from csplan.investment.demo import bcp_figures, load_investment_demo
from csplan.investment.store import case_figures, record_actual_saving, save_case

Y22, Y23, Y24, Y25, Y26 = (FinancialYear(y) for y in (2022, 2023, 2024, 2025, 2026))
M = Decimal(1_000_000)


def test_investment_is_4462k_split_improvement_and_transformation():
    case = bcp_figures()
    assert case.total_investment == Decimal("4.462") * M
    assert case.category_total("improvement") == Decimal("2.756") * M
    assert case.category_total("transformation") == Decimal("1.706") * M
    assert case.investment(Y23, "improvement") == Decimal("1.734") * M
    assert case.investment(Y24, "improvement") == Decimal("1.022") * M
    assert case.investment(Y23, "transformation") == Decimal("1.346") * M
    assert case.investment(Y24, "transformation") == Decimal("0.360") * M


def test_only_transformation_designed_for_ongoing_savings_may_use_capital_receipts():
    case = bcp_figures()
    funded = {(s.category, s.funding, s.receipts_eligible) for s in case.spend}
    assert funded == {
        ("improvement", "reserve", False),
        ("improvement", "revenue_budget", False),
        ("transformation", "capital_receipts", True),
    }
    assert eligibility_problems(case) == []
    wrong = CaseFigures("X", "x", (Spend(Y23, "improvement", "capital_receipts", M),), {})
    assert len(eligibility_problems(wrong)) == 1


def test_expected_savings_rise_from_3_9m_to_6_4m_a_year():
    case = bcp_figures()
    assert case.expected[Y24] == Decimal("3.9") * M
    assert case.expected[Y26] == Decimal("6.4") * M


def test_cumulative_net_position_and_payback():
    rows = net_position(bcp_figures())
    assert [str(r.year) for r in rows] == ["2023/24", "2024/25", "2025/26", "2026/27"]
    assert [r.investment for r in rows] == [Decimal("3080000"), Decimal("1382000"), 0, 0]
    assert [r.cumulative_net for r in rows] == [
        Decimal("-3080000"),
        Decimal("-562000"),
        Decimal("4588000"),
        Decimal("10988000"),
    ]
    assert payback_year(rows) == Y25
    # transformation spend alone (the capital receipts projects) pays back in 2024/25
    transformation = CaseFigures(
        "T", "t", tuple(s for s in bcp_figures().spend if s.category == "transformation"),
        bcp_figures().expected,
    )  # fmt: skip
    assert payback_year(net_position(transformation)) == Y24


def test_capital_receipts_strategy_lists_projects_with_realised_savings():
    earlier = CaseFigures(
        "E",
        "Earlier digital project",
        (Spend(Y22, "transformation", "capital_receipts", M, True),),
        {Y23: Decimal(500_000)},
        {Y23: Decimal(420_000)},
    )
    rows = capital_receipts_strategy([earlier, bcp_figures()], [Y22, Y23, Y24])
    assert [(r.reference, r.total_qualifying, r.realised) for r in rows] == [
        ("E", M, Decimal(420_000)),
        ("BSF", Decimal("1.706") * M, None),
    ]
    assert rows[1].qualifying_spend == {Y22: 0, Y23: Decimal("1.346") * M, Y24: Decimal("0.36") * M}
    assert rows[1].expected_savings[Y24] == Decimal("3.9") * M


@pytest.mark.django_db
def test_the_demo_case_round_trips_and_records_actuals():
    case = load_investment_demo()
    assert load_investment_demo().pk == case.pk  # idempotent
    figures = case_figures(case)
    assert figures.total_investment == Decimal("4462000.00")
    assert figures.expected == bcp_figures().expected
    record_actual_saving(case, Y24, Decimal("3100000"), evidence="Outturn 2024/25")
    rows = actual_against_expected(case_figures(case))
    assert [(str(r.year), r.expected, r.actual, r.variance) for r in rows] == [
        ("2024/25", Decimal("3900000.00"), Decimal("3100000.00"), Decimal("-800000.00")),
        ("2025/26", Decimal("5150000.00"), None, None),
        ("2026/27", Decimal("6400000.00"), None, None),
    ]
    assert case.council.la_code == "E06000058"
    assert case.stage == "outline"
    for fact in ("£14.6m ongoing", "£1.7m one-off", "£189k", "£784k"):
        assert fact in case.summary
    assert "about £7m of annual savings" in case.savings_note


@pytest.mark.django_db
def test_expected_savings_can_be_linked_to_savings_lines():
    from csplan.cases.demo import load_hampshire_demo
    from csplan.investment.store import line_links, link_expected_saving

    line = load_hampshire_demo().lines.get(reference="C6")  # 390 / 1,600 / 1,600 (£'000)
    with pytest.raises(ValueError, match="another council"):
        link_expected_saving(load_investment_demo(), line, FinancialYear(2017), Decimal(1))
    case = save_case(line.plan.council, bcp_figures())
    link_expected_saving(case, line, FinancialYear(2017), Decimal("1700000"), note="Fostering")
    [link] = line_links(case)
    assert (link.reference, str(link.year)) == ("C6", "2017/18")
    assert (link.expected, link.planned, link.gap) == (
        Decimal("1700000.00"),
        Decimal("1600000.00"),
        Decimal("100000.00"),
    )
    # the linked saving counts in the case's expected savings for the year
    assert case_figures(case).expected[FinancialYear(2017)] == Decimal("1700000.00")
    assert case_figures(case).expected[Y24] == Decimal("3900000.00")


def test_strategy_table_shows_only_years_with_spend_or_savings():
    from csplan.investment.reports import strategy_report

    years = [Y23, Y24, Y25, Y26]
    table = strategy_report(capital_receipts_strategy([bcp_figures()], years), years)
    assert [c.heading for c in table.columns] == [
        "Project",
        "Qualifying spend 2023/24",
        "Qualifying spend 2024/25",
        "Total qualifying spend",
        "Expected savings 2024/25",
        "Expected savings 2025/26",
        "Expected savings 2026/27",
        "Savings realised to date",
        "Eligible under the current direction",
    ]
    assert table.displayed()[-1] == [
        "Total",
        "1,346",
        "360",
        "1,706",
        "3,900",
        "5,150",
        "6,400",
        "0",
        "",
    ]
