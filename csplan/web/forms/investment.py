"""The invest-to-save case form: the case's details, its spend by year with the funding source
of each item, and its expected savings by year with their notes. Money in £'000. It only
gathers what is typed; ``csplan.investment.case_input.write_case`` checks and saves it (the
same function the CLI and the API use)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from csplan.core.money import Unit
from csplan.investment.case_input import (
    CATEGORIES,
    FUNDING_SOURCES,
    STAGES,
    TEXT_FIELDS,
    CaseValidationError,
    case_data,
)
from csplan.investment.models import InvestmentCase

SPARE_ROWS = 3
_TEXT = {"class": "govuk-input"}
_NARROW = {"class": "govuk-input govuk-input--width-10"}
_AREA = {"class": "govuk-textarea", "rows": 3}
_SELECT = {"class": "govuk-select"}
SPEND_PARTS = ("year", "category", "funding", "amount", "designed_for_ongoing_savings",
               "funding_detail")  # fmt: skip
EXPECTED_PARTS = ("year", "amount", "note")
LABELS = {
    "year": "Financial year",
    "category": "Category",
    "funding": "Funding source",
    "amount": "Amount (£'000)",
    "designed_for_ongoing_savings": "Designed to generate ongoing savings",
    "funding_detail": "Funding detail",
    "note": "Note (say so when the figure is an assumption)",
}


def field_name(group: str, index: int, part: str) -> str:
    return f"{group}_{index}_{part}"


@dataclass(frozen=True)
class Row:
    index: int
    fields: list[Any]


class CaseForm(forms.Form):
    reference = forms.CharField(max_length=40, widget=forms.TextInput(_NARROW),
                                help_text="Like BSF")  # fmt: skip
    name = forms.CharField(max_length=300, widget=forms.TextInput(_TEXT))
    stage = forms.ChoiceField(choices=list(STAGES.items()), widget=forms.Select(_SELECT))
    summary = forms.CharField(required=False, widget=forms.Textarea(_AREA))
    decision = forms.CharField(required=False, max_length=300, widget=forms.TextInput(_TEXT),
                               help_text="Decision body and date")  # fmt: skip
    owner_role = forms.CharField(label="Responsible (a role, not a name)", required=False,
                                 max_length=200, widget=forms.TextInput(_TEXT))  # fmt: skip
    source = forms.CharField(required=False, widget=forms.Textarea(_AREA),
                             help_text="Where the figures come from")  # fmt: skip
    savings_note = forms.CharField(required=False, widget=forms.Textarea(_AREA),
                                   help_text="How firm the expected savings are")  # fmt: skip

    def __init__(self, *args: Any, spend_rows: int = 0, expected_rows: int = 0, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.spend_rows = max(spend_rows, SPARE_ROWS)
        self.expected_rows = max(expected_rows, SPARE_ROWS)
        for index in range(self.spend_rows):
            for part in SPEND_PARTS:
                self.fields[field_name("spend", index, part)] = self._row_field(part)
        for index in range(self.expected_rows):
            for part in EXPECTED_PARTS:
                self.fields[field_name("expected", index, part)] = self._row_field(part)

    @staticmethod
    def _row_field(part: str) -> forms.Field:
        label = LABELS[part]
        if part == "category":
            choices = [("", "Choose"), *CATEGORIES.items()]
            return forms.ChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.Select(_SELECT))  # fmt: skip
        if part == "funding":
            choices = [("", "Choose"), *FUNDING_SOURCES.items()]
            return forms.ChoiceField(label=label, choices=choices, required=False,
                                     widget=forms.Select(_SELECT))  # fmt: skip
        if part == "designed_for_ongoing_savings":
            return forms.BooleanField(
                label=label, required=False,
                widget=forms.CheckboxInput({"class": "govuk-checkboxes__input"}),
            )  # fmt: skip
        widget = _NARROW if part in ("year", "amount") else _TEXT
        return forms.CharField(label=label, required=False, max_length=300,
                               widget=forms.TextInput(widget))  # fmt: skip

    @classmethod
    def for_case(cls, case: InvestmentCase) -> CaseForm:
        data = case_data(case, unit=Unit.THOUSANDS)
        initial = {name: data[name] for name in ("reference", "name", "stage", *TEXT_FIELDS)}
        for group, parts in (("spend", SPEND_PARTS), ("expected", EXPECTED_PARTS)):
            for index, item in enumerate(data[group]):
                for part in parts:
                    initial[field_name(group, index, part)] = item[part]
        return cls(
            initial=initial,
            spend_rows=len(data["spend"]) + SPARE_ROWS,
            expected_rows=len(data["expected"]) + SPARE_ROWS,
        )

    def rows(self, group: str) -> list[Row]:
        parts = SPEND_PARTS if group == "spend" else EXPECTED_PARTS
        count = self.spend_rows if group == "spend" else self.expected_rows
        return [
            Row(index, [self[field_name(group, index, part)] for part in parts])
            for index in range(count)
        ]

    def rows_spend(self) -> list[Row]:
        return self.rows("spend")

    def rows_expected(self) -> list[Row]:
        return self.rows("expected")

    def main_fields(self) -> list[Any]:
        return [self[name] for name in ("reference", "name", "stage", *TEXT_FIELDS)]

    def case_data(self) -> dict[str, Any]:
        """What was typed, in ``write_case``'s shape (blank rows left out); remembers which
        form row each kept row came from, to put the store's errors on the right fields."""
        data = self.cleaned_data
        result: dict[str, Any] = {
            name: data.get(name, "") for name in ("reference", "name", "stage", *TEXT_FIELDS)
        }
        self._kept: dict[str, list[int]] = {}
        for group, parts, count in (
            ("spend", SPEND_PARTS, self.spend_rows),
            ("expected", EXPECTED_PARTS, self.expected_rows),
        ):
            items, kept = [], []
            for index in range(count):
                item = {part: data.get(field_name(group, index, part)) for part in parts}
                typed = [v for k, v in item.items() if k != "designed_for_ongoing_savings" and v]
                if not typed:
                    continue
                for part, value in item.items():
                    if value in ("", None) and part not in ("year", "amount"):
                        item[part] = None if part in ("category", "funding") else ""
                item["designed_for_ongoing_savings"] = bool(
                    item.get("designed_for_ongoing_savings")
                ) if group == "spend" else None  # fmt: skip
                items.append({k: v for k, v in item.items() if v is not None})
                kept.append(index)
            result[group] = items
            self._kept[group] = kept
        return result

    def add_store_errors(self, error: CaseValidationError) -> None:
        for path, message in error.errors.items():
            parts = path.split(".")
            name = None
            if len(parts) == 3 and parts[0] in self._kept and parts[1].isdigit():
                index = self._kept[parts[0]][int(parts[1])]
                name = field_name(parts[0], index, parts[2])
            elif path in self.fields:
                name = path
            if name is not None and name not in self.fields:
                name = None
            self.add_error(name, message[:1].upper() + message[1:])

    def error_list(self) -> list[tuple[str, str]]:
        pairs = []
        for name, errors in self.errors.items():
            field_id = f"id_{name}" if name != "__all__" else "id_reference"
            pairs.extend((field_id, str(error)) for error in errors)
        return pairs
