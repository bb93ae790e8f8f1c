"""Renderers of a benchmark :class:`~csplan.benchmark.report.Report`: text, CSV, JSON, XLSX.

Text shows the rounded display values; CSV, JSON and XLSX carry the exact values (Decimal as
text in CSV/JSON, numbers in XLSX with a display format) so they can be re-used.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from csplan.benchmark.report import INTEGER, MONEY, RATE, TEXT, Cell, Report, Table
from csplan.core.table import neutralise

FORMATS = ("text", "csv", "json", "xlsx")


def render(report: Report, fmt: str) -> str | bytes:
    if fmt == "text":
        return to_text(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "json":
        return to_json(report)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def _text_table(table: Table) -> list[str]:
    header = [c.label for c in table.columns]
    body = [[cell.display for cell in row] for row in table.rows]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        parts = [
            v.ljust(w) if i == 0 or not _numeric(v) else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    lines = [table.title, "=" * len(table.title), line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in body]
    lines += [f"* {note}" for note in table.notes]
    notes = sorted({cell.note for row in table.rows for cell in row if cell.note})
    lines += [f"  note: {note}" for note in notes]
    return lines


def _numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or text[0] in "£–-")


def to_text(report: Report) -> str:
    lines = [report.title, ""]
    for table in report.tables:
        lines += _text_table(table)
        lines.append("")
    lines += report.notes
    return "\n".join(lines) + "\n"


def to_csv(report: Report) -> str:
    """One CSV with a ``table`` column first, so the tables can share one file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for table in report.tables:
        writer.writerow(["table", *[c.key for c in table.columns]])
        for row in table.rows:
            writer.writerow([table.key, *[_csv_value(c) for c in row]])
    return out.getvalue()


def _csv_value(cell: Cell) -> str | int:
    """The exact value; text from imported files is guarded against formula injection."""
    if cell.plain is None:
        return ""
    if cell.kind == TEXT and isinstance(cell.plain, str):
        return neutralise(cell.plain)
    return cell.plain


def to_dict(report: Report) -> dict[str, object]:
    return {
        "title": report.title,
        "la_code": report.la_code,
        "la_name": report.la_name,
        "year": report.year,
        "tables": [
            {
                "key": table.key,
                "title": table.title,
                "columns": [{"key": c.key, "label": c.label} for c in table.columns],
                "rows": [
                    {
                        col.key: {"value": cell.plain, "display": cell.display, "note": cell.note}
                        for col, cell in zip(table.columns, row, strict=True)
                    }
                    for row in table.rows
                ],
                "notes": table.notes,
            }
            for table in report.tables
        ],
        "notes": report.notes,
    }


def to_json(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False) + "\n"


_XLSX_FORMATS = {RATE: "#,##0.0", MONEY: "£#,##0;(£#,##0)", INTEGER: "#,##0"}


def _xlsx_value(cell: Cell) -> object:
    if isinstance(cell.value, Decimal):
        return cell.value  # openpyxl writes Decimal as a number
    if cell.value is None:
        return None
    if isinstance(cell.value, str):
        return neutralise(cell.value)
    if isinstance(cell.value, int):
        return cell.value
    return str(cell.value)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in report.tables:
        sheet = book.create_sheet(table.key)
        sheet.append([neutralise(report.title)])
        sheet.append([neutralise(table.title)])
        sheet.append([c.label for c in table.columns])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(c) for c in row])
            for target, source in zip(sheet[sheet.max_row], row, strict=True):
                if source.kind in _XLSX_FORMATS:
                    target.number_format = _XLSX_FORMATS[source.kind]
        for note in table.notes + report.notes:
            sheet.append([neutralise(note)])
        sheet.column_dimensions["A"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
