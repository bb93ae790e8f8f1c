"""SEND scenarios: named adjustments to the EHC plan and transport baseline, and their saving.

A scenario is data (YAML or JSON)::

    name: SEN transport remodelling
    description: ...
    adjustments:
      - {kind: personal_budget, start: 2016-09-01, ramp_years: 2, share: 0.15, cost: 3000}
      - {kind: travel_training, start: 2016-09-01, share: 0.10, cost: 1500,
         groups: [mainstream, further_education]}
      - {kind: route_optimisation, start: 2017-04-01, multiply: 0.95}
      - {kind: new_plans, start: 2016-09-01, ramp_years: 3, multiply: 0.95}
      - {kind: setting_shift, start: 2017-09-01, share: 0.3, from_group: special_independent,
         to_group: special_maintained, stock_share: 0.05}

Kinds:

- ``new_plans``: ``multiply`` the new plans of ``groups`` (all by default): fewer requests
  turning into plans through early intervention;
- ``setting_shift``: move ``share`` of the new plans that would go to ``from_group`` to
  ``to_group`` (more plans met in mainstream or resourced provision; fewer independent
  special placements), and ``stock_share`` of the plans already there each year;
- ``placement_cost``: ``multiply`` the placement unit cost of ``groups``;
- ``travel_training``: ``share`` of the pupils transported in ``groups`` (default mainstream,
  resourced, further education) trained to travel independently, at ``cost`` one-off per
  pupil trained;
- ``personal_budget``: ``share`` of the pupils transported in ``groups`` (all by default)
  on a personal transport budget of ``cost`` a year instead of council transport;
- ``route_optimisation``: ``multiply`` the cost per pupil transported in ``groups``.

Timing: an adjustment has no effect before the financial year containing ``start``; from
that year it reaches ``1 / ramp_years`` of its full effect, and the full effect
``ramp_years`` years on (0: at once). Plans counted in January ``y`` belong to financial year
``y-1``/``y``, so a change to new plans shows in the January after the year it starts.

``run_send_scenario`` costs the baseline and the scenario from the expected values and gives
the saving each financial year (baseline less scenario; positive is a saving) for transport
and for placements separately: transport is usually the council's general fund, placements
its high needs block (DSG).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from csplan import __version__
from csplan.core.params import ParameterSet, parse_parameters
from csplan.core.periods import FinancialYear
from csplan.demand.annual.scenarios import (
    YearlyScenario,
    as_date,
    as_float,
    check_fields,
    ramped,
)
from csplan.demand.annual.series import AreaSeries
from csplan.demand.send.costs import (
    CostedSend,
    TransportRules,
    cost_send,
    financial_year,
    load_transport,
    load_unit_costs,
    no_change,
)
from csplan.demand.send.model import (
    GROUPS,
    MODEL_VERSION,
    SendFit,
    SendOptions,
    fit_send,
    forecast_send,
)

KINDS = (
    "new_plans",
    "setting_shift",
    "placement_cost",
    "travel_training",
    "personal_budget",
    "route_optimisation",
)
_NEEDS = {
    "new_plans": ("multiply",),
    "setting_shift": ("share", "from_group", "to_group"),
    "placement_cost": ("multiply",),
    "travel_training": ("share",),
    "personal_budget": ("share", "cost"),
    "route_optimisation": ("multiply",),
}
TRAINING_GROUPS = ("mainstream", "resourced", "further_education")
MEASURES = ("transport", "placements", "both")


class SendScenarioError(ValueError):
    """A scenario that cannot be read or applied (the message names the field)."""


@dataclass(frozen=True)
class SendAdjustment:
    kind: str
    start: dt.date
    ramp_years: int = 0
    multiply: float | None = None
    share: float | None = None
    stock_share: float | None = None
    cost: Decimal | None = None
    groups: tuple[str, ...] = ()
    from_group: str | None = None
    to_group: str | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SendScenarioError(
                f"unknown adjustment kind {self.kind!r}: one of {', '.join(KINDS)}"
            )
        missing = [n for n in _NEEDS[self.kind] if getattr(self, n) is None]
        if missing:
            raise SendScenarioError(f"{self.kind} needs {', '.join(missing)}")
        for name in ("share", "stock_share"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise SendScenarioError(f"{self.kind}: {name} must be between 0 and 1")
        if self.multiply is not None and self.multiply < 0:
            raise SendScenarioError(f"{self.kind}: multiply must be 0 or more")
        if self.cost is not None and self.cost < 0:
            raise SendScenarioError(f"{self.kind}: cost must be 0 or more")
        if self.ramp_years < 0:
            raise SendScenarioError(f"{self.kind}: ramp_years must be 0 or more")
        for group in (*self.groups, self.from_group, self.to_group):
            if group is not None and group not in GROUPS:
                raise SendScenarioError(
                    f"{self.kind}: unknown setting group {group!r}: one of {', '.join(GROUPS)}"
                )

    def effect(self, year: FinancialYear) -> float:
        """Share of the full effect in financial ``year`` (0 to 1)."""
        return ramped(self.start, self.ramp_years, year)

    def mask(self, default: Sequence[str] = GROUPS) -> np.ndarray:
        chosen = self.groups or tuple(default)
        return np.array([g in chosen for g in GROUPS], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "start": self.start.isoformat(),
            "ramp_years": self.ramp_years,
        }
        for name in ("multiply", "share", "stock_share", "from_group", "to_group", "label"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        if self.cost is not None:
            out["cost"] = str(self.cost)
        if self.groups:
            out["groups"] = list(self.groups)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SendAdjustment:
        check_fields(cls, data, SendScenarioError)
        try:
            return cls(
                kind=str(data["kind"]),
                start=as_date(data["start"]),
                ramp_years=int(data.get("ramp_years", 0) or 0),
                multiply=as_float(data.get("multiply")),
                share=as_float(data.get("share")),
                stock_share=as_float(data.get("stock_share")),
                cost=None if data.get("cost") in (None, "") else Decimal(str(data["cost"])),
                groups=tuple(str(g) for g in data.get("groups", []) or []),
                from_group=data.get("from_group"),
                to_group=data.get("to_group"),
                label=str(data.get("label", "")),
            )
        except KeyError as error:
            raise SendScenarioError(f"adjustment {data!r} needs {error.args[0]}") from None
        except (TypeError, ValueError, ArithmeticError) as error:
            if isinstance(error, SendScenarioError):
                raise
            raise SendScenarioError(f"adjustment {data!r}: {error}") from None


@dataclass(frozen=True)
class SendScenario(YearlyScenario):
    ADJUSTMENT = SendAdjustment
    ERROR = SendScenarioError

    def plan_adjusters(self) -> list:
        return [
            _plan_adjuster(a) for a in self.adjustments if a.kind in ("new_plans", "setting_shift")
        ]

    def rules_for(self, year: FinancialYear) -> TransportRules:
        """This scenario's transport and placement-cost rules in financial ``year``."""
        rules = no_change()
        independent, budget = rules.independent.copy(), rules.budget.copy()
        budget_cost, multiplier = rules.budget_cost.copy(), rules.multiplier.copy()
        training, placement = rules.training_cost.copy(), rules.placement_multiplier.copy()
        for a in self.adjustments:
            f = a.effect(year)
            if a.kind == "travel_training":
                mask = a.mask(TRAINING_GROUPS)
                independent = np.where(mask > 0, (a.share or 0) * f, independent)
                training = np.where(mask > 0, float(a.cost or 0), training)
            elif a.kind == "personal_budget":
                mask = a.mask()
                budget = np.where(mask > 0, (a.share or 0) * f, budget)
                budget_cost = np.where(mask > 0, float(a.cost or 0), budget_cost)
            elif a.kind == "route_optimisation":
                multiplier = multiplier * (1 + ((a.multiply or 1) - 1) * f * a.mask())
            elif a.kind == "placement_cost":
                placement = placement * (1 + ((a.multiply or 1) - 1) * f * a.mask())
        return TransportRules(independent, budget, budget_cost, multiplier, training, placement)


