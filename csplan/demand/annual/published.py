"""DfE and ONS published statistics files: the pieces every reader of them shares.

DfE's explore-education-statistics files and ONS's population estimates share their area
columns (``time_period``, ``geographic_level``, ``country_code``, ``region_code``,
``new_la_code``, ``old_la_code``, ``la_name``), their symbols for a figure that is not a number
(``x`` not available, ``c`` suppressed…), and their encodings. Two files are read here whole,
because both the benchmark (``csplan.benchmark.importers``) and the demand models
(``csplan.demand.annual.series``, ``csplan.demand.needs.readers``) use them:

* DfE children looked after numbers and rates (``cla_number_and_rate_per_10k_children.csv``),
  in the 2025 schema (``children_count``, ``population_type``) or the 2024 one (``number``,
  ``population_count``);
* ONS 0-17 mid-year population by LA (``age_group``, ``population_estimate``).

Bad input raises :class:`PublishedFileError` naming the file, row and column. A plain library:
no Django, no database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from csplan.core import limits

# Kinds of file, used as keys in the benchmark store and in messages.
CLA = "cla"
POPULATION = "population"

# DfE measures in the CLA file and the short names we use for them.
MEASURES = {
    "children looked after on 31 march each year": "looked_after",
    "children starting to be looked after each year": "starts",
    "children ceasing to be looked after each year": "ceased",
}
MEASURE_LABELS = {
    "looked_after": "Children looked after on 31 March",
    "starts": "Children starting to be looked after in the year",
    "ceased": "Children ceasing to be looked after in the year",
}

# DfE/ONS symbols for a figure that is not a number.
SUPPRESSION_CODES = {
    "c": "confidential (suppressed)",
    "x": "not available",
    "z": "not applicable",
    "u": "low reliability",
    "k": "less than 0.5",
    "low": "suppressed (low)",
    ":": "not available",
    "..": "not available",
    "[x]": "not available",
    "[z]": "not applicable",
    "[c]": "confidential (suppressed)",
}

LEVELS = {"national": "national", "regional": "regional", "local authority": "la"}

NEW_CODE = re.compile(r"^[EWSN]\d{8}$")
OLD_CODE = re.compile(r"^\d{3}$")

Row = TypeVar("Row")


class PublishedFileError(ValueError):
    """A file that cannot be imported, with where the problem is."""

    def __init__(
        self, file: str, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column, self.detail = file, row, column, message
        where = [f"file {file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


@dataclass(frozen=True)
class ClaRow:
    """One line of the DfE children looked after file (one area, year and measure)."""

    year: int  # the year ending 31 March of ``year``
    level: str  # national, regional or la
    area_code: str  # E92000001, a region code, or the LA's nine-character code
    area_name: str
    old_la_code: str  # three digits, "" for England and regions
    region_code: str
    region_name: str
    measure: str  # looked_after, starts, ceased
    population: int | None
    count: int | None
    published_rate: int | None
    note: str = ""  # why a figure is missing (DfE symbol explained)


@dataclass(frozen=True)
class PopulationRow:
    year: int  # mid-year (30 June) of the estimate
    level: str
    area_code: str
    area_name: str
    old_la_code: str
    region_code: str
    population: int | None


CLA_COMMON = (
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
    "new_la_code",
    "population_estimate",
    "rate_per_10000",
)
CLA_2025 = ("children_count", "population_type")
CLA_2024 = ("number", "population_count")
SCHEMA_2024_TO_2025 = {"number": "children_count", "population_count": "population_type"}
POPULATION_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
)

# --------------------------------------------------------------------------- helpers


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean_header(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip()


def header_key(text: str) -> str:
    return clean_header(text).lower()


def count_or_note(value: str, file: str, row: int, column: str) -> tuple[int | None, str]:
    """An integer, or None with the DfE symbol's meaning; anything else is an error."""
    text = value.strip().replace(",", "")
    if text.lower() in SUPPRESSION_CODES:
        return None, f"{column} {text}: {SUPPRESSION_CODES[text.lower()]}"
    if re.fullmatch(r"\d+", text):
        return int(text), ""
    raise PublishedFileError(file, f"{value!r} is not a whole number", row, column)


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PublishedFileError(name, "is neither UTF-8 nor Windows-1252 text")  # pragma: no cover


