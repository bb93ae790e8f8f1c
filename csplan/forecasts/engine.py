"""The one place the demand pages call the demand library (``csplan.demand``).

Everything the store keeps from the library passes through here and comes out as plain JSON
values (money as exact decimal strings), so the rest of the app does not depend on the shape
of the library's objects:

- ``load(folder)`` → the library's ``Returns`` (episodes, issues, data_hash, last_date);
- ``validate_dfe(folder)`` → ``DfeResult`` (status, message, findings as dicts);
- ``run_parameters(definition)`` → every parameter of a forecast run (JSON);
- ``forecast(returns, definition)`` → the run's results (JSON, described in ``forecast``);
- ``evidence_record(returns, definition)`` → the scenario's saving by financial year, the data
  hash and the parameters, for ``csplan.evidence.records.attach_evidence``;
- ``check_definition(value)`` and ``describe(definition)`` for saved scenarios.

The pages use one set of run options: 60 months from the last date in the data, the 24 months
before it as the reference window, seed 0 and 500 simulations (``CSPLAN_DEMAND_SIMULATIONS`` in
the Django settings changes the number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from csplan import __version__
from csplan.core.periods import FinancialYear

FAN_MONTHS = 36
HISTORY_MONTHS = 24
TOTAL_KEY = "all"
TOTAL_LABEL = "All children looked after"


class ReadError(ValueError):
    """The files cannot be read as SSDA903 returns at all (the message names the file)."""


@dataclass
class DfeResult:
    status: str  # one of ValidationReport.DfeStatus
    message: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)


def _options() -> Any:
    from django.conf import settings

    from csplan.demand.forecast import DEFAULT_SIMULATIONS
    from csplan.demand.scenarios import RunOptions

    simulations = getattr(settings, "CSPLAN_DEMAND_SIMULATIONS", DEFAULT_SIMULATIONS)
    return RunOptions(months=60, seed=0, simulations=int(simulations))


@cache
def _config() -> Any:
    from csplan.demand.config import load_config

    return load_config()


@cache
def _assumptions() -> Any:
    from csplan.demand.costs import load_assumptions

    return load_assumptions()


def load(folder: Path) -> Any:
    from csplan.demand.episodes import InputError, load_returns

    try:
        return load_returns(folder)
    except (InputError, ValueError, OSError) as error:
        # The files sit in a temporary folder: name them as the user uploaded them.
        message = str(error).replace(f"{folder}/", "").replace(str(folder), "the upload")
        raise ReadError(message) from error


def unusable(returns: Any) -> list[str]:
    """Where the returns are too broken to forecast on: for each file and column with more than
    5% of its rows unusable, the file, column, count and share in words (``check_usable``);
    empty when a forecast may be made."""
    from csplan.demand.episodes import (
        MAX_UNREADABLE_SHARE,
        InputError,
        check_usable,
        unreadable_shares,
    )

    try:
        check_usable(returns)
    except InputError:
        return [s.describe() for s in unreadable_shares(returns) if s.share > MAX_UNREADABLE_SHARE]
    return []


def validate_dfe(folder: Path) -> DfeResult:
    """The DfE rules for the latest collection year in ``folder`` (with the year before it)."""
    from csplan.demand import validator
    from csplan.demand.readers import InputError, find_tables

    try:
        tables, _ = find_tables(folder)
        years = sorted({t.year for t in tables if t.year})
        if not years:
            return DfeResult("failed", "No SSDA903 header and episodes tables were found")
        report = validator.validate_returns(folder, years[-1])
    except validator.ValidatorUnavailable as error:
        return DfeResult("unavailable", str(error))
    except (validator.ValidatorFailed, InputError) as error:
        return DfeResult("failed", str(error))
    return DfeResult("ran", _dfe_message(report), [f.as_dict() for f in report.findings])


def _dfe_message(report: Any) -> str:
    year = FinancialYear(report.collection_year - 1).label
    parts = [
        f"csc-validator-be-903 {report.validator_version}, rule set {report.ruleset}, "
        f"collection year {year}: {report.rules_run} rules run, "
        f"{len(report.real_findings)} findings, "
        f"{len(report.false_positives)} known false positives"
    ]
    crashed = [r.code for r in report.failed_rules]
    if crashed:
        parts.append(
            f"rules that crashed in the validator and checked nothing: {', '.join(crashed)}"
        )
    parts.extend(report.notes)
    return "; ".join(parts)


def _scenario(definition: dict[str, Any] | None) -> Any:
    from csplan.demand.scenarios import Scenario

    if not definition:
        return None
    return Scenario.from_dict({"name": "scenario", **definition})


def placement_groups() -> list[tuple[str, str]]:
    """The placement groups as (key, label), in the model's order."""
    return [(g.key, g.label) for g in _config().groups]


