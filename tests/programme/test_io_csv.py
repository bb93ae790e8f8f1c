"""The appendix CSV: Hampshire's published layout, round trips and every bad-file rule."""

from dataclasses import replace
from decimal import Decimal

import pytest

from csplan.core.money import Unit
from csplan.core.periods import FinancialYear
from csplan.programme.calculations import proposals_appendix, target_comparison, workstream_table
from csplan.programme.demo import hampshire_figures
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io.appendix_csv import appendix_to_csv, apply_appendix, read_appendix_csv
from csplan.programme.phasing import PhasingForm

Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
CUMULATIVE, INCREMENTAL = PhasingForm.CUMULATIVE, PhasingForm.INCREMENTAL

# Appendix 1 as Hampshire prints it: "Corp. Prog. Ref", "Impact / Issues", £'000 under the
# years, figures with separators and a Total row.
PUBLISHED = """\
Corp. Prog. Ref,Service Activity,Description,Impact / Issues,2016/17,2017/18,2018/19,FTE
,,,,£'000,£'000,£'000,
C3,Social Care,Transformation programme,New ways of working,"1,500","4,000","4,000",3.1
C5,Children with Disabilities,Remodelling of service,Review of eligibility,615,"3,200","3,200",TBC
C1/7,Family Support Services,Integrated service,Duties kept,715,"8,400","8,400",TBC
C6,Placements,Review of placements process,Optimised placements,390,"1,600","1,600",4.0
C4,Special Educational Needs (SEN),Optimise delivery,Better outcomes,492,"3,600","3,600",19.8
C2,School Improvement,Cost-effective model,Less contact,"1,009","1,036","1,036",7.2
C8,Support and other management,Review of support,Remodelled,815,"1,000","1,464",24.5
Total,,,,"5,536","22,836","23,300",58.6
"""


@pytest.fixture(scope="module")
def programme():
    return hampshire_figures()


def _read(text, form=CUMULATIVE, unit=None):
    return read_appendix_csv(text.encode("utf-8"), form=form, unit=unit, file="appendix.csv")


def _problems(text, form=CUMULATIVE, base=None, unit=None):
    with pytest.raises(ProgrammeImportError) as caught:
        appendix = _read(text, form, unit)
        if base is not None:
            apply_appendix(base, appendix)
    return [str(problem) for problem in caught.value.problems]


def _edit(text, old, new):
    assert old in text
    return text.replace(old, new, 1)


def test_the_published_appendix_gives_hampshire_figures(programme):
    appendix = _read(PUBLISHED)
    assert appendix.years == (Y16, Y17, Y18)
    assert appendix.unit is Unit.THOUSANDS
    updated = apply_appendix(programme, appendix)
    for before, after in zip(programme.lines, updated.lines, strict=True):
        assert after.phasing == before.phasing
        assert (after.fte, after.fte_note) == (before.fte, before.fte_note)
        assert after.workstream == before.workstream  # kept: the file has no Workstream column
        assert after.title == before.title  # kept: the file has no Title column
    assert updated.lines[0].description == "Transformation programme"
    assert proposals_appendix(updated) == replace(
        proposals_appendix(updated), totals=proposals_appendix(programme).totals
    )


@pytest.mark.parametrize("form", [CUMULATIVE, INCREMENTAL])
@pytest.mark.parametrize("unit", list(Unit))
def test_round_trip_in_either_form_and_unit(programme, form, unit):
    text = appendix_to_csv(programme, form, unit)
    again = apply_appendix(programme, _read(text, form, unit))
    assert again == programme
    assert workstream_table(again) == workstream_table(programme)
    assert target_comparison(again) == target_comparison(programme)


def test_cumulative_and_incremental_files_agree(programme):
    cumulative = appendix_to_csv(programme, CUMULATIVE)
    incremental = appendix_to_csv(programme, INCREMENTAL)
    assert "C8,Support functions review" in cumulative
    assert ",815,1000,1464,24.5" in cumulative
    assert ",815,185,464,24.5" in incremental
    from_cumulative = apply_appendix(programme, _read(cumulative, CUMULATIVE))
    from_incremental = apply_appendix(programme, _read(incremental, INCREMENTAL))
    assert from_cumulative == from_incremental == programme


def test_reading_a_cumulative_file_as_incremental_changes_the_figures(programme):
    wrong = apply_appendix(programme, _read(appendix_to_csv(programme, CUMULATIVE), INCREMENTAL))
    assert wrong.lines[0].full_year_effect == Decimal("9500000")  # 1,500 + 4,000 + 4,000


