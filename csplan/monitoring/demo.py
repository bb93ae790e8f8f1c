"""A year of monitoring for the demo council (Hampshire, 2016/17 Month 1 to Month 12).

Generated, not published: a seeded, plausible year in which ratings drift, one line slips, one
is re-profiled, one is partly written off (with a decision reference, a one-off mitigation for
the year and a replacement saving from the next), demand offsets part of a gross saving, and a
demand-led line (C6) is re-run against each month's data, its rating, forecast and explanation
following what the re-run implies. Achieved-to-date accumulates through the
year, so every monitoring table and chart has something to show. Every event is dated as it
happened: a month's movements, ratings and new lines take effect at the end of that month.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from csplan.core.history import correcting, effective_on
from csplan.core.money import ZERO, Unit, format_amount, round_half_up
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.evidence.records import attach_evidence
from csplan.monitoring.models import DemandRerun, MonitoringRecord, Movement
from csplan.monitoring.movements import MovementKind, MovementSpec
from csplan.monitoring.store import (
    apply_movement,
    planned_in_year,
    record_monitoring,
    rerun_demand_evidence,
)
from csplan.programme.figures import LineFigures
from csplan.programme.models import Plan
from csplan.programme.store import create_line, save_programme

YEAR = FinancialYear(2016)
#: C6's evidence, a scenario run on the returns to 31 March 2016, takes effect at the end of
#: 2016/17 Month 1: every Month N pack of the year uses it, none before.
EVIDENCE_MADE = date(2016, 4, 30)
DEMO_SEED = 2016
DEMO_CHILDREN = 1400  # about Hampshire's children looked after in 2016
# C6: from April 2016, half of the children who would go to agency foster carers go to the
# council's own carers, reached over a year.
DEMAND_SCENARIO = {
    "name": "More in-house fostering",
    "description": "Half of new fostering placements with in-house carers instead of agencies",
    "adjustments": [{"kind": "in_house_share", "share": 0.5, "start": "2016-04-01",
                     "ramp_months": 12}],
}  # fmt: skip
DEMAND_EVIDENCE_TITLE = "Placements: more children placed with in-house foster carers (demo)"
WRITE_OFF_DECISION = "DEMO/EMC/2016-10 (illustrative decision record, not a real reference)"
REPLACEMENT_REFERENCE = "C2R"


@dataclass
class LineScript:
    """How a line's year goes: its RAG by month, and the share of its in-year saving it ends
    up delivering (the forecast moves towards it as the year goes on)."""

    rags: str  # twelve characters, one RAG per month
    outturn_share: Decimal
    explanation: str = ""
    mitigation: str = ""
    mitigation_amount: Decimal = ZERO
    notes: dict[int, str] = field(default_factory=dict)


SCRIPTS: dict[str, LineScript] = {
    "C3": LineScript(
        "GGGGAAAAAAAA",
        Decimal("0.96"),
        explanation="Gross savings on track, but a rise in children coming into care offsets "
        "part of them.",
        mitigation="Edge-of-care panel reviews every new entry; the pressure is reported in the "
        "demand budget.",
    ),
    "C5": LineScript(
        "GGGGAAAAAAAA",
        Decimal("0.85"),
        explanation="The charging policy consultation finished later than planned, so part of "
        "the 2016/17 saving slips into 2017/18.",
        mitigation="Policy in place from January; slippage rolled into 2017/18.",
    ),
    "C1/7": LineScript("GGGGGGGGGGGB", Decimal("1.00")),
    # C6 is demand-led: its rating, forecast and explanation follow each month's re-run of the
    # demand model (``_demand_led``), so its text always matches its figures.
    "C6": LineScript(
        "",
        Decimal("1.00"),
        mitigation="Recruitment campaign for in-house foster carers extended; step-down from "
        "residential reviewed monthly.",
    ),
    "C4": LineScript(
        "GGGGGGGAAAAA",
        Decimal("0.90"),
        explanation="SEN transport route reviews delayed by contract re-tendering.",
        mitigation="One-off underspend in the educational psychology budget covers the year.",
        mitigation_amount=Decimal("49200.00"),
    ),
    "C2": LineScript(
        "GGGAARRRRRRR",
        Decimal("0.80"),
        explanation="Fewer schools bought the traded service than planned; part of the saving "
        "cannot be delivered and has been written off.",
        mitigation="One-off use of the school improvement reserve in 2016/17; replacement "
        "saving C2R from 2017/18.",
    ),
    "C8": LineScript("GGGGGGGGGGGB", Decimal("1.00")),
    REPLACEMENT_REFERENCE: LineScript("GGGGGGGGGGGG", Decimal("1.00")),
}

RAG_COMMENTARY = {
    "B": "Delivered and removed from the budget.",
    "G": "On track: actions complete to plan.",
    "A": "At risk: mitigating actions in place.",
    "R": "Will not be delivered as planned.",
}


def _clear(plan: Plan) -> None:
    MonitoringRecord.objects.filter(line__plan=plan).delete()
    DemandRerun.objects.filter(line__plan=plan).delete()
    Movement.objects.filter(line__plan=plan).delete()
    for line in plan.lines.all():
        line.evidence.filter(title=DEMAND_EVIDENCE_TITLE).delete()


def _reset_programme(plan: Plan, user: Any) -> Plan:
    from csplan.programme.demo import hampshire_figures

    figures = hampshire_figures()
    if (plan.council.name, plan.name) != (figures.council, figures.plan):
        raise ValueError("the monitoring demo is written for the Hampshire demo programme")
    _clear(plan)
    with correcting():  # undoes a previous run's year as if it had not happened
        return save_programme(figures, user=user, reason="Demo monitoring: programme reset")


def _month(period: MonitoringPeriod) -> int:
    return period.number


def _movements(plan: Plan, period: MonitoringPeriod, user: Any) -> None:
    """The year's movements, each in the month it happens."""
    lines = {line.reference: line for line in plan.lines.all()}
    month = _month(period)
    if month == 4:
        apply_movement(
            lines["C8"],
            MovementSpec(MovementKind.REPROFILE, Decimal("200000"), YEAR + 2, to_year=YEAR + 1),
            period,
            reason="Support functions restructure brought forward a year.",
            user=user,
        )
    if month == 5:
        apply_movement(
            lines["C5"],
            MovementSpec(MovementKind.SLIPPAGE, Decimal("200000"), YEAR),
            period,
            reason="Charging policy consultation finished late.",
            user=user,
        )
    if month == 7:
        write_off = apply_movement(
            lines["C2"],
            MovementSpec(
                MovementKind.WRITE_OFF,
                Decimal("300000"),
                YEAR,
                decision_reference=WRITE_OFF_DECISION,
            ),
            period,
            reason="Traded income from schools will not reach the level planned.",
            user=user,
        )
        apply_movement(
            lines["C2"],
            MovementSpec(MovementKind.MITIGATION, Decimal("300000"), YEAR, recurrence="one_off"),
            period,
            reason="One-off use of the school improvement reserve for 2016/17.",
            replaces=write_off,
            user=user,
        )
        replacement = create_line(
            plan,
            LineFigures(
                reference=REPLACEMENT_REFERENCE,
                title="Traded school improvement offer to academies (replaces part of C2)",
                workstream=lines["C2"].workstream.name,
                phasing={},
                service_activity="School Improvement",
                sro_role="Assistant Director, Education and Inclusion",
                lifecycle="approved",
                rag="G",
            ),
            user=user,
            reason="Replacement saving for the C2 write-off",
        )
        apply_movement(
            replacement,
            MovementSpec(MovementKind.REPLACEMENT, Decimal("300000"), YEAR + 1),
            period,
            reason="Replaces the C2 write-off from 2017/18.",
            replaces=write_off,
            user=user,
        )
    if month == 9:
        apply_movement(
            lines["C3"],
            MovementSpec(MovementKind.DEMAND_OFFSET, Decimal("250000"), YEAR),
            period,
            reason="More children entered care than forecast; part of the gross saving is "
            "offset in the placements budget.",
            user=user,
        )


