"""Dates as councils' files write them: day first, ISO, with a time, with a two-digit year.

The SSDA903 specification writes dates ``dd/mm/YYYY``. Real exports also carry:

- a time after the date (``31/03/2024 00:00``, ``2024-03-31T00:00:00``, ``3/31/2024 12:00 AM``):
  the time is ignored;
- a two-digit year (``31/03/24``): read as the latest year ending in those two digits that is
  not after the ``pivot`` year (the collection year of the return), so ``24`` is 2024 and
  ``99`` is 1999 in a 2024-25 return;
- month first (US style, ``03/31/2024``), from a spreadsheet set to a US locale.

The order of day and month is decided per file and column (``column_orders``): a value whose
first number is over 12 proves day first, one whose second number is over 12 proves month
first. A column with proof of month first only is read month first; a column with both is
mixed and refused; a column with no proof either way is read day first, unless another date
column of the same file is month first: then it is ambiguous and refused. A refusal names the
file and the column (``DateOrderError``), so no row is dropped silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csplan.demand.readers import InputError

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"

_TIME = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}"
_SLASHED = rf"(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep)(?P<c>\d{{4}}|\d{{2}}){_TIME}"
_EARLIEST = pd.Timestamp("1900-01-01")
_LATEST = pd.Timestamp("2100-12-31")
#: Two-digit years when no collection year is known: 00-68 are 20xx, 69-99 are 19xx (as
#: Python's ``%y``); with a collection year the pivot is that year.
DEFAULT_PIVOT = 2068


class DateOrderError(InputError):
    """Day and month cannot be told apart in a column; the message names file and column."""


def parse_dates(
    values: pd.Series, *, order: str = DAY_FIRST, pivot: int = DEFAULT_PIVOT
) -> pd.Series:
    """Dates as written in a return; NaT where a value is not a date.

    ``order`` says whether slashed dates are day first (``dd/mm/YYYY``, the default) or month
    first. Impossible dates (31/02/2024) and years before 1900 or after 2100 give NaT.
    """
    codes, distinct = _distinct(values)
    parsed = _parse_distinct(distinct, order, pivot)
    return pd.Series(parsed.to_numpy()[codes], index=values.index, dtype="datetime64[ns]")


def _parse_distinct(values: pd.Series, order: str, pivot: int) -> pd.Series:
    text = values.astype(str).str.strip()
    if order == DAY_FIRST:  # the usual case, fast
        result = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    else:
        result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = result.isna() & (text != "")
    if todo.any():
        rest = text[todo]
        slashed = rest.str.extract(f"^{_SLASHED}$")
        found = slashed["a"].notna()
        if found.any():
            first, second = slashed.loc[found, "a"], slashed.loc[found, "b"]
            day, month = (first, second) if order == DAY_FIRST else (second, first)
            year = _full_year(slashed.loc[found, "c"], pivot)
            result[found[found].index] = _from_parts(year, month, day)
        iso = rest[~found].str.extract(f"^{_ISO}$")
        iso = iso[iso["y"].notna()]
        if len(iso):
            result[iso.index] = _from_parts(iso["y"].astype(int), iso["m"], iso["d"])
    result = result.where((result >= _EARLIEST) & (result <= _LATEST))
    return result.astype("datetime64[ns]")


def _full_year(text: pd.Series, pivot: int) -> pd.Series:
    """Four-digit years as written; a two-digit year the latest one not after ``pivot``."""
    year = text.astype(int)
    short = text.str.len() == 2
    century = (pivot // 100) * 100
    full = century + year
    full = full.where(full <= pivot, full - 100)
    return year.where(~short, full)


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    parts = pd.DataFrame({"year": year.astype(int), "month": month.astype(int),
                          "day": day.astype(int)})  # fmt: skip
    return pd.to_datetime(parts, errors="coerce")


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes into the distinct texts of a column, and those texts (a column repeats a few
    thousand dates: every check and parse runs on them, not on the rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not values.hasnans:
        cat = values.array  # a categorical's texts are distinct: keep those the rows have
        used = np.flatnonzero(np.bincount(cat.codes, minlength=len(cat.categories)))
        place = np.zeros(len(cat.categories), dtype=np.intp)
        place[used] = np.arange(len(used))
        texts = np.asarray(cat.categories, dtype=object)[used]
        return place[cat.codes], pd.Series(texts, dtype=object)
    codes, distinct = pd.factorize(values.astype(object).fillna(""), use_na_sentinel=False)
    return codes, pd.Series(distinct, dtype=object)


def slashed_order(values: pd.Series) -> tuple[int, int, int]:
    """Among the distinct slashed dates: how many prove day first, how many month first, and
    how many there are."""
    text = values.astype(str).str.strip()
    plain = _plain_slashed(np.asarray(text, dtype=object))
    # dd/dd/dddd (nearly every date) read by position, the rest by the pattern.
    digits = np.array(np.asarray(text[plain], dtype=object), dtype="U10")
    codes = digits.view(np.uint32).reshape(len(digits), 10).astype(np.int64) - ord("0")
    first, second = codes[:, 0] * 10 + codes[:, 1], codes[:, 3] * 10 + codes[:, 4]
    parts = text[~plain].str.extract(f"^{_SLASHED}$")
    parts = parts[parts["a"].notna()]
    first = np.concatenate([first, parts["a"].astype(int).to_numpy()])
    second = np.concatenate([second, parts["b"].astype(int).to_numpy()])
    day_first = int(((first > 12) & (second <= 12)).sum())
    month_first = int(((second > 12) & (first <= 12)).sum())
    return day_first, month_first, len(digits) + len(parts)


def _plain_slashed(texts: np.ndarray) -> np.ndarray:
    """Where a text is two ASCII digits, a slash, two digits, a slash and four digits."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(texts, type=pa.string())
    except (pa.ArrowException, UnicodeError):  # a text UTF-8 cannot hold: none is plain
        return np.zeros(len(texts), dtype=bool)
    plain = pc.match_substring_regex(array, "^[0-9]{2}/[0-9]{2}/[0-9]{4}$")
    return plain.to_numpy(zero_copy_only=False)


