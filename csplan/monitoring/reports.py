"""Monitoring tables as report data (``csplan.core.table.Table``), in £'000.

The numbers come from the calculations in ``summary``, ``risk``, ``movements`` and
``demand_check``; these builders only lay them out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from csplan.core.cache import cached
from csplan.core.money import ZERO, Unit
from csplan.core.periods import MonitoringPeriod
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.monitoring.demand_check import DemandMonth
from csplan.monitoring.models import MonitoringRecord, Movement, amounts_from_json
from csplan.monitoring.movements import DemandBaseline, GrossOffsetNetYear, total
from csplan.monitoring.risk import RiskYear
from csplan.monitoring.summary import LinePosition, MonitoringSummary
from csplan.programme.reports import ROUNDING_NOTE

UNIT = Unit.THOUSANDS
# The programme summary's last rows: each a positive figure, so a shortfall is never shown as
# a bracketed (favourable-looking) number.
EXPECTED_ABOVE_TARGET = "Expected delivery above target"
EXPECTED_SHORTFALL = "Expected shortfall against target"


def _money(heading: str) -> Column:
    return Column(heading, ColumnKind.MONEY, UNIT, 0)


def summary_report(
    summary: MonitoringSummary, period: MonitoringPeriod, meta: Mapping[str, str] | None = None
) -> Table:
    columns = (
        Column("Workstream"),
        _money("Net budget"),
        _money("Savings proposed"),
        _money("Achieved or anticipated"),
        _money("Shortfall"),
        _money("In-year pressures"),
        _money("Mitigation"),
        _money("Net at risk"),
        Column("Net at risk as % of net budget", ColumnKind.PERCENT, places=1),
    )
    rows = tuple(
        Row(
            (
                row.name,
                row.budget,
                row.proposed,
                row.anticipated,
                row.shortfall,
                row.pressures,
                row.mitigation,
                row.net_at_risk,
                row.percent_of_budget if row.percent_of_budget is not None else "n/a",
            ),
            RowKind.TOTAL if row.kind == "total" else RowKind.LINE,
        )
        for row in summary.rows
    )
    return Table(
        name="monitoring_summary",
        title=f"Savings monitoring summary, {period.year} {period.label} ({period.month_name})",
        columns=columns,
        rows=rows,
        notes=(
            ROUNDING_NOTE,
            "Proposed: the in-year saving in the plan. Shortfall: proposed less achieved or "
            "anticipated, an adverse figure shown as positive; a shortfall in brackets is "
            "delivery above the plan. In-year pressures: savings written off or offset by rising "
            "demand.",
            "Net at risk: shortfall plus pressures less mitigation, for each line (never below "
            "zero).",
        ),
        meta={**(meta or {}), "period": str(period)},
    )


def at_risk_report(positions: Sequence[LinePosition], period: MonitoringPeriod) -> Table:
    columns = (
        Column("Ref"),
        Column("Saving"),
        Column("RAG", ColumnKind.RAG),
        _money("Proposed"),
        _money("Anticipated"),
        _money("Net at risk"),
        Column("Explanation"),
        Column("Mitigation"),
    )
    rows = [
        Row(
            (
                p.reference,
                p.title,
                p.rag,
                p.proposed,
                p.anticipated,
                p.net_at_risk,
                p.explanation,
                _mitigation_text(p),
            )
        )
        for p in positions
    ]
    rows.append(
        Row(
            (
                "Total",
                None,
                None,
                sum((p.proposed for p in positions), ZERO),
                sum((p.anticipated for p in positions), ZERO),
                sum((p.net_at_risk for p in positions), ZERO),
                None,
                None,
            ),
            RowKind.TOTAL,
        )
    )
    return Table(
        name="at_risk",
        title=f"Savings at risk, with mitigation, {period}",
        columns=columns,
        rows=tuple(rows),
        notes=(ROUNDING_NOTE, "Lines rated amber or red, or with money at risk."),
        meta={"period": str(period)},
    )


def _mitigation_text(position: LinePosition) -> str:
    if position.mitigation_amount <= 0:
        return position.mitigation
    kind = "one-off" if position.mitigation_recurrence == "one_off" else "recurrent"
    return f"{position.mitigation} ({kind})".strip()


def movement_change(movement: Movement) -> Decimal:
    """The change a journal entry made to its line's full-year saving."""
    before = amounts_from_json(movement.phasing_before)
    after = amounts_from_json(movement.phasing_after)
    return total(after) - total(before)


