"""The service layer between the demand pages and the demand library.

Views call these functions and render what they return; the rules live in ``csplan.demand``.
Stored files are written back into a temporary folder to be read by ``load_returns``; nothing
leaves the machine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from csplan.core import limits
from csplan.core.charts.fan import FanPoint
from csplan.core.history import recording_user, save_recorded
from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.evidence.records import attach_evidence
from csplan.forecasts import engine
from csplan.forecasts.models import (
    Dataset,
    DatasetFile,
    ForecastRun,
    Scenario,
    UnitCost,
    ValidationReport,
)
from csplan.forecasts.uploads import Blob, UploadRefused
from csplan.programme.models import Council, SavingsLine


@contextmanager
def materialised(blobs: Sequence[Blob]) -> Iterator[Path]:
    """The files written into a temporary folder (removed afterwards, however the block ends;
    after a crash, at the next start), keeping their paths, each checked to stay inside it."""
    with limits.temporary_folder("903") as root:
        for blob in blobs:
            try:
                target = limits.safe_path(root, blob.name, "the upload")
            except limits.FileRefused as refused:
                raise UploadRefused([str(refused)]) from None
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.content)
        yield root


def dataset_blobs(dataset: Dataset) -> list[Blob]:
    return [Blob(f.name, bytes(f.content)) for f in dataset.files.all()]


@transaction.atomic
def _store(
    name: str, blobs: Sequence[Blob], returns: Any, user: Any, council: Council | None
) -> Dataset:
    episodes = returns.episodes
    dataset = Dataset.objects.create(
        name=name,
        council=council,
        uploaded_by=recording_user(user),
        data_hash=returns.data_hash,
        last_date=returns.last_date,
        episode_count=len(episodes),
        child_count=int(episodes["child_id"].nunique()) if len(episodes) else 0,
        total_size=sum(b.size for b in blobs),
    )
    DatasetFile.objects.bulk_create(
        DatasetFile(
            dataset=dataset,
            name=blob.name,
            size=blob.size,
            sha256=blob.sha256,
            content=blob.content,
            position=position,
        )
        for position, blob in enumerate(blobs)
    )
    ValidationReport.objects.create(
        dataset=dataset, input_issues=[issue_dict(i) for i in returns.issues]
    )
    return dataset


def issue_dict(issue: Any) -> dict[str, Any]:
    """An InputIssue as stored JSON."""
    fields = ("file", "row", "column", "child", "rule", "message", "action", "severity")
    return {
        key: (None if getattr(issue, key, None) is None else _jsonable(getattr(issue, key)))
        for key in fields
        if hasattr(issue, key)
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------
# Data sets


def create_dataset(
    name: str, blobs: Sequence[Blob], *, user: Any = None, council: Council | None = None
) -> Dataset:
    """Read the files with ``load_returns`` and, only if that works, store them with the report.

    Problems in the rows are kept as input issues in the report; a set of files that cannot be
    read at all raises ``UploadRefused`` naming the file, and nothing is stored.
    """
    with materialised(blobs) as folder:
        try:
            returns = engine.load(folder)
        except engine.ReadError as error:
            raise UploadRefused([str(error)]) from None
    if not len(returns.episodes):
        problems = [_issue_text(issue_dict(i)) for i in returns.issues[:10]]
        raise UploadRefused(["No episodes could be read from these files", *problems])
    dataset = _store(name, blobs, returns, user, council)
    _cache_put(dataset, returns)
    return dataset


def _issue_text(issue: dict[str, Any]) -> str:
    where = ", ".join(
        f"{label} {issue[key]}"
        for key, label in (
            ("file", "file"),
            ("row", "row"),
            ("column", "column"),
            ("child", "child"),
        )
        if issue.get(key) not in (None, "")
    )
    return f"{where}: {issue.get('message', '')}" if where else str(issue.get("message", ""))


_RETURNS_CACHE: dict[tuple[int, str], Any] = {}
_CACHE_SIZE = 4


def _cache_put(dataset: Dataset, returns: Any) -> None:
    while len(_RETURNS_CACHE) >= _CACHE_SIZE:
        _RETURNS_CACHE.pop(next(iter(_RETURNS_CACHE)))
    _RETURNS_CACHE[(dataset.pk, dataset.data_hash)] = returns


def load(dataset: Dataset) -> Any:
    """The dataset's ``Returns`` (read again from the stored files, kept for a few data sets)."""
    key = (dataset.pk, dataset.data_hash)
    if key not in _RETURNS_CACHE:
        with materialised(dataset_blobs(dataset)) as folder:
            returns = engine.load(folder)
        if returns.data_hash != dataset.data_hash:
            raise RuntimeError(
                f"data set {dataset.pk}: the stored files no longer give the data hash recorded "
                "at upload; the demand library may have changed how it reads them"
            )
        _cache_put(dataset, returns)
    return _RETURNS_CACHE[key]


