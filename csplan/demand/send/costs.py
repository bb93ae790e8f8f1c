"""Placement and home-to-school transport costs of an EHC plan forecast, by financial year.

The plans counted in January ``y`` stand for financial year ``y-1``/``y`` (January is its
tenth month); each financial year is costed at the dated values in effect on its first day
(1 April). The base year is the last January published, costed the same way, so the
forecast's growth over it is demand growth.

- placement cost = plans x unit cost of the setting group (``data/unit_costs.yaml``);
- pupils transported = plans x the group's share transported; transport cost = pupils x
  cost per pupil (``data/transport.yaml``), with a scenario's rules: pupils trained to travel
  independently cost nothing after their training (a one-off cost per pupil newly trained),
  pupils on a personal transport budget cost the budget, and route optimisation multiplies
  the cost per pupil.

Model floats become money once: each (year, group) figure is rounded to pence with
``money.from_model_float`` and a year's total is the sum of its rounded groups (so tables
add up). The 10th-90th percentiles of a year's totals come from the forecast's sample paths.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path

import numpy as np

from csplan.core.money import ZERO, from_model_float
from csplan.core.params import ParameterSet, load_parameters
from csplan.core.periods import FinancialYear
from csplan.demand.send.model import GROUPS, SendForecast

PLACEMENT_UNIT = "£ per plan per year"
SHARE_UNIT = "share of plans"
PUPIL_UNIT = "£ per pupil transported per year"


def _data(name: str) -> Path:
    return Path(str(resources.files("csplan.demand.send") / "data" / name))


def load_unit_costs(path: Path | str | None = None) -> ParameterSet:
    """Placement costs per plan by setting group (the shipped illustrative file by default)."""
    params = load_parameters(path or _data("unit_costs.yaml"))
    params.require(GROUPS, PLACEMENT_UNIT)
    return params


def load_transport(path: Path | str | None = None) -> ParameterSet:
    """Shares transported and costs per pupil by setting group."""
    params = load_parameters(path or _data("transport.yaml"))
    params.require([f"share.{g}" for g in GROUPS], SHARE_UNIT)
    params.require([f"cost.{g}" for g in GROUPS], PUPIL_UNIT)
    return params


def financial_year(january: int) -> FinancialYear:
    """The financial year whose tenth month is January ``january``."""
    return FinancialYear(january - 1)


@dataclass(frozen=True)
class TransportRules:
    """A financial year's changes to transport (and placement costs), by group (G,)."""

    independent: np.ndarray  # share of transported pupils trained to travel independently
    budget: np.ndarray  # share of the others on a personal transport budget
    budget_cost: np.ndarray  # £ a year for a personal transport budget
    multiplier: np.ndarray  # on the cost per pupil (route optimisation)
    training_cost: np.ndarray  # £ per pupil newly trained (one-off)
    placement_multiplier: np.ndarray  # on the placement unit cost


def no_change() -> TransportRules:
    zeros, ones = np.zeros(len(GROUPS)), np.ones(len(GROUPS))
    return TransportRules(zeros, zeros, zeros, ones, zeros, ones)


RulesFor = Callable[[FinancialYear], TransportRules]


@dataclass
class YearCost:
    year: FinancialYear
    january: int
    observed: bool  # the base year (published plans), not a forecast
    plans: dict[str, float]
    placement: dict[str, Decimal]
    pupils: dict[str, float]  # transported by the council (not independent, not on a budget)
    budgets: dict[str, float]  # on a personal transport budget
    trained: dict[str, float]  # travelling independently after training
    transport: dict[str, Decimal]
    placement_band: tuple[Decimal, Decimal] | None = None  # 10th, 90th percentile
    transport_band: tuple[Decimal, Decimal] | None = None

    @property
    def placement_total(self) -> Decimal:
        return sum(self.placement.values(), ZERO)

    @property
    def transport_total(self) -> Decimal:
        return sum(self.transport.values(), ZERO)

    def to_dict(self) -> dict[str, object]:
        band = lambda b: [str(b[0]), str(b[1])] if b else None  # noqa: E731
        return {
            "year": self.year.label,
            "january": self.january,
            "observed": self.observed,
            "plans": {g: round(v, 3) for g, v in self.plans.items()},
            "placement": {g: str(v) for g, v in self.placement.items()},
            "placement_total": str(self.placement_total),
            "pupils_transported": {g: round(v, 3) for g, v in self.pupils.items()},
            "transport": {g: str(v) for g, v in self.transport.items()},
            "transport_total": str(self.transport_total),
            "placement_band": band(self.placement_band),
            "transport_band": band(self.transport_band),
        }