def records(
    file: str, keys: list[str], reader: Iterator[list[str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as a spreadsheet shows it, {column: value}), skipping blank lines."""
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(keys) - 1:  # a missing trailing empty value is tolerated
            raise PublishedFileError(
                file, f"has {len(values)} values but the header has {len(keys)} columns", number
            )
        yield number, dict(zip(keys, values, strict=False))


# --------------------------------------------------------------------------- DfE CLA


def _level(file: str, row: int, value: str) -> str:
    level = LEVELS.get(value.strip().lower())
    if level is None:
        raise PublishedFileError(
            file, f"unknown geographic level {value!r}", row, "geographic_level"
        )
    return level


def _area_code(record: dict[str, str], level: str) -> str:
    if level == "national":
        return record["country_code"].strip()
    if level == "regional":
        return record["region_code"].strip()
    return record["new_la_code"].strip()


def parse_cla_rows(file: str, keys: list[str], reader: Iterator[list[str]]) -> list[ClaRow]:
    keys = [SCHEMA_2024_TO_2025.get(k, k) for k in keys]
    rows, seen = [], {}
    for number, record in records(file, keys, reader):
        row = _cla_row(file, number, record)
        key = (row.year, row.area_code, row.measure)
        if key in seen:
            raise PublishedFileError(
                file,
                f"repeats {row.area_name} {row.year} {row.measure} (first on row {seen[key]})",
                number,
                "new_la_code",
            )
        seen[key] = number
        rows.append(row)
    return rows


def _year(file: str, row: int, value: str, column: str = "time_period") -> int:
    text = value.strip()
    if not re.fullmatch(r"\d{4}", text):
        raise PublishedFileError(file, f"{value!r} is not a year", row, column)
    return int(text)


def _cla_row(file: str, number: int, record: dict[str, str]) -> ClaRow:
    level = _level(file, number, record["geographic_level"])
    measure = MEASURES.get(record["population_type"].strip().lower())
    if measure is None:
        raise PublishedFileError(
            file, f"unknown measure {record['population_type']!r}", number, "population_type"
        )
    code = _area_code(record, level)
    if not NEW_CODE.match(code):
        raise PublishedFileError(
            file,
            f"{code!r} is not a nine-character area code",
            number,
            "new_la_code" if level == "la" else "region_code",
        )
    population, note1 = count_or_note(
        record["population_estimate"], file, number, "population_estimate"
    )
    count, note2 = count_or_note(record["children_count"], file, number, "children_count")
    rate, note3 = count_or_note(record["rate_per_10000"], file, number, "rate_per_10000")
    name = (
        record["la_name"]
        if level == "la"
        else (
            record["region_name"] if level == "regional" else record.get("country_name", "England")
        )
    )
    return ClaRow(
        year=_year(file, number, record["time_period"]),
        level=level,
        area_code=code,
        area_name=name.strip(),
        old_la_code=record["old_la_code"].strip(),
        region_code=record["region_code"].strip(),
        region_name=record["region_name"].strip(),
        measure=measure,
        population=population,
        count=count,
        published_rate=rate,
        note="; ".join(n for n in (note1, note2, note3) if n),
    )


# --------------------------------------------------------------------------- ONS population


def parse_population_rows(
    file: str, keys: list[str], reader: Iterator[list[str]]
) -> list[PopulationRow]:
    rows = []
    for number, record in records(file, keys, reader):
        level = _level(file, number, record["geographic_level"])
        code = _area_code(record, level)
        population, _ = count_or_note(
            record["population_estimate"], file, number, "population_estimate"
        )
        name = record["la_name"] if level == "la" else record.get("region_name", "")
        rows.append(
            PopulationRow(
                year=_year(file, number, record["time_period"]),
                level=level,
                area_code=code,
                area_name=(name or record.get("country_name", "")).strip(),
                old_la_code=record["old_la_code"].strip(),
                region_code=record["region_code"].strip(),
                population=population,
            )
        )
    return rows


# --------------------------------------------------------------------------- whole files


def open_csv(name: str, data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    """A CSV file's header and the reader of its other rows, once the size and shape limits
    (``csplan.core.limits``) have passed it."""
    if not data.strip():
        raise PublishedFileError(name, "the file is empty")
    try:
        limits.check_csv(name, data)
    except limits.FileRefused as refused:
        raise PublishedFileError(name, refused.reason) from None
    reader = csv.reader(io.StringIO(decode_text(name, data)))
    try:
        header = next(reader)
    except StopIteration:
        raise PublishedFileError(name, "the file is empty") from None
    return header, reader


def cla_schema(file: str, keys: Sequence[str]) -> str | None:
    """ "2025" or "2024" for the DfE children looked after file's columns, None if ``keys``
    are not its columns; its columns with neither schema's are an error."""
    if not set(CLA_COMMON) <= set(keys):
        return None
    if set(CLA_2025) <= set(keys):
        return "2025"
    if set(CLA_2024) <= set(keys):
        return "2024"
    raise PublishedFileError(
        file,
        "looks like the DfE children looked after file but has neither the 2025 columns "
        "(children_count, population_type) nor the 2024 ones (number, population_count)",
        1,
    )


def is_population(keys: Sequence[str]) -> bool:
    return set(POPULATION_COLUMNS) <= set(keys)


def cla_rows(name: str, data: bytes) -> list[ClaRow]:
    """Every row of DfE's children looked after numbers file, or an error and nothing."""
    header, reader = open_csv(name, data)
    keys = [header_key(h) for h in header]
    if cla_schema(name, keys) is None:
        needed = [SCHEMA_2024_TO_2025.get(k, k) for k in keys]
        missing = [c for c in (*CLA_COMMON, *CLA_2025) if c not in needed]
        raise PublishedFileError(
            name,
            "is not DfE's children looked after numbers file: missing column(s): "
            + ", ".join(missing),
            1,
        )
    return _some(name, parse_cla_rows(name, keys, reader))


def population_rows(name: str, data: bytes) -> list[PopulationRow]:
    """Every row of ONS's 0-17 mid-year population file, or an error and nothing."""
    header, reader = open_csv(name, data)
    keys = [header_key(h) for h in header]
    if not is_population(keys):
        missing = [c for c in POPULATION_COLUMNS if c not in keys]
        raise PublishedFileError(
            name,
            "is not the ONS 0-17 population file: missing column(s): " + ", ".join(missing),
            1,
        )
    return _some(name, parse_population_rows(name, keys, reader))


def _some(name: str, rows: list[Row]) -> list[Row]:
    if not rows:
        raise PublishedFileError(name, "the file has a header but no data rows", 2)
    return rows
