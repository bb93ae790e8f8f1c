"""Find SSDA903 tables in folders, zips and file lists, and read them as text.

Every cell is read as a string (stripped, "" when empty) so that nothing is guessed before
the rules in ``episodes`` see it: a bad date stays visible as the text the user typed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
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
    frame: pd.DataFrame  # all columns text (categorical when columns are chosen), upper-case names


@dataclass
class _RawFile:
    name: str  # relative to the source, with forward slashes
    data: bytes


@dataclass
class TableScan:
    """What a source holds: the tables the model reads, other SSDA903 tables, other files."""

    tables: list[Table]
    ignored: list[str]  # files that are not SSDA903 tables
    unused: dict[str, str]  # SSDA903 tables the model does not use: name -> what table


def find_tables(source: Path | str | Sequence[Path | str]) -> tuple[list[Table], list[str]]:
    """All header, episodes and UASC tables in ``source``, and the names of files ignored
    (other SSDA903 tables among them)."""
    scan = scan_tables(source)
    return scan.tables, [*scan.ignored, *scan.unused]


def scan_tables(
    source: Path | str | Sequence[Path | str],
    columns: Mapping[str, Collection[str]] | None = None,
) -> TableScan:
    """All header, episodes and UASC tables in ``source``, the other SSDA903 tables (reviews,
    missing, the 2026-27 deprivation of liberty table, ...) and the files that are neither.

    ``columns`` (table kind -> column names) keeps only those columns, and the LA columns, of
    each table (the others are never turned into text: a return's postcodes and URNs are
    nearly unique); blank rows are still told from every column. None keeps every column.
    """
    scan = TableScan([], [], {})
    select = _selector(columns)
    for raw in _raw_files(source):
        for name, frame, names in _read_frames(raw, select):
            kind = _table_kind(name, names)
            if kind is None:
                other = other_table(name, frame)
                if other is None:
                    scan.ignored.append(name)
                else:
                    scan.unused[name] = other
                continue
            _check_columns(kind, name, names)
            scan.tables.append(Table(kind, collection_year(name), name, frame))
            del frame  # one file's columns at a time
        _release_arrow_memory()
    return scan


def _release_arrow_memory() -> None:
    """Hand the memory of a file's Arrow table back to the system (Arrow's allocator keeps
    it otherwise, and ten files of returns add up)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


#: Which of a table's columns to keep, given its name and every column name (None: all).
Selector = Callable[[str, list[str]], "Collection[str] | None"]


def _selector(columns: Mapping[str, Collection[str]] | None) -> Selector:
    def select(name: str, names: list[str]) -> Collection[str] | None:
        kind = _table_kind(name, names)
        if columns is None or kind is None or kind not in columns:
            return None
        return {*columns[kind], *LA_COLUMNS}

    return select


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


def _read_frames(
    raw: _RawFile, select: Selector = lambda name, names: None
) -> Iterator[tuple[str, pd.DataFrame, list[str]]]:
    """Each table of a file: its name, its tidy table (the columns ``select`` keeps) and the
    names of all its columns."""
    suffix = PurePosixPath(raw.name).suffix.lower()
    if suffix == ".csv":
        columns, rows = _read_csv(raw)
        names = list(columns)
        yield raw.name, _tidy_columns(columns, rows, select(raw.name, names)), names
        return
    sheets = _read_workbook(raw)
    for sheet, (columns, rows) in sheets.items():
        name = raw.name if len(sheets) == 1 else f"{raw.name}[{sheet}]"
        names = list(columns)
        yield name, _tidy_columns(columns, rows, select(name, names)), names


def _read_csv(raw: _RawFile) -> tuple[dict[str, Column], int]:
    """The columns of a CSV file and its rows (see ``_tidy_columns``): read by Arrow's CSV
    reader (columnar, in C++); a file it cannot read as it is (a short row, a quoted field
    after a space, a repeated column name) is read by pandas instead, whose message names
    what is wrong."""
    text, encoding = _decode(raw)
    if not text or text.isspace():
        return {}, 0
    delimiter = sniff_delimiter(text)
    fast = _read_csv_arrow(raw, text, encoding, delimiter)
    if fast is not None:
        return fast
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        first = text.lstrip("\ufeff").splitlines()[0][:80]
        raise InputError(
            f"{raw.name}: cannot read this CSV file, read as {encoding}, "
            f"{DELIMITER_NAMES[delimiter]}-separated, first line {first!r} ({error})"
        ) from error
    return _tidy(frame)


