"""Close the gap, tested on Cambridgeshire's business case (seed 003, line A/R.6.253).

The case (2018/19, £1.5m) aims to "reduce the number of children in care safely to the
average of our statistical neighbours by 2019/20". The published file covers 31 March
2021-2025 only, so 2019/20 cannot be a target from these figures; and in every year
available Cambridgeshire's rate is already below its neighbours' average.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from csplan.benchmark.calculations import compare_measure
from csplan.benchmark.gap import (
    GapError,
    close_the_gap,
    gap_from_benchmark,
    gap_text,
    scenario_spec,
    to_scenario,
)
from csplan.core.periods import FinancialYear

CAMBS = "E10000003"
HERTS_WEEKLY_COST = Decimal("893")  # seed 004: Hertfordshire's average weekly cost per CLA


def test_linear_ramp_costed_once_per_year():
    plan = close_the_gap(
        la_code="E1",
        la_name="Test",
        base_year=FinancialYear(2024),
        base_count=110,
        population=20000,
        target_rate=Decimal(50),
        target_year=FinancialYear(2026),
        weekly_unit_cost=Decimal("700"),
    )
    assert plan.base_rate == Decimal(55)
    assert plan.gap_children == Decimal(10)
    y1, y2 = plan.years
    assert (y1.fewer_at_year_end, y1.average_fewer) == (Decimal(5), Decimal("2.5"))
    assert y1.saving == Decimal("91250.00")  # 2.5 x £700 x 365 / 7
    assert (y2.fewer_at_year_end, y2.average_fewer) == (Decimal(10), Decimal("7.5"))
    assert y2.saving == Decimal("273750.00")
    assert y2.incremental == Decimal("182500.00")
    assert y2.rate_at_year_end == Decimal(50)
    assert plan.total_saving == y2.saving
    assert plan.full_year_effect == Decimal("366000.00")  # 2027/28 has 366 days
    assert plan.entry_rate_multiplier == Decimal(100) / Decimal(110)


def test_target_year_must_follow_the_base_year():
    with pytest.raises(GapError, match="the target year 2019/20 is not after the base year"):
        close_the_gap(
            la_code="E1",
            la_name="Test",
            base_year=FinancialYear(2024),
            base_count=1,
            population=1,
            target_rate=Decimal(0),
            target_year=FinancialYear(2019),
            weekly_unit_cost=Decimal(1),
        )


@pytest.mark.reference
def test_cambridgeshire_case_target_2019_20_predates_the_published_figures(data):
    with pytest.raises(GapError) as error:
        gap_from_benchmark(
            data, CAMBS, data.years[0], "neighbours", FinancialYear(2019), HERTS_WEEKLY_COST
        )
    assert str(error.value) == (
        "the target year 2019/20 is not after the base year 2020/21 (the year of the latest "
        "figures used, 31 March 2021)"
    )


@pytest.mark.reference
def test_cambridgeshire_is_below_its_neighbours_in_every_published_year(data):
    rows = []
    for year in data.years:
        c = compare_measure(data, CAMBS, year, "looked_after")
        rows.append(
            (year, c.la.count, c.la.published, c.neighbours.weighted.quantize(Decimal("0.1")))
        )
    assert rows == [
        (2021, 640, 48, Decimal("53.9")),
        (2022, 593, 44, Decimal("55.4")),
        (2023, 632, 46, Decimal("56.8")),
        (2024, 631, 45, Decimal("55.9")),
        (2025, 705, 49, Decimal("54.1")),
    ]
    plan = gap_from_benchmark(
        data, CAMBS, 2025, "neighbours", FinancialYear(2026), HERTS_WEEKLY_COST
    )
    assert plan.gap_children == 0
    assert [y.saving for y in plan.years] == [Decimal("0.00"), Decimal("0.00")]
    assert plan.notes == [
        "Cambridgeshire is already at or below the target (49.3 against 54.1 per 10,000): "
        "no reduction is needed."
    ]


@pytest.mark.reference
def test_cambridgeshire_to_its_2024_rate_of_45_by_2027_28(data):
    plan = gap_from_benchmark(
        data, CAMBS, 2025, Decimal(45), FinancialYear(2027), HERTS_WEEKLY_COST
    )
    assert (plan.base_count, plan.population) == (705, 142924)
    assert plan.target_count == Decimal("643.158")
    assert plan.gap_children == Decimal("61.842")
    assert [y.financial_year.label for y in plan.years] == ["2025/26", "2026/27", "2027/28"]
    assert [y.fewer_at_year_end for y in plan.years] == [
        Decimal("20.614"),
        Decimal("41.228"),
        Decimal("61.842"),
    ]
    assert [y.saving for y in plan.years] == [
        Decimal("479930.73"),
        Decimal("1439792.19"),
        Decimal("2406228.05"),
    ]
    assert [y.incremental for y in plan.years] == [
        Decimal("479930.73"),
        Decimal("959861.46"),
        Decimal("966435.86"),
    ]
    assert plan.full_year_effect == Decimal("2879584.38")
    text = gap_text(plan)
    assert "2027/28            45.0         61.8         51.5     £2,406,228       £966,436" in text


@pytest.mark.reference
def test_hampshire_to_its_neighbours_average_and_scenario_hook(data):
    plan = gap_from_benchmark(
        data, "E10000014", 2025, "neighbours", FinancialYear(2027), HERTS_WEEKLY_COST
    )
    assert (plan.base_count, plan.target_rate.quantize(Decimal("0.1"))) == (1738, Decimal("51.3"))
    assert plan.gap_children.quantize(Decimal("0.1")) == Decimal("257.0")
    assert plan.years[-1].saving == Decimal("9998491.78")
    spec = scenario_spec(plan)
    assert spec["adjustments"] == [
        {"kind": "entry_rate", "multiply": "0.8521", "start": "2025-04-01", "ramp_years": 3}
    ]
    scenario = to_scenario(plan)
    assert scenario.name == (
        "Close the gap: Hampshire to statistical neighbours' average (weighted by population), "
        "2025 by 2027/28"
    )
    (adjustment,) = scenario.adjustments
    assert (adjustment.kind, adjustment.multiply, adjustment.ramp_months) == (
        "entry_rate",
        0.8521,
        36,
    )
