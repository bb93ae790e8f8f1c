"""Scenarios: named, composable adjustments to a baseline forecast, and their saving.

A scenario is data (``Scenario.to_dict`` / ``from_dict``, YAML or JSON files). Applying it
returns new model parameters with time-varying adjusters; the baseline is never changed.
Each adjustment has a start date and a ramp: it takes effect from the first month that
begins on or after ``start``, reaching full effect after ``ramp_months`` months (a straight
line, constant within each month so the forecast stays independent of the step size).

Kinds of adjustment (``kind`` and its fields):

- ``entry_rate``: ``multiply`` the expected number of entrants, and/or ``add`` children a
  month (spread like the baseline's entrants);
- ``in_house_share``: move ``share`` (0-1) of the entrants who would go to ``from_group``
  (default ``foster_ifa``) to ``to_group`` (default ``foster_in_house``);
- ``length_of_stay``: ``multiply`` the length of stay (exit rates are divided by it),
  optionally only for ``groups``;
- ``step_down``: ``add`` a rate (a share of children a year) of moving from ``groups``
  (default both residential groups) to ``to_group`` (default ``foster_in_house``);
- ``unit_cost``: ``multiply`` the weekly unit cost of ``groups``.

``scenario_saving(baseline, scenario)`` is the baseline cost less the scenario cost for each
financial year (a positive number is a saving), from the expected values (so it does not
depend on the simulations). ``saving_band`` gives its p10, p50 and p90 from the sample paths:
the baseline and the scenario are run with the same seed (common random numbers), so the band
is the distribution of the difference path by path. ``evidence_record`` holds everything
needed to recompute the saving and ``reproduce`` does so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from csplan import __version__
from csplan.core.periods import FinancialYear
from csplan.demand.config import ModelConfig, parse_config
from csplan.demand.costs import (
    Assumptions,
    YearCost,
    forecast_costs,
    load_assumptions,
    money_band,
)
from csplan.demand.forecast import (
    DEFAULT_SIMULATIONS,
    ForecastResult,
    ModelParameters,
    fit,
    run_forecast,
)
from csplan.demand.rates import DAYS_PER_YEAR, TREND_DAMPING_YEARS, Window
from csplan.demand.states import day_date

KINDS = ("entry_rate", "in_house_share", "length_of_stay", "step_down", "unit_cost")
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


class ScenarioError(ValueError):
    """A scenario that cannot be read or applied (the message names the field)."""


class ReproductionError(AssertionError):
    """Recomputing an evidence record did not give the same numbers."""


@dataclass(frozen=True)
class Adjustment:
    kind: str
    start: dt.date
    ramp_months: int = 0
    multiply: float | None = None
    add: float | None = None
    share: float | None = None
    groups: tuple[str, ...] = ()
    from_group: str | None = None
    to_group: str | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScenarioError(f"unknown adjustment kind {self.kind!r}: one of {', '.join(KINDS)}")
        if self.ramp_months < 0:
            raise ScenarioError("ramp_months must be 0 or more")
        needs = {"entry_rate": ("multiply", "add"), "in_house_share": ("share",),
                 "length_of_stay": ("multiply",), "step_down": ("add",),
                 "unit_cost": ("multiply",)}[self.kind]  # fmt: skip
        if all(getattr(self, name) is None for name in needs):
            raise ScenarioError(f"{self.kind} needs {' or '.join(needs)}")
        if self.share is not None and not 0 <= self.share <= 1:
            raise ScenarioError("share must be between 0 and 1")
        if self.kind == "length_of_stay" and self.multiply is not None and self.multiply <= 0:
            raise ScenarioError("length_of_stay multiply must be more than 0")

    def effect(self, day: int) -> float:
        """Share of the full effect in the month that starts on ``day`` (0 to 1)."""
        month = day_date(day)
        start = self.start
        first = start if start.day == 1 else (pd.Timestamp(start) + pd.offsets.MonthBegin(1)).date()
        elapsed = (month.year - first.year) * 12 + month.month - first.month
        if elapsed < 0:
            return 0.0
        if self.ramp_months == 0:
            return 1.0
        return min(1.0, (elapsed + 1) / self.ramp_months)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "start": self.start.isoformat(),
                               "ramp_months": self.ramp_months}  # fmt: skip
        for name in ("multiply", "add", "share", "from_group", "to_group", "label"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        if self.groups:
            out["groups"] = list(self.groups)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Adjustment:
        known = {f.name for f in fields(cls)} | {"ramp_years"}
        unknown = set(data) - known
        if unknown:
            raise ScenarioError(f"unknown adjustment fields {sorted(unknown)}")
        try:
            ramp = int(data.get("ramp_months", 0) or 0)
            if "ramp_years" in data:
                ramp = int(round(float(data["ramp_years"]) * 12))
            return cls(
                kind=str(data["kind"]),
                start=_date(data["start"]),
                ramp_months=ramp,
                multiply=_float(data.get("multiply")),
                add=_float(data.get("add")),
                share=_float(data.get("share")),
                groups=tuple(str(g) for g in data.get("groups", []) or []),
                from_group=data.get("from_group"),
                to_group=data.get("to_group"),
                label=str(data.get("label", "")),
            )
        except KeyError as error:
            raise ScenarioError(f"adjustment {data!r} needs {error.args[0]}") from None
        except (TypeError, ValueError) as error:
            raise ScenarioError(f"adjustment {data!r}: {error}") from None


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _float(value: object) -> float | None:
    return None if value is None or value == "" else float(str(value))


@dataclass(frozen=True)
class Scenario:
    name: str
    adjustments: tuple[Adjustment, ...] = ()
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description,
                "adjustments": [a.to_dict() for a in self.adjustments]}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        if not isinstance(data, dict) or "name" not in data:
            raise ScenarioError("a scenario needs a name and a list of adjustments")
        items = data.get("adjustments") or []
        if not isinstance(items, list):
            raise ScenarioError("adjustments must be a list")
        return cls(str(data["name"]), tuple(Adjustment.from_dict(i) for i in items),
                   str(data.get("description", "") or ""))  # fmt: skip

    def combine(self, other: Scenario, name: str | None = None) -> Scenario:
        """Both scenarios' adjustments (they compose: each applies to the other's result)."""
        return Scenario(name or f"{self.name} + {other.name}",
                        self.adjustments + other.adjustments)  # fmt: skip

    def save(self, path: Path | str) -> None:
        target = Path(path)
        if target.suffix.lower() == ".json":
            target.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")
        else:
            target.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> Scenario:
        source = Path(path)
        text = source.read_text(encoding="utf-8")
        data = json.loads(text) if source.suffix.lower() == ".json" else yaml.safe_load(text)
        return cls.from_dict(data)

    def check(self, config: ModelConfig) -> None:
        for a in self.adjustments:
            for key in (*a.groups, a.from_group, a.to_group):
                if key is not None:
                    config.group_index(key)

    def apply(self, params: ModelParameters) -> ModelParameters:
        """New parameters with this scenario's rate adjustments (``params`` is unchanged)."""
        self.check(params.config)
        adjusters = [_rate_adjuster(a, params.config) for a in self.adjustments
                     if a.kind != "unit_cost"]  # fmt: skip
        return params.with_adjusters(adjusters)

    def cost_adjusters(self, config: ModelConfig) -> tuple:
        return tuple(_cost_adjuster(a, config) for a in self.adjustments if a.kind == "unit_cost")


