"""SSDA903 returns in, one canonical episodes table out.

Contract with the model side (states, rates, forecast, ...)
==========================================================

``load_returns(source) -> Returns``

``source`` is a folder, a ``.zip`` or a list of files. Accepted layouts: one sub-folder per
collection year (``2023/``, ``903_2024``, ...), a flat folder with the year in the file names,
deeper nesting, or a zip of any of these; CSV or XLSX; dates ``dd/mm/YYYY`` or ISO
``YYYY-MM-DD``. Each year needs a header and an episodes table; a UASC table is optional.

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
  list: kept as given (SEX left blank); reported so the user can fix it. The model decides
  which group an unknown PLACE falls in.
- ``missing-code``: PLACE, LS, RNE or PLACE_PROVIDER blank (a blank provider is right for
  T0-T4 and Z1 and is not reported), or REC blank on a closed episode: kept blank.
- ``rec-without-dec``: REC given on an open episode: REC ignored.
- ``open-not-latest``: an episode open (no DEC) in one return but absent from the next
  return: ended at the collection end of the return it was last seen in, rec left "".
- ``ignored-file``: a CSV/XLSX that is not a header, episodes or UASC table (reviews,
  missing, OC2, ...): ignored.

``InputError(ValueError)`` is raised for problems that make the whole input unusable: no
returns found, a year without a header or an episodes table, a gap in the years, two tables
of one kind for a year, a file whose year cannot be told from its name or folders, or a
missing required column (the message names the file and the column). Required columns:
header CHILD, SEX, DOB; episodes CHILD, DECOM, RNE, LS, PLACE, PLACE_PROVIDER, DEC, REC.
Every other column may be missing.

Stitching: an episode open on 31 March appears again in the next year's return; the key is
``(child_id, start)`` and the latest return's row wins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csplan.demand import codes
from csplan.demand.readers import (
    InputError,
    Table,
    collection_year,
    each_distinct,
    find_tables,
)

__all__ = ["EPISODE_COLUMNS", "HEADER_COLUMNS", "InputError", "InputIssue", "Returns",
           "load_returns", "parse_dates"]  # fmt: skip


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


EPISODE_COLUMNS = [
    "child_id", "sex", "dob", "ethnic", "uasc", "start", "end",
    "rne", "ls", "cin", "place", "place_provider", "rec", "source_file", "source_row",
]  # fmt: skip
HEADER_COLUMNS = [
    "child_id", "sex", "dob", "ethnic", "uasc", "upn", "mother", "mc_dob",
    "source_file", "source_row",
]  # fmt: skip


_ISO = r"\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?(?:\.0+)?)?"
_DMY = r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}"
_EARLIEST = pd.Timestamp("1900-01-01")
_LATEST = pd.Timestamp("2100-12-31")


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates written ``dd/mm/YYYY`` (also with ``-`` or ``.``) or ISO ``YYYY-MM-DD``; else NaT.

    An ISO value may carry a midnight time (as spreadsheets write dates). Impossible dates such
    as 31/02/2024 give NaT.
    """
    # A return repeats the same few thousand dates: parse each distinct text once.
    codes, distinct = pd.factorize(values.astype(object).fillna(""), use_na_sentinel=False)
    parsed = _parse_distinct(pd.Series(distinct, dtype=object))
    return pd.Series(parsed.to_numpy()[codes], index=values.index, dtype="datetime64[ns]")