def _plan_adjuster(a: SendAdjustment):  # noqa: ANN202
    def adjust(january: int, new: np.ndarray, staying: np.ndarray):  # noqa: ANN202
        f = a.effect(financial_year(january))
        if f == 0.0:
            return new, staying
        if a.kind == "new_plans":
            return new * (1 + ((a.multiply or 1) - 1) * f * a.mask()[None, :]), staying
        source, target = GROUPS.index(a.from_group or ""), GROUPS.index(a.to_group or "")
        new, staying = new.copy(), staying.copy()
        moved = new[:, source] * (a.share or 0) * f
        new[:, source] -= moved
        new[:, target] += moved
        if a.stock_share:
            shifted = staying[:, source] * a.stock_share * f
            staying[:, source] -= shifted
            staying[:, target] += shifted
        return new, staying

    return adjust


# -- running and evidence -----------------------------------------------------------------


@dataclass
class SendRun:
    area: AreaSeries
    fit: SendFit
    baseline: CostedSend
    scenario: CostedSend
    transport_saving: dict[FinancialYear, Decimal]
    placement_saving: dict[FinancialYear, Decimal]
    evidence: dict[str, Any]

    def saving(self, measure: str = "transport") -> dict[FinancialYear, Decimal]:
        if measure == "transport":
            return self.transport_saving
        if measure == "placements":
            return self.placement_saving
        return {
            y: self.transport_saving[y] + self.placement_saving[y] for y in self.transport_saving
        }


