"""Read EHC plan figures: DfE's published files, or a council's own SEN2-style extract.

DfE's "Education, health and care plans" release (reporting year 2025), each file recognised
by its columns, whatever its name:

- ``caseload.csv``: plans in January by setting (all plans, and by age); academic years
  ``201819`` are stored under the January they contain (2019);
- ``newplans.csv``: new plans in the calendar year by setting;
- ``ceased_plans.csv``: plans ceased in the calendar year, and why;
- ``requests.csv``: requests for an EHC needs assessment and the decisions;
- ``assessments.csv``: assessments and whether a plan was issued;
- the ONS 0-17 population file (for rates per 10,000).

A council's own extract (``read_extract``) is one row per plan: ``person_id``,
``plan_start`` and ``setting`` (a group key such as ``special_independent``, a DfE column or
a DfE placement label), with ``date_of_birth`` and ``plan_end`` when known; dates as
``YYYY-MM-DD`` or ``DD/MM/YYYY``. It becomes the same figures as DfE's files: plans on the
January census day (the third Thursday of January, as SEN2), new and ceased plans by
calendar year. The extract records one setting per plan (the latest), so past January counts
by setting use it: say so when comparing with DfE's figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable
from pathlib import Path

from csplan.demand.annual.series import (
    POPULATION_READER,
    AreaSeries,
    Cells,
    Figure,
    FileSpec,
    SeriesFileError,
    SeriesSet,
    SourceFile,
    decode,
    files_in,
    read_files,
)
from csplan.demand.send import settings as st

# DfE's total is the sum of these (the setting totals and the settings outside them).
SETTING_TOTALS = (
    "mainstream_total",
    "special_total",
    "ap_pru_total",
    "fe_total",
    "ed_elsewhere",
    "nm_early_years",
    "placement_unknown",
    "await_prov_2022",
    "perm_ex_2022",
)
SUM_OF_SETTINGS = "sum_of_settings"


def _settings(cells: Cells, measure: str, total_column: str) -> list[tuple[str, int | None, str]]:
    """(measure, value, note) for the total, each group (``other`` is the rest) and the sum
    of the settings (to check the total: ``check_totals``)."""
    total, note = cells.count(total_column)
    found = [(measure, total, note)]
    found.append((f"{measure}:{SUM_OF_SETTINGS}", *cells.total(SETTING_TOTALS)))
    named = 0
    for group in st.GROUPS:
        if not group.columns:
            continue
        value, group_note = cells.total(group.columns)
        named += value or 0
        found.append((f"{measure}:{group.key}", value, group_note))
    if total is not None:
        found.append((f"{measure}:other", max(total - named, 0), ""))
    return found


def _caseload(cells: Cells) -> Iterable[Figure]:
    year = cells.year("academic")
    if cells.text("breakdown_topic") == "All EHC plans":
        for measure, value, note in _settings(cells, "plans", "ehcplans"):
            yield measure, year, value, note
        return
    band = st.band_of_label(cells.text("breakdown"))
    if band is None:
        return
    for measure, value, note in _settings(cells, "plans", "ehcplans"):
        group = measure.split(":")[1] if ":" in measure else "all"
        if group != SUM_OF_SETTINGS:
            yield st.plans(group, band), year, value, note


def _new_plans(cells: Cells) -> Iterable[Figure]:
    year = cells.year()
    for measure, value, note in _settings(cells, "new_plans", "new_ehc_plans"):
        yield measure, year, value, note


CEASED_REASONS = (
    "max_age",
    "needs_met",
    "he",
    "employ",
    "transfer",
    "no_engage",
    "moved_outside_eng",
    "deceased",
    "not_rec",
    "other",
)


def _ceased(cells: Cells) -> Iterable[Figure]:
    year = cells.year()
    yield ("ceased_plans", year, *cells.count("total_ceased"))
    for reason in CEASED_REASONS:
        yield (f"ceased:{reason}", year, *cells.count(reason))


def _requests(cells: Cells) -> Iterable[Figure]:
    year = cells.year()
    yield ("requests", year, *cells.count("requests_received_in_year"))
    yield ("requests_assessed", year, *cells.count("requests_decided_to_assess"))
    yield ("requests_refused", year, *cells.count("requests_decided_not_to_assess"))


def _assessments(cells: Cells) -> Iterable[Figure]:
    year = cells.year()
    yield ("assessments_issued", year, *cells.count("assess_issued"))
    yield ("assessments_not_issued", year, *cells.count("assess_not_issued"))


def _topic(*topics: str):
    return lambda cells: cells.text("breakdown_topic") in topics


CASELOAD = FileSpec(
    "ehcp_caseload",
    "DfE EHC plans in January (caseload.csv)",
    ("breakdown_topic", "breakdown", "ehcplans", "mainstream_total", "special_total"),
    _caseload,
    _topic("All EHC plans", "Child or young persons age"),
    lambda figures: check_totals(figures),
)
NEW_PLANS = FileSpec(
    "ehcp_new_plans",
    "DfE new EHC plans (newplans.csv)",
    ("breakdown_topic", "new_ehc_plans", "mainstream_total"),
    _new_plans,
    _topic("New EHC plans"),
    lambda figures: check_totals(figures),
)
CEASED = FileSpec(
    "ehcp_ceased",
    "DfE ceased EHC plans (ceased_plans.csv)",
    ("breakdown_topic", "total_ceased", "max_age"),
    _ceased,
    _topic("All ceased EHC plans"),
)
REQUESTS = FileSpec(
    "ehcp_requests",
    "DfE requests for EHC needs assessment (requests.csv)",
    ("breakdown_topic", "requests_received_in_year", "requests_decided_to_assess"),
    _requests,
    _topic("All requests for EHC needs assessments"),
)
ASSESSMENTS = FileSpec(
    "ehcp_assessments",
    "DfE EHC needs assessments (assessments.csv)",
    ("breakdown_topic", "assess_in_year", "assess_issued"),
    _assessments,
    _topic("All EHC needs assessments"),
)
SPECS = (CASELOAD, NEW_PLANS, CEASED, REQUESTS, ASSESSMENTS)
KINDS = tuple(spec.kind for spec in SPECS)


def read_published(files: Iterable[tuple[str, bytes]], *, skip_unknown: bool = False) -> SeriesSet:
    """DfE's EHC plan files (and ONS population), each recognised by its columns."""
    result = read_files(files, (*SPECS, POPULATION_READER), skip_unknown=skip_unknown)
    if not any(source.kind == CASELOAD.kind for source in result.sources):
        raise SeriesFileError(
            ", ".join(s.name for s in result.sources),
            "no EHC plan caseload: the model needs DfE's caseload.csv (plans in January)",
        )
    return result


