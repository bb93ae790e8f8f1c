from __future__ import annotations

import copy
import datetime as dt
import types
from decimal import Decimal

import numpy as np
import pytest

from csplan.core.periods import FinancialYear
from csplan.demand.config import load_config
from csplan.demand.costs import load_assumptions
from csplan.demand.forecast import run_forecast
from csplan.demand.scenarios import (
    Adjustment,
    CostedForecast,
    ReproductionError,
    RunOptions,
    Scenario,
    ScenarioError,
    reproduce,
    run_scenario,
    scenario_from_dict,
    scenario_saving,
)

FY = FinancialYear.parse
APRIL = dt.date(2025, 4, 1)
FOSTER_IN, IFA, RES_EXT = 0, 1, 4


def _scenario(*adjustments: dict) -> Scenario:
    return Scenario.from_dict({"name": "test", "adjustments": list(adjustments)})


def _expected(params, months=12):
    return run_forecast(params, months, simulations=0).expected


def test_entry_rate_times_0_9_in_a_no_exit_model(toy):
    params = toy(entries_per_day=2.0)
    scenario = _scenario({"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01"})
    base, cut = _expected(params), _expected(scenario.apply(params))
    np.testing.assert_allclose(cut, 0.9 * base, rtol=1e-12)
    days = np.array([30, 61, 91, 122, 153, 183, 214, 244, 275, 306, 334, 365])
    np.testing.assert_allclose(base.sum(axis=(1, 2)) - cut.sum(axis=(1, 2)), 0.2 * days)
    assessments = load_assumptions()
    baseline = CostedForecast(*_costed(params, assessments))
    scenario_run = CostedForecast(*_costed(scenario.apply(params), assessments))
    saving = scenario_saving(baseline, scenario_run)
    base_total = baseline.costs[FY("2025/26")].total
    assert abs(saving[FY("2025/26")] - base_total / 10) <= Decimal("0.02")


def _costed(params, assumptions, adjusters=()):
    from csplan.demand.costs import forecast_costs

    result = run_forecast(params, 12, simulations=0)
    return result, forecast_costs(result, assumptions, adjusters)


def test_a_ramp_reaches_full_effect_after_its_months(toy):
    params = toy(entries_per_day=2.0)
    scenario = _scenario({"kind": "entry_rate", "multiply": 0.4, "start": "2025-04-15",
                          "ramp_months": 3})  # fmt: skip
    a = scenario.adjustments[0]
    day = lambda d: (d - dt.date(1970, 1, 1)).days  # noqa: E731
    assert a.effect(day(dt.date(2025, 4, 1))) == 0  # starts with the first whole month
    assert a.effect(day(dt.date(2025, 5, 1))) == pytest.approx(1 / 3)
    assert a.effect(day(dt.date(2025, 7, 1))) == 1
    cut = _expected(scenario.apply(params)).sum(axis=(1, 2))
    assert cut[0] == pytest.approx(60)
    assert cut[1] == pytest.approx(60 + 62 * (1 - 0.6 / 3))
    assert cut[2] == pytest.approx(cut[1] + 60 * (1 - 0.6 * 2 / 3))


def test_applying_a_scenario_never_changes_the_baseline(toy):
    params = toy(entries_per_day=2.0, exit_rate=0.001)
    hazards_before = params.transitions.hazards().copy()
    before = _expected(params)
    adjusted = _scenario(
        {"kind": "entry_rate", "multiply": 0.5, "start": "2025-04-01"},
        {"kind": "length_of_stay", "multiply": 0.5, "start": "2025-04-01"},
        {"kind": "step_down", "add": 1.0, "start": "2025-04-01"},
    ).apply(params)
    assert params.adjusters == () and len(adjusted.adjusters) == 3
    _expected(adjusted)
    np.testing.assert_array_equal(params.transitions.hazards(), hazards_before)
    np.testing.assert_array_equal(_expected(params), before)