def _read_csv_arrow(
    raw: _RawFile, text: str, encoding: str, delimiter: str
) -> tuple[dict[str, Column], int] | None:
    """The columns read with ``pyarrow.csv``, or None when the file needs pandas' reader
    (the rules of the two readers differ only on such files)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first_line = text[:MAX_HEADER_CHARS].lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if "\r" in first_line or not first_line.strip() or '"' in first_line:
        return None  # old Mac line ends, a blank first line or quoted names: pandas reads it
    names = [name.strip() for name in first_line.split(delimiter)]
    kept = [name for name in names if name]
    if len(set(kept)) < len(kept):
        return None  # repeated column names: pandas numbers them
    payload = _utf8_payload(raw.data) if encoding == "UTF-8" else text.encode("utf-8")
    if b'"' in payload and re.search(rb"[%s][ \t]+\"" % re.escape(delimiter.encode()), payload):
        return None  # a quoted field after a space: only pandas' skipinitialspace unquotes it
    columns = [f"c{i}" for i in range(len(names))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(payload),
            read_options=pacsv.ReadOptions(column_names=columns, skip_rows=1),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=b'"' in payload
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    tidy: dict[str, Column] = {}
    for index, name in enumerate(names):
        if name:
            upper = name.upper()
            tidy[upper] = _arrow_column(table.column(index), ids=upper == "CHILD")
    return tidy, table.num_rows


def _arrow_column(column: Any, ids: bool = False) -> Column:
    """A column of Arrow's table (in chunks), joined into one array only when it is used.
    A column of ids keeps its distinct texts in Arrow when none needs stripping (see
    ``_arrow_ids``)."""

    def text(rows: np.ndarray | None = None) -> pd.Categorical:
        array = (column if rows is None else column.take(rows)).combine_chunks()
        found = _arrow_ids(array) if ids and rows is None else None
        return _arrow_stripped(array) if found is None else found

    return text


def _arrow_ids(column: Any) -> pd.Categorical | None:
    """A column of child ids as a categorical whose categories stay in Arrow (pandas' "str"
    dtype): nearly every row of a return has its own id, and the ids of ten files are
    united in Arrow (``episodes``) before they become Python text once. None when a value
    might need stripping (then ``_arrow_stripped`` reads it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    dictionary = encoded.dictionary
    if _strip_candidates(dictionary).any():
        return None
    if not pc.any(pc.equal(dictionary, "")).as_py():
        dictionary = pa.concat_arrays([dictionary, pa.array([""], type=dictionary.type)])
    try:
        text = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str"
    except TypeError:  # pandas before 2.3
        text = pd.StringDtype("pyarrow")
    categories = pd.Index(pd.array(dictionary, dtype=text))
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return pd.Categorical.from_codes(codes, dtype=_text_dtype(categories), validate=False)


def _text_dtype(categories: pd.Index) -> pd.CategoricalDtype:
    """The categorical dtype of distinct texts (pandas' own check of that hashes every text
    again: a column of child ids has a few hundred thousand)."""
    fast = getattr(pd.CategoricalDtype, "_from_fastpath", None)  # pandas' unchecked dtype
    return fast(categories, False) if fast else pd.CategoricalDtype(categories)


def _strip_candidates(dictionary: Any) -> np.ndarray:
    """Where a text starts or ends with a character ``str.strip`` might remove (ASCII white
    space or any non-ASCII character)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    edges = (pc.utf8_slice_codeunits(dictionary, 0, 1), pc.utf8_slice_codeunits(dictionary, -1))
    maybe = np.zeros(len(dictionary), dtype=bool)
    for edge in edges:
        blank = pc.is_in(edge, value_set=pa.array(list(_ASCII_SPACE)))
        maybe |= pc.or_(blank, pc.invert(pc.string_is_ascii(edge))).to_numpy(zero_copy_only=False)
    return maybe


#: The header line is looked for in the first characters of a CSV text.
MAX_HEADER_CHARS = 1024 * 1024


def _utf8_payload(data: bytes) -> bytes:
    return data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data


def _arrow_stripped(column: Any) -> pd.Categorical:
    """An Arrow string column as stripped Python text, each distinct value converted once and
    shared by the rows that have it (a column of codes holds a few dozen strings, not one
    per row). Only the values that start or end with a character ``str.strip`` might remove
    (ASCII white space or any non-ASCII character) are stripped in Python."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column)
    values = encoded.dictionary.to_numpy(zero_copy_only=False)
    maybe = _strip_candidates(encoded.dictionary)
    for index in np.flatnonzero(maybe):
        values[index] = values[index].strip()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if not maybe.any():  # Arrow's dictionary is distinct already
        return distinct_categorical(codes, values)
    return categorical(codes, values)


def categorical(codes: np.ndarray, values: np.ndarray) -> pd.Categorical:
    """The texts ``values[codes]`` as a categorical of distinct texts (``values`` may repeat
    a text, e.g. two cells that differ only in spaces)."""
    unique_codes, distinct = pd.factorize(values)
    return distinct_categorical(unique_codes[codes], distinct)


def distinct_categorical(codes: np.ndarray, distinct: Sequence[str]) -> pd.Categorical:
    """``distinct[codes]`` as a categorical whose categories always include "" (at the end
    when it is not among ``distinct``); ``distinct`` must hold each text once (pandas' own
    check of that hashes every text again: a column of child ids has a few hundred
    thousand)."""
    distinct = np.asarray(distinct, dtype=object)
    if not (distinct == "").any():
        distinct = np.append(distinct, "")
    categories = pd.Index(distinct, dtype=object)
    return pd.Categorical.from_codes(codes, dtype=_text_dtype(categories), validate=False)


#: The ASCII characters ``str.strip`` removes.
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _read_workbook(raw: _RawFile) -> dict[str, tuple[dict[str, Column], int]]:
    """The columns of every worksheet of an XLSX workbook, read by calamine (in Rust)."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw.data))
        sheets = {
            sheet.name: book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
            for sheet in book.sheets_metadata
            if sheet.typ == SheetTypeEnum.WorkSheet
        }
    except Exception as error:  # calamine raises several kinds for a damaged workbook
        raise InputError(f"{raw.name}: cannot read this workbook ({error})") from error
    return {name: _sheet_frame(rows) for name, rows in sheets.items()}


def _sheet_frame(rows: list[list[Any]]) -> tuple[dict[str, Column], int]:
    """A sheet's rows (the first holds the column names) as columns and a row count (see
    ``_tidy_columns``), each cell written as pandas' ``read_excel(dtype=str)`` writes it:
    whole numbers without ".0", a date as ``YYYY-MM-DD 00:00:00``, an empty cell or a
    missing-value word (``NA``, ``NULL``) "".
    """
    if not rows:
        return {}, 0
    width = max(len(row) for row in rows)
    names = _mangled([_cell_text(value) for value in rows[0]] + [""] * (width - len(rows[0])))
    body = [row + [""] * (width - len(row)) if len(row) < width else row for row in rows[1:]]
    columns = list(zip(*body, strict=True)) if body else [()] * width
    tidy: dict[str, Column] = {}
    for name, values in zip(names, columns, strict=True):
        name = name.strip().upper()
        if name:
            tidy[name] = _cells_column(pd.Series(values, dtype=object))
    return tidy, len(body)


def _cells_column(cells: pd.Series) -> Column:
    def text(rows: np.ndarray | None = None) -> np.ndarray:
        values = cells if rows is None else cells.iloc[rows]
        return distinct_text(values, lambda v: _cell_text(v).strip(), missing="")

    return text


def _mangled(names: list[str]) -> list[str]:
    """Column names as pandas makes them unique: the second ``X`` becomes ``X.1``."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name and name in seen:
            seen[name] += 1
            out.append(f"{name}.{seen[name]}")
        else:
            seen.setdefault(name, 0)
            out.append(name)
    return out