def column_orders(frame: pd.DataFrame, columns: list[str], file: str) -> dict[str, str]:
    """The order of day and month in each date column of one file (see the module docstring).

    Raises ``DateOrderError`` naming the file and column when a column is mixed, or has no
    proof either way while another column of the file is month first.
    """
    distinct = {c: _distinct(frame[c])[1] for c in columns if c in frame.columns}
    return _orders(distinct, file)


def _orders(distinct: dict[str, pd.Series], file: str) -> dict[str, str]:
    evidence = {column: slashed_order(values) for column, values in distinct.items()}
    orders: dict[str, str] = {}
    for column, (day_first, month_first, _) in evidence.items():
        if day_first and month_first:
            raise DateOrderError(
                f"{file}, column {column}: dates are mixed, {day_first} distinct values are "
                f"day first (dd/mm/yyyy) and {month_first} month first (mm/dd/yyyy); write "
                "every date in one order (dd/mm/yyyy) and read the file again"
            )
        orders[column] = MONTH_FIRST if month_first else DAY_FIRST
    us_columns = [c for c, order in orders.items() if order == MONTH_FIRST]
    for column, (day_first, month_first, slashed) in evidence.items():
        if us_columns and slashed and not day_first and not month_first:
            raise DateOrderError(
                f"{file}, column {column}: cannot tell day from month: no value has a "
                f"number over 12, and column {us_columns[0]} of this file is written "
                "month first (mm/dd/yyyy); write the dates dd/mm/yyyy or YYYY-MM-DD"
            )
    return orders


def parse_columns(
    frame: pd.DataFrame, columns: list[str], file: str, pivot: int
) -> dict[str, pd.Series]:
    """Every date column of one file parsed in its own order; missing columns all NaT."""
    present = {c: _distinct(frame[c]) for c in columns if c in frame.columns}
    orders = _orders({c: distinct for c, (_, distinct) in present.items()}, file)
    parsed: dict[str, pd.Series] = {}
    for column in columns:
        if column in present:
            codes, distinct = present[column]
            dates = _parse_distinct(distinct, orders[column], pivot).to_numpy()
            parsed[column] = pd.Series(dates[codes], index=frame.index, dtype="datetime64[ns]")
        else:
            parsed[column] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return parsed


__all__ = ["DAY_FIRST", "MONTH_FIRST", "DateOrderError", "column_orders", "parse_columns",
           "parse_dates", "slashed_order"]  # fmt: skip
