"""A report as data: a titled table of typed columns and typed cells.

Money cells hold exact ``Decimal`` pounds; the column says which unit (£, £'000, £m) and how
many decimal places the table shows, so every renderer rounds once, with the project's rule
(``csplan.core.money.round_half_up``). Count cells are whole numbers (``int`` or ``Decimal``),
shown with separators; date cells are ``datetime.date``, shown ``5 December 2026`` and written
``2026-12-05`` in the machine formats. A cell can also be text (``"n/a"``, ``"TBC"``) or
``None`` (blank) in any column, and can carry a note (why a published figure is missing, how
it was rounded): a row's ``notes`` run beside its cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from csplan.core.money import Unit, format_amount, format_percentage, in_unit, round_half_up

Cell = Decimal | int | date | str | None


class ColumnKind(StrEnum):
    TEXT = "text"
    MONEY = "money"  # exact pounds, shown in the column's unit
    PERCENT = "percent"  # a percentage (7.6 means 7.6%)
    NUMBER = "number"  # a plain quantity such as FTE
    COUNT = "count"  # a whole number of things (children, rows): separators, no places
    DATE = "date"  # a day: ``5 December 2026`` on the page, ``2026-12-05`` in CSV and JSON
    RAG = "rag"  # a delivery-confidence rating: the code in data, a coloured tag in HTML


_TEXT_KINDS = frozenset({ColumnKind.TEXT, ColumnKind.RAG})

# GOV.UK tag colours of the delivery-confidence ratings, by code and by label (as the
# programme's default key, csplan.programme.figures.DEFAULT_RAG_KEY, writes them).
RAG_TAGS: dict[str, tuple[str, str]] = {
    "B": ("Blue", "blue"),
    "G": ("Green", "green"),
    "A": ("Amber", "yellow"),
    "R": ("Red", "red"),
}
_RAG_BY_LABEL = {label.lower(): (label, colour) for label, colour in RAG_TAGS.values()}


def rag_tag(value: str) -> tuple[str, str]:
    """(word, GOV.UK tag colour) of a rating given by code (``A``) or label (``Amber``);
    an unknown rating keeps its own text, in grey."""
    text = value.strip()
    return RAG_TAGS.get(text.upper()) or _RAG_BY_LABEL.get(text.lower()) or (text, "grey")


class RowKind(StrEnum):
    LINE = "line"
    SUBTOTAL = "subtotal"
    TOTAL = "total"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: ColumnKind = ColumnKind.TEXT
    unit: Unit | None = None  # money columns only
    places: int | None = 0  # decimal places shown; None shows the exact value (exports)

    def __post_init__(self) -> None:
        if self.kind is ColumnKind.MONEY and self.unit is None:
            raise ValueError(f"money column {self.heading!r} needs a unit")
        if self.kind is ColumnKind.COUNT and self.places != 0:
            raise ValueError(f"count column {self.heading!r} shows whole numbers (places 0)")

    @property
    def is_numeric(self) -> bool:
        """Right-aligned, with a number format: every kind but text, ratings and dates."""
        return self.kind not in _TEXT_KINDS and self.kind is not ColumnKind.DATE

    @property
    def unit_label(self) -> str:
        """What the second header line shows: £'000, £m, % or nothing."""
        if self.kind is ColumnKind.MONEY and self.unit is not None:
            return self.unit.label
        if self.kind is ColumnKind.PERCENT:
            return "%"
        return ""

    @property
    def heading_with_unit(self) -> str:
        """One-line heading for CSV and Markdown: ``Total Budget (£m)``."""
        label = self.unit_label
        return f"{self.heading} ({label})" if label else self.heading

    def value_in_unit(self, value: Decimal) -> Decimal:
        """The number as the table shows it, rounded once (exact when ``places`` is None)."""
        shown = in_unit(value, self.unit) if self.kind is ColumnKind.MONEY and self.unit else value
        if self.places is None:
            return shown
        return round_half_up(shown, self.places)

    def display(self, value: Cell) -> str:
        """Committee format: separators, negatives in brackets, text as it is."""
        value = _decimal_if_int(value)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        if self.kind in _TEXT_KINDS:
            return plain(value)
        if self.places is None:
            return exact(self.value_in_unit(value))
        if self.kind is ColumnKind.PERCENT:
            return format_percentage(value, self.places)
        unit = self.unit if self.kind is ColumnKind.MONEY and self.unit else Unit.POUNDS
        return format_amount(value, unit, self.places)

    def plain(self, value: Cell) -> str:
        """Machine format: the number in the column's unit with no separators (``-1500``),
        a date as ``2026-12-05``."""
        value = _decimal_if_int(value)
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, date):
            return value.isoformat()
        if self.kind in _TEXT_KINDS:
            return plain(value)
        shown = self.value_in_unit(value)
        return exact(shown) if self.places is None else plain(shown)


