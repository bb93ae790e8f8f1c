"""Tables as data, with their machine-readable twins (CSV and JSON).

Every table a page shows is built here first as typed rows; the HTML template, the CSV and the
JSON are three renderings of the same ``Table``. Money cells are exact ``Decimal`` pounds: the
HTML shows them as £ with pence, CSV and JSON write the exact decimal string.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from csplan.core.money import round_half_up
from csplan.core.table import neutralise
from csplan.web.tables import attachment

TEXT, INT, MONEY, NUMBER, DATE = "text", "int", "money", "number", "date"
FORMATS = ("csv", "json")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in {INT, MONEY, NUMBER}


@dataclass
class Table:
    """A titled table: ``rows`` are dicts keyed by column key."""

    name: str  # used for the file name of the twins
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    caption: str = ""

    def html_rows(self) -> list[list[tuple[str, bool]]]:
        """Each cell as (text, numeric) for the template."""
        return [
            [(display(row.get(c.key), c.kind), c.numeric) for c in self.columns]
            for row in self.rows
        ]

    def plain_rows(self) -> list[dict[str, Any]]:
        return [{c.key: plain(row.get(c.key), c.kind) for c in self.columns} for row in self.rows]


def display(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == MONEY:
        amount = Decimal(value)
        text = f"£{abs(amount):,.2f}"
        return f"−{text}" if amount < 0 else text
    if kind == INT:
        return f"{int(value):,}"
    if kind == NUMBER:
        return f"{round_half_up(Decimal(repr(float(value))), 1):,.1f}"
    if kind == DATE and isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return str(value)


def plain(value: Any, kind: str) -> Any:
    """The value as JSON can carry it: money as an exact decimal string."""
    if value is None:
        return None
    if kind == MONEY:
        return format(Decimal(value), "f")
    if kind == INT:
        return int(value)
    if kind == NUMBER:
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def requested_format(request: HttpRequest) -> str | None:
    wanted = request.GET.get("format", "").lower()
    return wanted if wanted in FORMATS else None


def twin_response(
    tables: Sequence[Table], wanted: str, *, meta: dict | None = None
) -> HttpResponse:
    """The CSV or JSON twin of a page's tables (CSV: the ``table`` parameter picks one)."""
    if wanted == "json":
        body = {
            **(meta or {}),
            "tables": [
                {
                    "name": t.name,
                    "title": t.title,
                    "columns": [
                        {"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns
                    ],
                    "rows": t.plain_rows(),
                }
                for t in tables
            ],
        }
        return JsonResponse(body, json_dumps_params={"indent": 1})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    several = len(tables) > 1
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        header = ([("table")] if several else []) + [c.label for c in table.columns]
        writer.writerow(header)
        for row in table.plain_rows():
            cells = ["" if row[c.key] is None else _csv_cell(row[c.key]) for c in table.columns]
            writer.writerow(([table.name] if several else []) + cells)
    name = tables[0].name if len(tables) == 1 else "tables"
    return attachment(buffer.getvalue(), "text/csv; charset=utf-8", f"{name}.csv")


def _csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is neutralised, as in every other CSV."""
    return neutralise(value) if isinstance(value, str) else value


def pick_table(tables: Sequence[Table], name: str | None) -> list[Table]:
    """One table by name when asked (``?table=``), else all of them."""
    if name:
        chosen = [t for t in tables if t.name == name]
        if chosen:
            return chosen
    return list(tables)


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=json_default)