class ForecastRefused(ValueError):
    """A data set with too many unusable rows: no forecast is made on the rest.

    The upload keeps every file and its validation report lists every bad row; the refusal
    comes when a forecast, a scenario's saving or a monitoring re-run is asked for."""

    def __init__(self, dataset: Dataset, problems: list[str]) -> None:
        self.dataset = dataset
        self.problems = problems
        super().__init__(
            f"{dataset.name}: too many rows cannot be used, so no forecast is made on the rest: "
            + "; ".join(problems)
        )


def usable(dataset: Dataset) -> Any:
    """The data set's returns when a forecast may be made on them; ``ForecastRefused`` naming
    file, column, count and share when more than 5% of a file's rows cannot be used."""
    returns = load(dataset)
    problems = engine.unusable(returns)
    if problems:
        raise ForecastRefused(dataset, problems)
    return returns


@transaction.atomic
def run_dfe_validator(dataset: Dataset) -> ValidationReport:
    """Run the DfE validator over the stored files and keep its findings in the report."""
    with materialised(dataset_blobs(dataset)) as folder:
        result = engine.validate_dfe(folder)
    report, _ = ValidationReport.objects.select_for_update().get_or_create(dataset=dataset)
    report.dfe_status = result.status
    report.dfe_message = result.message
    report.dfe_findings = result.findings
    report.dfe_ran_at = timezone.now()
    report.save()
    return report


# ---------------------------------------------------------------------------------------------
# Unit costs


class UnitCostRefused(ValueError):
    """A unit cost that cannot be saved: ``errors`` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def placement_groups() -> list[tuple[str, str]]:
    """The model's placement groups as (key, label)."""
    return engine.placement_groups()


def default_unit_costs() -> dict[str, Decimal]:
    """The illustrative weekly unit cost of each group, at the shipped price base."""
    return {key: cost.value for key, cost in engine.default_assumptions().costs.items()}


def unit_costs_in_force(council: Council, on: date | None = None) -> list[UnitCost]:
    """For each placement group, the council's unit cost with the latest date on or before
    ``on`` (today when None), in the model's group order."""
    day = on or timezone.localdate()
    latest: dict[str, UnitCost] = {}
    for cost in UnitCost.objects.filter(council=council, effective_from__lte=day).order_by(
        "effective_from", "id"
    ):
        latest[cost.group] = cost
    return [latest[key] for key, _ in engine.placement_groups() if key in latest]


@dataclass(frozen=True)
class UnitCostsUsed:
    """The unit costs that price a data set's forecasts: the council's own (those in force)
    over the shipped illustrative ones."""

    council: Council | None
    own: list[UnitCost]
    assumptions: Any

    def parameters(self) -> dict[str, Any]:
        return {
            "council": self.council.name if self.council else None,
            "own": [
                {
                    "group": c.group,
                    "weekly_cost": format(c.weekly_cost, "f"),
                    "effective_from": c.effective_from.isoformat(),
                    "source": c.source,
                }
                for c in self.own
            ],  # fmt: skip
            "defaults": self.assumptions.label,
        }


def unit_costs_for(dataset: Dataset, on: date | None = None) -> UnitCostsUsed:
    council = dataset.council
    own = unit_costs_in_force(council, on) if council is not None else []
    if not own:
        return UnitCostsUsed(council, [], engine.default_assumptions())
    items = [(c.group, c.weekly_cost, c.effective_from, c.source) for c in own]
    return UnitCostsUsed(council, own, engine.own_assumptions(items))


@transaction.atomic
def save_unit_cost(
    council: Council,
    group: str,
    weekly_cost: Decimal,
    effective_from: date,
    source: str,
    *,
    user: Any = None,
) -> UnitCost:
    """Set the council's weekly unit cost of ``group`` from ``effective_from`` (a cost on the
    same date is changed, otherwise a new one is added); the change is recorded."""
    errors = {}
    if group not in dict(engine.placement_groups()):
        errors["group"] = f"There is no placement group {group!r}"
    if weekly_cost < 0:
        errors["weekly_cost"] = "Weekly cost: enter 0 or more"
    if not source.strip():
        errors["source"] = "Enter where the figure comes from"
    if errors:
        raise UnitCostRefused(errors)
    cost = (
        UnitCost.objects.select_for_update()
        .filter(council=council, group=group, effective_from=effective_from)
        .first()
    ) or UnitCost(council=council, group=group, effective_from=effective_from)
    cost.weekly_cost = weekly_cost
    cost.source = source.strip()
    save_recorded(cost, user, effective=effective_from)
    return cost


