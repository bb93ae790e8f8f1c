"""Reading the cells of a spreadsheet or CSV file: amounts, years, FTE, yes/no, headings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from csplan.core.money import MoneyError, Unit, check_size, from_unit, round_half_up, to_decimal
from csplan.core.periods import FinancialYear, PeriodError
from csplan.core.table import unneutralise

FTE_UNKNOWN_WORDS = ("tbc", "tbd", "unknown", "n/k")
_YEAR_HEADING = re.compile(
    r"^\s*(?P<year>\d{4}\s*[/\-–]\s*\d+)\s*(?:\(?\s*(?P<unit>£\s*'?\s*000|£m|£)\s*\)?)?\s*$",
    re.IGNORECASE,
)
_LOOKS_LIKE_YEAR = re.compile(r"^\s*\d{4}")
_UNIT_WORDS = {"£'000", "£000", "£ '000", "£m", "£", "£’000"}


class CellError(ValueError):
    """A cell that cannot be read; the message says what is wrong with it."""


def text(value: object) -> str:
    """A cell as trimmed text, with a formula-injection guard removed."""
    if value is None:
        return ""
    if isinstance(value, float):
        return format(spreadsheet_decimal(value), "f")
    return unneutralise(str(value).strip())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def spreadsheet_decimal(value: float) -> Decimal:
    """A spreadsheet's binary float as the shortest decimal that reads back the same."""
    return Decimal(repr(value))


def number(value: object) -> Decimal:
    """An exact number from a cell: int, Decimal, numeric text (commas, brackets) or a
    spreadsheet float (read as its shortest decimal)."""
    if isinstance(value, float):
        return spreadsheet_decimal(value)
    if isinstance(value, str):
        value = unneutralise(value.strip())
    try:
        return to_decimal(value)
    except (MoneyError, TypeError):
        raise CellError(f"{text(value)!r} is not a number") from None


NIL_MARKS = ("-", "–", "—")  # published tables print a dash for nil


def amount(value: object, unit: Unit) -> Decimal:
    """Pounds from a cell in ``unit`` (a dash is nil); amounts must come to whole pence."""
    if isinstance(value, str) and unneutralise(value.strip()) in NIL_MARKS:
        return Decimal(0)
    try:
        figure = number(value)
    except CellError:
        raise CellError(f"{text(value)!r} is not an amount in {unit.label}") from None
    pounds = from_unit(figure, unit)
    if round_half_up(pounds, 2) != pounds:
        raise CellError(f"{text(value)} {unit.label} comes to a fraction of a penny")
    try:
        return check_size(pounds)
    except MoneyError as error:
        raise CellError(f"{text(value)} {unit.label}: {error}") from None


def non_negative(read: Any) -> Any:
    """``read`` that also refuses a negative number (budgets, FTE)."""

    def checked(value: object) -> Any:
        result = read(value)
        figure = result[0] if isinstance(result, tuple) else result
        if figure is not None and figure < 0:
            raise CellError(f"{text(value)} is negative: enter it as a positive number")
        return result

    return checked


def optional_amount(value: object, unit: Unit) -> Decimal | None:
    return None if is_blank(value) else amount(value, unit)


def fte(value: object) -> tuple[Decimal | None, str]:
    """(FTE, note): a number, or None with the note (``TBC``) when it is not yet known."""
    if is_blank(value):
        return None, ""
    if isinstance(value, str) and value.strip().lower() in FTE_UNKNOWN_WORDS:
        return None, value.strip().upper() if value.strip().lower() == "tbc" else value.strip()
    try:
        return number(value), ""
    except CellError:
        raise CellError(
            f"{text(value)!r} is not a number of posts (write a number or TBC)"
        ) from None


def yes_no(value: object) -> bool | None:
    """Yes / No / blank (not decided)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in {"yes", "y", "true"}:
        return True
    if word in {"no", "n", "false"}:
        return False
    raise CellError(f"{text(value)!r} must be Yes, No or blank")


def yes_no_text(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def heading_key(value: object) -> str:
    """A heading reduced for matching: lower case, no punctuation or unit in brackets."""
    words = re.sub(r"\(.*?\)", " ", text(value).lower())
    words = re.sub(r"[^a-z0-9%/]+", " ", words)
    return " ".join(words.split())


def looks_like_year(value: object) -> bool:
    return bool(_LOOKS_LIKE_YEAR.match(text(value)))


def year_heading(value: object) -> tuple[FinancialYear, Unit | None]:
    """``2016/17``, ``2016/17 £'000`` or ``2016/17 (£'000)`` as (year, unit named or None)."""
    raw = text(value).replace("\n", " ")
    match = _YEAR_HEADING.match(raw)
    if not match:
        raise CellError(f"{raw!r} is not a financial year written YYYY/YY, e.g. 2016/17")
    try:
        year = FinancialYear.parse(match.group("year"))
    except PeriodError as error:
        raise CellError(str(error)) from None
    unit_text = match.group("unit")
    return year, None if unit_text is None else unit_label(unit_text)


def unit_label(value: object) -> Unit:
    raw = text(value).replace(" ", "").replace("’", "'")
    if raw.lower() == "£000":
        raw = "£'000"
    try:
        return Unit.from_label(raw)
    except MoneyError as error:
        raise CellError(str(error)) from None


def is_unit_row(values: Sequence[object]) -> bool:
    """A second header row that only names units (Hampshire prints £'000 under each year)."""
    filled = [text(v).replace(" ", "") for v in values if not is_blank(v)]
    if not filled:
        return False
    return all(v.replace("’", "'") in _UNIT_WORDS or v == "%" for v in filled)


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def where(index: int, heading: object) -> str:
    """How a problem names a column: its heading, then its letter (``2017/18 (F)``)."""
    label = text(heading).replace("\n", " ") or "(no heading)"
    return f"{label} ({column_letter(index)})"
