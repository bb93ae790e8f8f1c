"""The committee pack as data: chosen tables (``Table``) and charts for one monitoring period.

``build_pack`` gathers everything from the domain modules; the renderers in
``csplan.pack.render`` turn the result into HTML, PDF and XLSX, and ``csplan.pack.store``
freezes a published pack. Tests assert on this data, not on rendered files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from csplan.core.charts.bars import COLOURS, Chart, Series, grouped_bars, line_chart, stacked_bars
from csplan.core.money import ZERO, Unit
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.core.table import Cell, Column, ColumnKind, Row, RowKind, Table
from csplan.investment import reports as investment_reports
from csplan.investment.calculations import capital_receipts_strategy
from csplan.investment.store import case_figures, cases_for
from csplan.monitoring import reports as monitoring_reports
from csplan.monitoring import store as monitoring
from csplan.monitoring.risk import DEFAULT_DRAWS, DEFAULT_SEED, RiskYear
from csplan.monitoring.summary import at_risk_lines, rag_counts
from csplan.programme import reports as programme_reports
from csplan.programme.asat import AsAtError
from csplan.programme.baseline import BaselineError, movements_between_days, plan_baseline
from csplan.programme.models import Plan

# The tables a pack can hold, in the order they appear.
TABLES: dict[str, str] = {
    "programme_summary": "Programme summary: target, plan and risk-adjusted delivery",
    "targets": "Savings target and proposals by year",
    "baseline": "Approved and current savings by year, with the reconciliation",
    "workstreams": "Workstreams and savings target",
    "proposals": "Proposals appendix",
    "monitoring_summary": "Monitoring summary by workstream",
    "at_risk": "Savings at risk, with mitigation",
    "movements": "Movements since the last pack, reconciling the headline figures",
    "demand": "Demand-led savings: promised against the latest data",
    "gross_offset_net": "Gross savings, demand growth absorbed and net change in spend",
    "equality": "Equality annex: impact on the protected characteristics",
    "investment": "Invest-to-save cases",
}
ROUNDING_NOTE = programme_reports.ROUNDING_NOTE


class PackError(ValueError):
    pass


@dataclass(frozen=True)
class PackCover:
    """The pack's cover, filled in by the officer before publishing: which committee, when,
    whose report, what it is for and what the committee is asked to do."""

    committee: str
    meeting_date: date
    author_role: str
    purpose: str
    recommendations: tuple[str, ...]

    def problems(self) -> dict[str, str]:
        """What is missing, by field: every part of a cover must be filled in."""
        missing = {
            "committee": "Enter the committee",
            "author_role": "Enter the report author's role",
            "purpose": "Enter the purpose of the report",
        }
        found = {name: text for name, text in missing.items() if not getattr(self, name).strip()}
        if not any(text.strip() for text in self.recommendations):
            found["recommendations"] = "Enter at least one recommendation"
        return found

    def to_json(self) -> dict[str, Any]:
        return {
            "committee": self.committee,
            "meeting_date": self.meeting_date.isoformat(),
            "author_role": self.author_role,
            "purpose": self.purpose,
            "recommendations": list(self.recommendations),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> PackCover | None:
        if not data:
            return None
        return cls(
            committee=data["committee"],
            meeting_date=date.fromisoformat(data["meeting_date"]),
            author_role=data["author_role"],
            purpose=data["purpose"],
            recommendations=tuple(data["recommendations"]),
        )


@dataclass(frozen=True)
class PackData:
    council: str
    plan: str
    department: str
    period: MonitoringPeriod
    since: MonitoringPeriod | None  # movements are shown after this (the last pack's period)
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    cover: PackCover | None = None  # the committee cover, given when the pack is published

    @property
    def title(self) -> str:
        period = self.period
        return f"{self.department} savings programme: {period.label} {period.year} monitoring"

    def table(self, name: str) -> Table:
        return next(table for table in self.tables if table.name == name)


def chosen(tables: Sequence[str] | None) -> list[str]:
    if not tables:
        return list(TABLES)
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise PackError(f"unknown table {', '.join(unknown)}: choose from {', '.join(TABLES)}")
    return [name for name in TABLES if name in tables]


def build_pack(
    plan: Plan,
    period: MonitoringPeriod,
    tables: Sequence[str] | None = None,
    *,
    since: MonitoringPeriod | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> PackData:
    """The pack for ``period``; ``since`` is the period of the last published pack."""
    if period.year not in plan.years:
        raise PackError(f"{period.year} is not one of the programme's years")
    names = chosen(tables)
    context = _Context(plan, period, since, draws, seed)
    built: list[Table] = []
    for name in names:
        built.extend(_BUILDERS[name](context))
    dated = (
        f"Everything in this pack is as it stood at the end of {period} "
        f"({period.last_day:%-d %B %Y}): the lines, their phasing, ratings and explanations."
        if context.dated
        else "The plan's records start after this period, so its lines and phasing are shown "
        "as they stand today."
    )
    return PackData(
        council=plan.council.name,
        plan=plan.name,
        department=plan.department,
        period=period,
        since=since,
        tables=tuple(built),
        charts=tuple(context.charts()),
        notes=(
            ROUNDING_NOTE,
            "Figures are in £'000 unless stated; negative figures are shown in brackets.",
            "Financial years run from 1 April to 31 March.",
            dated,
        ),
    )


class _Context:
    """What the table builders share, computed once."""

    def __init__(
        self,
        plan: Plan,
        period: MonitoringPeriod,
        since: MonitoringPeriod | None,
        draws: int,
        seed: int,
    ) -> None:
        self.plan, self.period, self.since = plan, period, since
        self.draws, self.seed = draws, seed
        # The plan as it stood at the end of the period: a pack is true for its month.
        self.programme, self.dated = monitoring.figures_at(plan, period)
        self.positions = monitoring.positions_for(plan, period, self.programme.lines)
        self._risk: tuple[Any, list[RiskYear]] | None = None
        self.extra_charts: list[Chart] = []  # charts that go with a chosen table

    @property
    def risk(self) -> tuple[Any, list[RiskYear]]:
        if self._risk is None:
            self._risk = monitoring.risk_adjusted_for(
                self.plan,
                draws=self.draws,
                seed=self.seed,
                period=self.period,
                figures=self.programme,
            )
        return self._risk

    def charts(self) -> list[Chart]:
        charts = [gap_chart(self.risk[1]), trajectory_chart(self.plan, self.period),
                  rag_chart(self), fan_chart(self.risk[1])]  # fmt: skip
        return charts + demand_fan_charts(self.plan, self.period) + self.extra_charts


def _programme_summary(context: _Context) -> list[Table]:
    probabilities, rows = context.risk
    return [
        monitoring_reports.risk_report(
            rows,
            probabilities.described,
            probabilities.as_decimals(),
            draws=context.draws,
            seed=context.seed,
        )
    ]


def _monitoring_summary(context: _Context) -> list[Table]:
    summary = monitoring.monitoring_summary_for(context.plan, context.period, context.programme)
    return [monitoring_reports.summary_report(summary, context.period)]


def _at_risk(context: _Context) -> list[Table]:
    return [monitoring_reports.at_risk_report(at_risk_lines(context.positions), context.period)]


def _movements(context: _Context) -> list[Table]:
    entries = monitoring.movements_between(context.plan, context.since, context.period)
    journal = monitoring_reports.movements_report(entries, context.since, context.period)
    headline = _headline_reconciliation(context)
    return [journal] if headline is None else [journal, headline]


def _headline_reconciliation(context: _Context) -> Table | None:
    """The last published pack's headline (savings planned by year) + each movement since =
    this pack's; with no pack before, from the approved baseline (none without one)."""
    period, since, plan = context.period, context.since, context.plan
    if since is not None:
        start, _dated = monitoring.figures_at(plan, since)
        start_day, start_label = since.last_day, f"Last published pack ({since})"
    else:
        try:
            baseline = plan_baseline(plan)
        except (BaselineError, AsAtError):
            return None
        start, start_day = baseline.approved, baseline.approval.date
        start_label = f"Approved ({baseline.approval.label})"
    effects = movements_between_days(plan, start_day, period.last_day, context.programme)
    rows = programme_reports.reconciliation_rows(
        start_label, start, f"This pack ({period})", context.programme, effects
    )
    years = context.programme.years
    explained = not any(row.cells[0] == programme_reports.OTHER_CHANGES_LABEL for row in rows)
    return Table(
        name="movements_reconciliation",
        title=f"Savings planned by year: {start_label.split(' (')[0].lower()} to this pack",
        columns=(
            Column("Item"),
            *(Column(str(year), ColumnKind.MONEY, Unit.THOUSANDS, 0) for year in years),
        ),
        rows=tuple(rows),
        notes=(
            ROUNDING_NOTE,
            "Savings planned: the saving in place in each year (cumulative), as in the "
            "programme summary. Each movement counts with the change it made to its line.",
            "Every change since is in the movements journal."
            if explained
            else "Other changes: edits not recorded as movements.",
        ),
        meta={"since": str(since) if since else "", "upto": str(period)},
    )


