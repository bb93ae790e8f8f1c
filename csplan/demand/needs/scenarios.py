"""Levels-of-need scenarios: earlier help, step-down and fewer escalations, the children they
keep out of care, and the placement money that follows.

A scenario is data (YAML or JSON)::

    name: Integrated family support (Level 3)
    adjustments:
      - {kind: earlier_help, start: 2016-04-01, ramp_years: 2, fewer_referrals: 800}
      - {kind: step_down, start: 2016-04-01, share: 0.05}
      - {kind: escalation, start: 2017-04-01, multiply: 0.95, to: care}

Kinds:

- ``earlier_help``: ``fewer_referrals`` a year (or ``multiply`` referrals): families helped
  at Level 3 who would otherwise have been referred to children's social care;
- ``step_down``: a further ``share`` of the children in need during the year stepped down to
  early help (their episode closes), so fewer are open the next year;
- ``escalation``: ``multiply`` the rate at which children in need enter care (``to: care``,
  the default), start a child protection plan (``protection``) or both.

Timing as the SEND scenarios: nothing before the financial year containing ``start``, full
effect after ``ramp_years``. The year ending 31 March ``Y`` is financial year ``Y-1``/``Y``.

The money: with the council's SSDA903 returns, the change in children starting to be looked
after becomes a children-looked-after scenario (``entry_rate`` adjustments, one a year,
through ``csplan.demand.scenarios``) run by that model on the returns: the placement saving
by financial year with everything the CLA model records. Without returns, the children looked
after the flow model keeps out of care are costed at an average weekly cost (dated,
``data/costs.yaml``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from csplan import __version__
from csplan.core.money import from_model_float
from csplan.core.params import ParameterSet, load_parameters, parse_parameters
from csplan.core.periods import FinancialYear
from csplan.demand.annual.scenarios import (
    YearlyScenario,
    as_date,
    as_float,
    check_fields,
    ramped,
)
from csplan.demand.annual.series import AreaSeries
from csplan.demand.needs.model import (
    MODEL_VERSION,
    NeedsFit,
    NeedsForecast,
    NeedsOptions,
    fit_needs,
    forecast_needs,
)

KINDS = ("earlier_help", "step_down", "escalation")
TARGETS = ("care", "protection", "both")
WEEKLY_UNIT = "£ per child looked after per week"


class NeedsScenarioError(ValueError):
    """A scenario that cannot be read or applied."""


@dataclass(frozen=True)
class NeedsAdjustment:
    kind: str
    start: dt.date
    ramp_years: int = 0
    fewer_referrals: float | None = None
    multiply: float | None = None
    share: float | None = None
    to: str = "care"
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise NeedsScenarioError(
                f"unknown adjustment kind {self.kind!r}: one of {', '.join(KINDS)}"
            )
        if self.kind == "earlier_help" and self.fewer_referrals is None and self.multiply is None:
            raise NeedsScenarioError("earlier_help needs fewer_referrals or multiply")
        if self.kind == "step_down" and self.share is None:
            raise NeedsScenarioError("step_down needs share")
        if self.kind == "escalation" and self.multiply is None:
            raise NeedsScenarioError("escalation needs multiply")
        if self.share is not None and not 0 <= self.share <= 1:
            raise NeedsScenarioError(f"{self.kind}: share must be between 0 and 1")
        if self.multiply is not None and self.multiply < 0:
            raise NeedsScenarioError(f"{self.kind}: multiply must be 0 or more")
        if self.fewer_referrals is not None and self.fewer_referrals < 0:
            raise NeedsScenarioError(f"{self.kind}: fewer_referrals must be 0 or more")
        if self.to not in TARGETS:
            raise NeedsScenarioError(f"escalation to must be one of {', '.join(TARGETS)}")
        if self.ramp_years < 0:
            raise NeedsScenarioError(f"{self.kind}: ramp_years must be 0 or more")

    def effect(self, year: FinancialYear) -> float:
        return ramped(self.start, self.ramp_years, year)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "ramp_years": self.ramp_years,
        }
        for name in ("fewer_referrals", "multiply", "share", "label"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        if self.kind == "escalation":
            out["to"] = self.to
        return out

    @classmethod
    def from_dict(cls, data: Any) -> NeedsAdjustment:
        check_fields(cls, data, NeedsScenarioError)
        try:
            return cls(
                kind=str(data["kind"]),
                start=as_date(data["start"]),
                ramp_years=int(data.get("ramp_years", 0) or 0),
                fewer_referrals=as_float(data.get("fewer_referrals")),
                multiply=as_float(data.get("multiply")),
                share=as_float(data.get("share")),
                to=str(data.get("to", "care")),
                label=str(data.get("label", "")),
            )
        except KeyError as error:
            raise NeedsScenarioError(f"adjustment {data!r} needs {error.args[0]}") from None
        except (TypeError, ValueError) as error:
            if isinstance(error, NeedsScenarioError):
                raise
            raise NeedsScenarioError(f"adjustment {data!r}: {error}") from None

    def adjust(self, year_ending: int, flows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        f = self.effect(FinancialYear(year_ending - 1))
        if f == 0.0:
            return flows
        flows = dict(flows)
        if self.kind == "earlier_help":
            referrals = flows["referrals"] * (1 + ((self.multiply or 1.0) - 1) * f)
            flows["referrals"] = np.maximum(referrals - (self.fewer_referrals or 0.0) * f, 0.0)
        elif self.kind == "step_down":
            flows["closed"] = flows["closed"] + (self.share or 0.0) * f * (1 - flows["closed"])
        else:
            factor = 1 + ((self.multiply or 1.0) - 1) * f
            if self.to in ("care", "both") and "entering_care" in flows:
                flows["entering_care"] = flows["entering_care"] * factor
            if self.to in ("protection", "both"):
                flows["protected"] = flows["protected"] * factor
        return flows


@dataclass(frozen=True)
class NeedsScenario(YearlyScenario):
    ADJUSTMENT = NeedsAdjustment
    ERROR = NeedsScenarioError

    @property
    def adjusters(self) -> list:
        return [a.adjust for a in self.adjustments]


# -- the flow into care and the link to the children-looked-after model -----------------


def care_multipliers(
    baseline: NeedsForecast, scenario: NeedsForecast
) -> dict[FinancialYear, float]:
    """Children starting to be looked after in the scenario as a share of the baseline, by
    financial year."""
    base, changed = baseline.expected["cla_started"], scenario.expected["cla_started"]
    return {
        FinancialYear(year - 1): float(changed[i] / base[i]) if base[i] > 0 else 1.0
        for i, year in enumerate(baseline.years)
    }


def cla_scenario(name: str, multipliers: dict[FinancialYear, float]) -> Any:
    """A children-looked-after scenario (``csplan.demand.scenarios.Scenario``) whose entry
    rate follows ``multipliers``: one ``entry_rate`` adjustment a year from 1 April, each the
    change on the year before, so that together they give each year's multiplier."""
    from csplan.demand.scenarios import Scenario

    adjustments, previous = [], 1.0
    for year, value in sorted(multipliers.items()):
        step = value / previous if previous > 0 else 1.0
        if abs(step - 1.0) > 1e-12:
            adjustments.append(
                {
                    "kind": "entry_rate",
                    "start": year.first_day.isoformat(),
                    "ramp_months": 0,
                    "multiply": round(step, 12),
                    "label": f"Entries {year}: x{value:.4f} of the baseline (levels-of-need model)",
                }
            )
        previous = value
    return Scenario.from_dict(
        {
            "name": name,
            "adjustments": adjustments,
            "description": "Made from a levels-of-need scenario: children "
            "entering care as the flow model says.",
        }
    )