def run_send_scenario(
    area: AreaSeries,
    scenario: SendScenario,
    *,
    options: SendOptions | None = None,
    unit_costs: ParameterSet | None = None,
    transport: ParameterSet | None = None,
    horizon: int = 5,
    origin: int | None = None,
    measure: str = "transport",
    data_hash: str = "",
) -> SendRun:
    """Fit, forecast the baseline and the scenario (expected values), cost both, subtract."""
    if measure not in MEASURES:
        raise SendScenarioError(f"measure must be one of {', '.join(MEASURES)}")
    options = options or SendOptions()
    unit_costs = unit_costs or load_unit_costs()
    transport = transport or load_transport()
    fit = fit_send(area, origin, options)
    baseline = cost_send(forecast_send(fit, horizon, simulations=0), unit_costs, transport)
    scenario_forecast = forecast_send(fit, horizon, scenario.plan_adjusters(), simulations=0)
    scenario_cost = cost_send(scenario_forecast, unit_costs, transport, scenario.rules_for)
    transport_saving = {
        y.year: y.transport_total - scenario_cost.year(y.year).transport_total
        for y in baseline.years[1:]
    }
    placement_saving = {
        y.year: y.placement_total - scenario_cost.year(y.year).placement_total
        for y in baseline.years[1:]
    }
    run = SendRun(area, fit, baseline, scenario_cost, transport_saving, placement_saving, {})
    run.evidence = _evidence(
        run, scenario, options, unit_costs, transport, horizon, measure, data_hash
    )
    return run


def _money(values: dict[FinancialYear, Decimal]) -> dict[str, str]:
    return {year.label: str(amount) for year, amount in sorted(values.items())}


def _totals(costed: CostedSend, measure: str) -> dict[str, str]:
    pick = {
        "transport": lambda y: y.transport_total,
        "placements": lambda y: y.placement_total,
        "both": lambda y: y.transport_total + y.placement_total,
    }[measure]
    return {y.year.label: str(pick(y)) for y in costed.years[1:]}


def _evidence(
    run: SendRun,
    scenario: SendScenario,
    options: SendOptions,
    unit_costs: ParameterSet,
    transport: ParameterSet,
    horizon: int,
    measure: str,
    data_hash: str,
) -> dict[str, Any]:
    what = {
        "transport": "SEN home-to-school transport",
        "placements": "SEN placement",
        "both": "SEN placement and transport",
    }[measure]
    saving = run.saving(measure)
    base = run.baseline.base
    base_cost = {
        "transport": base.transport_total,
        "placements": base.placement_total,
        "both": base.transport_total + base.placement_total,
    }[measure]
    other = "placements" if measure == "transport" else "transport"
    summary = (
        f"{what} cost saving against the EHC plan forecast for {run.area.name} from January "
        f"{run.fit.origin} (expected values)."
    )
    if measure != "both":
        shown = ", ".join(f"{y}: £{v:,.0f}" for y, v in sorted(run.saving(other).items()))
        summary += f" Not counted here: the {other} effect ({shown})."
    if unit_costs.illustrative or transport.illustrative:
        summary += " Uses csplan's illustrative unit costs."
    return {
        "title": f"SEND demand model scenario: {scenario.name}",
        "summary": summary,
        "savings": _money(saving),
        "data_hash": data_hash,
        "parameters": {
            "model": MODEL_VERSION,
            "csplan_version": __version__,
            "measure": measure,
            "area": run.area.to_dict(),
            "origin": run.fit.origin,
            "horizon": horizon,
            "options": options.to_dict(),
            "unit_costs": unit_costs.text,
            "unit_costs_hash": unit_costs.hash,
            "transport": transport.text,
            "transport_hash": transport.hash,
            "scenario": scenario.to_dict(),
            "base_year": base.year.label,
            "base_cost": str(base_cost),
            "baseline_cost": _totals(run.baseline, measure),
            "scenario_cost": _totals(run.scenario, measure),
            "transport_saving": _money(run.transport_saving),
            "placement_saving": _money(run.placement_saving),
        },
    }


class SendReproductionError(AssertionError):
    """Recomputing an evidence record did not give the same numbers."""


def reproduce(evidence: dict[str, Any]) -> SendRun:
    """Recompute a SEND evidence record from the figures it holds; raise if anything differs."""
    p = evidence["parameters"]
    run = run_send_scenario(
        AreaSeries.from_dict(p["area"]),
        SendScenario.from_dict(p["scenario"]),
        options=SendOptions.from_dict(p["options"]),
        unit_costs=parse_parameters(p["unit_costs"], "unit costs"),
        transport=parse_parameters(p["transport"], "transport"),
        horizon=int(p["horizon"]),
        origin=int(p["origin"]),
        measure=p["measure"],
        data_hash=evidence.get("data_hash", ""),
    )
    if run.evidence["savings"] != evidence["savings"]:
        raise SendReproductionError(
            f"saving recomputed as {run.evidence['savings']}, recorded {evidence['savings']}"
        )
    return run
