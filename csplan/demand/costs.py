"""Placement costs of a forecast by financial year, in exact money.

Cost in a month = expected child-days in each placement group x weekly unit cost / 7, with
the unit cost inflated to the month's financial year. Model floats stay floats until the
total of each (financial year, group) and of each year, which are rounded once to pence with
``money.from_model_float``; the year total is the sum of the rounded groups.

With sample paths (``ForecastResult.path_child_days``) each year also has the cost of every
path (model floats, kept for a scenario's saving band) and its p10, p50 and p90, each rounded
once to pence when it becomes money. They come from the same paths as the children's bands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from csplan.core.money import from_model_float, to_decimal
from csplan.core.periods import FinancialYear
from csplan.demand.config import ModelConfig
from csplan.demand.forecast import ForecastResult, path_percentiles
from csplan.demand.states import day_number

WEEKLY_UNIT = "£ per child per week"
# Multipliers of each group's unit cost for the month starting on a day: (G,) floats.
CostAdjuster = Callable[[int], np.ndarray]


class CostError(ValueError):
    """An assumptions file that cannot be used."""


@dataclass(frozen=True)
class UnitCost:
    group: str
    value: Decimal
    unit: str
    label: str
    as_at: str
    source: str


@dataclass(frozen=True)
class Assumptions:
    costs: dict[str, UnitCost]
    price_base: FinancialYear
    inflation_default: Decimal
    inflation_by_year: dict[FinancialYear, Decimal] = field(default_factory=dict)
    label: str = ""
    text: str = ""

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def index(self, year: FinancialYear) -> Decimal:
        """Price index of ``year`` relative to the price base (compounded year by year)."""
        factor = Decimal(1)
        current = self.price_base
        while current < year:
            current = current.next()
            factor *= 1 + self.inflation_by_year.get(current, self.inflation_default)
        while current > year:
            factor /= 1 + self.inflation_by_year.get(current, self.inflation_default)
            current = current.previous()
        return factor

    def weekly(self, group: str, year: FinancialYear) -> Decimal:
        return self.costs[group].value * self.index(year)

    def check(self, config: ModelConfig) -> None:
        missing = [key for key in config.group_keys if key not in self.costs]
        if missing:
            raise CostError(f"no unit cost for placement groups {missing}")


def default_assumptions_path() -> Path:
    return Path(str(resources.files("csplan.demand") / "data" / "unit_costs.yaml"))


def load_assumptions(path: Path | str | None = None) -> Assumptions:
    """Unit costs and inflation; the shipped file when ``path`` is None."""
    source = Path(path) if path is not None else default_assumptions_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise CostError(f"cannot read unit costs {source}: {error}") from error
    return parse_assumptions(text, source)


def parse_assumptions(text: str, source: Path | str = "assumptions") -> Assumptions:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("costs"), dict):
        raise CostError(f"{source}: expected a mapping with costs by placement group")
    costs = {key: _unit_cost(key, item, source) for key, item in data["costs"].items()}
    inflation = data.get("inflation") or {}
    by_year = {FinancialYear.parse(k): to_decimal(str(v))
               for k, v in (inflation.get("by_year") or {}).items()}  # fmt: skip
    return Assumptions(
        costs=costs,
        price_base=FinancialYear.parse(data.get("price_base", "2015/16")),
        inflation_default=to_decimal(str(inflation.get("default", "0"))),
        inflation_by_year=by_year,
        label=str(data.get("label", "")),
        text=text,
    )


def _unit_cost(key: str, item: Any, source: Path | str) -> UnitCost:
    if not isinstance(item, dict) or "value" not in item:
        raise CostError(f"{source}: unit cost {key!r} needs a value")
    unit = str(item.get("unit", WEEKLY_UNIT))
    if unit != WEEKLY_UNIT:
        raise CostError(f"{source}: unit cost {key!r} must be in {WEEKLY_UNIT!r}, not {unit!r}")
    return UnitCost(key, to_decimal(str(item["value"])), unit, str(item.get("label", key)),
                    str(item.get("as_at", "")), str(item.get("source", "")))  # fmt: skip


@dataclass
class YearCost:
    year: FinancialYear
    first_day: dt.date  # the first forecast day in the year
    last_day: dt.date
    child_days: dict[str, float]
    by_group: dict[str, Decimal]
    total: Decimal
    # the cost of each sample path (model floats) and its p10, p50, p90 in money
    path_totals: np.ndarray | None = field(default=None, repr=False, compare=False)
    band: tuple[Decimal, Decimal, Decimal] | None = None

    @property
    def partial(self) -> bool:
        return self.first_day != self.year.first_day or self.last_day != self.year.last_day

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year.label, "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(), "partial": self.partial,
            "child_days": self.child_days,
            "by_group": {k: str(v) for k, v in self.by_group.items()},
            "total": str(self.total),
            **({} if self.band is None else dict(zip(("p10", "p50", "p90"),
                                                     map(str, self.band), strict=True))),
        }  # fmt: skip


def forecast_costs(
    result: ForecastResult,
    assumptions: Assumptions,
    adjusters: tuple[CostAdjuster, ...] = (),
) -> dict[FinancialYear, YearCost]:
    """Expected placement cost of each financial year the forecast touches."""
    days_by_group = result.child_days.sum(axis=1)  # (M, G)
    return placement_costs(result.config, result.month_days, days_by_group, assumptions, adjusters,
                           day_paths=result.path_child_days)  # fmt: skip


def placement_costs(
    config: ModelConfig,
    month_days: Sequence[tuple[dt.date, dt.date]],
    days_by_group: np.ndarray,
    assumptions: Assumptions,
    adjusters: tuple[CostAdjuster, ...] = (),
    *,
    day_paths: np.ndarray | None = None,
) -> dict[FinancialYear, YearCost]:
    """The cost of child-days in care: ``days_by_group[m, g]`` days in month ``m`` (first and
    last day in ``month_days``) in placement group ``g``, by financial year; with
    ``day_paths`` (S, M, G) also each path's cost and the band."""
    assumptions.check(config)
    keys = config.group_keys
    per_year: dict[FinancialYear, dict[str, Any]] = {}
    unit: dict[FinancialYear, np.ndarray] = {}  # weekly costs of each year, worked out once
    for m, (first, last) in enumerate(month_days):
        year = FinancialYear.containing(first)
        if year not in unit:
            unit[year] = np.array([float(assumptions.weekly(key, year)) for key in keys])
        weekly = unit[year]
        for adjust in adjusters:
            weekly = weekly * adjust(day_number(first))
        days = days_by_group[m]
        slot = per_year.setdefault(year, {"first": first, "last": last,
                                          "days": np.zeros(len(keys)),
                                          "cost": np.zeros(len(keys)),
                                          "paths": None})  # fmt: skip
        slot["last"] = last
        slot["days"] += days
        slot["cost"] += days * weekly / 7.0
        if day_paths is not None:
            path_cost = day_paths[:, m].astype(np.float64) @ (weekly / 7.0)
            slot["paths"] = path_cost if slot["paths"] is None else slot["paths"] + path_cost
    return {year: _year_cost(year, slot, keys) for year, slot in per_year.items()}


