"""The form for recording a month's monitoring of a line (amounts in pounds)."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from csplan.core.money import MoneyError, to_decimal
from csplan.monitoring.models import Recurrence
from csplan.programme.models import SavingsLine


class MoneyField(forms.CharField):
    """Pounds as typed by a finance officer: commas, £ and brackets allowed."""

    def to_python(self, value: object) -> Decimal | None:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return to_decimal(text)
        except MoneyError:
            raise forms.ValidationError("Enter an amount in pounds, like 150,000") from None

    def prepare_value(self, value: object) -> object:
        """An amount the form starts from as it is typed: 700,000 (pence only when there are)."""
        if isinstance(value, Decimal):
            return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
        return value


class MonitoringForm(forms.Form):
    year = forms.CharField(widget=forms.HiddenInput)
    month = forms.TypedChoiceField(
        label="Monitoring month", coerce=int, choices=[(n, f"Month {n}") for n in range(1, 13)]
    )
    rag = forms.ChoiceField(
        label="Delivery confidence (RAG)",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a delivery confidence (RAG) rating"},
    )
    achieved_to_date = MoneyField(label="Achieved to date (£)", required=False)
    mitigation_amount = MoneyField(label="Mitigation (£)", required=False)
    mitigation_recurrence = forms.ChoiceField(
        label="Mitigation is", choices=Recurrence.choices, initial=Recurrence.ONE_OFF
    )
    commentary = forms.CharField(label="Commentary", required=False, widget=forms.Textarea)
    explanation = forms.CharField(
        label="Explanation (why it is at risk)", required=False, widget=forms.Textarea
    )
    mitigation = forms.CharField(label="Mitigating actions", required=False, widget=forms.Textarea)

    def __init__(self, *args, line: SavingsLine, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.line = line
        key = line.plan.council.rag_key or ()
        self.fields["rag"].choices = [
            (entry["code"], f"{entry.get('label', entry['code'])}: {entry.get('meaning', '')}")
            for entry in key
        ]
        for year in line.plan.years:
            self.fields[f"forecast_{year.start}"] = MoneyField(
                label=f"Forecast in-year saving {year} (£)", required=False
            )

    def forecast(self) -> dict:
        from csplan.core.periods import FinancialYear

        return {
            FinancialYear(year.start): self.cleaned_data[f"forecast_{year.start}"]
            for year in self.line.plan.years
            if self.cleaned_data.get(f"forecast_{year.start}") is not None
        }

    def forecast_fields(self) -> list:
        return [self[f"forecast_{year.start}"] for year in self.line.plan.years]


class MovementForm(forms.Form):
    """A journal entry: the amount in pounds, the year it is in, and where it goes."""

    month = forms.TypedChoiceField(
        label="Recorded at", coerce=int, choices=[(n, f"Month {n}") for n in range(1, 13)]
    )
    line = forms.TypedChoiceField(
        label="Savings line", coerce=int, error_messages={"required": "Choose a savings line"}
    )
    kind = forms.ChoiceField(
        label="Movement", error_messages={"required": "Choose the kind of movement"}
    )
    amount = MoneyField(
        label="Amount (£)", error_messages={"required": "Enter the amount of the movement"}
    )
    from_year = forms.ChoiceField(label="Financial year the amount is in")
    to_year = forms.ChoiceField(label="Move to (re-profiling only)", required=False)
    recurrence = forms.ChoiceField(
        label="Mitigation is", choices=Recurrence.choices, initial=Recurrence.RECURRENT
    )
    decision_reference = forms.CharField(
        label="Decision record reference (write-off)", required=False
    )
    replaces = forms.TypedChoiceField(
        label="Covers the write-off (replacement or mitigation)", coerce=int, required=False,
        empty_value=None,
    )  # fmt: skip
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea)

    def __init__(self, *args, plan, write_offs, **kwargs) -> None:
        from csplan.monitoring.models import Movement

        super().__init__(*args, **kwargs)
        years = [(str(year.start), str(year)) for year in plan.years]
        self.fields["line"].choices = [
            (line.pk, f"{line.reference} {line.title}") for line in plan.lines.all()
        ]
        self.fields["kind"].choices = Movement.Kind.choices
        self.fields["from_year"].choices = years
        self.fields["to_year"].choices = [("", "Not applicable"), *years]
        self.fields["replaces"].choices = [("", "None")] + [
            (entry.pk, f"{entry.line.reference} write-off at {entry.period}")
            for entry in write_offs
        ]
