"""A council's own tracker (XLSX or CSV, in its own layout), mapped onto csplan's fields.

The council says which sheet, which heading row, which column holds each field (reference,
title, workstream, SRO, FTE, one-off or recurrent), which columns are years, the unit (£, £'000,
£m) and whether the years are incremental or cumulative (a ``ColumnMapping``). ``read_mapped``
turns the sheet into the appendix importer's rows (``AppendixFile``), and ``mapped_programme``
merges them into the plan with ``appendix_csv.apply_appendix``: the same validation and merge
as ``csplan import`` of an appendix CSV. Every problem names the file, sheet, row and column.

Pure functions (no database); the files are checked by ``csplan.core.limits`` before parsing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from csplan.core import limits
from csplan.core.money import Unit
from csplan.core.periods import FinancialYear, PeriodError, check_consecutive
from csplan.programme.errors import ProblemCollector, ProgrammeImportError
from csplan.programme.figures import ProgrammeFigures
from csplan.programme.io import appendix_csv, cells
from csplan.programme.phasing import PhasingForm

MAPPED_FIELDS = (
    ("reference", "Reference"),
    ("title", "Title"),
    ("workstream", "Workstream"),
    ("sro_role", "SRO"),
    ("fte", "FTE"),
    ("recurrence", "One-off or recurrent"),
)
REQUIRED_FIELDS = ("reference",)
CSV_SHEET = "CSV"  # the one "sheet" of a CSV file
CSPLAN_SHEETS = ("Programme", "Workstreams", "Lines")  # csplan's own workbook
_TEXT_FIELDS = ("title", "workstream", "sro_role")
_YEAR = re.compile(r"(?<!\d)(\d{4}|\d{2})\s*[/\-–]\s*(\d{4}|\d{2})(?!\d)")
_ONE_OFF = {"oneoff", "one_off", "once", "nonrecurrent", "temporary"}
_RECURRENT = {"recurrent", "recurring", "ongoing", "permanent", "full_year"}


@dataclass(frozen=True)
class ColumnMapping:
    """Where csplan's fields are in the council's sheet, by heading text."""

    sheet: str = ""
    header_row: int = 1
    columns: Mapping[str, str] = field(default_factory=dict)  # field -> heading
    year_columns: tuple[str, ...] = ()  # headings of the year columns
    unit: Unit = Unit.POUNDS
    form: PhasingForm = PhasingForm.INCREMENTAL

    def to_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "header_row": self.header_row,
            "columns": dict(self.columns),
            "year_columns": list(self.year_columns),
            "unit": self.unit.label,
            "form": self.form.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        return cls(
            sheet=str(data.get("sheet", "")),
            header_row=int(data.get("header_row", 1)),
            columns={str(k): str(v) for k, v in dict(data.get("columns", {})).items()},
            year_columns=tuple(str(v) for v in data.get("year_columns", ())),
            unit=Unit.from_label(str(data.get("unit", Unit.POUNDS.label))),
            form=PhasingForm(str(data.get("form", PhasingForm.INCREMENTAL.value))),
        )


Sheets = dict[str, list[list[Any]]]


def heading_year(value: object) -> FinancialYear | None:
    """The financial year a heading names: ``2024/25``, ``2024-25``, ``24/25``, ``FY 2024/2025
    (£)``; None when it names none."""
    match = _YEAR.search(cells.text(value))
    if not match:
        return None
    start, end = match.groups()
    if len(start) == 2:
        start = f"20{start}"
    try:
        return FinancialYear.parse(f"{start}/{end}")
    except PeriodError:
        return None


def read_sheets(data: bytes, file: str) -> Sheets:
    """Every sheet's rows (cell values) of an .xlsx or .csv upload, checked by the limits
    first; a CSV is one sheet, ``CSV``."""
    problems = ProblemCollector(file)
    suffix = file.lower().rsplit(".", 1)[-1] if "." in file else ""
    if suffix not in ("xlsx", "csv"):
        problems.add("upload an Excel workbook (.xlsx) or a CSV file (.csv)")
        problems.raise_if_any()
    if not data.strip():
        problems.add("is empty")
        problems.raise_if_any()
    try:
        if suffix == "csv":
            limits.check_csv(file, data)
        else:
            limits.check_workbook(file, data)
    except limits.FileRefused as refused:
        problems.add(refused.reason if refused.file == file else str(refused))
        problems.raise_if_any()
    if suffix == "csv":
        text = appendix_csv.decode(data, problems)
        problems.raise_if_any()
        return {CSV_SHEET: [list(row) for row in csv.reader(io.StringIO(text or ""))]}
    return _workbook_sheets(data, problems)


@dataclass(frozen=True)
class UnsavedFormula:
    """A formula cell whose value the workbook does not hold (saved by a program that does
    not calculate): csplan cannot know its value."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def _workbook_sheets(data: bytes, problems: ProblemCollector) -> Sheets:
    values = _sheet_values(data, problems, data_only=True)
    formulas = _sheet_values(data, problems, data_only=False)
    for name, rows in values.items():
        for row, formula_row in zip(rows, formulas.get(name, []), strict=False):
            for index, value in enumerate(row):
                formula = formula_row[index] if index < len(formula_row) else None
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    row[index] = UnsavedFormula(formula)
    return values


