"""Re-run a demand-scenario saving on later returns: monthly monitoring of demand-led lines.

The saving promised when the evidence was made is the baseline cost less the scenario cost in
each financial year, both forecast from the data known then. Each month, with the latest
returns:

- the baseline stays as it was promised: what the placements would have cost without the
  change (it cannot be observed once the change has started);
- the scenario side becomes what the data now show: the **actual** child-days in care from
  the evidence's start to the latest date, costed with the same unit costs and inflation, plus
  the scenario's **forecast** from the latest date to the end of the original horizon, fitted
  on the latest data (the reference window keeps its length and moves to the latest date).

The saving the data now imply is the baseline less (actual + forecast) in each financial year.
In the first month it is close to the promise; as months pass it follows what happened.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from csplan.core.periods import FinancialYear
from csplan.demand.config import ModelConfig, parse_config
from csplan.demand.costs import Assumptions, YearCost, parse_assumptions, placement_costs
from csplan.demand.forecast import fit
from csplan.demand.rates import Window
from csplan.demand.scenarios import RunOptions, Scenario, costed
from csplan.demand.states import day_number, segments, truncate


class RerunError(ValueError):
    """The evidence cannot be re-run on these returns (the message says why)."""


@dataclass
class Rerun:
    latest_date: dt.date
    data_hash: str
    promised: dict[FinancialYear, Decimal]
    implied: dict[FinancialYear, Decimal]
    baseline_cost: dict[FinancialYear, Decimal]
    actual_cost: dict[FinancialYear, Decimal]
    forecast_cost: dict[FinancialYear, Decimal]
    parameters: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=8)
def _config(text: str) -> ModelConfig:
    return parse_config(text)


@functools.lru_cache(maxsize=8)
def _assumptions(text: str) -> Assumptions:
    return parse_assumptions(text)


def _months_between(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def rerun(
    evidence: dict[str, Any],
    episodes: pd.DataFrame,
    last_date: dt.date,
    *,
    data_hash: str = "",
) -> Rerun:
    """The saving the returns up to ``last_date`` imply for an evidence record made by
    ``csplan.demand.scenarios.run_scenario`` (its ``savings`` and ``parameters``)."""
    p = evidence["parameters"]
    start = dt.date.fromisoformat(p["last_date"])
    if last_date < start:
        raise RerunError(f"the returns end on {last_date}, before the evidence's data ({start})")
    config = _config(p["config"])
    assumptions = _assumptions(p["assumptions"])
    scenario = Scenario.from_dict(p["scenario"])
    options = RunOptions.from_dict(p)
    baseline = {FinancialYear.parse(y): Decimal(v) for y, v in p["baseline_cost"].items()}
    adjusters = scenario.cost_adjusters(config)
    actual = actual_costs(episodes, config, assumptions, start, last_date, adjusters)
    remaining = options.months - _months_between(start, last_date)
    forecast: dict[FinancialYear, YearCost] = {}
    if remaining > 0:
        window = _moved_window(options, start, last_date)
        population = pd.DataFrame(p["population"]) if p.get("population") else None
        params = fit(episodes, last_date, config, window=window, population=population,
                     trend=options.trend, trend_damping=options.trend_damping,
                     data_hash=data_hash)  # fmt: skip
        # The re-run keeps expected costs only: sample paths would not change them.
        later = replace(options, months=remaining, window=window, simulations=0)
        forecast = costed(scenario.apply(params), later, assumptions, adjusters).costs
    actual_total = {y: c.total for y, c in actual.items()}
    forecast_total = {y: c.total for y, c in forecast.items()}
    implied = {
        year: cost - actual_total.get(year, Decimal(0)) - forecast_total.get(year, Decimal(0))
        for year, cost in baseline.items()
    }
    return Rerun(
        latest_date=last_date,
        data_hash=data_hash,
        promised={FinancialYear.parse(y): Decimal(v) for y, v in evidence["savings"].items()},
        implied=implied,
        baseline_cost=baseline,
        actual_cost=actual_total,
        forecast_cost=forecast_total,
        parameters={
            "method": "csplan.demand.rerun: baseline as promised, less actual placements to "
            "the latest date and the scenario forecast from it",
            "latest_date": last_date.isoformat(),
            "evidence_last_date": start.isoformat(),
            "months_forecast": max(remaining, 0),
        },
    )


def _moved_window(options: RunOptions, start: dt.date, last_date: dt.date) -> Window:
    window = options.window or Window.ending(start, 24)
    length = _months_between(window.first, window.last) + 1
    return Window.ending(last_date, length)


def actual_costs(
    episodes: pd.DataFrame,
    config: ModelConfig,
    assumptions: Assumptions,
    after: dt.date,
    until: dt.date,
    adjusters: tuple = (),
) -> dict[FinancialYear, YearCost]:
    """The cost of the child-days in care from the day after ``after`` to ``until`` (both
    month ends), month by month, by financial year."""
    segs = segments(episodes, config, until)
    months = pd.date_range(pd.Timestamp(after) + pd.Timedelta(days=1), until, freq="MS")
    month_days = [(m.date(), (m + pd.offsets.MonthEnd(0)).date()) for m in months]
    start, end, group = (segs[c].to_numpy() for c in ("start", "end", "group"))
    days = np.zeros((len(month_days), len(config.groups)))
    for m, (first, last) in enumerate(month_days):
        overlap = np.minimum(end, day_number(last) + 1) - np.maximum(start, day_number(first))
        np.add.at(days[m], group, np.clip(overlap, 0, None))
    return placement_costs(config, month_days, days, assumptions, adjusters)


def episodes_hash(episodes: pd.DataFrame) -> str:
    """sha256 of the episodes table as the model reads it (for data cut to a date)."""
    import hashlib

    columns = ["child_id", "dob", "start", "end", "place", "place_provider"]
    ordered = episodes[columns].sort_values(["child_id", "start"], kind="stable")
    rows = pd.util.hash_pandas_object(ordered, index=False).to_numpy()
    return hashlib.sha256(rows.tobytes()).hexdigest()


def rerun_as_at(evidence: dict[str, Any], episodes: pd.DataFrame, as_at: dt.date) -> Rerun:
    """``rerun`` on the returns as they stood on ``as_at`` (a month end): later events cut off,
    the data hash computed on what is left."""
    if (pd.Timestamp(as_at) + pd.Timedelta(days=1)).day != 1:
        raise RerunError(f"re-run at a month end, not {as_at}")
    known = truncate(episodes, as_at)
    return rerun(evidence, known, as_at, data_hash=episodes_hash(known))
