"""Re-running a demand-scenario saving on later returns (monitoring demand-led lines)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from csplan.core.periods import FinancialYear as FY
from csplan.demand import synthetic
from csplan.demand.config import load_config
from csplan.demand.costs import load_assumptions
from csplan.demand.episodes import load_returns
from csplan.demand.rerun import RerunError, actual_costs, rerun
from csplan.demand.scenarios import RunOptions, Scenario, run_scenario
from csplan.demand.states import truncate

IN_HOUSE = Scenario.from_dict(
    {
        "name": "More in-house fostering",
        "adjustments": [
            {"kind": "in_house_share", "share": 0.5, "start": "2024-04-01", "ramp_months": 12}
        ],
    }
)
OPTIONS = RunOptions(months=36, simulations=0)


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rerun")
    synthetic.write_returns(folder, children_in_care=300, years=4, last_year=2025, seed=6)
    return load_returns(folder)


@pytest.fixture(scope="module")
def evidence(returns):
    cut = dt.date(2024, 3, 31)
    run = run_scenario(truncate(returns.episodes, cut), cut, IN_HOUSE, config=load_config(),
                       options=OPTIONS, data_hash="then")  # fmt: skip
    return run.evidence


def test_on_the_evidence_own_data_the_rerun_gives_back_the_promise(returns, evidence):
    cut = dt.date(2024, 3, 31)
    again = rerun(evidence, truncate(returns.episodes, cut), cut, data_hash="then")
    assert {str(y): format(v, "f") for y, v in again.implied.items()} == evidence["savings"]
    assert again.actual_cost == {} and again.parameters["months_forecast"] == 36


def test_six_months_on_the_year_is_actual_to_date_plus_forecast(returns, evidence):
    day = dt.date(2024, 9, 30)
    later = rerun(evidence, truncate(returns.episodes, day), day, data_hash="now")
    year = FY(2024)
    assert later.parameters["months_forecast"] == 30
    assert later.baseline_cost[year] == Decimal(evidence["parameters"]["baseline_cost"]["2024/25"])
    assert later.implied[year] == (
        later.baseline_cost[year] - later.actual_cost[year] - later.forecast_cost[year]
    )
    assert set(later.implied) == {FY(2024), FY(2025), FY(2026)}
    assert later.implied[year] != later.promised[year]  # six months of real placements


def test_a_year_on_the_whole_first_year_is_actual(returns, evidence):
    day = dt.date(2025, 3, 31)
    later = rerun(evidence, returns.episodes, day, data_hash=returns.data_hash)
    assert FY(2024) not in later.forecast_cost and FY(2024) in later.actual_cost


def test_actual_cost_by_hand(make_episodes):
    episodes = make_episodes([
        ("A", "2015-06-10", "2024-01-15", None, "U4", "PR1"),  # in-house fostering throughout
        ("B", "2012-02-01", "2024-05-11", "2024-05-21", "U4", "PR4"),  # 10 days with an IFA
    ])  # fmt: skip
    config, assumptions = load_config(), load_assumptions()
    costs = actual_costs(episodes, config, assumptions, dt.date(2024, 3, 31),
                         dt.date(2024, 5, 31))  # fmt: skip
    year = costs[FY(2024)]
    assert year.child_days["foster_in_house"] == 30 + 31
    assert year.child_days["foster_ifa"] == 10
    in_house = assumptions.weekly("foster_in_house", FY(2024)) * 61 / 7
    assert year.by_group["foster_in_house"] == in_house.quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert year.total == sum(year.by_group.values())


def test_returns_older_than_the_evidence_are_refused(returns, evidence):
    day = dt.date(2023, 3, 31)
    with pytest.raises(RerunError, match="before the evidence's data"):
        rerun(evidence, truncate(returns.episodes, day), day)


def test_the_rerun_forecasts_expected_costs_whatever_paths_the_evidence_drew(returns):
    # The evidence was made with 1,000 sample paths; the re-run draws none, and its expected
    # costs are the same pence as the same run made with paths.
    cut, day = dt.date(2024, 3, 31), dt.date(2024, 9, 30)
    with_paths = RunOptions(months=36, simulations=1000)
    evidence = run_scenario(truncate(returns.episodes, cut), cut, IN_HOUSE, config=load_config(),
                            options=with_paths, data_hash="then").evidence  # fmt: skip
    assert evidence["parameters"]["simulations"] == 1000
    later = rerun(evidence, truncate(returns.episodes, day), day, data_hash="now")
    drawn = rerun({**evidence, "parameters": {**evidence["parameters"], "simulations": 0}},
                  truncate(returns.episodes, day), day, data_hash="now")  # fmt: skip
    assert later.forecast_cost == drawn.forecast_cost
    assert later.implied == drawn.implied
    assert sum(later.forecast_cost.values()) > 0