def _parse_distinct(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    result = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")  # the usual case, fast
    todo = result.isna() & (text != "")
    if todo.any():
        rest = text[todo]
        dmy = rest.str.fullmatch(_DMY)
        normal = rest[dmy].str.replace(r"[.-]", "/", regex=True)
        result[normal.index] = pd.to_datetime(normal, format="%d/%m/%Y", errors="coerce")
        iso = rest[rest.str.fullmatch(_ISO)].str.slice(0, 10)
        result[iso.index] = pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce")
    # Years such as 0024 parse, but are typing errors (and beyond datetime64[ns]).
    result = result.where((result >= _EARLIEST) & (result <= _LATEST))
    return result.astype("datetime64[ns]")


def load_returns(source: Path | str | Sequence[Path]) -> Returns:
    """Read SSDA903 returns for several years into one canonical episodes table.

    See the module docstring for the accepted inputs, the table returned and the rules
    applied to bad rows. Raises ``InputError`` when the input cannot be used at all.
    """
    tables, ignored = find_tables(source)
    issues = [
        InputIssue(name, None, None, None, "ignored-file",
                   "not an SSDA903 header, episodes or UASC table", "file ignored")
        for name in ignored
    ]  # fmt: skip
    by_year = _group_by_year(tables, source, ignored)
    years = sorted(by_year)
    header = _header(by_year, issues)
    episodes = _stitch([_year_episodes(by_year[y]["episodes"], y, issues) for y in years], issues)
    episodes = _join_header(episodes, header, issues)
    episodes = _fix_ends(episodes, years[-1], issues)
    episodes = _canonical(episodes)
    header = header[HEADER_COLUMNS].sort_values("child_id", kind="stable").reset_index(drop=True)
    return Returns(
        header=header,
        episodes=episodes,
        issues=issues,
        years=years,
        data_hash=_data_hash(header, episodes, years),
        last_date=dt.date(years[-1], 3, 31),
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
    if name in frame.columns:
        return frame[name].astype(object)
    return pd.Series("", index=frame.index, dtype=object)


def _code_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of codes, upper-cased (each distinct code once: there are only a few)."""
    values = _column(frame, name)
    return pd.Series(each_distinct(values, str.upper), index=values.index, dtype=object)


def _report(
    issues: list[InputIssue], frame: pd.DataFrame, mask: pd.Series, *,
    column: str | None, rule: str, message: str, action: str,
) -> None:  # fmt: skip
    """One issue per row of ``frame`` where ``mask``; ``{value}`` in ``message`` is the cell."""
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


def _header(by_year: dict[int, dict[str, Table]], issues: list[InputIssue]) -> pd.DataFrame:
    """One row per child: the latest year's valid header record, UASC from any year."""
    frames = [_year_header(found["header"], year, issues) for year, found in by_year.items()]
    header = pd.concat(frames, ignore_index=True).sort_values(["year"], kind="stable")
    uasc_children: set[str] = set()
    for found in by_year.values():
        if "uasc" in found:
            uasc_children |= set(found["uasc"].frame["CHILD"].astype(str).str.strip())
    flagged = set(header.loc[header["uasc_flag"], "child_id"])
    header = header.drop_duplicates("child_id", keep="last").copy()
    header["uasc"] = header["child_id"].isin(uasc_children | flagged)
    return header.reset_index(drop=True)


def _year_header(table: Table, year: int, issues: list[InputIssue]) -> pd.DataFrame:
    frame = table.frame
    end = pd.Timestamp(year, 3, 31)
    start = pd.Timestamp(year - 1, 4, 1)
    raw_sex = _code_column(frame, "SEX")
    out = pd.DataFrame({
        "child_id": _column(frame, "CHILD"),
        "raw_SEX": raw_sex,
        "sex": raw_sex.map(codes.SEX_CANONICAL).fillna(""),
        "raw_DOB": _column(frame, "DOB"),
        "dob": parse_dates(_column(frame, "DOB")),
        "ethnic": _code_column(frame, "ETHNIC"),
        "upn": _column(frame, "UPN"),
        "mother": _column(frame, "MOTHER"),
        "mc_dob": parse_dates(_column(frame, "MC_DOB")),
        "uasc_flag": _code_column(frame, "UASC").isin(["1", "Y", "YES", "TRUE"]),
        "source_file": table.name,
        "source_row": frame.index.to_numpy() + 2,
        "year": year,
    })  # fmt: skip
    no_child = out["child_id"] == ""
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


def _year_episodes(table: Table, year: int, issues: list[InputIssue]) -> pd.DataFrame:
    """One return's episodes, with the rules that need only that return applied."""
    frame = table.frame
    collection_end = pd.Timestamp(year, 3, 31)
    out = pd.DataFrame({
        "child_id": _column(frame, "CHILD"),
        "raw_DECOM": _column(frame, "DECOM"),
        "raw_DEC": _column(frame, "DEC"),
        "start": parse_dates(_column(frame, "DECOM")),
        "end": parse_dates(_column(frame, "DEC")),
        **{name.lower(): _code_column(frame, name)
           for name in ("RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "REC")},
        "source_file": table.name,
        "source_row": frame.index.to_numpy() + 2,
        "year": year,
    })  # fmt: skip
    no_child = out["child_id"] == ""
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
    _check_codes(out, issues)
    duplicate = out.duplicated(["child_id", "start"], keep="last")
    _report(issues, out, duplicate, column="DECOM", rule="duplicate",
            message="two episodes for child {child_id} start on {value}",
            action="the later row kept")  # fmt: skip
    return out[~duplicate]


def _check_codes(out: pd.DataFrame, issues: list[InputIssue]) -> None:
    for name, valid in codes.EPISODE_CODE_LISTS.items():
        column = name.lower()
        values = out[column]
        if name == "REC":
            unknown = ~values.isin(list(valid)) & out["end"].notna()  # only closed episodes
        else:
            unknown = ~values.isin(list(valid))
        if name == "PLACE_PROVIDER":  # no provider for temporary and "other" placements
            unknown = unknown & ~((values == "") & out["place"].isin(codes.NO_PROVIDER_PLACES))
        _report(
            issues,
            out,
            unknown & (values == ""),
            column=name,
            rule="missing-code",
            message=f"no {name} code",
            action="episode kept with the code blank",
        )
        _report(issues, out, unknown & (values != ""), column=name, rule="unknown-code",
                message=f"{name} {{{column}!r}} is not an SSDA903 code",
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
    episodes = pd.concat(frames, ignore_index=True)
    episodes = episodes.sort_values(["child_id", "start", "year"], kind="stable")
    return episodes.drop_duplicates(["child_id", "start"], keep="last").reset_index(drop=True)


def _join_header(
    episodes: pd.DataFrame, header: pd.DataFrame, issues: list[InputIssue]
) -> pd.DataFrame:
    known = episodes["child_id"].isin(header["child_id"])
    # Children with a header row that was dropped (bad DOB) are already reported.
    reported = {i.child_id for i in issues if i.rule in ("bad-dob", "duplicate")}
    unheaded = episodes[~known & ~episodes["child_id"].isin(reported)]
    first = unheaded.drop_duplicates("child_id")
    _report(issues, first, pd.Series(True, index=first.index), column="CHILD", rule="no-header",
            message="child {child_id} has episodes but no header record in any year",
            action="the child's episodes dropped")  # fmt: skip
    columns = ["child_id", "sex", "dob", "ethnic", "uasc"]
    episodes = episodes[known].merge(header[columns], on="child_id", how="left")
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
    episodes = episodes.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)
    next_start = episodes.groupby("child_id", sort=False)["start"].shift(-1)
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
    out = episodes.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)
    out = out[EPISODE_COLUMNS].copy()
    for column in ("start", "end", "dob"):
        out[column] = out[column].astype("datetime64[ns]")
    out["uasc"] = out["uasc"].astype(bool)
    out["source_row"] = out["source_row"].astype(int)
    for column in ("child_id", "sex", "ethnic", "rne", "ls", "cin", "place", "place_provider",
                   "rec", "source_file"):  # fmt: skip
        out[column] = out[column].astype(object)
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
            digest.update("\x1f".join(map(str, column.tolist())).encode())


def _data_hash(header: pd.DataFrame, episodes: pd.DataFrame, years: list[int]) -> str:
    """sha256 of the canonical tables without file names or row numbers."""
    digest = hashlib.sha256()
    digest.update(("years:" + ",".join(map(str, years)) + "\n").encode())
    columns = [c for c in EPISODE_COLUMNS if c not in ("source_file", "source_row")]
    _hash_frame(digest, episodes[columns])
    _hash_frame(digest, header[["child_id", "sex", "dob", "ethnic", "uasc"]])
    return digest.hexdigest()
