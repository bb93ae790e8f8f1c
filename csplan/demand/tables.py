"""The demand model's results as report tables (``csplan.core.table.Table``).

One builder per result: the forecast by month, age band and placement group; the totals with
their 80% band; the cost by financial year; a scenario's saving; a back-test. Every renderer
of ``csplan.core.render`` (text, CSV, JSON, XLSX, HTML) then formats them. Children are
model numbers (one decimal place); money is exact pounds, rounded once in ``costs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from csplan.core.money import Unit
from csplan.core.periods import FinancialYear
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.demand.backtest import BacktestResult, ExitComparison, RollingBacktest
from csplan.demand.costs import YearCost, money_band, paths_of
from csplan.demand.forecast import ForecastResult

#: The columns of ``forecast --format csv`` (one row per month end × age band × group).
FORECAST_CSV_COLUMNS = ("date", "age_band", "placement_group", "p10", "p50", "p90")

_NUMBER = ColumnKind.NUMBER


def _children(value: float) -> Decimal:
    """A model number of children as a table cell (one decimal place, shown as computed)."""
    return Decimal(repr(round(float(value), 1)))


def _money(heading: str) -> Column:
    return Column(heading, ColumnKind.MONEY, Unit.POUNDS, places=2)


def forecast_cells(result: ForecastResult) -> Table:
    """Every month end × age band × placement group: p10, p50, p90 and the expected number."""
    config = result.config
    rows = []
    for m, day in enumerate(result.dates):
        for b, band in enumerate(config.band_keys):
            for g, group in enumerate(config.group_keys):
                p = result.cell_percentiles[:, m, b, g]
                rows.append(Row((day.isoformat(), band, group, _children(p[0]),
                                 _children(p[1]), _children(p[2]),
                                 _children(result.expected[m, b, g]))))  # fmt: skip
    columns = tuple(Column(name) for name in FORECAST_CSV_COLUMNS[:3]) + tuple(
        Column(name, _NUMBER, places=1) for name in ("p10", "p50", "p90", "expected")
    )
    return Table("forecast", "Children looked after: forecast by month, age band and placement "
                 "group", columns, tuple(rows), notes=_forecast_notes(result))  # fmt: skip


def forecast_groups(result: ForecastResult) -> Table:
    """Each month end: the expected number in each placement group and the total with its band."""
    config = result.config
    columns = (
        Column("Month end"),
        *(Column(g.label, _NUMBER, places=1) for g in config.groups),
        Column("Total", _NUMBER, places=1),
        Column("Total p10", _NUMBER, places=1),
        Column("Total p90", _NUMBER, places=1),
    )
    by_group = result.expected.sum(axis=1)  # (M, G)
    rows = tuple(
        Row(
            (
                day.isoformat(),
                *(_children(v) for v in by_group[m]),
                _children(by_group[m].sum()),
                _children(result.total_percentiles[0, m]),
                _children(result.total_percentiles[2, m]),
            )
        )  # fmt: skip
        for m, day in enumerate(result.dates)
    )
    return Table("forecast_groups", "Children looked after by placement group (expected)",
                 columns, rows, notes=_forecast_notes(result))  # fmt: skip


def _forecast_notes(result: ForecastResult) -> tuple[str, ...]:
    notes = [f"Forecast from {result.start}; p10 and p90 bound the range expected 8 times in 10."]
    if result.simulations:
        notes.append(f"{result.simulations} simulations, seed {result.seed}.")
    notes.append(_exits_note(result.parameters.get("exits")))
    return tuple(notes)


def _exits_note(exits: object) -> str:
    """How the forecast's exits and moves depend on time in care, in words."""
    if not isinstance(exits, dict) or exits.get("variant", "constant") == "constant":
        return "Exits and moves: one rate for each age band and placement group."
    buckets = ", ".join(str(b) for b in exits.get("duration_buckets_months", []))
    strata = [s for s in exits.get("strata", []) if s]
    by = f", and by {len(strata)} strata ({'; '.join(strata)})" if strata else ""
    return (
        f"Exits and moves: rates by age band, placement group and months in care "
        f"({buckets}){by}, estimated from the reference window."
    )