def _baseline(context: _Context) -> list[Table]:
    """Approved and current (at the period's end) side by side, and the reconciliation."""
    try:
        baseline = plan_baseline(context.plan, as_at=context.period.last_day)
    except (BaselineError, AsAtError) as error:
        return [_empty("baseline", TABLES["baseline"], str(error))]
    return [
        programme_reports.baseline_report(baseline),
        programme_reports.reconciliation_report(
            baseline, current_label=f"Current at the end of {context.period}"
        ),
    ]


def _demand(context: _Context) -> list[Table]:
    return [
        monitoring_reports.demand_report(
            evidence.line.reference,
            evidence.title,
            [
                month
                for month in monitoring.demand_track(evidence, context.period.year)
                if month.period <= context.period
            ],
        )
        for evidence in monitoring.demand_lines(context.plan)
    ]


def _gross_offset_net(context: _Context) -> list[Table]:
    from csplan.monitoring.offsets import gross_offset_net_for

    rows, baselines = gross_offset_net_for(context.plan, context.period)
    context.extra_charts.append(gross_offset_net_chart(rows))
    return [monitoring_reports.gross_offset_net_report(rows, baselines, context.period)]


def _equality(context: _Context) -> list[Table]:
    from csplan.cases.reports import equality_annex

    references = {line.reference for line in context.programme.lines}
    return list(equality_annex(context.plan, references))


