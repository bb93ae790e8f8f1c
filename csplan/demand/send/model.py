"""A stock-and-flow forecast of EHC plans by setting, with 80% bands.

Each January's plans in a setting group are last January's, less those that left the group
during the year (ceased, or moved to another setting), plus the new plans of the calendar
year that went to it::

    plans[g, y+1] = plans[g, y] x (1 - leaving[g]) + new_plans[y] x mix[g]

Fitted on the last ``window`` years before the origin (the last January used):

- ``leaving[g]``: the net rate of leaving group g in a year, pooled over the window:
  (plans[g, y] + new[g, y] - plans[g, y+1]) / plans[g, y]. It is net of moves between
  settings, so it is negative for a group that children move into faster than they leave
  (independent special schools, often);
- ``new_plans``: a damped log trend of the calendar-year total (``annual.trend``);
- ``mix[g]``: the groups' shares of new plans over the last two calendar years.

The age split of a forecast group is the group's age mix in the latest January published by
age (DfE publishes age by setting from 2023/24): an expected figure, without a band.

Uncertainty: each of ``simulations`` sample paths (fixed seed) draws the new-plan growth once
and a shock each year, and each group's leaving rate (its level once, and a year's noise);
the 10th and 90th percentiles of every figure and every total come from the same paths.
``band_scale`` widens or narrows all the drawn spreads; its default is chosen by the
published back-test (``benchmarks/send_backtest.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path

import numpy as np

from csplan.demand.annual.scenarios import settings_file
from csplan.demand.annual.series import AreaSeries, SeriesError
from csplan.demand.annual.trend import Ratio, Trend, fit_ratio, fit_trend, percentiles
from csplan.demand.send import settings as st

GROUPS = st.GROUP_KEYS
MODEL_VERSION = "send-stock-flow-1"
LEAVING_LIMITS = (-0.5, 0.9)

# A scenario's hook: (the forecast year's January, new plans (P, G), plans staying (P, G))
# -> new arrays; applied before the year's total is formed.
PlanAdjuster = Callable[[int, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class SendModelError(SeriesError):
    """Figures that cannot be fitted (too few years, no plans)."""


@dataclass(frozen=True)
class SendOptions:
    """How the model is fitted and how wide its bands are. The shipped defaults
    (``data/model.yaml``) were chosen by the published back-test."""

    window: int = 3  # years (transitions) used for leaving rates and the new-plan trend
    damping: float = 0.5
    simulations: int = 1000
    seed: int = 0
    band_scale: float = 1.0  # spreads of the new-plan trend and of leaving overall
    group_scale: float = 1.0  # spreads of the groups' leaving rates
    mix_years: int = 2
    total_error: float = 0.0  # model error of all plans: log sd one year ahead
    share_error: tuple[tuple[str, float], ...] = ()  # model error of each group's share
    error_power: float = 1.0  # the model error grows as horizon ** power

    def to_dict(self) -> dict[str, object]:
        return {
            "window": self.window,
            "damping": self.damping,
            "simulations": self.simulations,
            "seed": self.seed,
            "band_scale": self.band_scale,
            "group_scale": self.group_scale,
            "mix_years": self.mix_years,
            "total_error": self.total_error,
            "share_error": dict(self.share_error),
            "error_power": self.error_power,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SendOptions:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SendModelError(f"unknown model settings {unknown}: use {sorted(known)}")
        values = dict(data)
        if "share_error" in values:
            shares = values["share_error"]
            if not isinstance(shares, Mapping) or set(shares) - set(GROUPS):
                raise SendModelError(
                    f"share_error must map setting groups ({', '.join(GROUPS)}) to numbers"
                )
            values["share_error"] = tuple((g, float(shares[g])) for g in GROUPS if g in shares)
        for name in ("window", "simulations", "seed", "mix_years"):
            if name in values:
                values[name] = int(values[name])  # type: ignore[call-overload]
        for name in ("damping", "band_scale", "group_scale", "total_error", "error_power"):
            if name in values:
                values[name] = float(values[name])  # type: ignore[arg-type]
        return cls(**values)  # type: ignore[arg-type]


def default_options_path() -> Path:
    return Path(str(resources.files("csplan.demand.send") / "data" / "model.yaml"))


def load_options(path: Path | str | None = None, **overrides: object) -> SendOptions:
    """The model settings from a YAML file (the shipped, back-tested ones by default)."""
    source = path if path is not None else default_options_path()
    return SendOptions.from_dict(settings_file(source, overrides, SendModelError))


@dataclass
class SendFit:
    code: str
    name: str
    origin: int  # the January of the last plans used
    stock: np.ndarray  # (G,) plans in January ``origin``
    new_trend: Trend
    mix: np.ndarray  # (G,) shares of new plans
    leaving: tuple[Ratio, ...]  # by group
    total_leaving: Ratio  # of all plans: the groups' staying plans are scaled to it
    age_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    age_year: int | None = None
    history: dict[int, dict[str, int]] = field(default_factory=dict)  # January -> group -> plans
    new_history: dict[int, dict[str, int]] = field(default_factory=dict)
    options: SendOptions = field(default_factory=SendOptions)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "origin": self.origin,
            "plans_at_origin": {g: int(v) for g, v in zip(GROUPS, self.stock, strict=True)},
            "new_plans_trend": self.new_trend.to_dict(),
            "new_plans_mix": {g: round(float(v), 4) for g, v in zip(GROUPS, self.mix, strict=True)},
            "leaving_rates": {g: r.to_dict() for g, r in zip(GROUPS, self.leaving, strict=True)},
            "leaving_rate_all_plans": self.total_leaving.to_dict(),
            "age_year": self.age_year,
            "options": self.options.to_dict(),
            "notes": self.notes,
        }


def _plans(area: AreaSeries, year: int) -> np.ndarray | None:
    values = [area.get(st.plans(g), year) for g in GROUPS]
    if any(v is None for v in values):
        return None
    return np.array(values, dtype=float)


def _new(area: AreaSeries, year: int) -> np.ndarray | None:
    values = [area.get(st.new_plans(g), year) for g in GROUPS]
    if any(v is None for v in values):
        return None
    return np.array(values, dtype=float)


def january_years(area: AreaSeries) -> list[int]:
    return [y for y in sorted(area.values.get(st.plans(), {})) if _plans(area, y) is not None]


def fit_send(
    area: AreaSeries, origin: int | None = None, options: SendOptions | None = None
) -> SendFit:
    """Fit the model on ``area``'s figures up to January ``origin`` (default: the latest)."""
    options = options or SendOptions()
    years = january_years(area)
    if origin is None:
        if not years:
            raise SendModelError(f"{area.name}: no EHC plans by setting in any January")
        origin = years[-1]
    if origin not in years:
        raise SendModelError(f"{area.name}: no EHC plans by setting in January {origin}")
    transitions = [y for y in years if y < origin and y + 1 in years and _new(area, y) is not None][
        -options.window :
    ]
    if not transitions:
        raise SendModelError(
            f"{area.name}: to forecast from January {origin} the model needs the plans of an "
            "earlier January and the new plans of the year between (DfE's caseload.csv and "
            "newplans.csv)"
        )
    notes: list[str] = []
    leaving = tuple(_leaving(area, transitions, index) for index in range(len(GROUPS)))
    total_leaving = _leaving(area, transitions, None)
    new_years = [
        y
        for y in sorted(area.values.get(st.new_plans(), {}))
        if y < origin and _new(area, y) is not None
    ]
    trend_values = [float(area.get(st.new_plans(), y) or 0) for y in new_years]
    trend = fit_trend(trend_values[-(options.window + 1) :], options.damping)
    mix_years = new_years[-options.mix_years :]
    pooled = sum((_new(area, y) for y in mix_years), np.zeros(len(GROUPS)))
    mix = pooled / pooled.sum() if pooled.sum() > 0 else np.full(len(GROUPS), 1 / len(GROUPS))
    shares, age_year = _age_shares(area, origin)
    stock = _plans(area, origin)
    assert stock is not None
    if stock.sum() > 0 and stock[GROUPS.index("other")] / stock.sum() > 0.25:
        notes.append(
            f"{stock[GROUPS.index('other')] / stock.sum():.0%} of January {origin}'s "
            "plans are in 'other' settings (including placements not recorded): the "
            "split by setting is less reliable"
        )
    return SendFit(
        code=area.code,
        name=area.name,
        origin=origin,
        stock=stock,
        new_trend=trend,
        mix=mix,
        leaving=leaving,
        total_leaving=total_leaving,
        age_shares=shares,
        age_year=age_year,
        history={
            y: dict(zip(GROUPS, map(int, _plans(area, y)), strict=True))  # type: ignore[arg-type]
            for y in years
            if y <= origin
        },
        new_history={
            y: dict(zip(GROUPS, map(int, _new(area, y)), strict=True))  # type: ignore[arg-type]
            for y in new_years
        },
        options=options,
        notes=notes,
    )