def default_costs_path() -> Path:
    return Path(str(resources.files("csplan.demand.needs") / "data" / "costs.yaml"))


def load_costs(path: Path | str | None = None) -> ParameterSet:
    params = load_parameters(path or default_costs_path())
    params.require(["weekly_cost_per_child_looked_after"], WEEKLY_UNIT)
    return params


@dataclass
class NeedsRun:
    area: AreaSeries
    fit: NeedsFit
    baseline: NeedsForecast
    scenario: NeedsForecast
    fewer_entering_care: dict[FinancialYear, float]
    saving: dict[FinancialYear, Decimal]
    baseline_cost: dict[FinancialYear, Decimal]
    scenario_cost: dict[FinancialYear, Decimal]
    base_year: FinancialYear | None
    base_cost: Decimal | None
    evidence: dict[str, Any]
    cla_run: Any = None  # the children-looked-after ScenarioRun, when run on returns


def run_needs_scenario(
    area: AreaSeries,
    scenario: NeedsScenario,
    *,
    options: NeedsOptions | None = None,
    horizon: int = 5,
    origin: int | None = None,
    costs: ParameterSet | None = None,
    returns: Any = None,
    cla_options: Any = None,
    data_hash: str = "",
) -> NeedsRun:
    """The flow model's baseline and scenario (expected values) and the placement saving.

    With ``returns`` (``csplan.demand.episodes.Returns``), the CLA model runs the change in
    entries on them; otherwise the flow model's children looked after are costed at the
    average weekly cost in ``costs``.
    """
    options = options or NeedsOptions()
    fit = fit_needs(area, origin, options)
    if not fit.has_care:
        raise NeedsScenarioError(
            f"{area.name}: the flow model has no children looked after to link to (give DfE's "
            "children looked after file with at least two consecutive years)"
        )
    baseline = forecast_needs(fit, horizon, simulations=0)
    changed = forecast_needs(fit, horizon, scenario.adjusters, simulations=0)
    fewer = {
        FinancialYear(y - 1): float(
            baseline.expected["cla_started"][i] - changed.expected["cla_started"][i]
        )
        for i, y in enumerate(baseline.years)
    }
    if returns is not None:
        run = _with_returns(fit, baseline, changed, scenario, returns, cla_options)
        costs_used = None
    else:
        costs_used = costs or load_costs()
        run = _with_average_cost(fit, baseline, changed, costs_used)
    result = NeedsRun(area, fit, baseline, changed, fewer, *run[:5], evidence={}, cla_run=run[5])
    result.evidence = _evidence(result, scenario, options, horizon, costs_used, data_hash)
    return result