def own_assumptions(own: list[tuple[str, Decimal, Any, str]]) -> Any:
    """The shipped assumptions with a council's own unit costs, each (group, weekly cost,
    effective from, source), in place of the illustrative ones."""
    from csplan.demand.costs import OwnUnitCost, with_own_unit_costs

    return with_own_unit_costs(_assumptions(), [OwnUnitCost(*item) for item in own])


def default_assumptions() -> Any:
    """The shipped illustrative unit costs and inflation (``csplan.demand.costs``)."""
    return _assumptions()


def read_population(path: Path) -> list[dict[str, Any]]:
    """A population projection CSV (year, age or age_band, population) as JSON rows of year,
    band (index) and population, read as the CLI's ``--population`` reads it; ``ReadError``
    naming the file when it cannot be used."""
    import pandas as pd

    from csplan.demand.rates import RateError
    from csplan.demand.rates import read_population as read

    try:
        frame = read(path, _config())
    except (RateError, ValueError, KeyError, pd.errors.ParserError) as error:
        message = str(error).replace(f"{path.parent}/", "")
        raise ReadError(message if path.name in message else f"{path.name}: {message}") from None
    return [
        {"year": int(r.year), "band": int(r.band), "population": float(r.population)}
        for r in frame.itertuples()
    ]