def _leaving(area: AreaSeries, transitions: Sequence[int], index: int | None) -> Ratio:
    """The net rate of leaving group ``index`` (None: all plans), within ``LEAVING_LIMITS``:
    a group's plans rarely grow by moves in by more than half in a year, and a bigger
    figure is a change in how settings were recorded, not a trend to project."""
    leaving, plans = [], []
    for year in transitions:
        before, after, new = _plans(area, year), _plans(area, year + 1), _new(area, year)
        assert before is not None and after is not None and new is not None
        pick = (lambda v: v.sum()) if index is None else (lambda v: v[index])  # noqa: E731
        leaving.append(pick(before) + pick(new) - pick(after))
        plans.append(pick(before))
    try:
        ratio = fit_ratio(leaving, plans)
    except ValueError:
        return Ratio(0.0, 0.0, 0)  # no plans in the group: nothing leaves
    low, high = LEAVING_LIMITS
    return Ratio(min(max(ratio.value, low), high), min(ratio.spread, high - low), ratio.years)


def _age_shares(area: AreaSeries, origin: int) -> tuple[dict[str, dict[str, float]], int | None]:
    years = sorted(y for y in area.values.get(st.plans("all", st.BAND_KEYS[0]), {}) if y <= origin)
    for year in reversed(years):
        shares = {}
        for group in GROUPS:
            counts = [area.get(st.plans(group, band), year) or 0 for band in st.BAND_KEYS]
            total = sum(counts)
            if total:
                shares[group] = {b: c / total for b, c in zip(st.BAND_KEYS, counts, strict=True)}
        if shares:
            return shares, year
    return {}, None


