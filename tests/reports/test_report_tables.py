"""Report data: Hampshire Table I.1, Appendix 1 and paragraph 5.3 as typed tables."""

from dataclasses import replace
from decimal import Decimal

import pytest

from csplan.core.money import Unit
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table, neutralise, unneutralise
from csplan.programme.demo import hampshire_figures
from csplan.programme.phasing import PhasingForm
from csplan.programme.reports import (
    ROUNDING_NOTE,
    build_report,
    proposals_report,
    targets_report,
    workstream_report,
)

TABLE_I1 = [
    ["Social care transformation", "52.5", "4.0", "7.6"],
    ["Children with Disabilities (CWD) remodelling", "21.3", "3.2", "15.0"],
    ["Family Support Services remodelling", "13.4", "8.4", "62.7"],
    ["Children Looked After placements review", "23.1", "1.6", "6.9"],
    [
        "Special Educational Needs (SEN), Hampshire Educational Psychology Service, "
        "Home to School Transport (SEN) remodelling",
        "22.0",
        "3.6",
        "16.4",
    ],
    ["School improvement services remodelling", "4.4", "1.0", "22.7"],
    ["Support functions review", "12.9", "1.5", "11.6"],
    ["Sub-Total - Workstreams", "149.6", "23.3", "15.6"],
    ["Mainstream home to school transport", "11.8", "n/a", "n/a"],
    ["Sub-Total - Non-Workstreams", "11.8", "n/a", "n/a"],
    ["TOTAL", "161.4", "23.3", "14.4"],
]
APPENDIX_1 = [
    ["C3", "1,500", "4,000", "4,000", "3.1"],
    ["C5", "615", "3,200", "3,200", "TBC"],
    ["C1/7", "715", "8,400", "8,400", "TBC"],
    ["C6", "390", "1,600", "1,600", "4.0"],
    ["C4", "492", "3,600", "3,600", "19.8"],
    ["C2", "1,009", "1,036", "1,036", "7.2"],
    ["C8", "815", "1,000", "1,464", "24.5"],
    ["Total", "5,536", "22,836", "23,300", "58.6"],
]


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


def test_table_i1_is_reproduced_exactly(programme):
    table = workstream_report(programme)
    assert [c.heading for c in table.columns] == [
        "Workstream",
        "Total Budget",
        "Full Year Savings Proposals",
        "Savings Proposals as % of Budget",
    ]
    assert [c.unit_label for c in table.columns] == ["", "£m", "£m", "%"]
    assert table.displayed() == TABLE_I1
    assert [row.kind for row in table.rows] == [RowKind.LINE] * 7 + [
        RowKind.SUBTOTAL,
        RowKind.LINE,
        RowKind.SUBTOTAL,
        RowKind.TOTAL,
    ]
    assert ROUNDING_NOTE in table.notes
    assert "Percentages are calculated from the rounded figures shown." in table.notes


def test_table_i1_cells_are_typed_exact_pounds(programme):
    table = workstream_report(programme)
    school = table.row_labelled("School improvement services remodelling")
    assert school.cells[1:] == (Decimal("4400000"), Decimal("1036000"), Decimal("22.7"))
    assert table.row_labelled("Mainstream home to school transport").cells[2:] == ("n/a", "n/a")


def test_exact_percent_basis_has_no_displayed_note(programme):
    table = workstream_report(replace(programme, percent_basis="exact"))
    assert table.row_labelled("School improvement services remodelling").cells[3] == Decimal("23.5")
    assert "Percentages are calculated from the rounded figures shown." not in table.notes


def test_appendix_1_is_reproduced_exactly(programme):
    table = proposals_report(programme)
    assert [c.heading for c in table.columns] == [
        "Ref",
        "Service activity",
        "Description",
        "Impact",
        "2016/17",
        "2017/18",
        "2018/19",
        "FTE",
    ]
    assert [c.unit_label for c in table.columns[4:7]] == ["£'000"] * 3
    shown = [[row[0], *row[4:]] for row in table.displayed()]
    assert shown == APPENDIX_1
    assert table.rows[-1].kind is RowKind.TOTAL
    assert table.meta["phasing"] == "cumulative"
    assert (
        "FTE for C5, C1/7 is not yet known (TBC) and is not included in the total." in table.notes
    )


def test_appendix_incremental_form_and_workstream_column(programme):
    table = proposals_report(programme, PhasingForm.INCREMENTAL, workstream_column=True)
    assert table.columns[1].heading == "Workstream"
    c3 = table.row_labelled("C3")
    assert c3.cells[1] == "Social care transformation"
    assert [table.columns[i].display(c3.cells[i]) for i in (5, 6, 7)] == ["1,500", "2,500", "0"]
    assert table.displayed()[-1][5:8] == ["5,536", "17,300", "464"]
    assert "Phasing: incremental (change in each year)." in table.notes


def test_appendix_in_millions_and_exact_places(programme):
    millions = proposals_report(programme, unit=Unit.MILLIONS, places=3)
    assert millions.displayed()[-1][4:7] == ["5.536", "22.836", "23.300"]
    exact = proposals_report(programme, places=None)
    assert exact.columns[4].plain(Decimal("1500250")) == "1500.25"


def test_targets_report_paragraph_5_3(programme):
    table = targets_report(programme)
    assert [c.heading for c in table.columns] == ["Measure", "2016/17", "2017/18", "2018/19"]
    rows = {row[0]: row[1:] for row in table.displayed()}
    assert rows["Savings target (cumulative)"] == ["0", "23,300", "23,300"]
    assert rows["Savings proposals (cumulative full-year effect)"] == ["5,536", "22,836", "23,300"]
    assert rows["Proposals above or (below) target"] == ["5,536", "(464)", "0"]
    assert rows["Shortfall covered from early achievement"] == ["0", "464", "0"]
    assert rows["Early achievement carried forward"] == ["5,536", "5,072", "5,072"]
    assert rows["Available for the cost of change"] == ["", "", "5,072"]
    assert table.rows[-1].kind is RowKind.TOTAL
    assert "£5,072,000 of early achievement remains available for the cost of change." in (
        table.notes
    )


def test_build_report_by_name(programme):
    assert build_report("workstreams", programme).name == "workstreams"
    incremental = build_report("proposals", programme, PhasingForm.INCREMENTAL)
    assert incremental.meta["phasing"] == "incremental"
    with pytest.raises(KeyError, match="unknown report"):
        build_report("nonsense", programme)


def test_table_checks_its_shape():
    with pytest.raises(ValueError, match="has 1 cells for 2 columns"):
        Table("t", "T", (Column("A"), Column("B")), (Row(("x",)),))
    with pytest.raises(ValueError, match="needs a unit"):
        Column("Amount", ColumnKind.MONEY)


def test_negative_and_zero_display():
    column = Column("2017/18", ColumnKind.MONEY, Unit.THOUSANDS, 0)
    assert column.display(Decimal("-464000")) == "(464)"
    assert column.plain(Decimal("-464000")) == "-464"
    assert column.display(Decimal("-400")) == "0"  # never "(0)"
    assert column.plain(Decimal("-400")) == "0"  # never "-0"
    assert column.display(Decimal("1500500")) == "1,501"  # half up, once
    assert column.display(None) == "" and column.display("TBC") == "TBC"


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx"])
def test_formula_text_is_neutralised_and_restored(text):
    guarded = neutralise(text)
    assert guarded == "'" + text
    assert unneutralise(guarded) == text


def test_ordinary_text_is_left_alone():
    assert neutralise("Social care") == "Social care"
    assert neutralise("") == ""
    assert unneutralise("'quoted'") == "'quoted'"
