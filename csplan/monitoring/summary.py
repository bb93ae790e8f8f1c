"""The monitoring summary by workstream, and the at-risk lines, as pure calculations.

For a period, each line contributes its latest position in the year:

- **proposed**: the in-year saving the plan holds for the year when it was recorded;
- **achieved or anticipated**: the forecast in-year saving for the year;
- **shortfall**: proposed less anticipated;
- **in-year pressures**: written-off savings and savings offset by demand in the year;
- **mitigation**: what has been found to cover them (one-off or recurrent);
- **net at risk**: shortfall plus pressures less mitigation (never below zero), also shown as a
  percentage of the workstream's net budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from csplan.core.money import ZERO, percentage
from csplan.programme.figures import WorkstreamFigures

AT_RISK_RAGS = ("A", "R")
#: The label on a budget row that is not a savings workstream (its budget is in the total).
OUTSIDE = "(not a workstream)"


@dataclass(frozen=True)
class LinePosition:
    reference: str
    title: str
    workstream: str
    rag: str
    proposed: Decimal
    anticipated: Decimal
    achieved_to_date: Decimal = ZERO
    pressures: Decimal = ZERO  # written off or offset by demand in the year
    mitigation_amount: Decimal = ZERO
    mitigation_recurrence: str = "one_off"
    commentary: str = ""
    explanation: str = ""
    mitigation: str = ""
    month: int | None = None  # the month of the record this position comes from

    @property
    def shortfall(self) -> Decimal:
        return self.proposed - self.anticipated

    @property
    def net_at_risk(self) -> Decimal:
        return max(self.shortfall + self.pressures - self.mitigation_amount, ZERO)

    @property
    def is_at_risk(self) -> bool:
        return self.rag in AT_RISK_RAGS or self.net_at_risk > 0


@dataclass(frozen=True)
class SummaryRow:
    name: str
    kind: str  # "workstream", "total"
    budget: Decimal
    proposed: Decimal
    anticipated: Decimal
    pressures: Decimal
    mitigation: Decimal
    net_at_risk: Decimal
    percent_of_budget: Decimal | None

    @property
    def shortfall(self) -> Decimal:
        return self.proposed - self.anticipated


@dataclass(frozen=True)
class MonitoringSummary:
    rows: tuple[SummaryRow, ...]

    def row(self, name: str) -> SummaryRow:
        return next(row for row in self.rows if row.name == name)

    @property
    def total(self) -> SummaryRow:
        return self.rows[-1]


def _row(name: str, kind: str, budget: Decimal, positions: Sequence[LinePosition]) -> SummaryRow:
    net = sum((p.net_at_risk for p in positions), ZERO)
    return SummaryRow(
        name=name,
        kind=kind,
        budget=budget,
        proposed=sum((p.proposed for p in positions), ZERO),
        anticipated=sum((p.anticipated for p in positions), ZERO),
        pressures=sum((p.pressures for p in positions), ZERO),
        mitigation=sum((p.mitigation_amount for p in positions), ZERO),
        net_at_risk=net,
        percent_of_budget=percentage(net, budget, 1),
    )


def monitoring_summary(
    positions: Sequence[LinePosition], workstreams: Sequence[WorkstreamFigures]
) -> MonitoringSummary:
    """One row per workstream with lines or a budget, then the total over them all, so the
    budget column adds up: a budget row with no savings lines (such as a non-workstream
    budget) is shown with its budget and no savings."""
    rows = []
    for workstream in workstreams:
        members = [p for p in positions if p.workstream == workstream.name]
        if members or workstream.budget:
            name = workstream.name if workstream.is_workstream else f"{workstream.name} {OUTSIDE}"
            rows.append(_row(name, "workstream", workstream.budget, members))
    budget = sum((w.budget for w in workstreams), ZERO)
    rows.append(_row("Total", "total", budget, list(positions)))
    return MonitoringSummary(tuple(rows))


def at_risk_lines(positions: Sequence[LinePosition]) -> list[LinePosition]:
    """Lines rated amber or red, or with money at risk, most at risk first."""
    risky = [p for p in positions if p.is_at_risk]
    return sorted(risky, key=lambda p: (-p.net_at_risk, p.reference))


def rag_counts(
    positions: Sequence[LinePosition], codes: Sequence[str]
) -> dict[str, dict[str, int]]:
    """Number of lines of each RAG rating in each workstream (for the RAG chart)."""
    result: dict[str, dict[str, int]] = {}
    for position in positions:
        counts = result.setdefault(position.workstream, dict.fromkeys(codes, 0))
        counts[position.rag] = counts.get(position.rag, 0) + 1
    return result
