"""The plan set-up form: a plan's council, years, targets by year (£'000) and workstreams with
their budgets (£'000). It only reads what is typed; the rules are ``csplan.programme.plans``'s
(the same ones the CLI and the API go through)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms

from csplan.core.money import MoneyError, Unit, from_unit, in_unit
from csplan.core.periods import FinancialYear
from csplan.programme.figures import WorkstreamFigures
from csplan.programme.models import Plan
from csplan.programme.plans import (
    PlanValidationError,
    parse_year_range,
    settings_version,
    target_field,
    workstream_field,
)

_TEXT = {"class": "govuk-input"}
_NARROW = {"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
#: Blank workstream rows offered below the stored ones.
SPARE_ROWS = 4
DEFAULT_YEARS = "2024/25-2027/28"
_ROW_PARTS = ("name", "budget", "outside", "id")


def _thousands(amount: Decimal) -> str:
    return f"{in_unit(amount, Unit.THOUSANDS).normalize():,f}"  # as typed: 24,000 or 750.5


@dataclass(frozen=True)
class WorkstreamRow:
    """The bound fields of one workstream row (for the template)."""

    name: Any
    budget: Any
    outside: Any
    id: Any


class PlanForm(forms.Form):
    name = forms.CharField(label="Plan name", max_length=200, widget=forms.TextInput(_TEXT),
                           help_text="Like Medium Term Financial Strategy 2024-28")  # fmt: skip
    council = forms.CharField(
        max_length=200,
        widget=forms.TextInput(_TEXT | {"list": "councils"}),
        help_text="A council already in csplan, or a new one (it is created)",
    )
    la_code = forms.CharField(
        label="LA code (new council only)",
        max_length=9,
        required=False,
        widget=forms.TextInput(_TEXT | {"class": "govuk-input govuk-input--width-10"}),
        help_text="Like E06000058",
    )
    department = forms.CharField(max_length=200, widget=forms.TextInput(_TEXT))
    years = forms.CharField(
        label="Financial years",
        max_length=40,
        widget=forms.TextInput(_TEXT | {"class": "govuk-input govuk-input--width-20"}),
        help_text="First and last, like 2024/25-2027/28",
    )

    def __init__(self, plan: Plan | None, *args: Any, rows: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None:  # a plan's council is set when it is created
            del self.fields["council"], self.fields["la_code"]
        self.target_years = self._years_shown()
        for year in self.target_years:
            self.fields[target_field(year)] = forms.CharField(
                label=f"{year} target (£'000)", required=False, widget=forms.TextInput(_NARROW)
            )
        if plan is not None:
            self.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        stored = list(plan.workstreams.all()) if plan is not None else []
        self.row_count = max(rows, len(stored) + SPARE_ROWS)
        for position in range(self.row_count):
            self.fields[workstream_field(position, "name")] = forms.CharField(
                label="Workstream", max_length=300, required=False, widget=forms.TextInput(_TEXT)
            )
            self.fields[workstream_field(position, "budget")] = forms.CharField(
                label="Budget (£'000)", required=False, widget=forms.TextInput(_NARROW)
            )
            self.fields[workstream_field(position, "outside")] = forms.BooleanField(
                label="Outside the workstreams (still counts in the department total)",
                required=False,
                widget=forms.CheckboxInput({"class": "govuk-checkboxes__input"}),
            )
            self.fields[workstream_field(position, "id")] = forms.IntegerField(
                required=False, widget=forms.HiddenInput
            )

    def _years_shown(self) -> list[FinancialYear]:
        """The years whose targets the form asks for: those typed, else the plan's."""
        text = self.data.get("years") if self.is_bound else self.initial.get("years")
        try:
            return parse_year_range(text or DEFAULT_YEARS)
        except PlanValidationError:
            return self.plan.years if self.plan is not None else []

    @staticmethod
    def initial_for(plan: Plan) -> dict[str, Any]:
        years = plan.years
        initial: dict[str, Any] = {
            "version": settings_version(plan),
            "name": plan.name,
            "department": plan.department,
            "years": f"{years[0]}-{years[-1]}",
        }
        for target in plan.targets.all():
            initial[target_field(target.financial_year)] = _thousands(
                Decimal(target.amount_pence) / 100
            )
        for position, workstream in enumerate(plan.workstreams.all()):
            initial[workstream_field(position, "name")] = workstream.name
            initial[workstream_field(position, "budget")] = _thousands(
                Decimal(workstream.budget_pence) / 100
            )
            initial[workstream_field(position, "outside")] = not workstream.is_workstream
            initial[workstream_field(position, "id")] = workstream.pk
        return initial

    def _amount(self, name: str, what: str) -> Decimal | None:
        text = (self.data.get(name) or "").strip()
        if not text:
            return None
        try:
            return from_unit(text, Unit.THOUSANDS)
        except MoneyError:
            self.add_error(name, f"Enter {what} as a number in £'000, like 1,500")
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        try:
            if cleaned.get("years"):
                cleaned["year_list"] = parse_year_range(cleaned["years"])
        except PlanValidationError as error:
            self.add_error("years", _sentence(error.errors["years"]))
        cleaned["targets"] = {}
        for year in self.target_years:
            amount = self._amount(target_field(year), f"the {year} target")
            if amount is not None:
                cleaned["targets"][year] = amount
        cleaned["workstreams"], cleaned["workstream_ids"] = [], []
        for position in range(self.row_count):
            name = (cleaned.get(workstream_field(position, "name")) or "").strip()
            budget_name = workstream_field(position, "budget")
            budget = self._amount(budget_name, f"the budget of {name or 'the workstream'}")
            if not name and budget is None:
                continue
            if not name:
                self.add_error(workstream_field(position, "name"), "Give the workstream a name")
                continue
            outside = cleaned.get(workstream_field(position, "outside"), False)
            cleaned["workstreams"].append(
                WorkstreamFigures(name, budget or Decimal(0), not outside)
            )
            cleaned["workstream_ids"].append(cleaned.get(workstream_field(position, "id")))
        return cleaned

    def rows(self) -> list[WorkstreamRow]:
        return [
            WorkstreamRow(
                *(
                    self[workstream_field(position, part)]
                    for part in ("name", "budget", "outside", "id")
                )
            )
            for position in range(self.row_count)
        ]

    def target_fields(self) -> list[Any]:
        return [self[target_field(year)] for year in self.target_years]

    def main_fields(self) -> list[Any]:
        names = ("name", "council", "la_code", "department", "years")
        return [self[name] for name in names if name in self.fields]

    def add_store_errors(self, error: PlanValidationError) -> None:
        """The domain's field errors on the form's fields (the rest on the form)."""
        for name, message in error.errors.items():
            target = name if name in self.fields else None
            if name == "targets" or name == "workstreams":
                target = None
            self.add_error(target, _sentence(message))

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the GOV.UK error summary, in form order."""
        pairs = []
        for name, errors in self.errors.items():
            field_id = f"id_{name}" if name != "__all__" else "id_name"
            pairs.extend((field_id, str(error)) for error in errors)
        return pairs


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]