def test_in_house_share_moves_entrants_from_ifa(toy):
    params = toy(entries_per_day=1.0)  # all entrants to IFA
    result = _expected(_scenario({"kind": "in_house_share", "share": 0.3,
                                  "start": "2025-04-01"}).apply(params))  # fmt: skip
    groups = result[-1].sum(axis=0)
    assert groups[FOSTER_IN] == pytest.approx(0.3 * 365)
    assert groups[IFA] == pytest.approx(0.7 * 365)


def test_length_of_stay_scales_exit_rates(toy):
    initial = np.zeros((216, 10))
    initial[24, IFA] = 1000
    params = toy(exit_rate=0.001, initial=initial)
    shorter = _scenario({"kind": "length_of_stay", "multiply": 0.5, "start": "2025-04-01"})
    result = _expected(shorter.apply(params)).sum(axis=(1, 2))
    assert result[0] == pytest.approx(1000 * np.exp(-0.002 * 30))


def test_step_down_adds_a_move_from_residential(toy):
    initial = np.zeros((216, 10))
    initial[120, RES_EXT] = 100
    params = toy(initial=initial)
    step = _scenario({"kind": "step_down", "add": 0.5, "start": "2025-04-01"})
    result = _expected(step.apply(params))[-1].sum(axis=0)
    assert result[RES_EXT] == pytest.approx(100 * np.exp(-0.5 * 365 / 365.25))
    assert result[FOSTER_IN] + result[RES_EXT] == pytest.approx(100)


def test_unit_cost_change_is_a_cost_adjuster(toy):
    initial = np.zeros((216, 10))
    initial[24, FOSTER_IN] = 100
    params = toy(initial=initial)
    cheaper = _scenario({"kind": "unit_cost", "multiply": 0.8, "groups": ["foster_in_house"],
                         "start": "2025-04-01"})  # fmt: skip
    assert cheaper.apply(params).adjusters == ()
    base = _costed(params, load_assumptions())[1][FY("2025/26")].total
    cut = _costed(params, load_assumptions(), cheaper.cost_adjusters(params.config))[1]
    assert abs(cut[FY("2025/26")].total - base * Decimal("0.8")) <= Decimal("0.02")


def test_scenarios_compose(toy):
    params = toy(entries_per_day=2.0)
    a = _scenario({"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01"})
    b = _scenario({"kind": "entry_rate", "multiply": 0.8, "start": "2025-04-01"})
    both = a.combine(b)
    np.testing.assert_allclose(_expected(both.apply(params)), 0.72 * _expected(params))
    added = _scenario({"kind": "entry_rate", "add": 3, "start": "2025-04-01"})
    extra = _expected(added.apply(params)).sum(axis=(1, 2)) - _expected(params).sum(axis=(1, 2))
    assert extra[-1] == pytest.approx(3 * 365 / (365.25 / 12))


def test_round_trip_yaml_json_and_the_gap_spec(tmp_path):
    scenario = _scenario(
        {"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01", "ramp_months": 6},
        {"kind": "in_house_share", "share": 0.2, "start": "2025-10-01", "label": "recruit"},
        {"kind": "unit_cost", "multiply": 1.1, "groups": ["foster_ifa"], "start": "2026-04-01"},
    )
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    for name in ("s.yaml", "s.json"):
        scenario.save(tmp_path / name)
        assert Scenario.load(tmp_path / name) == scenario
    gap = {
        "name": "Close the gap",
        "adjustments": [
            {"kind": "entry_rate", "multiply": "0.9500", "start": "2026-04-01", "ramp_years": 2}
        ],
    }
    parsed = scenario_from_dict(gap)
    assert parsed.adjustments[0].ramp_months == 24
    assert parsed.adjustments[0].multiply == 0.95


