"""The savings programme's committee tables as report data (``Table``).

- ``workstream_report``: Hampshire Table I.1 (budget, full-year savings, % of budget).
- ``proposals_report``: Appendix 1 (each line's phasing by year, FTE, a Total row).
- ``targets_report``: target against proposals by year, early achievement carried forward
  and what is left for the cost of change (Hampshire 5.3).
- ``baseline_report`` and ``reconciliation_report``: the approved and current figures side by
  side, and approved + each movement = current (``csplan.programme.baseline``).

The numbers come from ``csplan.programme.calculations``; these builders only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from csplan.core.money import Unit, format_amount
from csplan.core.periods import FinancialYear
from csplan.core.table import Cell, Column, ColumnKind, Row, RowKind, Table
from csplan.programme.calculations import (
    WORKSTREAM_TABLE_PLACES,
    WORKSTREAM_TABLE_UNIT,
    TargetComparison,
    proposals_appendix,
    target_comparison,
    workstream_table,
)
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.phasing import PhasingForm

if TYPE_CHECKING:
    from csplan.programme.baseline import Baseline, MovementEffect

ROUNDING_NOTE = "Totals may not add because of rounding."
FTE_PLACES = 1
FTE_UNKNOWN = "TBC"

_WORKSTREAM_ROW_KINDS = {
    "workstream": RowKind.LINE,
    "non_workstream": RowKind.LINE,
    "subtotal": RowKind.SUBTOTAL,
    "total": RowKind.TOTAL,
}


def _meta(programme: ProgrammeFigures, **extra: str) -> dict[str, str]:
    return {
        "council": programme.council,
        "plan": programme.plan,
        "department": programme.department,
        "sign_convention": programme.sign_convention,
        **extra,
    }


def workstream_report(programme: ProgrammeFigures) -> Table:
    """Table I.1: Department Workstreams and Savings Target (£m to one decimal place)."""
    table = workstream_table(programme)
    money = {"kind": ColumnKind.MONEY, "unit": WORKSTREAM_TABLE_UNIT}
    columns = (
        Column("Workstream"),
        Column("Total Budget", places=WORKSTREAM_TABLE_PLACES, **money),
        Column("Full Year Savings Proposals", places=WORKSTREAM_TABLE_PLACES, **money),
        Column("Savings Proposals as % of Budget", ColumnKind.PERCENT, places=1),
    )
    rows = tuple(
        Row(
            (
                row.name,
                row.budget,
                "n/a" if row.savings is None else row.savings,
                "n/a" if row.percent_of_budget is None else row.percent_of_budget,
            ),
            _WORKSTREAM_ROW_KINDS[row.kind],
        )
        for row in table.rows
    )
    notes = [ROUNDING_NOTE]
    if table.percent_basis == "displayed":
        notes.append("Percentages are calculated from the rounded figures shown.")
    notes.append("n/a: no savings are proposed against the budget.")
    return Table(
        name="workstreams",
        title="Department Workstreams and Savings Target",
        columns=columns,
        rows=rows,
        notes=tuple(notes),
        meta=_meta(programme, percent_basis=table.percent_basis),
    )


def _fte_cell(line: LineFigures) -> Cell:
    if line.fte is not None:
        return line.fte
    return line.fte_note or FTE_UNKNOWN


def proposals_report(
    programme: ProgrammeFigures,
    form: PhasingForm = PhasingForm.CUMULATIVE,
    *,
    unit: Unit = Unit.THOUSANDS,
    places: int | None = 0,
    workstream_column: bool = False,
) -> Table:
    """Appendix 1: Proposed Savings Options, one money column per financial year.

    ``places=None`` shows exact amounts (for exports that must read back unchanged);
    ``workstream_column`` adds the line's workstream after the reference.
    """
    appendix = proposals_appendix(programme, form)
    lead = [Column("Ref"), Column("Service activity"), Column("Description"), Column("Impact")]
    if workstream_column:
        lead.insert(1, Column("Workstream"))
    years = [Column(str(year), ColumnKind.MONEY, unit, places) for year in appendix.years]
    fte = Column("FTE", ColumnKind.NUMBER, places=None if places is None else FTE_PLACES)
    rows = []
    for row in appendix.rows:
        line = row.line
        texts: list[Cell] = [line.reference, line.service_activity, line.description, line.impact]
        if workstream_column:
            texts.insert(1, line.workstream)
        amounts = [row.amounts[year] for year in appendix.years]
        rows.append(Row((*texts, *amounts, _fte_cell(line))))
    blanks: list[Cell] = [None] * (len(lead) - 1)
    totals = [appendix.totals[year] for year in appendix.years]
    rows.append(Row(("Total", *blanks, *totals, appendix.fte_total), RowKind.TOTAL))
    notes = [ROUNDING_NOTE, f"Phasing: {form.label.lower()}."]
    if appendix.fte_unknown:
        notes.append(
            f"FTE for {', '.join(appendix.fte_unknown)} is not yet known ({FTE_UNKNOWN}) "
            "and is not included in the total."
        )
    return Table(
        name="proposals",
        title="Proposed Savings Options",
        columns=(*lead, *years, fte),
        rows=tuple(rows),
        notes=tuple(notes),
        meta=_meta(programme, phasing=form.value),
    )


# Proposals less target: positive is early achievement, a shortfall is in brackets, as the
# label says (brackets alone could read as favourable); the Shortfall row shows it positive.
VARIANCE_LABEL = "Proposals above or (below) target"
_TARGET_MEASURES = (
    ("target", "Savings target (cumulative)"),
    ("proposals", "Savings proposals (cumulative full-year effect)"),
    ("variance", VARIANCE_LABEL),
    ("early_achievement", "Early achievement"),
    ("shortfall", "Shortfall"),
    ("shortfall_covered", "Shortfall covered from early achievement"),
    ("shortfall_uncovered", "Shortfall not covered"),
    ("carried_forward", "Early achievement carried forward"),
)
COST_OF_CHANGE_LABEL = "Available for the cost of change"


def targets_report(programme: ProgrammeFigures, *, unit: Unit = Unit.THOUSANDS) -> Table:
    """Target against proposals by year (£'000), with early achievement carried forward; a
    plan with no target gets its proposals and a clear warning instead."""
    comparison = target_comparison(programme)
    columns = (
        Column("Measure"),
        *(Column(str(row.year), ColumnKind.MONEY, unit, 0) for row in comparison.years),
    )
    if not any(programme.targets.values()):
        return _no_target_report(programme, comparison, columns)
    rows = [
        Row((label, *(getattr(year, attribute) for year in comparison.years)))
        for attribute, label in _TARGET_MEASURES
    ]
    available = comparison.available_for_cost_of_change
    blanks: list[Cell] = [None] * (len(comparison.years) - 1)
    rows.append(Row((COST_OF_CHANGE_LABEL, *blanks, available), RowKind.TOTAL))
    notes = (
        ROUNDING_NOTE,
        "Early achievement is carried forward and used first to cover later shortfalls.",
        "A shortfall against the target is shown in brackets only in the row that says so "
        "(proposals above or (below) target); the shortfall rows show it as a positive figure.",
        f"£{format_amount(available, Unit.POUNDS)} of early achievement remains available "
        "for the cost of change.",
    )
    return Table(
        name="targets",
        title="Savings Target and Proposals by Year",
        columns=columns,
        rows=tuple(rows),
        notes=notes,
        meta=_meta(programme, phasing=PhasingForm.CUMULATIVE.value),
    )


NO_TARGET_WARNING = (
    "No savings target is set for this plan, so there is nothing to compare the proposals "
    "with: no shortfall, early achievement or cost-of-change figure is shown. Record the "
    "target (csplan plan new --target, or the plan's targets) to see them."
)


def _no_target_report(
    programme: ProgrammeFigures, comparison: TargetComparison, columns: tuple[Column, ...]
) -> Table:
    proposals = Row(
        ("Savings proposals (cumulative full-year effect)",
         *(year.proposals for year in comparison.years))
    )  # fmt: skip
    return Table(
        name="targets",
        title="Savings Target and Proposals by Year: no target set",
        columns=columns,
        rows=(proposals,),
        notes=(NO_TARGET_WARNING, ROUNDING_NOTE),
        meta=_meta(programme, phasing=PhasingForm.CUMULATIVE.value, target="none"),
    )


REPORTS = {
    "workstreams": workstream_report,
    "proposals": proposals_report,
    "targets": targets_report,
}


def build_report(
    name: str, programme: ProgrammeFigures, form: PhasingForm = PhasingForm.CUMULATIVE
) -> Table:
    """The report called ``name`` (workstreams, proposals or targets)."""
    if name == "proposals":
        return proposals_report(programme, form)
    if name not in REPORTS:
        raise KeyError(f"unknown report {name!r}: choose {', '.join(REPORTS)}")
    return REPORTS[name](programme)


def lines_report(
    programme: ProgrammeFigures, lines: tuple[LineFigures, ...] | None = None
) -> Table:
    """The list of savings lines (all, or the ``lines`` chosen by a filter) with a total."""
    chosen = programme.lines if lines is None else lines
    labels = {entry.get("code"): entry.get("label", "") for entry in programme.rag_key}
    columns = (
        Column("Ref"),
        Column("Title"),
        Column("Workstream"),
        Column("Status"),
        Column("RAG", ColumnKind.RAG),
        Column("SRO"),
        Column("Full year saving", ColumnKind.MONEY, unit=Unit.THOUSANDS),
    )
    rows = [
        Row(
            (
                line.reference,
                line.title,
                line.workstream,
                line.lifecycle.replace("_", " ").capitalize(),
                labels.get(line.rag, line.rag),
                line.sro_role,
                line.full_year_effect,
            )
        )
        for line in chosen
    ]
    total = sum((line.full_year_effect for line in chosen), Decimal(0))
    rows.append(
        Row(
            (
                "Total",
                f"{len(chosen)} line{'' if len(chosen) == 1 else 's'}",
                None,
                None,
                None,
                None,
                total,
            ),
            RowKind.TOTAL,
        )
    )
    return Table(
        "lines",
        "Savings lines",
        columns,
        tuple(rows),
        (ROUNDING_NOTE,),
        _meta(programme),
    )


def plans_report(programmes: Sequence[tuple[ProgrammeFigures, bool]]) -> Table:
    """The plans in the database: council, plan, years, lines, savings planned against target.

    ``programmes`` pairs each plan's figures with whether it is archived."""
    columns = (
        Column("Council"),
        Column("Plan"),
        Column("Years"),
        Column("Savings lines", ColumnKind.NUMBER),
        Column("Savings planned", ColumnKind.MONEY, unit=Unit.THOUSANDS),
        Column("Target", ColumnKind.MONEY, unit=Unit.THOUSANDS),
        Column("Status"),
    )
    rows = []
    for figures, archived in programmes:
        years = f"{figures.years[0]} to {figures.years[-1]}" if figures.years else ""
        planned = sum((line.full_year_effect for line in figures.lines), Decimal(0))
        target = sum(figures.targets.values(), Decimal(0)) if figures.targets else "No target set"
        rows.append(
            Row(
                (
                    figures.council,
                    figures.plan,
                    years,
                    Decimal(len(figures.lines)),
                    planned,
                    target,
                    "Archived" if archived else "In use",
                )
            )
        )
    return Table(
        name="plans",
        title="Savings plans",
        columns=columns,
        rows=tuple(rows),
        notes=(ROUNDING_NOTE,),
    )


def _totals(
    programme: ProgrammeFigures, form: PhasingForm, lines: tuple[LineFigures, ...] | None = None
) -> dict[FinancialYear, Decimal]:
    """The Appendix 1 total by year of ``lines`` (default: all), with its own arithmetic."""
    chosen = programme if lines is None else replace(programme, lines=lines)
    return proposals_appendix(chosen, form).totals


def _change(
    programme: ProgrammeFigures,
    form: PhasingForm,
    line: LineFigures,
    before: Mapping[FinancialYear, Decimal],
    after: Mapping[FinancialYear, Decimal],
) -> dict[FinancialYear, Decimal]:
    """What moving ``line`` from ``before`` to ``after`` does to the total in each year."""
    was = _totals(programme, form, (replace(line, phasing=dict(before)),))
    now = _totals(programme, form, (replace(line, phasing=dict(after)),))
    return {year: now[year] - was[year] for year in programme.years}


def _approval_note(baseline: Baseline) -> str:
    approval = baseline.approval
    return f"Approved: {approval.label}. Current: every change recorded since."


def baseline_report(baseline: Baseline, form: PhasingForm = PhasingForm.CUMULATIVE) -> Table:
    """Each line's approved and current saving by year, side by side, with totals (£'000)."""
    approved, current = baseline.approved, baseline.current
    years = current.years
    approved_lines = {line.reference: line for line in approved.lines}
    current_lines = {line.reference: line for line in current.lines}
    references = [*approved_lines, *(r for r in current_lines if r not in approved_lines)]
    amounts: dict[str, tuple[dict[FinancialYear, Decimal], dict[FinancialYear, Decimal]]] = {}
    for reference in references:
        pair = (
            _line_totals(approved, form, approved_lines.get(reference)),
            _line_totals(current, form, current_lines.get(reference)),
        )
        amounts[reference] = pair
    columns = [Column("Ref"), Column("Title")]
    for year in years:
        columns.append(Column(f"{year} approved", ColumnKind.MONEY, Unit.THOUSANDS, 0))
        columns.append(Column(f"{year} current", ColumnKind.MONEY, Unit.THOUSANDS, 0))
    rows = []
    for reference in references:
        line = current_lines.get(reference) or approved_lines[reference]
        was, now = amounts[reference]
        cells: list[Cell] = [reference, line.title]
        for year in years:
            cells.extend((was[year], now[year]))
        rows.append(Row(tuple(cells)))
    approved_total, current_total = _totals(approved, form), _totals(current, form)
    total: list[Cell] = ["Total", None]
    for year in years:
        total.extend((approved_total[year], current_total[year]))
    rows.append(Row(tuple(total), RowKind.TOTAL))
    added = [r for r in current_lines if r not in approved_lines]
    removed = [r for r in approved_lines if r not in current_lines]
    notes = [ROUNDING_NOTE, f"Phasing: {form.label.lower()}.", _approval_note(baseline)]
    if added:
        notes.append(f"Not in the approved budget (added since): {', '.join(added)}.")
    if removed:
        notes.append(f"Removed since approval: {', '.join(removed)}.")
    return Table(
        name="baseline",
        title="Approved and Current Savings by Year",
        columns=tuple(columns),
        rows=tuple(rows),
        notes=tuple(notes),
        meta=_meta(
            current,
            phasing=form.value,
            approved_by=baseline.approval.reference,
            approved_on=baseline.approval.date.isoformat(),
        ),
    )


def _line_totals(
    programme: ProgrammeFigures, form: PhasingForm, line: LineFigures | None
) -> dict[FinancialYear, Decimal]:
    if line is None:
        return dict.fromkeys(programme.years, Decimal(0))
    return _totals(programme, form, (line,))


OTHER_CHANGES_LABEL = "Other changes (not in the movements journal)"


def reconciliation_rows(
    start_label: str,
    start: ProgrammeFigures,
    end_label: str,
    end: ProgrammeFigures,
    movements: Sequence[MovementEffect],
    form: PhasingForm = PhasingForm.CUMULATIVE,
) -> list[Row]:
    """``start`` + each movement (+ other changes, if any) = ``end``, by year, exactly: the
    first row is the start's total, the last (a total row) the end's."""
    years = end.years
    start_total, end_total = _totals(start, form), _totals(end, form)
    rows = [Row((start_label, *(start_total[y] for y in years)))]
    explained = dict(start_total)
    for movement in movements:
        change = _change(end, form, movement.line, movement.before, movement.after)
        rows.append(Row((movement.label, *(change[y] for y in years))))
        explained = {y: explained[y] + change[y] for y in years}
    other = {y: end_total[y] - explained[y] for y in years}
    if any(other.values()):
        rows.append(Row((OTHER_CHANGES_LABEL, *(other[y] for y in years))))
    rows.append(Row((end_label, *(end_total[y] for y in years)), RowKind.TOTAL))
    return rows


def _money_by_year(years: Sequence[FinancialYear]) -> tuple[Column, ...]:
    return (
        Column("Item"),
        *(Column(str(year), ColumnKind.MONEY, Unit.THOUSANDS, 0) for year in years),
    )


def reconciliation_report(
    baseline: Baseline,
    form: PhasingForm = PhasingForm.CUMULATIVE,
    *,
    current_label: str = "Current",
) -> Table:
    """Approved + each movement = current, by year (£'000), exactly.

    Each movement counts with the change it made to its line's phasing; changes made outside
    the journal (plain edits, lines added or removed by hand) are shown together on one row,
    so the table always adds up and shows what the journal does not explain."""
    current = baseline.current
    rows = reconciliation_rows(
        f"Approved ({baseline.approval.label})",
        baseline.approved,
        current_label,
        current,
        baseline.movements,
        form,
    )
    columns = _money_by_year(current.years)
    notes = [ROUNDING_NOTE, f"Phasing: {form.label.lower()}.", _approval_note(baseline)]
    if any(row.cells[0] == OTHER_CHANGES_LABEL for row in rows):
        notes.append(
            "Other changes: edits to lines and phasing since approval that were not recorded "
            "as movements."
        )
    else:
        notes.append("Every change since approval is in the movements journal.")
    return Table(
        name="reconciliation",
        title="Reconciliation: Approved to Current",
        columns=columns,
        rows=tuple(rows),
        notes=tuple(notes),
        meta=_meta(
            current,
            phasing=form.value,
            approved_by=baseline.approval.reference,
            approved_on=baseline.approval.date.isoformat(),
        ),
    )
