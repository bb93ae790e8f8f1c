"""The levels-of-need model's tables as report data (``csplan.core.table.Table``)."""

from __future__ import annotations

from decimal import Decimal

from csplan.core.periods import FinancialYear
from csplan.core.table import Column, Row, Table
from csplan.demand.needs.model import NeedsForecast
from csplan.demand.needs.readers import MEASURES as LABELS
from csplan.demand.needs.scenarios import NeedsRun
from csplan.demand.send.reports import ROUNDING_NOTE, _count, _money, _number


def flows_table(forecast: NeedsForecast, history_years: int = 3) -> Table:
    """Each level of need by year ending 31 March: the last published years, the forecast
    (expected) with its 80% band, and rates per 10,000 children."""
    fit = forecast.fit
    measures = forecast.measures
    shown = sorted({y for m in measures for y in fit.history.get(m, {})})[-history_years:]
    columns = (
        Column("Measure"),
        *(_number(f"{y} (actual)") for y in shown),
        *(_number(str(y)) for y in forecast.years),
    )
    rows = []
    for measure in measures:
        actual = [_maybe(fit.history.get(measure, {}).get(y)) for y in shown]
        rows.append(
            Row((LABELS[measure], *actual, *(_count(v) for v in forecast.expected[measure])))
        )
        bands = forecast.bands(measure)
        if bands is not None:
            rows.append(
                Row(
                    (
                        "  80% band",
                        *([None] * len(shown)),
                        *(
                            f"{bands[0, h]:,.0f} to {bands[2, h]:,.0f}"
                            for h in range(len(forecast.years))
                        ),
                    )
                )
            )
    notes = [ROUNDING_NOTE, f"Years ending 31 March; forecast from {fit.origin} (expected values)."]
    if fit.population:
        rates = ", ".join(f"{LABELS[m].lower()} {forecast.rate(m, 0):,.1f}" for m in measures)
        notes.append(
            f"Rates per 10,000 children aged 0-17 in {forecast.years[0]} (ONS "
            f"population {fit.population:,}, held): {rates}."
        )
    notes += fit.notes
    return Table(
        "levels_of_need",
        f"Levels of need, referral to care: {fit.name}",
        columns,
        tuple(rows),
        tuple(notes),
        {"la": fit.code, "origin": str(fit.origin)},
    )


def _maybe(value: int | None) -> Decimal | str:
    return "n/a" if value is None else Decimal(value)


def needs_scenario_table(run: NeedsRun, name: str) -> Table:
    """By financial year: children starting to be looked after in the baseline and the
    scenario, and the placement cost and saving."""
    columns = (
        Column("Financial year"),
        _number("Entering care: baseline"),
        _number("Entering care: scenario"),
        _number("Fewer entering care", 1),
        _money("Placement cost: baseline"),
        _money("Placement cost: scenario"),
        _money("Placement saving"),
    )
    rows = []
    for i, year_ending in enumerate(run.baseline.years):
        year = FinancialYear(year_ending - 1)
        if year not in run.saving:
            continue
        rows.append(
            Row(
                (
                    str(year),
                    _count(run.baseline.expected["cla_started"][i]),
                    _count(run.scenario.expected["cla_started"][i]),
                    _count(run.fewer_entering_care[year]),
                    run.baseline_cost[year],
                    run.scenario_cost[year],
                    run.saving[year],
                )
            )
        )
    costing = (
        "the children-looked-after model on the council's SSDA903 returns"
        if run.cla_run is not None
        else "an average weekly cost per child looked after"
    )
    return Table(
        "needs_scenario",
        f"Levels of need scenario {name}: {run.area.name}",
        columns,
        tuple(rows),
        (
            ROUNDING_NOTE,
            "A positive saving is a lower cost than the baseline; expected values. "
            f"Placements costed by {costing}.",
        ),
    )
