"""Find SSDA903 tables in folders, zips and file lists, and read them as text.

Every cell is read as a string (stripped, "" when empty) so that nothing is guessed before
the rules in ``episodes`` see it: a bad date stays visible as the text the user typed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from csplan.core import limits

HEADER_REQUIRED = ("CHILD", "SEX", "DOB")
EPISODES_REQUIRED = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC")
UASC_REQUIRED = ("CHILD",)

TABLE_EXTENSIONS = (".csv", ".xlsx", ".xlsm")


class InputError(ValueError):
    """The input cannot be used at all; the message names the file (and column)."""


@dataclass
class Table:
    """One table read from a file (or one sheet of a workbook)."""

    kind: str  # "header", "episodes" or "uasc"
    year: int
    name: str  # file name relative to the source, plus "[sheet]" for workbooks
    frame: pd.DataFrame  # all columns str, upper-case column names


@dataclass
class _RawFile:
    name: str  # relative to the source, with forward slashes
    data: bytes


def find_tables(source: Path | str | Sequence[Path | str]) -> tuple[list[Table], list[str]]:
    """All header, episodes and UASC tables in ``source``, and the names of files ignored."""
    tables: list[Table] = []
    ignored: list[str] = []
    for raw in _raw_files(source):
        for name, frame in _read_frames(raw):
            kind = _table_kind(name, frame)
            if kind is None:
                ignored.append(name)
                continue
            _check_columns(kind, name, frame)
            tables.append(Table(kind, collection_year(name), name, frame))
    return tables, ignored


# -- finding files ----------------------------------------------------------------------------


def _raw_files(source: Path | str | Sequence[Path | str]) -> Iterator[_RawFile]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            yield from _folder_files(path)
        else:
            yield from _single_file(path, path.name)
        return
    paths = [Path(p) for p in source]
    if not paths:
        raise InputError("no files given")
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            yield from _folder_files(path, prefix=path.name + "/")
        else:
            # Keep the parent folder's name: it often carries the collection year.
            yield from _single_file(path, f"{path.parent.name}/{path.name}")


def _folder_files(folder: Path, prefix: str = "") -> Iterator[_RawFile]:
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or _hidden(relative):
            continue
        yield from _single_file(path, prefix + relative)


def _single_file(path: Path, name: str) -> Iterator[_RawFile]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _zip_files(_within_limits(name, lambda: limits.read_import_file(path)), name)
    elif suffix in TABLE_EXTENSIONS:
        yield _checked(_RawFile(name, _within_limits(name, lambda: limits.read_import_file(path))))


def _zip_files(
    data: bytes, zip_name: str, spend: limits.ByteBudget | None = None
) -> Iterator[_RawFile]:
    """The tables in a zip (and the zips in it), each member read a chunk at a time against
    one running budget of decompressed bytes; the sizes the zip declares are not trusted."""
    spend = spend or limits.ByteBudget(limits.budget("MAX_UNZIPPED_BYTES"), "a zip")
    try:
        archive = _within_limits(zip_name, lambda: limits.open_zip(data, zip_name))
    except zipfile.BadZipFile as error:
        raise InputError(f"{zip_name}: not a readable zip file ({error})") from error
    with archive:
        wanted = [
            info
            for info in sorted(archive.infolist(), key=lambda i: i.filename)
            if not info.is_dir()
            and not _hidden(info.filename)
            and PurePosixPath(info.filename).suffix.lower() in (".zip", *TABLE_EXTENSIONS)
        ]
        _within_limits(zip_name, lambda: limits.check_declared(wanted, zip_name, spend))
        for info in wanted:
            suffix = PurePosixPath(info.filename).suffix.lower()
            name = f"{zip_name}/{info.filename}"
            data = _within_limits(
                name, lambda info=info: limits.read_member(archive, info, zip_name, spend)
            )
            if suffix == ".zip":
                yield from _zip_files(data, name, spend)
            else:
                yield _checked(_RawFile(name, data))


def _within_limits(name: str, read: Any) -> Any:
    """``read()``, with a broken budget (``limits.FileRefused``) as an ``InputError``."""
    try:
        return read()
    except limits.FileRefused as refused:
        raise InputError(str(refused)) from None


def _checked(raw: _RawFile) -> _RawFile:
    """The file, once its rows, columns and cells are within the budgets (before parsing)."""
    suffix = PurePosixPath(raw.name).suffix.lower()
    check = limits.check_csv if suffix == ".csv" else limits.check_workbook
    _within_limits(raw.name, lambda: check(raw.name, raw.data))
    return raw


def _hidden(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return any(p.startswith((".", "~$")) or p == "__MACOSX" for p in parts)


# -- reading ----------------------------------------------------------------------------------


def _read_frames(raw: _RawFile) -> Iterator[tuple[str, pd.DataFrame]]:
    suffix = PurePosixPath(raw.name).suffix.lower()
    if suffix == ".csv":
        yield raw.name, _tidy(_read_csv(raw))
        return
    try:
        sheets = pd.read_excel(io.BytesIO(raw.data), sheet_name=None, dtype=str, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise InputError(f"{raw.name}: cannot read this workbook ({error})") from error
    for sheet, frame in sheets.items():
        name = raw.name if len(sheets) == 1 else f"{raw.name}[{sheet}]"
        yield name, _tidy(frame)


def _read_csv(raw: _RawFile) -> pd.DataFrame:
    text = _decode(raw)
    if not text.strip():
        return pd.DataFrame()
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(f"{raw.name}: cannot read this CSV file ({error})") from error


def _decode(raw: _RawFile) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = raw.data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    return raw.data.decode("cp1252", errors="replace")


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Upper-case, stripped column names; every cell a stripped string, "" when empty.

    Completely blank rows are dropped; the index is the row's position among the data rows
    of the file (0 = the line after the header).
    """
    names = [str(c).strip().upper() for c in frame.columns]
    keep = [i for i, name in enumerate(names) if not name.startswith("UNNAMED:")]
    columns = {names[i]: _stripped(frame.iloc[:, i]) for i in keep}
    tidy = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)), dtype=object)
    # Blank lines are dropped, but the index keeps each row's place in the file, so that
    # row numbers reported to the user (index + 2) are the ones their spreadsheet shows.
    if not columns:
        return tidy.iloc[0:0]
    blank = np.logical_and.reduce([values == "" for values in columns.values()])
    return tidy[~blank]


