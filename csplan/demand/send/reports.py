"""The EHC plan model's tables as report data (``csplan.core.table.Table``).

Plans are counts (whole numbers); money is £'000 with brackets, rounded once by the renderer.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from csplan.core.money import Unit
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.demand.annual.scores import Summary
from csplan.demand.send import settings as st
from csplan.demand.send.costs import CostedSend
from csplan.demand.send.model import GROUPS, SendForecast
from csplan.demand.send.scenarios import SendRun

ROUNDING_NOTE = "Totals may not add because of rounding."


def _count(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _number(heading: str, places: int = 0) -> Column:
    return Column(heading, ColumnKind.NUMBER, places=places)


def _money(heading: str) -> Column:
    return Column(heading, ColumnKind.MONEY, Unit.THOUSANDS, 0)


def plans_table(forecast: SendForecast, history_years: int = 3) -> Table:
    """Plans in January by setting group: the last published Januaries, then the forecast
    (expected), with the 10th-90th percentile of the total."""
    fit = forecast.fit
    shown = sorted(fit.history)[-history_years:]
    columns = (
        Column("Setting"),
        *(_number(f"Jan {y} (actual)") for y in shown),
        *(_number(f"Jan {y}") for y in forecast.years),
    )
    rows = []
    for g, group in enumerate(GROUPS):
        actual = [Decimal(fit.history[y][group]) for y in shown]
        rows.append(Row((st.LABELS[group], *actual, *(_count(v) for v in forecast.expected[:, g]))))
    totals = [Decimal(sum(fit.history[y].values())) for y in shown]
    rows.append(
        Row(
            ("All EHC plans", *totals, *(_count(v) for v in forecast.total_expected)), RowKind.TOTAL
        )
    )
    bands = forecast.bands()
    notes = [
        ROUNDING_NOTE,
        f"Forecast from January {fit.origin}: plans staying in each setting plus new plans "
        "by the recent mix; expected values.",
    ]
    if bands is not None:
        blank = [None] * len(shown)
        rows.append(Row(("All plans: 10th percentile", *blank, *(_count(v) for v in bands[0]))))
        rows.append(Row(("All plans: 90th percentile", *blank, *(_count(v) for v in bands[2]))))
        notes.append(
            f"80% band from {len(forecast.paths):,} simulated paths (seed "
            f"{fit.options.seed}), widened by the model error the published back-test "
            "found."
        )
    notes += fit.notes
    return Table(
        "ehc_plans",
        f"EHC plans in January by setting: {fit.name}",
        columns,
        tuple(rows),
        tuple(notes),
        {"la": fit.code, "origin": str(fit.origin)},
    )


def ages_table(forecast: SendForecast, index: int = 0) -> Table | None:
    """Expected plans by setting and age band in forecast January ``index`` (None without
    published ages)."""
    by_age = forecast.by_age(index)
    if not by_age:
        return None
    year = forecast.years[index]
    columns = (Column("Setting"), *(_number(b.label) for b in st.AGE_BANDS), _number("All ages"))
    rows = []
    for group in GROUPS:
        if group in by_age:
            values = [by_age[group].get(b.key, 0.0) for b in st.AGE_BANDS]
            rows.append(Row((st.LABELS[group], *map(_count, values), _count(sum(values)))))
    totals = [sum(by_age[g].get(b.key, 0.0) for g in by_age) for b in st.AGE_BANDS]
    rows.append(Row(("All settings", *map(_count, totals), _count(sum(totals))), RowKind.TOTAL))
    return Table(
        "ehc_plans_by_age",
        f"EHC plans in January {year} by setting and age: {forecast.fit.name}",
        columns,
        tuple(rows),
        (
            ROUNDING_NOTE,
            f"Each setting's age mix as published for January "
            f"{forecast.fit.age_year}; expected values, no band.",
        ),
    )


def costs_table(costed: CostedSend) -> Table:
    """Placement and transport cost by financial year: the base year, then the forecast."""
    years = costed.years
    columns = (
        Column("Measure"),
        *(_money(f"{y.year}{' (base)' if y.observed else ''}") for y in years),
    )
    rows = [Row((f"Placements: {st.LABELS[g]}", *(y.placement[g] for y in years))) for g in GROUPS]
    rows.append(
        Row(("Placements (high needs)", *(y.placement_total for y in years)), RowKind.SUBTOTAL)
    )
    rows.append(
        Row(("Home-to-school transport", *(y.transport_total for y in years)), RowKind.SUBTOTAL)
    )
    rows.append(
        Row(
            ("Placements and transport", *(y.placement_total + y.transport_total for y in years)),
            RowKind.TOTAL,
        )
    )
    for label, pick in (
        ("Placements: 10th percentile", lambda y: y.placement_band),
        ("Placements: 90th percentile", lambda y: y.placement_band),
        ("Transport: 10th percentile", lambda y: y.transport_band),
        ("Transport: 90th percentile", lambda y: y.transport_band),
    ):
        position = 0 if "10th" in label else 1
        values = [(pick(y) or (None, None))[position] for y in years]
        if any(v is not None for v in values):
            rows.append(Row((label, *values)))
    pupils = [Decimal(round(sum(y.pupils.values()))) for y in years]
    notes = (
        ROUNDING_NOTE,
        "Plans counted in January stand for the financial year they fall in, costed at "
        "the dated unit costs in effect on its first day. Pupils transported by the "
        f"council: {', '.join(f'{y.year} {p:,}' for y, p in zip(years, pupils, strict=True))}.",
        *costed.notes,
    )
    return Table(
        "send_costs",
        f"SEN placement and transport cost: {costed.forecast.fit.name}",
        columns,
        tuple(rows),
        notes,
    )


def scenario_table(run: SendRun, name: str) -> Table:
    """The baseline and scenario cost and the saving by financial year."""
    years = [y.year for y in run.baseline.years[1:]]
    columns = (Column("Measure"), *(_money(str(y)) for y in years))

    def pick(costed: CostedSend, what: str) -> list[Decimal]:
        return [getattr(costed.year(y), what) for y in years]

    rows = (
        Row(("Transport: baseline", *pick(run.baseline, "transport_total"))),
        Row(("Transport: scenario", *pick(run.scenario, "transport_total"))),
        Row(("Transport saving", *(run.transport_saving[y] for y in years)), RowKind.SUBTOTAL),
        Row(("Placements: baseline", *pick(run.baseline, "placement_total"))),
        Row(("Placements: scenario", *pick(run.scenario, "placement_total"))),
        Row(
            ("Placement saving (high needs)", *(run.placement_saving[y] for y in years)),
            RowKind.SUBTOTAL,
        ),
        Row(
            ("Total saving", *(run.transport_saving[y] + run.placement_saving[y] for y in years)),
            RowKind.TOTAL,
        ),
    )
    return Table(
        "send_scenario",
        f"SEND scenario {name}: saving against the baseline, {run.area.name}",
        columns,
        rows,
        (
            ROUNDING_NOTE,
            "A positive saving is a lower cost than the baseline; "
            "expected values. Transport is usually the council's general fund, "
            "placements its high needs block (DSG).",
        ),
    )


def backtest_table(summaries: Sequence[Summary], title: str, name: str = "backtest") -> Table:
    columns = (
        Column("Measure"),
        Column("Years ahead"),
        _number("Forecasts"),
        _number("MAPE %", 1),
        _number("Median APE %", 1),
        _number("Bias %", 1),
        _number("In 80% band %", 0),
    )
    rows = tuple(
        Row(
            (
                s.measure,
                "all" if s.horizon is None else str(s.horizon),
                Decimal(s.forecasts),
                *(_count(v) for v in (s.mape, s.median_ape, s.bias, s.coverage)),
            ),
            RowKind.SUBTOTAL if s.horizon is None else RowKind.LINE,
        )
        for s in summaries
    )
    return Table(
        name,
        title,
        columns,
        rows,
        (
            "MAPE: mean absolute percentage error; bias: mean signed error (forecast less "
            "actual, % of actual); in band: share of actuals inside the 80% band.",
        ),
    )
