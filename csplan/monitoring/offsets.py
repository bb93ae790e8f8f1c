"""Gross savings, the demand growth they absorb and the net change in spend, for a plan.

- **gross**: each line's in-year saving for a year from its latest monitoring record up to the
  period that forecasts that year (achieved or anticipated), else its planned in-year saving;
- **demand growth absorbed**: the baseline cost in the evidence of the demand models (children
  looked after, SEND, levels of need) less its base year's; one baseline used by several lines
  is counted once. A baseline's base year is the year its data end in when the evidence says
  so (``base_year``/``base_cost``), else its first costed year (so its growth starts there);
- **offsets recorded**: "offset by demand" movements in the journal up to the period;
- **net** = gross - offset; the net change in spend is its negative.

The calculation itself is ``movements.gross_offset_net_by_year``; this module gathers the
figures from the store.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery

from csplan.core.money import ZERO, to_decimal
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.evidence.models import Evidence
from csplan.monitoring import movements
from csplan.monitoring.models import MonitoringRecord, amounts_from_json
from csplan.monitoring.store import movements_between
from csplan.programme.models import Plan
from csplan.programme.store import line_figures

DEMAND_KINDS = (
    Evidence.Kind.DEMAND_SCENARIO,
    Evidence.Kind.SEND_SCENARIO,
    Evidence.Kind.NEEDS_SCENARIO,
)


def gross_by_year(plan: Plan, period: MonitoringPeriod) -> dict[FinancialYear, Decimal]:
    """The programme's gross in-year savings by year, as known at ``period``."""
    years = plan.years
    records = MonitoringRecord.objects.filter(line__plan=plan).order_by("year", "month")
    latest: dict[tuple[int, FinancialYear], Decimal] = {}
    for record in records:
        if record.period > period:
            continue
        for year, amount in record.forecast_by_year().items():
            latest[(record.line_id, year)] = amount
    total = dict.fromkeys(years, ZERO)
    for line in plan.lines.prefetch_related("phasing"):
        planned = line_figures(line).in_place(years)
        for year in years:
            total[year] += latest.get((line.id, year), planned[year])
    return total


def recorded_offsets(plan: Plan, period: MonitoringPeriod) -> dict[FinancialYear, Decimal]:
    result: dict[FinancialYear, Decimal] = {}
    for entry in movements_between(plan, None, period):
        if entry.kind == movements.MovementKind.DEMAND_OFFSET:
            year = FinancialYear(entry.from_year)
            result[year] = result.get(year, ZERO) + entry.amount
    return result


def _label(evidence: Evidence) -> str:
    p = evidence.parameters
    if evidence.kind == Evidence.Kind.SEND_SCENARIO:
        name = p.get("area", {}).get("name", "")
        what = {
            "transport": "SEN home-to-school transport",
            "placements": "SEN placements",
            "both": "SEN placements and transport",
        }.get(p.get("measure"), "SEND")
        return f"{what} (EHC plan model, {name})"
    if evidence.kind == Evidence.Kind.NEEDS_SCENARIO and p.get("costing") == "cla_model":
        return "Children looked after placements (children-looked-after model)"
    if evidence.kind == Evidence.Kind.NEEDS_SCENARIO:
        return "Children looked after (levels-of-need model, average weekly cost)"
    return "Children looked after placements (children-looked-after model)"


def _key(evidence: Evidence) -> str:
    """What makes two evidence records share a baseline: the data and the baseline cost."""
    p = evidence.parameters
    data = p.get("cla_data_hash") or evidence.data_hash
    if evidence.kind == Evidence.Kind.SEND_SCENARIO:
        data = f"send:{p.get('measure')}:{evidence.data_hash}"
    text = json.dumps([data, p.get("baseline_cost")], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _baseline(evidence: Evidence) -> movements.DemandBaseline | None:
    p = evidence.parameters
    costs = p.get("baseline_cost")
    if not isinstance(costs, dict) or not costs:
        return None
    by_year = amounts_from_json(costs)
    if p.get("base_year") and p.get("base_cost") is not None:
        base_year, base_cost = FinancialYear.parse(p["base_year"]), to_decimal(p["base_cost"])
    else:
        base_year = min(by_year)
        base_cost = by_year[base_year]
    return movements.DemandBaseline(
        _key(evidence), _label(evidence), (evidence.line.reference,), by_year, base_year, base_cost
    )


def demand_baselines(plan: Plan, by: date | None = None) -> list[movements.DemandBaseline]:
    """The baselines of each line's latest demand-model evidence, one per distinct baseline;
    with ``by``, only the evidence in effect by the end of that day (a past month's figures
    use the evidence they had, not what was attached later)."""
    latest: dict[tuple[int, str], Evidence] = {}
    found = Evidence.objects.filter(line__plan=plan, kind__in=DEMAND_KINDS).select_related("line")
    if by is not None:
        found = _in_effect_by(found, by)
    for evidence in found.order_by("created_at", "id"):
        latest[(evidence.line_id, evidence.kind)] = evidence
    merged: dict[str, movements.DemandBaseline] = {}
    for evidence in sorted(latest.values(), key=lambda e: (e.line.position, e.id)):
        baseline = _baseline(evidence)
        if baseline is None:
            continue
        known = merged.get(baseline.key)
        if known is None:
            merged[baseline.key] = baseline
        elif evidence.line.reference not in known.references:
            merged[baseline.key] = _merged(known, baseline, evidence)
    return list(merged.values())


def _in_effect_by(found: QuerySet[Evidence], day: date) -> QuerySet[Evidence]:
    """The evidence whose attaching took effect by ``day`` (the effective date of its first
    history record; evidence with no history is taken as always in effect)."""
    attached = Evidence.history.filter(id=OuterRef("pk"), history_type="+").order_by("history_date")
    return found.annotate(in_effect_from=Subquery(attached.values("effective")[:1])).filter(
        Q(in_effect_from__lte=day) | Q(in_effect_from__isnull=True)
    )


def _merged(
    known: movements.DemandBaseline, other: movements.DemandBaseline, evidence: Evidence
) -> movements.DemandBaseline:
    """One baseline for two lines: the earlier base year where one evidence knows it."""
    chosen = other if other.base_year < known.base_year else known
    return replace(chosen, references=(*known.references, evidence.line.reference))


def gross_offset_net_for(
    plan: Plan, period: MonitoringPeriod, years: Iterable[FinancialYear] | None = None
) -> tuple[list[movements.GrossOffsetNetYear], list[movements.DemandBaseline]]:
    baselines = demand_baselines(plan, period.last_day)
    rows = movements.gross_offset_net_by_year(
        list(years or plan.years),
        gross_by_year(plan, period),
        baselines,
        recorded_offsets(plan, period),
    )
    return rows, baselines