def _investment(context: _Context) -> list[Table]:
    cases = cases_for(context.plan.council)
    if not cases:
        return [_empty("investment", TABLES["investment"], "No invest-to-save cases recorded.")]
    figures = [case_figures(case) for case in cases]
    tables = [
        investment_reports.case_report(f, note=case.savings_note)
        for f, case in zip(figures, cases, strict=True)
    ]
    years = sorted({year for f in figures for year in f.years})
    strategy = capital_receipts_strategy(figures, years)
    if strategy:
        tables.append(investment_reports.strategy_report(strategy, years))
    return tables


def _empty(name: str, title: str, message: str) -> Table:
    return Table(name=name, title=title, columns=(Column(""),), rows=(Row((message,)),))


_BUILDERS = {
    "programme_summary": _programme_summary,
    "targets": lambda c: [programme_reports.targets_report(c.programme)],
    "baseline": _baseline,
    "workstreams": lambda c: [programme_reports.workstream_report(c.programme)],
    "proposals": lambda c: [programme_reports.proposals_report(c.programme)],
    "monitoring_summary": _monitoring_summary,
    "at_risk": _at_risk,
    "movements": _movements,
    "demand": _demand,
    "gross_offset_net": _gross_offset_net,
    "equality": _equality,
    "investment": _investment,
}


# --- charts ------------------------------------------------------------------------------


def gap_chart(rows: Sequence[RiskYear]) -> Chart:
    labels = [str(row.year) for row in rows]
    closing = "; ".join(
        f"{row.year}: target £{_m(row.target)}m, planned £{_m(row.planned)}m, "
        f"expected £{_m(row.expected)}m"
        for row in rows
    )
    return grouped_bars(
        "gap",
        "The MTFS savings gap closing by year",
        f"Savings target against savings planned and expected (risk-adjusted). {closing}.",
        labels,
        [
            Series("Target", [row.target for row in rows], COLOURS["grey"]),
            Series("Planned", [row.planned for row in rows], COLOURS["blue"]),
            Series("Expected (risk-adjusted)", [row.expected for row in rows], COLOURS["green"]),
        ],
    )


