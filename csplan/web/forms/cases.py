"""Forms that parse what an officer types into the plain values ``csplan.cases.store`` takes.

The forms only read text (numbers, dates, choices); the rules are in the store, whose
``CaseValidationError`` messages the views attach to the fields named here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from csplan.cases.equality import CHARACTERISTICS, RATINGS
from csplan.cases.models import CASE_TEXT_FIELDS, BusinessCase, Consultation, Decision
from csplan.cases.rules import LABELS, allowed_moves
from csplan.cases.store import (
    CaseFigures,
    ConsultationFigures,
    DecisionFigures,
    DependencyFigures,
    RiskFigures,
)
from csplan.core.money import MoneyError, Unit, from_unit, in_unit
from csplan.core.periods import FinancialYear
from csplan.programme.models import Plan, SavingsLine

_TEXT = {"class": "govuk-input"}
_AREA = {"class": "govuk-textarea", "rows": 4}
_SELECT = {"class": "govuk-select"}
_SHORT = {"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}
SPARE_ROWS = 2


class GovukForm(forms.Form):
    def full_clean(self) -> None:
        """Every error names its field: "Enter the project title", not "This field is required"."""
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ")).lower()
            choose = isinstance(field, forms.ChoiceField)
            field.error_messages.setdefault("required", "")
            if field.error_messages["required"] == forms.Field.default_error_messages["required"]:
                field.error_messages["required"] = f"{'Choose' if choose else 'Enter'} the {label}"
            default = forms.ChoiceField.default_error_messages["invalid_choice"]
            if choose and field.error_messages.get("invalid_choice") == default:
                field.error_messages["invalid_choice"] = f"Choose the {label} from the list"
        super().full_clean()

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the GOV.UK error summary, in form order."""
        first = next(iter(self.fields), "")
        pairs = []
        for name, errors in self.errors.items():
            field = name if name != "__all__" else first
            widget = self.fields[field].widget if field in self.fields else None
            suffix = "_0" if isinstance(widget, forms.CheckboxSelectMultiple) else ""
            pairs.extend((f"id_{field}{suffix}", str(error)) for error in errors)
        return pairs

    def add_store_errors(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)


def _labels() -> dict[str, str]:
    return {name: BusinessCase._meta.get_field(name).verbose_name for name in CASE_TEXT_FIELDS}