def demo_return_files() -> dict[str, bytes]:
    """The demo council's synthetic SSDA903 returns, 2011-12 to 2016-17 (no real children):
    a new dict each call, so a caller that changes it cannot change the demo for others."""
    return dict(_generated_return_files())


@functools.cache
def _generated_return_files() -> tuple[tuple[str, bytes], ...]:
    from csplan.demand.synthetic import returns_files

    files = returns_files(DEMO_CHILDREN, years=6, last_year=YEAR.start + 1, seed=DEMO_SEED)
    return tuple(files.items())


@functools.cache
def demo_returns() -> Any:
    """``demo_return_files`` read by the demand model."""
    import tempfile
    from pathlib import Path

    from csplan.demand.episodes import load_returns

    with tempfile.TemporaryDirectory(prefix="csplan-demo-903-") as folder:
        for name, content in demo_return_files().items():
            target = Path(folder) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return load_returns(folder)


def _demand_evidence(plan: Plan, returns: Any, user: Any) -> Any:
    """C6's evidence: the in-house fostering scenario run on the returns to 31 March 2016."""
    from csplan.demand.config import load_config
    from csplan.demand.rerun import episodes_hash
    from csplan.demand.scenarios import RunOptions, Scenario, run_scenario
    from csplan.demand.states import truncate

    known = truncate(returns.episodes, YEAR.previous().last_day)
    scenario = Scenario.from_dict(DEMAND_SCENARIO)
    run = run_scenario(known, YEAR.previous().last_day, scenario, config=load_config(),
                       options=RunOptions(months=36, simulations=0),
                       data_hash=episodes_hash(known))  # fmt: skip
    return attach_evidence(
        plan.lines.get(reference="C6"),
        kind="demand_scenario",
        title=DEMAND_EVIDENCE_TITLE,
        summary=run.evidence["summary"],
        savings={FinancialYear.parse(y): Decimal(v) for y, v in run.evidence["savings"].items()},
        data_hash=run.evidence["data_hash"],
        parameters=run.evidence["parameters"],
        user=user,
    )


