"""The pack's cover, filled in before publishing: committee, meeting date, author's role,
purpose and recommendations (one a line)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from csplan.pack.builder import PackCover
from csplan.web.forms.cases import GovukForm

_TEXT = {"class": "govuk-input"}
_AREA = {"class": "govuk-textarea", "rows": 4}
_DATE_PART = {"inputmode": "numeric"}


class PackCoverForm(GovukForm):
    committee = forms.CharField(
        label="Committee",
        max_length=200,
        widget=forms.TextInput(_TEXT),
        help_text="The meeting the pack goes to, like Cabinet or Children's Services Scrutiny",
    )
    meeting_day = forms.IntegerField(
        label="Day",
        min_value=1,
        max_value=31,
        required=False,
        widget=forms.TextInput(
            _DATE_PART | {"class": "govuk-input govuk-date-input__input govuk-input--width-2"}
        ),
    )
    meeting_month = forms.IntegerField(
        label="Month",
        min_value=1,
        max_value=12,
        required=False,
        widget=forms.TextInput(
            _DATE_PART | {"class": "govuk-input govuk-date-input__input govuk-input--width-2"}
        ),
    )
    meeting_year = forms.IntegerField(
        label="Year",
        min_value=2000,
        max_value=2100,
        required=False,
        widget=forms.TextInput(
            _DATE_PART | {"class": "govuk-input govuk-date-input__input govuk-input--width-4"}
        ),
    )
    author_role = forms.CharField(
        label="Report author (role)",
        max_length=200,
        widget=forms.TextInput(_TEXT),
        help_text="A role, not a name, like Director of Children's Services",
    )
    purpose = forms.CharField(label="Purpose of the report", widget=forms.Textarea(_AREA))
    recommendations = forms.CharField(
        label="Recommendations",
        widget=forms.Textarea(_AREA),
        help_text="What the committee is asked to do: one recommendation a line",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        parts = [data.get(f"meeting_{part}") for part in ("day", "month", "year")]
        if any(part is None for part in parts):
            if not any(f"meeting_{part}" in self.errors for part in ("day", "month", "year")):
                self.add_error("meeting_day", "Enter the meeting date as a day, month and year")
            return data
        day, month, year = parts
        try:
            data["meeting_date"] = date(year, month, day)
        except ValueError:
            self.add_error("meeting_day", "Enter a real meeting date, like 14 3 2017")
        return data

    def cover(self) -> PackCover:
        data = self.cleaned_data
        lines = [line.strip() for line in data["recommendations"].splitlines()]
        return PackCover(
            committee=data["committee"].strip(),
            meeting_date=data["meeting_date"],
            author_role=data["author_role"].strip(),
            purpose=data["purpose"].strip(),
            recommendations=tuple(line for line in lines if line),
        )
