"""A council's own tracker mapped onto csplan's fields (no database): problems name the file,
sheet, row and column; amounts in £ are exact; cumulative years become incremental."""

from decimal import Decimal

import pytest

from csplan.core.money import Unit
from csplan.core.periods import FinancialYear
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io.mapped import (
    CSV_SHEET,
    ColumnMapping,
    guess_mapping,
    heading_year,
    mapped_programme,
    read_sheets,
)
from csplan.programme.phasing import PhasingForm
from csplan.programme.synthetic_tracker import (
    GOOD_ROWS,
    SHEET,
    tracker_csv,
    tracker_figures,
    tracker_xlsx,
)

Y24, Y25, Y26 = (FinancialYear(start) for start in (2024, 2025, 2026))
MAPPING = ColumnMapping(
    sheet=SHEET,
    header_row=3,
    columns={
        "reference": "Saving Ref",
        "title": "Saving Title",
        "workstream": "Theme",
        "sro_role": "Lead Officer",
        "fte": "FTE",
        "recurrence": "One-off / Recurrent",
    },
    year_columns=("2024/25", "2025-26", "26/27"),
    unit=Unit.POUNDS,
    form=PhasingForm.CUMULATIVE,
)


def _problems(call) -> list[str]:
    with pytest.raises(ProgrammeImportError) as caught:
        call()
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("heading", "start"),
    [("2024/25", 2024), ("2024-25", 2024), ("24/25", 2024), ("FY 2024/2025 (£)", 2024)],
)
def test_year_headings_in_councils_own_spellings(heading, start):
    assert heading_year(heading) == FinancialYear(start)


def test_headings_that_are_not_years():
    assert heading_year("Saving Ref") is None
    assert heading_year("2024/26") is None


def test_tracker_lines_exact_in_pounds_and_incremental():
    sheets = read_sheets(tracker_xlsx(), "tracker.xlsx")
    figures = mapped_programme(tracker_figures(), sheets, MAPPING, "tracker.xlsx")
    lines = {line.reference: line for line in figures.lines}
    assert list(lines) == ["NS-01", "NS-02", "NS-03"]
    first = lines["NS-01"]
    assert first.phasing == {Y24: Decimal("125000.5"), Y25: Decimal("174999.5")}
    assert first.title == "Step-down from residential care"
    assert first.workstream == "Placements"
    assert first.sro_role == "Head of Placements"
    assert first.fte == Decimal("2.5")
    assert first.lifecycle == "proposed"
    assert lines["NS-02"].phasing[Y24] == Decimal("40000.25")
    assert lines["NS-02"].fte is None and lines["NS-02"].fte_note == "TBC"
    assert lines["NS-03"].recurrence == "one_off"
    assert lines["NS-03"].phasing == {Y24: Decimal(60000), Y25: Decimal(60000), Y26: Decimal(60000)}


def test_csv_reads_the_same_as_the_workbook():
    from_xlsx = mapped_programme(
        tracker_figures(), read_sheets(tracker_xlsx(), "t.xlsx"), MAPPING, "t.xlsx"
    )
    csv_mapping = ColumnMapping(**{**MAPPING.__dict__, "sheet": CSV_SHEET})
    from_csv = mapped_programme(
        tracker_figures(), read_sheets(tracker_csv(), "t.csv"), csv_mapping, "t.csv"
    )
    assert from_csv.lines == from_xlsx.lines


def test_every_problem_names_file_sheet_row_and_column():
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][5] = "about 300k"  # row 5 (title, blank, heading, then lines)
    rows[1][2] = "Transport"  # row 6: not a workstream of the plan
    rows[2][0] = "NS-01"  # row 7: a reference used twice
    rows[2][8] = "Sometimes"
    sheets = read_sheets(tracker_xlsx(rows), "tracker.xlsx")
    problems = _problems(lambda: mapped_programme(tracker_figures(), sheets, MAPPING, "t.xlsx"))
    assert problems == [
        "t.xlsx, sheet 'Savings Tracker', row 4, column '2025-26 (F)': "
        "'about 300k' is not an amount in £",
        "t.xlsx, sheet 'Savings Tracker', row 6, column 'One-off / Recurrent (I)': "
        "'Sometimes' must be One-off or Recurrent",
    ]
    rows[0][5], rows[2][8] = 300000, "One-off"
    sheets = read_sheets(tracker_xlsx(rows), "tracker.xlsx")
    problems = _problems(lambda: mapped_programme(tracker_figures(), sheets, MAPPING, "t.xlsx"))
    assert problems == [
        "t.xlsx, sheet 'Savings Tracker', row 6, column 'Saving Ref (A)': "
        "reference 'NS-01' is used more than once (first on row 4)",
    ]
    rows[2][0] = "NS-03"
    sheets = read_sheets(tracker_xlsx(rows), "tracker.xlsx")
    problems = _problems(lambda: mapped_programme(tracker_figures(), sheets, MAPPING, "t.xlsx"))
    assert problems == [
        "t.xlsx, sheet 'Savings Tracker', row 5, column 'Theme': unknown workstream "
        "'Transport': the plan's workstreams are Early Help; Placements",
    ]


def test_a_mapping_naming_a_missing_column_is_a_problem():
    mapping = ColumnMapping(**{**MAPPING.__dict__, "columns": {"reference": "Ref No"}})
    sheets = read_sheets(tracker_xlsx(), "t.xlsx")
    assert _problems(lambda: mapped_programme(tracker_figures(), sheets, mapping, "t.xlsx")) == [
        "t.xlsx, sheet 'Savings Tracker', row 3, column 'Ref No': "
        "there is no column headed 'Ref No' for Reference"
    ]


def test_guessed_mapping_finds_the_tracker_columns():
    sheets = read_sheets(tracker_xlsx(), "t.xlsx")
    guessed = guess_mapping(sheets, SHEET, None)
    assert guessed.header_row == 3
    assert guessed.columns["reference"] == "Saving Ref"
    assert guessed.year_columns == ("2024/25", "2025-26", "26/27")


def test_remembered_mapping_round_trips_as_data():
    assert ColumnMapping.from_dict(MAPPING.to_dict()) == MAPPING


def test_limits_checked_before_parsing(settings):
    settings.CSPLAN_MAX_CSV_ROWS = 3
    assert _problems(lambda: read_sheets(tracker_csv(), "t.csv"))[0].startswith("t.csv: ")


def test_other_file_types_refused():
    assert _problems(lambda: read_sheets(b"{}", "t.json")) == [
        "t.json: upload an Excel workbook (.xlsx) or a CSV file (.csv)"
    ]


def test_a_formula_with_no_saved_value_is_a_problem_not_a_blank():
    rows = [list(row) for row in GOOD_ROWS]
    rows[0][6] = "=E4+F4"  # openpyxl saves formulas without their values
    sheets = read_sheets(tracker_xlsx(rows), "t.xlsx")
    assert _problems(lambda: mapped_programme(tracker_figures(), sheets, MAPPING, "t.xlsx")) == [
        "t.xlsx, sheet 'Savings Tracker', row 4, column '26/27 (G)': holds a formula (=E4+F4) "
        "with no saved value: open the workbook in Excel and save it so the value is stored, "
        "or type the value"
    ]
