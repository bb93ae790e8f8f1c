"""The bad-input corpus: broken and hostile files, each built by a small function.

Every ``Case`` names the file (or files) it builds, which importer reads it, and the text the
error must contain: the file's name and, where there is one, the sheet, row and column. Files
are built from the Hampshire demo programme (the workbook, appendix CSV and JSON csplan writes
itself) and from a small valid SSDA903 return, then damaged in one way each.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from openpyxl import Workbook, load_workbook

from csplan.programme.demo import hampshire_figures
from csplan.programme.io.appendix_csv import appendix_to_csv
from csplan.programme.io.json_file import json_bytes
from csplan.programme.io.workbook import workbook_bytes
from csplan.programme.phasing import PhasingForm

Files = dict[str, bytes]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[], bytes | Files]
    expect: tuple[str, ...]
    name: str = ""  # the file name, for single-file cases
    options: dict[str, Any] = field(default_factory=dict)
    gap: str = ""  # a known gap in the importer: the case is expected to fail until fixed

    def __str__(self) -> str:
        return self.id


# --- the programme workbook ----------------------------------------------------------------

WORKBOOK = "programme.xlsx"
# Lines sheet: A Ref, B Title, C Workstream, ..., H Lifecycle, I RAG, J Key decision,
# M Recurrence, N Baseline budget, O 2016/17, P 2017/18, Q 2018/19, R FTE, S FTE note.
# Row 2 is C3, row 3 C5, row 4 C1/7 ... row 8 C8.


@cache
def _good_workbook() -> bytes:
    return workbook_bytes(hampshire_figures())


def good_workbook() -> bytes:
    return _good_workbook()


def workbook(change: Callable[[Any], None]) -> Callable[[], bytes]:
    """A builder: the Hampshire workbook with ``change`` applied to it."""

    def build() -> bytes:
        book = load_workbook(io.BytesIO(_good_workbook()))
        change(book)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()

    return build


def cell(sheet: str, ref: str, value: Any) -> Callable[[], bytes]:
    def change(book: Any) -> None:
        book[sheet][ref] = value

    return workbook(change)


def lines_cell(ref: str, value: Any) -> Callable[[], bytes]:
    return cell("Lines", ref, value)


def _drop_sheet(name: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        del book[name]

    return change


def _rename_sheets(book: Any) -> None:
    for number, sheet in enumerate(book.worksheets, start=1):
        sheet.title = f"Sheet{number}"


def _drop_column(sheet: str, column: int) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book[sheet].delete_cols(column)

    return change


def _merge_year_headings(book: Any) -> None:
    book["Lines"].merge_cells("O1:P1")  # one heading over 2016/17 and 2017/18


def _many_rows(count: int, bad_last: bool) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        sheet = book["Lines"]
        for number in range(count):
            row = [f"X{number:05d}", "Bulk", "Support functions review", *[None] * 9]
            sheet.append([*row, "recurrent", None, 1, 1, 1, 0])
        if bad_last:
            sheet.cell(row=sheet.max_row, column=16, value="one thousand")

    return change


def _far_row(book: Any) -> None:
    book["Lines"]["P20000"] = "stray"  # a stray cell far below the table


def _two_refs(book: Any) -> None:
    book["Lines"]["A3"] = "C3"


def _blank_ref(book: Any) -> None:
    book["Lines"]["A5"] = None


def _workstream_twice(book: Any) -> None:
    book["Workstreams"]["A3"] = "Social care transformation"


def _empty_sheet(name: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        index = book.sheetnames.index(name)
        del book[name]
        book.create_sheet(name, index)

    return change


def _year_heading(value: str) -> Callable[[Any], None]:
    def change(book: Any) -> None:
        book["Lines"]["Q1"] = value

    return change


def _programme_year(value: str, row: int = 12) -> Callable[[], bytes]:
    return cell("Programme", f"A{row}", value)


def _not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


def _other_workbook() -> bytes:
    book = Workbook()
    book.active.append(["Name", "Amount"])
    book.active.append(["Something", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NOT_XLSX = "is not an Excel workbook (.xlsx): save it from Excel as .xlsx"
LINES = "sheet 'Lines'"

# fmt: off
WORKBOOK_CASES = [
    Case("xlsx-empty-file", lambda: b"", ("programme.xlsx: is empty",)),
    Case("xlsx-plain-text", lambda: b"Ref,Title\nC3,Something\n", (NOT_XLSX,)),
    Case("xlsx-binary-junk", lambda: bytes(range(256)) * 40, (NOT_XLSX,)),
    Case("xlsx-old-xls-file", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000,
         (NOT_XLSX,)),
    Case("xlsx-truncated-zip", lambda: _good_workbook()[: len(_good_workbook()) // 2], (NOT_XLSX,)),
    Case("xlsx-zip-without-workbook", _not_a_workbook_zip, (NOT_XLSX,)),
    Case(
        "xlsx-some-other-workbook",
        _other_workbook,
        ("sheet 'Programme': the sheet 'Programme' is missing",
         "sheet 'Lines': the sheet 'Lines' is missing"),
    ),
    Case(
        "xlsx-sheets-renamed",
        workbook(_rename_sheets),
        ("the sheet 'Programme' is missing", "the sheet 'Workstreams' is missing"),
    ),
    Case("xlsx-no-lines-sheet", workbook(_drop_sheet("Lines")),
         ("programme.xlsx, sheet 'Lines': the sheet 'Lines' is missing (see the Key sheet)",)),
    Case("xlsx-no-workstreams-sheet", workbook(_drop_sheet("Workstreams")),
         ("sheet 'Workstreams': the sheet 'Workstreams' is missing",)),
    Case("xlsx-lines-sheet-empty", workbook(_empty_sheet("Lines")),
         ("sheet 'Lines': the sheet is empty: it needs its heading row",)),
    Case("xlsx-workstreams-sheet-empty", workbook(_empty_sheet("Workstreams")),
         ("sheet 'Workstreams': the sheet is empty",)),
    Case("xlsx-missing-ref-column", workbook(_drop_column("Lines", 1)),
         (f"{LINES}, row 1, column 'Ref': the required column 'Ref' is missing",)),
    Case("xlsx-missing-workstream-column", workbook(_drop_column("Lines", 3)),
         (f"{LINES}, row 1, column 'Workstream': the required column 'Workstream' is missing",)),
    Case("xlsx-missing-budget-column", workbook(_drop_column("Workstreams", 2)),
         ("sheet 'Workstreams', row 1, column 'Budget': the required column 'Budget'",)),
    Case("xlsx-text-in-money-cell", lines_cell("P2", "lots"),
         (f"{LINES}, row 2, column '2017/18 (P)': 'lots' is not an amount in £'000",)),
    Case("xlsx-text-in-baseline", lines_cell("N3", "unknown"),
         (f"{LINES}, row 3, column 'Baseline budget (N)': 'unknown' is not an amount",)),
    Case("xlsx-text-in-target", cell("Programme", "B11", "twenty"),
         ("sheet 'Programme', row 11, column 'Target (B)': 'twenty' is not an amount",)),
    Case("xlsx-text-in-workstream-budget", cell("Workstreams", "B4", "n/a"),
         ("sheet 'Workstreams', row 4, column 'Budget (B)': 'n/a' is not an amount",)),
    Case("xlsx-fraction-of-a-penny", lines_cell("O2", 1.000001),
         (f"{LINES}, row 2, column '2016/17 (O)': 1.000001 £'000 comes to a fraction of a penny",)),
    Case("xlsx-merged-year-headings", workbook(_merge_year_headings),
         (f"{LINES}, row 1: financial years are not consecutive: 2016/17 is followed by "
          "2018/19",)),
    Case("xlsx-formula-in-money-cell", lines_cell("P2", "=1000*2"),
         (f"{LINES}, row 2, column '2017/18 (P)'",)),
    Case("xlsx-cmd-formula-in-title", lines_cell("B2", "=cmd|' /C calc'!A0"),
         (f"{LINES}, row 2, column 'Title (B)'",)),
    Case("xlsx-amount-10-to-the-15", lines_cell("O2", 10**15),
         (f"{LINES}, row 2, column '2016/17 (O)'",)),
    Case("xlsx-amount-minus-10-to-the-15", lines_cell("O3", -(10**15)),
         (f"{LINES}, row 3, column '2016/17 (O)'",)),
    Case("xlsx-target-10-to-the-15", cell("Programme", "B12", 10**15),
         ("sheet 'Programme', row 12, column 'Target (B)'",)),
    Case("xlsx-negative-fte", lines_cell("R2", -3),
         (f"{LINES}, row 2, column 'FTE (R)'",)),
    Case("xlsx-negative-workstream-budget", cell("Workstreams", "B2", -52500),
         ("sheet 'Workstreams', row 2, column 'Budget (B)'",)),
    Case("xlsx-negative-baseline-budget", lines_cell("N2", -100),
         (f"{LINES}, row 2, column 'Baseline budget (N)'",)),
    Case("xlsx-unknown-rag", lines_cell("I2", "Purple"),
         (f"{LINES}, row 2, column 'RAG (I)'",)),
    Case("xlsx-year-1899-00", workbook(_year_heading("1899/00")),
         (f"{LINES}, row 1, column '1899/00 (Q)': financial year starting 1899 is out of range",)),
    Case("xlsx-year-2016-18", workbook(_year_heading("2016/18")),
         (f"{LINES}, row 1, column '2016/18 (Q)': '2016/18' is not a financial year",)),
    Case("xlsx-year-not-in-plan", workbook(_year_heading("2019/20")),
         (f"{LINES}, row 1, column '2019/20 (Q)': 2019/20 is not one of the plan's years",)),
    Case("xlsx-year-twice", workbook(_year_heading("2017/18")),
         (f"{LINES}, row 1, column '2017/18 (Q)': financial year 2017/18 appears more than once",)),
    Case("xlsx-year-heading-words", workbook(_year_heading("2018 onwards")),
         (f"{LINES}, row 1, column '2018 onwards (Q)': '2018 onwards' is not a financial year",)),
    Case("xlsx-programme-year-1899-00", _programme_year("1899/00"),
         ("sheet 'Programme', row 12, column 'Financial year': financial year starting 1899",)),
    Case("xlsx-programme-year-2016-18", _programme_year("2016/18"),
         ("sheet 'Programme', row 12, column 'Financial year': '2016/18' is not a financial",)),
    Case("xlsx-programme-year-twice", _programme_year("2016/17"),
         ("sheet 'Programme', row 12, column 'Financial year': financial year 2016/17 appears",)),
    Case("xlsx-programme-years-gap", _programme_year("2019/20", row=13),
         ("sheet 'Programme', column 'Financial year': financial years are not consecutive: "
          "2017/18 is followed by 2019/20",)),
    Case("xlsx-duplicate-reference", workbook(_two_refs),
         (f"{LINES}, row 3, column 'Ref (A)': reference 'C3' is used more than once "
          "(first on row 2)",)),
    Case("xlsx-blank-reference", workbook(_blank_ref),
         (f"{LINES}, row 5, column 'Ref (A)': Ref is empty: every line needs its reference",)),
    Case("xlsx-unknown-workstream", lines_cell("C4", "Ghost workstream"),
         (f"{LINES}, row 4, column 'Workstream (C)': unknown workstream 'Ghost workstream'",)),
    Case("xlsx-bad-lifecycle", lines_cell("H2", "maybe"),
         (f"{LINES}, row 2, column 'Lifecycle (H)': Lifecycle must be one of proposed",)),
    Case("xlsx-bad-recurrence", lines_cell("M6", "sometimes"),
         (f"{LINES}, row 6, column 'Recurrence (M)': Recurrence must be recurrent or one_off",)),
    Case("xlsx-bad-yes-no", lines_cell("J2", "perhaps"),
         (f"{LINES}, row 2, column 'Key decision (J)': 'perhaps' must be Yes, No or blank",)),
    Case("xlsx-bad-fte", lines_cell("R4", "lots"),
         (f"{LINES}, row 4, column 'FTE (R)': 'lots' is not a number of posts",)),
    Case("xlsx-no-council", cell("Programme", "B2", None),
         ("sheet 'Programme', row 2, column 'Value (B)': Council is required",)),
    Case("xlsx-unknown-unit", cell("Programme", "B5", "dollars"),
         ("sheet 'Programme', row 5, column 'Value (B)': unknown money unit 'dollars'",)),
    Case("xlsx-unknown-phasing-form", cell("Programme", "B6", "sideways"),
         ("sheet 'Programme', row 6, column 'Value (B)': 'sideways': write incremental or",)),
    Case("xlsx-workstream-twice", workbook(_workstream_twice),
         ("sheet 'Workstreams', row 3, column 'Workstream (A)': workstream 'Social care "
          "transformation' is listed twice",)),
    Case("xlsx-5000-rows-bad-last", workbook(_many_rows(5000, bad_last=True)),
         (f"{LINES}, row 5008, column '2017/18 (P)': 'one thousand' is not an amount",)),
    Case("xlsx-stray-cell-row-20000", workbook(_far_row),
         (f"{LINES}, row 20000, column '2017/18 (P)': 'stray' is not an amount in £'000",)),
]
# fmt: on
WORKBOOK_CASES = [replace(case, name=WORKBOOK) for case in WORKBOOK_CASES]


# --- the appendix CSV ----------------------------------------------------------------------

APPENDIX = "appendix.csv"
CSV_OPTIONS = {"phasing": PhasingForm.CUMULATIVE}
# Columns: A Ref, B Workstream, C Service activity, D Description, E Impact,
# F 2016/17, G 2017/18, H 2018/19, I FTE. Row 1 headings, row 2 the £'000 unit row,
# rows 3-9 the lines (C3 first), row 10 the Total.


@cache
def good_appendix() -> str:
    return appendix_to_csv(hampshire_figures(), PhasingForm.CUMULATIVE)


def _records() -> list[list[str]]:
    import csv

    return [list(row) for row in csv.reader(io.StringIO(good_appendix()))]


def _csv(records: Sequence[Sequence[str]]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(records)
    return buffer.getvalue()


def appendix(
    change: Callable[[list[list[str]]], None] | None = None, encoding: str = "utf-8"
) -> Callable[[], bytes]:
    def build() -> bytes:
        records = _records()
        if change is not None:
            change(records)
        return _csv(records).encode(encoding)

    return build


def csv_cell(row: int, column: int, value: str) -> Callable[[], bytes]:
    """Row and column as a spreadsheet shows them (1-based)."""

    def change(records: list[list[str]]) -> None:
        records[row - 1][column - 1] = value

    return appendix(change)


def _drop_csv_column(index: int) -> Callable[[list[list[str]]], None]:
    def change(records: list[list[str]]) -> None:
        for record in records:
            del record[index]

    return change


def _drop_year_columns(records: list[list[str]]) -> None:
    for record in records:
        del record[5:8]


def _no_total(records: list[list[str]]) -> None:
    del records[-1]


def _csv_rows(count: int) -> Callable[[list[list[str]]], None]:
    def change(records: list[list[str]]) -> None:
        total = records.pop()
        for number in range(count):
            records.append([f"Y{number:05d}", "Support functions review", "", "", "", "", "", "",
                            ""])  # fmt: skip
        records[-1][6] = "lots"
        del total

    return change


def _big_without_total(records: list[list[str]]) -> None:
    del records[-1]
    records[2][5] = "1000000000000000"


def _later_years(records: list[list[str]]) -> None:
    records[0][5:8] = ["2017/18", "2018/19", "2019/20"]


def _line_after_total(records: list[list[str]]) -> None:
    records.append(["C99", "Support functions review", "", "", "", "1", "1", "1", ""])


def _mixed_units(records: list[list[str]]) -> None:
    records[1][6] = "£m"


def _duplicate_ref(records: list[list[str]]) -> None:
    records[3][0] = records[2][0]


def _new_line_no_workstream(records: list[list[str]]) -> None:
    _drop_csv_column(1)(records)
    records[2][0] = "Z1"


def _latin1_with_bad_cell(records: list[list[str]]) -> None:
    records[4][7] = "£ lots"


def _utf16(text_change: Callable[[list[list[str]]], None] | None, encoding: str) -> Callable:
    return appendix(text_change, encoding=encoding)


def _bom_and_bad_cell() -> bytes:
    records = _records()
    records[2][6] = "n/k"
    return b"\xef\xbb\xbf" + _csv(records).encode("utf-8")


def _binary_csv() -> bytes:
    return b"Ref,2016/17\n\x00\x01\x02\x03garbage\xff\xfe\n"


def _formula(value: str, row: int = 3, column: int = 7) -> Callable[[], bytes]:
    return csv_cell(row, column, value)


# fmt: off
CSV_CASES = [
    Case("csv-empty-file", lambda: b"", ("appendix.csv: is empty: it has no heading row",)),
    Case("csv-blank-lines-only", lambda: b"\r\n\r\n , ,\r\n",
         ("appendix.csv: is empty: it has no heading row",)),
    Case("csv-is-really-xlsx", good_workbook,
         ("appendix.csv: is an Excel workbook, not a CSV file",)),
    Case("csv-binary-junk", _binary_csv, ("appendix.csv: is not a CSV text file",)),
    Case("csv-utf16-le-with-bom", _utf16(None, "utf-16"), ("appendix.csv: is not a CSV text",)),
    Case("csv-utf16-be", _utf16(None, "utf-16-be"), ("appendix.csv: is not a CSV text file",)),
    Case("csv-utf32", _utf16(None, "utf-32"), ("appendix.csv: is not a CSV text file",)),
    Case("csv-latin1-pound-and-bad-cell", appendix(_latin1_with_bad_cell, encoding="latin-1"),
         ("appendix.csv, row 5, column '2018/19 (H)': '£ lots' is not an amount in £'000",)),
    Case("csv-bom-and-bad-cell", _bom_and_bad_cell,
         ("appendix.csv, row 3, column '2017/18 (G)': 'n/k' is not an amount in £'000",)),
    Case("csv-missing-ref-column", appendix(_drop_csv_column(0)),
         ("appendix.csv, row 1, column 'Ref': the required column 'Ref' is missing",)),
    Case("csv-no-year-columns", appendix(_drop_year_columns),
         ("appendix.csv, row 1: there are no financial year columns",)),
    Case("csv-text-in-money-cell", csv_cell(3, 7, "four thousand"),
         ("appendix.csv, row 3, column '2017/18 (G)': 'four thousand' is not an amount",)),
    Case("csv-formula-equals", _formula("=1+2"),
         ("appendix.csv, row 3, column '2017/18 (G)': '=1+2' is not an amount",)),
    Case("csv-formula-cmd", _formula("=cmd|' /C calc'!A0"),
         ("row 3, column '2017/18 (G)': \"=cmd|' /C calc'!A0\" is not an amount",)),
    Case("csv-formula-plus", _formula("+SUM(A1:A9)"),
         ("row 3, column '2017/18 (G)': '+SUM(A1:A9)' is not an amount",)),
    Case("csv-formula-minus", _formula("-2+3+cmd|' /C calc'!A0"),
         ("row 3, column '2017/18 (G)': \"-2+3+cmd|' /C calc'!A0\" is not an amount",)),
    Case("csv-formula-at", _formula("@SUM(1+1)*cmd|' /C calc'!A0"),
         ("row 3, column '2017/18 (G)': \"@SUM(1+1)*cmd|' /C calc'!A0\" is not an amount",)),
    Case("csv-formula-in-fte", _formula("=HYPERLINK(\"http://x\")", column=9),
         ("appendix.csv, row 3, column 'FTE (I)': '=HYPERLINK(\"http://x\")' is not a number",)),
    Case("csv-fraction-of-a-penny", csv_cell(4, 6, "615.000001"),
         ("appendix.csv, row 4, column '2016/17 (F)': 615.000001 £'000 comes to a fraction",)),
    Case("csv-amount-10-to-the-15-with-a-total", csv_cell(3, 6, "1000000000000000"),
         ("appendix.csv, row 3, column '2016/17 (F)': 1000000000000000 £'000: "
          "£1,000,000,000,000,000,000 is more than £10,000,000,000: check the unit",)),
    Case("csv-amount-10-to-the-15", appendix(_big_without_total),
         ("appendix.csv, row 3, column '2016/17 (F)'",)),
    Case("csv-bad-fte", csv_cell(5, 9, "several"),
         ("appendix.csv, row 5, column 'FTE (I)': 'several' is not a number of posts",)),
    Case("csv-year-1899-00", csv_cell(1, 8, "1899/00"),
         ("appendix.csv, row 1, column '1899/00 (H)': financial year starting 1899 is out",)),
    Case("csv-year-2016-18", csv_cell(1, 8, "2016/18"),
         ("appendix.csv, row 1, column '2016/18 (H)': '2016/18' is not a financial year",)),
    Case("csv-year-twice", csv_cell(1, 8, "2017/18"),
         ("appendix.csv, row 1, column '2017/18 (H)': financial year 2017/18 appears more",)),
    Case("csv-years-gap", csv_cell(1, 8, "2019/20"),
         ("appendix.csv, row 1: financial years are not consecutive: 2017/18 is followed by "
          "2019/20",)),
    Case("csv-years-not-the-plans", appendix(_later_years),
         ("appendix.csv, row 1: the year columns (2017/18 to 2019/20) must be the plan's years "
          "(2016/17 to 2018/19)",)),
    Case("csv-ref-column-twice", csv_cell(1, 3, "Ref"),
         ("appendix.csv, row 1, column 'Ref (C)': the column 'Ref' appears more than once",)),
    Case("csv-mixed-units", appendix(_mixed_units),
         ("appendix.csv: the year columns are in different units (£'000, £m)",)),
    Case("csv-unit-contradicts-option", appendix(), (
        "appendix.csv: the header says the amounts are in £'000 but the import was told £m",),
        options={"unit": "£m"}),
    Case("csv-no-phasing-given", appendix(), ("appendix.csv: say whether the year columns",),
         options={"phasing": None}),
    Case("csv-unknown-plan", appendix(), ("appendix.csv: there is no plan called 'Nope'",),
         options={"plan": "Nope"}),
    Case("csv-duplicate-reference", appendix(_duplicate_ref),
         ("appendix.csv, row 4, column 'Ref (A)': reference 'C3' is used more than once "
          "(first on row 3)",)),
    Case("csv-blank-reference", csv_cell(6, 1, ""),
         ("appendix.csv, row 6, column 'Ref (A)': Ref is empty",)),
    Case("csv-total-does-not-add", csv_cell(10, 7, "22,837"),
         ("appendix.csv, row 10, column '2017/18 (G)': the Total for 2017/18 is 22,837 £'000 "
          "but the lines add up to 22,836 £'000",)),
    Case("csv-line-after-total", appendix(_line_after_total),
         ("appendix.csv, row 11: a line after the Total row",)),
    Case("csv-unknown-workstream", csv_cell(3, 2, "Ghost workstream"),
         ("appendix.csv, row 3, column 'Workstream': unknown workstream 'Ghost workstream'",)),
    Case("csv-new-line-without-workstream", appendix(_new_line_no_workstream),
         ("appendix.csv, row 3, column 'Ref': Z1 is a new line and has no workstream",)),
    Case("csv-20000-rows-bad-last", appendix(_csv_rows(20000)),
         ("appendix.csv, row 20009, column '2017/18 (G)': 'lots' is not an amount",)),
    Case("csv-wrong-extension", appendix(), ("appendix.txt: unknown file type (.txt)",),
         name="appendix.txt"),
]
# fmt: on
CSV_CASES = [
    replace(case, name=case.name or APPENDIX, options={**CSV_OPTIONS, **case.options})
    for case in CSV_CASES
]


# --- the JSON exchange file ----------------------------------------------------------------

EXCHANGE = "programme.json"


@cache
def _good_json() -> str:
    return json_bytes(hampshire_figures()).decode("utf-8")


def good_json_data() -> dict[str, Any]:
    """The Hampshire programme as the exchange format's dictionary (a fresh copy)."""
    return json.loads(_good_json())


