from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from csplan.core.periods import FinancialYear
from csplan.demand.costs import CostError, forecast_costs, load_assumptions
from csplan.demand.forecast import run_forecast

FY = FinancialYear.parse
FOSTER_IN, IFA = 0, 1


def _constant(toy, children: int = 1000, start: dt.date | None = None):
    initial = np.zeros((216, 10))
    initial[24, FOSTER_IN] = children  # no exits, no entries: always 1,000 in care
    params = toy(initial=initial)
    if start is not None:
        params = dataclasses.replace(params, start=start)
    return params


def test_shipped_assumptions_are_dated_and_sourced():
    a = load_assumptions()
    assert a.costs["foster_in_house"].value == Decimal("493")
    assert a.costs["residential_in_house"].value == Decimal("3365")
    assert a.costs["residential_external"].value == Decimal("3528")
    assert a.costs["other"].value == Decimal("893")
    assert "Hertfordshire" in a.costs["foster_in_house"].source
    assert all(c.source and c.as_at and c.unit == "£ per child per week" for c in a.costs.values())
    assert "Illustrative" in a.costs["foster_ifa"].source
    assert a.price_base == FY("2015/16")
    assert len(a.hash) == 64


def test_inflation_compounds_by_financial_year(tmp_path):
    a = load_assumptions()
    assert a.index(FY("2015/16")) == 1
    assert a.index(FY("2016/17")) == Decimal("1.03")
    assert a.index(FY("2017/18")) == Decimal("1.03") ** 2
    assert a.index(FY("2014/15")) == 1 / Decimal("1.03")
    text = a.text.replace("by_year: {}", 'by_year: {2016/17: "0.10"}')
    path = tmp_path / "costs.yaml"
    path.write_text(text)
    b = load_assumptions(path)
    assert b.index(FY("2017/18")) == Decimal("1.10") * Decimal("1.03")


def test_costs_by_financial_year_by_hand(toy):
    result = run_forecast(_constant(toy), 24, simulations=0)
    costs = forecast_costs(result, load_assumptions())
    assert list(costs) == [FY("2025/26"), FY("2026/27")]
    year = costs[FY("2025/26")]
    assert not year.partial
    assert year.child_days["foster_in_house"] == pytest.approx(365_000)
    weekly = Decimal("493") * Decimal("1.03") ** 10
    by_hand = (365_000 * weekly / 7).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert year.total == by_hand
    assert year.by_group["foster_in_house"] == by_hand
    assert year.by_group["foster_ifa"] == 0
    next_year = (365_000 * Decimal("493") * Decimal("1.03") ** 11 / 7).quantize(Decimal("0.01"))
    assert abs(costs[FY("2026/27")].total - next_year) <= Decimal("0.01")


def test_partial_years_at_the_start_and_end_are_stated(toy):
    result = run_forecast(_constant(toy, start=dt.date(2025, 9, 30)), 12, simulations=0)
    costs = forecast_costs(result, load_assumptions())
    first, second = costs[FY("2025/26")], costs[FY("2026/27")]
    assert first.partial and second.partial
    assert (first.first_day, first.last_day) == (dt.date(2025, 10, 1), dt.date(2026, 3, 31))
    assert (second.first_day, second.last_day) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))
    assert first.child_days["foster_in_house"] == pytest.approx(1000 * 182)
    assert first.to_dict()["partial"] is True


def test_unit_cost_adjusters_scale_a_group(toy):
    result = run_forecast(_constant(toy), 12, simulations=0)
    halve = np.ones(10)
    halve[FOSTER_IN] = 0.5
    base = forecast_costs(result, load_assumptions())[FY("2025/26")].total
    half = forecast_costs(result, load_assumptions(), (lambda day: halve,))[FY("2025/26")].total
    assert abs(half * 2 - base) <= Decimal("0.02")


def test_a_missing_group_cost_is_refused(tmp_path, toy):
    text = load_assumptions().text.replace("  secure:\n", "  secure_unit:\n")
    path = tmp_path / "costs.yaml"
    path.write_text(text)
    result = run_forecast(_constant(toy), 1, simulations=0)
    with pytest.raises(CostError, match="secure"):
        forecast_costs(result, load_assumptions(path))


def test_year_total_is_the_sum_of_the_rounded_group_costs(toy):
    result = run_forecast(_constant(toy), 24, simulations=0)
    for year in forecast_costs(result, load_assumptions()).values():
        assert year.total == sum(year.by_group.values(), Decimal(0))
        assert all(v == v.quantize(Decimal("0.01")) for v in year.by_group.values())
