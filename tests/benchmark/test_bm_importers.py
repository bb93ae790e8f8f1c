"""Parsing: files recognised by their columns, both CLA schemas, clear errors."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from csplan.benchmark import importers as imp
from csplan.demand.annual import published as pub

CLA_HEADER_2025 = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000"
)
HERTS_2025 = (
    "2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,919,"
    "Hertfordshire,E10000015,Children looked after on 31 March each year,277480,{count},36"
)


def small_cla(count: str = "999") -> bytes:
    return (CLA_HEADER_2025 + "\n" + HERTS_2025.format(count=count) + "\n").encode()


def to_2024_schema(source: Path, target: Path) -> None:
    """Rewrite a 2025-schema CLA file with the 2024 release's column names and order."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rename = {"children_count": "number", "population_type": "population_count"}
    columns = [rename.get(c, c) for c in rows[0]]
    columns.remove("number")
    columns.insert(columns.index("population_estimate"), "number")  # a different order too
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({rename.get(k, k): v for k, v in row.items()})


def test_small_cla_file_is_recognised_and_typed():
    parsed = imp.parse_bytes("any-name.txt", small_cla())
    assert (parsed.kind, parsed.schema, parsed.slot) == (pub.CLA, "2025", pub.CLA)
    [row] = parsed.rows
    assert row == pub.ClaRow(
        year=2025,
        level="la",
        area_code="E10000015",
        area_name="Hertfordshire",
        old_la_code="919",
        region_code="E12000006",
        region_name="East of England",
        measure="looked_after",
        population=277480,
        count=999,
        published_rate=36,
    )
    assert len(parsed.sha256) == 64


def test_suppressed_figures_become_none_with_the_reason():
    parsed = imp.parse_bytes("f.csv", small_cla(count="c"))
    assert parsed.rows[0].count is None
    assert "confidential" in parsed.rows[0].note


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file empty.csv: the file is empty"),
        (b"   \n", "file empty.csv: the file is empty"),
        (CLA_HEADER_2025.encode() + b"\n", "file empty.csv, row 2: the file has a header but no"),
        (b"a,b,c\n1,2,3\n", "file empty.csv, row 1: not a recognised benchmark file"),
    ],
)
def test_empty_and_unknown_files_are_refused(content, expected):
    with pytest.raises(pub.PublishedFileError) as error:
        imp.parse_bytes("empty.csv", content)
    assert str(error.value).startswith(expected)


def test_non_numeric_count_names_file_row_and_column():
    body = small_cla().decode() + HERTS_2025.format(count="12x").replace("919", "920") + "\n"
    with pytest.raises(pub.PublishedFileError) as error:
        imp.parse_bytes("cla.csv", body.encode())
    assert (error.value.file, error.value.row, error.value.column) == (
        "cla.csv",
        3,
        "children_count",
    )
    assert str(error.value) == (
        "file cla.csv, row 3, column 'children_count': '12x' is not a whole number"
    )


def test_cla_file_without_either_count_schema_is_refused():
    header = CLA_HEADER_2025.replace("children_count", "kids")
    with pytest.raises(pub.PublishedFileError, match="neither the 2025 columns"):
        imp.parse_bytes("cla.csv", (header + "\n").encode())


def test_unknown_measure_is_an_error_with_its_column():
    body = small_cla().decode().replace("Children looked after on 31 March each year", "Cats")
    with pytest.raises(pub.PublishedFileError, match=r"row 2, column 'population_type'"):
        imp.parse_bytes("cla.csv", body.encode())


def test_ods_that_is_not_a_zip_is_refused():
    with pytest.raises(pub.PublishedFileError, match="not an OpenDocument spreadsheet"):
        imp.parse_bytes("ro3.ods", b"PK\x03\x04 broken")


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(pub.PublishedFileError, match="nope.csv: cannot be read"):
        imp.parse_path(tmp_path / "nope.csv")


# --------------------------------------------------------------------------- real files


@pytest.mark.reference
def test_each_reference_file_is_recognised_by_its_columns(reference_files):
    counts = {kind: len(parsed.rows) for kind, parsed in reference_files.items()}
    assert counts == {
        pub.CLA: 2505,
        pub.POPULATION: 2132,
        imp.NEIGHBOURS: 156,
        imp.LA_LOOKUP: 318,
        imp.RO3: 411,
    }
    assert reference_files[pub.CLA].schema == "2025"
    assert reference_files[imp.RO3].slot == "ro3:2024"


@pytest.mark.reference
def test_recognition_does_not_depend_on_the_file_name(tmp_path, reference_paths):
    renamed = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    renamed.write_bytes(reference_paths[imp.LA_LOOKUP].read_bytes())
    assert imp.parse_path(renamed).kind == imp.LA_LOOKUP


@pytest.mark.reference
def test_other_dfe_files_are_refused_not_misread(reference_dir):
    other = reference_dir / "la_cla_placement_stability.csv"
    with pytest.raises(pub.PublishedFileError, match="row 1: not a recognised benchmark file"):
        imp.parse_path(other)
    rsx = reference_dir / "RSX_LA_Data_2024-25_data_by_LA.ods"
    with pytest.raises(pub.PublishedFileError, match="no sheet has the RO3 columns"):
        imp.parse_path(rsx)