def scenario_from_dict(data: dict[str, Any]) -> Scenario:
    return Scenario.from_dict(data)


# -- adjusters ------------------------------------------------------------------------------


def _indices(config: ModelConfig, keys: Sequence[str], default: Sequence[str]) -> list[int]:
    return [config.group_index(k) for k in (keys or default)]


def _rate_adjuster(a: Adjustment, config: ModelConfig):
    n_groups = len(config.groups)

    def adjust(hazards: np.ndarray, cells: np.ndarray, day: int):
        f = a.effect(day)
        if f == 0.0:
            return hazards, cells
        if a.kind == "entry_rate":
            cells = cells * (1 + ((a.multiply or 1.0) - 1) * f)
            if a.add:
                total = cells.sum(axis=(-2, -1), keepdims=True)
                extra = a.add * f / DAYS_PER_MONTH
                cells = cells * (1 + np.divide(extra, total, out=np.zeros_like(total),
                                               where=total > 0))  # fmt: skip
        elif a.kind == "in_house_share":
            source = config.group_index(a.from_group or "foster_ifa")
            target = config.group_index(a.to_group or "foster_in_house")
            cells = cells.copy()
            moved = cells[..., source] * (a.share or 0.0) * f
            cells[..., source] -= moved
            cells[..., target] += moved
        elif a.kind == "length_of_stay":
            rows = _indices(config, a.groups, config.group_keys)
            hazards = hazards.copy()
            factor = 1 / (1 + ((a.multiply or 1.0) - 1) * f)
            hazards[..., rows, n_groups] *= factor
        elif a.kind == "step_down":
            rows = _indices(config, a.groups, ["residential_in_house", "residential_external"])
            target = config.group_index(a.to_group or "foster_in_house")
            hazards = hazards.copy()
            hazards[..., rows, target] += (a.add or 0.0) * f / DAYS_PER_YEAR
        return hazards, cells

    # Every age and band is treated alike (the cells are scaled, or moved between groups, in
    # proportion), so the forecast may adjust the cells summed over each band's ages.
    adjust.rows_alike = True  # type: ignore[attr-defined]
    return adjust


