"""The programme workbook (.xlsx): a documented template that round-trips exactly.

Sheets
- **Key**: what every sheet and column means, the unit, the phasing form, the sign convention.
- **Programme**: a Field / Value list (Council, Plan, Department, Unit, Phasing form,
  Sign convention, Percent basis); then a "Financial year | Target" list, one row per year
  (the plan's years, consecutive); then a "RAG code | Label | Colour | Meaning" list.
- **Workstreams**: Workstream | Budget | Is a workstream (Yes for a workstream, No for a budget
  outside the workstreams that still counts in the department total).
- **Lines**: Ref | Title | Workstream | Service activity | Description | Impact | SRO role |
  Lifecycle | RAG | Key decision | Public consultation | Staff consultation | Recurrence |
  Baseline budget | one column per financial year | FTE | FTE note.

All money is in the Programme sheet's unit; the year columns (targets and lines) are in its
phasing form. Problems name the sheet, the row and the column (``2017/18 (O)``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from csplan.core import limits
from csplan.core.money import ZERO, Unit, in_unit
from csplan.core.periods import FinancialYear, PeriodError, check_consecutive
from csplan.core.table import neutralise
from csplan.programme.errors import ProblemCollector
from csplan.programme.figures import (
    DEFAULT_RAG_KEY,
    LIFECYCLE_STATES,
    RECURRENCES,
    LineFigures,
    ProgrammeFigures,
    WorkstreamFigures,
)
from csplan.programme.io import cells
from csplan.programme.phasing import PhasingForm, from_form, in_form

KEY, PROGRAMME, WORKSTREAMS, LINES = "Key", "Programme", "Workstreams", "Lines"
FIELDS = (
    ("Council", "council", "The council's name, e.g. Hampshire County Council."),
    ("Plan", "plan", "The savings programme's name, e.g. Transformation to 2017."),
    ("Department", "department", "The department, e.g. Children's Services."),
    ("Unit", "unit", "The unit of every amount in this workbook: £, £'000 or £m."),
    (
        "Phasing form",
        "phasing",
        "incremental (the change in each year; the years add up to the full-year saving) or "
        "cumulative (the full-year effect in place by each year, e.g. 1,500 / 4,000 / 4,000).",
    ),
    (
        "Sign convention",
        "sign_convention",
        "positive (savings written as positive numbers) or negative. Amounts are read as "
        "written; this records how the council publishes them.",
    ),
    (
        "Percent basis",
        "percent_basis",
        "exact, or displayed (percentages of budget from the rounded figures shown).",
    ),
)
REQUIRED_FIELDS = ("council", "plan", "unit", "phasing")
TARGETS_HEADING = "Financial year"
RAG_HEADING = "RAG code"
WORKSTREAM_COLUMNS = (
    ("Workstream", "The workstream's name (lines refer to it)."),
    ("Budget", "The baseline budget of the activities in scope, in the workbook's unit."),
    (
        "Is a workstream",
        "Yes for a workstream; No for a budget outside the workstreams that still counts in the "
        "department total (e.g. mainstream home to school transport).",
    ),
)
LINE_TEXT_COLUMNS = (
    ("Ref", "reference", "The reference as the council writes it (C3, A/R.6.253). Unique."),
    ("Title", "title", "A short title."),
    ("Workstream", "workstream", "One of the names on the Workstreams sheet."),
    ("Service activity", "service_activity", "The service activity, as the appendix prints it."),
    ("Description", "description", "What the proposal is."),
    ("Impact", "impact", "Impact on service, staff and equalities."),
    ("SRO role", "sro_role", "The senior responsible officer, by role."),
    ("Lifecycle", "lifecycle", "One of: " + ", ".join(LIFECYCLE_STATES) + "."),
    ("RAG", "rag", "Delivery confidence, a code from the RAG key on the Programme sheet."),
)
LINE_FLAG_COLUMNS = (
    ("Key decision", "key_decision", "Yes, No or blank (not decided)."),
    ("Public consultation", "public_consultation", "Yes, No or blank (not decided)."),
    ("Staff consultation", "staff_consultation", "Yes, No or blank (not decided)."),
)
LINE_TAIL_COLUMNS = (
    ("Recurrence", "recurrence", "recurrent or one_off."),
    ("Baseline budget", "baseline_budget", "The activity's budget, in the workbook's unit."),
)
YEAR_COLUMN_HELP = (
    "One column per financial year (2016/17), in the workbook's unit and phasing form."
)
FTE_COLUMNS = (
    ("FTE", "fte", "The change in full-time equivalent posts; TBC when not yet known."),
    ("FTE note", "fte_note", "A note on the FTE, e.g. TBC."),
)
_FIXED_LINE_COLUMNS = (*LINE_TEXT_COLUMNS, *LINE_FLAG_COLUMNS, *LINE_TAIL_COLUMNS)
FTE_FORMAT = "0.0#;(0.0#)"
MONEY_FORMATS = ("#,##0;(#,##0)", "#,##0.0##;(#,##0.0##)")


# --- writing -----------------------------------------------------------------------------------


def workbook_bytes(
    programme: ProgrammeFigures,
    form: PhasingForm = PhasingForm.INCREMENTAL,
    unit: Unit = Unit.THOUSANDS,
) -> bytes:
    """The programme as a workbook (Key, Programme, Workstreams, Lines)."""
    return _save(_workbook(programme, form, unit))


def template_bytes(
    years: Sequence[FinancialYear],
    form: PhasingForm = PhasingForm.INCREMENTAL,
    unit: Unit = Unit.THOUSANDS,
) -> bytes:
    """An empty workbook for ``years``: the Key, the headings and the default RAG key."""
    empty = ProgrammeFigures(
        council="",
        plan="",
        years=tuple(years),
        targets={},
        workstreams=(),
        lines=(),
        rag_key=DEFAULT_RAG_KEY,
    )
    return _save(_workbook(empty, form, unit))


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _workbook(programme: ProgrammeFigures, form: PhasingForm, unit: Unit) -> Any:
    from openpyxl import Workbook

    workbook = Workbook()
    key = workbook.active
    key.title = KEY
    _write_key(key, programme, form, unit)
    _write_programme(workbook.create_sheet(PROGRAMME), programme, form, unit)
    _write_workstreams(workbook.create_sheet(WORKSTREAMS), programme, unit)
    _write_lines(workbook.create_sheet(LINES), programme, form, unit)
    return workbook


def _bold_row(sheet: Any, row: int) -> None:
    from openpyxl.styles import Font

    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _widths(sheet: Any, widths: Sequence[float]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _text_cell(value: str) -> str | None:
    return neutralise(value) if value else None


def _money(sheet: Any, row: int, column: int, pounds: Decimal | None, unit: Unit) -> None:
    cell = sheet.cell(row=row, column=column)
    if pounds is None:
        return
    figure = in_unit(pounds, unit)
    cell.value = figure
    whole = figure == figure.to_integral_value()
    cell.number_format = MONEY_FORMATS[0] if whole else MONEY_FORMATS[1]


def _write_key(sheet: Any, programme: ProgrammeFigures, form: PhasingForm, unit: Unit) -> None:
    from openpyxl.styles import Alignment, Font

    sheet.append(["csplan programme workbook"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"Every amount is in {unit.label}. The year columns are {form.label.lower()}."])
    sheet.append(
        [
            f"Savings are written as {programme.sign_convention or 'positive'} numbers "
            "(sign convention). Do not add totals to the sheets: csplan adds them up."
        ]
    )
    sheet.append(
        [
            "Text that begins with = + - or @ is written with a leading ' so that spreadsheets "
            "do not run it as a formula; csplan removes the ' when it reads the workbook."
        ]
    )
    sheet.append([])
    sheet.append(["Sheet", "Column", "Meaning"])
    _bold_row(sheet, sheet.max_row)
    for row in _key_rows():
        sheet.append(list(row))
    for cells_row in sheet.iter_rows(min_row=7):
        cells_row[2].alignment = Alignment(wrap_text=True, vertical="top")
    _widths(sheet, (16, 22, 100))


def _key_rows() -> Iterator[tuple[str, str, str]]:
    yield KEY, "", "This explanation."
    yield PROGRAMME, "", "The council and plan, then one target per year, then the RAG key."
    for heading, _, meaning in FIELDS:
        yield PROGRAMME, heading, meaning
    yield PROGRAMME, TARGETS_HEADING, "The plan's years, consecutive, written YYYY/YY."
    yield PROGRAMME, "Target", "The department's savings target, in the unit and phasing form."
    yield PROGRAMME, RAG_HEADING, "Delivery confidence key: code, label, colour, meaning."
    yield WORKSTREAMS, "", "One row per workstream or other budget."
    for heading, meaning in WORKSTREAM_COLUMNS:
        yield WORKSTREAMS, heading, meaning
    yield LINES, "", "One row per savings line; blank rows are skipped."
    for heading, _, meaning in (*LINE_TEXT_COLUMNS, *LINE_FLAG_COLUMNS, *LINE_TAIL_COLUMNS):
        yield LINES, heading, meaning
    yield LINES, "2016/17 …", YEAR_COLUMN_HELP
    for heading, _, meaning in FTE_COLUMNS:
        yield LINES, heading, meaning


def _write_programme(
    sheet: Any, programme: ProgrammeFigures, form: PhasingForm, unit: Unit
) -> None:
    values = {
        "council": programme.council,
        "plan": programme.plan,
        "department": programme.department,
        "unit": unit.label,
        "phasing": form.value,
        "sign_convention": programme.sign_convention,
        "percent_basis": programme.percent_basis,
    }
    sheet.append(["Field", "Value"])
    _bold_row(sheet, 1)
    for heading, name, _ in FIELDS:
        sheet.append([heading, _text_cell(values[name])])
    sheet.append([])
    sheet.append([TARGETS_HEADING, "Target"])
    _bold_row(sheet, sheet.max_row)
    targets = in_form(programme.targets, programme.years, form)
    for year in programme.years:
        sheet.append([str(year)])
        _money(sheet, sheet.max_row, 2, targets[year], unit)
    sheet.append([])
    sheet.append([RAG_HEADING, "Label", "Colour", "Meaning"])
    _bold_row(sheet, sheet.max_row)
    for entry in programme.rag_key:
        sheet.append(
            [_text_cell(str(entry.get(k, ""))) for k in ("code", "label", "colour", "meaning")]
        )
    _widths(sheet, (18, 40, 12, 40))


def _write_workstreams(sheet: Any, programme: ProgrammeFigures, unit: Unit) -> None:
    sheet.append([heading for heading, _ in WORKSTREAM_COLUMNS])
    _bold_row(sheet, 1)
    sheet.freeze_panes = "A2"
    for row, workstream in enumerate(programme.workstreams, start=2):
        sheet.append(
            [neutralise(workstream.name), None, cells.yes_no_text(workstream.is_workstream)]
        )
        _money(sheet, row, 2, workstream.budget, unit)
    _widths(sheet, (60, 14, 14))


def _line_headings(years: Sequence[FinancialYear]) -> list[str]:
    fixed = [
        heading for heading, _, _ in (*LINE_TEXT_COLUMNS, *LINE_FLAG_COLUMNS, *LINE_TAIL_COLUMNS)
    ]
    return [*fixed, *(str(year) for year in years), *(heading for heading, _, _ in FTE_COLUMNS)]


def _write_lines(sheet: Any, programme: ProgrammeFigures, form: PhasingForm, unit: Unit) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    headings = _line_headings(programme.years)
    sheet.append(headings)
    _bold_row(sheet, 1)
    sheet.freeze_panes = "B2"
    first_year_column = len(headings) - len(programme.years) - len(FTE_COLUMNS) + 1
    for row, line in enumerate(programme.lines, start=2):
        texts = [_text_cell(str(getattr(line, name))) for _, name, _ in LINE_TEXT_COLUMNS]
        flags = [cells.yes_no_text(getattr(line, name)) for _, name, _ in LINE_FLAG_COLUMNS]
        fte: Decimal | str | None = line.fte if line.fte is not None else None
        if fte is None and line.fte_note:
            fte = _text_cell(line.fte_note)
        sheet.append([*texts, *flags, line.recurrence])
        _money(sheet, row, len(texts) + len(flags) + 2, line.baseline_budget, unit)
        shown = in_form(line.phasing, programme.years, form, line.recurrence)
        for offset, amount in enumerate(shown.values()):
            _money(sheet, row, first_year_column + offset, amount, unit)
        fte_column = first_year_column + len(programme.years)
        fte_cell = sheet.cell(row=row, column=fte_column, value=fte)
        if isinstance(fte, Decimal):
            fte_cell.number_format = FTE_FORMAT
        sheet.cell(row=row, column=fte_column + 1, value=_text_cell(line.fte_note))
        for column in range(1, 7):
            sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    _validations(sheet, headings, DataValidation)
    widths = [8, 30, 30, 24, 60, 60, 24, 12, 6, 10, 10, 10, 11, 12]
    _widths(sheet, [*widths, *([11] * len(programme.years)), 7, 10])


def _validations(sheet: Any, headings: list[str], validation: Callable[..., Any]) -> None:
    from openpyxl.utils import get_column_letter

    lists = {
        "Lifecycle": ",".join(LIFECYCLE_STATES),
        "Recurrence": ",".join(RECURRENCES),
        **{heading: "Yes,No" for heading, _, _ in LINE_FLAG_COLUMNS},
    }
    for heading, choices in lists.items():
        letter = get_column_letter(headings.index(heading) + 1)
        rule = validation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.add(f"{letter}2:{letter}1000")
        sheet.add_data_validation(rule)


# --- reading -----------------------------------------------------------------------------------


@dataclass
class _Settings:
    values: dict[str, str]
    unit: Unit
    form: PhasingForm
    years: list[FinancialYear]
    readable: bool  # unit, phasing form and years are all usable: read the other sheets


def read_workbook(source: Path | bytes, *, file: str | None = None) -> ProgrammeFigures:
    """Read a programme workbook, collecting every problem (``ProgrammeImportError``)."""
    name = file or (source.name if isinstance(source, Path) else "<workbook>")
    problems = ProblemCollector(name)
    workbook = _open(source, problems)
    problems.raise_if_any()
    for sheet in (PROGRAMME, WORKSTREAMS, LINES):
        if sheet not in workbook.sheetnames:
            problems.add(f"the sheet {sheet!r} is missing (see the Key sheet)", sheet=sheet)
    problems.raise_if_any()
    settings = _read_programme(_rows(workbook[PROGRAMME]), problems)
    if not settings.readable:
        problems.raise_if_any()  # the amounts cannot be read without the unit, form and years
    targets, rag_key = _read_targets_and_rag(_rows(workbook[PROGRAMME]), settings, problems)
    workstreams = _read_workstreams(_rows(workbook[WORKSTREAMS]), settings.unit, problems)
    codes = {entry["code"] for entry in (rag_key or DEFAULT_RAG_KEY)}
    lines = _read_lines(
        _rows(workbook[LINES]), settings, {w.name for w in workstreams}, problems, codes
    )
    problems.raise_if_any()
    values = settings.values
    return ProgrammeFigures(
        council=values["council"],
        plan=values["plan"],
        department=values.get("department") or "Children's Services",
        years=tuple(settings.years),
        targets=from_form(targets, settings.years, settings.form),
        workstreams=tuple(workstreams),
        lines=tuple(lines),
        percent_basis=values.get("percent_basis") or "exact",
        sign_convention=values.get("sign_convention") or "positive",
        rag_key=tuple(rag_key) or DEFAULT_RAG_KEY,
    )


def _open(source: Path | bytes, problems: ProblemCollector) -> Any:
    from openpyxl import load_workbook

    try:
        data = limits.read_import_file(source) if isinstance(source, Path) else source
        limits.check_workbook(
            problems.file,
            data,
            max_cells=limits.budget("MAX_PROGRAMME_WORKBOOK_CELLS"),
            max_range=limits.budget("MAX_PROGRAMME_SHEET_RANGE"),
        )
    except limits.FileRefused as refused:  # the reason, naming the part when it is one
        problems.add(refused.reason if refused.file == problems.file else str(refused))
        return None
    if not data:
        problems.add("is empty")
        return None
    try:
        formulas = load_workbook(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        problems.add("is not an Excel workbook (.xlsx): save it from Excel as .xlsx")
        return None
    found = _formula_cells(formulas)
    if not found:
        return formulas  # no formulas: the cells hold their values
    values = load_workbook(io.BytesIO(data), data_only=True)
    for sheet, cell in found:
        if values[sheet].cell(row=cell.row, column=cell.column).value is None:
            heading = formulas[sheet].cell(row=1, column=cell.column).value
            problems.add(
                f"holds a formula ({str(cell.value)[:40]}) with no saved value: type the value, "
                "or open the workbook in Excel and save it so the value is stored",
                sheet=sheet,
                row=cell.row,
                column=cells.where(cell.column - 1, heading),
            )
    return values


def _formula_cells(workbook: Any) -> list[tuple[str, Any]]:
    """Formula cells of the sheets csplan reads (their saved values are used, when saved)."""
    return [
        (sheet, cell)
        for sheet in (PROGRAMME, WORKSTREAMS, LINES)
        if sheet in workbook.sheetnames
        for row in workbook[sheet].iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _rows(sheet: Any) -> list[tuple[int, list[Any]]]:
    return [
        (number, list(values))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]


def _read_programme(rows: list[tuple[int, list[Any]]], problems: ProblemCollector) -> _Settings:
    by_heading = {cells.heading_key(heading): name for heading, name, _ in FIELDS}
    values: dict[str, str] = {}
    places: dict[str, int] = {}
    for row, data in rows:
        key = cells.heading_key(data[0] if data else None)
        if key == cells.heading_key(TARGETS_HEADING):
            break
        if key in by_heading:
            values[by_heading[key]] = cells.text(data[1] if len(data) > 1 else None)
            places[by_heading[key]] = row
    for heading, name, _ in FIELDS:
        if name in REQUIRED_FIELDS and not values.get(name):
            problems.add(
                f"{heading} is required: write it in column B",
                sheet=PROGRAMME,
                row=places.get(name),
                column="Value (B)" if name in places else heading,
            )
    before = len(problems.problems)
    unit = Unit.THOUSANDS
    if values.get("unit"):
        try:
            unit = cells.unit_label(values["unit"])
        except cells.CellError as error:
            problems.add(str(error), sheet=PROGRAMME, row=places["unit"], column="Value (B)")
    form = PhasingForm.INCREMENTAL
    if values.get("phasing"):
        try:
            form = PhasingForm(values["phasing"].lower())
        except ValueError:
            problems.add(
                f"{values['phasing']!r}: write incremental or cumulative",
                sheet=PROGRAMME,
                row=places["phasing"],
                column="Value (B)",
            )
    years = _read_years(rows, problems)
    return _Settings(values, unit, form, years, len(problems.problems) == before)


def _section(rows: list[tuple[int, list[Any]]], heading: str) -> list[tuple[int, list[Any]]]:
    """The rows under ``heading`` in column A, up to the next blank row."""
    found: list[tuple[int, list[Any]]] = []
    inside = False
    for row, data in rows:
        first = data[0] if data else None
        if not inside:
            inside = cells.heading_key(first) == cells.heading_key(heading)
            continue
        if all(cells.is_blank(value) for value in data):
            break
        found.append((row, data))
    return found


def _read_years(
    rows: list[tuple[int, list[Any]]], problems: ProblemCollector
) -> list[FinancialYear]:
    years: list[FinancialYear] = []
    section = _section(rows, TARGETS_HEADING)
    for row, data in section:
        try:
            year, _ = cells.year_heading(data[0])
        except cells.CellError as error:
            problems.add(str(error), sheet=PROGRAMME, row=row, column=TARGETS_HEADING)
            continue
        if year in years:
            problems.add(
                f"financial year {year} appears more than once",
                sheet=PROGRAMME,
                row=row,
                column=TARGETS_HEADING,
            )
            continue
        years.append(year)
    if not section:
        problems.add(
            f"no financial years: list them under {TARGETS_HEADING!r}",
            sheet=PROGRAMME,
            column=TARGETS_HEADING,
        )
    try:
        check_consecutive(years)
    except PeriodError as error:
        problems.add(str(error), sheet=PROGRAMME, column=TARGETS_HEADING)
    return years


def _read_targets_and_rag(
    rows: list[tuple[int, list[Any]]], settings: _Settings, problems: ProblemCollector
) -> tuple[dict[FinancialYear, Decimal], list[dict[str, str]]]:
    targets: dict[FinancialYear, Decimal] = {}
    for row, data in _section(rows, TARGETS_HEADING):
        value = data[1] if len(data) > 1 else None
        if cells.is_blank(value):
            continue
        try:
            targets[cells.year_heading(data[0])[0]] = cells.amount(value, settings.unit)
        except cells.CellError as error:
            problems.add(str(error), sheet=PROGRAMME, row=row, column="Target (B)")
    rag_key = []
    for _, data in _section(rows, RAG_HEADING):
        padded = [*data, None, None, None, None]
        entry = dict(zip(("code", "label", "colour", "meaning"), padded, strict=False))
        rag_key.append({key: cells.text(value) for key, value in entry.items()})
    return targets, rag_key


class _Header:
    """A sheet's heading row: finds columns by heading and names them in problems."""

    def __init__(self, sheet: str, data: list[Any], problems: ProblemCollector) -> None:
        self.sheet = sheet
        self.data = data
        self.problems = problems
        self.index = {cells.heading_key(value): i for i, value in enumerate(data) if value}

    def find(self, heading: str, required: bool = True) -> int | None:
        index = self.index.get(cells.heading_key(heading))
        if index is None and required:
            self.problems.add(
                f"the required column {heading!r} is missing",
                sheet=self.sheet,
                row=1,
                column=heading,
            )
        return index

    def where(self, index: int) -> str:
        return cells.where(index, self.data[index])