def _cell_text(value: Any) -> str:
    """One workbook cell as text (see ``_sheet_frame``)."""
    if value is None or (isinstance(value, str) and value in _NA_WORDS):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return str(dt.datetime(value.year, value.month, value.day))
    return str(value)


#: Words pandas' ``read_excel`` reads as a missing value.
_NA_WORDS = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
     "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)  # fmt: skip


#: The delimiters a CSV file may use, and how a message names them.
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: comma, semicolon or tab, judged on the header line.

    The header line of an SSDA903 table holds only column names, so the delimiter is the one
    of the three it has most of (``csv.Sniffer`` on the first lines breaks a tie); comma when
    the line has none (a one-column file).
    """
    head = text[:MAX_HEADER_CHARS].lstrip("\ufeff")
    lines = [line for line in head.splitlines() if line.strip()]
    if not lines:
        return ","
    counts = {d: lines[0].count(d) for d in DELIMITER_NAMES}
    best = max(counts.values())
    if best == 0:
        return ","
    tied = [d for d, n in counts.items() if n == best]
    if len(tied) == 1:
        return tied[0]
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters="".join(tied))
    except csv.Error:
        return tied[0]
    return dialect.delimiter


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decode(raw: _RawFile) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with.

    UTF-16 only with a byte-order mark or NUL bytes (which no text file in a one-byte
    encoding has); then UTF-8 (with or without a BOM); else Windows-1252, the encoding
    Excel on Windows writes "CSV" in.
    """
    data = raw.data
    if data.startswith(_UTF16_BOMS) or b"\x00" in data[:4096]:
        # Without a BOM the NUL bytes sit after (little-endian) or before (big-endian) ASCII.
        encoding = "utf-16" if data.startswith(_UTF16_BOMS) else (
            "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")  # fmt: skip
        try:
            return _decode_utf16(raw, data.decode(encoding)), "UTF-16"
        except UnicodeDecodeError as error:
            raise InputError(
                f"{raw.name}: cannot read this CSV file: it has NUL bytes but is not UTF-16 "
                f"({error}); save it as CSV (UTF-8)"
            ) from error
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        # Five bytes have no Windows-1252 character: they become U+FFFD rather than fail.
        return data.decode("cp1252", errors="replace"), "Windows-1252"