def _cost_adjuster(a: Adjustment, config: ModelConfig):
    rows = _indices(config, a.groups, config.group_keys)

    def adjust(day: int) -> np.ndarray:
        factor = np.ones(len(config.groups))
        factor[rows] = 1 + ((a.multiply or 1.0) - 1) * a.effect(day)
        return factor

    return adjust


# -- running, saving and evidence -----------------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    """Everything besides the data that fixes a forecast's numbers."""

    months: int = 60
    window: Window | None = None  # default: the 24 months to the last date
    seed: int = 0
    simulations: int = DEFAULT_SIMULATIONS
    trend: bool = True
    step_days: int | None = None  # None: monthly steps
    # years over which the entry trend is damped (None: undamped, as records made before
    # damping existed were run and are reproduced)
    trend_damping: float | None = TREND_DAMPING_YEARS

    def to_dict(self, last_date: dt.date) -> dict[str, Any]:
        window = self.window or Window.ending(last_date, 24)
        return {"months": self.months, "reference_window": window.to_dict(), "seed": self.seed,
                "simulations": self.simulations, "entry_trend": self.trend,
                "entry_trend_damping_years": self.trend_damping,
                "step": f"{self.step_days} days" if self.step_days else "month"}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOptions:
        window = data.get("reference_window")
        step = str(data.get("step", "month"))
        return cls(
            months=int(data.get("months", 60)),
            window=Window(_date(window["first"]), _date(window["last"])) if window else None,
            seed=int(data.get("seed", 0)),
            simulations=int(data.get("simulations", DEFAULT_SIMULATIONS)),
            trend=bool(data.get("entry_trend", True)),
            step_days=None if step == "month" else int(step.split()[0]),
            trend_damping=_float(data.get("entry_trend_damping_years")),
        )


@dataclass
class CostedForecast:
    result: ForecastResult
    costs: dict[FinancialYear, YearCost]


@dataclass
class ScenarioRun:
    baseline: CostedForecast
    scenario: CostedForecast
    saving: dict[FinancialYear, Decimal]
    evidence: dict[str, Any] = field(default_factory=dict)
    # p10, p50, p90 of the saving in each year (none without simulations)
    saving_band: dict[FinancialYear, tuple[Decimal, Decimal, Decimal]] = field(default_factory=dict)


