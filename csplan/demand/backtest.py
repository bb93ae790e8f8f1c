"""Back-test: fit on the data up to a date, forecast, and compare with what happened.

The actual numbers in care at each later month end are reconstructed from the full data
(children counted at their current age). For each horizon (12 and 24 months by default) the
report gives, at the horizon's month end, the expected number, the 80% band and the actual
by placement group and in total, with the error (forecast less actual) in children and as a
percentage of the actual; and how often the actual fell inside the 80% band (p10 to p90)
across every group x age band x month cell up to the horizon.

``rolling_backtest`` repeats this from several origins (month ends a few months apart) and
reports, for each number of months ahead, the share of origins whose actual total and each
placement group's fell inside the 80% band, and the mean absolute errors of the total and of
each placement group (``csplan demand backtest --origins N``).

``compare_exits`` runs the rolling back-test once per exit model (``durations.EXIT_VARIANTS``:
constant hazards, or hazards by time in care with or without strata) on the same origins and
ranks them by the mean absolute error of the placement groups
(``csplan demand backtest --compare-exits``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csplan.demand.config import EXIT_VARIANT_NAMES, ModelConfig
from csplan.demand.forecast import DEFAULT_SIMULATIONS, ForecastResult, fit_until, run_forecast
from csplan.demand.rates import TREND_DAMPING_YEARS, Window
from csplan.demand.states import segments, stock_on


class BacktestError(ValueError):
    """A back-test that cannot be run (e.g. no later data to compare with)."""


@dataclass
class GroupError:
    group: str  # a placement group key, or "total"
    expected: float
    p10: float
    p90: float
    actual: float

    @property
    def error(self) -> float:
        return self.expected - self.actual

    @property
    def percent_error(self) -> float | None:
        return None if self.actual == 0 else 100.0 * self.error / self.actual

    def to_dict(self) -> dict[str, object]:
        return {"group": self.group, "expected": self.expected, "p10": self.p10,
                "p90": self.p90, "actual": self.actual, "error": self.error,
                "percent_error": self.percent_error}  # fmt: skip


@dataclass
class Horizon:
    months: int
    date: dt.date
    rows: list[GroupError]
    cell_coverage: float  # share of group x band x month cells with p10 <= actual <= p90
    occupied_cell_coverage: float  # the same over cells where the actual or p90 is not 0
    group_coverage: float  # over group x month
    total_coverage: float  # over months
    total_mape: float | None  # mean absolute % error of the total over the months

    @property
    def total(self) -> GroupError:
        return self.rows[-1]

    def to_dict(self) -> dict[str, object]:
        return {
            "months": self.months, "date": self.date.isoformat(),
            "rows": [r.to_dict() for r in self.rows],
            "cell_coverage": self.cell_coverage,
            "occupied_cell_coverage": self.occupied_cell_coverage,
            "group_coverage": self.group_coverage, "total_coverage": self.total_coverage,
            "total_mape": self.total_mape,
        }  # fmt: skip


@dataclass
class BacktestResult:
    fit_until: dt.date
    horizons: list[Horizon]
    forecast: ForecastResult
    actual: np.ndarray  # (M, B, G) for the months with data
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"fit_until": self.fit_until.isoformat(),
                "horizons": [h.to_dict() for h in self.horizons], "notes": self.notes}  # fmt: skip


def actual_stock(
    episodes: pd.DataFrame, last_date: dt.date, config: ModelConfig, dates: list[dt.date]
) -> np.ndarray:
    """Children in care at each date by (band, group), from the full data: (len(dates), B, G)."""
    segs = segments(episodes, config, last_date)
    return np.stack([stock_on(segs, config, day) for day in dates])


def backtest(
    episodes: pd.DataFrame,
    last_date: dt.date,
    until: dt.date,
    config: ModelConfig,
    *,
    horizons: tuple[int, ...] = (12, 24),
    window_months: int = 24,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 0,
    trend: bool = True,
    trend_damping: float | None = TREND_DAMPING_YEARS,
    progress=None,
    data_start: dt.date | None = None,
) -> BacktestResult:
    """Fit on the data known on ``until`` (a month end), compare with the later data;
    ``data_start`` as ``forecast.fit`` has it."""
    available = (last_date.year - until.year) * 12 + last_date.month - until.month
    if available < 1:
        raise BacktestError(f"no data after {until}: the data end on {last_date}")
    months = min(max(horizons), available)
    notes = []
    if months < max(horizons):
        notes.append(f"only {months} months of data after {until}: longer horizons shortened")
    params = fit_until(episodes, until, config, window=Window.ending(until, window_months),
                       trend=trend, trend_damping=trend_damping,
                       data_start=data_start)  # fmt: skip
    result = run_forecast(params, months, simulations=simulations, seed=seed, progress=progress)
    actual = actual_stock(episodes, last_date, config, result.dates)
    used = sorted({min(h, months) for h in horizons})
    return BacktestResult(until, [_horizon(result, actual, config, h) for h in used], result,
                          actual, notes)  # fmt: skip


def _inside(low: np.ndarray, high: np.ndarray, actual: np.ndarray) -> np.ndarray:
    return (low <= actual) & (actual <= high)


def _horizon(result: ForecastResult, actual: np.ndarray, config: ModelConfig, months: int):
    end = months - 1
    rows = [
        GroupError(key, float(result.expected[end, :, g].sum()),
                   float(result.group_percentiles[0, end, g]),
                   float(result.group_percentiles[2, end, g]), float(actual[end, :, g].sum()))
        for g, key in enumerate(config.group_keys)
    ]  # fmt: skip
    total = result.total_percentiles[:, end]
    expected = float(result.expected[end].sum())
    rows.append(GroupError("total", expected, float(total[0]), float(total[2]),
                           float(actual[end].sum())))  # fmt: skip
    cells = result.cell_percentiles[:, :months]
    inside = _inside(cells[0], cells[2], actual[:months])
    occupied = (actual[:months] > 0) | (cells[2] > 0)
    groups = result.group_percentiles[:, :months]
    totals = result.total_percentiles[:, :months]
    actual_total = actual[:months].sum(axis=(1, 2))
    expected_total = result.expected[:months].sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.abs(expected_total - actual_total) / actual_total
    return Horizon(
        months=months,
        date=result.dates[end],
        rows=rows,
        cell_coverage=float(inside.mean()),
        occupied_cell_coverage=float(inside[occupied].mean()) if occupied.any() else 1.0,
        group_coverage=float(_inside(groups[0], groups[2], actual[:months].sum(axis=1)).mean()),
        total_coverage=float(_inside(totals[0], totals[2], actual_total).mean()),
        total_mape=float(100 * np.nanmean(ape[np.isfinite(ape)]))
        if np.isfinite(ape).any()
        else None,
    )


def backtest_text(result: BacktestResult) -> str:
    """A plain-text report (the CLI's output)."""
    lines = [f"Back-test: fitted on the data to {result.fit_until}", *result.notes]
    for h in result.horizons:
        lines += ["", f"{h.months} months ahead ({h.date}):",
                  f"{'group':<22} {'forecast':>9} {'p10':>7} {'p90':>7} {'actual':>7} "
                  f"{'error':>8} {'error %':>8}"]  # fmt: skip
        for r in h.rows:
            pct = "n/a" if r.percent_error is None else f"{r.percent_error:+.1f}%"
            lines.append(f"{r.group:<22} {r.expected:>9.1f} {r.p10:>7.0f} {r.p90:>7.0f} "
                         f"{r.actual:>7.0f} {r.error:>+8.1f} {pct:>8}")  # fmt: skip
        mape = "n/a" if h.total_mape is None else f"{h.total_mape:.1f}%"
        lines += [
            f"actual inside the 80% band: {h.cell_coverage:.0%} of group x band x month cells "
            f"({h.occupied_cell_coverage:.0%} of occupied cells), {h.group_coverage:.0%} of "
            f"group x month, {h.total_coverage:.0%} of monthly totals",
            f"mean absolute error of the monthly total: {mape}",
        ]
    return "\n".join(lines)


# -- rolling origins: coverage by months ahead ---------------------------------------------


@dataclass
class HorizonCoverage:
    """How often the actual fell inside the 80% band ``months`` ahead, over the origins."""

    months: int
    forecasts: int
    total: float
    groups: dict[str, float | None]  # None: no children in the group at any origin
    total_mape: float | None  # mean absolute % error of the expected total
    # mean absolute % error of each group's expected number (None: never any children)
    group_mape: dict[str, float | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {"months": self.months, "forecasts": self.forecasts, "total": self.total,
                "groups": self.groups, "total_mape": self.total_mape,
                "group_mape": self.group_mape}  # fmt: skip


@dataclass
class RollingBacktest:
    """Forecasts from several origins (month ends), each compared with the later data."""

    origins: list[dt.date]
    horizons: list[HorizonCoverage]
    simulations: int
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"origins": [o.isoformat() for o in self.origins], "simulations": self.simulations,
                "horizons": [h.to_dict() for h in self.horizons], "notes": self.notes}  # fmt: skip


def rolling_origins(
    episodes: pd.DataFrame, last_date: dt.date, months: int, origins: int, spacing: int,
    data_start: dt.date | None = None,
) -> list[dt.date]:  # fmt: skip
    """Up to ``origins`` month ends ``spacing`` months apart, the latest ``months`` before
    ``last_date`` (so every origin has all horizons), none with less than a year of data
    before it (from ``data_start`` when given, else the earliest episode); earliest first."""
    last = pd.Timestamp(last_date)
    first = pd.Timestamp(data_start) if data_start else episodes["start"].min()
    earliest = (first + pd.offsets.MonthEnd(12)).date()
    chosen = []
    for k in range(origins):
        origin = (last + pd.offsets.MonthEnd(-(months + k * spacing))).date()
        if origin < earliest:
            break
        chosen.append(origin)
    return sorted(chosen)


def rolling_backtest(
    episodes: pd.DataFrame,
    last_date: dt.date,
    config: ModelConfig,
    *,
    months: int = 12,
    origins: int = 6,
    spacing: int = 3,
    window_months: int = 24,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int = 0,
    trend: bool = True,
    trend_damping: float | None = TREND_DAMPING_YEARS,
    progress=None,
    data_start: dt.date | None = None,
) -> RollingBacktest:
    """Rolling-origin back-test: fit on the data known at each origin, forecast ``months``
    ahead and report, for each number of months ahead, the share of origins whose actual
    total (and each placement group's) fell inside the 80% band, and the total's error."""
    chosen = rolling_origins(episodes, last_date, months, origins, spacing, data_start)
    if not chosen:
        raise BacktestError(f"no origin with a year of data before it and {months} months after it")
    segs = segments(episodes, config, last_date)
    inside_total, inside_group, occupied, ape, group_ape = [], [], [], [], []
    for origin in chosen:
        params = fit_until(episodes, origin, config, window=Window.ending(origin, window_months),
                           trend=trend, trend_damping=trend_damping,
                           data_start=data_start)  # fmt: skip
        result = run_forecast(params, months, simulations=simulations, seed=seed)
        actual = np.stack([stock_on(segs, config, day) for day in result.dates])
        by_group, total = actual.sum(axis=1), actual.sum(axis=(1, 2))
        groups, totals = result.group_percentiles, result.total_percentiles
        inside_total.append(_inside(totals[0], totals[2], total))
        inside_group.append(_inside(groups[0], groups[2], by_group))
        occupied.append((by_group > 0) | (groups[2] > 0))
        expected = result.expected.sum(axis=(1, 2))
        with np.errstate(divide="ignore", invalid="ignore"):
            ape.append(np.abs(expected - total) / total)
            group_ape.append(np.abs(result.expected.sum(axis=1) - by_group) / by_group)
        if progress is not None:
            progress(1)
    return RollingBacktest(
        chosen,
        _coverage_by_month(
            config,
            np.array(inside_total),
            np.array(inside_group),
            np.array(occupied),
            np.array(ape),
            np.array(group_ape),
        ),  # fmt: skip
        simulations,
    )


def _coverage_by_month(
    config: ModelConfig, total: np.ndarray, groups: np.ndarray, occupied: np.ndarray,
    ape: np.ndarray, group_ape: np.ndarray,
) -> list[HorizonCoverage]:  # fmt: skip
    """(origins, months) and (origins, months, G) inside-the-band flags -> by months ahead."""
    result = []
    for m in range(total.shape[1]):
        by_group: dict[str, float | None] = {}
        for g, key in enumerate(config.group_keys):
            seen = occupied[:, m, g]
            by_group[key] = float(groups[seen, m, g].mean()) if seen.any() else None
        errors = ape[:, m][np.isfinite(ape[:, m])]
        mape = float(100 * errors.mean()) if errors.size else None
        coverage = float(total[:, m].mean())
        group_mape = {key: _mean_percent(group_ape[:, m, g])
                      for g, key in enumerate(config.group_keys)}  # fmt: skip
        result.append(HorizonCoverage(m + 1, total.shape[0], coverage, by_group, mape, group_mape))
    return result


def _mean_percent(errors: np.ndarray) -> float | None:
    """Mean of the finite relative errors, in %; None when there are none."""
    finite = errors[np.isfinite(errors)]
    return float(100 * finite.mean()) if finite.size else None


def rolling_text(result: RollingBacktest) -> str:
    """Coverage of the 80% band by months ahead, for the total and each placement group."""
    keys = list(result.horizons[0].groups) if result.horizons else []
    first, last = result.origins[0], result.origins[-1]
    lines = [
        f"Rolling back-test: {len(result.origins)} forecasts from {first} to {last}, "
        f"{result.simulations} sample paths each; share of forecasts whose actual fell inside "
        "the 80% band (target 80%), by months ahead",
        f"{'months':>6} {'total':>6} {'error %':>8} " + " ".join(f"{k[:12]:>12}" for k in keys),
    ]
    for h in result.horizons:
        cells = " ".join("n/a".rjust(12) if h.groups[k] is None else f"{h.groups[k]:>12.0%}"
                         for k in keys)  # fmt: skip
        mape = "n/a" if h.total_mape is None else f"{h.total_mape:.1f}%"
        lines.append(f"{h.months:>6} {h.total:>6.0%} {mape:>8} {cells}")
    return "\n".join([*lines, *result.notes])


# -- choosing the exit model ----------------------------------------------------------------


@dataclass
class ExitComparison:
    """One exit model's rolling back-test, and its errors averaged over the months ahead."""

    variant: str
    rolling: RollingBacktest
    total_mape: float | None  # the total's, mean over months ahead
    group_mape: dict[str, float | None]  # each group's, mean over months ahead

    @property
    def mean_group_mape(self) -> float:
        """The placement groups' mean absolute % error (groups that had children)."""
        values = [v for v in self.group_mape.values() if v is not None]
        return float(np.mean(values)) if values else float("inf")

    def to_dict(self) -> dict[str, object]:
        return {"variant": self.variant, "total_mape": self.total_mape,
                "group_mape": self.group_mape, "mean_group_mape": self.mean_group_mape,
                "rolling": self.rolling.to_dict()}  # fmt: skip


def compare_exits(
    episodes: pd.DataFrame,
    last_date: dt.date,
    config: ModelConfig,
    *,
    variants: tuple[str, ...] = EXIT_VARIANT_NAMES,
    progress=None,
    **options: object,
) -> list[ExitComparison]:
    """The rolling back-test (``rolling_backtest``'s ``options``) once per exit model, on
    the same origins and random numbers, best first: lowest mean absolute error of the
    placement groups, then of the total; a tie goes to the simpler model (listed first)."""
    found = []
    for variant in variants:
        rolling = rolling_backtest(
            episodes, last_date, config.with_exits(variant), progress=progress, **options
        )  # type: ignore[arg-type]
        keys = config.group_keys
        group_mape = {k: _mean_of([h.group_mape.get(k) for h in rolling.horizons]) for k in keys}
        total = _mean_of([h.total_mape for h in rolling.horizons])
        found.append(ExitComparison(variant, rolling, total, group_mape))
    order = {v: i for i, v in enumerate(variants)}
    return sorted(
        found,
        key=lambda c: (
            round(c.mean_group_mape, 6),
            round(c.total_mape or 0.0, 6),
            order[c.variant],
        ),
    )


def _mean_of(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def compare_text(comparisons: list[ExitComparison]) -> str:
    """The comparison as plain text, best first."""
    lines = [f"{'exit model':<28} {'groups: mean abs. error':>24} {'total: mean abs. error':>23}"]
    for c in comparisons:
        total = "n/a" if c.total_mape is None else f"{c.total_mape:.2f}%"
        lines.append(f"{c.variant:<28} {c.mean_group_mape:>23.2f}% {total:>23}")
    return "\n".join(lines)