def check_totals(figures: SeriesSet) -> None:
    """Correct an LA total that repeats its region's (DfE's 2025 newplans.csv gives every
    Yorkshire and The Humber LA the region's 6,078 new plans for 2022): the sum of the LA's
    settings is used instead, with a note. Then drop the sums used for the check."""
    for area in figures.areas.values():
        region = figures.areas.get(area.region_code)
        for measure in ("plans", "new_plans"):
            sums = area.values.pop(f"{measure}:{SUM_OF_SETTINGS}", {})
            area.notes.pop(f"{measure}:{SUM_OF_SETTINGS}", None)
            if area.level != "la" or region is None:
                continue
            for year, value in list(area.values.get(measure, {}).items()):
                copied = value is not None and value == region.get(measure, year)
                if copied and sums.get(year):
                    _use_sum(area, measure, year, sums[year])


def _use_sum(area: AreaSeries, measure: str, year: int, total: int) -> None:
    named = sum(area.get(f"{measure}:{g}", year) or 0 for g in st.GROUP_KEYS if g != "other")
    area.put(
        measure,
        year,
        total,
        f"DfE's file gives {area.name} the region's total "
        f"({area.get(measure, year):,}) for {year}; the sum of its settings is used",
    )
    area.put(f"{measure}:other", year, max(total - named, 0))


def read_path(path: Path | str, la_code: str = "", la_name: str = "") -> SeriesSet:
    """A folder of DfE files, one DfE file, or a council's extract (by its columns)."""
    files = files_in(path)
    if len(files) == 1 and is_extract(files[0][1]):
        return read_extract(files[0][0], files[0][1], la_code=la_code, la_name=la_name)
    return read_published(files, skip_unknown=Path(path).is_dir())


# --------------------------------------------------------------------------- extracts

EXTRACT_REQUIRED = ("person_id", "plan_start", "setting")


def is_extract(data: bytes) -> bool:
    header = next(csv.reader(io.StringIO(decode("extract", data[:4096]))), [])
    return set(EXTRACT_REQUIRED) <= {h.strip().lstrip("\ufeff").lower() for h in header}