def _forecast(line: Any, script: LineScript, month: int) -> dict[FinancialYear, Decimal]:
    years = line.plan.years
    forecast = {year: planned_in_year(line, year) for year in years}
    share = Decimal(1) - (Decimal(1) - script.outturn_share) * Decimal(min(month, 9)) / 9
    forecast[YEAR] = round_half_up(forecast[YEAR] * share, 2)
    return forecast


def _achieved(forecast: Decimal, month: int, rng: random.Random) -> Decimal:
    if month == 12:
        return forecast
    jitter = Decimal(rng.randint(-30, 30)) / 1000
    share = min(Decimal(month) / 12 + jitter, Decimal(1))
    return round_half_up(forecast * max(share, ZERO), 2)


@dataclass(frozen=True)
class DemandLedMonth:
    """A demand-led line's month, read from its re-run: rating, forecast and the words."""

    rag: str
    forecast: dict[FinancialYear, Decimal]
    commentary: str
    explanation: str


def _thousands(amount: Decimal) -> str:
    if amount < 0:
        return f"a cost of £{format_amount(-amount, Unit.THOUSANDS, 0)}k"
    return f"£{format_amount(amount, Unit.THOUSANDS, 0)}k"


def demand_led_month(line: Any, rerun: DemandRerun) -> DemandLedMonth:
    """The month of a line evidenced by a demand scenario, from that month's re-run: green when
    the data imply at least the planned in-year saving, amber when less, red when they imply a
    cost; the forecast is what the data imply (never above the plan, never below nothing)."""
    forecast = {year: planned_in_year(line, year) for year in line.plan.years}
    planned = forecast[YEAR]
    implied = rerun.implied_by_year().get(YEAR, ZERO)
    forecast[YEAR] = min(max(implied, ZERO), planned)
    rag = "G" if implied >= planned else ("A" if implied > 0 else "R")
    words = (
        f"The {rerun.period} re-run of the demand model on the latest returns implies "
        f"{_thousands(implied)} in {YEAR} against {_thousands(planned)} planned"
    )
    if rag == "G":
        return DemandLedMonth(rag, forecast, f"{RAG_COMMENTARY[rag]} {words}.", "")
    return DemandLedMonth(
        rag,
        forecast,
        RAG_COMMENTARY[rag],
        f"{words}: fewer children placed with in-house foster carers than the scenario assumed.",
    )


def _record_month(
    plan: Plan,
    period: MonitoringPeriod,
    rng: random.Random,
    user: Any,
    reruns: dict[str, DemandRerun],
) -> None:
    month = _month(period)
    for line in plan.lines.select_related("plan__council").prefetch_related("phasing"):
        script = SCRIPTS.get(line.reference)
        if script is None:
            continue
        if line.reference in reruns:
            led = demand_led_month(line, reruns[line.reference])
            rag, forecast, commentary = led.rag, led.forecast, led.commentary
            explanation = led.explanation
        else:
            rag = script.rags[month - 1]
            forecast = _forecast(line, script, month)
            commentary, explanation = RAG_COMMENTARY[rag], script.explanation
        at_risk = rag in ("A", "R")
        record_monitoring(
            line,
            period,
            rag=rag,
            forecast=forecast,
            achieved_to_date=_achieved(forecast[YEAR], month, rng),
            commentary=commentary,
            explanation=explanation if at_risk else "",
            mitigation=script.mitigation if at_risk else "",
            mitigation_amount=script.mitigation_amount if at_risk else ZERO,
            user=user,
        )


@transaction.atomic
def load_monitoring_demo(
    plan: Plan, *, user: Any = None, seed: int = DEMO_SEED, months: int = 12
) -> Plan:
    """Reset the Hampshire demo programme and record 2016/17 Month 1 to 12 (idempotent);
    ``months``: stop after that month (the year as it stood then)."""
    plan = _reset_programme(plan, user)
    rng = random.Random(seed)
    returns = demo_returns()
    with effective_on(EVIDENCE_MADE):
        evidence = _demand_evidence(plan, returns, user)
    for period in list(YEAR.months())[:months]:
        with effective_on(period.last_day):  # each month's events take effect at its end
            _movements(plan, period, user)
        day = period.last_day
        rerun = rerun_demand_evidence(evidence, period, returns.episodes, day, user=user)
        with effective_on(period.last_day):
            _record_month(plan, period, rng, user, {evidence.line.reference: rerun})
    return plan
