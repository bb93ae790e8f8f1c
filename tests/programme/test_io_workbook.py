"""The programme workbook: round trips, the template, and every bad-file rule."""

import io
from dataclasses import replace
from decimal import Decimal

import openpyxl
import pytest

from csplan.core.money import Unit
from csplan.core.periods import FinancialYear, year_range
from csplan.programme.calculations import proposals_appendix, target_comparison, workstream_table
from csplan.programme.demo import hampshire_figures
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io.workbook import read_workbook, template_bytes, workbook_bytes
from csplan.programme.phasing import PhasingForm

Y16 = FinancialYear(2016)


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


def _edited(programme, edit, form=PhasingForm.CUMULATIVE):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(programme, form)))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _problems(data, file="plan.xlsx"):
    with pytest.raises(ProgrammeImportError) as caught:
        read_workbook(data, file=file)
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("form", list(PhasingForm))
@pytest.mark.parametrize("unit", list(Unit))
def test_round_trip_gives_the_same_programme_and_tables(programme, form, unit):
    again = read_workbook(workbook_bytes(programme, form, unit))
    assert again == programme
    assert workstream_table(again) == workstream_table(programme)
    assert proposals_appendix(again) == proposals_appendix(programme)
    assert target_comparison(again) == target_comparison(programme)


def test_round_trip_keeps_every_field_pence_and_formula_like_text(programme):
    line = replace(
        programme.lines[0],
        reference="=C3",
        title="+Edge of care",
        phasing={Y16: Decimal("1234.56"), FinancialYear(2018): Decimal("-250000")},
        key_decision=True,
        staff_consultation=False,
        lifecycle="in_delivery",
        recurrence="one_off",
        rag="A",
        baseline_budget=Decimal("52500000.01"),
        fte=Decimal("1.25"),
        fte_note="estimate",
    )
    changed = replace(programme, lines=(line, *programme.lines[1:]), sign_convention="negative")
    assert read_workbook(workbook_bytes(changed, PhasingForm.CUMULATIVE)) == changed


def test_workbook_layout_key_and_formats(programme):
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(programme, PhasingForm.CUMULATIVE)))
    assert book.sheetnames == ["Key", "Programme", "Workstreams", "Lines"]
    key = list(book["Key"].iter_rows(values_only=True))
    assert "Every amount is in £'000." in key[1][0]
    assert "cumulative" in key[1][0]
    assert "positive numbers" in key[2][0]
    assert "leading '" in key[3][0]
    explained = {(sheet, column) for sheet, column, _ in key[6:]}
    assert ("Lines", "FTE") in explained and ("Programme", "Phasing form") in explained
    programme_sheet = {row[0]: row[1] for row in book["Programme"].iter_rows(values_only=True)}
    assert programme_sheet["Unit"] == "£'000"
    assert programme_sheet["Phasing form"] == "cumulative"
    assert programme_sheet["2017/18"] == 23300
    lines = book["Lines"]
    headings = [cell.value for cell in lines[1]]
    assert headings[:3] == ["Ref", "Title", "Workstream"]
    assert headings[-5:] == ["2016/17", "2017/18", "2018/19", "FTE", "FTE note"]
    assert [cell.value for cell in lines[2]][-5:] == [1500, 4000, 4000, 3.1, None]
    assert [cell.value for cell in lines[3]][-2:] == ["TBC", "TBC"]
    assert lines["O2"].number_format == "#,##0;(#,##0)"
    assert lines.freeze_panes == "B2"
    assert book["Workstreams"]["C9"].value == "No"


def test_template_is_empty_with_headings_and_years():
    years = year_range(FinancialYear(2025), 4)
    book = openpyxl.load_workbook(io.BytesIO(template_bytes(years, PhasingForm.INCREMENTAL)))
    lines = book["Lines"]
    assert lines.max_row == 1
    assert [c.value for c in lines[1]][-6:-2] == ["2025/26", "2026/27", "2027/28", "2028/29"]
    programme_rows = list(book["Programme"].iter_rows(values_only=True))
    assert ("Phasing form", "incremental") in [row[:2] for row in programme_rows]
    assert ("2028/29", 0) in [row[:2] for row in programme_rows]


def test_empty_template_names_what_is_missing():
    problems = _problems(template_bytes(year_range(FinancialYear(2025), 3)))
    assert problems == [
        "plan.xlsx, sheet 'Programme', row 2, column 'Value (B)': Council is required: "
        "write it in column B",
        "plan.xlsx, sheet 'Programme', row 3, column 'Value (B)': Plan is required: "
        "write it in column B",
    ]


def test_non_numeric_amounts_name_sheet_row_and_column(programme):
    def edit(book):
        book["Lines"]["P3"] = "1,5x"
        book["Workstreams"]["B2"] = "lots"
        book["Programme"]["B12"] = "??"

    problems = _problems(_edited(programme, edit))
    assert problems == [
        "plan.xlsx, sheet 'Programme', row 12, column 'Target (B)': '??' is not an amount in £'000",
        "plan.xlsx, sheet 'Workstreams', row 2, column 'Budget (B)': "
        "'lots' is not an amount in £'000",
        "plan.xlsx, sheet 'Lines', row 3, column '2017/18 (P)': '1,5x' is not an amount in £'000",
    ]


