"""Parse published benchmark files into typed rows. Pure: no database.

Each file is recognised by its columns, never by its name:

* DfE children looked after numbers and rates (``cla_number_and_rate_per_10k_children.csv``),
  in the 2025 schema (``children_count``, ``population_type``) or the 2024 one (``number``,
  ``population_count``);
* ONS 0-17 mid-year population by LA (``age_group``, ``population_estimate``);
* DfE statistical neighbour groupings (``LA num``, ``SN1`` … ``SN10``);
* ONS lower- to upper-tier LA lookup (``LTLA..CD``, ``UTLA..CD``);
* MHCLG RO3 revenue outturn (.ods, sheet with ``E-code``, ``ONS Code`` and the
  "Children Looked After" columns, in £ thousand).

The DfE and ONS files the demand models read too (children looked after, population) are
parsed by ``csplan.demand.annual.published``; this module recognises every kind and stores
the published series files through their demand readers. Bad input raises
:class:`~csplan.demand.annual.published.PublishedFileError` naming the file, row and column.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from csplan.core import limits
from csplan.core.money import round_half_up
from csplan.demand.annual.published import (
    CLA,
    CLA_2025,
    CLA_COMMON,
    NEW_CODE,
    OLD_CODE,
    POPULATION,
    SCHEMA_2024_TO_2025,
    SUPPRESSION_CODES,
    PublishedFileError,
    cla_schema,
    clean_header,
    file_sha256,
    header_key,
    is_population,
    open_csv,
    parse_cla_rows,
    parse_population_rows,
    records,
)
from csplan.demand.annual.series import FileSpec
from csplan.demand.needs.readers import (
    CHILDREN_IN_NEED,
    CPP_AT31,
    CPP_STARTED,
    PLACEMENTS,
    REFERRALS,
)
from csplan.demand.send.readers import SPECS

# Kinds of dataset, used as keys in the store and in messages (and CLA, POPULATION).
NEIGHBOURS = "neighbours"
NEIGHBOURS_2025 = "neighbours_2025"
LA_LOOKUP = "la_lookup"
RO3 = "ro3"
# The statistical-neighbour models a user can choose: the kind of dataset each is stored as.
NEIGHBOUR_MODELS = {"2021": NEIGHBOURS, "2025": NEIGHBOURS_2025}

KIND_LABELS = {
    CLA: "DfE children looked after numbers and rates per 10,000",
    POPULATION: "ONS 0-17 mid-year population by LA",
    NEIGHBOURS: "DfE statistical neighbour groupings",
    NEIGHBOURS_2025: "DfE statistical neighbour model (2025)",
    LA_LOOKUP: "ONS lower- to upper-tier LA lookup",
    RO3: "MHCLG RO3 revenue outturn (children looked after spend)",
}


@dataclass(frozen=True)
class NeighbourRow:
    old_la_code: str
    la_name: str
    region: str
    neighbours: tuple[tuple[str, str], ...]  # (old LA code, closeness), SN1 first


@dataclass(frozen=True)
class LookupRow:
    ltla_code: str
    ltla_name: str
    utla_code: str
    utla_name: str


@dataclass(frozen=True)
class Ro3Row:
    """Children looked after spend for one authority, in pounds (the file is in £ thousand)."""

    financial_year: int  # start year of the financial year, e.g. 2024 for 2024-25
    ecode: str
    ons_code: str
    name: str
    la_class: str
    total_expenditure: Decimal | None  # C3
    total_income: Decimal | None  # C6
    net_current_expenditure: Decimal | None  # C7
    note: str = ""


@dataclass
class ParsedFile:
    """The rows of one recognised file, with what identifies its source."""

    kind: str
    source_name: str
    sha256: str
    rows: list[Any] = field(default_factory=list)
    schema: str = ""  # e.g. "2024" or "2025" for the CLA file
    slot: str = ""  # the dataset this file fills (one per kind, per year for RO3)

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind) or series_label(self.kind)


# --------------------------------------------------------------------------- recognition

NEIGHBOUR_COLUMNS = ("la num", "la name", "sn1", "snp", "sn10")
NEIGHBOUR_2025_COLUMNS = ("old_la_code", "la_name", "sn_1", "sn_1p", "sn_10", "sn_10p")
# kind: (the columns that tell it apart, all the columns it needs) - for "missing column" errors
_KNOWN_HEADERS = {
    CLA: (
        ("population_estimate", "rate_per_10000", "children_count", "population_type"),
        (*CLA_COMMON, *CLA_2025),
    ),
    NEIGHBOURS: (("sn1", "snp", "sn10", "la num"), NEIGHBOUR_COLUMNS),
}


def recognise_header(file: str, header: Sequence[str]) -> tuple[str, str]:
    """The kind of file (and schema) its header row shows, or a clear error."""
    keys = [header_key(name) for name in header]
    keyset = set(keys)
    schema = cla_schema(file, keys)
    if schema is not None:
        return CLA, schema
    if is_population(keys):
        return POPULATION, ""
    if set(NEIGHBOUR_COLUMNS) <= keyset:
        return NEIGHBOURS, ""
    if set(NEIGHBOUR_2025_COLUMNS) <= keyset:
        return NEIGHBOURS_2025, ""
    if any(re.fullmatch(r"ltla\d\dcd", k) for k in keys) and any(
        re.fullmatch(r"utla\d\dcd", k) for k in keys
    ):
        return LA_LOOKUP, ""
    normalised = {SCHEMA_2024_TO_2025.get(k, k) for k in keyset}
    for kind, (distinctive, needed) in _KNOWN_HEADERS.items():
        missing = [name for name in needed if name not in normalised]
        if len([n for n in distinctive if n not in normalised]) <= len(distinctive) // 2:
            raise PublishedFileError(
                file,
                f"looks like the {KIND_LABELS[kind]} file but is missing column(s): "
                f"{', '.join(missing)}",
                1,
            )
    shown = ", ".join(clean_header(h) for h in header[:8]) or "(no columns)"
    raise PublishedFileError(
        file,
        "not a recognised benchmark file: expected the columns of the DfE children looked "
        "after file, the ONS population file, the statistical neighbour groupings, the ONS "
        f"LTLA-UTLA lookup or an MHCLG RO3 workbook; found {shown}",
        1,
    )


def parse_path(path: str | Path) -> ParsedFile:
    """Read and parse one file from disk."""
    path = Path(path)
    try:
        data = limits.read_import_file(path)
    except OSError as error:
        raise PublishedFileError(path.name, f"cannot be read: {error.strerror}") from None
    except limits.FileRefused as refused:
        raise PublishedFileError(path.name, refused.reason) from None
    return parse_bytes(path.name, data)


def parse_bytes(name: str, data: bytes) -> ParsedFile:
    """Recognise a file by its columns and parse it."""
    digest = file_sha256(data)
    if not data.strip():
        raise PublishedFileError(name, "the file is empty")
    if data[:4] == b"PK\x03\x04":
        rows = parse_ro3(name, data)
        year = rows[0].financial_year
        return ParsedFile(RO3, name, digest, rows, slot=f"{RO3}:{year}")
    header, reader = open_csv(name, data)
    series = _series_reader(header)
    if series is not None:
        read = series.read(name, data)
        return ParsedFile(series.kind, name, digest, list(read.areas.values()), slot=series.kind)
    kind, schema = recognise_header(name, header)
    keys = [header_key(h) for h in header]
    parser = {
        CLA: parse_cla_rows,
        POPULATION: parse_population_rows,
        NEIGHBOURS: _parse_neighbours,
        NEIGHBOURS_2025: _parse_neighbours_2025,
        LA_LOOKUP: _parse_lookup,
    }[kind]
    rows = parser(name, keys, reader)
    if not rows:
        raise PublishedFileError(name, "the file has a header but no data rows", 2)
    return ParsedFile(kind, name, digest, rows, schema=schema, slot=kind)


# --------------------------------------------------------------------------- neighbours


def _parse_neighbours(
    file: str, keys: list[str], reader: Iterator[list[str]]
) -> list[NeighbourRow]:
    sn_columns = [i for i, k in enumerate(keys) if re.fullmatch(r"sn\d+", k)]
    code_column = keys.index("la num")
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        code = values[code_column].strip()
        if not code and not any(values[c].strip() for c in sn_columns if c < len(values)):
            continue  # a section line such as "Old SNs:"
        if not OLD_CODE.match(code):
            raise PublishedFileError(
                file, f"{code!r} is not a three-digit LA number", number, "LA num"
            )
        neighbours = []
        for column in sn_columns:
            neighbour = values[column].strip() if column < len(values) else ""
            if not neighbour:
                continue
            if not OLD_CODE.match(neighbour):
                raise PublishedFileError(
                    file,
                    f"{neighbour!r} is not a three-digit LA number",
                    number,
                    keys[column].upper(),
                )
            closeness = values[column + 1].strip() if column + 1 < len(values) else ""
            neighbours.append((neighbour, closeness))
        rows.append(
            NeighbourRow(
                old_la_code=code,
                la_name=values[keys.index("la name")].strip(),
                region=values[keys.index("goreg")].strip() if "goreg" in keys else "",
                neighbours=tuple(neighbours),
            )
        )
    return rows


def _parse_neighbours_2025(
    file: str, keys: list[str], reader: Iterator[list[str]]
) -> list[NeighbourRow]:
    """DfE's 2025 model: ``SN_1``…``SN_10`` with closeness in ``SN_1P``… (trailing spaces)."""
    sn_columns = [(k, keys.index(k), keys.index(k + "p")) for k in keys
                  if re.fullmatch(r"sn_\d+", k) and k + "p" in keys]  # fmt: skip
    rows = []
    for number, record in records(file, keys, reader):
        code = record["old_la_code"].strip()
        if not OLD_CODE.match(code):
            raise PublishedFileError(
                file, f"{code!r} is not a three-digit LA number", number, "old_la_code"
            )
        values = list(record.values())
        neighbours = []
        for key, column, closeness in sn_columns:
            neighbour = values[column].strip() if column < len(values) else ""
            if not neighbour:
                continue
            if not OLD_CODE.match(neighbour):
                raise PublishedFileError(
                    file, f"{neighbour!r} is not a three-digit LA number", number, key.upper()
                )
            neighbours.append((neighbour, values[closeness].strip() if closeness < len(values)
                               else ""))  # fmt: skip
        rows.append(
            NeighbourRow(
                code,
                record["la_name"].strip(),
                record.get("region_name", "").strip(),
                tuple(neighbours),
            )
        )
    return rows


