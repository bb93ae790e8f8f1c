"""CSV in the published appendix layout (Hampshire Appendix 1).

Columns: Ref, [Workstream], [Title], Service activity, Description, Impact, one column per
financial year (``2016/17``; the unit may follow in the heading, ``2016/17 (£'000)``, or on a
second header row, as Hampshire prints it), FTE; then an optional Total row. Only Ref and the
year columns are required; a column that is absent leaves that field of existing lines as it
is. The file does not say whether its year columns are incremental or cumulative, so the
reader must be told (``form``); the unit defaults to £'000 unless the header names it.

Reading gives an ``AppendixFile``; ``apply_appendix`` merges it into an existing programme
(lines matched by Ref). Row numbers are the file's record numbers, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from csplan.core import limits
from csplan.core.money import ZERO, Unit, format_amount, in_unit
from csplan.core.periods import FinancialYear, PeriodError, check_consecutive
from csplan.core.render import render_csv
from csplan.programme.errors import ProblemCollector
from csplan.programme.figures import LineFigures, ProgrammeFigures, WorkstreamFigures
from csplan.programme.io import cells
from csplan.programme.phasing import PhasingForm, from_form
from csplan.programme.reports import proposals_report

# heading key → field; the first heading of each field is the one written.
HEADINGS = {
    "ref": "reference",
    "reference": "reference",
    "corp prog ref": "reference",
    "workstream": "workstream",
    "title": "title",
    "service activity": "service_activity",
    "description": "description",
    "impact": "impact",
    "impact/issues": "impact",
    "impact / issues": "impact",
    "impact issues": "impact",
    "fte": "fte",
}
TEXT_FIELDS = ("workstream", "title", "service_activity", "description", "impact")
REQUIRED_HEADING = "Ref"


@dataclass(frozen=True)
class AppendixLine:
    row: int
    reference: str
    values: Mapping[FinancialYear, Decimal]  # pounds, in the file's phasing form
    texts: Mapping[str, str]  # the text fields the file has columns for
    fte: Decimal | None = None
    fte_note: str = ""
    recurrence: str | None = None  # one_off or recurrent when the file says; else kept


@dataclass(frozen=True)
class AppendixFile:
    file: str
    years: tuple[FinancialYear, ...]
    unit: Unit
    form: PhasingForm
    lines: tuple[AppendixLine, ...]
    fields: frozenset[str] = field(default_factory=frozenset)  # fields with a column
    ignored_headings: tuple[str, ...] = ()


def appendix_to_csv(
    programme: ProgrammeFigures,
    form: PhasingForm,
    unit: Unit = Unit.THOUSANDS,
    *,
    unit_row: bool = True,
) -> str:
    """The programme in the appendix layout, with a Workstream column, exact amounts in
    ``unit`` (so it reads back unchanged) and a Total row."""
    table = proposals_report(programme, form, unit=unit, places=None, workstream_column=True)
    return render_csv(table, unit_row=unit_row)


def decode(data: bytes, problems: ProblemCollector) -> str | None:
    """The file's text (UTF-8, or Windows-1252 as older Excel saves CSV), or a problem."""
    if data.startswith(b"PK\x03\x04"):
        problems.add("is an Excel workbook, not a CSV file: name it .xlsx, or save it as CSV")
        return None
    if b"\x00" in data[:4096]:
        problems.add("is not a CSV text file (it holds binary data)")
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    problems.add("is not a CSV text file (it is neither UTF-8 nor Windows-1252 text)")
    return None


def read_appendix_csv(
    source: Path | bytes,
    *,
    form: PhasingForm,
    unit: Unit | None = None,
    file: str | None = None,
) -> AppendixFile:
    """Read an appendix CSV, collecting every problem (``ProgrammeImportError``)."""
    name = file or (source.name if isinstance(source, Path) else "<csv>")
    problems = ProblemCollector(name)
    try:
        data = limits.read_import_file(source) if isinstance(source, Path) else source
        limits.check_csv(name, data)
    except limits.FileRefused as refused:
        problems.add(refused.reason)
        problems.raise_if_any()
    content = decode(data, problems)
    problems.raise_if_any()
    records = list(csv.reader(io.StringIO(content or "")))
    if not any(not cells.is_blank(value) for row in records for value in row):
        problems.add("is empty: it has no heading row and no lines")
        problems.raise_if_any()
    return _Reader(name, records, form, unit, problems).read()