def costed(
    params: ModelParameters, options: RunOptions, assumptions: Assumptions,
    cost_adjusters: tuple = (), progress=None,
) -> CostedForecast:  # fmt: skip
    result = run_forecast(
        params,
        options.months,
        simulations=options.simulations,
        seed=options.seed,
        step_days=options.step_days,
        progress=progress,
    )
    return CostedForecast(result, forecast_costs(result, assumptions, cost_adjusters))


def scenario_saving(
    baseline: CostedForecast, scenario: CostedForecast
) -> dict[FinancialYear, Decimal]:
    """Baseline cost less scenario cost in each financial year (positive = a saving)."""
    return {year: cost.total - scenario.costs[year].total for year, cost in baseline.costs.items()}


def saving_band(
    baseline: CostedForecast, scenario: CostedForecast
) -> dict[FinancialYear, tuple[Decimal, Decimal, Decimal]]:
    """p10, p50 and p90 of the saving in each financial year: the distribution, over the
    sample paths, of the baseline's cost less the scenario's on the same path. Both runs use
    the same seed, so each path has the same random numbers on both sides (common random
    numbers) and the band is that of the difference, not of two independent runs. Each
    percentile is rounded once to pence when it becomes money; empty without paths."""
    band = {}
    for year, cost in baseline.costs.items():
        other = scenario.costs.get(year)
        if cost.path_totals is None or other is None or other.path_totals is None:
            continue
        band[year] = money_band(cost.path_totals - other.path_totals)
    return band


# The baseline forecasts of the last few scenario runs (in this process), by everything that
# fixes their numbers: a re-run of another scenario on the same returns and options (the web's
# evidence page) forecasts only the scenario. About 8 MB each at 500 paths and 60 months.
BASELINES_KEPT = 4
_BASELINES: OrderedDict[tuple, ForecastResult] = OrderedDict()
# and their fitted parameters (never changed: a scenario's adjusters make new parameters)
_FITS: OrderedDict[tuple, ModelParameters] = OrderedDict()


_KEPT_LOCK = threading.Lock()  # a server may run requests in threads


def _remember(kept: OrderedDict, key: tuple, value: Any) -> None:
    with _KEPT_LOCK:
        kept[key] = value
        kept.move_to_end(key)
        while len(kept) > BASELINES_KEPT:
            kept.popitem(last=False)


def _recall(kept: OrderedDict, key: tuple | None) -> Any:
    if key is None:
        return None
    with _KEPT_LOCK:
        value = kept.get(key)
        if value is not None:
            kept.move_to_end(key)
        return value


def _baseline_key(
    data_hash: str, last_date: dt.date, config: ModelConfig, options: RunOptions,
    population: pd.DataFrame | None,
) -> tuple | None:  # fmt: skip
    """What fixes a baseline forecast's numbers besides the code: the data (by their hash;
    None without one, so nothing is remembered), the last date, the model configuration, the
    run options and the population projection."""
    if not data_hash:
        return None
    people = None
    if population is not None:
        people = hashlib.sha256(population.to_csv(index=False).encode()).hexdigest()
    return (data_hash, last_date, config.hash, options, people)


def forget_baselines() -> None:
    """Forget the remembered baseline forecasts and fits (``run_scenario`` makes them again)."""
    with _KEPT_LOCK:
        _BASELINES.clear()
        _FITS.clear()


