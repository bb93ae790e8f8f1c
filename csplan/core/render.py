"""Renderers: one ``Table`` to text, CSV, Markdown, JSON, XLSX or an HTML fragment.

Conventions shared by every format: the unit (£'000, £m, %) is named in the header, money is
rounded once to the column's places with ``round_half_up``, the committee formats (text,
Markdown, HTML) use thousands separators and brackets for negatives, and the machine formats
(CSV, JSON) use plain numbers (``-1500``). CSV and XLSX neutralise text that a spreadsheet
would read as a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import textwrap
from collections.abc import Callable, Mapping
from copy import copy
from datetime import date
from decimal import Decimal
from typing import Any

from csplan.core.money import in_unit
from csplan.core.table import (
    Cell,
    Column,
    ColumnKind,
    Row,
    RowKind,
    Table,
    exact,
    neutralise,
    rag_tag,
)

TEXT_WRAP = 40  # text columns wider than this wrap onto more lines in the terminal
NUMBER_HEADING_WRAP = 14


# --- text --------------------------------------------------------------------------------------


def render_text(table: Table, *, wrap: int = TEXT_WRAP) -> str:
    """Aligned columns for the terminal: text left, numbers right, rules above totals."""
    headings = [
        _wrapped(column.heading, NUMBER_HEADING_WRAP if column.is_numeric else wrap)
        for column in table.columns
    ]
    units = [column.unit_label for column in table.columns]
    body = [
        [_wrapped(text, wrap) for text in cells]
        for cells in (
            [c.display(v) for c, v in zip(table.columns, row.cells, strict=True)]
            for row in table.rows
        )
    ]
    widths = [
        max(
            [len(part) for part in headings[i]]
            + [len(units[i])]
            + [len(part) for cells in body for part in cells[i]]
        )
        for i in range(len(table.columns))
    ]
    out = [table.title, ""]
    head_height = max(len(parts) for parts in headings)
    for index in range(head_height):
        padded = [parts[index] if index < len(parts) else "" for parts in headings]
        out.append(_text_line(table.columns, padded, widths))
    if any(units):
        out.append(_text_line(table.columns, units, widths))
    rule = "  ".join("-" * width for width in widths)
    out.append(rule)
    for row, cells in zip(table.rows, body, strict=True):
        if row.is_total:
            out.append(rule)
        for index in range(max(len(parts) for parts in cells)):
            parts = [cell[index] if index < len(cell) else "" for cell in cells]
            out.append(_text_line(table.columns, parts, widths))
    out.append("")
    out.extend(table.notes)
    out.extend(f"Note: {note}" for note in table.cell_notes())
    return "\n".join(out) + "\n"


def _wrapped(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width) or [""]


def _text_line(columns: tuple[Column, ...], texts: list[str], widths: list[int]) -> str:
    cells = [
        text.rjust(width) if column.is_numeric else text.ljust(width)
        for column, text, width in zip(columns, texts, widths, strict=True)
    ]
    return "  ".join(cells).rstrip()


# --- CSV ---------------------------------------------------------------------------------------


def render_csv(table: Table, *, unit_row: bool = False) -> str:
    """Header and rows only (no title or notes), numbers plain in the column's unit.

    With ``unit_row`` the headings are the bare column names and the units go on a second
    row (as Hampshire prints its appendix); otherwise each heading names its unit.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if unit_row:
        writer.writerow([neutralise(column.heading) for column in table.columns])
        writer.writerow([column.unit_label for column in table.columns])
    else:
        writer.writerow([neutralise(column.heading_with_unit) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [
                neutralise(c.plain(v)) if isinstance(v, str) or v is None else c.plain(v)
                for c, v in zip(table.columns, row.cells, strict=True)
            ]
        )
    return buffer.getvalue()


# --- Markdown ----------------------------------------------------------------------------------


def render_markdown(table: Table) -> str:
    """A GitHub-flavoured Markdown table with its title, totals in bold and notes under it."""
    out = [f"**{_md(table.title)}**", ""]
    out.append("| " + " | ".join(_md(c.heading_with_unit) for c in table.columns) + " |")
    out.append("| " + " | ".join("---:" if c.is_numeric else ":---" for c in table.columns) + " |")
    for row in table.rows:
        texts = [_md(c.display(v)) for c, v in zip(table.columns, row.cells, strict=True)]
        if row.is_total:
            texts = [f"**{text}**" if text else "" for text in texts]
        out.append("| " + " | ".join(texts) + " |")
    notes = [*table.notes, *(f"Note: {note}" for note in table.cell_notes())]
    if notes:
        out.append("")
        out.extend(f"_{_md(note)}_  " for note in notes)
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


# --- JSON --------------------------------------------------------------------------------------


def table_to_dict(table: Table) -> dict[str, Any]:
    """Typed JSON: numbers are strings of exact decimals in the column's unit, rounded to the
    column's places as the table shows them; text stays text, blanks are null."""
    return {
        "name": table.name,
        "title": table.title,
        "meta": dict(table.meta),
        "units": list(table.units),
        "columns": [
            {
                "heading": column.heading,
                "kind": column.kind.value,
                "unit": column.unit_label or None,
                "places": column.places if column.is_numeric else None,
            }
            for column in table.columns
        ],
        "rows": [_json_row(table, row) for row in table.rows],
        "notes": list(table.notes),
    }


def _json_row(table: Table, row: Row) -> dict[str, Any]:
    """A row's kind and cells, and its cells' notes when it has any (null where none)."""
    out: dict[str, Any] = {
        "kind": row.kind.value,
        "cells": [_json_cell(c, v) for c, v in zip(table.columns, row.cells, strict=True)],
    }
    if any(row.notes):
        out["notes"] = [note or None for note in row.notes]
    return out


def _json_cell(column: Column, value: Cell) -> str | None:
    if value is None:
        return None
    return column.plain(value)


def render_json(table: Table) -> str:
    return json.dumps(table_to_dict(table), indent=2, ensure_ascii=False) + "\n"


# --- XLSX --------------------------------------------------------------------------------------

XLSX_FORMATS = {0: "#,##0;(#,##0)", 1: "#,##0.0;(#,##0.0)"}
XLSX_DATE_FORMAT = "d mmmm yyyy"  # 5 December 2026, as the pages show dates


def xlsx_number_format(column: Column) -> str:
    """``#,##0;(#,##0)`` for whole £'000, ``#,##0.0;(#,##0.0)`` for £m to one place, etc."""
    places = 2 if column.places is None else column.places
    if places in XLSX_FORMATS:
        return XLSX_FORMATS[places]
    decimals = "." + "0" * places
    return f"#,##0{decimals};(#,##0{decimals})"


def add_table_sheet(workbook: Any, table: Table) -> Any:
    """Write ``table`` to a new sheet of an openpyxl workbook and return the sheet.

    Numbers are real numbers (the exact value in the column's unit) with a number format that
    rounds the display; the header is frozen, totals are bold and the notes sit under the table.
    """
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(_sheet_title(table.name))
    bold = Font(bold=True)
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([neutralise(column.heading) for column in table.columns])
    sheet.append([column.unit_label or None for column in table.columns])
    for cell in (*sheet[2], *sheet[3]):
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    styles: dict[tuple[int, bool, bool], Any] = {}
    for number, row in enumerate(table.rows, start=4):
        sheet.append([_xlsx_value(c, v) for c, v in zip(table.columns, row.cells, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row=number, column=index)
            # Cells alike share one style: copying it is much faster than building it again.
            key = (index, isinstance(cell.value, str), row.kind is not RowKind.LINE)
            if key in styles:
                cell._style = copy(styles[key])
                if key[1]:
                    cell.data_type = "s"  # never a formula
            else:
                _style_cell(cell, column, row, bold)
                styles[key] = copy(cell._style)
    sheet.freeze_panes = "B4"
    sheet.append([])
    for note in [*table.notes, *(f"Note: {note}" for note in table.cell_notes())]:
        sheet.append([neutralise(note)])
    for index in range(1, len(table.columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = _xlsx_width(table, index - 1)
    return sheet


def _sheet_title(name: str) -> str:
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return cleaned[:31] or "Table"


def _xlsx_value(column: Column, value: Cell) -> Decimal | int | date | str | None:
    if value is None or isinstance(value, str):
        return None if value is None else neutralise(value)
    if isinstance(value, date):
        return value  # a real date, formatted as the pages show it
    if isinstance(value, int):
        if column.kind is ColumnKind.COUNT:
            return value
        value = Decimal(value)
    if column.kind in (ColumnKind.TEXT, ColumnKind.RAG):
        return exact(value)
    if column.kind is ColumnKind.MONEY and column.unit is not None:
        return in_unit(value, column.unit)  # exact: the number format rounds the display
    return value


def _style_cell(cell: Any, column: Column, row: Row, bold: Any) -> None:
    from openpyxl.styles import Alignment

    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula
        if column.is_numeric:
            cell.alignment = Alignment(horizontal="right", vertical="top")
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif column.kind is ColumnKind.DATE:
        cell.number_format = XLSX_DATE_FORMAT
        cell.alignment = Alignment(vertical="top")
    elif column.is_numeric:
        cell.number_format = (
            "0.0;(0.0)" if column.kind is ColumnKind.PERCENT else xlsx_number_format(column)
        )
        cell.alignment = Alignment(vertical="top")
    if row.kind is not RowKind.LINE:
        cell.font = bold


def _xlsx_width(table: Table, index: int) -> float:
    column = table.columns[index]
    texts = [column.heading] + [column.display(row.cells[index]) for row in table.rows]
    longest = max(len(text) for text in texts)
    return float(min(max(longest + 2, 8), 60 if not column.is_numeric else 20))


def render_xlsx(table: Table) -> bytes:
    """A workbook with one sheet holding ``table``."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    add_table_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- HTML --------------------------------------------------------------------------------------


def render_html(
    table: Table, *, caption: bool = True, row_links: Mapping[str, str] | None = None
) -> str:
    """A GOV.UK Design System table fragment (escaped), totals in bold, notes under it.

    ``row_links`` maps a row's first cell (e.g. a line's reference) to the page it links to.
    """
    e = html.escape
    out = ['<table class="govuk-table csplan-report">']
    if caption:
        out.append(
            f'<caption class="govuk-table__caption govuk-table__caption--m">'
            f"{e(table.title)}</caption>"
        )
    out.append('<thead class="govuk-table__head"><tr class="govuk-table__row">')
    for column in table.columns:
        numeric = " govuk-table__header--numeric" if column.is_numeric else ""
        unit = f"<br>{e(column.unit_label)}" if column.unit_label else ""
        out.append(
            f'<th scope="col" class="govuk-table__header{numeric}">{e(column.heading)}{unit}</th>'
        )
    out.append("</tr></thead>")
    out.append('<tbody class="govuk-table__body">')
    for row in table.rows:
        kind = "" if row.kind is RowKind.LINE else f" csplan-{row.kind.value}"
        out.append(f'<tr class="govuk-table__row{kind}">')
        for index, (column, value) in enumerate(zip(table.columns, row.cells, strict=True)):
            shown = column.display(value)
            text = e(shown)
            if column.kind is ColumnKind.RAG and text:
                text = _rag_html(shown)
            elif row.is_total and text:
                text = f"<strong>{text}</strong>"
            elif index == 0 and row_links and shown in row_links:
                text = f'<a class="govuk-link" href="{e(row_links[shown])}">{text}</a>'
            numeric = " govuk-table__cell--numeric" if column.is_numeric else ""
            tag = "th" if index == 0 else "td"
            scope = ' scope="row"' if index == 0 else ""
            note = f' title="{e(row.note(index))}"' if row.note(index) else ""
            out.append(f'<{tag}{scope} class="govuk-table__cell{numeric}"{note}>{text}</{tag}>')
        out.append("</tr>")
    out.append("</tbody></table>")
    out.extend(f'<p class="govuk-body-s">{e(note)}</p>' for note in table.notes)
    out.extend(f'<p class="govuk-body-s">Note: {e(note)}</p>' for note in table.cell_notes())
    return "\n".join(out) + "\n"


def _rag_html(shown: str) -> str:
    """A rating as a coloured GOV.UK tag with its word (never colour alone)."""
    word, colour = rag_tag(shown)
    return f'<strong class="govuk-tag govuk-tag--{colour}">{html.escape(word)}</strong>'


# --- by name -----------------------------------------------------------------------------------

TEXT_RENDERERS: dict[str, Callable[[Table], str]] = {
    "text": render_text,
    "csv": render_csv,
    "md": render_markdown,
    "json": render_json,
    "html": render_html,
}
FORMATS = (*TEXT_RENDERERS, "xlsx")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {fmt: "txt" if fmt == "text" else fmt for fmt in FORMATS}


def render(table: Table, fmt: str) -> bytes:
    """``table`` in format ``fmt`` (text, csv, md, json, html, xlsx) as bytes (UTF-8 text)."""
    if fmt == "xlsx":
        return render_xlsx(table)
    if fmt not in TEXT_RENDERERS:
        raise ValueError(f"unknown format {fmt!r}: choose {', '.join(FORMATS)}")
    return TEXT_RENDERERS[fmt](table).encode("utf-8")


def download(table: Table, fmt: str) -> tuple[bytes, str, str]:
    """(body, media type, file name) for a web view's machine-readable twin of ``table``."""
    return render(table, fmt), MEDIA_TYPES[fmt], f"{table.name}.{EXTENSIONS[fmt]}"