def _sheet_values(data: bytes, problems: ProblemCollector, *, data_only: bool) -> Sheets:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        problems.add("is not an Excel workbook (.xlsx): save it from Excel as .xlsx")
        problems.raise_if_any()
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def is_csplan_workbook(sheets: Sheets) -> bool:
    """csplan's own programme workbook (read by ``workbook.read_workbook``, no mapping)."""
    return all(name in sheets for name in CSPLAN_SHEETS)


def headings(sheets: Sheets, sheet: str, header_row: int) -> list[str]:
    rows = sheets.get(sheet, [])
    if not 1 <= header_row <= len(rows):
        return []
    return [cells.text(value) for value in rows[header_row - 1]]


def guess_header_row(rows: Sequence[Sequence[Any]]) -> int:
    """The first of the first 20 rows with three or more filled cells (a title may come
    first), else 1."""
    for number, row in enumerate(rows[:20], start=1):
        if sum(1 for value in row if not cells.is_blank(value)) >= 3:
            return number
    return 1


def guess_mapping(
    sheets: Sheets,
    sheet: str,
    remembered: ColumnMapping | None,
    header_row: int | None = None,
) -> ColumnMapping:
    """The remembered mapping for this sheet's headings where they still match, else columns
    found by their headings (Ref, Title, Workstream, SRO, FTE and the years)."""
    rows = sheets.get(sheet, [])
    if header_row is None:
        header_row = remembered.header_row if remembered else guess_header_row(rows)
    found = headings(sheets, sheet, header_row)
    if remembered is not None:
        columns = {k: v for k, v in remembered.columns.items() if v in found}
        years = tuple(v for v in remembered.year_columns if v in found)
        return replace(
            remembered, sheet=sheet, header_row=header_row, columns=columns, year_columns=years
        )
    words = {
        "reference": ("ref", "reference", "saving ref", "saving reference", "id"),
        "title": ("title", "saving", "proposal", "saving title", "description"),
        "workstream": ("workstream", "theme", "programme"),
        "sro_role": ("sro", "lead", "owner", "responsible officer"),
        "fte": ("fte", "posts"),
        "recurrence": ("recurrence", "one off or recurrent", "type", "one off recurrent"),
    }
    columns: dict[str, str] = {}
    for name, options in words.items():
        for heading in found:
            if cells.heading_key(heading) in options and heading not in columns.values():
                columns[name] = heading
                break
    years = tuple(heading for heading in found if heading and heading_year(heading))
    return ColumnMapping(sheet=sheet, header_row=header_row, columns=columns, year_columns=years)