def _value(data: list[Any], index: int | None) -> Any:
    return None if index is None or index >= len(data) else data[index]


def _read_workstreams(
    rows: list[tuple[int, list[Any]]], unit: Unit, problems: ProblemCollector
) -> list[WorkstreamFigures]:
    if not rows:
        problems.add("the sheet is empty", sheet=WORKSTREAMS)
        return []
    header = _Header(WORKSTREAMS, rows[0][1], problems)
    name_at, budget_at = header.find("Workstream"), header.find("Budget")
    flag_at = header.find("Is a workstream", required=False)
    if name_at is None or budget_at is None:
        return []
    result: list[WorkstreamFigures] = []
    seen: set[str] = set()
    for row, data in rows[1:]:
        if all(cells.is_blank(value) for value in data):
            continue
        name = cells.text(_value(data, name_at))
        issues = len(problems.problems)
        if not name:
            problems.add(
                "the workstream needs a name",
                sheet=WORKSTREAMS,
                row=row,
                column=header.where(name_at),
            )
        elif name in seen:
            problems.add(
                f"workstream {name!r} is listed twice",
                sheet=WORKSTREAMS,
                row=row,
                column=header.where(name_at),
            )
        seen.add(name)
        budget, flag = ZERO, True
        try:
            budget = cells.non_negative(lambda v: cells.amount(v, unit))(_value(data, budget_at))
        except cells.CellError as error:
            problems.add(str(error), sheet=WORKSTREAMS, row=row, column=header.where(budget_at))
        try:
            flag = cells.yes_no(_value(data, flag_at)) is not False
        except cells.CellError as error:
            problems.add(str(error), sheet=WORKSTREAMS, row=row, column=header.where(flag_at or 0))
        if name and (len(problems.problems) == issues or name not in {w.name for w in result}):
            # kept even with a bad budget, so its lines are not also reported as unknown
            result.append(WorkstreamFigures(name, budget, flag))
    return result


