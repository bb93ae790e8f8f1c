"""Close the gap: the trajectory that brings an LA's rate per 10,000 to a target. Pure.

From a base year (the latest 31 March figures), the rate moves in a straight line to the
target rate, reached at the end (31 March) of the target financial year. The gap in children
is (base count - target rate x population / 10,000), with the 0-17 population held at the
base year's figure (the ONS mid-year estimate DfE used). Each financial year's saving is
the *average* number fewer during the year (the mean of the start and end of year, since the
ramp is linear) x the weekly unit cost x the weeks in that year (days / 7), rounded once to
the penny (half up). Savings are against the base budget (cumulative); ``incremental`` is
the change from the year before, the project's canonical phasing form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from csplan.benchmark.calculations import (
    ENGLAND,
    BenchmarkData,
    area_rate,
    compare_measure,
    rate_per_10k,
    spend_per_child,
)
from csplan.core.money import round_half_up
from csplan.core.periods import FinancialYear
from csplan.demand.scenarios import Scenario

TARGETS = {
    "neighbours": "statistical neighbours' average (weighted by population)",
    "neighbours-unweighted": "statistical neighbours' average (unweighted mean)",
    "england": "England",
}


class GapError(ValueError):
    """A gap that cannot be planned, with the reason."""


@dataclass(frozen=True)
class GapYear:
    financial_year: FinancialYear
    rate_at_year_end: Decimal
    children_at_year_end: Decimal
    fewer_at_year_end: Decimal  # than the base count
    average_fewer: Decimal  # during the year
    saving: Decimal  # in the year, against the base budget, £ (rounded once, to the penny)
    incremental: Decimal  # change in saving from the year before, £


@dataclass
class GapPlan:
    la_code: str
    la_name: str
    base_year: FinancialYear  # ends on the 31 March of the base figures
    base_count: int
    population: int
    base_rate: Decimal
    target_label: str
    target_rate: Decimal
    target_year: FinancialYear
    weekly_unit_cost: Decimal
    years: list[GapYear] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def target_count(self) -> Decimal:
        return self.target_rate * self.population / 10000

    @property
    def gap_children(self) -> Decimal:
        return max(Decimal(self.base_count) - self.target_count, Decimal(0))

    @property
    def total_saving(self) -> Decimal:
        return sum((y.incremental for y in self.years), Decimal(0))

    @property
    def full_year_effect(self) -> Decimal:
        """The saving in a whole year once the target is reached (the year after the target)."""
        weeks = Decimal((self.target_year + 1).days) / 7
        return round_half_up(self.gap_children * self.weekly_unit_cost * weeks, 2)

    @property
    def entry_rate_multiplier(self) -> Decimal:
        """Entries scaled by target / base stock: in a steady state, stock = entries x stay."""
        if not self.base_count:
            return Decimal(1)
        return (Decimal(self.base_count) - self.gap_children) / Decimal(self.base_count)


def close_the_gap(
    *,
    la_code: str,
    la_name: str,
    base_year: FinancialYear,
    base_count: int,
    population: int,
    target_rate: Decimal,
    target_year: FinancialYear,
    weekly_unit_cost: Decimal,
    target_label: str = "a rate set by the user",
) -> GapPlan:
    """The linear trajectory from the base count to the target rate, costed per year."""
    if target_year <= base_year:
        raise GapError(
            f"the target year {target_year} is not after the base year {base_year} (the year "
            f"of the latest figures used, 31 March {base_year.start + 1})"
        )
    if weekly_unit_cost < 0 or target_rate < 0:
        raise GapError("the weekly unit cost and the target rate must not be negative")
    plan = GapPlan(
        la_code=la_code,
        la_name=la_name,
        base_year=base_year,
        base_count=base_count,
        population=population,
        base_rate=rate_per_10k(base_count, population),
        target_label=target_label,
        target_rate=target_rate,
        target_year=target_year,
        weekly_unit_cost=weekly_unit_cost,
    )
    if plan.target_count >= base_count:
        plan.notes.append(
            f"{la_name} is already at or below the target ({round_half_up(plan.base_rate, 1)} "
            f"against {round_half_up(target_rate, 1)} per 10,000): no reduction is needed."
        )
    steps = target_year - base_year
    previous_fewer, previous_saving = Decimal(0), Decimal(0)
    for step in range(1, steps + 1):
        year = base_year + step
        fewer = plan.gap_children * step / steps
        average = (previous_fewer + fewer) / 2
        saving = round_half_up(average * weekly_unit_cost * Decimal(year.days) / 7, 2)
        children = Decimal(base_count) - fewer
        plan.years.append(
            GapYear(
                financial_year=year,
                rate_at_year_end=children * 10000 / population,
                children_at_year_end=children,
                fewer_at_year_end=fewer,
                average_fewer=average,
                saving=saving,
                incremental=saving - previous_saving,
            )
        )
        previous_fewer, previous_saving = fewer, saving
    return plan


def target_rate_for(
    data: BenchmarkData, la: str, year: int, target: str | Decimal
) -> tuple[Decimal, str]:
    """The target rate and its label: neighbours (weighted or not), England, or a number."""
    if isinstance(target, Decimal):
        return target, "set by the user"
    if target == "england":
        england = area_rate(data, year, ENGLAND, "looked_after")
        if england.rate is None:
            raise GapError(f"no England figure for {year}")
        return england.rate, f"England ({year}, recomputed from the published count)"
    if target in ("neighbours", "neighbours-unweighted"):
        group = compare_measure(data, la, year, "looked_after").neighbours
        rate = group.weighted if target == "neighbours" else group.unweighted
        if rate is None:
            raise GapError(f"{la} has no statistical neighbours with figures for {year}")
        return rate, f"{TARGETS[target]}, {year}"
    try:
        return Decimal(target), "set by the user"
    except ArithmeticError:
        raise GapError(
            f"unknown target {target!r}: use neighbours, neighbours-unweighted, england or a "
            "rate per 10,000"
        ) from None


RO3_COST = "ro3"


def weekly_cost_from_ro3(data: BenchmarkData, la: str, year: int) -> Decimal:
    """The LA's RO3 net spend on children looked after in the year ending 31 March ``year``,
    per child looked after on that day, as a weekly cost (÷ the year's days ÷ 7, to the penny)."""
    _, _, per_child, note = spend_per_child(data, year, la, "net")
    if per_child is None:
        raise GapError(f"no weekly cost from RO3 for {la}: {note}")
    return round_half_up(per_child * 7 / Decimal(FinancialYear(year - 1).days), 2)


def gap_from_benchmark(
    data: BenchmarkData,
    la: str,
    year: int,
    target: str | Decimal,
    target_year: FinancialYear,
    weekly_unit_cost: Decimal | str,
) -> GapPlan:
    """Plan the gap from the published figures for the year ending 31 March ``year``;
    ``weekly_unit_cost`` may be ``"ro3"``: the LA's own RO3 spend per child looked after."""
    from_ro3 = weekly_unit_cost == RO3_COST
    if from_ro3:
        weekly_unit_cost = weekly_cost_from_ro3(data, la, year)
    base = area_rate(data, year, la, "looked_after")
    if base.count is None or not base.population:
        raise GapError(f"no count of children looked after for {la} on 31 March {year}")
    rate, label = target_rate_for(data, la, year, target)
    plan = close_the_gap(
        la_code=la,
        la_name=base.name,
        base_year=FinancialYear(year - 1),
        base_count=base.count,
        population=base.population,
        target_rate=rate,
        target_year=target_year,
        weekly_unit_cost=weekly_unit_cost,
        target_label=label,
    )
    if from_ro3:
        plan.notes.append(
            f"Weekly unit cost £{plan.weekly_unit_cost:,}: {base.name}'s RO3 net spend on "
            f"children looked after in {FinancialYear(year - 1)} per child looked after on "
            f"31 March {year}."
        )
    return plan


def scenario_spec(plan: GapPlan) -> dict[str, object]:
    """The gap as demand-model scenario data: an entry-rate multiplier with a linear ramp."""
    return {
        "name": f"Close the gap: {plan.la_name} to {plan.target_label} by {plan.target_year}",
        "adjustments": [
            {
                "kind": "entry_rate",
                "multiply": str(round_half_up(plan.entry_rate_multiplier, 4)),
                "start": (plan.base_year + 1).first_day.isoformat(),
                "ramp_years": plan.target_year - plan.base_year,
            }
        ],
    }


def to_scenario(plan: GapPlan) -> Scenario:
    """The gap as a ``csplan.demand.scenarios.Scenario``, to run on a council's own returns."""
    return Scenario.from_dict(scenario_spec(plan))


def gap_evidence(plan: GapPlan) -> dict[str, Any]:
    """The plan as evidence for a savings line: its in-year saving by financial year and
    every figure needed to recompute it (``close_the_gap`` with ``parameters['inputs']``)."""
    notes = " ".join(plan.notes)
    return {
        "title": f"Close the gap: {plan.la_name} to {plan.target_label} by {plan.target_year}",
        "summary": (
            f"From {plan.base_count:,} children looked after on 31 March "
            f"{plan.base_year.start + 1} (rate {round_half_up(plan.base_rate, 1)} per 10,000) to "
            f"{round_half_up(plan.target_rate, 1)} per 10,000 by 31 March "
            f"{plan.target_year.start + 1}: {round_half_up(plan.gap_children, 1)} fewer children "
            f"at £{plan.weekly_unit_cost:,} a week. {notes}"
        ).strip(),
        "savings": {y.financial_year: y.saving for y in plan.years},
        "parameters": {
            "method": "csplan.benchmark.gap.close_the_gap (linear ramp, population held at the "
            "base year, average children fewer x weekly unit cost x days / 7, rounded once)",
            "inputs": {
                "la_code": plan.la_code,
                "la_name": plan.la_name,
                "base_year": plan.base_year.label,
                "base_count": plan.base_count,
                "population": plan.population,
                "target_rate": str(plan.target_rate),
                "target_label": plan.target_label,
                "target_year": plan.target_year.label,
                "weekly_unit_cost": str(plan.weekly_unit_cost),
            },
            "full_year_effect": str(plan.full_year_effect),
            "demand_scenario": scenario_spec(plan),
            "notes": list(plan.notes),
        },
    }


def plan_from_inputs(inputs: dict[str, Any]) -> GapPlan:
    """Recompute a plan from the ``inputs`` stored with its evidence."""
    return close_the_gap(
        la_code=inputs["la_code"],
        la_name=inputs["la_name"],
        base_year=FinancialYear.parse(inputs["base_year"]),
        base_count=int(inputs["base_count"]),
        population=int(inputs["population"]),
        target_rate=Decimal(inputs["target_rate"]),
        target_year=FinancialYear.parse(inputs["target_year"]),
        weekly_unit_cost=Decimal(inputs["weekly_unit_cost"]),
        target_label=inputs["target_label"],
    )


def _money(value: Decimal) -> str:
    return f"£{round_half_up(value, 0):,}"


def gap_text(plan: GapPlan) -> str:
    """A plain-text table of the plan (the CLI's output)."""
    money = _money
    lines = [
        f"Close the gap: {plan.la_name} ({plan.la_code})",
        f"Base: 31 March {plan.base_year.start + 1}: {plan.base_count:,} looked after, "
        f"population 0-17 {plan.population:,}, rate {round_half_up(plan.base_rate, 1)} per 10,000",
        f"Target: {round_half_up(plan.target_rate, 1)} per 10,000 ({plan.target_label}) by "
        f"31 March {plan.target_year.start + 1} ({plan.target_year})",
        f"Gap: {round_half_up(plan.gap_children, 1)} children; weekly unit cost "
        f"£{plan.weekly_unit_cost:,}",
        "",
        f"{'Year':<8} {'Rate at 31 Mar':>14} {'Fewer (end)':>12} {'Fewer (avg)':>12} "
        f"{'Saving':>14} {'Incremental':>14}",
    ]
    for y in plan.years:
        lines.append(
            f"{y.financial_year.label:<8} {round_half_up(y.rate_at_year_end, 1):>14} "
            f"{round_half_up(y.fewer_at_year_end, 1):>12} {round_half_up(y.average_fewer, 1):>12} "
            f"{money(y.saving):>14} {money(y.incremental):>14}"
        )
    lines.append(f"Full-year effect after {plan.target_year}: {money(plan.full_year_effect)}")
    lines += plan.notes
    return "\n".join(lines) + "\n"