# --------------------------------------------------------------------------- forecast


@dataclass
class SendForecast:
    fit: SendFit
    years: list[int]  # the Januaries forecast
    expected: np.ndarray  # (H, G)
    new_expected: np.ndarray  # (H, G) new plans in the calendar year before each January
    paths: np.ndarray  # (P, H, G) sample paths (P may be 0)

    @property
    def total_expected(self) -> np.ndarray:
        return self.expected.sum(axis=1)

    def bands(self, group: str | None = None) -> np.ndarray | None:
        """10th, 50th and 90th percentiles (3, H) of a group, or of the total (None if no
        simulations)."""
        if not len(self.paths):
            return None
        values = self.paths.sum(axis=2) if group is None else self.paths[:, :, GROUPS.index(group)]
        return percentiles(values)

    def by_age(self, index: int) -> dict[str, dict[str, float]]:
        """Expected plans by group and age band in forecast year ``index`` (empty if the data
        have no ages)."""
        return {
            group: {
                band: float(self.expected[index, g]) * share
                for band, share in self.fit.age_shares[group].items()
            }
            for g, group in enumerate(GROUPS)
            if group in self.fit.age_shares
        }


def forecast_send(
    fit: SendFit,
    horizon: int = 5,
    adjusters: Sequence[PlanAdjuster] = (),
    simulations: int | None = None,
) -> SendForecast:
    """Expected plans and sample paths for the ``horizon`` Januaries after the origin."""
    options = fit.options
    count = options.simulations if simulations is None else simulations
    years = [fit.origin + h for h in range(1, horizon + 1)]
    new_total = fit.new_trend.expected(horizon)[None, :]
    leaving = np.array([[r.value for r in fit.leaving]])[:, None, :].repeat(horizon, axis=1)
    all_leaving = np.full((1, horizon), fit.total_leaving.value)
    expected, new_expected = _propagate(fit, years, new_total, leaving, all_leaving, adjusters)
    paths = np.zeros((0, horizon, len(GROUPS)))
    if count:
        rng = np.random.default_rng(options.seed)
        scale = options.band_scale
        new_paths = fit.new_trend.simulate(horizon, rng, count, scale)
        rates = np.stack(
            [r.simulate(horizon, rng, count, options.group_scale) for r in fit.leaving], axis=2
        )
        all_rates = fit.total_leaving.simulate(horizon, rng, count, scale)
        paths, _ = _propagate(
            fit,
            years,
            new_paths,
            np.clip(rates, -1.0, 1.0),
            np.clip(all_rates, -1.0, 1.0),
            adjusters,
        )
        paths = _model_error(paths, options, rng)
    return SendForecast(fit, years, expected[0], new_expected[0], paths)


