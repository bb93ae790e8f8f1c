"""An invest-to-save case as a council writes it: one function, ``write_case``, reads the case
from plain values (a YAML or JSON file, an API body, the web form), checks every field and
saves it through ``csplan.investment.store.save_case`` with its history.

The shape::

    reference: BSF
    name: Children's Services Building Stronger Foundations Programme
    council: Bournemouth, Christchurch and Poole Council   # or plan: <slug>
    stage: outline            # outline, full, approved, closed
    summary, decision, owner_role, source, savings_note: text
    spend:
      - {year: 2023/24, category: transformation, funding: capital_receipts,
         amount: 1346000, designed_for_ongoing_savings: true, funding_detail: "..."}
    expected:
      - {year: 2025/26, amount: 5150000, note: "Straight line (assumption)"}

Amounts are in pounds unless the caller says otherwise (the web form reads £'000); a field's
problem is reported under its path, like ``spend.0.amount``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from csplan.core.money import MoneyError, Unit, from_unit, to_pence
from csplan.core.periods import FinancialYear, PeriodError
from csplan.investment.calculations import CaseFigures, Spend
from csplan.investment.models import InvestmentCase, InvestmentSpend
from csplan.investment.store import save_case
from csplan.programme.models import Council, Plan

TEXT_FIELDS = ("summary", "decision", "owner_role", "source", "savings_note")
_TEXT_LIMITS = {"decision": 300, "owner_role": 200}
_KNOWN = {"reference", "name", "council", "plan", "stage", "spend", "expected", *TEXT_FIELDS}
_SPEND_KNOWN = {
    "year",
    "category",
    "funding",
    "amount",
    "funding_detail",
    "designed_for_ongoing_savings",
}
_EXPECTED_KNOWN = {"year", "amount", "note"}
FUNDING_SOURCES = dict(InvestmentSpend.Funding.choices)
CATEGORIES = dict(InvestmentSpend.Category.choices)
STAGES = dict(InvestmentCase.Stage.choices)


class CaseValidationError(ValueError):
    """A case that cannot be saved; ``errors`` maps each field's path to its problem."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