# --------------------------------------------------------------------------- published series


def _series_reader(header: Sequence[str]) -> FileSpec | None:
    """The reader of a published series file (EHC plans, children in need, placements), if
    the header is one's: stored as figures by area (``csplan.demand.annual.series``)."""
    keys = [header_key(h) for h in header]
    for spec in series_specs():
        if spec.matches(keys):
            return spec
    return None


def series_specs() -> tuple[FileSpec, ...]:
    return (*SPECS, CHILDREN_IN_NEED, REFERRALS, CPP_AT31, CPP_STARTED, PLACEMENTS)


def series_label(kind: str) -> str:
    return next((spec.label for spec in series_specs() if spec.kind == kind), kind)


# --------------------------------------------------------------------------- LA lookup


def _parse_lookup(file: str, keys: list[str], reader: Iterator[list[str]]) -> list[LookupRow]:
    ltla_cd = next(k for k in keys if re.fullmatch(r"ltla\d\dcd", k))
    utla_cd = next(k for k in keys if re.fullmatch(r"utla\d\dcd", k))
    ltla_nm, utla_nm = ltla_cd[:-2] + "nm", utla_cd[:-2] + "nm"
    rows = []
    for number, record in records(file, keys, reader):
        for column in (ltla_cd, utla_cd):
            if not NEW_CODE.match(record[column].strip()):
                raise PublishedFileError(
                    file, f"{record[column]!r} is not a nine-character code", number, column.upper()
                )
        rows.append(
            LookupRow(
                ltla_code=record[ltla_cd].strip(),
                ltla_name=record.get(ltla_nm, "").strip(),
                utla_code=record[utla_cd].strip(),
                utla_name=record.get(utla_nm, "").strip(),
            )
        )
    return rows