class _Reader:
    def __init__(
        self,
        name: str,
        records: list[list[str]],
        form: PhasingForm,
        unit: Unit | None,
        problems: ProblemCollector,
    ) -> None:
        self.name = name
        self.records = records
        self.form = form
        self.unit = unit
        self.problems = problems
        self.header_index = _header_index(records)
        self.header = records[self.header_index]
        self.fields: dict[str, int] = {}
        self.years: list[tuple[int, FinancialYear]] = []
        self.ignored: list[str] = []

    def _problem(self, message: str, row: int, index: int) -> None:
        self.problems.add(message, row=row, column=cells.where(index, self.header[index]))

    def read(self) -> AppendixFile:
        named_units = self._columns()
        body_start = self.header_index + 1
        if body_start < len(self.records) and cells.is_unit_row(self.records[body_start]):
            named_units += self._unit_row(self.records[body_start], body_start + 1)
            body_start += 1
        unit = self._unit(named_units)
        self.problems.raise_if_any()
        lines, total = self._lines(body_start, unit)
        if total is not None and not self.problems.problems:
            self._check_total(lines, total, unit)  # only when every line could be read
        self._check_references(lines)
        self.problems.raise_if_any()
        return AppendixFile(
            file=self.name,
            years=tuple(year for _, year in self.years),
            unit=unit,
            form=self.form,
            lines=tuple(lines),
            fields=frozenset(self.fields),
            ignored_headings=tuple(self.ignored),
        )

    def _columns(self) -> list[tuple[Unit, int]]:
        units: list[tuple[Unit, int]] = []
        row = self.header_index + 1
        for index, heading in enumerate(self.header):
            key = cells.heading_key(heading)
            if cells.looks_like_year(heading):
                self._year_column(index, heading, row, units)
            elif key in HEADINGS:
                name = HEADINGS[key]
                if name in self.fields:
                    self.problems.add(
                        f"the column {cells.text(heading)!r} appears more than once",
                        row=row,
                        column=cells.where(index, heading),
                    )
                self.fields[name] = index
            elif key:
                self.ignored.append(cells.text(heading))
        if "reference" not in self.fields:
            self.problems.add(
                f"the required column {REQUIRED_HEADING!r} is missing "
                f"(the heading row is row {row})",
                row=row,
                column=REQUIRED_HEADING,
            )
        if not self.years and not self.problems.problems:
            self.problems.add(
                "there are no financial year columns (headings like 2016/17)", row=row
            )
        self._check_years(row)
        return units

    def _year_column(
        self, index: int, heading: str, row: int, units: list[tuple[Unit, int]]
    ) -> None:
        try:
            year, unit = cells.year_heading(heading)
        except cells.CellError as error:
            self.problems.add(str(error), row=row, column=cells.where(index, heading))
            return
        if year in [seen for _, seen in self.years]:
            self.problems.add(
                f"financial year {year} appears more than once",
                row=row,
                column=cells.where(index, heading),
            )
            return
        self.years.append((index, year))
        if unit is not None:
            units.append((unit, index))

    def _check_years(self, row: int) -> None:
        years = [year for _, year in self.years]
        try:
            check_consecutive(years)
        except PeriodError as error:
            self.problems.add(str(error), row=row)

    def _unit_row(self, values: Sequence[str], row: int) -> list[tuple[Unit, int]]:
        found = []
        for index, value in enumerate(values):
            if cells.is_blank(value) or cells.text(value) == "%":
                continue
            try:
                found.append((cells.unit_label(value), index))
            except cells.CellError as error:
                self.problems.add(str(error), row=row, column=cells.where(index, value))
        return found

    def _unit(self, named: list[tuple[Unit, int]]) -> Unit:
        distinct = {unit for unit, _ in named}
        if len(distinct) > 1:
            labels = ", ".join(sorted(unit.label for unit in distinct))
            self.problems.add(f"the year columns are in different units ({labels})")
        named_unit = next(iter(distinct)) if len(distinct) == 1 else None
        if self.unit is not None and named_unit is not None and named_unit is not self.unit:
            self.problems.add(
                f"the header says the amounts are in {named_unit.label} "
                f"but the import was told {self.unit.label}"
            )
        return self.unit or named_unit or Unit.THOUSANDS

    def _lines(
        self, start: int, unit: Unit
    ) -> tuple[list[AppendixLine], tuple[int, list[str]] | None]:
        lines: list[AppendixLine] = []
        total: tuple[int, list[str]] | None = None
        ref_index = self.fields["reference"]
        for offset, values in enumerate(self.records[start:]):
            row = start + offset + 1
            padded = list(values) + [""] * (len(self.header) - len(values))
            if all(cells.is_blank(v) for v in padded) or self._repeated_header(padded):
                continue
            reference = cells.text(padded[ref_index]) if ref_index < len(padded) else ""
            if total is not None:
                self._after_total(padded, row)
                continue
            if reference.lower() == "total":
                total = (row, padded)
                continue
            line = self._line(padded, row, reference, unit)
            if line is not None:
                lines.append(line)
        return lines, total

    def _repeated_header(self, values: list[str]) -> bool:
        """The heading or unit row again, as a table printed over two pages repeats it."""
        if cells.is_unit_row(values):
            return True
        keys = [cells.heading_key(value) for value in values]
        return keys[: len(self.header)] == [cells.heading_key(h) for h in self.header]

    def _after_total(self, values: list[str], row: int) -> None:
        if any(not cells.is_blank(values[index]) for index, _ in self.years):
            self.problems.add("a line after the Total row: put every line above the Total", row=row)

    def _line(self, values: list[str], row: int, reference: str, unit: Unit) -> AppendixLine | None:
        before = len(self.problems.problems)
        if not reference:
            self.problems.add(
                "Ref is empty: every line needs its reference",
                row=row,
                column=cells.where(self.fields["reference"], self.header[self.fields["reference"]]),
            )
        amounts = {}
        for index, year in self.years:
            value = values[index]
            if cells.is_blank(value):
                continue
            try:
                amounts[year] = cells.amount(value, unit)
            except cells.CellError as error:
                self.problems.add(
                    str(error), row=row, column=cells.where(index, self.header[index])
                )
        fte, note = None, ""
        if "fte" in self.fields:
            index = self.fields["fte"]
            try:
                fte, note = cells.fte(values[index])
            except cells.CellError as error:
                self.problems.add(
                    str(error), row=row, column=cells.where(index, self.header[index])
                )
        texts = {
            name: cells.text(values[index])
            for name, index in self.fields.items()
            if name in TEXT_FIELDS
        }
        if len(self.problems.problems) > before:
            return None
        return AppendixLine(row, reference, amounts, texts, fte, note)

    def _check_total(
        self, lines: list[AppendixLine], total: tuple[int, list[str]], unit: Unit
    ) -> None:
        row, values = total
        for index, year in self.years:
            if cells.is_blank(values[index]):
                continue
            try:
                stated = cells.amount(values[index], unit)
            except cells.CellError as error:
                self.problems.add(
                    str(error), row=row, column=cells.where(index, self.header[index])
                )
                continue
            added = sum((line.values.get(year, ZERO) for line in lines), ZERO)
            if stated != added:
                self.problems.add(
                    f"the Total for {year} is {_shown(stated, unit)} but the lines add up to "
                    f"{_shown(added, unit)}: a difference of {_shown(stated - added, unit)}",
                    row=row,
                    column=cells.where(index, self.header[index]),
                )
        self._check_fte_total(lines, row, values)

    def _check_fte_total(self, lines: list[AppendixLine], row: int, values: list[str]) -> None:
        index = self.fields.get("fte")
        if index is None or cells.is_blank(values[index]):
            return
        try:
            stated, _ = cells.fte(values[index])
        except cells.CellError as error:
            self._problem(str(error), row, index)
            return
        added = sum((line.fte for line in lines if line.fte is not None), ZERO)
        if stated is not None and stated != added:
            self.problems.add(
                f"the Total FTE is {cells.text(values[index])} but the lines add up to "
                f"{added}: a difference of {stated - added}",
                row=row,
                column=cells.where(index, self.header[index]),
            )

    def _check_references(self, lines: list[AppendixLine]) -> None:
        first_row: dict[str, int] = {}
        index = self.fields["reference"]
        for line in lines:
            if line.reference in first_row:
                self.problems.add(
                    f"reference {line.reference!r} is used more than once "
                    f"(first on row {first_row[line.reference]})",
                    row=line.row,
                    column=cells.where(index, self.header[index]),
                )
            else:
                first_row[line.reference] = line.row