@dataclass
class CostedSend:
    forecast: SendForecast
    years: list[YearCost]
    unit_costs_hash: str
    transport_hash: str
    notes: list[str] = field(default_factory=list)

    def year(self, year: FinancialYear) -> YearCost:
        return next(y for y in self.years if y.year == year)

    @property
    def base(self) -> YearCost:
        return self.years[0]


def _vector(params: ParameterSet, prefix: str, day) -> np.ndarray:  # noqa: ANN001
    return np.array([float(params.value(f"{prefix}{g}", day)) for g in GROUPS])


def _transport(
    plans: np.ndarray,
    share: np.ndarray,
    cost: np.ndarray,
    rules: TransportRules,
    trained_before: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """(cost, pupils transported, on budgets, trained) for plans (..., G)."""
    eligible = plans * share
    trained = eligible * rules.independent
    others = eligible - trained
    budgets = others * rules.budget
    pupils = others - budgets
    newly = np.maximum(trained - trained_before, 0.0)
    money = (
        pupils * cost * rules.multiplier + budgets * rules.budget_cost + newly * rules.training_cost
    )
    return money, pupils, budgets, trained


def cost_send(
    forecast: SendForecast,
    unit_costs: ParameterSet | None = None,
    transport: ParameterSet | None = None,
    rules_for: RulesFor | None = None,
) -> CostedSend:
    """The base year and each forecast year's placement and transport cost."""
    unit_costs = unit_costs or load_unit_costs()
    transport = transport or load_transport()
    rules_for = rules_for or (lambda year: no_change())
    fit = forecast.fit
    januaries = [fit.origin, *forecast.years]
    expected = np.vstack([fit.stock[None, :], forecast.expected])  # (H+1, G)
    has_paths = len(forecast.paths) > 0
    trained_before = np.zeros(len(GROUPS))
    trained_paths = np.zeros((len(forecast.paths), len(GROUPS)))
    result = []
    for index, january in enumerate(januaries):
        year = financial_year(january)
        day = year.first_day
        unit = _vector(unit_costs, "", day)
        share, per_pupil = _vector(transport, "share.", day), _vector(transport, "cost.", day)
        rules = no_change() if index == 0 else rules_for(year)
        placement = expected[index] * unit * rules.placement_multiplier
        money, pupils, budgets, trained = _transport(
            expected[index], share, per_pupil, rules, trained_before
        )
        trained_before = trained
        cost = YearCost(
            year=year,
            january=january,
            observed=index == 0,
            plans=_floats(expected[index]),
            placement=_money(placement),
            pupils=_floats(pupils),
            budgets=_floats(budgets),
            trained=_floats(trained),
            transport=_money(money),
        )
        if has_paths and index > 0:
            paths = forecast.paths[:, index - 1, :]
            placed = (paths * unit * rules.placement_multiplier).sum(axis=1)
            moved, *_, trained_paths = _transport(paths, share, per_pupil, rules, trained_paths)
            cost.placement_band = _band(placed)
            cost.transport_band = _band(moved.sum(axis=1))
        result.append(cost)
    notes = []
    if unit_costs.illustrative or transport.illustrative:
        notes.append(
            "Unit costs and transport figures are illustrative (csplan's shipped "
            "assumptions): replace them with the council's own."
        )
    return CostedSend(forecast, result, unit_costs.hash, transport.hash, notes)


def _floats(values: np.ndarray) -> dict[str, float]:
    return {g: float(v) for g, v in zip(GROUPS, values, strict=True)}


def _money(values: np.ndarray) -> dict[str, Decimal]:
    return {g: from_model_float(float(v)) for g, v in zip(GROUPS, values, strict=True)}


def _band(totals: np.ndarray) -> tuple[Decimal, Decimal]:
    low, high = np.percentile(totals, [10, 90])
    return from_model_float(float(low)), from_model_float(float(high))


def growth_over_base(
    costed: CostedSend, measure: str = "transport"
) -> dict[FinancialYear, Decimal]:
    """Each forecast year's cost less the base year's: the demand growth to absorb."""
    pick: Callable[[YearCost], Decimal] = (
        (lambda y: y.transport_total) if measure == "transport" else (lambda y: y.placement_total)
    )
    base = pick(costed.base)
    return {y.year: pick(y) - base for y in costed.years[1:]}


def years_of(costed: CostedSend) -> Sequence[FinancialYear]:
    return [y.year for y in costed.years]