@pytest.mark.parametrize(
    "item, message",
    [
        ({"kind": "magic", "start": "2025-04-01"}, "unknown adjustment kind"),
        ({"kind": "entry_rate", "start": "2025-04-01"}, "multiply or add"),
        ({"kind": "in_house_share", "share": 1.5, "start": "2025-04-01"}, "between 0 and 1"),
        ({"kind": "entry_rate", "multiply": 0.9}, "needs start"),
        ({"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01", "colour": 1}, "unknown"),
    ],
)
def test_bad_adjustments_are_refused(item, message):
    with pytest.raises(ScenarioError, match=message):
        Adjustment.from_dict(item)


def test_unknown_group_is_refused(toy):
    scenario = _scenario({"kind": "unit_cost", "multiply": 0.9, "groups": ["castle"],
                          "start": "2025-04-01"})  # fmt: skip
    with pytest.raises(ValueError, match="castle"):
        scenario.apply(toy())


@pytest.fixture(scope="module")
def synthetic_returns(tmp_path_factory):
    from csplan.demand import synthetic
    from csplan.demand.episodes import load_returns

    folder = tmp_path_factory.mktemp("903")
    synthetic.write_returns(folder, children_in_care=300, years=3, seed=3)
    return load_returns(folder)


def test_evidence_reproduces_the_saving(synthetic_returns):
    returns = synthetic_returns
    scenario = _scenario({"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01",
                          "ramp_months": 6})  # fmt: skip
    run = run_scenario(returns.episodes, returns.last_date, scenario, config=load_config(),
                       options=RunOptions(months=24, simulations=20),
                       data_hash=returns.data_hash)  # fmt: skip
    assert set(run.saving) == {FY("2025/26"), FY("2026/27")}
    assert all(value > 0 for value in run.saving.values())
    evidence = run.evidence
    assert evidence["data_hash"] == returns.data_hash
    assert evidence["parameters"]["seed"] == 0
    assert evidence["parameters"]["scenario"] == scenario.to_dict()
    assert evidence["savings"] == {y.label: str(v) for y, v in run.saving.items()}
    again = reproduce(copy.deepcopy(evidence), returns)
    assert again.saving == run.saving
    tampered = copy.deepcopy(evidence)
    tampered["savings"]["2025/26"] = "1.00"
    with pytest.raises(ReproductionError, match="recomputed"):
        reproduce(tampered, returns)
    other = types.SimpleNamespace(episodes=returns.episodes, last_date=returns.last_date,
                                  data_hash="0" * 64)  # fmt: skip
    with pytest.raises(ReproductionError, match="data differ"):
        reproduce(evidence, other)


def test_a_second_scenario_on_the_same_returns_reuses_the_same_baseline(synthetic_returns):
    from csplan.demand import scenarios

    returns = synthetic_returns
    options = RunOptions(months=12, simulations=20, seed=5)
    first = _scenario({"kind": "entry_rate", "multiply": 0.9, "start": "2025-04-01"})
    second = _scenario({"kind": "step_down", "add": 0.2, "start": "2025-04-01",
                        "ramp_months": 6})  # fmt: skip

    def run(scenario, data_hash=returns.data_hash):
        return run_scenario(returns.episodes, returns.last_date, scenario, config=load_config(),
                            options=options, data_hash=data_hash)  # fmt: skip

    scenarios.forget_baselines()
    made = run(first)
    reused = run(second)
    assert reused.baseline.result is made.baseline.result  # remembered, not forecast again
    assert len(scenarios._FITS) == 1  # and the fit with it
    scenarios.forget_baselines()
    fresh = run(second)
    assert fresh.baseline.result is not made.baseline.result
    np.testing.assert_array_equal(fresh.baseline.result.paths, reused.baseline.result.paths)
    assert fresh.saving == reused.saving and fresh.saving_band == reused.saving_band
    assert fresh.evidence == reused.evidence
    # Other options, or data without a hash, are forecast afresh.
    options = RunOptions(months=12, simulations=20, seed=6)
    assert run(second).baseline.result is not fresh.baseline.result
    assert run(second, "").baseline.result is not run(second, "").baseline.result