def movements_report(
    entries: Sequence[Movement], since: MonitoringPeriod | None, upto: MonitoringPeriod
) -> Table:
    columns = (
        Column("Period"),
        Column("Ref"),
        Column("Movement"),
        Column("From"),
        Column("To"),
        _money("Amount"),
        _money("Change to full-year saving"),
        Column("Decision / link"),
        Column("Reason"),
    )
    rows = [
        Row(
            (
                str(entry.period),
                entry.line.reference,
                _movement_label(entry),
                str(entry.from_year and _year(entry.from_year)),
                _year(entry.to_year) if entry.to_year else None,
                entry.amount,
                movement_change(entry),
                _link(entry),
                entry.reason,
            )
        )
        for entry in entries
    ]
    rows.append(
        Row(
            (
                "Total",
                None,
                None,
                None,
                None,
                None,
                sum((movement_change(e) for e in entries), ZERO),
                None,
                None,
            ),
            RowKind.TOTAL,
        )  # fmt: skip
    )
    window = f"after {since} up to {upto}" if since else f"up to {upto}"
    return Table(
        name="movements",
        title=f"Movements in the savings programme {window}",
        columns=columns,
        rows=tuple(rows),
        notes=(
            ROUNDING_NOTE,
            "Re-profiling and slippage move savings between years and leave each line's "
            "full-year saving unchanged; a write-off reduces it and creates a pressure until a "
            "replacement saving is found; an increase or a reduction (an edit of the line's "
            "phasing, with its reason) changes it by its amount. Mitigation and offsets by "
            "demand do not change phasing.",
        ),
        meta={"since": str(since) if since else "", "upto": str(upto)},
    )


def _year(start: int) -> str:
    from csplan.core.periods import FinancialYear

    return str(FinancialYear(start))


def _movement_label(entry: Movement) -> str:
    label = entry.get_kind_display()
    if entry.kind == Movement.Kind.MITIGATION:
        label += f" ({entry.get_recurrence_display().lower()})"
    return label


def _link(entry: Movement) -> str:
    if entry.decision_reference:
        return entry.decision_reference
    if entry.replaces_id:
        return f"Covers write-off on {entry.replaces.line.reference}"
    return ""


def history_report(records: Sequence[MonitoringRecord], reference: str) -> Table:
    columns = (
        Column("Period"),
        Column("RAG", ColumnKind.RAG),
        _money("Proposed"),
        _money("Forecast"),
        _money("Achieved to date"),
        _money("Mitigation"),
        Column("Commentary"),
        Column("Explanation"),
        Column("Mitigation actions"),
    )
    rows = tuple(
        Row(
            (
                str(record.period),
                record.rag,
                record.target,
                record.forecast_by_year().get(record.period.year, ZERO),
                record.achieved_to_date,
                record.mitigation_amount,
                record.commentary,
                record.explanation,
                record.mitigation,
            )
        )
        for record in records
    )
    return Table(
        name="line_history",
        title=f"Monitoring history of {reference}",
        columns=columns,
        rows=rows,
        notes=(ROUNDING_NOTE, "Forecast and proposed are in-year savings for the period's year."),
        meta={"reference": reference},
    )


def risk_report(
    rows: Sequence[RiskYear], probabilities_label: str, probabilities: Mapping[str, Decimal],
    *, draws: int, seed: int,
) -> Table:  # fmt: skip
    measures = (
        ("Savings target (cumulative)", lambda r: r.target),
        ("Savings planned (in-year)", lambda r: r.planned),
        ("Expected delivery (risk-adjusted)", lambda r: r.expected),
        ("Low (10th percentile)", lambda r: r.range.p10),
        ("Middle (50th percentile)", lambda r: r.range.p50),
        ("High (90th percentile)", lambda r: r.range.p90),
    )
    columns = (Column("Measure"), *(_money(str(row.year)) for row in rows))
    table_rows = [Row((label, *(pick(row) for row in rows))) for label, pick in measures]
    table_rows.append(
        Row((EXPECTED_ABOVE_TARGET, *(max(-r.expected_gap, ZERO) for r in rows)), RowKind.SUBTOTAL)
    )
    table_rows.append(
        Row((EXPECTED_SHORTFALL, *(max(r.expected_gap, ZERO) for r in rows)), RowKind.TOTAL)
    )
    shown = ", ".join(f"{code} {value}" for code, value in sorted(probabilities.items()))
    return Table(
        name="programme_summary",
        title="Programme summary: savings target, plan and risk-adjusted delivery",
        columns=columns,
        rows=tuple(table_rows),
        notes=(
            ROUNDING_NOTE,
            f"Delivery probability by RAG: {shown} ({probabilities_label}).",
            f"Range: 10th to 90th percentile of {draws:,} simulated outcomes (seed {seed}); "
            "each line is delivered in full or not at all.",
            "A shortfall against the target is shown as a positive figure in its own row, as is "
            "expected delivery above the target: neither is ever shown in brackets.",
        ),
    )