# ---------------------------------------------------------------------------------------------
# Forecast runs


@dataclass(frozen=True)
class RunSettings:
    """How a forecast treats entries to care: with their trend (the default) or constant, and
    as a rate per 10,000 children of the data set's population projection or not."""

    trend: bool = True
    population: bool = False

    @classmethod
    def from_query(cls, query: Any) -> RunSettings:
        """From a page's query: ``trend=off`` for constant entries, ``population=on`` for
        entries as a rate of the population projection."""
        return cls(trend=query.get("trend") != "off", population=query.get("population") == "on")


def set_population(dataset: Dataset, blob: Blob) -> Dataset:
    """Read a population projection CSV (as the CLI's ``--population``) and keep it with the
    data set; ``UploadRefused`` naming the file when it cannot be read (nothing is changed)."""
    with materialised([blob]) as folder:
        try:
            rows = engine.read_population(folder / blob.name)
        except engine.ReadError as error:
            raise UploadRefused([str(error)]) from None
    if not rows:
        raise UploadRefused([f"{blob.name}: no population rows for ages 0 to 17"])
    dataset.population = rows
    dataset.population_name = blob.name
    dataset.save(update_fields=["population", "population_name"])
    return dataset


def forecast_run(
    dataset: Dataset,
    scenario: Scenario | None,
    *,
    user: Any = None,
    settings: RunSettings = RunSettings(),
) -> ForecastRun:
    """The stored run for these inputs, made (and stored) when there is none yet; priced with
    the unit costs of the data set's council in force today (``unit_costs_for``), entries as
    ``settings`` say (the population only when the data set has one)."""
    definition = scenario.definition if scenario else None
    used = unit_costs_for(dataset)
    population = dataset.population if settings.population and dataset.population else None
    parameters = {
        **engine.run_parameters(
            definition, used.assumptions, trend=settings.trend, population=population
        ),
        "unit_costs": used.parameters(),
    }
    candidates = ForecastRun.objects.filter(
        dataset=dataset, scenario=scenario, data_hash=dataset.data_hash
    ).order_by("-created_at", "-id")
    # Runs with other settings or unit costs are kept too: the latest with these parameters.
    same = next(
        (pk for pk, p in candidates.values_list("pk", "parameters") if p == parameters), None
    )
    if same is not None:
        return ForecastRun.objects.get(pk=same)
    results = engine.forecast(
        usable(dataset), definition, used.assumptions, trend=settings.trend, population=population
    )
    return ForecastRun.objects.create(
        dataset=dataset,
        scenario=scenario,
        created_by=recording_user(user),
        data_hash=dataset.data_hash,
        parameters=parameters,
        results=results,
    )


@dataclass(frozen=True)
class GroupFan:
    group: str
    label: str
    actuals: list[tuple[date, float]]
    forecast: list[FanPoint]


def fans(run: ForecastRun) -> list[GroupFan]:
    results = run.results
    return [
        GroupFan(
            group,
            results["labels"].get(group, group),
            [(date.fromisoformat(d), float(v)) for d, v in results["actuals"].get(group, [])],
            [
                FanPoint(date.fromisoformat(d), float(p10), float(p50), float(p90))
                for d, p10, p50, p90 in results["forecast"].get(group, [])
            ],
        )
        for group in results["groups"]
    ]


@dataclass(frozen=True)
class CostTable:
    groups: list[str]
    labels: dict[str, str]
    rows: dict[FinancialYear, dict[str, Decimal]]  # each row has the groups and "total"


def cost_table(run: ForecastRun) -> CostTable:
    results = run.results
    rows = {
        FinancialYear.parse(year): {key: Decimal(amount) for key, amount in amounts.items()}
        for year, amounts in results["costs"].items()
    }
    return CostTable(list(results["cost_groups"]), dict(results["labels"]), rows)


def cost_by_year(run: ForecastRun) -> dict[FinancialYear, Decimal]:
    return {year: amounts["total"] for year, amounts in cost_table(run).rows.items()}


# ---------------------------------------------------------------------------------------------
# Scenarios and comparison


def chosen_scenarios(ids: Sequence[str]) -> list[Scenario]:
    wanted = [int(i) for i in ids if str(i).isdigit()]
    found = {s.pk: s for s in Scenario.objects.filter(pk__in=wanted)}
    return [found[i] for i in dict.fromkeys(wanted) if i in found]


@dataclass(frozen=True)
class ChildrenRow:
    day: date
    group: str
    label: str
    values: list[float]


@dataclass(frozen=True)
class Comparison:
    dates: list[date]
    date_options: list[date]
    children: list[ChildrenRow]
    costs: dict[FinancialYear, list[Decimal]]  # baseline, then each scenario
    savings: dict[FinancialYear, list[Decimal]]  # each scenario: baseline less scenario
    parameters: dict[str, Any]