def costs(year_costs: Mapping[FinancialYear, YearCost], labels: Mapping[str, str]) -> Table:
    """Expected placement cost by financial year and placement group, with a total."""
    ordered = sorted(year_costs.items())
    keys = list(labels)
    all_paths = paths_of([c for _, c in ordered])
    banded = all_paths is not None
    columns = (Column("Financial year"), *(_money(labels[k]) for k in keys), _money("Total"),
               *((_money("Total p10"), _money("Total p50"), _money("Total p90")) if banded
                 else ()))  # fmt: skip
    rows = [
        Row(
            (
                year.label + (" (part)" if cost.partial else ""),
                *(cost.by_group[k] for k in keys),
                cost.total,
                *(cost.band or () if banded else ()),
            )
        )  # fmt: skip
        for year, cost in ordered
    ]
    rows.append(
        Row(
            (
                "Total",
                *(sum((c.by_group[k] for _, c in ordered), Decimal(0)) for k in keys),
                sum((c.total for _, c in ordered), Decimal(0)),
                *(money_band(all_paths) if all_paths is not None else ()),
            ),
            RowKind.TOTAL,
        )  # fmt: skip
    )
    partial = [y.label for y, c in ordered if c.partial]
    notes = [
        "Expected cost: child-days in each placement group × weekly unit cost ÷ 7, with "
        "the assumptions' inflation; rounded to the penny once per group and year."
    ]
    if partial:
        notes.append(f"Part years (the forecast covers only some months): {', '.join(partial)}.")
    if banded:
        notes.append(
            "p10, p50 and p90: of the cost over the forecast's sample paths (the same "
            "paths as the children's bands; the total's over the years' summed paths)."
        )
    return Table("costs", "Forecast placement cost by financial year (£)", tuple(columns),
                 tuple(rows), notes=tuple(notes))  # fmt: skip


def saving(
    baseline: Mapping[FinancialYear, YearCost],
    scenario: Mapping[FinancialYear, YearCost],
    saving_by_year: Mapping[FinancialYear, Decimal],
    name: str,
) -> Table:
    """Baseline cost, scenario cost and the saving (baseline less scenario) by financial year."""
    years = sorted(saving_by_year)
    base_paths = paths_of([baseline[y] for y in years])
    scenario_paths = paths_of([scenario[y] for y in years])
    banded = base_paths is not None and scenario_paths is not None
    columns = (Column("Financial year"), _money("Baseline cost"), _money(f"{name} cost"),
               _money("Saving"), *((_money("Saving p10"), _money("Saving p50"),
                                    _money("Saving p90")) if banded else ()))  # fmt: skip

    def band(*chosen: FinancialYear) -> tuple[Decimal, ...]:
        if not banded:
            return ()
        difference = paths_of([baseline[y] for y in chosen]) - paths_of(
            [scenario[y] for y in chosen]
        )
        return money_band(difference)

    rows = [
        Row((y.label, baseline[y].total, scenario[y].total, saving_by_year[y], *band(y)))
        for y in years
    ]
    rows.append(
        Row(
            (
                "Total",
                sum((baseline[y].total for y in years), Decimal(0)),
                sum((scenario[y].total for y in years), Decimal(0)),
                sum((saving_by_year[y] for y in years), Decimal(0)),
                *band(*years),
            ),
            RowKind.TOTAL,
        )
    )
    notes = ["Saving = baseline cost less scenario cost in each financial year; a negative "
             "saving is a cost."]  # fmt: skip
    if banded:
        notes.append(
            "p10, p50 and p90 of the saving: baseline less scenario on each sample "
            "path, both run with the same random numbers (common random numbers)."
        )
    return Table("saving", f"Scenario {name!r}: saving against the baseline (£)", columns,
                 tuple(rows), notes=tuple(notes))  # fmt: skip


