"""Pure calculations over a programme: the tables a council publishes.

- ``workstream_table``: budget, full-year savings and savings as % of budget per workstream,
  with sub-totals for workstreams and non-workstreams and a grand total (Hampshire Table I.1).
- ``proposals_appendix``: each line's phasing per year, totals and total FTE (Appendix 1).
- ``target_comparison``: target against proposals per year, with the shortfall, the early
  achievement and what early achievement leaves once it has covered later shortfalls.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from csplan.core.money import ZERO, Unit, in_unit, percentage, round_half_up
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.phasing import PhasingForm, in_form, to_cumulative

# Table I.1 publishes budgets and savings in £m to one decimal place.
WORKSTREAM_TABLE_UNIT = Unit.MILLIONS
WORKSTREAM_TABLE_PLACES = 1


@dataclass(frozen=True)
class WorkstreamRow:
    name: str
    kind: str  # "workstream", "non_workstream", "subtotal", "total"
    budget: Decimal
    savings: Decimal | None  # None where no savings are proposed against the budget ("n/a")
    percent_of_budget: Decimal | None


@dataclass(frozen=True)
class WorkstreamTable:
    rows: tuple[WorkstreamRow, ...]
    percent_basis: str

    def row(self, name: str) -> WorkstreamRow:
        return next(row for row in self.rows if row.name == name)


def _percent(savings: Decimal | None, budget: Decimal, basis: str) -> Decimal | None:
    if savings is None:
        return None
    if basis == "displayed":
        # Councils often compute the percentage from the rounded £m figures they print,
        # so the published table agrees with itself (Hampshire: 1.0 / 4.4 = 22.7%).
        savings = round_half_up(in_unit(savings, WORKSTREAM_TABLE_UNIT), WORKSTREAM_TABLE_PLACES)
        budget = round_half_up(in_unit(budget, WORKSTREAM_TABLE_UNIT), WORKSTREAM_TABLE_PLACES)
    return percentage(savings, budget, 1)


def _sum_optional(values: list[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    return sum(present, ZERO) if present else None


def workstream_table(programme: ProgrammeFigures) -> WorkstreamTable:
    basis = programme.percent_basis
    rows: list[WorkstreamRow] = []
    subtotals: list[WorkstreamRow] = []
    groups = (
        (True, "workstream", "Sub-Total - Workstreams"),
        (False, "non_workstream", "Sub-Total - Non-Workstreams"),
    )
    for is_workstream, kind, subtotal_name in groups:
        members = [w for w in programme.workstreams if w.is_workstream is is_workstream]
        if not members:
            continue
        group_rows = []
        for workstream in members:
            lines = programme.lines_in(workstream.name)
            savings = sum((line.full_year_effect for line in lines), ZERO) if lines else None
            group_rows.append(
                WorkstreamRow(
                    workstream.name,
                    kind,
                    workstream.budget,
                    savings,
                    _percent(savings, workstream.budget, basis),
                )
            )
        budget = sum((row.budget for row in group_rows), ZERO)
        savings = _sum_optional([row.savings for row in group_rows])
        subtotal = WorkstreamRow(
            subtotal_name, "subtotal", budget, savings, _percent(savings, budget, basis)
        )
        rows.extend(group_rows)
        rows.append(subtotal)
        subtotals.append(subtotal)
    budget = sum((row.budget for row in subtotals), ZERO)
    savings = _sum_optional([row.savings for row in subtotals])
    rows.append(WorkstreamRow("TOTAL", "total", budget, savings, _percent(savings, budget, basis)))
    return WorkstreamTable(tuple(rows), basis)


@dataclass(frozen=True)
class AppendixRow:
    line: LineFigures
    amounts: dict[FinancialYear, Decimal]


@dataclass(frozen=True)
class ProposalsAppendix:
    years: tuple[FinancialYear, ...]
    form: PhasingForm
    rows: tuple[AppendixRow, ...]
    totals: dict[FinancialYear, Decimal]
    fte_total: Decimal
    fte_unknown: tuple[str, ...]  # references whose FTE is not yet known (e.g. "TBC")


def proposals_appendix(
    programme: ProgrammeFigures, form: PhasingForm = PhasingForm.CUMULATIVE
) -> ProposalsAppendix:
    years = programme.years
    rows = tuple(
        AppendixRow(line, in_form(line.phasing, years, form, line.recurrence))
        for line in programme.lines
    )
    totals = {year: sum((row.amounts[year] for row in rows), ZERO) for year in years}
    fte_total = sum((line.fte for line in programme.lines if line.fte is not None), ZERO)
    unknown = tuple(line.reference for line in programme.lines if line.fte is None)
    return ProposalsAppendix(years, form, rows, totals, fte_total, unknown)


@dataclass(frozen=True)
class TargetYear:
    year: FinancialYear
    target: Decimal  # cumulative savings requirement in place by this year
    proposals: Decimal  # cumulative full-year effect of the proposals by this year
    variance: Decimal  # proposals less target: positive is early achievement
    early_achievement: Decimal
    shortfall: Decimal
    shortfall_covered: Decimal  # met from early achievement carried forward
    shortfall_uncovered: Decimal
    carried_forward: Decimal  # early achievement still available at the end of this year


@dataclass(frozen=True)
class TargetComparison:
    years: tuple[TargetYear, ...]

    @property
    def available_for_cost_of_change(self) -> Decimal:
        """Early achievement left once it has covered every later shortfall."""
        return self.years[-1].carried_forward if self.years else ZERO

    def year(self, year: FinancialYear) -> TargetYear:
        return next(row for row in self.years if row.year == year)


def target_comparison(programme: ProgrammeFigures) -> TargetComparison:
    """Target against proposals by year.

    Early achievement in a year is a one-off resource of that year; it is carried forward and
    used first to cover later shortfalls, and what remains can fund the cost of change
    (Hampshire 5.3).
    """
    years = programme.years
    targets = to_cumulative(programme.targets, years)
    proposals = dict.fromkeys(years, ZERO)
    for line in programme.lines:
        for year, amount in line.in_place(years).items():
            proposals[year] += amount
    balance = ZERO
    result = []
    for year in years:
        variance = proposals[year] - targets[year]
        early = max(variance, ZERO)
        shortfall = max(-variance, ZERO)
        covered = min(shortfall, balance)
        balance = balance + early - covered
        result.append(
            TargetYear(
                year=year,
                target=targets[year],
                proposals=proposals[year],
                variance=variance,
                early_achievement=early,
                shortfall=shortfall,
                shortfall_covered=covered,
                shortfall_uncovered=shortfall - covered,
                carried_forward=balance,
            )
        )
    return TargetComparison(tuple(result))


LINE_FILTERS = ("workstream", "lifecycle", "rag", "sro", "q")


def matching_lines(
    lines: tuple[LineFigures, ...],
    filters: dict[str, str],
    references: set[str] | None = None,
) -> tuple[LineFigures, ...]:
    """The lines a list's filters choose: exact workstream, status and RAG, the SRO's role and
    free text (reference, title, service or description) by words; ``references`` limits them
    further (e.g. the lines that affect a protected characteristic)."""
    words = filters.get("q", "").lower().split()

    def chosen(line: LineFigures) -> bool:
        exact = (("workstream", line.workstream), ("lifecycle", line.lifecycle),
                 ("rag", line.rag), ("sro", line.sro_role))  # fmt: skip
        if any(filters.get(name) and filters[name] != value for name, value in exact):
            return False
        text = " ".join((line.reference, line.title, line.service_activity, line.description))
        if any(word not in text.lower() for word in words):
            return False
        return references is None or line.reference in references

    return tuple(line for line in lines if chosen(line))