def _header_index(records: list[list[str]]) -> int:
    """The heading row: the first of the first ten rows with a Ref heading (a title line may
    come first), else the first row that is not blank."""
    filled = [i for i, row in enumerate(records) if any(not cells.is_blank(v) for v in row)]
    for index in filled[:10]:
        keys = {cells.heading_key(value) for value in records[index]}
        if any(HEADINGS.get(key) == "reference" for key in keys):
            return index
    return filled[0]


def _shown(pounds: Decimal, unit: Unit) -> str:
    """An amount as the file writes it (in its unit), with every decimal it has."""
    exponent = in_unit(pounds, unit).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{format_amount(pounds, unit, places)} {unit.label}"


def apply_appendix(
    base: ProgrammeFigures,
    appendix: AppendixFile,
    *,
    remove_missing: bool = False,
    workstream: str = "",
) -> ProgrammeFigures:
    """``base`` with the appendix's lines added or updated (matched by Ref).

    A line's workstream comes from the Workstream column, else the line's current workstream,
    else ``workstream`` (for new lines); a new line with none is an error. A workstream the plan
    does not have is an error, unless it is ``workstream`` or the plan has no workstreams yet
    (a new plan): then it is added with a budget of £0 to set later. Lines not in the file are
    kept unless ``remove_missing``.
    """
    problems = ProblemCollector(appendix.file)
    years = tuple(base.years)
    if appendix.years != years:
        problems.add(
            f"the year columns ({_span(appendix.years)}) must be the plan's years ({_span(years)})",
            row=1,
        )
        problems.raise_if_any()
    existing = {line.reference: line for line in base.lines}
    known = {stream.name for stream in base.workstreams}
    addable = {workstream.strip()} - {""} if known else None  # None: any name may be added
    updated: dict[str, LineFigures] = {}
    for line in appendix.lines:
        merged = _merged(
            existing.get(line.reference), line, appendix, years, (known, addable, workstream),
            problems,
        )  # fmt: skip
        if merged is not None:
            updated[line.reference] = merged
    problems.raise_if_any()
    added = [
        name
        for name in dict.fromkeys(line.workstream for line in updated.values())
        if name not in known
    ]
    if added:
        base = replace(
            base,
            workstreams=(*base.workstreams, *(WorkstreamFigures(name, ZERO) for name in added)),
        )
    kept = [updated.pop(line.reference, line) for line in base.lines]
    if remove_missing:
        in_file = {line.reference for line in appendix.lines}
        kept = [line for line in kept if line.reference in in_file]
    new = [updated[line.reference] for line in appendix.lines if line.reference in updated]
    return replace(base, lines=tuple(kept + new))