def backtest(result: BacktestResult) -> Table:
    """Error of the forecast against the later returns, by horizon and placement group."""
    columns = (
        Column("Horizon (months)"), Column("Date"), Column("Placement group"),
        Column("Forecast", _NUMBER, places=1), Column("p10", _NUMBER, places=1),
        Column("p90", _NUMBER, places=1), Column("Actual", _NUMBER, places=0),
        Column("Error", _NUMBER, places=1), Column("Error %", ColumnKind.PERCENT, places=1),
        Column("Inside the 80% band"),
    )  # fmt: skip
    rows = []
    for h in result.horizons:
        for r in h.rows:
            pct = None if r.percent_error is None else _children(r.percent_error)
            inside = "yes" if r.p10 <= r.actual <= r.p90 else "no"
            kind = RowKind.TOTAL if r.group == "total" else RowKind.LINE
            rows.append(Row((str(h.months), h.date.isoformat(), r.group, _children(r.expected),
                             _children(r.p10), _children(r.p90), Decimal(int(round(r.actual))),
                             _children(r.error), pct, inside), kind))  # fmt: skip
    notes = [*result.notes]
    for h in result.horizons:
        notes.append(
            f"{h.months} months: the actual fell inside the 80% band in "
            f"{h.occupied_cell_coverage:.0%} of occupied group × age band × month cells, "
            f"{h.group_coverage:.0%} of group × month and {h.total_coverage:.0%} of monthly "
            "totals"
        )
    return Table("backtest", f"Back-test: fitted on the data to {result.fit_until}", columns,
                 tuple(rows), notes=tuple(notes))  # fmt: skip


def group_mape(result: BacktestResult, months: int) -> dict[str, float]:
    """Absolute percentage error by placement group at one horizon (groups with children)."""
    horizon = next(h for h in result.horizons if h.months == months)
    return {r.group: abs(r.percent_error) for r in horizon.rows
            if r.percent_error is not None and np.isfinite(r.percent_error)}  # fmt: skip


def rolling_backtest(result: RollingBacktest, labels: Mapping[str, str]) -> Table:
    """Share of rolling-origin forecasts whose actual fell inside the 80% band, by months
    ahead: the total, its mean absolute error, and each placement group."""
    keys = list(labels)
    columns = (
        Column("Months ahead"), Column("Forecasts", _NUMBER, places=0),
        Column("Total inside the 80% band", ColumnKind.PERCENT, places=0),
        Column("Total error %", ColumnKind.PERCENT, places=1),
        *(Column(labels[k], ColumnKind.PERCENT, places=0) for k in keys),
    )  # fmt: skip

    def share(value: float | None) -> Decimal | None:
        return None if value is None else _children(100 * value)

    rows = tuple(
        Row(
            (
                str(h.months),
                Decimal(h.forecasts),
                share(h.total),
                None if h.total_mape is None else _children(h.total_mape),
                *(share(h.groups.get(k)) for k in keys),
            )
        )  # fmt: skip
        for h in result.horizons
    )
    notes = (
        f"{len(result.origins)} forecasts, fitted on the data known at month ends "
        f"{result.origins[0]} to {result.origins[-1]}, {result.simulations} sample paths each; "
        "a calibrated 80% band holds the actual in about 80% of them (a group's share counts "
        "only forecasts where it had children).",
        *result.notes,
    )
    return Table("rolling_backtest", "Rolling back-test: 80% band coverage by months ahead",
                 columns, rows, notes=notes)  # fmt: skip


def exit_models(comparisons: list[ExitComparison], labels: Mapping[str, str]) -> Table:
    """Each exit model's rolling back-test errors, best first (the first is the one to use)."""
    keys = [k for k in labels if any(c.group_mape.get(k) is not None for c in comparisons)]
    columns = (
        Column("Exit model"),
        Column("Placement groups: mean abs. error %", ColumnKind.PERCENT, places=1),
        Column("Total: mean abs. error %", ColumnKind.PERCENT, places=1),
        *(Column(labels[k], ColumnKind.PERCENT, places=1) for k in keys),
    )  # fmt: skip

    def percent(value: float | None) -> Decimal | None:
        return None if value is None else _children(value)

    rows = tuple(
        Row(
            (
                c.variant,
                percent(c.mean_group_mape),
                percent(c.total_mape),
                *(percent(c.group_mape.get(k)) for k in keys),
            )
        )  # fmt: skip
        for c in comparisons
    )
    rolling = comparisons[0].rolling
    notes = (
        f"The same {len(rolling.origins)} forecasts for each model, fitted on the data known at "
        f"month ends {rolling.origins[0]} to {rolling.origins[-1]}, each "
        f"{len(rolling.horizons)} months ahead; errors are means over the months ahead of the "
        "expected numbers against the actual. Best first: the lowest placement-group error, "
        f"then total error; a tie goes to the simpler model. Best here: {comparisons[0].variant} "
        "(set it with exits: in the model configuration).",
    )
    return Table("exit_models", "Exit models compared by rolling back-test", columns, rows,
                 notes=notes)  # fmt: skip