def test_years_duplicated_badly_written_or_not_consecutive(programme):
    def edit(book):
        book["Programme"]["A12"] = "2016/17"  # duplicates row 11
        book["Programme"]["A13"] = "2018-20"

    problems = _problems(_edited(programme, edit))
    assert (
        "plan.xlsx, sheet 'Programme', row 12, column 'Financial year': "
        "financial year 2016/17 appears more than once"
    ) in problems
    assert any(
        p.startswith("plan.xlsx, sheet 'Programme', row 13, column 'Financial year': '2018-20'")
        for p in problems
    )


def test_line_year_columns_duplicated_or_outside_the_plan(programme):
    def edit(book):
        book["Lines"]["Q1"] = "2016/17"
        book["Lines"]["P1"] = "2019/20"

    assert _problems(_edited(programme, edit)) == [
        "plan.xlsx, sheet 'Lines', row 1, column '2019/20 (P)': 2019/20 is not one of the "
        "plan's years on the Programme sheet",
        "plan.xlsx, sheet 'Lines', row 1, column '2016/17 (Q)': "
        "financial year 2016/17 appears more than once",
        "plan.xlsx, sheet 'Lines', row 1: financial years are not consecutive: "
        "2016/17 is followed by 2019/20",
    ]


def test_years_not_consecutive(programme):
    def edit(book):
        book["Programme"]["A13"] = "2019/20"

    problems = _problems(_edited(programme, edit))
    assert (
        "plan.xlsx, sheet 'Programme', column 'Financial year': financial years are not "
        "consecutive: 2017/18 is followed by 2019/20"
    ) in problems


def test_duplicated_reference_unknown_workstream_and_bad_choices(programme):
    def edit(book):
        lines = book["Lines"]
        lines["A4"] = "C3"
        lines["C5"] = "Nowhere"
        lines["H6"] = "finished"
        lines["J7"] = "maybe"
        lines["R8"] = "lots"

    problems = _problems(_edited(programme, edit))
    assert problems == [
        "plan.xlsx, sheet 'Lines', row 4, column 'Ref (A)': reference 'C3' is used more than "
        "once (first on row 2)",
        "plan.xlsx, sheet 'Lines', row 5, column 'Workstream (C)': unknown workstream "
        "'Nowhere': use a name from the Workstreams sheet",
        "plan.xlsx, sheet 'Lines', row 6, column 'Lifecycle (H)': Lifecycle must be one of "
        "proposed, consulted, approved, in_delivery, delivered, withdrawn, written_off",
        "plan.xlsx, sheet 'Lines', row 7, column 'Key decision (J)': 'maybe' must be Yes, No "
        "or blank",
        "plan.xlsx, sheet 'Lines', row 8, column 'FTE (R)': 'lots' is not a number of posts "
        "(write a number or TBC)",
    ]


def test_missing_required_column_and_sheet(programme):
    def edit(book):
        book["Lines"]["A1"] = "Reference number"
        del book["Workstreams"]

    assert _problems(_edited(programme, edit)) == [
        "plan.xlsx, sheet 'Workstreams': the sheet 'Workstreams' is missing (see the Key sheet)"
    ]

    def edit_column(book):
        book["Lines"]["A1"] = "Reference number"

    assert _problems(_edited(programme, edit_column)) == [
        "plan.xlsx, sheet 'Lines', row 1, column 'Ref': the required column 'Ref' is missing"
    ]


def test_empty_and_wrong_type_files():
    assert _problems(b"") == ["plan.xlsx: is empty"]
    assert _problems(b"Ref,2016/17\nC3,1\n") == [
        "plan.xlsx: is not an Excel workbook (.xlsx): save it from Excel as .xlsx"
    ]


def test_a_total_row_added_by_hand_is_ignored(programme):
    def edit(book):
        book["Lines"]["A9"] = "Total"
        book["Lines"]["O9"] = 5536

    assert read_workbook(_edited(programme, edit)) == programme


def test_spreadsheet_floats_are_read_as_their_shortest_decimal(programme):
    def edit(book):
        book["Lines"]["O2"] = 1500.25  # £'000: £1,500,250

    again = read_workbook(_edited(programme, edit, PhasingForm.INCREMENTAL))
    assert again.lines[0].phasing[Y16] == Decimal("1500250")

    def fraction(book):
        book["Lines"]["O2"] = 1.0000001

    assert _problems(_edited(programme, fraction, PhasingForm.INCREMENTAL)) == [
        "plan.xlsx, sheet 'Lines', row 2, column '2016/17 (O)': 1.0000001 £'000 comes to a "
        "fraction of a penny"
    ]


def test_problems_on_every_sheet_are_reported_in_one_pass(programme):
    def edit(book):
        book["Programme"]["B2"] = None
        book["Workstreams"]["B3"] = "1,5x"
        book["Lines"]["O4"] = "n/k"

    assert _problems(_edited(programme, edit)) == [
        "plan.xlsx, sheet 'Programme', row 2, column 'Value (B)': Council is required: "
        "write it in column B",
        "plan.xlsx, sheet 'Workstreams', row 3, column 'Budget (B)': "
        "'1,5x' is not an amount in £'000",
        "plan.xlsx, sheet 'Lines', row 4, column '2016/17 (O)': 'n/k' is not an amount in £'000",
    ]
