"""One yearly flow model per LA, from referral to care, with 80% bands.

For the year ending 31 March ``Y`` (financial year ``Y-1``/``Y``)::

    referrals[Y]      a damped log trend
    cin_started[Y]  = referrals[Y] x assessed            (children-in-need episodes started)
    open[Y]         = cin_at31[Y-1] + cin_started[Y]     (children in need during the year)
    cin_at31[Y]     = open[Y] x (1 - closed)
    cpp_started[Y]  = open[Y] x protected                (child protection plans started)
    cpp_at31[Y]     = (cpp_at31[Y-1] + cpp_started[Y]) x (1 - cpp_ended)
    cla_started[Y]  = open[Y] x entering_care            (children starting to be looked after)
    cla_at31[Y]     = (cla_at31[Y-1] + cla_started[Y]) x (1 - leaving_care)

Each ratio is pooled over the last ``window`` years with figures (``annual.trend.fit_ratio``);
children entering care and child protection plans are rates per child in need during the
year, so fewer referrals (earlier help) and more children stepped down from statutory
services both mean fewer entering care. Rates per 10,000 use the ONS 0-17 mid-year estimate
of the year before (as DfE's), the last one held for the forecast years.

Uncertainty: each sample path draws the referral growth and a shock each year, and each
ratio's level and a year's noise; a model error calibrated by the published back-test widens
every measure as ``horizon ** error_power``. Percentiles come from the same paths.
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

MODEL_VERSION = "needs-flow-1"
MEASURES = (
    "referrals",
    "cin_started",
    "cin_at31",
    "cpp_started",
    "cpp_at31",
    "cla_started",
    "cla_at31",
)
STOCKS = ("cin_at31", "cpp_at31", "cla_at31")
RATIOS = ("assessed", "closed", "protected", "cpp_ended", "entering_care", "leaving_care")
RATIO_LABELS = {
    "assessed": "children-in-need episodes started per referral",
    "closed": "share of children in need during the year whose episode closed",
    "protected": "child protection plans started per child in need during the year",
    "cpp_ended": "share of child protection plans during the year that ended",
    "entering_care": "children starting to be looked after per child in need during the year",
    "leaving_care": "share of children looked after during the year who ceased",
}


class NeedsModelError(SeriesError):
    """Figures that cannot be fitted."""


@dataclass(frozen=True)
class NeedsOptions:
    window: int = 4
    damping: float = 0.5
    simulations: int = 1000
    seed: int = 0
    band_scale: float = 1.0
    error: float = 0.0  # model error of every measure: log sd one year ahead
    error_power: float = 1.0

    def to_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> NeedsOptions:
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise NeedsModelError(f"unknown model settings {unknown}: use {sorted(known)}")
        values = {
            k: (int(v) if known[k].type == "int" else float(v))  # type: ignore[call-overload,arg-type]
            for k, v in data.items()
        }
        return cls(**values)  # type: ignore[arg-type]


def load_options(path: Path | str | None = None, **overrides: object) -> NeedsOptions:
    """The model settings (the shipped, back-tested ones by default)."""
    source = path or Path(str(resources.files("csplan.demand.needs") / "data" / "model.yaml"))
    return NeedsOptions.from_dict(settings_file(source, overrides, NeedsModelError))


@dataclass
class NeedsFit:
    code: str
    name: str
    origin: int  # the last year ending 31 March fitted
    start: dict[str, float]  # stocks on 31 March of the origin year
    referrals: Trend
    ratios: dict[str, Ratio]
    population: int | None  # 0-17, the latest mid-year estimate
    history: dict[str, dict[int, int]] = field(default_factory=dict)
    options: NeedsOptions = field(default_factory=NeedsOptions)
    notes: list[str] = field(default_factory=list)

    @property
    def has_care(self) -> bool:
        return {"entering_care", "leaving_care"} <= set(self.ratios) and "cla_at31" in self.start

    def describe(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "origin": self.origin,
            "start": self.start,
            "referrals_trend": self.referrals.to_dict(),
            "ratios": {k: r.to_dict() for k, r in self.ratios.items()},
            "population_0_17": self.population,
            "options": self.options.to_dict(),
            "notes": self.notes,
        }


def fit_needs(
    area: AreaSeries, origin: int | None = None, options: NeedsOptions | None = None
) -> NeedsFit:
    options = options or NeedsOptions()
    years = sorted(y for y in area.series("cin_at31") if area.get("referrals", y) is not None)
    if origin is None:
        if not years:
            raise NeedsModelError(f"{area.name}: no children in need figures")
        origin = years[-1]
    if area.get("cin_at31", origin) is None or area.get("cpp_at31", origin) is None:
        raise NeedsModelError(
            f"{area.name}: no children in need or child protection figures "
            f"on 31 March {origin} to start from"
        )
    window = list(range(origin - options.window + 1, origin + 1))
    ratios = _ratios(area, window)
    for needed in ("assessed", "closed", "protected", "cpp_ended"):
        if needed not in ratios:
            raise NeedsModelError(
                f"{area.name}: too few consecutive years to the year ending "
                f"31 March {origin} to estimate the {RATIO_LABELS[needed]}"
            )
    referral_years = [y for y in sorted(area.series("referrals")) if y <= origin]
    recent = [
        area.get("referrals", y) or 0 for y in referral_years if y > origin - options.window - 1
    ]
    start = {m: float(area.get(m, origin) or 0) for m in STOCKS if area.get(m, origin) is not None}
    notes = []
    if "cla_at31" in start and not {"entering_care", "leaving_care"} <= set(ratios):
        notes.append("too few years of children looked after figures for the flow into care")
    population = area.series("population")
    latest = population[max(population)] if population else None
    return NeedsFit(
        code=area.code,
        name=area.name,
        origin=origin,
        start=start,
        referrals=fit_trend(recent, options.damping),
        ratios=ratios,
        population=latest,
        history={m: {y: v for y, v in area.series(m).items() if y <= origin} for m in MEASURES},
        options=options,
        notes=notes,
    )


def _ratios(area: AreaSeries, window: Sequence[int]) -> dict[str, Ratio]:
    pairs: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in RATIOS}

    def add(name: str, numerator: float, denominator: float) -> None:
        pairs[name][0].append(numerator)
        pairs[name][1].append(denominator)

    for year in window:
        v = {m: area.get(m, year) for m in (*MEASURES, "cla_ceased")}
        before = {m: area.get(m, year - 1) for m in STOCKS}
        if v["referrals"] and v["cin_started"] is not None:
            add("assessed", v["cin_started"], v["referrals"])
        if before["cin_at31"] is None or v["cin_started"] is None:
            continue
        open_ = before["cin_at31"] + v["cin_started"]
        if v["cin_at31"] is not None:
            add("closed", open_ - v["cin_at31"], open_)
        if v["cpp_started"] is not None:
            add("protected", v["cpp_started"], open_)
            if before["cpp_at31"] is not None and v["cpp_at31"] is not None:
                during = before["cpp_at31"] + v["cpp_started"]
                add("cpp_ended", during - v["cpp_at31"], during)
        if v["cla_started"] is not None:
            add("entering_care", v["cla_started"], open_)
            if before["cla_at31"] is not None and v["cla_at31"] is not None:
                during = before["cla_at31"] + v["cla_started"]
                add("leaving_care", during - v["cla_at31"], during)
    found = {}
    for name, (numerators, denominators) in pairs.items():
        if any(d > 0 for d in denominators):
            found[name] = fit_ratio(numerators, denominators, floor=0.0)
    return found


# --------------------------------------------------------------------------- forecast

# A scenario's hook: (year ending 31 March, the flows being formed) -> changed flows. The
# flows are arrays (P,) for "referrals", "closed", "protected", "entering_care" (rates) that
# the hook may change before the year is formed.
FlowAdjuster = Callable[[int, dict[str, np.ndarray]], dict[str, np.ndarray]]


@dataclass
class NeedsForecast:
    fit: NeedsFit
    years: list[int]
    expected: dict[str, np.ndarray]  # measure -> (H,)
    paths: dict[str, np.ndarray]  # measure -> (P, H)

    def bands(self, measure: str) -> np.ndarray | None:
        values = self.paths.get(measure)
        if values is None or not len(values):
            return None
        return percentiles(values)

    def rate(self, measure: str, index: int) -> float | None:
        """Expected rate per 10,000 children aged 0-17 (the latest population held)."""
        if not self.fit.population:
            return None
        return float(self.expected[measure][index]) * 10000 / self.fit.population

    @property
    def measures(self) -> list[str]:
        return [m for m in MEASURES if m in self.expected]


def forecast_needs(
    fit: NeedsFit,
    horizon: int = 5,
    adjusters: Sequence[FlowAdjuster] = (),
    simulations: int | None = None,
) -> NeedsForecast:
    options = fit.options
    count = options.simulations if simulations is None else simulations
    years = [fit.origin + h for h in range(1, horizon + 1)]
    point = {name: np.full((1, horizon), r.value) for name, r in fit.ratios.items()}
    expected = _run(fit, years, fit.referrals.expected(horizon)[None, :], point, adjusters)
    paths: dict[str, np.ndarray] = {}
    if count:
        rng = np.random.default_rng(options.seed)
        scale = options.band_scale
        referrals = fit.referrals.simulate(horizon, rng, count, scale)
        drawn = {
            name: np.clip(
                r.simulate(horizon, rng, count, scale),
                0.0,
                1.0 if name in ("closed", "cpp_ended", "leaving_care") else None,
            )
            for name, r in fit.ratios.items()
        }
        paths = _run(fit, years, referrals, drawn, adjusters)
        paths = _model_error(paths, options, rng, horizon)
    return NeedsForecast(fit, years, {m: v[0] for m, v in expected.items()}, paths)


def _run(
    fit: NeedsFit,
    years: list[int],
    referrals: np.ndarray,
    ratios: dict[str, np.ndarray],
    adjusters: Sequence[FlowAdjuster],
) -> dict[str, np.ndarray]:
    count, horizon = referrals.shape
    out = {m: np.zeros((count, horizon)) for m in MEASURES}
    cin = np.full(count, fit.start["cin_at31"])
    cpp = np.full(count, fit.start["cpp_at31"])
    care = np.full(count, fit.start.get("cla_at31", 0.0))
    for h, year in enumerate(years):
        flows = {"referrals": referrals[:, h], **{k: v[:, h] for k, v in ratios.items()}}
        for adjust in adjusters:
            flows = adjust(year, flows)
        started = flows["referrals"] * flows["assessed"]
        open_ = cin + started
        cin = open_ * (1 - flows["closed"])
        cpp_started = open_ * flows["protected"]
        cpp = (cpp + cpp_started) * (1 - flows["cpp_ended"])
        for name, value in (
            ("referrals", flows["referrals"]),
            ("cin_started", started),
            ("cin_at31", cin),
            ("cpp_started", cpp_started),
            ("cpp_at31", cpp),
        ):
            out[name][:, h] = value
        if fit.has_care:
            entering = open_ * flows["entering_care"]
            care = (care + entering) * (1 - flows["leaving_care"])
            out["cla_started"][:, h] = entering
            out["cla_at31"][:, h] = care
    if not fit.has_care:
        out.pop("cla_started")
        out.pop("cla_at31")
    return out


def _model_error(
    paths: dict[str, np.ndarray], options: NeedsOptions, rng: np.random.Generator, horizon: int
) -> dict[str, np.ndarray]:
    if not options.error:
        return paths
    growth = np.arange(1, horizon + 1) ** options.error_power
    count = next(iter(paths.values())).shape[0]
    return {
        m: v * np.exp(options.error * growth[None, :] * rng.standard_normal((count, 1)))
        for m, v in paths.items()
    }


def truncated(area: AreaSeries, origin: int) -> AreaSeries:
    """``area`` with only the years up to ``origin`` (for back-tests)."""
    values = {
        m: {y: v for y, v in by.items() if y <= origin or m == "population"}
        for m, by in area.values.items()
    }
    return replace(area, values=values, notes={})