def census_day(year: int) -> dt.date:
    """SEN2's census day: the third Thursday of January."""
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def _date(text: str, file: str, row: int, column: str) -> dt.date | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            return dt.date.fromisoformat(cleaned)
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", cleaned):
            day, month, year = (int(p) for p in cleaned.split("/"))
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise SeriesFileError(file, f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)", row, column)


class _Plan:
    __slots__ = ("start", "end", "group", "birth")

    def __init__(
        self, start: dt.date, end: dt.date | None, group: str, birth: dt.date | None
    ) -> None:
        self.start, self.end, self.group, self.birth = start, end, group, birth


def _extract_plans(file: str, text: str) -> list[_Plan]:
    reader = csv.reader(io.StringIO(text))
    keys = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    plans = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = dict(zip(keys, values, strict=False))
        if not record.get("person_id", "").strip():
            raise SeriesFileError(file, "person_id is empty", number, "person_id")
        start = _date(record.get("plan_start", ""), file, number, "plan_start")
        if start is None:
            raise SeriesFileError(file, "plan_start is empty", number, "plan_start")
        end = _date(record.get("plan_end", ""), file, number, "plan_end")
        birth = _date(record.get("date_of_birth", ""), file, number, "date_of_birth")
        if end is not None and end < start:
            raise SeriesFileError(
                file, f"the plan ends ({end}) before it starts ({start})", number, "plan_end"
            )
        if birth is not None and birth > start:
            raise SeriesFileError(
                file, f"born ({birth}) after the plan started ({start})", number, "date_of_birth"
            )
        group = st.group_of(record.get("setting", ""))
        if group is None:
            raise SeriesFileError(
                file,
                f"unknown setting {record.get('setting', '')!r}: use a group "
                f"({', '.join(st.GROUP_KEYS)}), a DfE setting column or a DfE placement label",
                number,
                "setting",
            )
        plans.append(_Plan(start, end, group, birth))
    if not plans:
        raise SeriesFileError(file, "the extract has a header but no plans", 2)
    return plans


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def read_extract(
    name: str, data: bytes, *, la_code: str = "", la_name: str = "", as_at: dt.date | None = None
) -> SeriesSet:
    """A council's extract as the same figures as DfE's files (see the module notes)."""
    text = decode(name, data)
    plans = _extract_plans(name, text)
    last = as_at or max(max(p.start, p.end or p.start) for p in plans)
    area = AreaSeries(la_code or "extract", la_name or f"Council extract ({name})", "la")
    first_year = min(p.start for p in plans).year
    for year in range(first_year + 1, last.year + 1):
        day = census_day(year)
        if day > last:
            break
        _count_census(area, year, day, plans)
    for year in range(first_year, last.year):
        if dt.date(year, 12, 31) > last:
            break
        _count_flows(area, year, plans)
    digest = hashlib.sha256(data).hexdigest()
    return SeriesSet({area.code: area}, [SourceFile("ehcp_extract", name, digest, len(plans))])


def _count_census(area: AreaSeries, year: int, day: dt.date, plans: list[_Plan]) -> None:
    counts = dict.fromkeys(st.GROUP_KEYS, 0)
    by_age: dict[tuple[str, str], int] = {}
    aged = 0
    for plan in plans:
        if plan.start <= day and (plan.end is None or plan.end > day):
            counts[plan.group] += 1
            if plan.birth is not None:
                band = st.band_of_age(_age_on(plan.birth, day))
                if band is not None:
                    by_age[(plan.group, band)] = by_age.get((plan.group, band), 0) + 1
                    aged += 1
    area.put(st.plans(), year, sum(counts.values()))
    for group, count in counts.items():
        area.put(st.plans(group), year, count)
    if aged:
        for band in st.BAND_KEYS:
            area.put(
                st.plans("all", band), year, sum(by_age.get((g, band), 0) for g in st.GROUP_KEYS)
            )
            for group in st.GROUP_KEYS:
                area.put(st.plans(group, band), year, by_age.get((group, band), 0))


def _count_flows(area: AreaSeries, year: int, plans: list[_Plan]) -> None:
    started = dict.fromkeys(st.GROUP_KEYS, 0)
    ceased = 0
    for plan in plans:
        if plan.start.year == year:
            started[plan.group] += 1
        if plan.end is not None and plan.end.year == year:
            ceased += 1
    area.put(st.new_plans(), year, sum(started.values()))
    for group, count in started.items():
        area.put(st.new_plans(group), year, count)
    area.put("ceased_plans", year, ceased)
