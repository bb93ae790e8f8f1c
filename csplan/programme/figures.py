"""Plain values describing a savings programme, for calculations and reports.

The store (``csplan.programme.models``) and the importers both produce these, so every
calculation can be tested without a database. Amounts are ``Decimal`` pounds; phasing is
incremental (the change in each financial year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear
from csplan.programme import phasing as phasing_rules

LIFECYCLE_STATES = (
    "proposed", "consulted", "approved", "in_delivery", "delivered", "withdrawn", "written_off",
)  # fmt: skip
RECURRENCES = ("recurrent", "one_off")

# A common delivery-confidence key; each council sets its own (Blue means "delivered" here).
DEFAULT_RAG_KEY: tuple[dict[str, str], ...] = (
    {"code": "B", "label": "Blue", "colour": "blue", "meaning": "Delivered"},
    {"code": "G", "label": "Green", "colour": "green", "meaning": "On track"},
    {"code": "A", "label": "Amber", "colour": "yellow", "meaning": "At risk, mitigations in place"},
    {"code": "R", "label": "Red", "colour": "red", "meaning": "Will not be delivered as planned"},
)


@dataclass(frozen=True)
class WorkstreamFigures:
    name: str
    budget: Decimal
    is_workstream: bool = True


@dataclass(frozen=True)
class LineFigures:
    reference: str
    title: str
    workstream: str
    phasing: Mapping[FinancialYear, Decimal]
    service_activity: str = ""
    description: str = ""
    impact: str = ""
    sro_role: str = ""
    lifecycle: str = "proposed"
    rag: str = ""
    key_decision: bool | None = None
    public_consultation: bool | None = None
    staff_consultation: bool | None = None
    recurrence: str = "recurrent"
    fte: Decimal | None = None
    fte_note: str = ""
    baseline_budget: Decimal | None = None

    def amount(self, year: FinancialYear) -> Decimal:
        return self.phasing.get(year, ZERO)

    @property
    def full_year_effect(self) -> Decimal:
        """The recurrent saving once fully in place: the sum of the incremental phasing (none
        for a one-off saving, which reverses)."""
        return phasing_rules.full_year_effect(self.phasing, self.recurrence)

    def budget_effect(self, years: Sequence[FinancialYear]) -> dict[FinancialYear, Decimal]:
        """The change to the budget in each year (a one-off reverses the next year)."""
        return phasing_rules.budget_effect(self.phasing, years, self.recurrence)

    def in_place(self, years: Sequence[FinancialYear]) -> dict[FinancialYear, Decimal]:
        """The saving in place in each year: the cumulative view and the in-year saving."""
        return phasing_rules.in_place(self.phasing, years, self.recurrence)


@dataclass(frozen=True)
class ProgrammeFigures:
    council: str
    plan: str
    years: tuple[FinancialYear, ...]
    targets: Mapping[FinancialYear, Decimal]
    workstreams: tuple[WorkstreamFigures, ...]
    lines: tuple[LineFigures, ...]
    department: str = "Children's Services"
    percent_basis: str = "exact"
    sign_convention: str = "positive"
    rag_key: tuple[Mapping[str, str], ...] = field(default_factory=tuple)

    def lines_in(self, workstream: str) -> list[LineFigures]:
        return [line for line in self.lines if line.workstream == workstream]

    def target(self, year: FinancialYear) -> Decimal:
        return self.targets.get(year, ZERO)