def _span(years: Sequence[FinancialYear]) -> str:
    if not years:
        return "none"
    return f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])


def _merged(
    current: LineFigures | None,
    line: AppendixLine,
    appendix: AppendixFile,
    years: tuple[FinancialYear, ...],
    streams: tuple[set[str], set[str] | None, str],
    problems: ProblemCollector,
) -> LineFigures | None:
    known, addable, default = streams
    workstream = (
        line.texts.get("workstream") or (current.workstream if current else "") or default.strip()
    )
    column = "Workstream" if "workstream" in appendix.fields else "Ref"
    if not workstream:
        problems.add(
            f"{line.reference} is a new line and has no workstream: add a Workstream column, "
            "or name the workstream for new lines (--workstream NAME)",
            row=line.row,
            column=column,
        )
        return None
    if workstream not in known and (addable is not None and workstream not in addable):
        problems.add(
            f"unknown workstream {workstream!r}: the plan's workstreams are "
            + "; ".join(sorted(known)),
            row=line.row,
            column=column,
        )
        return None
    texts = {name: value for name, value in line.texts.items() if name != "workstream"}
    recurrence = line.recurrence or (current.recurrence if current is not None else "recurrent")
    phasing = from_form(line.values, years, appendix.form, recurrence)
    fte_values = {"fte": line.fte, "fte_note": line.fte_note} if "fte" in appendix.fields else {}
    if current is None:
        title = texts.pop("title", "") or texts.get("service_activity", "") or line.reference
        return LineFigures(
            reference=line.reference,
            title=title,
            workstream=workstream,
            phasing=phasing,
            recurrence=recurrence,
            **texts,
            **fte_values,
        )
    if not texts.get("title"):
        texts.pop("title", None)
    return replace(
        current,
        workstream=workstream,
        phasing=phasing,
        recurrence=recurrence,
        **texts,
        **fte_values,
    )
