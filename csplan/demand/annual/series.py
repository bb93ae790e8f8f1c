"""Published figures by area, measure and year, read from DfE's explore-education-statistics
CSV files (and ONS population, whose file ``published`` reads).

Every such file shares the columns ``time_period``, ``geographic_level``, ``country_code``,
``region_code``, ``region_name``, ``new_la_code``, ``old_la_code`` and ``la_name``; a *file
spec* says which other columns tell the file apart and how a row becomes figures. A value
is a whole number or a DfE symbol (``x`` not available, ``z`` not applicable, ``c``
suppressed, ``u`` low reliability…), kept as ``None`` with a note saying what the symbol
means. Anything else is an error naming the file, row and column, and nothing is read.

Years are integers whose meaning the measure states: a January count in academic year
``201819`` is stored under 2019, a calendar-year flow under its year, a children-in-need
figure under the year ending 31 March.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from csplan.demand.annual.published import (
    NEW_CODE,
    OLD_CODE,
    SUPPRESSION_CODES,
    PublishedFileError,
    decode_text,
    file_sha256,
    population_rows,
)

AREA_COLUMNS = (
    "time_period",
    "geographic_level",
    "country_code",
    "region_code",
    "new_la_code",
    "old_la_code",
    "la_name",
)
LEVELS = {"national": "national", "regional": "regional", "local authority": "la"}
ENGLAND = "E92000001"


class SeriesFileError(PublishedFileError):
    """A published file that cannot be read: says the file, row and column."""


class SeriesError(ValueError):
    """Figures that cannot answer the question asked (an unknown area, too few years)."""


@dataclass(frozen=True)
class SourceFile:
    kind: str
    name: str
    sha256: str
    rows: int = 0


@dataclass
class AreaSeries:
    """One area's figures: ``values[measure][year]`` (None where DfE gives a symbol)."""

    code: str
    name: str
    level: str  # national, regional, la
    old_code: str = ""
    region_code: str = ""
    region_name: str = ""
    values: dict[str, dict[int, int | None]] = field(default_factory=dict)
    notes: dict[str, dict[int, str]] = field(default_factory=dict)

    def get(self, measure: str, year: int) -> int | None:
        return self.values.get(measure, {}).get(year)

    def series(self, measure: str) -> dict[int, int]:
        """The years with a figure, in order."""
        return {y: v for y, v in sorted(self.values.get(measure, {}).items()) if v is not None}

    def note(self, measure: str, year: int) -> str:
        return self.notes.get(measure, {}).get(year, "")

    def put(self, measure: str, year: int, value: int | None, note: str = "") -> None:
        self.values.setdefault(measure, {})[year] = value
        if note:
            self.notes.setdefault(measure, {})[year] = note

    def add(self, measure: str, year: int, value: int | None, note: str = "") -> None:
        """Add ``value`` to what is there (None counts as nothing; all None stays None)."""
        current = self.values.setdefault(measure, {}).get(year)
        if value is not None:
            self.values[measure][year] = (current or 0) + value
        elif year not in self.values[measure]:
            self.values[measure][year] = None
        if note:
            self.notes.setdefault(measure, {}).setdefault(year, note)

    def measures(self) -> list[str]:
        return sorted(self.values)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "old_code": self.old_code,
            "region_code": self.region_code,
            "region_name": self.region_name,
            "values": {
                m: {str(y): v for y, v in sorted(by.items())}
                for m, by in sorted(self.values.items())
            },
            "notes": {
                m: {str(y): n for y, n in sorted(by.items())}
                for m, by in sorted(self.notes.items())
                if by
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AreaSeries:
        values = data.get("values") or {}
        notes = data.get("notes") or {}
        assert isinstance(values, dict) and isinstance(notes, dict)
        return cls(
            code=str(data["code"]),
            name=str(data["name"]),
            level=str(data["level"]),
            old_code=str(data.get("old_code", "")),
            region_code=str(data.get("region_code", "")),
            region_name=str(data.get("region_name", "")),
            values={m: {int(y): v for y, v in by.items()} for m, by in values.items()},
            notes={m: {int(y): n for y, n in by.items()} for m, by in notes.items()},
        )

    def merge(self, other: AreaSeries) -> None:
        for measure, by_year in other.values.items():
            self.values.setdefault(measure, {}).update(by_year)
        for measure, by_year in other.notes.items():
            self.notes.setdefault(measure, {}).update(by_year)
        self.old_code = self.old_code or other.old_code
        self.region_code = self.region_code or other.region_code
        self.region_name = self.region_name or other.region_name


@dataclass
class SeriesSet:
    """Figures for many areas from one or more files."""

    areas: dict[str, AreaSeries] = field(default_factory=dict)
    sources: list[SourceFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files in a folder not recognised

    def merge(self, other: SeriesSet) -> SeriesSet:
        for code, area in other.areas.items():
            if code in self.areas:
                self.areas[code].merge(area)
            else:
                self.areas[code] = area
        self.sources.extend(other.sources)
        self.skipped.extend(other.skipped)
        return self

    @property
    def hash(self) -> str:
        """sha256 over the source files' own hashes (which files a figure came from)."""
        digest = hashlib.sha256()
        for source in sorted(self.sources, key=lambda s: (s.kind, s.sha256)):
            digest.update(f"{source.kind}:{source.sha256}\n".encode())
        return digest.hexdigest()

    def la_codes(self) -> list[str]:
        return sorted(code for code, area in self.areas.items() if area.level == "la")

    def area(self, code: str) -> AreaSeries:
        try:
            return self.areas[code]
        except KeyError:
            raise SeriesError(f"no figures for area {code}") from None

    def resolve(self, text: str) -> AreaSeries:
        """An LA by its nine-character code, its three-digit DfE number or its exact name."""
        cleaned = text.strip()
        if NEW_CODE.match(cleaned.upper()) and cleaned.upper() in self.areas:
            return self.areas[cleaned.upper()]
        for area in self.areas.values():
            if area.level != "la":
                continue
            if (OLD_CODE.match(cleaned) and area.old_code == cleaned) or (
                area.name.lower() == cleaned.lower()
            ):
                return area
        raise SeriesError(
            f"no published figures for LA {text!r}: give its nine-character code (E10000014), "
            "its three-digit DfE number (850) or its name as DfE writes it"
        )

    @property
    def england(self) -> AreaSeries | None:
        return self.areas.get(ENGLAND)


# --------------------------------------------------------------------------- reading


def decode(name: str, data: bytes) -> str:
    return decode_text(name, data)


def header_of(name: str, data: bytes) -> list[str]:
    reader = csv.reader(io.StringIO(decode(name, data[:65536])))
    try:
        return [_key(h) for h in next(reader)]
    except StopIteration:
        raise SeriesFileError(name, "the file is empty") from None


def _key(text: str) -> str:
    return text.strip().lstrip("\ufeff").strip().lower()


class Cells:
    """One row's cells, read with the file, row and column named in any error."""

    def __init__(self, file: str, row: int, record: Mapping[str, str]) -> None:
        self.file, self.row, self.record = file, row, record

    def text(self, column: str) -> str:
        return self.record.get(column, "").strip()

    def count(self, column: str) -> tuple[int | None, str]:
        """A whole number, or None and what DfE's symbol means (or that an earlier or later
        release has no such column: the columns a file must have are its spec's)."""
        if column not in self.record:
            return None, f"{column}: not in this release"
        text = self.text(column).replace(",", "")
        if re.fullmatch(r"\d+", text):
            return int(text), ""
        if text.lower() in SUPPRESSION_CODES:
            return None, f"{column} {text}: {SUPPRESSION_CODES[text.lower()]}"
        shown = repr(self.record[column])
        raise SeriesFileError(
            self.file,
            f"{shown} is not a whole number or a DfE symbol (x, z, c, u)",
            self.row,
            column,
        )

    def total(self, columns: Sequence[str]) -> tuple[int | None, str]:
        """The sum of ``columns``: symbols count as nothing; None only if every one is."""
        values, notes = [], []
        for column in columns:
            value, note = self.count(column)
            if value is not None:
                values.append(value)
            elif note:
                notes.append(note)
        if not values:
            return None, "; ".join(notes)
        return sum(values), ""

    def year(self, pattern: str = "calendar") -> int:
        """``201819`` → 2019 (the January of the academic year); ``2019`` → 2019."""
        text = self.text("time_period")
        if pattern == "academic":
            match = re.fullmatch(r"(\d{4})(\d{2})", text)
            if match and (int(match.group(1)) + 1) % 100 == int(match.group(2)):
                return int(match.group(1)) + 1
            raise SeriesFileError(
                self.file,
                f"{text!r} is not an academic year such as 201819",
                self.row,
                "time_period",
            )
        if re.fullmatch(r"\d{4}", text):
            return int(text)
        raise SeriesFileError(self.file, f"{text!r} is not a year", self.row, "time_period")


# A row's figures: (measure, year, value, note).
Figure = tuple[str, int, int | None, str]


@dataclass(frozen=True)
class FileSpec:
    kind: str
    label: str
    columns: tuple[str, ...]  # the columns that tell this file apart (all present)
    extract: Callable[[Cells], Iterable[Figure]]
    keep: Callable[[Cells], bool] = lambda cells: True  # rows to read (e.g. one breakdown)
    finish: Callable[[SeriesSet], None] | None = None  # checks across rows, once read

    def matches(self, header: Sequence[str]) -> bool:
        return set(self.columns) <= set(header)

    def read(self, name: str, data: bytes) -> SeriesSet:
        return read_ees(name, data, self)


@dataclass(frozen=True)
class OtherReader:
    """A file read by its own reader (e.g. ONS population, by ``published``)."""

    label: str
    columns: tuple[str, ...]
    reader: Callable[[str, bytes], SeriesSet]

    def matches(self, header: Sequence[str]) -> bool:
        return set(self.columns) <= set(header)

    def read(self, name: str, data: bytes) -> SeriesSet:
        return self.reader(name, data)


def read_ees(name: str, data: bytes, spec: FileSpec) -> SeriesSet:
    """Read a DfE file the spec recognises: every kept row, all or nothing."""
    text = decode(name, data)
    reader = csv.reader(io.StringIO(text))
    try:
        keys = [_key(h) for h in next(reader)]
    except StopIteration:
        raise SeriesFileError(name, "the file is empty") from None
    missing = [c for c in (*AREA_COLUMNS, *spec.columns) if c not in keys]
    if missing:
        raise SeriesFileError(name, f"missing column(s): {', '.join(missing)}", 1)
    result = SeriesSet()
    rows = 0
    for number, record in _records(name, keys, reader):
        cells = Cells(name, number, record)
        if not spec.keep(cells):
            continue
        area = _area(result, cells)
        for measure, year, value, note in spec.extract(cells):
            area.add(measure, year, value, note)
        rows += 1
    if not rows:
        raise SeriesFileError(name, f"no rows of the {spec.label} file to read", 2)
    result.sources.append(SourceFile(spec.kind, name, hashlib.sha256(data).hexdigest(), rows))
    if spec.finish is not None:
        spec.finish(result)
    return result


def _records(
    file: str, keys: list[str], reader: Iterator[list[str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(keys) - 1:
            raise SeriesFileError(
                file, f"has {len(values)} values but the header has {len(keys)} columns", number
            )
        yield number, dict(zip(keys, values, strict=False))


def _area(result: SeriesSet, cells: Cells) -> AreaSeries:
    level = LEVELS.get(cells.text("geographic_level").lower())
    if level is None:
        raise SeriesFileError(
            cells.file,
            f"unknown geographic level {cells.text('geographic_level')!r}",
            cells.row,
            "geographic_level",
        )
    code = {
        "national": cells.text("country_code"),
        "regional": cells.text("region_code"),
        "la": cells.text("new_la_code"),
    }[level]
    if not NEW_CODE.match(code):
        column = {"national": "country_code", "regional": "region_code", "la": "new_la_code"}
        raise SeriesFileError(
            cells.file, f"{code!r} is not a nine-character area code", cells.row, column[level]
        )
    area = result.areas.get(code)
    if area is None:
        name = {
            "national": cells.text("country_name") or "England",
            "regional": cells.text("region_name"),
            "la": cells.text("la_name"),
        }[level]
        area = AreaSeries(
            code,
            name,
            level,
            cells.text("old_la_code"),
            cells.text("region_code"),
            cells.text("region_name"),
        )
        result.areas[code] = area
    return area


def read_population(name: str, data: bytes) -> SeriesSet:
    """ONS 0-17 mid-year estimates (the file the benchmark imports too) as ``population``."""
    rows = population_rows(name, data)
    result = SeriesSet(sources=[SourceFile("population", name, file_sha256(data), len(rows))])
    for row in rows:
        area = result.areas.setdefault(
            row.area_code,
            AreaSeries(row.area_code, row.area_name, row.level, row.old_la_code, row.region_code),
        )
        area.put("population", row.year, row.population)
    return result


POPULATION_READER = OtherReader(
    "ONS 0-17 mid-year population", ("age_group", "population_estimate"), read_population
)


def read_files(
    files: Iterable[tuple[str, bytes]],
    readers: Sequence[FileSpec | OtherReader],
    *,
    skip_unknown: bool = False,
) -> SeriesSet:
    """Recognise each file by its columns and read it: every file, or an error and nothing.
    With ``skip_unknown`` (a folder) files no reader knows are listed in ``skipped``."""
    result = SeriesSet()
    for name, data in files:
        header = header_of(name, data)
        reader = next((r for r in readers if r.matches(header)), None)
        if reader is not None:
            result.merge(reader.read(name, data))
        elif skip_unknown:
            result.skipped.append(name)
        else:
            expected = "; ".join(r.label for r in readers)
            raise SeriesFileError(name, f"not a recognised file: expected one of {expected}", 1)
    if not result.sources:
        expected = "; ".join(r.label for r in readers)
        raise SeriesFileError(
            ", ".join(result.skipped) or "(no files)",
            f"none of these is a file to read: {expected}",
        )
    return result


def files_in(path: Path | str, suffixes: tuple[str, ...] = (".csv",)) -> list[tuple[str, bytes]]:
    """The files of a folder (its CSV files, sorted), or one file, as (name, bytes)."""
    source = Path(path)
    if not source.exists():
        raise SeriesFileError(source.name, f"{source} does not exist")
    if source.is_dir():
        paths = sorted(p for p in source.iterdir() if p.suffix.lower() in suffixes)
        if not paths:
            raise SeriesFileError(source.name, f"the folder has no {'/'.join(suffixes)} files")
    else:
        paths = [source]
    try:
        return [(p.name, p.read_bytes()) for p in paths]
    except OSError as error:
        raise SeriesFileError(source.name, f"cannot be read: {error.strerror}") from None