def _child_weeks(before: float, after: float, year: FinancialYear) -> float:
    return (before + after) / 2 * year.days / 7


def _with_average_cost(
    fit: NeedsFit, baseline: NeedsForecast, changed: NeedsForecast, costs: ParameterSet
) -> tuple:
    base_cost, scen_cost = {}, {}
    start = fit.start["cla_at31"]
    for i, year_ending in enumerate(baseline.years):
        year = FinancialYear(year_ending - 1)
        weekly = float(costs.value("weekly_cost_per_child_looked_after", year.first_day))
        before_b = start if i == 0 else baseline.expected["cla_at31"][i - 1]
        before_s = start if i == 0 else changed.expected["cla_at31"][i - 1]
        base_cost[year] = from_model_float(
            _child_weeks(before_b, baseline.expected["cla_at31"][i], year) * weekly
        )
        scen_cost[year] = from_model_float(
            _child_weeks(before_s, changed.expected["cla_at31"][i], year) * weekly
        )
    origin_year = FinancialYear(fit.origin - 1)
    earlier = fit.history.get("cla_at31", {}).get(fit.origin - 1)
    base = None
    if earlier is not None:
        weekly = float(costs.value("weekly_cost_per_child_looked_after", origin_year.first_day))
        base = from_model_float(_child_weeks(earlier, start, origin_year) * weekly)
    saving = {y: base_cost[y] - scen_cost[y] for y in base_cost}
    return saving, base_cost, scen_cost, origin_year if base is not None else None, base, None


def _with_returns(
    fit: NeedsFit,
    baseline: NeedsForecast,
    changed: NeedsForecast,
    scenario: NeedsScenario,
    returns: Any,
    cla_options: Any,
) -> tuple:
    from csplan.demand.config import load_config
    from csplan.demand.rerun import episodes_hash
    from csplan.demand.scenarios import RunOptions, run_scenario

    options = cla_options or RunOptions(months=36, simulations=0)
    config = load_config()
    cla = cla_scenario(scenario.name, care_multipliers(baseline, changed))
    run = run_scenario(
        returns.episodes,
        returns.last_date,
        cla,
        config=config,
        options=options,
        data_hash=episodes_hash(returns.episodes),
    )
    base_cost = {y: c.total for y, c in run.baseline.costs.items()}
    scen_cost = {y: c.total for y, c in run.scenario.costs.items()}
    base_year, base = _actual_year(returns, config)
    return dict(run.saving), base_cost, scen_cost, base_year, base, run


