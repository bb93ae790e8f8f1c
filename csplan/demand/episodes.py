"""SSDA903 returns in, one canonical episodes table out.

Contract with the model side (states, rates, forecast, ...)
==========================================================

``load_returns(source) -> Returns``

``source`` is a folder, a ``.zip`` or a list of files. Accepted layouts: one sub-folder per
collection year (``2023/``, ``903_2024``, ...), a flat folder with the year in the file names,
deeper nesting, or a zip of any of these; CSV (UTF-8, UTF-16 with a BOM, else Windows-1252;
comma, semicolon or tab separated) or XLSX. Dates ``dd/mm/YYYY`` or ISO ``YYYY-MM-DD``, with
or without a time, with a two-digit year read as the latest year not after the collection
year, or month first (US style) when a column proves it (``csplan.demand.dates``). Each year
needs a header and an episodes table; a UASC table is optional; the other SSDA903 tables
(reviews, missing, ..., the 2026-27 deprivation of liberty table) are recognised and not used.

``Returns`` fields:

- ``header``: one row per child (the latest year's record wins), columns
  ``child_id, sex, dob, ethnic, uasc, upn, mother, mc_dob`` plus ``source_file, source_row``.
- ``episodes``: the canonical episodes table (below).
- ``issues``: ``list[InputIssue]``, every problem found and the rule applied to it.
- ``years``: collection years, ascending and contiguous; 2024 = the year ending 31 March 2024.
- ``data_hash``: sha256 over the normalised canonical tables; the same data gives the same hash
  whatever the file format, layout, column order or row order.
- ``last_date``: ``datetime.date``, 31 March of the last collection year.

Canonical episodes DataFrame, one row per episode after stitching the years and cleaning,
sorted by ``child_id, start``, index 0..n-1:

==================  ===============  ==================================================
column              dtype            meaning
==================  ===============  ==================================================
child_id            str (object)     CHILD
sex                 str              "1" male / "2" female ("M"/"F" mapped; "U" -> "")
dob                 datetime64[ns]   DOB (never NaT: children without one are dropped)
ethnic              str              ETHNIC ("" when missing)
uasc                bool             UASC in the header or the UASC table, any year
start               datetime64[ns]   DECOM
end                 datetime64[ns]   DEC, NaT when open at ``last_date``
rne, ls, cin,       str              codes, upper case, "" when missing
place,
place_provider, rec
source_file         str              the file the row was taken from (relative to source)
source_row          int              1-based row in that file, header line = row 1
==================  ===============  ==================================================

Every episode satisfies ``start <= last_date``, ``end`` is NaT or ``start <= end <= last_date``,
and one child's episodes never overlap (``end`` of one <= ``start`` of the next). ``rec`` is
"" whenever ``end`` is NaT; it may also be "" for an episode whose end was set by a rule
below (``open-not-latest``, ``overlap`` of an open episode), so tell a continuation from an
exit by whether the child's next episode starts on ``end``, not by ``rec``.

Rules for bad rows (each one is reported as an ``InputIssue`` and never stops the run):

- ``missing-child``: no CHILD id: row dropped.
- ``bad-dob``: DOB missing, unparseable, after the collection year, or making the child 18
  or over for the whole year (header row); or after the start of one of the child's
  episodes (episode row): the child's episodes are dropped, unless another year's header
  has a good DOB for the child.
- ``no-header``: episodes for a child with no header record in any year: dropped (one issue
  per child, on its first episode row).
- ``bad-date``: DECOM missing or unparseable: row dropped. DEC unparseable: treated as open.
  Dates before 1900 or after 2100 count as unparseable.
- ``start-after-collection``: DECOM after the end of the return's collection year: row dropped.
- ``end-after-collection``: DEC after the end of the collection year: treated as open.
- ``start-after-18``: an episode starting on or after the 18th birthday: row dropped.
- ``end-before-start``: DEC before DECOM: episode end set to the next episode's start, or
  left open when it is the child's last episode.
- ``overlap``: an episode ending after the child's next episode starts, or with no end
  while a later one starts: its end set to the next episode's start.
- ``duplicate``: same child twice in one header, or same child and DECOM twice in one
  episodes table: the later row kept.
- ``unknown-code``: a PLACE, LS, RNE, REC or PLACE_PROVIDER (or SEX) code not in the code
  list, or a PLACE code not valid in the return's collection year (K3 before 2024-25; H5, P2
  and Z1 from 2025-26, when Z1 became Z11-Z14): kept as given (SEX left blank); reported so
  the user can fix it. The model decides which group an unknown PLACE falls in (Z11-Z14 go
  where Z1 goes).
- ``missing-code``: PLACE, LS, RNE or PLACE_PROVIDER blank (a blank provider is right for
  T0-T4 and Z1 and is not reported), or REC blank on a closed episode: kept blank.
- ``rec-without-dec``: REC given on an open episode: REC ignored.
- ``open-not-latest``: an episode open (no DEC) in one return but absent from the next
  return: ended at the collection end of the return it was last seen in, rec left "".
- ``ignored-file``: a CSV/XLSX that is not a header, episodes or UASC table (reviews,
  missing, OC2, ...): ignored.

``check_usable(returns)`` refuses (``InputError`` naming file, column, count and share) returns
where more than 5% of a file's rows are dropped or misread in one column under the rules
``missing-child``, ``bad-dob``, ``no-header``, ``bad-date``, ``start-after-collection`` and
``unknown-code``; the forecast, back-test and scenario commands call it, and print smaller
shares as warnings. ``validate`` lists the rows instead.

``InputError(ValueError)`` is raised for problems that make the whole input unusable: no
returns found, a year without a header or an episodes table, a gap in the years, two tables
of one kind for a year, a file whose year cannot be told from its name or folders, a
missing required column, or a date column whose order of day and month cannot be told (the
message names the file and the column). Required columns:
header CHILD, SEX, DOB; episodes CHILD, DECOM, RNE, LS, PLACE, PLACE_PROVIDER, DEC, REC.
Every other column may be missing.

Stitching: an episode open on 31 March appears again in the next year's return; the key is
``(child_id, start)`` and the latest return's row wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csplan.demand import codes
from csplan.demand.dates import parse_columns, parse_dates
from csplan.demand.readers import (
    InputError,
    Table,
    categorical,
    collection_year,
    distinct_categorical,
    local_authority,
    scan_tables,
)

__all__ = ["EPISODE_COLUMNS", "HEADER_COLUMNS", "InputError", "InputIssue", "Returns",
           "UnreadableShare", "check_usable", "load_returns", "parse_dates",
           "unreadable_shares"]  # fmt: skip


@dataclass(frozen=True)
class InputIssue:
    """One problem in one row, and the rule that was applied to it."""

    file: str
    row: int | None  # 1-based row as the user sees it in the file, header line = row 1
    child_id: str | None
    column: str | None
    rule: str  # short code, e.g. "bad-dob"
    message: str
    action: str  # the stated rule applied, e.g. "row dropped"

    @property
    def child(self) -> str | None:
        """Alias of ``child_id`` (the web pages' name for it)."""
        return self.child_id


@dataclass
class Returns:
    header: pd.DataFrame
    episodes: pd.DataFrame
    issues: list[InputIssue] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    data_hash: str = ""
    last_date: dt.date = dt.date(1970, 1, 1)
    #: Data rows in each table read (file name -> rows), the base of ``unreadable_shares``.
    file_rows: dict[str, int] = field(default_factory=dict)
    #: The council's LA code when the files say it (names or an LA column), else None.
    local_authority: str | None = None
    #: Rows dropped or misread, in words (set by ``check_usable``'s caller).
    warnings: list[str] = field(default_factory=list)


#: Rules under which a row is dropped or read wrongly because a value cannot be used.
UNREADABLE_RULES = frozenset(
    {"missing-child", "bad-dob", "no-header", "bad-date", "start-after-collection",
     "unknown-code"}
)  # fmt: skip
#: More than this share of a file's rows unreadable in one column: the input is refused.
MAX_UNREADABLE_SHARE = 0.05


@dataclass(frozen=True)
class UnreadableShare:
    """Rows of one file whose value in one column cannot be used (dropped or misread)."""

    file: str
    column: str
    count: int
    rows: int
    example: str  # one issue's message

    @property
    def share(self) -> float:
        return self.count / self.rows if self.rows else 1.0

    def describe(self) -> str:
        return (
            f"{self.file}, column {self.column}: {self.count:,} of {self.rows:,} rows "
            f"({self.share:.1%}) cannot be used (e.g. {self.example})"
        )


def unreadable_shares(returns: Returns) -> list[UnreadableShare]:
    """Per file and column, the rows dropped or misread because a value cannot be used,
    largest share first."""
    found: dict[tuple[str, str], dict[int | None, InputIssue]] = {}
    for issue in returns.issues:
        if issue.rule in UNREADABLE_RULES and issue.column:
            found.setdefault((issue.file, issue.column), {}).setdefault(issue.row, issue)
    shares = [
        UnreadableShare(file, column, len(rows), returns.file_rows.get(file, len(rows)),
                        next(iter(rows.values())).message)
        for (file, column), rows in found.items()
    ]  # fmt: skip
    return sorted(shares, key=lambda s: (-s.share, s.file, s.column))


def check_usable(returns: Returns, limit: float = MAX_UNREADABLE_SHARE) -> list[str]:
    """Refuse returns where more than ``limit`` of a file's rows cannot be used in a column
    (``InputError`` naming file, column, count and share); else warnings for smaller drops.

    A model fitted on what is left would be wrong (e.g. half the episodes of a file with
    dates written month first), so it is not fitted at all.
    """
    shares = unreadable_shares(returns)
    too_many = [s for s in shares if s.share > limit]
    if too_many:
        raise InputError(
            "too many rows cannot be used, so no forecast is made on the rest: "
            + "; ".join(s.describe() for s in too_many)
            + f". More than {limit:.0%} of a file's rows is refused; fix the file and run "
            "again (`csplan demand validate` lists every row)"
        )
    return [f"{s.describe()}: dropped or read as the rule says" for s in shares]


EPISODE_COLUMNS = [
    "child_id", "sex", "dob", "ethnic", "uasc", "start", "end",
    "rne", "ls", "cin", "place", "place_provider", "rec", "source_file", "source_row",
]  # fmt: skip
HEADER_COLUMNS = [
    "child_id", "sex", "dob", "ethnic", "uasc", "upn", "mother", "mc_dob",
    "source_file", "source_row",
]  # fmt: skip


#: The columns of each table the model reads (the rest is dropped as each file is read).
READ_COLUMNS = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB", "UASC"),
    "episodes": ("CHILD", "DECOM", "DEC", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC"),
    "uasc": ("CHILD",),
}


def load_returns(source: Path | str | Sequence[Path]) -> Returns:
    """Read SSDA903 returns for several years into one canonical episodes table.

    See the module docstring for the accepted inputs, the table returned and the rules
    applied to bad rows. Raises ``InputError`` when the input cannot be used at all.
    """
    scan = scan_tables(source, columns=READ_COLUMNS)
    tables, ignored = scan.tables, scan.ignored
    issues = [
        InputIssue(name, None, None, None, "ignored-file",
                   "not an SSDA903 header, episodes or UASC table", "file ignored")
        for name in ignored
    ]  # fmt: skip
    issues += [
        InputIssue(name, None, None, None, "ignored-file",
                   f"not an SSDA903 header, episodes or UASC table: the {label} table, "
                   "which the demand model does not use",
                   "file not used")
        for name, label in scan.unused.items()
    ]  # fmt: skip
    by_year = _group_by_year(tables, source, ignored)
    years = sorted(by_year)
    file_rows = {t.name: len(t.frame) for t in tables}
    council = local_authority(tables)
    children = _child_columns(tables)
    header = _header(by_year, children, issues)
    episodes = _stitch(
        [_year_episodes(by_year[y]["episodes"], y, children, issues) for y in years], issues
    )
    del scan, tables, by_year, children
    episodes = _join_header(episodes, header, issues)
    episodes = _fix_ends(episodes, years[-1], issues)
    episodes = _canonical(episodes)
    header = _canonical_header(header)
    return Returns(
        header=header,
        episodes=episodes,
        issues=issues,
        years=years,
        data_hash=_data_hash(header, episodes, years),
        last_date=dt.date(years[-1], 3, 31),
        file_rows=file_rows,
        local_authority=council,
    )


# -- years and tables -------------------------------------------------------------------------


def _group_by_year(
    tables: list[Table], source: object, ignored: list[str]
) -> dict[int, dict[str, Table]]:
    if not any(t.kind in ("header", "episodes") for t in tables):
        unread = f"; files that are not SSDA903 tables: {', '.join(ignored)}" if ignored else ""
        raise InputError(
            f"{_source_name(source)}: no SSDA903 header or episodes tables found (looked for "
            f"CSV and XLSX files, in sub-folders and zip files too){unread}"
        )
    by_year: dict[int, dict[str, Table]] = {}
    for table in tables:
        year = by_year.setdefault(table.year, {})
        if table.kind in year:
            raise InputError(
                f"two {table.kind} tables for collection year {_year_label(table.year)}: "
                f"{year[table.kind].name} and {table.name}; keep one"
            )
        year[table.kind] = table
    for year_number, found in sorted(by_year.items()):
        for kind in ("header", "episodes"):
            if kind not in found:
                others = ", ".join(t.name for t in found.values())
                unread = [name for name in ignored if _year_of(name) == year_number]
                skipped = f"; not an SSDA903 table or empty: {', '.join(unread)}" if unread else ""
                raise InputError(
                    f"collection year {_year_label(year_number)}: no {kind} table "
                    f"(found only {others}{skipped})"
                )
    years = sorted(by_year)
    gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
    if gaps:
        raise InputError(
            "no returns for collection year "
            + ", ".join(_year_label(y) for y in gaps)
            + f" (found {', '.join(_year_label(y) for y in years)}): every year from the first "
            "to the last is needed, because episodes open on 31 March are carried into the "
            "next year's return"
        )
    return by_year


def _year_of(name: str) -> int | None:
    try:
        return collection_year(name)
    except InputError:
        return None


def _year_label(year: int) -> str:
    return f"{year - 1}-{str(year)[2:]}"


def _source_name(source: object) -> str:
    if isinstance(source, (str, Path)):
        return str(source)
    return ", ".join(str(s) for s in source)  # type: ignore[attr-defined]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A text column as a categorical with "" among its categories ("" when missing)."""
    if name not in frame.columns:
        return _constant("", frame.index)
    values = frame[name]
    if isinstance(values.dtype, pd.CategoricalDtype) and values.array.categories.dtype == object:
        if (np.asarray(values.array.categories) == "").any():
            return values  # as the reader makes them
        values = values.astype(object)
    codes, distinct = pd.factorize(values)  # the texts, each once
    return pd.Series(distinct_categorical(codes, distinct), index=frame.index)


def _from_codes(codes: np.ndarray, categories: pd.Index) -> pd.Categorical:
    """A categorical of Python text (object categories, not pandas' "str"); the same
    ``categories`` object is kept, so that its checks are cached and concatenation is quick."""
    if categories.dtype != object:
        categories = pd.Index(categories, dtype=object)
    return pd.Categorical.from_codes(codes, categories=categories, validate=False)


def _constant(text: str, index: pd.Index) -> pd.Series:
    """The same text in every row, as a categorical."""
    codes = np.zeros(len(index), dtype=np.int8)
    return pd.Series(categorical(codes, np.array([text], dtype=object)), index=index)


def _map_text(values: pd.Series, func: Any) -> pd.Series:
    """``func`` of each text of a categorical column, computed once per distinct text."""
    cat = values.array
    mapped = np.array([func(text) for text in cat.categories], dtype=object)
    return pd.Series(categorical(cat.codes, mapped), index=values.index)


def _code_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of codes, upper-cased (each distinct code once: there are only a few)."""
    return _map_text(_column(frame, name), str.upper)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames with the same columns, one after another (index 0..n-1); categorical columns
    stay categorical, their categories united."""
    return pd.DataFrame({name: _concat_column(frames, name) for name in frames[0].columns})


def _concat_column(frames: list[pd.DataFrame], name: str) -> pd.Series:
    parts = [frame[name] for frame in frames]
    if isinstance(parts[0].dtype, pd.CategoricalDtype):
        return pd.Series(_union([part.array for part in parts]))
    return pd.concat(parts, ignore_index=True)


def _union(parts: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals one after another, on the union of their categories."""
    categories = parts[0].categories
    if all(part.categories is categories for part in parts):
        return _from_codes(np.concatenate([part.codes for part in parts]), categories)
    texts = np.concatenate([np.asarray(part.categories, dtype=object) for part in parts])
    union = pd.Index(pd.unique(texts), dtype=object)
    codes = [union.get_indexer(part.categories)[part.codes] for part in parts]
    return _from_codes(np.concatenate(codes), union)


def _blank(values: pd.Series) -> pd.Series:
    """Where a categorical column is "", on its codes (comparing a categorical with a text
    looks the text up in a hash table of its categories, built again each time)."""
    cat = values.array
    blank = np.flatnonzero(np.asarray(cat.categories, dtype=object) == "")
    return pd.Series(np.isin(cat.codes, blank), index=values.index)


def _isin(values: pd.Series, texts: Collection[str]) -> pd.Series:
    """Where a categorical column's text is one of ``texts``, on its codes."""
    cat = values.array
    found = np.flatnonzero([text in texts for text in cat.categories])
    return pd.Series(np.isin(cat.codes, found), index=values.index)


def _by_child_and_start(episodes: pd.DataFrame) -> pd.DataFrame:
    """The rows sorted by child and start (stable), index 0..n-1; no copy when they are."""
    child = episodes["child_id"].array.codes.astype(np.int64)
    start = episodes["start"].to_numpy().view("i8")
    later = (np.diff(child) > 0) | ((np.diff(child) == 0) & (np.diff(start) >= 0))
    if later.all() and not episodes["start"].hasnans:
        return episodes.reset_index(drop=True)
    return episodes.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)


def _child_columns(tables: list[Table]) -> dict[str, pd.Series]:
    """The CHILD column of each header and episodes table (by name), all on one set of
    categories: every child id, sorted (sorting a categorical follows the order of its
    categories, so the rows sort as the text would, and joins and sorts run on integer
    codes). The ids of all files are united and sorted in Arrow (UTF-8 bytes sort in code
    point order, as Python sorts text) and become Python text once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = {}
    for table in tables:
        if table.kind in ("header", "episodes"):
            column = table.frame["CHILD"]
            if not isinstance(column.dtype, pd.CategoricalDtype) or not _has_blank(column):
                column = _column(table.frame, "CHILD")
            columns[table.name] = column
    try:
        found = [_arrow_text(column.array.categories) for column in columns.values()]
    except (pa.ArrowException, UnicodeError):  # a text UTF-8 cannot hold
        return _child_columns_in_python(columns)
    every = pa.chunked_array(found, type=pa.large_string())
    distinct = pc.unique(every)
    ids = distinct.take(pc.sort_indices(distinct))
    children = pd.Index(ids.to_numpy(zero_copy_only=False), dtype=object)
    dtype = distinct_categorical(np.zeros(0, dtype=np.int8), children).dtype
    # Each file's ids' places among all (one hash table of them for every file).
    places = np.asarray(pc.index_in(every, value_set=ids), dtype=np.intp)
    ends = np.cumsum([len(categories) for categories in found])
    del every, distinct, ids
    pa.default_memory_pool().release_unused()  # Arrow's allocator would keep its hash tables
    out = {}
    for (name, column), recode in zip(columns.items(), np.split(places, ends[:-1]), strict=True):
        codes = recode[column.array.codes]
        out[name] = pd.Series(
            pd.Categorical.from_codes(codes, dtype=dtype, validate=False), index=column.index
        )
    return out


def _has_blank(column: pd.Series) -> bool:
    return bool((column.array.categories == "").any())


def _arrow_text(categories: pd.Index) -> Any:
    """A categorical's categories as an Arrow array of text (no copy when they are there)."""
    import pyarrow as pa

    if categories.dtype == object:
        return pa.array(np.asarray(categories, dtype=object), type=pa.large_string())
    return pa.array(categories).cast(pa.large_string())


def _child_columns_in_python(columns: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """``_child_columns`` for ids Arrow cannot hold, sorted by Python."""
    found = [np.asarray(c.array.categories, dtype=object) for c in columns.values()]
    codes, distinct = pd.factorize(np.concatenate(found))
    order = np.array(sorted(range(len(distinct)), key=distinct.__getitem__), dtype=np.intp)
    rank = np.empty(len(distinct), dtype=np.intp)
    rank[order] = np.arange(len(distinct))
    dtype = distinct_categorical(np.zeros(0, dtype=np.int8), distinct[order]).dtype
    out, start = {}, 0
    for (name, column), categories in zip(columns.items(), found, strict=True):
        recode = rank[codes[start : start + len(categories)]]
        start += len(categories)
        ids = pd.Categorical.from_codes(recode[column.array.codes], dtype=dtype, validate=False)
        out[name] = pd.Series(ids, index=column.index)
    return out


def _report(
    issues: list[InputIssue], frame: pd.DataFrame, mask: pd.Series, *,
    column: str | None, rule: str, message: str, action: str,
) -> None:  # fmt: skip
    """One issue per row of ``frame`` where ``mask``; ``{value}`` in ``message`` is the cell."""
    if not mask.any():
        return
    for _, row in frame[mask].iterrows():
        value = row.get(f"raw_{column}", row.get(column, "")) if column else ""
        issues.append(
            InputIssue(
                file=row["source_file"],
                row=int(row["source_row"]),
                child_id=row["child_id"] or None,
                column=column,
                rule=rule,
                message=message.format(value=value, **row.to_dict()),
                action=action,
            )
        )


# -- header -----------------------------------------------------------------------------------


def _release(table: Table, children: dict[str, pd.Series]) -> None:
    """Let go of a table's text once its rows are in a year's frame (two million rows of
    returns should not be held twice)."""
    table.frame = table.frame.iloc[0:0]
    children.pop(table.name, None)


def _header(
    by_year: dict[int, dict[str, Table]], children: dict[str, pd.Series], issues: list[InputIssue]
) -> pd.DataFrame:
    """One row per child: the latest year's valid header record, UASC from any year."""
    frames = {
        year: _year_header(found["header"], year, children, issues)
        for year, found in by_year.items()
    }
    header = _concat([frames.pop(year) for year in sorted(frames)])  # years in order
    uasc_children: set[str] = set()
    for found in by_year.values():
        if "uasc" in found:
            uasc_children |= set(found["uasc"].frame["CHILD"].astype(str).str.strip())
    flagged = set(header.loc[header["uasc_flag"], "child_id"])
    header = header.drop_duplicates("child_id", keep="last").copy()
    header["uasc"] = header["child_id"].isin(uasc_children | flagged)
    return header.reset_index(drop=True)


def _year_header(
    table: Table, year: int, children: dict[str, pd.Series], issues: list[InputIssue]
) -> pd.DataFrame:
    frame = table.frame
    end = pd.Timestamp(year, 3, 31)
    start = pd.Timestamp(year - 1, 4, 1)
    raw_sex = _code_column(frame, "SEX")
    dates = parse_columns(frame, ["DOB", "MC_DOB"], table.name, pivot=year)
    out = pd.DataFrame({
        "child_id": children[table.name],
        "raw_SEX": raw_sex,
        "sex": _map_text(raw_sex, lambda code: codes.SEX_CANONICAL.get(code, "")),
        "raw_DOB": _column(frame, "DOB"),
        "dob": dates["DOB"],
        "ethnic": _code_column(frame, "ETHNIC"),
        "upn": _column(frame, "UPN"),
        "mother": _column(frame, "MOTHER"),
        "mc_dob": dates["MC_DOB"],
        "uasc_flag": _code_column(frame, "UASC").isin(["1", "Y", "YES", "TRUE"]),
        "source_file": _constant(table.name, frame.index),
        "source_row": frame.index.to_numpy() + 2,
        "year": year,
    })  # fmt: skip
    del frame
    _release(table, children)
    no_child = _blank(out["child_id"])
    _report(issues, out, no_child, column="CHILD", rule="missing-child",
            message="no CHILD id", action="row dropped")  # fmt: skip
    out = out[~no_child]
    dob = out["dob"]
    empty = out["raw_DOB"] == ""
    bad = dob.isna() & ~empty
    future = dob > end
    too_old = dob + pd.DateOffset(years=18) < start
    drop = "child's episodes dropped unless another year's header has a good DOB"
    _report(issues, out, empty, column="DOB", rule="bad-dob",
            message="no date of birth", action=drop)  # fmt: skip
    _report(
        issues,
        out,
        bad,
        column="DOB",
        rule="bad-dob",
        message="date of birth {value!r} is not a date (dd/mm/YYYY)",
        action=drop,
    )
    _report(
        issues,
        out,
        future,
        column="DOB",
        rule="bad-dob",
        message="date of birth {value} is after the collection year ends",
        action=drop,
    )
    _report(issues, out, too_old, column="DOB", rule="bad-dob",
            message="date of birth {value}: aged 18 or over for the whole collection year",
            action=drop)  # fmt: skip
    unknown_sex = ~out["raw_SEX"].isin(list(codes.SEX_CANONICAL))
    _report(
        issues,
        out,
        unknown_sex,
        column="SEX",
        rule="unknown-code",
        message="SEX {value!r} is not a known code",
        action="sex left blank",
    )
    out = out[~(empty | bad | future | too_old)]
    duplicate = out.duplicated("child_id", keep="last")
    _report(issues, out, duplicate, column="CHILD", rule="duplicate",
            message="child {child_id} appears twice in this header",
            action="the later row kept")  # fmt: skip
    return out[~duplicate]


# -- episodes ---------------------------------------------------------------------------------


def _year_episodes(
    table: Table, year: int, children: dict[str, pd.Series], issues: list[InputIssue]
) -> pd.DataFrame:
    """One return's episodes, with the rules that need only that return applied."""
    frame = table.frame
    collection_end = pd.Timestamp(year, 3, 31)
    dates = parse_columns(frame, ["DECOM", "DEC"], table.name, pivot=year)
    out = pd.DataFrame({
        "child_id": children[table.name],
        "raw_DECOM": _column(frame, "DECOM"),
        "raw_DEC": _column(frame, "DEC"),
        "start": dates["DECOM"],
        "end": dates["DEC"],
        **{name.lower(): _code_column(frame, name)
           for name in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC")},
        "source_file": _constant(table.name, frame.index),
        "source_row": frame.index.to_numpy() + 2,
        "year": year,
    })  # fmt: skip
    del frame
    _release(table, children)
    no_child = _blank(out["child_id"])
    _report(issues, out, no_child, column="CHILD", rule="missing-child",
            message="no CHILD id", action="row dropped")  # fmt: skip
    out = out[~no_child]
    bad_start = out["start"].isna()
    _report(
        issues,
        out,
        bad_start,
        column="DECOM",
        rule="bad-date",
        message="DECOM {value!r} is not a date (dd/mm/YYYY)",
        action="row dropped",
    )
    late_start = out["start"] > collection_end
    _report(issues, out, late_start, column="DECOM", rule="start-after-collection",
            message=f"DECOM {{value}} is after this return's collection end "
            f"{collection_end:%d/%m/%Y}", action="row dropped")  # fmt: skip
    out = out[~(bad_start | late_start)].copy()
    bad_end = out["end"].isna() & (out["raw_DEC"] != "")
    _report(issues, out, bad_end, column="DEC", rule="bad-date",
            message="DEC {value!r} is not a date (dd/mm/YYYY)",
            action="episode treated as open at the collection end")  # fmt: skip
    late_end = out["end"] > collection_end
    _report(
        issues,
        out,
        late_end,
        column="DEC",
        rule="end-after-collection",
        message=f"DEC {{value}} is after this return's collection end {collection_end:%d/%m/%Y}",
        action="episode treated as open at the collection end",
    )
    out.loc[late_end, "end"] = pd.NaT
    _check_codes(out, year, issues)
    duplicate = out.duplicated(["child_id", "start"], keep="last")
    _report(issues, out, duplicate, column="DECOM", rule="duplicate",
            message="two episodes for child {child_id} start on {value}",
            action="the later row kept")  # fmt: skip
    return out[~duplicate]


def _check_codes(out: pd.DataFrame, year: int, issues: list[InputIssue]) -> None:
    for name, valid in codes.EPISODE_CODE_LISTS.items():
        column = name.lower()
        values = out[column]
        if name == "PLACE":
            valid = codes.place_codes_for_year(year)
        if name == "REC":
            unknown = ~_isin(values, valid) & out["end"].notna()  # only closed episodes
        else:
            unknown = ~_isin(values, valid)
        if name == "PLACE_PROVIDER":  # no provider for temporary and "other" placements
            unknown = unknown & ~((values == "") & _isin(out["place"], codes.NO_PROVIDER_PLACES))
        _report(
            issues,
            out,
            unknown & (values == ""),
            column=name,
            rule="missing-code",
            message=f"no {name} code",
            action="episode kept with the code blank",
        )
        # A PLACE code of another year's specification (K3 before 2024-25, H5 in 2025-26).
        wrong_year = unknown & _isin(values, codes.PLACE) & (name == "PLACE")
        _report(issues, out, unknown & (values != "") & ~wrong_year, column=name,
                rule="unknown-code", message=f"{name} {{{column}!r}} is not an SSDA903 code",
                action="episode kept with the code as given")  # fmt: skip
        for code in sorted(set(values[wrong_year])):
            _report(issues, out, unknown & (values == code), column=name, rule="unknown-code",
                    message=f"PLACE {code!r} is not a code of the {_year_label(year)} return "
                    f"({codes.place_code_years(code)})",
                    action="episode kept with the code as given")  # fmt: skip
    rec_no_end = (out["rec"] != "") & out["end"].isna()
    _report(
        issues,
        out,
        rec_no_end & (out["raw_DEC"] == ""),
        column="REC",
        rule="rec-without-dec",
        message="REC {rec} given without a DEC",
        action="episode treated as open; REC ignored",
    )
    out.loc[out["end"].isna(), "rec"] = ""


def _stitch(frames: list[pd.DataFrame], issues: list[InputIssue]) -> pd.DataFrame:
    """Each episode once: an episode repeated in a later return is taken from the later one."""
    # Sorted by child (the codes follow the sorted ids), start and year (the frames come in
    # year order and the sort is stable), the last row of each (child, start) kept: the rows
    # are chosen first, then each column copied once and let go of in the years' frames.
    child = _concat_column(frames, "child_id").array.codes
    start = np.concatenate([frame["start"].to_numpy().view("i8") for frame in frames])
    order = np.lexsort((start, child))
    child, start = child[order], start[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = (child[1:] != child[:-1]) | (start[1:] != start[:-1])
    rows = order[last]
    del child, start, order, last
    columns = {}
    for name in list(frames[0].columns):
        column = _concat_column(frames, name)
        for frame in frames:
            del frame[name]
        columns[name] = column.take(rows).reset_index(drop=True)
    return pd.DataFrame(columns)


def _join_header(
    episodes: pd.DataFrame, header: pd.DataFrame, issues: list[InputIssue]
) -> pd.DataFrame:
    # The header's row of each episode's child (-1: none), by the codes of the shared ids.
    header_row = np.full(len(header["child_id"].cat.categories), -1)
    header_row[header["child_id"].array.codes] = np.arange(len(header))
    rows = header_row[episodes["child_id"].array.codes]
    known = pd.Series(rows >= 0, index=episodes.index)
    # Children with a header row that was dropped (bad DOB) are already reported.
    reported = {i.child_id for i in issues if i.rule in ("bad-dob", "duplicate")}
    unheaded = episodes[~known & ~episodes["child_id"].isin(reported)]
    first = unheaded.drop_duplicates("child_id")
    _report(issues, first, pd.Series(True, index=first.index), column="CHILD", rule="no-header",
            message="child {child_id} has episodes but no header record in any year",
            action="the child's episodes dropped")  # fmt: skip
    episodes = episodes[known].reset_index(drop=True)
    for column in ("sex", "dob", "ethnic", "uasc"):
        episodes[column] = header[column].array.take(rows[known.to_numpy()])
    before_birth = episodes["start"] < episodes["dob"]
    bad_children = set(episodes.loc[before_birth, "child_id"])
    _report(issues, episodes, before_birth, column="DECOM", rule="bad-dob",
            message="episode starts {raw_DECOM}, before the date of birth {dob:%d/%m/%Y}",
            action="the child's episodes dropped")  # fmt: skip
    episodes = episodes[~episodes["child_id"].isin(bad_children)]
    adult = episodes["start"] >= episodes["dob"] + pd.DateOffset(years=18)
    _report(issues, episodes, adult, column="DECOM", rule="start-after-18",
            message="episode starts {raw_DECOM}, on or after the 18th birthday",
            action="row dropped")  # fmt: skip
    return episodes[~adult].reset_index(drop=True)


def _fix_ends(episodes: pd.DataFrame, last_year: int, issues: list[InputIssue]) -> pd.DataFrame:
    """Make one child's episodes a sequence: each ends by the time the next starts."""
    episodes = _by_child_and_start(episodes)
    child = episodes["child_id"].cat.codes.to_numpy()
    same_child_next = np.zeros(len(child), dtype=bool)
    same_child_next[:-1] = child[1:] == child[:-1]
    next_start = episodes["start"].shift(-1).where(same_child_next)
    has_next = next_start.notna()
    end = episodes["end"]
    backwards = end.notna() & (end < episodes["start"])
    _report(issues, episodes, backwards & has_next, column="DEC", rule="end-before-start",
            message="DEC {raw_DEC} is before DECOM {raw_DECOM}",
            action="episode end set to the next episode's start")  # fmt: skip
    _report(issues, episodes, backwards & ~has_next, column="DEC", rule="end-before-start",
            message="DEC {raw_DEC} is before DECOM {raw_DECOM}",
            action="episode treated as open (the child's last episode)")  # fmt: skip
    episodes.loc[backwards, "end"] = pd.NaT
    end = episodes["end"]
    overlap = has_next & ~backwards & (end.isna() | (end > next_start))
    episodes["next_start"] = next_start
    _report(
        issues,
        episodes,
        overlap & end.notna(),
        column="DEC",
        rule="overlap",
        message="episode ends {raw_DEC}, after the child's next episode starts "
        "{next_start:%d/%m/%Y}",
        action="episode end set to the next episode's start",
    )
    _report(
        issues,
        episodes,
        overlap & end.isna() & ~backwards,
        column="DEC",
        rule="overlap",
        message="episode has no end but the child's next episode starts {next_start:%d/%m/%Y}",
        action="episode end set to the next episode's start",
    )
    fill = (overlap | backwards) & has_next
    episodes.loc[fill, "end"] = next_start[fill]
    stale = episodes["end"].isna() & (episodes["year"] < last_year)
    _report(
        issues,
        episodes,
        stale,
        column="DEC",
        rule="open-not-latest",
        message="episode open at the end of {year} is missing from the next year's return",
        action="episode ended at the collection end of the last return it is in",
    )
    stale_end = pd.to_datetime(episodes.loc[stale, "year"].astype(str) + "-03-31")
    episodes.loc[stale, "end"] = stale_end.astype("datetime64[ns]")
    episodes.loc[episodes["end"].isna(), "rec"] = ""
    return episodes


def _canonical(episodes: pd.DataFrame) -> pd.DataFrame:
    out = _by_child_and_start(episodes)
    out = out[EPISODE_COLUMNS].copy()
    for column in ("start", "end", "dob"):
        out[column] = out[column].astype("datetime64[ns]")
    out["uasc"] = out["uasc"].astype(bool)
    out["source_row"] = out["source_row"].astype(int)
    for column in ("child_id", "sex", "ethnic", "rne", "ls", "cin", "place", "place_provider",
                   "rec", "source_file"):  # fmt: skip
        out[column] = out[column].astype(object)
    return out


def _canonical_header(header: pd.DataFrame) -> pd.DataFrame:
    out = header[HEADER_COLUMNS].sort_values("child_id", kind="stable").reset_index(drop=True)
    for column in ("child_id", "ethnic", "upn", "mother"):
        out[column] = out[column].astype(object)
    for column in ("sex", "source_file"):
        out[column] = out[column].astype(object).astype("str")
    return out


def _hash_frame(digest: Any, frame: pd.DataFrame) -> None:
    """Feed a frame column by column: dates as days, text joined with a unit separator."""
    digest.update(f"rows:{len(frame)}\n".encode())
    for name, column in frame.items():
        digest.update(f"column:{name}\n".encode())
        if pd.api.types.is_datetime64_any_dtype(column):
            days = column.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
            digest.update(days.astype("<i8").tobytes())
        elif column.dtype == bool:
            digest.update(column.to_numpy(dtype="uint8").tobytes())
        else:
            digest.update(_joined(column.tolist()).encode())


def _joined(values: list[Any]) -> str:
    """The values' text with a unit separator between them."""
    try:
        return "\x1f".join(values)  # all Python text, as the canonical tables hold
    except TypeError:
        return "\x1f".join(map(str, values))


def _data_hash(header: pd.DataFrame, episodes: pd.DataFrame, years: list[int]) -> str:
    """sha256 of the canonical tables without file names or row numbers."""
    digest = hashlib.sha256()
    digest.update(("years:" + ",".join(map(str, years)) + "\n").encode())
    columns = [c for c in EPISODE_COLUMNS if c not in ("source_file", "source_row")]
    _hash_frame(digest, episodes[columns])
    _hash_frame(digest, header[["child_id", "sex", "dob", "ethnic", "uasc"]])
    return digest.hexdigest()