def run_parameters(
    definition: dict[str, Any] | None,
    assumptions: Any = None,
    *,
    trend: bool = True,
    population: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything besides the data that fixes a run's numbers (the data hash is stored apart).
    ``assumptions``: the unit costs to price the run with (the shipped ones when None);
    ``trend``: entries with their trend or constant; ``population``: entries as a rate of
    this projection (``read_population``'s rows) when given."""
    options = _options()
    return {
        "csplan_version": __version__,
        "months": options.months,
        "reference_window_months": 24,
        "seed": options.seed,
        "simulations": options.simulations,
        "entry_trend": trend,
        "population": population or None,
        "step": "month",
        "config_hash": _config().hash,
        "assumptions_hash": (assumptions or _assumptions()).hash,
        "scenario": definition,
    }


def forecast(
    returns: Any,
    definition: dict[str, Any] | None,
    assumptions: Any = None,
    *,
    trend: bool = True,
    population: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The run's results as JSON.

    ``groups`` (``all``, then the placement groups) with ``labels``; ``actuals``: each group's
    month-end numbers over the last 24 months of the data; ``forecast``: each group's month
    ends as ``[date, p10, p50, p90]`` for 36 months; ``costs``: each financial year's
    expected cost by placement group and ``total`` (decimal strings, exact pounds and pence),
    with ``partial_years`` listing the years the forecast covers only in part.
    """
    from csplan.demand.forecast import collection_start, fit
    from csplan.demand.scenarios import costed

    config, options = _config(), _options()
    import pandas as pd

    people = pd.DataFrame(population) if population else None
    params = fit(returns.episodes, returns.last_date, config, data_hash=returns.data_hash,
                 trend=trend, population=people,
                 data_start=collection_start(returns.years))  # fmt: skip
    scenario = _scenario(definition)
    if scenario is not None:
        params = scenario.apply(params)
    adjusters = scenario.cost_adjusters(config) if scenario else ()
    run = costed(params, options, assumptions or _assumptions(), adjusters)
    return {
        "groups": [TOTAL_KEY, *config.group_keys],
        "cost_groups": config.group_keys,
        "labels": {**{g.key: g.label for g in config.groups}, TOTAL_KEY: TOTAL_LABEL},
        "actuals": _actuals(returns, config),
        "forecast": _fan(run.result, config),
        "costs": {year.label: _year_costs(cost) for year, cost in sorted(run.costs.items())},
        "partial_years": [y.label for y, c in sorted(run.costs.items()) if c.partial],
        "start": returns.last_date.isoformat(),
        "children_at_start": int(params.initial.sum()),
    }


def _actuals(returns: Any, config: Any) -> dict[str, list[list[Any]]]:
    import pandas as pd

    from csplan.demand.states import segments, stock_on

    segs = segments(returns.episodes, config, returns.last_date)
    last = pd.Timestamp(returns.last_date)
    days = [(last + pd.offsets.MonthEnd(-k)).date() for k in range(HISTORY_MONTHS - 1, 0, -1)]
    days.append(returns.last_date)
    by_group: dict[str, list[list[Any]]] = {key: [] for key in [*config.group_keys, TOTAL_KEY]}
    for day in days:
        counts = stock_on(segs, config, day).sum(axis=0)
        for key, value in zip(config.group_keys, counts, strict=True):
            by_group[key].append([day.isoformat(), int(value)])
        by_group[TOTAL_KEY].append([day.isoformat(), int(counts.sum())])
    return by_group


def _fan(result: Any, config: Any) -> dict[str, list[list[Any]]]:
    months = min(FAN_MONTHS, len(result.dates))
    fan: dict[str, list[list[Any]]] = {}
    for g, key in enumerate(config.group_keys):
        p = result.group_percentiles[:, :months, g]
        fan[key] = [
            [result.dates[m].isoformat(), _children(p[0, m]), _children(p[1, m]),
             _children(p[2, m])]
            for m in range(months)
        ]  # fmt: skip
    t = result.total_percentiles[:, :months]
    fan[TOTAL_KEY] = [
        [result.dates[m].isoformat(), _children(t[0, m]), _children(t[1, m]), _children(t[2, m])]
        for m in range(months)
    ]
    return fan


def _children(value: float) -> float:
    return round(float(value), 1)


def _year_costs(cost: Any) -> dict[str, str]:
    amounts = {key: format(value, "f") for key, value in cost.by_group.items()}
    amounts["total"] = format(cost.total, "f")
    return amounts


def evidence_record(
    returns: Any, definition: dict[str, Any], assumptions: Any = None
) -> dict[str, Any]:
    """The scenario's saving against the baseline by financial year, reproducible (priced with
    ``assumptions``, the shipped unit costs when None)."""
    from csplan.demand.scenarios import run_scenario

    run = run_scenario(
        returns.episodes, returns.last_date, _scenario(definition), config=_config(),
        assumptions=assumptions or _assumptions(), options=_options(),
        data_hash=returns.data_hash,
    )  # fmt: skip
    return {
        "savings": {FinancialYear.parse(y): Decimal(v) for y, v in run.evidence["savings"].items()},
        "data_hash": run.evidence["data_hash"],
        "parameters": run.evidence["parameters"],
        "summary": run.evidence["summary"],
    }


def check_definition(value: Any) -> str | None:
    """Why ``value`` is not a scenario the model can apply (None when it is)."""
    from csplan.demand.config import ConfigError
    from csplan.demand.scenarios import Scenario, ScenarioError

    if not isinstance(value, dict):
        return "A scenario is a JSON object with a name and a list of adjustments"
    try:
        scenario = Scenario.from_dict({"name": "scenario", **value})
        if not scenario.adjustments:
            return "A scenario needs at least one adjustment"
        scenario.check(_config())
    except (ScenarioError, ConfigError) as error:
        return str(error)
    return None


_KIND_LABELS = {
    "entry_rate": "Children entering care",
    "in_house_share": "New entrants placed in-house",
    "length_of_stay": "Length of stay",
    "step_down": "Step-down from residential",
    "unit_cost": "Weekly unit cost",
}


def describe(definition: dict[str, Any]) -> list[dict[str, str]]:
    """One row per adjustment, in words: what changes, by how much, from when."""
    config = _config()
    labels = {g.key: g.label for g in config.groups}
    rows = []
    for item in definition.get("adjustments", []):
        rows.append({"what": _KIND_LABELS.get(item.get("kind"), str(item.get("kind"))),
                     "detail": _detail(item, labels)})  # fmt: skip
    return rows


def _detail(item: dict[str, Any], labels: dict[str, str]) -> str:
    kind = item.get("kind")
    parts = []
    if item.get("multiply") is not None:
        parts.append(f"× {item['multiply']}")
    if item.get("add") is not None:
        unit = " a year" if kind == "step_down" else " children a month"
        parts.append(f"+ {item['add']}{unit}")
    if item.get("share") is not None:
        source = labels.get(item.get("from_group") or "foster_ifa", "agency fostering")
        target = labels.get(item.get("to_group") or "foster_in_house", "in-house fostering")
        parts.append(f"{float(item['share']):.0%} moved from {source} to {target}")
    if item.get("groups"):
        parts.append("for " + ", ".join(labels.get(g, g) for g in item["groups"]))
    ramp = int(item.get("ramp_months") or 0)
    parts.append(
        f"from {item.get('start')}" + (f", full effect after {ramp} months" if ramp else "")
    )
    return "; ".join(parts)