def read_mapped(sheets: Sheets, mapping: ColumnMapping, file: str) -> appendix_csv.AppendixFile:
    """The sheet's lines as the appendix importer's rows, or every problem at once."""
    sheet = mapping.sheet
    problems = ProblemCollector(file, sheet)
    if sheet not in sheets:
        problems.add(f"there is no sheet {sheet!r} (the sheets are {', '.join(sheets)})")
        problems.raise_if_any()
    rows = sheets[sheet]
    header = headings(sheets, sheet, mapping.header_row)
    if not header:
        problems.add(f"there is no heading row {mapping.header_row}", row=mapping.header_row)
        problems.raise_if_any()
    index = _column_indexes(header, mapping, problems)
    years = _year_indexes(header, mapping, problems)
    problems.raise_if_any()
    reader = _MappedRows(header, index, years, mapping, problems)
    lines = []
    for number, values in enumerate(rows[mapping.header_row :], start=mapping.header_row + 1):
        line = reader.read(number, list(values))
        if line is not None:
            lines.append(line)
    reader.check_references(lines)
    problems.raise_if_any()
    return appendix_csv.AppendixFile(
        file=file,
        years=tuple(year for year, _ in years),
        unit=mapping.unit,
        form=mapping.form,
        lines=tuple(lines),
        fields=frozenset(index),
    )


def _column_indexes(
    header: list[str], mapping: ColumnMapping, problems: ProblemCollector
) -> dict[str, int]:
    index: dict[str, int] = {}
    labels = dict(MAPPED_FIELDS)
    for name, heading in mapping.columns.items():
        if not heading:
            continue
        if name not in labels:
            problems.add(f"csplan has no field {name!r}", row=mapping.header_row)
        elif heading not in header:
            problems.add(
                f"there is no column headed {heading!r} for {labels[name]}",
                row=mapping.header_row,
                column=heading,
            )
        else:
            index[name] = header.index(heading)
    for name in REQUIRED_FIELDS:
        if not mapping.columns.get(name):
            problems.add(f"choose the column that holds the {labels[name]}", row=mapping.header_row)
    return index


def _year_indexes(
    header: list[str], mapping: ColumnMapping, problems: ProblemCollector
) -> list[tuple[FinancialYear, int]]:
    found: list[tuple[FinancialYear, int]] = []
    for heading in mapping.year_columns:
        where = cells.where(header.index(heading), heading) if heading in header else heading
        year = heading_year(heading)
        if heading not in header:
            problems.add(f"there is no column headed {heading!r}", row=mapping.header_row)
        elif year is None:
            problems.add(
                f"{heading!r} is not a financial year (2024/25, 2024-25 or 24/25)",
                row=mapping.header_row,
                column=where,
            )
        elif year in [seen for seen, _ in found]:
            problems.add(
                f"financial year {year} is chosen twice", row=mapping.header_row, column=where
            )
        else:
            found.append((year, header.index(heading)))
    found.sort()
    if not mapping.year_columns:
        problems.add("choose the year columns", row=mapping.header_row)
    try:
        check_consecutive([year for year, _ in found])
    except PeriodError as error:
        problems.add(str(error), row=mapping.header_row)
    return found


