"""Invest-to-save tables as report data (£'000)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from csplan.core.money import ZERO, Unit
from csplan.core.periods import FinancialYear
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.investment.calculations import (
    CURRENT_DIRECTION,
    CaseFigures,
    StrategyRow,
    actual_against_expected,
    capital_receipts_strategy,
    eligibility_problems,
    net_position,
    payback_year,
)
from csplan.investment.models import InvestmentCase
from csplan.investment.store import case_figures, cases_for
from csplan.programme.models import Council
from csplan.programme.reports import ROUNDING_NOTE

UNIT = Unit.THOUSANDS


def _money(heading: str) -> Column:
    return Column(heading, ColumnKind.MONEY, UNIT, 0)


def case_report(
    case: CaseFigures,
    *,
    note: str = "",
    expected_notes: Mapping[FinancialYear, str] | None = None,
) -> Table:
    """Investment and expected savings by year, net and cumulative net, payback; a year's
    expected saving with a note (an assumption, an interpolated figure) says so."""
    rows = net_position(case)
    years = [row.year for row in rows]
    columns = (Column("Measure"), *(_money(str(y)) for y in years), _money("Total"))

    def line(label: str, values: list, kind: RowKind = RowKind.LINE) -> Row:
        return Row((label, *values, sum(values, ZERO)), kind)

    table_rows = [
        line("Improvement spend", [r.improvement for r in rows]),
        line("Transformation spend", [r.transformation for r in rows]),
        line("Total investment", [r.investment for r in rows], RowKind.SUBTOTAL),
        line("Expected savings", [r.expected_savings for r in rows]),
        line("Net (savings less investment)", [r.net for r in rows], RowKind.TOTAL),
        Row(("Cumulative net position", *(r.cumulative_net for r in rows), None)),
    ]
    if case.actual:
        table_rows.append(line("Actual savings", [case.actual.get(y, ZERO) for y in years]))
    payback = payback_year(rows)
    notes = [
        ROUNDING_NOTE,
        f"Payback year: {payback}." if payback else "Does not pay back within the years shown.",
        *eligibility_problems(case),
    ]
    if note:
        notes.append(note)
    notes.extend(
        f"Expected savings {year}: {text}" for year, text in sorted((expected_notes or {}).items())
    )
    return Table(
        name=f"case_{case.reference}",
        title=f"Invest to save: {case.name}",
        columns=columns,
        rows=tuple(table_rows),
        notes=tuple(notes),
        meta={"reference": case.reference, "payback": str(payback or "")},
    )


def stored_case_report(case: InvestmentCase) -> Table:
    """A stored case's table, with its savings note and its notes on expected savings."""
    from csplan.investment.store import expected_notes

    return case_report(
        case_figures(case), note=case.savings_note, expected_notes=expected_notes(case)
    )


def actuals_report(case: CaseFigures) -> Table:
    rows = actual_against_expected(case)
    columns = (Column("Year"), _money("Expected"), _money("Actual"), _money("Variance"))
    table_rows = [
        Row((str(r.year), r.expected, r.actual if r.actual is not None else "not yet", r.variance))
        for r in rows
    ]
    return Table(
        name=f"actuals_{case.reference}",
        title=f"{case.name}: actual against expected savings",
        columns=columns,
        rows=tuple(table_rows),
        notes=(ROUNDING_NOTE, "Variance: actual less expected (negative is below plan)."),
    )


def strategy_report(rows: Sequence[StrategyRow], years: Sequence[FinancialYear]) -> Table:
    """Each project: qualifying spend in the years with any, its total, the savings expected in
    the years with any, and the savings realised so far."""
    spend_years = [y for y in years if any(r.qualifying_spend[y] for r in rows)]
    saving_years = [y for y in years if any(r.expected_savings[y] for r in rows)]
    columns = (
        Column("Project"),
        *(_money(f"Qualifying spend {y}") for y in spend_years),
        _money("Total qualifying spend"),
        *(_money(f"Expected savings {y}") for y in saving_years),
        _money("Savings realised to date"),
        Column("Eligible under the current direction"),
    )

    def cells(spend, total, savings, realised) -> tuple:
        return (*spend, total, *savings, realised)

    table_rows = [
        Row(
            (
                f"{row.reference} {row.name}",
                *cells(
                    [row.qualifying_spend[y] for y in spend_years],
                    row.total_qualifying,
                    [row.expected_savings[y] for y in saving_years],
                    row.realised if row.realised is not None else "n/a",
                ),
                "Yes" if row.eligible else "No: see the notes",
            )
        )
        for row in rows
    ]
    table_rows.append(
        Row(
            (
                "Total",
                *cells(
                    [sum((r.qualifying_spend[y] for r in rows), ZERO) for y in spend_years],
                    sum((r.total_qualifying for r in rows), ZERO),
                    [sum((r.expected_savings[y] for r in rows), ZERO) for y in saving_years],
                    sum((r.realised for r in rows if r.realised is not None), ZERO),
                ),
                "",
            ),
            RowKind.TOTAL,
        )
    )
    return Table(
        name="capital_receipts",
        title="Flexible use of capital receipts: strategy",
        columns=columns,
        rows=tuple(table_rows),
        notes=(
            ROUNDING_NOTE,
            f"Eligibility under the current direction ({CURRENT_DIRECTION.title}): qualifying "
            "expenditure is transformation spend designed to generate ongoing revenue savings, "
            f"incurred in {CURRENT_DIRECTION.years_text}. Only qualifying spend is counted. "
            "n/a: no savings realised yet (a project still in progress).",
            *(
                f"{row.reference} does not qualify: {problem}."
                for row in rows
                for problem in row.problems
            ),
        ),  # fmt: skip
    )


def council_strategy_report(council: Council) -> Table | None:
    """The council's capital-receipts strategy table over its cases' years (None: no project
    is funded from capital receipts)."""
    figures = [case_figures(case) for case in cases_for(council)]
    years = sorted({year for f in figures for year in f.years})
    rows = capital_receipts_strategy(figures, years)
    return strategy_report(rows, years) if rows else None