def demand_report(reference: str, title: str, track: Sequence[DemandMonth]) -> Table:
    columns = (
        Column("Period"),
        Column("Data hash"),
        _money("Promised by the scenario"),
        _money("Implied by the latest data"),
        _money("Difference"),
    )
    rows = tuple(
        Row((str(m.period), m.data_hash[:12], m.promised, m.implied, m.difference)) for m in track
    )
    return Table(
        name="demand_" + re.sub(r"[^A-Za-z0-9_-]", "_", reference),
        title=f"Demand-led saving {reference}: {title}",
        columns=columns,
        rows=rows,
        notes=(
            ROUNDING_NOTE,
            "Each month the demand model behind the evidence is re-run on the latest data: "
            "implied = the baseline cost as promised less the placements so far (actual) and "
            "the scenario's forecast for the rest of the year. A negative difference means the "
            "data now support less than the scenario promised. The implied figure also carries "
            "any error in the baseline forecast itself (demand that differs from the baseline "
            "for other reasons), so read it with the placement numbers.",
        ),
        meta={"reference": reference},
    )


def gross_offset_net_report(
    rows: Sequence[GrossOffsetNetYear],
    baselines: Sequence[DemandBaseline],
    period: MonitoringPeriod,
    meta: Mapping[str, str] | None = None,
) -> Table:
    """Gross savings, the demand growth they absorb and the net change in spend, by year."""
    columns = (Column("Measure"), *(_money(str(row.year)) for row in rows))
    table_rows = [
        Row(("Gross savings delivered (achieved or forecast)", *(row.result.gross for row in rows)))
    ]
    for index, baseline in enumerate(baselines):
        label = f"Demand growth absorbed: {baseline.label} ({', '.join(baseline.references)})"
        table_rows.append(Row((label, *(_or_na(row.growth[index]) for row in rows))))
    table_rows += [
        Row(("Offsets recorded in monitoring (offset by demand)", *(row.recorded for row in rows))),
        Row(("Total offset", *(row.result.offset for row in rows)), RowKind.SUBTOTAL),
        Row(("Net saving (gross less offset)", *(row.result.net for row in rows)), RowKind.TOTAL),
        Row(("Net change in spend (negative: spend falls)", *(row.spend_change for row in rows))),
    ]
    bases = "; ".join(f"{b.label}: growth over {b.base_year}" for b in baselines)
    return Table(
        name="gross_offset_net",
        title=f"Gross savings, demand growth absorbed and net change in spend, at {period}",
        columns=columns,
        rows=tuple(table_rows),
        notes=(
            ROUNDING_NOTE,
            "Gross: each line's in-year saving from its latest monitoring forecast for the "
            "year, else its planned in-year saving.",
            "Demand growth absorbed: the demand models' baseline cost (the evidence attached to "
            "the lines) less its base year's; a baseline several lines use is counted once. "
            + (bases + "." if bases else "No line has demand-model evidence."),
            "Offsets recorded in monitoring are officers' entries: where one describes the same "
            "pressure as a model's growth, read them together. n/a: the model does not forecast "
            "that year.",
        ),
        meta={**(meta or {}), "period": str(period)},
    )


def _or_na(value: Decimal | None) -> Decimal | str:
    return "n/a" if value is None else value


@cached("monitoring_tables")
def monitoring_tables(plan: Any, period: MonitoringPeriod) -> dict[str, Table]:
    """The monitoring page's tables for ``plan`` at ``period``, by name: the summary, the lines
    at risk, the risk-adjusted programme summary (all from the plan and ratings as they stood
    at the period's end), each demand-led line's monthly track, and gross savings against the
    demand growth they absorb."""
    from csplan.monitoring import store
    from csplan.monitoring.offsets import gross_offset_net_for
    from csplan.monitoring.risk import DEFAULT_DRAWS, DEFAULT_SEED
    from csplan.monitoring.summary import at_risk_lines

    figures, _dated = store.figures_at(plan, period)  # the plan as it stood at the period end
    positions = store.positions_for(plan, period, figures.lines)
    probabilities, rows = store.risk_adjusted_for(plan, period=period, figures=figures)
    tables = {
        "summary": summary_report(store.monitoring_summary_for(plan, period, figures), period),
        "at_risk": at_risk_report(at_risk_lines(positions), period),
        "risk": risk_report(
            rows,
            probabilities.described,
            probabilities.as_decimals(),
            draws=DEFAULT_DRAWS,
            seed=DEFAULT_SEED,
        ),
    }
    for evidence in store.demand_lines(plan):
        track = [m for m in store.demand_track(evidence, period.year) if m.period <= period]
        table = demand_report(evidence.line.reference, evidence.title, track)
        tables[table.name] = table
    gross, baselines = gross_offset_net_for(plan, period)
    tables["gross_offset_net"] = gross_offset_net_report(gross, baselines, period)
    return tables