def _read_lines(
    rows: list[tuple[int, list[Any]]],
    settings: _Settings,
    workstreams: set[str],
    problems: ProblemCollector,
    rag_codes: set[str],
) -> list[LineFigures]:
    if not rows:
        problems.add("the sheet is empty: it needs its heading row", sheet=LINES)
        return []
    header = _Header(LINES, rows[0][1], problems)
    columns = {
        name: header.find(heading, name in ("reference", "workstream"))
        for heading, name, _ in (
            *LINE_TEXT_COLUMNS,
            *LINE_FLAG_COLUMNS,
            *LINE_TAIL_COLUMNS,
            *FTE_COLUMNS,
        )
    }
    year_columns = _line_years(header, settings, problems)
    if columns["reference"] is None or columns["workstream"] is None:
        return []
    reader = _LineReader(header, columns, year_columns, settings, workstreams, problems, rag_codes)
    lines: list[LineFigures] = []
    first_row: dict[str, int] = {}
    for row, data in rows[1:]:
        if all(cells.is_blank(value) for value in data):
            continue
        reference = cells.text(_value(data, columns["reference"]))
        if reference.lower() == "total":
            continue  # a Total row someone added: csplan adds the lines up itself
        line = reader.read(row, data)
        if line is None:
            continue
        if line.reference in first_row:
            problems.add(
                f"reference {line.reference!r} is used more than once "
                f"(first on row {first_row[line.reference]})",
                sheet=LINES,
                row=row,
                column=header.where(columns["reference"]),
            )
            continue
        first_row[line.reference] = row
        lines.append(line)
    return lines