def _actual_year(returns: Any, config: Any) -> tuple[FinancialYear | None, Decimal | None]:
    """The placement cost of the financial year the returns end with (the base year of the
    demand growth), when they end on 31 March: the CLA model's actual child-days, costed."""
    from csplan.demand.costs import load_assumptions
    from csplan.demand.rerun import actual_costs

    year = FinancialYear.containing(returns.last_date)
    if returns.last_date != year.last_day:
        return None, None
    before = year.first_day - dt.timedelta(days=1)
    costs = actual_costs(returns.episodes, config, load_assumptions(), before, year.last_day)
    return (year, costs[year].total) if year in costs else (None, None)


def _money(values: dict[FinancialYear, Decimal]) -> dict[str, str]:
    return {year.label: str(amount) for year, amount in sorted(values.items())}


def _flows(forecast: NeedsForecast) -> dict[str, dict[str, float]]:
    return {
        m: {str(y): round(float(forecast.expected[m][i]), 3) for i, y in enumerate(forecast.years)}
        for m in forecast.measures
    }


def _evidence(
    run: NeedsRun,
    scenario: NeedsScenario,
    options: NeedsOptions,
    horizon: int,
    costs: ParameterSet | None,
    data_hash: str,
) -> dict[str, Any]:
    fewer = ", ".join(f"{y}: {v:,.0f}" for y, v in sorted(run.fewer_entering_care.items()))
    if run.cla_run is not None:
        how = (
            "placement cost from the children-looked-after model run on the council's "
            f"SSDA903 returns to {run.cla_run.evidence['parameters']['last_date']}"
        )
        hashes = f"{data_hash}:{run.cla_run.evidence['data_hash']}"
    else:
        how = "children looked after costed at an average weekly cost"
        hashes = data_hash
    parameters: dict[str, Any] = {
        "model": MODEL_VERSION,
        "csplan_version": __version__,
        "area": run.area.to_dict(),
        "origin": run.fit.origin,
        "horizon": horizon,
        "options": options.to_dict(),
        "scenario": scenario.to_dict(),
        "baseline_flows": _flows(run.baseline),
        "scenario_flows": _flows(run.scenario),
        "fewer_entering_care": {
            y.label: round(v, 3) for y, v in sorted(run.fewer_entering_care.items())
        },
        "baseline_cost": _money(run.baseline_cost),
        "scenario_cost": _money(run.scenario_cost),
        "costing": "cla_model" if run.cla_run is not None else "average_weekly_cost",
    }
    if run.base_year is not None and run.base_cost is not None:
        parameters["base_year"], parameters["base_cost"] = run.base_year.label, str(run.base_cost)
    if costs is not None:
        parameters["costs"], parameters["costs_hash"] = costs.text, costs.hash
    if run.cla_run is not None:
        parameters["cla"] = run.cla_run.evidence["parameters"]
        parameters["cla_data_hash"] = run.cla_run.evidence["data_hash"]
    return {
        "title": f"Levels of need scenario: {scenario.name}",
        "summary": (
            f"{run.area.name}: children starting to be looked after fewer than the "
            f"baseline flow from the year ending 31 March {run.fit.origin} ({fewer}); "
            f"{how}; expected values."
        ),
        "savings": _money(run.saving),
        "data_hash": hashlib.sha256(hashes.encode()).hexdigest() if hashes else "",
        "parameters": parameters,
    }


class NeedsReproductionError(AssertionError):
    """Recomputing an evidence record did not give the same numbers."""


def reproduce(evidence: dict[str, Any], returns: Any = None) -> NeedsRun:
    """Recompute a levels-of-need evidence record (with the same returns when it used them)."""
    p = evidence["parameters"]
    if p.get("costing") == "cla_model" and returns is None:
        raise NeedsReproductionError("this evidence used SSDA903 returns: give the same returns")
    cla_options = None
    if returns is not None:
        from csplan.demand.scenarios import RunOptions

        cla_options = RunOptions.from_dict(p["cla"])
    run = run_needs_scenario(
        AreaSeries.from_dict(p["area"]),
        NeedsScenario.from_dict(p["scenario"]),
        options=NeedsOptions.from_dict(p["options"]),
        horizon=int(p["horizon"]),
        origin=int(p["origin"]),
        costs=parse_parameters(p["costs"], "costs") if p.get("costs") else None,
        returns=returns,
        cla_options=cla_options,
    )
    if run.evidence["savings"] != evidence["savings"]:
        raise NeedsReproductionError(
            f"saving recomputed as {run.evidence['savings']}, recorded {evidence['savings']}"
        )
    return run
