"""Invest-to-save calculations over plain values: investment by category and year, the
cumulative net position, the payback year, actual against expected savings, the capital
receipts eligibility test and the capital-receipts strategy table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear

IMPROVEMENT, TRANSFORMATION = "improvement", "transformation"
CAPITAL_RECEIPTS = "capital_receipts"


@dataclass(frozen=True)
class ReceiptsDirection:
    """The Secretary of State's direction on the flexible use of capital receipts: the years
    in which qualifying expenditure may be funded from capital receipts."""

    title: str
    first_year: FinancialYear
    last_year: FinancialYear

    def allows(self, year: FinancialYear) -> bool:
        return self.first_year <= year <= self.last_year

    @property
    def years_text(self) -> str:
        return f"{self.first_year} to {self.last_year}"


#: The direction in force: first given for 2016/17 to 2018/19, extended to 2021/22, renewed for
#: 2022/23 to 2024/25, then extended to 31 March 2030 (2025/26 local government finance
#: settlement). A later direction changes these years only.
CURRENT_DIRECTION = ReceiptsDirection(
    "the direction on the flexible use of capital receipts, extended to 31 March 2030",
    FinancialYear(2016),
    FinancialYear(2029),
)


@dataclass(frozen=True)
class Spend:
    year: FinancialYear
    category: str  # improvement / transformation
    funding: str  # reserve / revenue_budget / grant / capital_receipts
    amount: Decimal
    designed_for_ongoing_savings: bool = False
    funding_detail: str = ""

    @property
    def receipts_eligible(self) -> bool:
        """Capital receipts may fund revenue transformation only when the spend is designed to
        generate ongoing savings (not business as usual, not the statutory duty to improve),
        in a year the current direction allows."""
        return not self.receipts_problems

    @property
    def receipts_problems(self) -> tuple[str, ...]:
        """Why the spend is not qualifying expenditure under the current direction."""
        problems = []
        if self.category != TRANSFORMATION:
            problems.append(f"it is {self.category} spend, not transformation")
        if not self.designed_for_ongoing_savings:
            problems.append("it is not designed to generate ongoing savings")
        if not CURRENT_DIRECTION.allows(self.year):
            problems.append(
                f"{self.year} is outside the years the direction allows "
                f"({CURRENT_DIRECTION.years_text})"
            )
        return tuple(problems)


@dataclass(frozen=True)
class CaseFigures:
    reference: str
    name: str
    spend: tuple[Spend, ...]
    expected: Mapping[FinancialYear, Decimal]  # in-year saving expected
    actual: Mapping[FinancialYear, Decimal] = field(default_factory=dict)

    @property
    def total_investment(self) -> Decimal:
        return sum((item.amount for item in self.spend), ZERO)

    def investment(self, year: FinancialYear, category: str | None = None) -> Decimal:
        return sum(
            (
                item.amount
                for item in self.spend
                if item.year == year and (category is None or item.category == category)
            ),
            ZERO,
        )

    def category_total(self, category: str) -> Decimal:
        return sum((i.amount for i in self.spend if i.category == category), ZERO)

    @property
    def years(self) -> tuple[FinancialYear, ...]:
        found = {item.year for item in self.spend} | set(self.expected) | set(self.actual)
        if not found:
            return ()
        first, last = min(found), max(found)
        return tuple(first + offset for offset in range(last - first + 1))


def eligibility_problems(case: CaseFigures) -> list[str]:
    """Capital-receipts funding of spend that is not qualifying expenditure under the current
    direction (transformation designed to generate ongoing savings, in the years it allows)."""
    return [
        f"{item.year}: £{item.amount:,} of {item.category} spend is funded from capital receipts "
        f"but {' and '.join(item.receipts_problems)}"
        for item in case.spend
        if item.funding == CAPITAL_RECEIPTS and not item.receipts_eligible
    ]


@dataclass(frozen=True)
class NetYear:
    year: FinancialYear
    improvement: Decimal
    transformation: Decimal
    investment: Decimal
    expected_savings: Decimal
    net: Decimal  # savings less investment in the year
    cumulative_net: Decimal


def net_position(case: CaseFigures, years: Sequence[FinancialYear] | None = None) -> list[NetYear]:
    rows, running = [], ZERO
    for year in years or case.years:
        improvement = case.investment(year, IMPROVEMENT)
        transformation = case.investment(year, TRANSFORMATION)
        investment = improvement + transformation
        savings = case.expected.get(year, ZERO)
        running += savings - investment
        rows.append(
            NetYear(
                year,
                improvement,
                transformation,
                investment,
                savings,
                savings - investment,
                running,
            )
        )
    return rows


def payback_year(rows: Sequence[NetYear]) -> FinancialYear | None:
    """The first year in which the cumulative net position reaches zero or better after the
    investment has started (None if it never pays back within the years shown)."""
    invested = False
    for row in rows:
        invested = invested or row.investment > 0
        if invested and row.cumulative_net >= 0:
            return row.year
    return None


@dataclass(frozen=True)
class ActualYear:
    year: FinancialYear
    expected: Decimal
    actual: Decimal | None  # None: not yet reported

    @property
    def variance(self) -> Decimal | None:
        return None if self.actual is None else self.actual - self.expected


def actual_against_expected(case: CaseFigures) -> list[ActualYear]:
    return [
        ActualYear(year, case.expected.get(year, ZERO), case.actual.get(year))
        for year in case.years
        if case.expected.get(year, ZERO) or year in case.actual
    ]


@dataclass(frozen=True)
class StrategyRow:
    reference: str
    name: str
    qualifying_spend: dict[FinancialYear, Decimal]
    expected_savings: dict[FinancialYear, Decimal]
    realised: Decimal | None  # savings realised so far (earlier projects); None if none yet
    problems: tuple[str, ...] = ()  # receipts-funded spend that does not qualify

    @property
    def eligible(self) -> bool:
        """Every item funded from capital receipts qualifies under the current direction."""
        return not self.problems

    @property
    def total_qualifying(self) -> Decimal:
        return sum(self.qualifying_spend.values(), ZERO)


def capital_receipts_strategy(
    cases: Sequence[CaseFigures], years: Sequence[FinancialYear]
) -> list[StrategyRow]:
    """Each project funded from capital receipts: qualifying spend by year, expected savings
    by year, for earlier projects the savings realised, and any receipts-funded spend that
    does not qualify under the current direction (such a project is listed, not counted)."""
    rows = []
    for case in cases:
        qualifying = {
            year: sum(
                (
                    i.amount
                    for i in case.spend
                    if i.year == year and i.funding == CAPITAL_RECEIPTS and i.receipts_eligible
                ),
                ZERO,
            )
            for year in years
        }
        problems = tuple(eligibility_problems(case))
        if not any(qualifying.values()) and not problems:
            continue
        realised = sum(case.actual.values(), ZERO) if case.actual else None
        expected = {year: case.expected.get(year, ZERO) for year in years}
        rows.append(
            StrategyRow(case.reference, case.name, qualifying, expected, realised, problems)
        )
    return rows
