"""Read the published figures of the levels of need, by LA and year ending 31 March.

Each file is recognised by its columns, whatever its name:

- ``b1_children_in_need…``: children in need episodes open at any point, started, ended and
  open on 31 March (``cin_anypoint``, ``cin_started``, ``cin_ended``, ``cin_at31``);
- ``c1_children_in_need_referrals…``: referrals and re-referrals (``referrals``,
  ``rereferrals``);
- ``d5_cpps_at31march…``: child protection plans on 31 March (``cpp_at31``);
- ``d3_cpps_subsequent_plan…``: child protection plans started, and second or later plans
  (``cpp_started``, ``cpp_subsequent``);
- DfE's children looked after numbers (the benchmark's file): on 31 March, started and ceased
  (``cla_at31``, ``cla_started``, ``cla_ceased``);
- ONS 0-17 mid-year population (``population``, by mid-year: the rate for the year ending
  31 March Y uses mid-year Y-1, as DfE's does).

DfE's symbols (``x``, ``c``, ``u`` low reliability, ``z``) are kept as missing figures with a
note; Hampshire's 2024 children-in-need figures, for one, are all ``u``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from csplan.demand.annual.published import cla_rows, file_sha256
from csplan.demand.annual.series import (
    POPULATION_READER,
    AreaSeries,
    Cells,
    Figure,
    FileSpec,
    OtherReader,
    SeriesFileError,
    SeriesSet,
    SourceFile,
    files_in,
    read_files,
)

MEASURES = {
    "referrals": "Referrals",
    "cin_started": "Children in need episodes started",
    "cin_at31": "Children in need on 31 March",
    "cpp_started": "Child protection plans started",
    "cpp_at31": "Child protection plans on 31 March",
    "cla_started": "Children starting to be looked after",
    "cla_at31": "Children looked after on 31 March",
}


def _columns(pairs: tuple[tuple[str, str], ...]):  # noqa: ANN202
    def extract(cells: Cells) -> Iterable[Figure]:
        year = cells.year()
        for measure, column in pairs:
            yield (measure, year, *cells.count(column))

    return extract


CHILDREN_IN_NEED = FileSpec(
    "cin",
    "DfE children in need (b1_children_in_need…csv)",
    ("anypoint_episodes", "started_episodes", "ended_episodes", "at31_episodes"),
    _columns(
        (
            ("cin_anypoint", "anypoint_episodes"),
            ("cin_started", "started_episodes"),
            ("cin_ended", "ended_episodes"),
            ("cin_at31", "at31_episodes"),
        )
    ),
)
REFERRALS = FileSpec(
    "referrals",
    "DfE referrals and re-referrals (c1_children_in_need_referrals…csv)",
    ("referral_count", "rereferral_count"),
    _columns((("referrals", "referral_count"), ("rereferrals", "rereferral_count"))),
)
CPP_AT31 = FileSpec(
    "cpp_at31",
    "DfE child protection plans on 31 March (d5_cpps_at31march…csv)",
    ("cpp_at31",),
    _columns((("cpp_at31", "cpp_at31"),)),
)
CPP_STARTED = FileSpec(
    "cpp_started",
    "DfE child protection plans started (d3_cpps_subsequent_plan…csv)",
    ("cpp_start", "cpp_subsequent"),
    _columns((("cpp_started", "cpp_start"), ("cpp_subsequent", "cpp_subsequent"))),
)

_LOCATIONS = {
    "placed inside la boundary less than 20 miles from home": "inside_near",
    "placed inside la boundary more than 20 miles from home": "inside_far",
    "placed outside la boundary less than 20 miles from home": "outside_near",
    "placed outside la boundary more than 20 miles from home": "outside_far",
    "distance not known or not recorded": "unknown",
    "total new placements": "total",
}


def _placements(cells: Cells) -> Iterable[Figure]:
    where = _LOCATIONS.get(cells.text("breakdown").lower())
    if where is not None:
        yield (f"new_placements:{where}", cells.year(), *cells.count("children_count"))


PLACEMENTS = FileSpec(
    "cla_placements",
    "DfE new placements of children looked after by location "
    "(la_cla_during_year_new_placements.csv)",
    ("characteristic", "breakdown", "children_count", "children_percent"),
    _placements,
    lambda cells: cells.text("characteristic") == "Location of new placements during the year",
)

_CLA_MEASURES = {"looked_after": "cla_at31", "starts": "cla_started", "ceased": "cla_ceased"}


def read_cla(name: str, data: bytes) -> SeriesSet:
    """DfE's children looked after numbers (the file the benchmark imports too)."""
    rows = cla_rows(name, data)
    result = SeriesSet(sources=[SourceFile("cla", name, file_sha256(data), len(rows))])
    for row in rows:
        area = result.areas.setdefault(
            row.area_code,
            AreaSeries(
                row.area_code,
                row.area_name,
                row.level,
                row.old_la_code,
                row.region_code,
                row.region_name,
            ),
        )
        area.put(_CLA_MEASURES[row.measure], row.year, row.count, row.note)
    return result


CLA_READER = OtherReader(
    "DfE children looked after numbers (cla_number_and_rate_per_10k_children.csv)",
    ("population_estimate", "rate_per_10000", "time_period", "new_la_code"),
    read_cla,
)
READERS = (CHILDREN_IN_NEED, REFERRALS, CPP_AT31, CPP_STARTED, CLA_READER, POPULATION_READER)


def read_needs(files: Iterable[tuple[str, bytes]], *, skip_unknown: bool = False) -> SeriesSet:
    result = read_files(files, READERS, skip_unknown=skip_unknown)
    kinds = {source.kind for source in result.sources}
    if not {"cin", "referrals"} <= kinds:
        raise SeriesFileError(
            ", ".join(s.name for s in result.sources),
            "the levels-of-need model needs DfE's children in need (b1) and referrals (c1) "
            "files at least",
        )
    return result


def read_path(path: Path | str) -> SeriesSet:
    """A folder of the files above (others in it are skipped), or one file."""
    return read_needs(files_in(path), skip_unknown=Path(path).is_dir())