def test_unit_in_the_heading_and_unit_option(programme):
    text = appendix_to_csv(programme, CUMULATIVE, Unit.MILLIONS, unit_row=False)
    assert text.splitlines()[0].endswith("2016/17 (£m),2017/18 (£m),2018/19 (£m),FTE")
    assert _read(text).unit is Unit.MILLIONS
    assert _problems(text, unit=Unit.THOUSANDS) == [
        "appendix.csv: the header says the amounts are in £m but the import was told £'000"
    ]


def test_total_row_that_disagrees_says_by_how_much():
    text = _edit(PUBLISHED, '"22,836"', '"22,800"')
    text = _edit(text, ",58.6", ",60")
    assert _problems(text) == [
        "appendix.csv, row 10, column '2017/18 (F)': the Total for 2017/18 is 22,800 £'000 but "
        "the lines add up to 22,836 £'000: a difference of (36) £'000",
        "appendix.csv, row 10, column 'FTE (H)': the Total FTE is 60 but the lines add up to "
        "58.6: a difference of 1.4",
    ]


def test_non_numeric_amounts_and_fte():
    text = _edit(PUBLISHED, '"1,500"', '"1,5x"')
    text = _edit(text, ",4.0", ",four")
    assert _problems(text) == [
        "appendix.csv, row 3, column '2016/17 (E)': '1,5x' is not an amount in £'000",
        "appendix.csv, row 6, column 'FTE (H)': 'four' is not a number of posts (write a number "
        "or TBC)",
    ]


def test_duplicated_badly_written_and_not_consecutive_years():
    assert _problems(_edit(PUBLISHED, "2017/18,2018/19", "2017/18,2017/18")) == [
        "appendix.csv, row 1, column '2017/18 (G)': financial year 2017/18 appears more than once"
    ]
    assert _problems(_edit(PUBLISHED, "2018/19", "2018/20")) == [
        "appendix.csv, row 1, column '2018/20 (G)': '2018/20' is not a financial year: the "
        "second part must be the year after 2018"
    ]
    assert _problems(_edit(PUBLISHED, "2018/19", "2019/20")) == [
        "appendix.csv, row 1: financial years are not consecutive: 2017/18 is followed by 2019/20"
    ]


def test_duplicated_reference():
    assert _problems(_edit(PUBLISHED, "C6,Placements", "C5,Placements")) == [
        "appendix.csv, row 6, column 'Corp. Prog. Ref (A)': reference 'C5' is used more than "
        "once (first on row 4)"
    ]


def test_unknown_workstream_and_new_line_without_one(programme):
    text = appendix_to_csv(programme, CUMULATIVE)
    text = _edit(text, "C6,Children Looked After placements review", "C6,Adoption")
    with_new = text.replace("\nTotal,", "\nC9,Support functions review,,,,0,0,0,\nTotal,")
    assert _problems(with_new, base=programme)[0].startswith(
        "appendix.csv, row 6, column 'Workstream': unknown workstream 'Adoption': the plan's "
        "workstreams are Children Looked After placements review; "
    )
    new_line = PUBLISHED.replace(
        "\nTotal,", "\nC9,Edge of care,New service,None,0,100,100,1\nTotal,"
    )
    new_line = _edit(new_line, '"5,536","22,836","23,300",58.6', '"5,536","22,936","23,400",59.6')
    assert _problems(new_line, base=programme) == [
        "appendix.csv, row 10, column 'Ref': C9 is a new line and has no workstream: add a "
        "Workstream column, or name the workstream for new lines (--workstream NAME)"
    ]


def test_new_line_with_a_workstream_is_added(programme):
    text = appendix_to_csv(programme, CUMULATIVE)
    text = text.replace(
        "\nTotal,", "\nC9,Support functions review,Edge,Desc,Imp,0,100,250,\nTotal,"
    )
    text = _edit(text, "Total,,,,,5536,22836,23300,58.6", "Total,,,,,5536,22936,23550,58.6")
    updated = apply_appendix(programme, _read(text))
    new = updated.lines[-1]
    assert (new.reference, new.title, new.workstream) == ("C9", "Edge", "Support functions review")
    assert new.phasing == {Y17: Decimal("100000"), Y18: Decimal("150000")}
    assert (new.fte, new.fte_note) == (None, "")