def gross_offset_net_chart(rows: Sequence[Any]) -> Chart:
    """Gross savings, the demand growth they absorb and the net saving, by year."""
    words = "; ".join(
        f"{r.year}: gross £{_m(r.result.gross)}m, offset £{_m(r.result.offset)}m, net "
        f"£{_m(r.result.net)}m"
        for r in rows
    )
    return grouped_bars(
        "gross_offset_net",
        "Gross savings, demand growth absorbed and net saving",
        f"Savings delivered before demand, the demand growth they absorb and what the budget "
        f"sees. {words}. A net saving below zero (not drawn) means spend rises.",
        [str(r.year) for r in rows],
        [
            Series("Gross savings", [r.result.gross for r in rows], COLOURS["blue"]),
            Series("Demand growth absorbed", [r.result.offset for r in rows], COLOURS["amber"]),
            Series("Net saving", [r.result.net for r in rows], COLOURS["green"]),
        ],
    )


def trajectory_chart(plan: Plan, period: MonitoringPeriod) -> Chart:
    months = [MonitoringPeriod(period.year, n) for n in range(1, period.number + 1)]
    proposed, anticipated, achieved = [], [], []
    for month in months:
        figures, _dated = monitoring.figures_at(plan, month)
        positions = monitoring.positions_for(plan, month, figures.lines)
        proposed.append(sum((p.proposed for p in positions), ZERO))
        anticipated.append(sum((p.anticipated for p in positions), ZERO))
        achieved.append(sum((p.achieved_to_date for p in positions), ZERO))
    description = (
        f"In {period.year} the in-year savings target is £{_m(proposed[-1])}m at "
        f"{period.label}; £{_m(anticipated[-1])}m is achieved or anticipated and "
        f"£{_m(achieved[-1])}m achieved to date."
    )
    return line_chart(
        "trajectory",
        f"Savings trajectory against target, {period.year}",
        description,
        [f"M{m.number}" for m in months],
        [
            Series("Target (proposed)", proposed, COLOURS["grey"]),
            Series("Achieved or anticipated", anticipated, COLOURS["blue"]),
            Series("Achieved to date", achieved, COLOURS["green"]),
        ],
    )


def rag_chart(context: _Context) -> Chart:
    key = context.programme.rag_key or ()
    codes = [(entry["code"], entry.get("label", entry["code"])) for entry in key]
    counts = rag_counts(context.positions, [code for code, _ in codes])
    order = [w.name for w in context.programme.workstreams if w.name in counts]
    ordered = {name: counts[name] for name in order}
    totals = {code: sum(c.get(code, 0) for c in counts.values()) for code, _ in codes}
    words = ", ".join(f"{totals[code]} {label}" for code, label in codes)
    return stacked_bars(
        "rag",
        f"Delivery confidence (RAG) by workstream, {context.period}",
        f"Number of savings lines by RAG rating: {words}.",
        ordered,
        codes,
    )


def fan_chart(rows: Sequence[RiskYear]) -> Chart:
    labels = [str(row.year) for row in rows]
    return line_chart(
        "fan",
        "Risk-adjusted delivery: expected and 10th-90th percentile range",
        "Expected delivery of savings by year with the simulated range, against the target. "
        + "; ".join(
            f"{r.year}: expected £{_m(r.expected)}m (range £{_m(r.range.p10)}m to "
            f"£{_m(r.range.p90)}m), target £{_m(r.target)}m"
            for r in rows
        )
        + ".",
        labels,
        [
            Series("Target", [row.target for row in rows], COLOURS["grey"]),
            Series("Expected", [row.expected for row in rows], COLOURS["blue"]),
        ],
        band=([r.range.p10 for r in rows], [r.range.p90 for r in rows], "10th-90th percentile"),
    )