@dataclass
class _Reader:
    unit: Unit
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, data: Mapping[str, Any], name: str, path: str, *, limit: int = 300) -> str:
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.errors[path] = "write it as text"
            return ""
        text = str(value).strip()
        if len(text) > limit:
            self.errors[path] = f"at most {limit} characters (this has {len(text)})"
        return text

    def year(self, value: Any, path: str) -> FinancialYear | None:
        try:
            return FinancialYear.parse(value)
        except (PeriodError, TypeError, ValueError) as error:
            self.errors[path] = f"{error}: write the financial year like 2024/25"
            return None

    def amount(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, float):
            self.errors[path] = f"{value!r} is a binary float: write the amount in quotes"
            return None
        try:
            pounds = from_unit(value, self.unit)
            to_pence(pounds)
        except (MoneyError, TypeError) as error:
            self.errors[path] = f"{error}: write the amount in {self.unit.label}, like 1500000"
            return None
        if pounds < 0:
            self.errors[path] = "an amount cannot be negative"
            return None
        return pounds

    def choice(self, value: Any, choices: Mapping[str, str], path: str) -> str:
        if value in (None, ""):
            self.errors[path] = f"choose one of {', '.join(choices)}"
        elif value not in choices:
            self.errors[path] = f"{value!r} is not one of {', '.join(choices)}"
        return str(value)

    def unknown(self, data: Mapping[str, Any], known: set[str], path: str) -> None:
        for name in sorted(set(data) - known):
            self.errors[f"{path}{name}"] = f"unknown field: use {', '.join(sorted(known))}"

    def items(self, data: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
        items = data.get(name) or []
        if not isinstance(items, Sequence) or isinstance(items, str):
            self.errors[name] = "write it as a list"
            return []
        good = []
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                good.append(item)
            else:
                self.errors[f"{name}.{index}"] = "each entry names its year and amount"
        return good if len(good) == len(items) else []


@dataclass(frozen=True)
class CaseInput:
    """A case read and checked: its figures, details and the notes on its expected savings."""

    figures: CaseFigures
    details: dict[str, Any]
    expected_notes: dict[FinancialYear, str]


def read_case(data: Mapping[str, Any], *, unit: Unit = Unit.POUNDS) -> CaseInput:
    """The case ``data`` describes; ``CaseValidationError`` naming every problem."""
    if not isinstance(data, Mapping):
        raise CaseValidationError({"case": "the case is a mapping of its fields"})
    reader = _Reader(unit)
    reader.unknown(data, _KNOWN, "")
    reference = reader.text(data, "reference", "reference", limit=40)
    name = reader.text(data, "name", "name")
    if not reference:
        reader.errors["reference"] = "give the case a reference, like BSF"
    if not name:
        reader.errors["name"] = "give the case a name"
    stage = reader.choice(data.get("stage") or "outline", STAGES, "stage")
    details: dict[str, Any] = {"stage": stage}
    for text_field in TEXT_FIELDS:
        limit = _TEXT_LIMITS.get(text_field, 20_000)
        details[text_field] = reader.text(data, text_field, text_field, limit=limit)
    spend = _spend(reader, reader.items(data, "spend"))
    expected, notes = _expected(reader, reader.items(data, "expected"))
    if reader.errors:
        raise CaseValidationError(reader.errors)
    return CaseInput(CaseFigures(reference, name, tuple(spend), expected), details, notes)


def _spend(reader: _Reader, items: list[Mapping[str, Any]]) -> list[Spend]:
    result = []
    for index, item in enumerate(items):
        path = f"spend.{index}."
        reader.unknown(item, _SPEND_KNOWN, path)
        year = reader.year(item.get("year"), f"{path}year")
        category = reader.choice(item.get("category"), CATEGORIES, f"{path}category")
        funding = reader.choice(item.get("funding"), FUNDING_SOURCES, f"{path}funding")
        amount = reader.amount(item.get("amount"), f"{path}amount")
        ongoing = item.get("designed_for_ongoing_savings", False)
        if not isinstance(ongoing, bool):
            reader.errors[f"{path}designed_for_ongoing_savings"] = "write true or false"
        detail = reader.text(item, "funding_detail", f"{path}funding_detail")
        if year is not None and amount is not None:
            result.append(Spend(year, category, funding, amount, ongoing is True, detail))
    return result


def _expected(
    reader: _Reader, items: list[Mapping[str, Any]]
) -> tuple[dict[FinancialYear, Decimal], dict[FinancialYear, str]]:
    amounts: dict[FinancialYear, Decimal] = {}
    notes: dict[FinancialYear, str] = {}
    for index, item in enumerate(items):
        path = f"expected.{index}."
        reader.unknown(item, _EXPECTED_KNOWN, path)
        year = reader.year(item.get("year"), f"{path}year")
        amount = reader.amount(item.get("amount"), f"{path}amount")
        note = reader.text(item, "note", f"{path}note")
        if year is not None and year in amounts:
            reader.errors[f"{path}year"] = f"{year} is given twice"
        elif year is not None and amount is not None:
            amounts[year] = amount
            if note:
                notes[year] = note
    return amounts, notes


def plan_named(data: Mapping[str, Any]) -> Plan | None:
    """The plan ``data`` names by its slug (``plan``), if it names one."""
    plan_slug = data.get("plan")
    if not plan_slug:
        return None
    plan = Plan.objects.select_related("council").filter(slug=str(plan_slug)).first()
    if plan is None:
        raise CaseValidationError({"plan": f"there is no plan {plan_slug!r}"})
    return plan


def council_of(data: Mapping[str, Any]) -> Council:
    """The council ``data`` names (``council``, or the council of ``plan``, a plan's slug)."""
    council_name = data.get("council")
    plan = plan_named(data)
    if plan is not None:
        return plan.council
    if not council_name:
        raise CaseValidationError({"council": "name the council whose case it is"})
    council = Council.objects.filter(name=str(council_name).strip()).first()
    if council is None:
        raise CaseValidationError(
            {"council": f"there is no council called {council_name!r}: create its plan first"}
        )
    return council


@transaction.atomic
def write_case(
    data: Mapping[str, Any],
    *,
    council: Council | None = None,
    case: InvestmentCase | None = None,
    plan: Plan | None = None,
    unit: Unit = Unit.POUNDS,
    user: Any = None,
    reason: str = "",
) -> InvestmentCase:
    """Create a case from ``data`` (``case`` None: its reference must be new to the council) or
    replace ``case``'s details, spend and expected savings (its realised savings and the
    savings linked to savings lines stay).
    ``plan``: the plan the case belongs to (its council's). The web, the CLI and the API all
    write cases through this."""
    read = read_case(data, unit=unit)
    plan = plan or plan_named(data)
    if council is None and plan is not None:
        council = plan.council
    if council is None:
        council = case.council if case is not None else council_of(data)
    if plan is not None and plan.council_id != council.pk:
        raise CaseValidationError({"plan": f"{plan.slug} is a plan of another council"})
    reference = read.figures.reference
    clash = InvestmentCase.objects.filter(council=council, reference=reference)
    if case is not None:
        clash = clash.exclude(pk=case.pk)
    if clash.exists():
        raise CaseValidationError(
            {"reference": f"{council.name} already has a case {reference}: edit that one"}
        )
    details = dict(read.details)
    if plan is not None:
        details["plan"] = plan
    return save_case(
        council,
        read.figures,
        details=details,
        expected_notes=read.expected_notes,
        user=user,
        reason=reason or ("Case changed" if case is not None else "New case"),
        case=case,
        keep_recorded=case is not None,
    )


def case_data(case: InvestmentCase, *, unit: Unit = Unit.POUNDS) -> dict[str, Any]:
    """A stored case in ``write_case``'s shape (amounts as exact strings in ``unit``), so
    what is read back and written again is unchanged."""
    from csplan.core.money import from_pence, in_unit

    def money(pence: int) -> str:
        return f"{in_unit(from_pence(pence), unit).normalize():f}"

    return {
        "reference": case.reference,
        "name": case.name,
        "council": case.council.name,
        "stage": case.stage,
        **{name: getattr(case, name) for name in TEXT_FIELDS},
        "spend": [
            {
                "year": str(FinancialYear(item.year)),
                "category": item.category,
                "funding": item.funding,
                "amount": money(item.amount_pence),
                "designed_for_ongoing_savings": item.designed_for_ongoing_savings,
                "funding_detail": item.funding_detail,
            }
            for item in case.spend.all()
        ],
        "expected": [
            {"year": str(FinancialYear(s.year)), "amount": money(s.amount_pence), "note": s.note}
            for s in case.expected_savings.filter(line=None)
        ],
    }