# --------------------------------------------------------------------------- RO3 (.ods)

_NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
_T = "{" + _NS["table"] + "}"
_O = "{" + _NS["office"] + "}"
RO3_C3 = "children looked after - total expenditure"
RO3_C6 = "children looked after - total income"
RO3_C7 = "children looked after - net current expenditure"
_MAX_REPEAT = 64  # trailing empty cells/rows are written as one element repeated thousands of times
_MAX_COLUMNS = 16_384  # a spreadsheet's widest row: a repeated value is not copied further


def ods_sheets(name: str, data: bytes) -> Iterator[tuple[str, Iterator[list[str]]]]:
    """Stream the sheets of an .ods file as (sheet name, rows of cell texts).

    A streaming reader (``content.xml`` with iterparse) rather than odfpy's DOM: the RO3
    workbook takes ~20 s to load with odfpy and ~2 s this way.
    """
    try:
        content = limits.open_workbook_part(data, name, "content.xml")
    except (zipfile.BadZipFile, KeyError):
        raise PublishedFileError(name, "is not an OpenDocument spreadsheet (.ods)") from None
    except limits.FileRefused as refused:
        raise PublishedFileError(refused.file, refused.reason) from None
    events = ElementTree.iterparse(content, events=("start", "end"))
    for event, element in events:
        if event == "start" and element.tag == _T + "table":
            yield element.get(_T + "name", ""), _table_rows(events)


def _table_rows(events: Iterator[tuple[str, ElementTree.Element]]) -> Iterator[list[str]]:
    for event, element in events:
        if event == "end" and element.tag == _T + "table-row":
            cells = _row_cells(element)
            repeat = min(int(element.get(_T + "number-rows-repeated", "1")), _MAX_REPEAT)
            element.clear()
            for _ in range(repeat):
                yield cells
        elif event == "end" and element.tag == _T + "table":
            return