def _decode_utf16(raw: _RawFile, text: str) -> str:
    if "\x00" in text:
        raise InputError(
            f"{raw.name}: cannot read this CSV file: decoded as UTF-16 it still has NUL "
            "characters; save it as CSV (UTF-8)"
        )
    return text


#: A column of a file, turned into stripped text ("" when empty) when asked: all its rows,
#: or the rows at the given positions.
Column = Callable[..., np.ndarray]


def _tidy(frame: pd.DataFrame) -> tuple[dict[str, Column], int]:
    """Upper-case, stripped column names; every cell a stripped string, "" when empty."""
    names = [str(c).strip().upper() for c in frame.columns]
    keep = [i for i, name in enumerate(names) if not name.startswith("UNNAMED:")]
    return {names[i]: _series_column(frame.iloc[:, i]) for i in keep}, len(frame)


def _series_column(series: pd.Series) -> Column:
    def text(rows: np.ndarray | None = None) -> np.ndarray:
        return _stripped(series if rows is None else series.iloc[rows])

    return text


def _tidy_columns(
    columns: dict[str, Column], rows: int, keep: Collection[str] | None = None
) -> pd.DataFrame:
    """The tidy table of the columns ``keep`` names (None: all), as stripped text, without
    the rows that are blank in every column of the file. With ``keep`` the columns are
    categorical (a return repeats its codes and dates: the rules run on the distinct
    values); without it, Python text (object).

    The index is the row's position among the data rows of the file (0 = the line after the
    header): blank lines are dropped, but row numbers reported to the user (index + 2) are
    the ones their spreadsheet shows.
    """
    kept = {name: column() for name, column in columns.items() if keep is None or name in keep}
    if keep is None:
        kept = {name: np.asarray(text, dtype=object) for name, text in kept.items()}
    tidy = pd.DataFrame(kept, index=pd.RangeIndex(rows))
    if not columns:
        return tidy.iloc[0:0]
    # A row is blank when every cell is "": each column is looked at only in the rows still
    # blank after the columns before it (after the first, almost none); a column not kept is
    # turned into text only in those rows.
    blank = np.ones(rows, dtype=bool)
    for name, column in columns.items():
        still = np.flatnonzero(blank)
        if not len(still):
            break
        whole = len(still) == rows
        if name in kept:
            text = kept[name] if whole else kept[name][still]
        else:
            text = column() if whole else column(still)
        blank[still] = _is_blank(text)
    if not blank.any():
        return tidy
    return tidy[~blank]


def _is_blank(text: pd.Categorical | np.ndarray) -> np.ndarray:
    """Where the text is "" (a categorical's categories compared, then its codes)."""
    if isinstance(text, pd.Categorical):
        blank = np.flatnonzero(np.asarray(text.categories == ""))
        return np.isin(text.codes, blank)
    return text == ""