def _line_years(
    header: _Header, settings: _Settings, problems: ProblemCollector
) -> dict[FinancialYear, int]:
    found: dict[FinancialYear, int] = {}
    for index, heading in enumerate(header.data):
        if not cells.looks_like_year(heading):
            continue
        try:
            year, _ = cells.year_heading(heading)
        except cells.CellError as error:
            problems.add(str(error), sheet=LINES, row=1, column=header.where(index))
            continue
        if year in found:
            problems.add(
                f"financial year {year} appears more than once",
                sheet=LINES,
                row=1,
                column=header.where(index),
            )
        elif year not in settings.years:
            problems.add(
                f"{year} is not one of the plan's years on the Programme sheet",
                sheet=LINES,
                row=1,
                column=header.where(index),
            )
        found.setdefault(year, index)
    try:
        check_consecutive(list(found))
    except PeriodError as error:
        problems.add(str(error), sheet=LINES, row=1)
    return found


class _LineReader:
    def __init__(
        self,
        header: _Header,
        columns: dict[str, int | None],
        years: dict[FinancialYear, int],
        settings: _Settings,
        workstreams: set[str],
        problems: ProblemCollector,
        rag_codes: set[str],
    ) -> None:
        self.rag_codes = rag_codes
        self.header = header
        self.columns = columns
        self.years = years
        self.settings = settings
        self.workstreams = workstreams
        self.problems = problems

    def _add(self, message: str, row: int, index: int | None) -> None:
        column = None if index is None else self.header.where(index)
        self.problems.add(message, sheet=LINES, row=row, column=column)

    def read(self, row: int, data: list[Any]) -> LineFigures | None:
        before = len(self.problems.problems)
        text = {
            name: cells.text(_value(data, self.columns[name]))
            for _, name, _ in (*LINE_TEXT_COLUMNS, *FTE_COLUMNS[1:])
        }
        if not text["reference"]:
            self._add(
                "Ref is empty: every line needs its reference", row, self.columns["reference"]
            )
        if text["workstream"] not in self.workstreams:
            self._add(
                f"unknown workstream {text['workstream']!r}: use a name from the Workstreams sheet",
                row,
                self.columns["workstream"],
            )
        lifecycle = _choice(text["lifecycle"] or "proposed", LIFECYCLE_STATES)
        if lifecycle is None:
            self._add(
                f"Lifecycle must be one of {', '.join(LIFECYCLE_STATES)}",
                row,
                self.columns["lifecycle"],
            )
        recurrence = _choice(
            cells.text(_value(data, self.columns["recurrence"])) or "recurrent", RECURRENCES
        )
        if recurrence is None:
            self._add("Recurrence must be recurrent or one_off", row, self.columns["recurrence"])
        flags = {
            name: self._cell(cells.yes_no, data, row, name) for _, name, _ in LINE_FLAG_COLUMNS
        }
        baseline = self._cell(
            cells.non_negative(lambda v: cells.optional_amount(v, self.settings.unit)),
            data,
            row,
            "baseline_budget",
        )
        fte, note = self._cell(cells.non_negative(cells.fte), data, row, "fte") or (None, "")
        rag = text["rag"]
        if rag and rag not in self.rag_codes:
            self._add(
                f"RAG {rag!r} is not in the council's RAG key on the Programme sheet "
                f"({', '.join(sorted(self.rag_codes))})",
                row,
                self.columns["rag"],
            )
        phasing = self._phasing(row, data)
        if len(self.problems.problems) > before:
            return None
        text.update(lifecycle=lifecycle or "", title=text["title"] or text["reference"])
        text["fte_note"] = text["fte_note"] or note
        return LineFigures(
            phasing=from_form(
                phasing, self.settings.years, self.settings.form, recurrence or "recurrent"
            ),
            recurrence=recurrence or "",
            baseline_budget=baseline,
            fte=fte,
            **flags,
            **text,
        )

    def _cell(self, read: Callable[[Any], Any], data: list[Any], row: int, name: str) -> Any:
        index = self.columns[name]
        try:
            return read(_value(data, index))
        except cells.CellError as error:
            self._add(str(error), row, index)
            return None

    def _phasing(self, row: int, data: list[Any]) -> dict[FinancialYear, Decimal]:
        result = {}
        for year, index in self.years.items():
            value = _value(data, index)
            if cells.is_blank(value):
                continue
            try:
                result[year] = cells.amount(value, self.settings.unit)
            except cells.CellError as error:
                self._add(str(error), row, index)
        return result


def _choice(value: str, choices: Sequence[str]) -> str | None:
    cleaned = value.strip().lower().replace(" ", "_").replace("-", "_")
    return cleaned if cleaned in choices else None