def _latest_demand_fans(plan: Plan, period: MonitoringPeriod) -> list[Any]:
    """The placement-group fans of the latest stored demand forecast a Month N pack could
    have had: on the plan's council's returns (or returns of no stated council) that end by
    the period's last day. None until the demand pages have made one."""
    from django.db.models import Q

    from csplan.forecasts.models import ForecastRun
    from csplan.forecasts.services import fans

    run = (
        ForecastRun.objects.filter(
            Q(dataset__council=plan.council_id) | Q(dataset__council__isnull=True),
            dataset__last_date__lte=period.last_day,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    return fans(run) if run is not None else []


def demand_fan_charts(plan: Plan, period: MonitoringPeriod, limit: int = 1) -> list[Chart]:
    """The demand fan chart (actual children looked after, then the p10-p90 forecast) for the
    all-placements group if there is one, else the first group."""
    groups = _latest_demand_fans(plan, period)
    if not groups:
        return []
    from csplan.core.charts.fan import fan_chart_svg

    groups.sort(key=lambda fan: fan.group not in ("all", "total"))
    charts = []
    for fan in groups[:limit]:
        final = fan.forecast[-1] if fan.forecast else None
        everyone = fan.group in ("all", "total")
        subject = (
            "children looked after" if everyone else f"children looked after in {fan.label.lower()}"
        )
        description = f"{subject[:1].upper()}{subject[1:]}: actual numbers" + (
            f", then a forecast to {final.month:%B %Y} with a median of {final.p50:,.0f} and a "
            f"range of {final.p10:,.0f} to {final.p90:,.0f} (10th to 90th percentile)."
            if final
            else "."
        )
        title = f"Demand forecast: {subject}"
        svg = fan_chart_svg(
            chart_id=f"demand-{fan.group}",
            title=title,
            description=description,
            actuals=fan.actuals,
            forecast=fan.forecast,
        )
        charts.append(Chart(f"demand-{fan.group}", title, description, svg))
    return charts


def _m(pounds: Decimal) -> str:
    from csplan.core.money import format_amount

    return format_amount(pounds, Unit.MILLIONS, 1)


# --- freezing ------------------------------------------------------------------------------


def _cell_to_json(cell: Cell) -> Any:
    if cell is None:
        return None
    if isinstance(cell, Decimal):
        return {"d": format(cell, "f")}
    return {"s": cell}


def _cell_from_json(value: Any) -> Cell:
    if value is None:
        return None
    return Decimal(value["d"]) if "d" in value else value["s"]


def table_to_json(table: Table) -> dict[str, Any]:
    """Exact (unrounded) table data, so a frozen pack can be read back and re-rendered."""
    return {
        "name": table.name,
        "title": table.title,
        "columns": [
            {
                "heading": c.heading,
                "kind": c.kind.value,
                "unit": c.unit.name if c.unit else None,
                "places": c.places,
            }
            for c in table.columns
        ],
        "rows": [
            {"kind": row.kind.value, "cells": [_cell_to_json(cell) for cell in row.cells]}
            for row in table.rows
        ],
        "notes": list(table.notes),
        "meta": dict(table.meta),
    }


def table_from_json(data: dict[str, Any]) -> Table:
    return Table(
        name=data["name"],
        title=data["title"],
        columns=tuple(
            Column(
                c["heading"],
                ColumnKind(c["kind"]),
                Unit[c["unit"]] if c["unit"] else None,
                c["places"],
            )  # fmt: skip
            for c in data["columns"]
        ),
        rows=tuple(
            Row(tuple(_cell_from_json(cell) for cell in row["cells"]), RowKind(row["kind"]))
            for row in data["rows"]
        ),
        notes=tuple(data["notes"]),
        meta=dict(data["meta"]),
    )


def pack_to_json(pack: PackData) -> dict[str, Any]:
    return {
        "council": pack.council,
        "plan": pack.plan,
        "department": pack.department,
        "period": {"year": str(pack.period.year), "month": pack.period.number},
        "since": {"year": str(pack.since.year), "month": pack.since.number} if pack.since else None,
        "tables": [table_to_json(table) for table in pack.tables],
        "charts": [
            {"name": c.name, "title": c.title, "description": c.description, "svg": c.svg}
            for c in pack.charts
        ],
        "notes": list(pack.notes),
        **({"cover": pack.cover.to_json()} if pack.cover else {}),
    }


def _period(data: dict[str, Any] | None) -> MonitoringPeriod | None:
    if data is None:
        return None
    return MonitoringPeriod(FinancialYear.parse(data["year"]), data["month"])


def pack_from_json(data: dict[str, Any]) -> PackData:
    period = _period(data["period"])
    assert period is not None
    return PackData(
        council=data["council"],
        plan=data["plan"],
        department=data["department"],
        period=period,
        since=_period(data["since"]),
        tables=tuple(table_from_json(t) for t in data["tables"]),
        charts=tuple(Chart(**c) for c in data["charts"]),
        notes=tuple(data["notes"]),
        cover=PackCover.from_json(data.get("cover")),
    )
