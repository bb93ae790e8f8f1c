"""Reading and writing invest-to-save cases (one transaction per write, with history)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from csplan.core.history import delete_recorded
from csplan.core.history import save_recorded as _save
from csplan.core.money import from_pence, to_pence
from csplan.core.periods import FinancialYear
from csplan.investment.calculations import CaseFigures, Spend
from csplan.investment.models import ActualSaving, ExpectedSaving, InvestmentCase, InvestmentSpend
from csplan.programme.models import Council, Plan, SavingsLine


def case_figures(case: InvestmentCase) -> CaseFigures:
    expected: dict[FinancialYear, Decimal] = {}
    for saving in case.expected_savings.all():
        year = FinancialYear(saving.year)
        expected[year] = expected.get(year, Decimal(0)) + from_pence(saving.amount_pence)
    actual: dict[FinancialYear, Decimal] = {}
    for saving in case.actual_savings.all():
        year = FinancialYear(saving.year)
        actual[year] = actual.get(year, Decimal(0)) + from_pence(saving.amount_pence)
    return CaseFigures(
        reference=case.reference,
        name=case.name,
        spend=tuple(
            Spend(
                FinancialYear(item.year),
                item.category,
                item.funding,
                from_pence(item.amount_pence),
                item.designed_for_ongoing_savings,
                item.funding_detail,
            )
            for item in case.spend.all()
        ),
        expected=expected,
        actual=actual,
    )


@transaction.atomic
def save_case(
    council: Council,
    figures: CaseFigures,
    *,
    details: Mapping[str, Any] | None = None,
    expected_notes: Mapping[FinancialYear, str] | None = None,
    user: Any = None,
    reason: str = "",
    case: InvestmentCase | None = None,
    keep_recorded: bool = False,
) -> InvestmentCase:
    """Create or replace the case ``figures.reference`` of ``council`` to match ``figures``
    (``case``: that stored case, whose reference may change). ``keep_recorded`` leaves the
    savings realised (with their evidence) and the expected savings linked to savings lines
    as they were recorded (``figures`` then holds the rest)."""
    if case is None:
        case = InvestmentCase.objects.filter(council=council, reference=figures.reference).first()
    case = case or InvestmentCase(council=council, reference=figures.reference)
    case.reference = figures.reference
    case.name = figures.name
    for name, value in (details or {}).items():
        setattr(case, name, value)
    _save(case, user, reason)
    replaced = [case.spend.all(), case.expected_savings.all()]
    if keep_recorded:
        replaced[1] = case.expected_savings.filter(line=None)
    else:
        replaced.append(case.actual_savings.all())
    for queryset in replaced:
        for row in queryset:
            delete_recorded(row, user, reason)
    for item in figures.spend:
        _save(
            InvestmentSpend(
                case=case,
                year=item.year.start,
                category=item.category,
                funding=item.funding,
                funding_detail=item.funding_detail,
                amount_pence=to_pence(item.amount),
                designed_for_ongoing_savings=item.designed_for_ongoing_savings,
            ),
            user,
            reason,
        )
    notes = expected_notes or {}
    for year, amount in sorted(figures.expected.items()):
        saving = ExpectedSaving(
            case=case, year=year.start, amount_pence=to_pence(amount), note=notes.get(year, "")
        )
        _save(saving, user, reason)
    if not keep_recorded:
        for year, amount in sorted(figures.actual.items()):
            saving = ActualSaving(case=case, year=year.start, amount_pence=to_pence(amount))
            _save(saving, user, reason)
    return case


def expected_notes(case: InvestmentCase) -> dict[FinancialYear, str]:
    """The notes on the case's expected savings by year (where a figure is an assumption)."""
    notes: dict[FinancialYear, str] = {}
    for saving in case.expected_savings.all():
        if saving.note:
            year = FinancialYear(saving.year)
            notes[year] = "; ".join(filter(None, (notes.get(year), saving.note)))
    return notes


@transaction.atomic
def record_actual_saving(
    case: InvestmentCase, year: FinancialYear, amount: Decimal, *, evidence: str = "", user=None
) -> ActualSaving:
    """Record (or correct) the saving realised in ``year``."""
    saving = case.actual_savings.filter(year=year.start).first() or ActualSaving(
        case=case, year=year.start
    )
    saving.amount_pence = to_pence(amount)
    saving.evidence = evidence
    _save(saving, user, f"Actual saving {year}")
    return saving


def cases_for(council: Council | None = None) -> Sequence[InvestmentCase]:
    cases = InvestmentCase.objects.select_related("council").prefetch_related(
        "spend", "expected_savings", "actual_savings"
    )
    return list(cases.filter(council=council) if council else cases)


def cases_for_plan(plan: Plan | None) -> Sequence[InvestmentCase]:
    """The cases a plan's pages show: its council's, and those of councils with no plan in
    csplan (which would otherwise be shown nowhere); every case when there is no plan."""
    if plan is None:
        return cases_for()
    planned = _councils_with_plans()
    return [case for case in cases_for() if _shown_on(case, plan, planned)]


def case_shown_on(case: InvestmentCase, plan: Plan | None) -> bool:
    """Whether ``plan``'s pages show ``case`` (as ``cases_for_plan`` lists them)."""
    return plan is None or _shown_on(case, plan, _councils_with_plans())


def _councils_with_plans() -> set[int]:
    return set(Plan.objects.values_list("council_id", flat=True))


def _shown_on(case: InvestmentCase, plan: Plan, planned: set[int]) -> bool:
    return case.council_id == plan.council_id or case.council_id not in planned


@dataclass(frozen=True)
class LineLink:
    reference: str
    year: FinancialYear
    expected: Decimal  # what the case expects from this line in the year
    planned: Decimal  # the line's planned in-year saving in the year

    @property
    def gap(self) -> Decimal:
        """Expected by the case less planned on the line: positive is not yet in the plan."""
        return self.expected - self.planned


@transaction.atomic
def link_expected_saving(
    case: InvestmentCase,
    line: SavingsLine,
    year: FinancialYear,
    amount: Decimal,
    *,
    note: str = "",
    user: Any = None,
) -> ExpectedSaving:
    """Record that ``amount`` of the case's expected saving in ``year`` comes from ``line``."""
    if line.plan.council_id != case.council_id:
        raise ValueError(f"{line.reference} is a savings line of another council")
    saving = ExpectedSaving(
        case=case, year=year.start, amount_pence=to_pence(amount), line=line, note=note
    )
    _save(saving, user, f"Expected saving linked to {line.reference}")
    return saving


def line_links(case: InvestmentCase) -> list[LineLink]:
    """Each linked expected saving against the line's planned in-year saving."""
    from csplan.programme.store import line_figures

    result = []
    for saving in case.expected_savings.select_related("line__plan").exclude(line=None):
        line = saving.line
        year = FinancialYear(saving.year)
        planned = line_figures(line).in_place(line.plan.years).get(year, Decimal(0))
        result.append(LineLink(line.reference, year, from_pence(saving.amount_pence), planned))
    return result