@pytest.mark.reference
def test_2024_schema_gives_the_same_rows(tmp_path, reference_paths, reference_files):
    converted = tmp_path / "cla_2024_release.csv"
    to_2024_schema(reference_paths[pub.CLA], converted)
    assert "number" in converted.read_text().splitlines()[0].split(",")
    parsed = imp.parse_path(converted)
    assert parsed.schema == "2024"
    assert parsed.rows == reference_files[pub.CLA].rows


@pytest.mark.reference
def test_suppression_symbols_in_the_real_file(reference_files):
    rows = reference_files[pub.CLA].rows
    missing = [r for r in rows if r.count is None]
    assert len(missing) == 58
    city = next(
        r
        for r in rows
        if r.area_name == "City of London" and r.year == 2025 and r.measure == "looked_after"
    )
    assert (city.population, city.count, city.published_rate) == (847, None, None)
    assert "children_count c: confidential (suppressed)" in city.note


@pytest.mark.reference
def test_ro3_children_looked_after_spend(reference_files):
    rows = {r.ons_code: r for r in reference_files[imp.RO3].rows}
    herts = rows["E10000015"]
    assert herts.name == "Hertfordshire CC"
    assert herts.financial_year == 2024
    assert herts.total_expenditure == Decimal("134481260.00")
    assert herts.total_income == Decimal("13663210.00")
    assert herts.net_current_expenditure == Decimal("120818050.00")
    assert rows["E10000003"].net_current_expenditure == Decimal("59050000")
    # England's float artefact 8917040.3461399991 (£'000) is read to the penny
    assert rows["E92000001"].total_expenditure == Decimal("8917040346.14")
    assert rows["E06000063"].total_expenditure is None  # Cumberland: return not received
    assert sum(1 for r in rows.values() if r.la_class in {"UA", "MD", "LB", "SC"}) == 153


def test_ods_bad_amount_names_sheet_row_and_column():
    content = _tiny_ods(
        [
            ["Worksheet 2: Revenue Outturn (RO) 2024-25: RO3 data"],
            [
                "E-code",
                "ONS Code",
                "Local authority",
                "Class",
                "Children's social care - Children Looked After - Total Expenditure (C3 = C1 + C2)",
                "Children's social care - Children Looked After - Total Income (C6 = C4 + C5)",
                "Children's social care - Children Looked After - Net Current Expenditure (C7)",
            ],
            ["E1920", "E10000015", "Hertfordshire CC", "SC", "100", "10", "ninety"],
        ]
    )
    with pytest.raises(pub.PublishedFileError) as error:
        imp.parse_bytes("tiny.ods", content)
    assert error.value.row == 3
    assert "Net Current Expenditure" in (error.value.column or "").title()
    assert "'ninety' is not an amount" in str(error.value)


def test_tiny_ods_parses_to_pounds():
    content = _tiny_ods(
        [
            ["Worksheet 2: Revenue Outturn (RO) 2023-24: RO3 data"],
            [
                "E-code",
                "ONS Code",
                "Local authority",
                "Class",
                "Children's social care - Children Looked After - Total Expenditure (C3 = C1 + C2)",
                "Children's social care - Children Looked After - Total Income (C6 = C4 + C5)",
                "Children's social care - Children Looked After - Net Current Expenditure (C7)",
            ],
            ["E1920", "E10000015", "Hertfordshire CC", "SC", "100.5", "10", "90.5"],
            ["[Y]", "E10", "Shire Counties", "SC", "1", "1", "1"],
        ]
    )
    parsed = imp.parse_bytes("tiny.ods", content)
    assert parsed.slot == "ro3:2023"
    [row] = parsed.rows
    assert row.total_expenditure == Decimal("100500.00")
    assert row.net_current_expenditure == Decimal("90500.00")


def _tiny_ods(rows: list[list[str]]) -> bytes:
    """A minimal .ods (content.xml only) with string cells."""
    import zipfile

    cells = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
            for v in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        '<office:body><office:spreadsheet><table:table table:name="RO3_LA_Data_202324">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    return out.getvalue()


def test_a_known_file_missing_a_column_says_which():
    header = CLA_HEADER_2025.replace(",rate_per_10000", "")
    with pytest.raises(pub.PublishedFileError) as error:
        imp.parse_bytes("cla.csv", (header + "\n").encode())
    assert str(error.value) == (
        "file cla.csv, row 1: looks like the DfE children looked after numbers and rates per "
        "10,000 file but is missing column(s): rate_per_10000"
    )


def test_a_repeated_figure_is_an_error():
    body = small_cla().decode() + HERTS_2025.format(count="998") + "\n"
    with pytest.raises(
        pub.PublishedFileError,
        match=r"row 3, column 'new_la_code': repeats "
        r"Hertfordshire 2025 looked_after \(first on row 2\)",
    ):
        imp.parse_bytes("cla.csv", body.encode())


def test_a_short_row_is_an_error_with_its_row():
    body = small_cla().decode() + "2025,Reporting year,Local authority\n"
    with pytest.raises(
        pub.PublishedFileError,
        match=r"file cla.csv, row 3: has 3 values but "
        r"the header has 14 columns",
    ):
        imp.parse_bytes("cla.csv", body.encode())


@pytest.mark.parametrize("bad", ["-5", "1.5", "", "n/a"])
def test_counts_must_be_whole_numbers_or_dfe_symbols(bad):
    with pytest.raises(pub.PublishedFileError, match=r"row 2, column 'children_count'"):
        imp.parse_bytes("cla.csv", small_cla(count=bad))