def _decimal_if_int(value: Cell) -> Decimal | date | str | None:
    """Counts may be given as ``int``: every renderer works on ``Decimal``."""
    if isinstance(value, int):
        return Decimal(value)
    return value


def plain(amount: Decimal) -> str:
    """A decimal as a plain string: no exponent, no separators, never ``-0``."""
    text = format(amount, "f")
    if text.startswith("-") and amount == 0:
        return text[1:]
    return text


def exact(amount: Decimal) -> str:
    """An exact decimal with no trailing zeros (``1500``, ``1.036``)."""
    normalized = amount.normalize() if amount != amount.to_integral_value() else amount.quantize(1)
    return plain(normalized)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    kind: RowKind = RowKind.LINE
    notes: tuple[str, ...] = ()  # none, or one per cell ("" where a cell has none)

    @property
    def is_total(self) -> bool:
        return self.kind is not RowKind.LINE

    def note(self, index: int) -> str:
        return self.notes[index] if self.notes else ""


@dataclass(frozen=True)
class Table:
    """A report table: the data every renderer (text, CSV, Markdown, JSON, XLSX, HTML) uses."""

    name: str  # a short identifier, also used as the XLSX sheet name and file stem
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)  # council, plan, phasing form…

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"row {number} of {self.name!r} has {len(row.cells)} cells "
                    f"for {len(self.columns)} columns"
                )
            if row.notes and len(row.notes) != len(row.cells):
                raise ValueError(
                    f"row {number} of {self.name!r} has {len(row.notes)} notes "
                    f"for {len(row.cells)} cells"
                )

    @property
    def units(self) -> tuple[str, ...]:
        """The distinct money units of the table, in column order."""
        seen: list[str] = []
        for column in self.columns:
            if column.kind is ColumnKind.MONEY and column.unit and column.unit.label not in seen:
                seen.append(column.unit.label)
        return tuple(seen)

    def column_index(self, heading: str) -> int:
        return next(i for i, column in enumerate(self.columns) if column.heading == heading)

    def row_labelled(self, label: str) -> Row:
        """The row whose first cell is ``label`` (for tests and look-ups)."""
        return next(row for row in self.rows if row.cells and row.cells[0] == label)

    def cell_notes(self) -> list[str]:
        """Every cell's note as a line naming its row and column, in table order."""
        return [
            f"{self.columns[0].display(row.cells[0])}, {column.heading}: {note}"
            for row in self.rows
            if row.notes
            for column, note in zip(self.columns, row.notes, strict=True)
            if note
        ]

    def displayed(self) -> list[list[str]]:
        """Every row as the committee sees it (for tests and simple templates)."""
        return [
            [column.display(cell) for column, cell in zip(self.columns, row.cells, strict=True)]
            for row in self.rows
        ]


def neutralise(text: str) -> str:
    """Stop a spreadsheet reading text as a formula (CSV/XLSX formula injection).

    Text that begins with ``= + - @`` (or a tab or carriage return) is prefixed with an
    apostrophe; ``unneutralise`` removes it when the file is read back.
    """
    if text and text[0] in _FORMULA_STARTS:
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in _FORMULA_STARTS:
        return text[1:]
    return text


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
