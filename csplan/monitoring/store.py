"""Reading and writing monitoring: every write is one transaction and names the user, so the
change history records who changed what.

Movements that change a line's phasing go through ``csplan.programme.store.update_line``, in
the same transaction as the journal entry, so the line's own history shows the change too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from csplan.core.history import effective_on
from csplan.core.history import recording_user as _user
from csplan.core.history import save_recorded as _save
from csplan.core.money import ZERO, to_pence
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.evidence.models import Evidence
from csplan.monitoring import demand_check, movements, risk
from csplan.monitoring.models import (
    DemandRerun,
    MonitoringRecord,
    Movement,
    RagProbabilitySet,
    Recurrence,
    amounts_to_json,
)
from csplan.monitoring.summary import LinePosition, MonitoringSummary, monitoring_summary
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.models import Council, Plan, SavingsLine
from csplan.programme.phasing import to_cumulative
from csplan.programme.store import line_figures, programme_figures, update_line


class MonitoringValidationError(ValueError):
    """Input that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


def planned_in_year(line: SavingsLine, year: FinancialYear) -> Decimal:
    """The line's in-year saving for ``year`` from its current (incremental) phasing."""
    return line_figures(line).in_place(line.plan.years)[year]


def _validate_record(
    line: SavingsLine,
    rag: str,
    forecast: Mapping[FinancialYear, Decimal],
    achieved_to_date: Decimal,
    mitigation_amount: Decimal,
    mitigation_recurrence: str,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    codes = {entry.get("code") for entry in line.plan.council.rag_key or ()}
    if rag not in codes:
        errors["rag"] = f"Choose a RAG rating from the council's key ({', '.join(sorted(codes))})"
    years = set(line.plan.years)
    for year, amount in forecast.items():
        if year not in years:
            errors[f"forecast_{year.start}"] = f"{year} is not one of the programme's years"
        elif amount * 100 != (amount * 100).to_integral_value():
            errors[f"forecast_{year.start}"] = f"Enter the {year} forecast to the nearest penny"
    if achieved_to_date * 100 != (achieved_to_date * 100).to_integral_value():
        errors["achieved_to_date"] = "Enter the amount achieved to the nearest penny"
    if mitigation_amount < 0:
        errors["mitigation_amount"] = "Mitigation cannot be negative"
    if mitigation_recurrence not in Recurrence.values:
        errors["mitigation_recurrence"] = "Choose one-off or recurrent mitigation"
    return errors


@transaction.atomic
def record_monitoring(
    line: SavingsLine,
    period: MonitoringPeriod,
    *,
    rag: str,
    forecast: Mapping[FinancialYear, Decimal],
    achieved_to_date: Decimal = ZERO,
    commentary: str = "",
    explanation: str = "",
    mitigation: str = "",
    mitigation_amount: Decimal = ZERO,
    mitigation_recurrence: str = Recurrence.ONE_OFF,
    user: Any = None,
) -> MonitoringRecord:
    """Record (or correct) a line's position for ``period``. The line's RAG follows its latest
    monitoring record. The record and the re-rating take effect at the end of the month."""
    with effective_on(period.last_day):
        return _record_monitoring(
            line,
            period,
            rag=rag,
            forecast=forecast,
            achieved_to_date=achieved_to_date,
            commentary=commentary,
            explanation=explanation,
            mitigation=mitigation,
            mitigation_amount=mitigation_amount,
            mitigation_recurrence=mitigation_recurrence,
            user=user,
        )


def _record_monitoring(
    line: SavingsLine,
    period: MonitoringPeriod,
    *,
    rag: str,
    forecast: Mapping[FinancialYear, Decimal],
    achieved_to_date: Decimal,
    commentary: str,
    explanation: str,
    mitigation: str,
    mitigation_amount: Decimal,
    mitigation_recurrence: str,
    user: Any,
) -> MonitoringRecord:
    line = (
        SavingsLine.objects.select_for_update().select_related("plan__council").get(pk=line.pk)
    )  # fresh: the caller's copy may hold phasing from before a movement
    errors = _validate_record(
        line, rag, forecast, achieved_to_date, mitigation_amount, mitigation_recurrence
    )
    if errors:
        raise MonitoringValidationError(errors)
    record = MonitoringRecord.objects.filter(
        line=line, year=period.year.start, month=period.number
    ).first() or MonitoringRecord(line=line, year=period.year.start, month=period.number)
    record.rag = rag
    record.target_pence = to_pence(planned_in_year(line, period.year))
    record.forecast = amounts_to_json(dict(forecast))
    record.achieved_to_date_pence = to_pence(achieved_to_date)
    record.mitigation_pence = to_pence(mitigation_amount)
    record.mitigation_recurrence = mitigation_recurrence
    record.commentary, record.explanation, record.mitigation = commentary, explanation, mitigation
    record.recorded_by = _user(user)
    _save(record, user, f"Monitoring {period}")
    latest = line.monitoring.order_by("-year", "-month").first()
    if latest == record and line.rag != rag:
        figures = replace(line_figures(line), rag=rag)
        update_line(line, figures, user=_user(user), reason=f"RAG re-rated at {period}")
    return record


def spec_of(movement: Movement) -> movements.MovementSpec:
    return movements.MovementSpec(
        kind=movements.MovementKind(movement.kind),
        amount=movement.amount,
        year=FinancialYear(movement.from_year),
        to_year=FinancialYear(movement.to_year) if movement.to_year else None,
        recurrence=movement.recurrence,
        decision_reference=movement.decision_reference,
    )


def journal_entry(
    line: SavingsLine,
    spec: movements.MovementSpec,
    period: MonitoringPeriod,
    before: Mapping[FinancialYear, Decimal],
    after: Mapping[FinancialYear, Decimal],
    *,
    reason: str = "",
    replaces: Movement | None = None,
    user: Any = None,
) -> Movement:
    """Write one entry of the movements journal (the caller changes the line to match)."""
    movement = Movement(
        line=line,
        kind=spec.kind.value,
        year=period.year.start,
        month=period.number,
        from_year=spec.year.start,
        to_year=spec.destination.start if spec.destination else None,
        amount_pence=to_pence(spec.amount),
        recurrence=spec.recurrence,
        decision_reference=spec.decision_reference.strip(),
        replaces=replaces,
        reason=reason,
        phasing_before=amounts_to_json(dict(before)),
        phasing_after=amounts_to_json(dict(after)),
        created_by=_user(user),
    )
    _save(movement, user, reason)
    return movement


@transaction.atomic
def apply_movement(
    line: SavingsLine,
    spec: movements.MovementSpec,
    period: MonitoringPeriod,
    *,
    reason: str = "",
    replaces: Movement | None = None,
    user: Any = None,
) -> Movement:
    """Write ``spec`` to the journal and, if it changes phasing, change the line to match.

    Both take effect at the end of ``period`` (the monitoring month the movement belongs to)."""
    with effective_on(period.last_day):
        return _apply_movement(line, spec, period, reason=reason, replaces=replaces, user=user)


def _apply_movement(
    line: SavingsLine,
    spec: movements.MovementSpec,
    period: MonitoringPeriod,
    *,
    reason: str,
    replaces: Movement | None,
    user: Any,
) -> Movement:
    current = (
        SavingsLine.objects.select_for_update().select_related("plan__council").get(pk=line.pk)
    )
    years = current.plan.years
    before = dict(line_figures(current).phasing)
    try:
        after = movements.apply(spec, before, years)
    except movements.MovementError as error:
        raise MonitoringValidationError({error.field: str(error)}) from None
    if replaces is not None and replaces.kind != Movement.Kind.WRITE_OFF:
        raise MonitoringValidationError({"replaces": "Link it to a write-off"})
    movement = journal_entry(
        current, spec, period, before, after, reason=reason, replaces=replaces, user=user
    )
    if spec.kind.changes_phasing:
        label = f"{movement.get_kind_display()} at {period}"
        update_line(
            current,
            replace(line_figures(current), phasing=after),
            user=_user(user),
            reason=f"{label}: {reason}" if reason else label,
        )
    line.refresh_from_db()
    return movement


def movements_between(
    plan: Plan, after: MonitoringPeriod | None, upto: MonitoringPeriod
) -> list[Movement]:
    """Journal entries recorded after ``after`` (exclusive) up to ``upto`` (inclusive)."""
    entries = Movement.objects.filter(line__plan=plan).select_related("line", "replaces__line")
    return [
        entry
        for entry in entries.order_by("year", "month", "id")
        if entry.period <= upto and (after is None or entry.period > after)
    ]


def _latest_records(plan: Plan, period: MonitoringPeriod) -> dict[int, MonitoringRecord]:
    records = MonitoringRecord.objects.filter(
        line__plan=plan, year=period.year.start, month__lte=period.number
    ).order_by("month")
    return {record.line_id: record for record in records}  # later months overwrite earlier


def positions_for(
    plan: Plan, period: MonitoringPeriod, lines: Sequence[LineFigures] | None = None
) -> list[LinePosition]:
    """Each line's position at ``period`` (its latest record in the year, if any). ``lines``
    are the plan's lines as they stood (``csplan.programme.asat``); default: as they are now."""
    years = plan.years
    latest = _latest_records(plan, period)
    journal = movements_between(plan, None, period)
    ids = dict(plan.lines.values_list("reference", "id"))
    result = []
    for line in programme_figures(plan).lines if lines is None else lines:
        line_id = ids.get(line.reference)
        record = latest.get(line_id) if line_id is not None else None
        specs = [spec_of(m) for m in journal if m.line_id == line_id]
        pressures = sum(
            (
                movements.pressure(spec, years).get(period.year, ZERO)
                for spec in specs
                if spec.kind
                in (movements.MovementKind.WRITE_OFF, movements.MovementKind.DEMAND_OFFSET)
            ),
            ZERO,
        )
        covered = sum(
            (
                movements.cover(spec, years).get(period.year, ZERO)
                for spec in specs
                if spec.kind is movements.MovementKind.MITIGATION
            ),
            ZERO,
        )
        result.append(_position(line, years, record, period, pressures, covered))
    return result


def _position(
    line: LineFigures,
    years: Sequence[FinancialYear],
    record: MonitoringRecord | None,
    period: MonitoringPeriod,
    pressures: Decimal,
    covered: Decimal,
) -> LinePosition:
    common = {
        "reference": line.reference,
        "title": line.title,
        "workstream": line.workstream,
        "pressures": pressures,
    }
    if record is None:
        planned = line.in_place(years)[period.year]
        return LinePosition(
            rag=line.rag, proposed=planned, anticipated=planned, mitigation_amount=covered, **common
        )
    return LinePosition(
        rag=record.rag,
        proposed=record.target,
        anticipated=record.forecast_by_year().get(period.year, ZERO),
        achieved_to_date=record.achieved_to_date,
        mitigation_amount=record.mitigation_amount + covered,
        mitigation_recurrence=record.mitigation_recurrence,
        commentary=record.commentary,
        explanation=record.explanation,
        mitigation=record.mitigation,
        month=record.month,
        **common,
    )


def figures_at(plan: Plan, period: MonitoringPeriod) -> tuple[ProgrammeFigures, bool]:
    """The plan as it stood at the end of ``period`` (its changes effective by then), and
    True; when its records start later (a plan entered after the fact), its figures as they
    are now, and False."""
    from csplan.programme.asat import AsAtError, programme_as_at

    try:
        return programme_as_at(plan.pk, period.last_day), True
    except AsAtError:
        return programme_figures(plan), False


def monitoring_summary_for(
    plan: Plan, period: MonitoringPeriod, figures: ProgrammeFigures | None = None
) -> MonitoringSummary:
    """The summary by workstream at ``period``; ``figures``: the plan as it stood then."""
    figures = programme_figures(plan) if figures is None else figures
    return monitoring_summary(positions_for(plan, period, figures.lines), figures.workstreams)


def latest_period(plan: Plan) -> MonitoringPeriod | None:
    record = MonitoringRecord.objects.filter(line__plan=plan).order_by("-year", "-month").first()
    return record.period if record else None


def line_history(line: SavingsLine) -> list[MonitoringRecord]:
    return list(line.monitoring.order_by("year", "month"))


# --- delivery probabilities -------------------------------------------------------------


def current_probabilities(council: Council) -> RagProbabilitySet:
    """The probability set saved most recently; the csplan starting values if there is none."""
    latest = council.rag_probability_sets.order_by("-created_at", "-id").first()
    if latest is not None:
        return latest
    return save_probabilities(
        council,
        risk.DEFAULT_PROBABILITIES,
        label=risk.DEFAULT_LABEL,
        as_of=risk.DEFAULT_AS_OF,
        source="csplan default: a common starting point, not evidence about this council.",
    )


@transaction.atomic
def save_probabilities(
    council: Council,
    probabilities: Mapping[str, Decimal],
    *,
    label: str,
    as_of: date,
    source: str = "",
    user: Any = None,
) -> RagProbabilitySet:
    for code, value in probabilities.items():
        if not Decimal(0) <= value <= Decimal(1):
            raise MonitoringValidationError({code: "A probability is between 0 and 1"})
    entry = RagProbabilitySet(
        council=council,
        label=label,
        as_of=as_of,
        source=source,
        probabilities={code: format(value, "f") for code, value in probabilities.items()},
    )
    _save(entry, user, label)
    return entry


def observations(plan: Plan, year: FinancialYear) -> list[risk.Observation]:
    """Every monitoring record of ``year`` for lines with a Month 12 outturn: the RAG at the
    time, what was planned then, and what was delivered by the year end."""
    records = MonitoringRecord.objects.filter(line__plan=plan, year=year.start)
    outturn = {r.line_id: r.achieved_to_date for r in records if r.month == 12}
    return [
        risk.Observation(record.rag, record.target, outturn[record.line_id])
        for record in records
        if record.line_id in outturn
    ]


def calibrate_probabilities(
    plan: Plan, year: FinancialYear, *, user: Any = None
) -> RagProbabilitySet:
    """Store a probability set from the council's own delivery in ``year``; ratings not seen
    that year keep their current values."""
    measured = risk.calibrate(observations(plan, year))
    if not measured:
        raise MonitoringValidationError({"year": f"No Month 12 outturn recorded for {year}"})
    base = current_probabilities(plan.council).as_decimals()
    kept = sorted(set(base) - set(measured))
    source = f"Share of planned in-year savings delivered by the RAG given at the time, {year}"
    if kept:
        source += f"; {', '.join(kept)} kept from the previous set"
    return save_probabilities(
        plan.council,
        {**base, **measured},
        label=f"Calibrated from {year} monitoring",
        as_of=year.last_day,
        source=source,
        user=user,
    )


def probabilities_on(council: Council, day: date) -> RagProbabilitySet:
    """The probability set in force on ``day``: the latest dated by then; before any, the
    first set saved (the starting values), so a past pack never uses a later calibration."""
    sets = council.rag_probability_sets.order_by("as_of", "created_at", "id")
    dated = sets.filter(as_of__lte=day).last()
    if dated is not None:
        return dated
    first = council.rag_probability_sets.order_by("created_at", "id").first()
    return first if first is not None else current_probabilities(council)


def risk_lines(
    plan: Plan,
    period: MonitoringPeriod | None = None,
    lines: Sequence[LineFigures] | None = None,
) -> list[risk.RiskLine]:
    """Each line with its latest RAG (from monitoring up to ``period``, else the line) and
    in-year savings; ``lines``: the plan's lines as they stood (default: as they are now)."""
    records = MonitoringRecord.objects.filter(line__plan=plan)
    if period is not None:
        records = records.filter(
            Q(year__lt=period.year.start) | Q(year=period.year.start, month__lte=period.number)
        )
    latest: dict[str, str] = {}
    for reference, rag in records.order_by("year", "month").values_list("line__reference", "rag"):
        latest[reference] = rag
    years = plan.years
    return [
        risk.RiskLine(line.reference, latest.get(line.reference, line.rag), line.in_place(years))
        for line in (programme_figures(plan).lines if lines is None else lines)
        if line.lifecycle not in ("withdrawn", "written_off")
    ]


def risk_adjusted_for(
    plan: Plan,
    *,
    draws: int = risk.DEFAULT_DRAWS,
    seed: int = risk.DEFAULT_SEED,
    period: MonitoringPeriod | None = None,
    figures: ProgrammeFigures | None = None,
) -> tuple[RagProbabilitySet, list[risk.RiskYear]]:
    """The risk-adjusted forecast against the (cumulative) target, with the set used. With a
    ``period`` it is the forecast at its end: the ratings recorded by then, the probability
    set in force then, and ``figures`` (the plan as it stood then)."""
    years = plan.years
    figures = programme_figures(plan) if figures is None else figures
    targets = to_cumulative(figures.targets, years)
    if period is None:
        probabilities = current_probabilities(plan.council)
    else:
        probabilities = probabilities_on(plan.council, period.last_day)
    rows = risk.risk_adjusted(
        risk_lines(plan, period, figures.lines),
        probabilities.as_decimals(),
        years,
        targets,
        draws=draws,
        seed=seed,
    )
    return probabilities, rows


# --- demand-led lines --------------------------------------------------------------------


@transaction.atomic
def record_demand_rerun(
    evidence: Evidence,
    period: MonitoringPeriod,
    implied: Mapping[FinancialYear, Decimal],
    *,
    data_hash: str,
    parameters: Mapping[str, Any] | None = None,
    user: Any = None,
) -> DemandRerun:
    """Store a month's re-run of the demand model behind ``evidence`` (the re-run hook)."""
    if evidence.kind != Evidence.Kind.DEMAND_SCENARIO:
        raise MonitoringValidationError({"evidence": "Only demand-scenario evidence is re-run"})
    if not data_hash:
        raise MonitoringValidationError({"data_hash": "Record the hash of the data re-run"})
    rerun = DemandRerun.objects.filter(
        evidence=evidence, year=period.year.start, month=period.number
    ).first() or DemandRerun(
        evidence=evidence, line=evidence.line, year=period.year.start, month=period.number
    )
    rerun.data_hash = data_hash
    rerun.parameters = dict(parameters or evidence.parameters)
    rerun.implied = amounts_to_json(dict(implied))
    _save(rerun, user, f"Demand re-run {period}")
    return rerun


def rerun_demand_evidence(
    evidence: Evidence,
    period: MonitoringPeriod,
    episodes: Any,
    as_at: date,
    *,
    user: Any = None,
) -> DemandRerun:
    """Re-run a line's demand-scenario evidence on the returns as they stood on ``as_at`` and
    store what they now imply for ``period`` (see ``csplan.demand.rerun``)."""
    from csplan.demand.rerun import RerunError, rerun_as_at

    if "baseline_cost" not in evidence.parameters:
        raise MonitoringValidationError(
            {"evidence": "This evidence was not made by the demand model, so it cannot be re-run"}
        )
    try:
        result = rerun_as_at({"savings": evidence.savings, "parameters": evidence.parameters},
                             episodes, as_at)  # fmt: skip
    except (RerunError, ValueError) as error:
        raise MonitoringValidationError({"as_at": str(error)}) from error
    parameters = {
        **result.parameters,
        "actual_cost": amounts_to_json(result.actual_cost),
        "forecast_cost": amounts_to_json(result.forecast_cost),
        "evidence_id": evidence.pk,
    }
    return record_demand_rerun(evidence, period, result.implied, data_hash=result.data_hash,
                               parameters=parameters, user=user)  # fmt: skip


def demand_track(evidence: Evidence, year: FinancialYear) -> list[demand_check.DemandMonth]:
    reruns = [
        (rerun.period, rerun.data_hash, rerun.implied_by_year())
        for rerun in evidence.reruns.filter(year=year.start)
    ]
    return demand_check.monthly_track(evidence.savings_by_year(), reruns, year)


def demand_lines(plan: Plan) -> list[Evidence]:
    """The latest demand-scenario evidence of each line that has re-runs."""
    result: dict[int, Evidence] = {}
    for evidence in Evidence.objects.filter(
        line__plan=plan, kind=Evidence.Kind.DEMAND_SCENARIO, reruns__isnull=False
    ).distinct():
        result.setdefault(evidence.line_id, evidence)
    return list(result.values())
