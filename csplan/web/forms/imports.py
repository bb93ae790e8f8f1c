"""The forms of the spreadsheet import: the upload, and the council's columns mapped onto
csplan's fields (``csplan.programme.io.mapped.ColumnMapping``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from csplan.core.money import Unit
from csplan.programme.io.mapped import MAPPED_FIELDS, ColumnMapping
from csplan.programme.phasing import PhasingForm

_SELECT = {"class": "govuk-select"}
UNIT_CHOICES = [(unit.label, unit.label) for unit in Unit]
FORM_CHOICES = [
    (PhasingForm.INCREMENTAL.value, "Incremental: the change in each year"),
    (PhasingForm.CUMULATIVE.value, "Cumulative: the saving in place by each year"),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="An Excel workbook (.xlsx) or a CSV file: your council's own tracker, or a "
        "workbook exported from csplan",
        error_messages={"required": "Choose a spreadsheet to upload"},
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload"}),
    )

    def error_list(self) -> list[tuple[str, str]]:
        return [("id_file", str(error)) for errors in self.errors.values() for error in errors]


class MappingForm(forms.Form):
    """Which heading holds each field; the year columns, the unit and the phasing form."""

    def __init__(
        self,
        headings: Sequence[str],
        workstreams: Sequence[str],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "(not in the file)")] + [(h, h) for h in headings if h]
        for name, label in MAPPED_FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=options,
                required=name == "reference",
                error_messages={"required": f"Choose the column that holds the {label}"},
                widget=forms.Select(attrs=_SELECT),
            )
        self.fields["year_columns"] = forms.MultipleChoiceField(
            label="Year columns",
            choices=[(h, h) for h in headings if h],
            help_text="The columns holding the savings by financial year",
            error_messages={"required": "Choose the year columns"},
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["unit"] = forms.ChoiceField(
            label="The amounts are in",
            choices=UNIT_CHOICES,
            widget=forms.RadioSelect,
            error_messages={"required": "Say what unit the amounts are in"},
        )
        self.fields["form"] = forms.ChoiceField(
            label="The year columns are",
            choices=FORM_CHOICES,
            widget=forms.RadioSelect,
            error_messages={"required": "Say whether the years are incremental or cumulative"},
        )
        self.fields["new_line_workstream"] = forms.ChoiceField(
            label="Workstream for new lines without one",
            choices=[("", "(none: every new line names one)")] + [(w, w) for w in workstreams],
            required=False,
            widget=forms.Select(attrs=_SELECT),
        )

    @staticmethod
    def initial_for(mapping: ColumnMapping, workstream: str = "") -> dict[str, Any]:
        return {
            **{name: mapping.columns.get(name, "") for name, _ in MAPPED_FIELDS},
            "year_columns": list(mapping.year_columns),
            "unit": mapping.unit.label,
            "form": mapping.form.value,
            "new_line_workstream": workstream,
        }

    def mapping(self, sheet: str, header_row: int) -> ColumnMapping:
        data = self.cleaned_data
        return ColumnMapping(
            sheet=sheet,
            header_row=header_row,
            columns={name: data[name] for name, _ in MAPPED_FIELDS if data.get(name)},
            year_columns=tuple(data["year_columns"]),
            unit=Unit.from_label(data["unit"]),
            form=PhasingForm(data["form"]),
        )

    def error_list(self) -> list[tuple[str, str]]:
        pairs = []
        for name, errors in self.errors.items():
            suffix = "_0" if name in ("year_columns", "unit", "form") else ""
            pairs.extend((f"id_{name}{suffix}", str(error)) for error in errors)
        return pairs