def _model_error(paths: np.ndarray, options: SendOptions, rng: np.random.Generator) -> np.ndarray:
    """The error the back-test finds beyond the drawn parameters: each group's share moves
    by a log-normal factor (the total kept), then the total by another; both grow with the
    horizon as ``horizon ** error_power`` and last along the path."""
    count, horizon, groups = paths.shape
    growth = np.arange(1, horizon + 1) ** options.error_power  # (H,)
    shares = dict(options.share_error)
    sigma = np.array([shares.get(g, 0.0) for g in GROUPS])
    if sigma.any():
        z = rng.standard_normal((count, 1, groups))
        moved = paths * np.exp(sigma[None, None, :] * growth[None, :, None] * z)
        before, after = paths.sum(axis=2), moved.sum(axis=2)
        paths = (
            moved * np.divide(before, after, out=np.ones_like(before), where=after > 0)[:, :, None]
        )
    if options.total_error:
        z_total = rng.standard_normal((count, 1))
        paths = paths * np.exp(options.total_error * growth[None, :] * z_total)[:, :, None]
    return paths


def _propagate(
    fit: SendFit,
    years: list[int],
    new_total: np.ndarray,
    leaving: np.ndarray,
    all_leaving: np.ndarray,
    adjusters: Sequence[PlanAdjuster],
) -> tuple[np.ndarray, np.ndarray]:
    """Plans (P, H, G) and new plans (P, H, G) from new-plan totals (P, H), the groups'
    leaving rates (P, H, G) and the leaving rate of all plans (P, H): the groups' staying
    plans are scaled so that they add to the plans staying overall."""
    paths = new_total.shape[0]
    stock = np.repeat(fit.stock[None, :], paths, axis=0)
    out = np.zeros((paths, len(years), len(GROUPS)))
    new_out = np.zeros_like(out)
    for h, year in enumerate(years):
        staying = np.maximum(stock * (1 - leaving[:, h, :]), 0.0)
        target = stock.sum(axis=1) * (1 - all_leaving[:, h])
        found = staying.sum(axis=1)
        scale = np.divide(target, found, out=np.ones_like(found), where=found > 0)
        staying = staying * np.maximum(scale, 0.0)[:, None]
        new = new_total[:, h, None] * fit.mix[None, :]
        for adjust in adjusters:
            new, staying = adjust(year, new, staying)
        stock = np.maximum(staying + new, 0.0)
        out[:, h, :] = stock
        new_out[:, h, :] = new
    return out, new_out


def truncated(area: AreaSeries, origin: int) -> AreaSeries:
    """``area`` as it was published with January ``origin`` the latest plans: later plans and
    flows of calendar year ``origin`` onwards removed (for back-tests)."""
    values: dict[str, dict[int, int | None]] = {}
    for measure, by_year in area.values.items():
        limit = origin if measure.startswith("plans") else origin - 1
        values[measure] = {y: v for y, v in by_year.items() if y <= limit}
    return replace(area, values=values, notes={})