def _stripped(values: pd.Series) -> np.ndarray:
    """The column as stripped text ("" for empty), each distinct value stripped once."""
    return each_distinct(values, lambda v: str(v).strip(), missing="")


def each_distinct(values: pd.Series, func: Any, missing: Any = "") -> np.ndarray:
    """``func`` of every value, computed once per distinct value (a return repeats its codes
    and dates many times); ``missing`` where a value is missing."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    results = np.array([func(v) for v in np.asarray(distinct, dtype=object)] + [missing],
                       dtype=object)  # fmt: skip
    return results[codes]  # code -1 (a missing cell) takes ``missing``, at the end


# -- recognising tables -----------------------------------------------------------------------


def _table_kind(name: str, frame: pd.DataFrame) -> str | None:
    """Which 903 table this is: by its columns first, then by its file name."""
    columns = set(frame.columns)
    stem = PurePosixPath(name.split("[")[0]).name.lower() + " " + name.lower()
    if "DECOM" in columns or ("episode" in stem and "CHILD" in columns):
        return "episodes"
    if "DUC" in columns or re.search(r"uasc", stem):
        return "uasc"
    others = {"REVIEW", "MISSING", "DATE_INT", "DATE_PLACED", "PREV_PERM", "SDQ_SCORE",
              "IN_TOUCH", "SW_ID", "DOLO_START", "MIS_START"}  # fmt: skip
    if columns & others:
        return None
    if {"CHILD", "SEX", "DOB"} <= columns or "header" in stem:
        return "header"
    return None


def _check_columns(kind: str, name: str, frame: pd.DataFrame) -> None:
    required = {"header": HEADER_REQUIRED, "episodes": EPISODES_REQUIRED, "uasc": UASC_REQUIRED}
    missing = [c for c in required[kind] if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name}: the {kind} table has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''} (columns found: {', '.join(frame.columns)})"
        )


_YEAR_PAIR = re.compile(r"(?<!\d)(20\d\d)\s*[-_/]\s*(\d\d)(?!\d)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def collection_year(name: str) -> int:
    """The collection year of a file from its name or its folders, innermost first.

    ``2023-24`` or ``2023_24`` means the year ending March 2024 (2024); a lone ``2024`` is 2024.
    """
    parts = list(PurePosixPath(name.split("[")[0]).parts)
    for part in reversed(parts):
        pair = _YEAR_PAIR.search(part)
        if pair and (int(pair.group(1)) + 1) % 100 == int(pair.group(2)):
            return int(pair.group(1)) + 1
        single = _YEAR.findall(part)
        if single:
            return int(single[-1])
    raise InputError(
        f"{name}: cannot tell which collection year this file is for; put the year in the "
        "file name or its folder name (e.g. 2024/episodes.csv or episodes_2024.csv)"
    )