def _stripped(values: pd.Series) -> pd.Categorical:
    """The column as stripped text ("" for empty), each distinct value stripped once."""
    return distinct_text(values, lambda v: str(v).strip(), missing="")


def distinct_text(
    values: pd.Series, func: Callable[[Any], str], missing: str = ""
) -> pd.Categorical:
    """``func`` of every value as a categorical, computed once per distinct value; ``missing``
    where a value is missing."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    results = np.array([func(v) for v in np.asarray(distinct, dtype=object)] + [missing],
                       dtype=object)  # fmt: skip
    return categorical(codes, results)  # code -1 (a missing cell) takes ``missing``, at the end


# -- recognising tables -----------------------------------------------------------------------


#: The other SSDA903 tables (DfE specification; ``csc-validator-be-903``'s column lists), by a
#: column only that table has. The deprivation of liberty table is new in 2026-27.
OTHER_TABLES = {
    "REVIEW": "reviews", "MISSING": "missing", "MIS_START": "missing", "DATE_INT": "AD1",
    "DATE_PLACED": "placed for adoption", "PREV_PERM": "previous permanence",
    "SDQ_SCORE": "OC2", "IN_TOUCH": "OC3", "SW_ID": "social workers",
    "SW_DECOM": "social workers", "DOLO_START": "deprivation of liberty (from 2026-27)",
    "DOLO_END": "deprivation of liberty (from 2026-27)",
}  # fmt: skip


def _table_kind(name: str, names: Collection[str]) -> str | None:
    """Which 903 table this is: by its columns first, then by its file name."""
    columns = set(names)
    stem = PurePosixPath(name.split("[")[0]).name.lower() + " " + name.lower()
    if "DECOM" in columns:
        return "episodes"
    if "DUC" in columns:
        return "uasc"
    if columns & set(OTHER_TABLES):
        return None
    if "episode" in stem and "CHILD" in columns:
        return "episodes"
    if re.search(r"uasc", stem):
        return "uasc"
    if {"CHILD", "SEX", "DOB"} <= columns or "header" in stem:
        return "header"
    return None


def other_table(name: str, frame: pd.DataFrame) -> str | None:
    """Which other SSDA903 table this is (not read by the model), or None."""
    for column in frame.columns:
        if column in OTHER_TABLES:
            return OTHER_TABLES[column]
    stem = PurePosixPath(name.split("[")[0]).name.lower()
    if "CHILD" in frame.columns and re.search(r"dolo|deprivation", stem):
        return OTHER_TABLES["DOLO_START"]
    return None


def _check_columns(kind: str, name: str, names: list[str]) -> None:
    required = {"header": HEADER_REQUIRED, "episodes": EPISODES_REQUIRED, "uasc": UASC_REQUIRED}
    missing = [c for c in required[kind] if c not in names]
    if missing:
        hint = ""
        if len(names) == 1:
            hint = "; the file has one column: separate its columns with commas, semicolons or tabs"
        raise InputError(
            f"{name}: the {kind} table has no {', '.join(missing)} column"
            f"{'s' if len(missing) > 1 else ''} (columns found: {', '.join(names)})"
            f"{hint}"
        )


#: A nine-character local authority code (England upper tier, or Wales) in a name or a cell.
_LA_CODE = re.compile(r"(?<![A-Z0-9])((?:E0[689]|E10|W06)\d{6})(?![A-Z0-9])", re.IGNORECASE)
#: Columns that some councils' exports add to carry their own LA code.
LA_COLUMNS = ("LA", "LA_CODE", "LOCAL_AUTHORITY")


def local_authority(tables: Sequence[Table]) -> str | None:
    """The council's LA code when the files say it, the same in every place it appears: in
    file or folder names, or an LA column (``LA``, ``LA_CODE``, ``LOCAL_AUTHORITY``).

    None when no code appears, or when two different codes do (then the user must say).
    """
    found: set[str] = set()
    for table in tables:
        found.update(code.upper() for code in _LA_CODE.findall(table.name))
        for column in LA_COLUMNS:
            if column in table.frame.columns:
                values = {str(v).strip().upper() for v in pd.unique(table.frame[column])}
                found.update(v for v in values if _LA_CODE.fullmatch(v))
    return found.pop() if len(found) == 1 else None


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