class BusinessCaseForm(GovukForm):
    """The case's texts, then numbered rows of risks and dependencies (blank rows ignored)."""

    title = forms.CharField(label="Project title", max_length=300, widget=forms.TextInput(_TEXT))
    summary = forms.CharField(
        label="Brief description", required=False, widget=forms.Textarea(_AREA)
    )
    sro_role = forms.CharField(
        label="Senior responsible officer (role, not a name)",
        max_length=200,
        required=False,
        widget=forms.TextInput(_TEXT),
    )

    def __init__(self, line: SavingsLine, *args: Any, rows: tuple[int, int] = (0, 0), **kw: Any):
        super().__init__(*args, **kw)
        self.line = line
        for name, label in _labels().items():
            self.fields[name] = forms.CharField(
                label=label[:1].upper() + label[1:], required=False, widget=forms.Textarea(_AREA)
            )
        self.fields["version"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
        self.rows = rows
        risk_rows, dependency_rows = rows
        self.risk_count = risk_rows + SPARE_ROWS
        self.dependency_count = dependency_rows + SPARE_ROWS
        for n in range(1, self.risk_count + 1):
            self._add_risk_fields(n)
        choices = [("", "A named project (not a line)")] + [
            (other.reference, f"{other.reference} {other.title}")
            for other in line.plan.lines.exclude(pk=line.pk)
        ]
        for n in range(1, self.dependency_count + 1):
            self.fields[f"dependency_{n}_title"] = forms.CharField(
                label=f"Dependency {n}", required=False, widget=forms.TextInput(_TEXT)
            )
            self.fields[f"dependency_{n}_line"] = forms.ChoiceField(
                label=f"Dependency {n}: on another savings line",
                choices=choices,
                required=False,
                widget=forms.Select(_SELECT),
            )
        self.risk_rows: list[int] = []
        self.dependency_rows: list[int] = []

    def _add_risk_fields(self, n: int) -> None:
        self.fields[f"risk_{n}_title"] = forms.CharField(
            label=f"Risk {n}", required=False, widget=forms.TextInput(_TEXT)
        )
        for part in ("likelihood", "impact"):
            self.fields[f"risk_{n}_{part}"] = forms.CharField(
                label=f"Risk {n}: {part} (1 to 5)", required=False, widget=forms.TextInput(_SHORT)
            )
        self.fields[f"risk_{n}_owner_role"] = forms.CharField(
            label=f"Risk {n}: owner (role)", required=False, widget=forms.TextInput(_TEXT)
        )
        self.fields[f"risk_{n}_mitigation"] = forms.CharField(
            label=f"Risk {n}: mitigation",
            required=False,
            widget=forms.Textarea(_AREA | {"rows": 2}),
        )

    @staticmethod
    def initial_for(case: BusinessCase, figures: CaseFigures) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": figures.title,
            "summary": figures.summary,
            "sro_role": figures.sro_role,
            "version": case.version,
            **{name: figures.text(name) for name in CASE_TEXT_FIELDS},
        }
        for n, risk in enumerate(figures.risks, start=1):
            initial |= {
                f"risk_{n}_title": risk.title,
                f"risk_{n}_likelihood": str(risk.likelihood),
                f"risk_{n}_impact": str(risk.impact),
                f"risk_{n}_owner_role": risk.owner_role,
                f"risk_{n}_mitigation": risk.mitigation,
            }
        for n, dependency in enumerate(figures.dependencies, start=1):
            initial[f"dependency_{n}_title"] = dependency.title
            initial[f"dependency_{n}_line"] = dependency.line_reference
        return initial

    def risk_fieldsets(self) -> list[list[Any]]:
        parts = ("title", "likelihood", "impact", "owner_role", "mitigation")
        return [[self[f"risk_{n}_{part}"] for part in parts] for n in range(1, self.risk_count + 1)]

    def dependency_fieldsets(self) -> list[list[Any]]:
        return [
            [self[f"dependency_{n}_title"], self[f"dependency_{n}_line"]]
            for n in range(1, self.dependency_count + 1)
        ]

    def text_fields(self) -> list[Any]:
        return [self[name] for name in ("title", "summary", "sro_role", *CASE_TEXT_FIELDS)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for n in range(1, self.risk_count + 1):
            values = [cleaned.get(f"risk_{n}_{p}", "").strip() for p in ("title", "likelihood",
                      "impact", "owner_role", "mitigation")]  # fmt: skip
            if not any(values):
                continue
            self.risk_rows.append(n)
            for part in ("likelihood", "impact"):
                text = cleaned.get(f"risk_{n}_{part}", "").strip()
                if not text.isdigit() or not 1 <= int(text) <= 5:
                    self.add_error(f"risk_{n}_{part}", f"Risk {n}: enter the {part} from 1 to 5")
        for n in range(1, self.dependency_count + 1):
            if cleaned.get(f"dependency_{n}_title", "").strip() or cleaned.get(
                f"dependency_{n}_line"
            ):
                self.dependency_rows.append(n)
        return cleaned

    def figures(self) -> CaseFigures:
        data = self.cleaned_data
        risks = tuple(
            RiskFigures(
                data[f"risk_{n}_title"],
                int(data[f"risk_{n}_likelihood"]),
                int(data[f"risk_{n}_impact"]),
                data[f"risk_{n}_owner_role"],
                data[f"risk_{n}_mitigation"],
            )
            for n in self.risk_rows
        )
        dependencies = tuple(
            DependencyFigures(data[f"dependency_{n}_title"], data.get(f"dependency_{n}_line") or "")
            for n in self.dependency_rows
        )
        return CaseFigures(
            title=data["title"],
            summary=data["summary"],
            sro_role=data["sro_role"],
            texts={name: data[name] for name in CASE_TEXT_FIELDS},
            risks=risks,
            dependencies=dependencies,
        )

    def add_store_errors(self, errors: dict[str, str]) -> None:
        """The store numbers risks and dependencies as given; map them back to form rows."""
        renamed = {}
        for name, message in errors.items():
            kind, _, rest = name.partition("_")
            number, _, part = rest.partition("_")
            rows = {"risk": self.risk_rows, "dependency": self.dependency_rows}.get(kind)
            if rows and number.isdigit() and int(number) <= len(rows):
                name = f"{kind}_{rows[int(number) - 1]}_{part}"
            renamed[name] = message
        super().add_store_errors(renamed)


class EqualityForm(GovukForm):
    """A rating, note and mitigation for each of the nine protected characteristics."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in CHARACTERISTICS:
            self.fields[f"{code}_rating"] = forms.ChoiceField(
                label=f"{name}: rating",
                choices=RATINGS,
                widget=forms.Select(_SELECT),
                error_messages={
                    "required": f"Choose a rating for {name.lower()}",
                    "invalid_choice": f"Choose a rating for {name.lower()} from the list",
                },
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=f"{name}: impact", required=False, widget=forms.Textarea(_AREA | {"rows": 2})
            )
            self.fields[f"{code}_mitigation"] = forms.CharField(
                label=f"{name}: mitigation",
                required=False,
                widget=forms.Textarea(_AREA | {"rows": 2}),
            )

    def groups(self) -> list[tuple[str, str, list[Any]]]:
        return [
            (code, name, [self[f"{code}_{part}"] for part in ("rating", "note", "mitigation")])
            for code, name in CHARACTERISTICS
        ]


class StatusForm(GovukForm):
    lifecycle = forms.ChoiceField(label="New status", widget=forms.Select(_SELECT))
    signed_off_by_finance = forms.BooleanField(
        label="I sign off this saving as delivered, as the chief finance officer (s151)",
        required=False,
        widget=forms.CheckboxInput({"class": "govuk-checkboxes__input"}),
    )
    sign_off_note = forms.CharField(
        label="Sign-off note", required=False, widget=forms.Textarea(_AREA | {"rows": 2})
    )
    reason = forms.CharField(
        label="Reason for the change", required=False, widget=forms.TextInput(_TEXT)
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the page: the form lost the line's version"},
    )

    def __init__(self, line: SavingsLine, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = allowed_moves(line.lifecycle)
        others = [code for code in LABELS if code not in moves and code != line.lifecycle]
        self.fields["lifecycle"].choices = [(code, LABELS[code]) for code in moves] + [
            (code, f"{LABELS[code]} (not allowed from {LABELS[line.lifecycle].lower()})")
            for code in others
        ]


class DateField(forms.CharField):
    """A date typed as day/month/year (``6/2/2018``) or ISO (``2018-02-06``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "For example, 6/2/2018")
        kwargs.setdefault("widget", forms.TextInput({"class": "govuk-input govuk-input--width-10"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            if "-" in text:
                return date.fromisoformat(text)
            day, month, year = (int(part) for part in text.split("/"))
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(
                f"{self.label} must be a real date, like 6/2/2018"
            ) from None


class ConsultationForm(GovukForm):
    title = forms.CharField(
        label="What the consultation was about",
        widget=forms.TextInput(_TEXT),
        error_messages={"required": "Enter what the consultation was about"},
    )
    audience = forms.ChoiceField(
        choices=Consultation.Audience.choices, widget=forms.Select(_SELECT)
    )
    start_date = DateField(label="Start date", required=False)
    end_date = DateField(label="Closing date", required=False)
    outcome = forms.ChoiceField(
        choices=[("", "Not yet known")] + list(Consultation.Outcome.choices),
        required=False,
        widget=forms.Select(_SELECT),
        help_text="Reconsider takes the lines out of the approved total.",
    )
    outcome_note = forms.CharField(
        label="Outcome note", required=False, widget=forms.Textarea(_AREA | {"rows": 2})
    )
    lines = forms.MultipleChoiceField(
        label="Savings lines consulted on",
        widget=forms.CheckboxSelectMultiple({"class": "govuk-checkboxes__input"}),
        required=False,
    )

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.reference} {line.title}") for line in plan.lines.all()
        ]

    def figures(self) -> ConsultationFigures:
        data = self.cleaned_data
        return ConsultationFigures(
            title=data["title"],
            audience=data["audience"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            line_ids=tuple(int(pk) for pk in data["lines"]),
            outcome=data.get("outcome") or "",
            outcome_note=data["outcome_note"],
        )


class OutcomeForm(GovukForm):
    outcome = forms.ChoiceField(
        choices=Consultation.Outcome.choices,
        widget=forms.Select(_SELECT),
        help_text="Reconsider takes the lines out of the approved total.",
    )
    outcome_note = forms.CharField(
        label="Outcome note", required=False, widget=forms.Textarea(_AREA | {"rows": 3})
    )


class DecisionForm(GovukForm):
    """The decision, then for each line a tick and the amounts approved in £'000 by year."""

    body = forms.ChoiceField(
        label="Decision-making body", choices=Decision.Body.choices, widget=forms.Select(_SELECT)
    )
    body_name = forms.CharField(
        label="Name of the body (optional)",
        required=False,
        help_text="For example, Children and Young People Committee",
        widget=forms.TextInput(_TEXT),
    )
    kind = forms.ChoiceField(
        label="What was decided",
        choices=Decision.Kind.choices,
        widget=forms.Select(_SELECT),
        error_messages={"required": "Choose what was decided: approve or write off savings"},
    )
    date = DateField(label="Date of the decision", required=False)
    reference = forms.CharField(
        label="Decision or minute reference", required=False, widget=forms.TextInput(_TEXT)
    )
    summary = forms.CharField(required=False, widget=forms.Textarea(_AREA | {"rows": 2}))

    def __init__(self, plan: Plan, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.years: list[FinancialYear] = plan.years
        self.plan_lines = list(plan.lines.prefetch_related("phasing"))
        for line in self.plan_lines:
            self.fields[f"line_{line.pk}"] = forms.BooleanField(
                label=f"{line.reference} {line.title}",
                required=False,
                widget=forms.CheckboxInput({"class": "govuk-checkboxes__input"}),
            )
            phasing = {entry.year: entry.amount_pence for entry in line.phasing.all()}
            for year in self.years:
                pounds = Decimal(phasing.get(year.start, 0)) / 100
                self.fields[self.amount_field(line, year)] = forms.CharField(
                    label=f"{line.reference} {year} (£'000)",
                    required=False,
                    initial=f"{in_unit(pounds, Unit.THOUSANDS).normalize():f}" if pounds else "",
                    widget=forms.TextInput(
                        _SHORT
                        | {"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"}
                    ),  # fmt: skip
                )

    @staticmethod
    def amount_field(line: SavingsLine, year: FinancialYear) -> str:
        return f"amount_{line.pk}_{year.start}"

    def line_rows(self) -> list[tuple[Any, list[Any]]]:
        return [
            (self[f"line_{line.pk}"], [self[self.amount_field(line, y)] for y in self.years])
            for line in self.plan_lines
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.amounts: dict[int, dict[FinancialYear, Decimal]] = {}
        for line in self.plan_lines:
            if not cleaned.get(f"line_{line.pk}"):
                continue
            self.amounts[line.pk] = {}
            for year in self.years:
                name = self.amount_field(line, year)
                text = (cleaned.get(name) or "").strip()
                if not text:
                    continue
                try:
                    self.amounts[line.pk][year] = from_unit(text, Unit.THOUSANDS)
                except MoneyError:
                    self.add_error(name, f"Enter the {line.reference} {year} amount in £'000")
        if not self.amounts:
            self.add_error(None, "Choose at least one savings line the decision covers")
        return cleaned

    def figures(self) -> DecisionFigures:
        data = self.cleaned_data
        return DecisionFigures(
            body=data["body"],
            body_name=data["body_name"],
            kind=data["kind"],
            date=data["date"],
            reference=data["reference"],
            summary=data["summary"],
            amounts=self.amounts,
        )