def _year_cost(year: FinancialYear, slot: dict[str, Any], keys: list[str]) -> YearCost:
    # Each group's cost is rounded once; the total is their sum, so a costs table adds up.
    by_group = {k: from_model_float(v) for k, v in zip(keys, slot["cost"], strict=True)}
    paths = slot["paths"]
    return YearCost(
        year=year,
        first_day=slot["first"],
        last_day=slot["last"],
        child_days={k: float(v) for k, v in zip(keys, slot["days"], strict=True)},
        by_group=by_group,
        total=sum(by_group.values(), Decimal(0)),
        path_totals=paths,
        band=None if paths is None else money_band(paths),
    )


@dataclass(frozen=True)
class OwnUnitCost:
    """A council's own weekly unit cost of a placement group, at the prices of the financial
    year it takes effect in."""

    group: str
    value: Decimal
    effective_from: dt.date
    source: str


def with_own_unit_costs(base: Assumptions, own: Sequence[OwnUnitCost]) -> Assumptions:
    """``base`` with the council's own unit costs in place of its values (the other groups keep
    ``base``'s). Each own cost is carried to ``base``'s price base with ``base``'s inflation, so
    in the year it takes effect it costs exactly its value; the text (and hash) names them."""
    costs = dict(base.costs)
    for item in own:
        if item.group not in costs:
            raise CostError(f"no placement group {item.group!r} for a unit cost")
        year = FinancialYear.containing(item.effective_from)
        label = costs[item.group].label
        value = item.value / base.index(year)
        as_at = item.effective_from.isoformat()
        costs[item.group] = UnitCost(item.group, value, WEEKLY_UNIT, label, as_at, item.source)
    lines = [f"{i.group}: {i.value} from {i.effective_from.isoformat()} ({i.source})" for i in own]
    own_text = "\n".join(["# the council's own unit costs", *sorted(lines)])
    return Assumptions(
        costs=costs,
        price_base=base.price_base,
        inflation_default=base.inflation_default,
        inflation_by_year=dict(base.inflation_by_year),
        label=base.label,
        text=f"{base.text}\n{own_text}\n" if own else base.text,
    )


def money_band(path_amounts: np.ndarray) -> tuple[Decimal, Decimal, Decimal]:
    """p10, p50 and p90 of amounts in pounds over sample paths (model floats), each rounded
    once to pence as it becomes money."""
    low, mid, high = path_percentiles(np.asarray(path_amounts, dtype=np.float64))
    return from_model_float(low), from_model_float(mid), from_model_float(high)


def paths_of(year_costs: Sequence[YearCost]) -> np.ndarray | None:
    """Each path's cost summed over ``year_costs`` (None if any has no paths)."""
    paths = [c.path_totals for c in year_costs]
    if not paths or any(p is None for p in paths):
        return None
    return np.sum(paths, axis=0)