def _row_cells(row: ElementTree.Element) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (_T + "table-cell", _T + "covered-table-cell"):
            continue
        value = cell.get(_O + "value")
        if value is None:
            value = "\n".join("".join(p.itertext()) for p in cell)
        repeat = int(cell.get(_T + "number-columns-repeated", "1"))
        cells.extend([value] * min(repeat, _MAX_COLUMNS if value else _MAX_REPEAT))
    while cells and not cells[-1]:
        cells.pop()
    return cells


def parse_ro3(name: str, data: bytes) -> list[Ro3Row]:
    """The children looked after spend of each authority from an RO3 workbook."""
    try:
        for sheet, rows in ods_sheets(name, data):
            found = _parse_ro3_sheet(name, sheet, rows)
            if found is not None:
                return found
    except limits.FileRefused as refused:  # content.xml unzips beyond the budgets
        raise PublishedFileError(refused.file, refused.reason) from None
    raise PublishedFileError(
        name,
        "no sheet has the RO3 columns (E-code, ONS Code, Local authority and "
        "'Children Looked After - Total Expenditure')",
    )


def _ro3_year(name: str, sheet: str, title: str) -> int:
    match = re.search(r"(20\d\d)\s*[-/]\s*(\d\d)", title) or re.search(r"(20\d\d)(\d\d)$", sheet)
    if not match:
        raise PublishedFileError(name, f"sheet {sheet!r}: cannot find the financial year", 1)
    return int(match.group(1))


def _parse_ro3_sheet(name: str, sheet: str, rows: Iterator[list[str]]) -> list[Ro3Row] | None:
    title = ""
    for number, cells in enumerate(rows, start=1):
        if number == 1 and cells:
            title = cells[0]
        keys = [header_key(c) for c in cells]
        if "e-code" in keys and "ons code" in keys:
            columns = _ro3_columns(keys)
            if columns is None:
                return None
            year = _ro3_year(name, sheet, title)
            return _ro3_rows(name, sheet, year, keys, columns, rows, number)
        if number > 30:
            return None
    return None


def _ro3_columns(keys: list[str]) -> dict[str, int] | None:
    wanted = {"c3": RO3_C3, "c6": RO3_C6, "c7": RO3_C7}
    columns = {}
    for short, label in wanted.items():
        matches = [i for i, k in enumerate(keys) if label in k and "of which" not in k]
        if not matches:
            return None
        columns[short] = matches[0]
    return columns


def _ro3_rows(
    name: str,
    sheet: str,
    year: int,
    keys: list[str],
    columns: dict[str, int],
    rows: Iterator[list[str]],
    header_row: int,
) -> list[Ro3Row]:
    ecode, ons, la, klass = (
        keys.index(k) for k in ("e-code", "ons code", "local authority", "class")
    )
    parsed = []
    for number, cells in enumerate(rows, start=header_row + 1):
        cells = cells + [""] * (len(keys) - len(cells))
        code = cells[ons].strip()
        if not NEW_CODE.match(code) or not cells[ecode].strip().startswith("E"):
            continue  # class subtotals ([Y]), the hidden reference row, blank rows
        values, notes = {}, []
        for short, column in columns.items():
            values[short], note = _thousands(name, sheet, number, keys[column], cells[column])
            if note:
                notes.append(note)
        parsed.append(
            Ro3Row(
                financial_year=year,
                ecode=cells[ecode].strip(),
                ons_code=code,
                name=cells[la].strip(),
                la_class=cells[klass].strip(),
                total_expenditure=values["c3"],
                total_income=values["c6"],
                net_current_expenditure=values["c7"],
                note=notes[0] if notes else "",
            )
        )
    if not parsed:
        raise PublishedFileError(name, f"sheet {sheet!r} has the RO3 columns but no authorities")
    return parsed


def _thousands(
    name: str, sheet: str, row: int, column: str, value: str
) -> tuple[Decimal | None, str]:
    text = value.strip()
    if text.lower() in SUPPRESSION_CODES or text == "":
        return None, f"{text or 'blank'}: {SUPPRESSION_CODES.get(text.lower(), 'blank')}"
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise PublishedFileError(
            f"{name} (sheet {sheet})", f"{value!r} is not an amount", row, column
        ) from None
    if not amount.is_finite():
        raise PublishedFileError(
            f"{name} (sheet {sheet})", f"{value!r} is not an amount", row, column
        )
    # Pounds to the penny: the workbook stores binary-float artefacts (8917040.3461399991).
    return round_half_up(amount * 1000, 2), ""