def run_scenario(
    episodes: pd.DataFrame,
    last_date: dt.date,
    scenario: Scenario,
    *,
    config: ModelConfig,
    assumptions: Assumptions | None = None,
    options: RunOptions | None = None,
    population: pd.DataFrame | None = None,
    data_hash: str = "",
    progress=None,
) -> ScenarioRun:
    """Fit, forecast the baseline and the scenario, cost both and take the difference. The
    baseline forecast is remembered for the last few returns and options (``_baseline_key``)
    and not made again for another scenario on them (the same numbers: the same seed)."""
    options = options or RunOptions()
    assumptions = assumptions or load_assumptions()
    key = _baseline_key(data_hash, last_date, config, options, population)
    # The fit depends on the same things but the forecast's months, seed, paths and steps.
    fit_key = None if key is None else (*key[:3], options.window, options.trend,
                                        options.trend_damping, key[4])  # fmt: skip
    params = _recall(_FITS, fit_key)
    if params is None:
        params = fit(episodes, last_date, config, window=options.window, population=population,
                     trend=options.trend, trend_damping=options.trend_damping,
                     data_hash=data_hash)  # fmt: skip
        if fit_key is not None:
            _remember(_FITS, fit_key, params)
    remembered = _recall(_BASELINES, key)
    if remembered is not None:
        baseline = CostedForecast(remembered, forecast_costs(remembered, assumptions))
        if progress is not None:
            progress(options.months)
    else:
        baseline = costed(params, options, assumptions, progress=progress)
        if key is not None:
            _remember(_BASELINES, key, baseline.result)
    adjusted = scenario.apply(params)
    run = costed(adjusted, options, assumptions, scenario.cost_adjusters(config), progress)
    saving = scenario_saving(baseline, run)
    band = saving_band(baseline, run)
    record = _evidence(scenario, options, config, assumptions, population, last_date,
                       data_hash, baseline, run, saving)  # fmt: skip
    if band:
        record["parameters"]["saving_band"] = {
            year.label: dict(zip(("p10", "p50", "p90"), map(str, values), strict=True))
            for year, values in sorted(band.items())
        }
    return ScenarioRun(baseline, run, saving, record, band)


def _money(costs: dict[FinancialYear, Any]) -> dict[str, str]:
    return {year.label: str(getattr(v, "total", v)) for year, v in sorted(costs.items())}


def _evidence(
    scenario: Scenario, options: RunOptions, config: ModelConfig, assumptions: Assumptions,
    population: pd.DataFrame | None, last_date: dt.date, data_hash: str,
    baseline: CostedForecast, run: CostedForecast, saving: dict[FinancialYear, Decimal],
) -> dict[str, Any]:  # fmt: skip
    partial = [y.label for y, c in baseline.costs.items() if c.partial]
    return {
        "title": f"Demand model scenario: {scenario.name}",
        "summary": (
            f"Placement cost saving against the baseline forecast from {last_date}; "
            f"expected values; partial years: {', '.join(partial) or 'none'}"
        ),
        "savings": _money(saving),
        "data_hash": data_hash,
        "parameters": {
            "csplan_version": __version__,
            "last_date": last_date.isoformat(),
            **options.to_dict(last_date),
            "config": config.text,
            "config_hash": config.hash,
            "assumptions": assumptions.text,
            "assumptions_hash": assumptions.hash,
            "population": None if population is None else population.to_dict("records"),
            "scenario": scenario.to_dict(),
            "baseline_cost": _money(baseline.costs),
            "scenario_cost": _money(run.costs),
            "partial_years": partial,
        },
    }


def reproduce(evidence: dict[str, Any], returns: Any) -> ScenarioRun:
    """Recompute an evidence record from the same returns; raise if anything differs."""
    p = evidence["parameters"]
    if evidence.get("data_hash") and returns.data_hash != evidence["data_hash"]:
        raise ReproductionError(
            f"the data differ: hash {returns.data_hash[:12]} is not {evidence['data_hash'][:12]}"
        )
    last_date = _date(p["last_date"])
    if last_date != returns.last_date:
        raise ReproductionError(f"the data end on {returns.last_date}, not {last_date}")
    from csplan.demand.costs import parse_assumptions

    population = pd.DataFrame(p["population"]) if p.get("population") else None
    run = run_scenario(
        returns.episodes, last_date, Scenario.from_dict(p["scenario"]),
        config=parse_config(p["config"]), assumptions=parse_assumptions(p["assumptions"]),
        options=RunOptions.from_dict(p), population=population, data_hash=returns.data_hash,
    )  # fmt: skip
    if run.evidence["savings"] != evidence["savings"]:
        raise ReproductionError(
            f"saving recomputed as {run.evidence['savings']}, recorded {evidence['savings']}"
        )
    return run
