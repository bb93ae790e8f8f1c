"""The savings line form: parses what an officer types into ``LineFigures``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from csplan.core.money import MoneyError, Unit, from_unit, in_unit, to_decimal
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures
from csplan.programme.models import Plan, SavingsLine

_TEXT = {"class": "govuk-input"}
_AREA = {"class": "govuk-textarea", "rows": 4}
_SELECT = {"class": "govuk-select"}
_FLAG_CHOICES = [("", "Not decided"), ("yes", "Yes"), ("no", "No")]
_MOVEMENT_CHOICES = [
    ("", "Work it out from the figures"),
    ("reprofile", "Re-profiling between years"),
    ("slippage", "Slippage into the next year"),
    ("increase", "Increase"),
    ("reduction", "Reduction"),
]
#: Fields of an edit only (a new line's phasing is its proposal, not a movement).
EDIT_ONLY_FIELDS = ("movement_kind", "reason")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class LineForm(forms.Form):
    reference = forms.CharField(
        max_length=40,
        widget=forms.TextInput(_TEXT | {"class": "govuk-input govuk-input--width-10"}),
        help_text="As the council writes it, like C3 or A/R.6.253",
    )
    title = forms.CharField(max_length=300, widget=forms.TextInput(_TEXT))
    workstream = forms.ChoiceField(widget=forms.Select(_SELECT))
    service_activity = forms.CharField(
        max_length=300, required=False, widget=forms.TextInput(_TEXT)
    )
    description = forms.CharField(required=False, widget=forms.Textarea(_AREA))
    impact = forms.CharField(label="Impact / issues", required=False, widget=forms.Textarea(_AREA))
    sro_role = forms.CharField(
        label="Senior responsible officer (role, not a name)",
        max_length=200,
        required=False,
        widget=forms.TextInput(_TEXT),
    )
    lifecycle = forms.ChoiceField(
        label="Lifecycle status",
        choices=SavingsLine.Lifecycle.choices,
        widget=forms.Select(_SELECT),
        help_text="A new line starts as proposed; it moves on through its status page, "
        "where the lifecycle rules apply.",
    )
    rag = forms.ChoiceField(
        label="Delivery confidence (RAG)", required=False, widget=forms.Select(_SELECT)
    )
    recurrence = forms.ChoiceField(
        choices=SavingsLine.Recurrence.choices, widget=forms.Select(_SELECT)
    )
    key_decision = forms.ChoiceField(
        choices=_FLAG_CHOICES, required=False, widget=forms.Select(_SELECT)
    )
    public_consultation = forms.ChoiceField(
        choices=_FLAG_CHOICES, required=False, widget=forms.Select(_SELECT)
    )
    staff_consultation = forms.ChoiceField(
        choices=_FLAG_CHOICES, required=False, widget=forms.Select(_SELECT)
    )
    fte = forms.CharField(
        label="FTE change",
        required=False,
        help_text="Posts reduced, like 3.1. Leave blank if not yet known (TBC).",
        widget=forms.TextInput(_TEXT | {"class": "govuk-input govuk-input--width-5"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    movement_kind = forms.ChoiceField(
        label="What kind of change to the phasing is this?",
        required=False,
        choices=_MOVEMENT_CHOICES,
        widget=forms.Select(_SELECT),
        help_text="It goes in the movements journal. Leave it to csplan to work out from the "
        "figures, or say what it is.",
    )
    reason = forms.CharField(
        label="Why does the phasing change?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(_AREA | {"rows": 2}),
        help_text="Needed when you change the phasing: it is recorded with the movement.",
    )

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.years: list[FinancialYear] = plan.years
        self.fields["workstream"].choices = [(w.name, w.name) for w in plan.workstreams.all()]
        self.fields["rag"].choices = [("", "Not rated")] + [
            (entry["code"], f"{entry['label']}: {entry.get('meaning', '')}")
            for entry in plan.council.rag_key or ()
        ]
        for year in self.years:
            self.fields[self.year_field(year)] = forms.CharField(
                label=f"{year}",
                required=False,
                widget=forms.TextInput(
                    {"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
                ),
            )

    @staticmethod
    def year_field(year: FinancialYear) -> str:
        return f"phasing_{year.start}"

    @classmethod
    def initial_for(cls, line: SavingsLine, figures: LineFigures) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(figures, name)
            for name in (
                "reference",
                "title",
                "workstream",
                "service_activity",
                "description",
                "impact",
                "sro_role",
                "lifecycle",
                "rag",
                "recurrence",
            )
        }
        for name in ("key_decision", "public_consultation", "staff_consultation"):
            initial[name] = _flag(getattr(figures, name))
        initial["fte"] = "" if figures.fte is None else f"{figures.fte.normalize():f}"
        initial["version"] = line.version
        for year, amount in figures.phasing.items():
            initial[cls.year_field(year)] = f"{in_unit(amount, Unit.THOUSANDS).normalize():f}"
        return initial

    def clean_fte(self) -> Decimal | None:
        text = self.cleaned_data["fte"].strip()
        if not text or text.upper() == "TBC":
            return None
        try:
            return to_decimal(text)
        except MoneyError:
            raise forms.ValidationError("Enter the FTE change as a number, like 3.1") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for year in self.years:
            name = self.year_field(year)
            text = (self.data.get(name) or "").strip()
            if not text:
                cleaned[name] = None
                continue
            try:
                cleaned[name] = from_unit(text, Unit.THOUSANDS)
            except MoneyError:
                self.add_error(name, f"Enter the {year} saving as a number in £'000, like 1,500")
        return cleaned

    def figures(self) -> LineFigures:
        data = self.cleaned_data
        phasing = {
            year: data[self.year_field(year)]
            for year in self.years
            if data.get(self.year_field(year))
        }
        flags = {
            name: None if not data.get(name) else data[name] == "yes"
            for name in ("key_decision", "public_consultation", "staff_consultation")
        }
        return LineFigures(
            reference=data["reference"].strip(),
            title=data["title"].strip(),
            workstream=data["workstream"],
            phasing=phasing,
            service_activity=data["service_activity"].strip(),
            description=data["description"].strip(),
            impact=data["impact"].strip(),
            sro_role=data["sro_role"].strip(),
            lifecycle=data["lifecycle"],
            rag=data.get("rag") or "",
            recurrence=data["recurrence"],
            fte=data.get("fte"),
            fte_note="" if data.get("fte") is not None else "TBC",
            **flags,
        )

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the GOV.UK error summary, in form order."""
        pairs = []
        for name, errors in self.errors.items():
            field_id = f"id_{name}" if name != "__all__" else "id_reference"
            pairs.extend((field_id, str(error)) for error in errors)
        return pairs