def exchange(change: Callable[[dict[str, Any]], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        data = json.loads(_good_json())
        change(data)
        return json.dumps(data).encode("utf-8")

    return build


def _set(path: str, value: Any) -> Callable[[], bytes]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return exchange(change)


def _bool_amount() -> bytes:
    return _good_json().replace('"2017/18": "23300"', '"2017/18": true').encode()


# fmt: off
JSON_CASES = [
    Case("json-empty-file", lambda: b"  \n", ("programme.json: is empty",)),
    Case("json-truncated", lambda: _good_json()[:300].encode(),
         ("programme.json, row 13, column 'character 20': is not valid JSON: Unterminated",)),
    Case("json-not-utf8", lambda: _good_json().encode("utf-16"),
         ("programme.json: is not a JSON text file (it is not UTF-8 text)",)),
    Case("json-a-list", lambda: b"[1, 2, 3]", ("programme.json: the file must hold one JSON",)),
    Case("json-wrong-format", _set("format", "something-else"),
         ("programme.json, column 'format': 'format' must be 'csplan-programme'",)),
    Case("json-true-as-amount", _bool_amount,
         ("programme.json, column 'plan.targets.2017/18': True is not an amount in £'000",)),
    Case("json-unknown-unit", _set("plan.unit", "roubles"),
         ("programme.json, column 'plan.unit': unknown money unit 'roubles'",)),
    Case("json-year-1899-00", _set("plan.years", ["1899/00", "1900/01"]),
         ("programme.json, column 'plan.years': financial year starting 1899 is out of range",)),
    Case("json-year-2016-18", _set("plan.years", ["2016/18"]),
         ("programme.json, column 'plan.years': '2016/18' is not a financial year",)),
    Case("json-text-amount", _set("lines.0.phasing.2016/17", "lots"),
         ("programme.json, row 1, column 'lines.phasing.2016/17': 'lots' is not an amount",)),
    Case("json-amount-10-to-the-15", _set("lines.0.phasing.2016/17", 10**15),
         ("programme.json, row 1, column 'lines.phasing.2016/17'",)),
    Case("json-unknown-workstream", _set("lines.2.workstream", "Ghost"),
         ("programme.json, row 3, column 'lines.workstream': unknown workstream 'Ghost'",)),
    Case("json-lines-not-a-list", _set("lines", {"C3": 1}),
         ("programme.json, column 'lines': 'lines' must be a list",)),
]
# fmt: on
JSON_CASES = [replace(case, name=EXCHANGE) for case in JSON_CASES]

PROGRAMME_CASES = WORKBOOK_CASES + CSV_CASES + JSON_CASES


# --- SSDA903 returns -----------------------------------------------------------------------

HEADER_COLUMNS = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
EPISODE_COLUMNS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE"
GOOD_HEADER = [
    "C1,1,01/01/2010,WBRI,A123456789012,,",
    "C2,2,02/02/2011,WBRI,A123456789013,,",
    "C3,1,03/03/2012,WBRI,A123456789014,,",
    "C4,2,04/04/2013,WBRI,A123456789015,,",
]
GOOD_EPISODES = [
    "C1,01/04/2024,S,C2,N1,U4,PR1,,,",
    "C2,01/05/2024,S,C2,N1,K2,PR1,,,",
    "C3,01/06/2024,S,C2,N1,U6,PR4,01/09/2024,E11,",
    "C4,01/07/2024,S,C2,N1,U1,PR1,,,",
]


def table(columns: str, rows: Sequence[str]) -> bytes:
    return ("\n".join([columns, *rows]) + "\n").encode()


def returns(
    header: Sequence[str] = GOOD_HEADER,
    episodes: Sequence[str] = GOOD_EPISODES,
    folder: str = "2025",
    **extra: bytes,
) -> Files:
    files = {
        f"{folder}/header.csv": table(HEADER_COLUMNS, header),
        f"{folder}/episodes.csv": table(EPISODE_COLUMNS, episodes),
    }
    files.update({name.replace("__", "/"): data for name, data in extra.items()})
    return files


def episode(row: int, value: str) -> Callable[[], Files]:
    """The good return with data row ``row`` (file row ``row + 1``) replaced."""

    def build() -> Files:
        rows = list(GOOD_EPISODES)
        rows[row - 2] = value
        return returns(episodes=rows)

    return build


def header_row(row: int, value: str) -> Callable[[], Files]:
    def build() -> Files:
        rows = list(GOOD_HEADER)
        rows[row - 2] = value
        return returns(header=rows)

    return build


def _zip(files: Files) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _two_years_gap() -> Files:
    return {**returns(folder="2023"), **returns(folder="2025")}


def _without(name: str) -> Callable[[], Files]:
    def build() -> Files:
        files = returns()
        del files[name]
        return files

    return build


def _replace(name: str, data: bytes) -> Callable[[], Files]:
    def build() -> Files:
        return {**returns(), name: data}

    return build


def _columns(kind: str, columns: str) -> Callable[[], Files]:
    def build() -> Files:
        if kind == "header":
            return {**returns(), "2025/header.csv": table(columns, GOOD_HEADER)}
        return {**returns(), "2025/episodes.csv": table(columns, GOOD_EPISODES)}

    return build


def _xlsx_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# fmt: off
SSDA903_ERROR_CASES = [
    Case("903-nothing-there", lambda: {"notes/readme.txt": b"hello"},
         ("no SSDA903 header or episodes tables found",)),
    Case("903-only-reviews-table", lambda: {"2025/reviews.csv": b"CHILD,REVIEW\nC1,01/05/2024\n"},
         ("no SSDA903 header or episodes tables found",)),
    Case("903-no-header-table", _without("2025/header.csv"),
         ("collection year 2024-25: no header table (found only 2025/episodes.csv)",)),
    Case("903-no-episodes-table", _without("2025/episodes.csv"),
         ("collection year 2024-25: no episodes table (found only 2025/header.csv)",)),
    Case("903-missing-year", _two_years_gap,
         ("no returns for collection year 2023-24 (found 2022-23, 2024-25)",)),
    Case("903-two-episodes-tables", lambda: {**returns(), "2025/episodes_copy.csv":
                                             table(EPISODE_COLUMNS, GOOD_EPISODES)},
         ("two episodes tables for collection year 2024-25: 2025/episodes.csv and "
          "2025/episodes_copy.csv; keep one",)),
    Case("903-year-not-in-name", lambda: returns(folder="latest"),
         ("latest/episodes.csv: cannot tell which collection year this file is for",)),
    Case("903-header-without-dob", _columns("header", "CHILD,SEX,BIRTHDAY,ETHNIC,UPN,MOTHER,MC"),
         ("2025/header.csv: the header table has no DOB column (columns found: CHILD, SEX, "
          "BIRTHDAY",)),
    Case("903-header-wrong-child-column",
         _columns("header", "CHILD_ID,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"),
         ("2025/header.csv: the header table has no CHILD column",)),
    Case("903-episodes-without-place",
         _columns("episodes", "CHILD,DECOM,RNE,LS,CIN,PLACEMENT,PLACE_PROVIDER,DEC,REC,RPC"),
         ("2025/episodes.csv: the episodes table has no PLACE column",)),
    Case("903-episodes-without-dec-and-rec",
         _columns("episodes", "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,END,REASON,RPC"),
         ("2025/episodes.csv: the episodes table has no DEC, REC columns",)),
    Case("903-empty-header-file", _replace("2025/header.csv", b""),
         ("2025/header.csv: the header table has no CHILD, SEX, DOB columns",)),
    Case("903-empty-episodes-file", _replace("2025/episodes.csv", b""),
         ("collection year 2024-25: no episodes table (found only 2025/header.csv; not an "
          "SSDA903 table or empty: 2025/episodes.csv)",)),
    Case("903-unclosed-quote", _replace("2025/episodes.csv",
                                        table(EPISODE_COLUMNS, ['C1,"01/04/2024,S,C2'])),
         ("2025/episodes.csv: cannot read this CSV file",)),
    Case("903-binary-junk-episodes", _replace("2025/episodes.csv", bytes(range(256)) * 20),
         ("2025/episodes.csv",)),
    Case("903-broken-zip", lambda: {"returns_2025.zip": b"PK\x03\x04 not really a zip"},
         ("returns_2025.zip: not a readable zip file",)),
    Case("903-damaged-xlsx", lambda: {**returns(), "2025/episodes.csv":
                                      b"", "2025/uasc.xlsx": b"PK\x03\x04junk"},
         ("2025/uasc.xlsx: cannot read this workbook",)),
    Case("903-xlsx-header-without-sex", lambda: {
        "2025/episodes.csv": table(EPISODE_COLUMNS, GOOD_EPISODES),
        "2025/header.xlsx": _xlsx_bytes([["CHILD", "DOB"], ["C1", "01/01/2010"]])},
         ("2025/header.xlsx: the header table has no SEX column",)),
]
# fmt: on


def _issue_case(
    id: str, build: Callable[[], Files], file: str, row: int | None, child: str | None,
    column: str | None, rule: str, text: str,
) -> Case:  # fmt: skip
    return Case(id, build, (text,), options={"issue": (file, row, child, column, rule)})


EP = "2025/episodes.csv"
HD = "2025/header.csv"


def _open_not_latest() -> Files:
    later = [row for row in GOOD_EPISODES if not row.startswith("C1,")]
    return {**returns(folder="2024", episodes=[
        "C1,01/04/2023,S,C2,N1,U4,PR1,,,", "C2,01/05/2023,S,C2,N1,K2,PR1,,,"]),
        **returns(folder="2025", episodes=[
            "C2,01/05/2023,S,C2,N1,K2,PR1,,,", *later[1:]])}  # fmt: skip


def _utf16_return() -> Files:
    files = returns(episodes=[*GOOD_EPISODES[:3], "C4,01/07/2024,S,C2,N1,Q9,PR1,,,"])
    files[EP] = files[EP].decode().encode("utf-16")
    return files


# fmt: off
SSDA903_ISSUE_CASES = [
    _issue_case("903-bad-decom-date", episode(3, "C2,31/02/2024,S,C2,N1,K2,PR1,,,"),
                EP, 3, "C2", "DECOM", "bad-date", "DECOM '31/02/2024' is not a date"),
    _issue_case("903-decom-words", episode(2, "C1,last spring,S,C2,N1,U4,PR1,,,"),
                EP, 2, "C1", "DECOM", "bad-date", "DECOM 'last spring' is not a date"),
    _issue_case("903-decom-year-0024", episode(2, "C1,01/04/0024,S,C2,N1,U4,PR1,,,"),
                EP, 2, "C1", "DECOM", "bad-date", "DECOM '01/04/0024' is not a date"),
    _issue_case("903-decom-missing", episode(5, "C4,,S,C2,N1,U1,PR1,,,"),
                EP, 5, "C4", "DECOM", "bad-date", "DECOM '' is not a date"),
    _issue_case("903-bad-dec-date", episode(4, "C3,01/06/2024,S,C2,N1,U6,PR4,99/99/2024,E11,"),
                EP, 4, "C3", "DEC", "bad-date", "DEC '99/99/2024' is not a date"),
    _issue_case("903-decom-after-collection", episode(2, "C1,01/04/2025,S,C2,N1,U4,PR1,,,"),
                EP, 2, "C1", "DECOM", "start-after-collection",
                "DECOM 01/04/2025 is after this return's collection end 31/03/2025"),
    _issue_case("903-dec-after-collection",
                episode(4, "C3,01/06/2024,S,C2,N1,U6,PR4,01/06/2025,E11,"),
                EP, 4, "C3", "DEC", "end-after-collection", "DEC 01/06/2025 is after"),
    _issue_case("903-unknown-place", episode(2, "C1,01/04/2024,S,C2,N1,Q9,PR1,,,"),
                EP, 2, "C1", "PLACE", "unknown-code", "PLACE 'Q9' is not an SSDA903 code"),
    _issue_case("903-unknown-ls", episode(3, "C2,01/05/2024,S,X9,N1,K2,PR1,,,"),
                EP, 3, "C2", "LS", "unknown-code", "LS 'X9' is not an SSDA903 code"),
    _issue_case("903-unknown-rne", episode(3, "C2,01/05/2024,Z,C2,N1,K2,PR1,,,"),
                EP, 3, "C2", "RNE", "unknown-code", "RNE 'Z' is not an SSDA903 code"),
    _issue_case("903-unknown-rec", episode(4, "C3,01/06/2024,S,C2,N1,U6,PR4,01/09/2024,E99,"),
                EP, 4, "C3", "REC", "unknown-code", "REC 'E99' is not an SSDA903 code"),
    _issue_case("903-unknown-provider", episode(2, "C1,01/04/2024,S,C2,N1,U4,PR9,,,"),
                EP, 2, "C1", "PLACE_PROVIDER", "unknown-code", "PLACE_PROVIDER 'PR9'"),
    _issue_case("903-missing-place", episode(2, "C1,01/04/2024,S,C2,N1,,PR1,,,"),
                EP, 2, "C1", "PLACE", "missing-code", "no PLACE code"),
    _issue_case("903-missing-rec-on-closed", episode(4, "C3,01/06/2024,S,C2,N1,U6,PR4,"
                                                     "01/09/2024,,"),
                EP, 4, "C3", "REC", "missing-code", "no REC code"),
    _issue_case("903-rec-without-dec", episode(2, "C1,01/04/2024,S,C2,N1,U4,PR1,,E11,"),
                EP, 2, "C1", "REC", "rec-without-dec", "REC E11 given without a DEC"),
    _issue_case("903-end-before-start",
                episode(4, "C3,01/06/2024,S,C2,N1,U6,PR4,01/05/2024,E11,"),
                EP, 4, "C3", "DEC", "end-before-start", "DEC 01/05/2024 is before DECOM"),
    _issue_case("903-overlapping-episodes", lambda: returns(episodes=[
        "C1,01/04/2024,S,C2,N1,U4,PR1,01/08/2024,X1,", "C1,01/06/2024,P,C2,N1,U5,PR1,,,",
        *GOOD_EPISODES[1:]]), EP, 2, "C1", "DEC", "overlap",
        "episode ends 01/08/2024, after the child's next episode starts 01/06/2024"),
    _issue_case("903-open-episode-overlapped", lambda: returns(episodes=[
        "C1,01/04/2024,S,C2,N1,U4,PR1,,,", "C1,01/06/2024,P,C2,N1,U5,PR1,,,",
        *GOOD_EPISODES[1:]]), EP, 2, "C1", "DEC", "overlap",
        "episode has no end but the child's next episode starts 01/06/2024"),
    _issue_case("903-duplicate-episode", lambda: returns(episodes=[
        *GOOD_EPISODES, "C2,01/05/2024,S,C2,N1,K1,PR1,,,"]), EP, 3, "C2", "DECOM", "duplicate",
        "two episodes for child C2 start on"),
    _issue_case("903-duplicate-header", lambda: returns(header=[
        *GOOD_HEADER, "C4,2,04/04/2013,WBRI,A123456789015,,"]), HD, 5, "C4", "CHILD",
        "duplicate", "child C4 appears twice in this header"),
    _issue_case("903-episode-without-child", episode(3, ",01/05/2024,S,C2,N1,K2,PR1,,,"),
                EP, 3, None, "CHILD", "missing-child", "no CHILD id"),
    _issue_case("903-header-without-child", header_row(3, ",2,02/02/2011,WBRI,,,"),
                HD, 3, None, "CHILD", "missing-child", "no CHILD id"),
    _issue_case("903-dob-not-a-date", header_row(2, "C1,1,32/13/2010,WBRI,,,"),
                HD, 2, "C1", "DOB", "bad-dob", "date of birth '32/13/2010' is not a date"),
    _issue_case("903-dob-missing", header_row(4, "C3,1,,WBRI,,,"),
                HD, 4, "C3", "DOB", "bad-dob", "no date of birth"),
    _issue_case("903-dob-in-future", header_row(5, "C4,2,01/01/2030,WBRI,,,"),
                HD, 5, "C4", "DOB", "bad-dob", "date of birth 01/01/2030 is after the collection"),
    _issue_case("903-dob-over-18", header_row(5, "C4,2,01/01/2000,WBRI,,,"),
                HD, 5, "C4", "DOB", "bad-dob", "aged 18 or over for the whole collection year"),
    _issue_case("903-unknown-sex", header_row(3, "C2,7,02/02/2011,WBRI,,,"),
                HD, 3, "C2", "SEX", "unknown-code", "SEX '7' is not a known code"),
    _issue_case("903-episode-before-birth", episode(2, "C1,01/04/2009,S,C2,N1,U4,PR1,"
                                                    "01/05/2009,E11,"),
                EP, 2, "C1", "DECOM", "bad-dob", "before the date of birth 01/01/2010"),
    _issue_case("903-child-without-header", lambda: returns(episodes=[
        *GOOD_EPISODES, "C9,01/08/2024,S,C2,N1,U4,PR1,,,"]), EP, 6, "C9", "CHILD", "no-header",
        "child C9 has episodes but no header record in any year"),
    _issue_case("903-start-after-18", lambda: returns(
        header=[*GOOD_HEADER, "C5,1,01/06/2006,WBRI,,,"],
        episodes=[*GOOD_EPISODES, "C5,01/07/2024,S,C2,N1,U4,PR1,,,"]),
        EP, 6, "C5", "DECOM", "start-after-18", "on or after the 18th birthday"),
    _issue_case("903-open-not-in-next-return", _open_not_latest,
                "2024/episodes.csv", 2, "C1", "DEC", "open-not-latest",
                "episode open at the end of 2024 is missing from the next year's return"),
    _issue_case("903-reviews-file-ignored",
                lambda: {**returns(), "2025/reviews.csv": b"CHILD,DOB,REVIEW\nC1,x,y\n"},
                "2025/reviews.csv", None, None, None, "ignored-file",
                "not an SSDA903 header, episodes or UASC table"),
    _issue_case("903-utf16-file-still-read", _utf16_return,
                EP, 5, "C4", "PLACE", "unknown-code", "PLACE 'Q9' is not an SSDA903 code"),
    _issue_case("903-in-a-zip", lambda: {"returns_2025.zip": _zip(
        returns(episodes=[*GOOD_EPISODES[:3], "C4,01/07/2024,S,C2,N1,U1,PR1,31/31/2024,E11,"]))},
        "returns_2025.zip/2025/episodes.csv", 5, "C4", "DEC", "bad-date",
        "DEC '31/31/2024' is not a date"),
]
# fmt: on


# --- uploads -------------------------------------------------------------------------------


def _zip_with(name: str, data: bytes) -> bytes:
    return _zip({name: data})


def _declared_huge_zip() -> bytes:
    """A zip whose one member unpacks to 2 MB of zeros (a small zip bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2025/episodes.csv", b"0" * 2_000_000)
    return buffer.getvalue()


UPLOAD_LIMIT = 64 * 1024
# fmt: off
UPLOAD_CASES = [
    Case("upload-too-big", lambda: {"episodes_2025.csv": b"x" * (UPLOAD_LIMIT + 1)},
         ("The files come to 64 KB: an upload may be at most 64 KB",)),
    Case("upload-zip-bomb", lambda: {"returns.zip": _declared_huge_zip()},
         ("returns.zip: unzipped it is 1.9 MB, more than the 64 KB an upload may hold",)),
    Case("upload-zip-path-escape", lambda: {"returns.zip": _zip_with("../../etc/passwd.csv",
                                                                     b"x")},
         ("../../etc/passwd.csv: a path inside the zip goes outside it ('..')",)),
    Case("upload-zip-with-program", lambda: {"returns.zip": _zip_with("run.exe", b"MZ")},
         ("returns.zip: run.exe is not a CSV, XLSX or XML file",)),
    Case("upload-program", lambda: {"setup.exe": b"MZ\x90\x00"},
         ("setup.exe: upload CSV, XLSX or XML files of the SSDA903 return, or a zip",)),
    Case("upload-broken-zip", lambda: {"returns.zip": b"PK\x03\x04broken"},
         ("returns.zip: this is not a zip file that can be opened",)),
    Case("upload-nothing", dict, ("Select the SSDA903 files to upload",)),
    Case("upload-same-name-twice", lambda: {"a/header.csv": b"x", "b/header.csv": b"y"},
         ("header.csv: two files have this name",)),
]
# fmt: on


# --- benchmark files -----------------------------------------------------------------------

CLA_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,population_type,population_estimate,"
    "children_count,rate_per_10000"
)
CLA_ROW = (
    "2025,Reporting year,Local authority,E92000001,England,E12000006,East of England,919,"
    "Hertfordshire,E10000015,Children looked after on 31 March each year,277480,{count},36"
)
NEIGHBOUR_HEADER = "LA num,LA Name,SN1,SN2,SN3,SN4,SN5,SN6,SN7,SN8,SN9,SN10,SNP"


def good_cla() -> bytes:
    return (CLA_HEADER + "\n" + CLA_ROW.format(count="999") + "\n").encode()


def _cla(header: str = CLA_HEADER, *rows: str) -> Callable[[], bytes]:
    return lambda: ("\n".join([header, *rows]) + "\n").encode()


# fmt: off
BENCHMARK_CASES = [
    Case("bm-empty", lambda: b"", ("file cla.csv: the file is empty",)),
    Case("bm-unrecognised-columns", lambda: b"area,value\nE1,2\n",
         ("file cla.csv, row 1: not a recognised benchmark file", "found area, value")),
    Case("bm-cla-missing-rate", _cla(CLA_HEADER.replace(",rate_per_10000", "")),
         ("file cla.csv, row 1: looks like the DfE children looked after numbers and rates per "
          "10,000 file but is missing column(s): rate_per_10000",)),
    Case("bm-cla-neither-schema", _cla(CLA_HEADER.replace("children_count", "kids")),
         ("file cla.csv, row 1: looks like the DfE children looked after file but has neither",)),
    Case("bm-cla-header-only", _cla(),
         ("file cla.csv, row 2: the file has a header but no data rows",)),
    Case("bm-cla-text-count", _cla(CLA_HEADER, CLA_ROW.format(count="lots")),
         ("file cla.csv, row 2, column 'children_count': 'lots' is not a whole number",)),
    Case("bm-cla-formula-count", _cla(CLA_HEADER, CLA_ROW.format(count="=1+1")),
         ("file cla.csv, row 2, column 'children_count': '=1+1' is not a whole number",)),
    Case("bm-cla-short-row", _cla(CLA_HEADER, "2025,Reporting year,Local authority"),
         ("file cla.csv, row 2: has 3 values but the header has 14 columns",)),
    Case("bm-neighbours-missing-sn10",
         _cla(NEIGHBOUR_HEADER.replace(",SN10", ""), "919,Hertfordshire,1,2,3,4,5,6,7,8,9,x"),
         ("file cla.csv, row 1: looks like the DfE statistical neighbour groupings file but is "
          "missing column(s): sn10",)),
    Case("bm-broken-ods", lambda: b"PK\x03\x04 broken", ("file cla.csv", "OpenDocument")),
]
# fmt: on
BENCHMARK_CASES = [replace(case, name="cla.csv") for case in BENCHMARK_CASES]

ALL_CASES = (
    PROGRAMME_CASES + SSDA903_ERROR_CASES + SSDA903_ISSUE_CASES + UPLOAD_CASES + BENCHMARK_CASES
)