def compare(
    dataset: Dataset, scenarios: Sequence[Scenario], dates: Sequence[str], *, user: Any = None
) -> Comparison:
    """Baseline and any number of scenarios side by side: children, cost and saving."""
    runs = [forecast_run(dataset, None, user=user)]
    runs += [forecast_run(dataset, s, user=user) for s in scenarios]
    series = [
        {fan.group: {p.month: p.p50 for p in fan.forecast} for fan in fans(run)} for run in runs
    ]
    base_fans = fans(runs[0])
    options = sorted({p.month for fan in base_fans for p in fan.forecast})
    options = [d for d in options if d.month == 3] or options[-1:]  # each 31 March
    chosen = sorted({d for d in (_day(t) for t in dates) if d in set(options)}) or options[:3]
    children = [
        ChildrenRow(day, fan.group, fan.label, [s.get(fan.group, {}).get(day, 0.0) for s in series])
        for day in chosen
        for fan in base_fans
    ]
    costs_by_run = [cost_by_year(run) for run in runs]
    years = sorted(set().union(*costs_by_run))
    costs = {year: [c.get(year, ZERO) for c in costs_by_run] for year in years}
    savings = {year: [values[0] - v for v in values[1:]] for year, values in costs.items()}
    return Comparison(
        dates=chosen,
        date_options=options,
        children=children,
        costs=costs,
        savings=savings,
        parameters={
            "baseline": runs[0].parameters,
            "scenarios": {s.name: r.parameters for s, r in zip(scenarios, runs[1:], strict=False)},
        },
    )


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_definition(value: Any) -> str | None:
    """Why ``value`` is not a scenario the demand library can read (None when it is)."""
    return engine.check_definition(value)


def describe_scenario(scenario: Scenario) -> list[dict[str, str]]:
    return engine.describe(scenario.definition)


@transaction.atomic
def save_scenario(
    name: str, definition: dict[str, Any], *, description: str = "", user: Any = None
) -> Scenario:
    """Save (or update, by name) a scenario; its history records who changed it."""
    scenario = Scenario.objects.select_for_update().filter(name=name).first()
    if scenario is None:
        scenario = Scenario(name=name)
        scenario.author = recording_user(user)
    scenario.definition = definition
    scenario.description = description
    save_recorded(scenario, user)
    return scenario


class CouncilMismatch(ValueError):
    """A data set of one council offered as evidence for another council's line."""

    def __init__(self, dataset: Dataset, line: SavingsLine) -> None:
        super().__init__(
            f"The data set {dataset.name!r} holds {dataset.council}'s returns, but line "
            f"{line.reference} belongs to {line.plan.council}: evidence for a line must come "
            f"from its own council's data"
        )


def check_same_council(dataset: Dataset, line: SavingsLine) -> None:
    """``CouncilMismatch`` when the data set belongs to a council other than the line's (a data
    set with no council given may be used for any line)."""
    if dataset.council_id is not None and dataset.council_id != line.plan.council_id:
        raise CouncilMismatch(dataset, line)


def attach_scenario(
    dataset: Dataset, scenario: Scenario, line: SavingsLine, *, user: Any = None
) -> Evidence:
    """Evidence for ``line``: the scenario's saving by financial year, hash and parameters.
    ``CouncilMismatch`` when the data set is another council's."""
    check_same_council(dataset, line)
    used = unit_costs_for(dataset)
    record = engine.evidence_record(usable(dataset), scenario.definition, used.assumptions)
    parameters = {
        **record["parameters"],
        "unit_costs": used.parameters(),
        "dataset": {"id": dataset.pk, "name": dataset.name},
        "scenario_name": scenario.name,
        "scenario_id": scenario.pk,
    }
    return attach_evidence(
        line,
        kind=Evidence.Kind.DEMAND_SCENARIO,
        title=f"Demand model scenario: {scenario.name}",
        summary=record.get("summary", "")
        or f"Saving against the baseline forecast from {dataset.name}.",
        savings=record["savings"],
        data_hash=record["data_hash"],
        parameters=parameters,
        user=user,
    )


def rerun_evidence(
    evidence: Evidence, dataset: Dataset, as_at: date, period: Any, *, user: Any = None
) -> Any:
    """Re-run a line's demand evidence on a data set as at a month end, for monitoring
    (``CouncilMismatch`` when the data set is another council's)."""
    check_same_council(dataset, evidence.line)
    from csplan.monitoring.store import rerun_demand_evidence

    return rerun_demand_evidence(evidence, period, usable(dataset).episodes, as_at, user=user)