def test_lines_missing_from_the_file_are_kept_unless_asked(programme):
    text = "Ref,2016/17,2017/18,2018/19\nC3,1000,2000,2000\n"
    appendix = _read(text)
    kept = apply_appendix(programme, appendix)
    assert [line.reference for line in kept.lines] == [line.reference for line in programme.lines]
    assert kept.lines[0].phasing == {Y16: Decimal("1000000"), Y17: Decimal("1000000")}
    assert kept.lines[0].description == programme.lines[0].description  # no column: kept
    only = apply_appendix(programme, appendix, remove_missing=True)
    assert [line.reference for line in only.lines] == ["C3"]


def test_years_must_be_the_plans(programme):
    text = "Ref,2017/18,2018/19\nC3,2000,2000\n"
    assert _problems(text, base=programme) == [
        "appendix.csv, row 1: the year columns (2017/18 to 2018/19) must be the plan's years "
        "(2016/17 to 2018/19)"
    ]


def test_missing_required_column():
    text = _edit(PUBLISHED, "Corp. Prog. Ref,", "Number,")
    assert _problems(text) == [
        "appendix.csv, row 1, column 'Ref': the required column 'Ref' is missing "
        "(the heading row is row 1)"
    ]


def test_no_year_columns():
    assert _problems("Ref,Description\nC3,x\n") == [
        "appendix.csv, row 1: there are no financial year columns (headings like 2016/17)"
    ]


def test_empty_file():
    assert _problems("") == ["appendix.csv: is empty: it has no heading row and no lines"]
    assert _problems("\n , ,\n\n") == ["appendix.csv: is empty: it has no heading row and no lines"]


def test_wrong_file_type(programme):
    from csplan.programme.io.workbook import workbook_bytes

    with pytest.raises(ProgrammeImportError) as caught:
        read_appendix_csv(workbook_bytes(programme), form=CUMULATIVE, file="plan.csv")
    assert str(caught.value) == (
        "plan.csv: is an Excel workbook, not a CSV file: name it .xlsx, or save it as CSV"
    )
    with pytest.raises(ProgrammeImportError, match="holds binary data"):
        read_appendix_csv(b"\x00\x01\x02", form=CUMULATIVE, file="x.csv")


def test_windows_1252_text_is_read():
    text = PUBLISHED.replace("£'000", "£000")
    appendix = read_appendix_csv(text.encode("cp1252"), form=CUMULATIVE)
    assert appendix.unit is Unit.THOUSANDS


def test_line_after_the_total_row():
    text = PUBLISHED + "C9,Late,,,1,1,1,\n"
    assert _problems(text) == [
        "appendix.csv, row 11: a line after the Total row: put every line above the Total"
    ]


def test_notes_after_the_total_and_unknown_columns_are_ignored():
    text = _edit(PUBLISHED, ",FTE\n", ",FTE,Comments\n")
    text += "\nTotals may not add because of rounding.,,,,,,,\n"
    appendix = _read(text)
    assert appendix.ignored_headings == ("Comments",)
    assert len(appendix.lines) == 7


def test_formula_like_text_round_trips(programme):
    line = replace(programme.lines[0], description="=1+1", impact="-fewer visits")
    changed = replace(programme, lines=(line, *programme.lines[1:]))
    text = appendix_to_csv(changed, CUMULATIVE)
    assert ",'=1+1,'-fewer visits," in text
    assert apply_appendix(programme, _read(text)) == changed


def test_a_dash_is_nil_as_councils_print_it(programme):
    text = 'Ref,2016/17,2017/18,2018/19\nC3,-,"1,500",–\nC6,(10),0,\'-\n'
    appendix = _read(text, INCREMENTAL)
    assert appendix.lines[0].values == {Y16: Decimal(0), Y17: Decimal("1500000"), Y18: Decimal(0)}
    assert appendix.lines[1].values[Y16] == Decimal("-10000")


def test_a_heading_repeated_at_a_page_break_is_skipped(programme):
    lines = PUBLISHED.splitlines()
    split = lines[:5] + lines[:2] + lines[5:]  # Hampshire repeats the heading before C6
    appendix = _read("\n".join(split) + "\n")
    assert [line.reference for line in appendix.lines] == [
        "C3",
        "C5",
        "C1/7",
        "C6",
        "C4",
        "C2",
        "C8",
    ]


def test_a_title_line_above_the_heading_row_is_skipped():
    appendix = _read("Proposed Savings Options,,,\n\n" + PUBLISHED)
    assert len(appendix.lines) == 7
    bad = _edit("Proposed Savings Options,,,\n" + PUBLISHED, '"1,009"', "x")
    assert _problems(bad) == [
        "appendix.csv, row 9, column '2016/17 (E)': 'x' is not an amount in £'000"
    ]