class _MappedRows:
    def __init__(
        self,
        header: list[str],
        index: dict[str, int],
        years: list[tuple[FinancialYear, int]],
        mapping: ColumnMapping,
        problems: ProblemCollector,
    ) -> None:
        self.header = header
        self.index = index
        self.years = years
        self.mapping = mapping
        self.problems = problems

    def _read_columns(self) -> set[int]:
        return {*self.index.values(), *(column for _, column in self.years)}

    def _where(self, column: int) -> str:
        return cells.where(column, self.header[column])

    def _value(self, values: list[Any], column: int | None) -> Any:
        return None if column is None or column >= len(values) else values[column]

    def read(self, row: int, values: list[Any]) -> appendix_csv.AppendixLine | None:
        if all(cells.is_blank(value) for value in values):
            return None
        ref_at = self.index["reference"]
        reference = cells.text(self._value(values, ref_at))
        if reference.lower() in ("total", "totals", "grand total"):
            return None
        before = len(self.problems.problems)
        for column, value in enumerate(values):
            if isinstance(value, UnsavedFormula) and column in self._read_columns():
                self.problems.add(
                    f"holds a formula ({value.formula[:40]}) with no saved value: open the "
                    "workbook in Excel and save it so the value is stored, or type the value",
                    row=row,
                    column=self._where(column),
                )
        if len(self.problems.problems) > before:
            return None
        if not reference:
            self.problems.add(
                "the reference is empty: every line needs one", row=row, column=self._where(ref_at)
            )
        amounts: dict[FinancialYear, Decimal] = {}
        for year, column in self.years:
            value = self._value(values, column)
            if cells.is_blank(value):
                continue
            try:
                amounts[year] = cells.amount(value, self.mapping.unit)
            except cells.CellError as error:
                self.problems.add(str(error), row=row, column=self._where(column))
        fte, note = self._fte(values, row)
        recurrence = self._recurrence(values, row)
        texts = {
            name: cells.text(self._value(values, column))
            for name, column in self.index.items()
            if name in _TEXT_FIELDS
        }
        if len(self.problems.problems) > before:
            return None
        return appendix_csv.AppendixLine(
            row, reference, amounts, texts, fte, note, recurrence=recurrence
        )

    def _fte(self, values: list[Any], row: int) -> tuple[Decimal | None, str]:
        column = self.index.get("fte")
        if column is None:
            return None, ""
        try:
            return cells.non_negative(cells.fte)(self._value(values, column))
        except cells.CellError as error:
            self.problems.add(str(error), row=row, column=self._where(column))
            return None, ""

    def _recurrence(self, values: list[Any], row: int) -> str | None:
        column = self.index.get("recurrence")
        if column is None:
            return None
        raw = cells.text(self._value(values, column))
        word = re.sub(r"[\s\-]+", "", raw.lower())
        if not word:
            return None
        if word in _ONE_OFF:
            return "one_off"
        if word in _RECURRENT:
            return "recurrent"
        self.problems.add(
            f"{raw!r} must be One-off or Recurrent", row=row, column=self._where(column)
        )
        return None

    def check_references(self, lines: list[appendix_csv.AppendixLine]) -> None:
        first: dict[str, int] = {}
        column = self._where(self.index["reference"])
        for line in lines:
            if line.reference in first:
                self.problems.add(
                    f"reference {line.reference!r} is used more than once "
                    f"(first on row {first[line.reference]})",
                    row=line.row,
                    column=column,
                )
            first.setdefault(line.reference, line.row)


def mapped_programme(
    base: ProgrammeFigures,
    sheets: Sheets,
    mapping: ColumnMapping,
    file: str,
    *,
    workstream: str = "",
) -> ProgrammeFigures:
    """``base`` with the sheet's lines added or updated (by reference), through the appendix
    importer's merge; its problems are given the sheet and the council's column headings."""
    appendix = read_mapped(sheets, mapping, file)
    try:
        return appendix_csv.apply_appendix(base, appendix, workstream=workstream)
    except ProgrammeImportError as error:
        headings_of = {
            "Workstream": mapping.columns.get("workstream"),
            "Ref": mapping.columns.get("reference"),
        }
        raise ProgrammeImportError(
            [
                replace(
                    problem,
                    sheet=problem.sheet or mapping.sheet,
                    row=mapping.header_row if problem.row == 1 else problem.row,
                    column=headings_of.get(problem.column or "") or problem.column,
                )
                for problem in error.problems
            ]
        ) from None
