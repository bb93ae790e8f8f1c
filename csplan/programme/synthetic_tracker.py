"""A synthetic council savings tracker in a council's own layout (not csplan's) (tests, demos):
a title row, "Saving Ref", amounts in £ (with pence), cumulative years written three ways, a
Total row. No real council's figures."""

from __future__ import annotations

import io
from decimal import Decimal

from csplan.core.periods import FinancialYear
from csplan.programme.figures import ProgrammeFigures, WorkstreamFigures

SHEET = "Savings Tracker"
HEADINGS = [
    "Saving Ref",
    "Saving Title",
    "Theme",
    "Lead Officer",
    "2024/25",
    "2025-26",
    "26/27",
    "FTE",
    "One-off / Recurrent",
]
GOOD_ROWS = [
    ["NS-01", "Step-down from residential care", "Placements", "Head of Placements",
     125000.5, 300000, 300000, 2.5, "Recurrent"],
    ["NS-02", "Family group conferencing", "Early Help", "Head of Early Help",
     "£40,000.25", "£90,000.25", "£90,000.25", "TBC", "recurrent"],
    ["NS-03", "Vacancy freeze", "Early Help", "Director of Children's Services",
     60000, 60000, 60000, None, "One-off"],
]  # fmt: skip


def tracker_figures() -> ProgrammeFigures:
    """The council's plan before the import: its years and workstreams, no lines."""
    years = tuple(FinancialYear(start) for start in (2024, 2025, 2026))
    return ProgrammeFigures(
        council="Northshire County Council",
        plan="Children's savings 2024-27",
        years=years,
        targets={year: Decimal("500000") for year in years},
        workstreams=(
            WorkstreamFigures("Placements", Decimal("10000000")),
            WorkstreamFigures("Early Help", Decimal("2500000")),
        ),
        lines=(),
    )


def tracker_rows(rows: list[list] | None = None) -> list[list]:
    body = GOOD_ROWS if rows is None else rows
    total = ["Total", None, None, None, None, None, None, None, None]
    return [["Northshire savings tracker (£)"], [], HEADINGS, *body, total]


def tracker_xlsx(rows: list[list] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["Figures are cumulative, in pounds."])
    sheet = workbook.create_sheet(SHEET)
    for row in tracker_rows(rows):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tracker_csv(rows: list[list] | None = None) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in tracker_rows(rows):
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")
