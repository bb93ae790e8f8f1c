"""Joint sample paths: every level's band from the same paths; costs and savings banded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from csplan.demand.costs import forecast_costs, load_assumptions
from csplan.demand.forecast import path_percentiles, run_forecast
from csplan.demand.rates import entry_dispersion
from csplan.demand.scenarios import RunOptions, Scenario, costed, saving_band
from csplan.demand.states import day_number

IFA, FOSTER_IN, RES_EXT = 1, 0, 4


def _rich(toy):
    rng = np.random.default_rng(7)
    initial = np.rint(rng.random((216, 10)) * 5)
    return toy(exit_rate=0.002, entries_per_day=1.5, initial=initial, trend=0.05,
               moves={(IFA, FOSTER_IN): 0.001, (FOSTER_IN, IFA): 0.0005,
                      (RES_EXT, FOSTER_IN): 0.003})  # fmt: skip


@pytest.fixture
def result(toy):
    return run_forecast(_rich(toy), 18, simulations=400, seed=3)


def test_paths_are_whole_children_per_path_month_band_and_group(result):
    assert result.paths.shape == (400, 18, 5, 10)
    assert result.paths.dtype == np.int32 and result.paths.min() >= 0
    assert result.path_child_days.shape == (400, 18, 10)


def test_every_level_takes_its_percentiles_from_the_same_paths(result):
    paths = result.paths.astype(np.int64)
    np.testing.assert_array_equal(result.cell_percentiles, path_percentiles(paths))
    np.testing.assert_array_equal(result.group_percentiles, path_percentiles(paths.sum(axis=2)))
    np.testing.assert_array_equal(result.band_percentiles, path_percentiles(paths.sum(axis=3)))
    totals = paths.sum(axis=(2, 3))
    np.testing.assert_array_equal(result.total_percentiles, path_percentiles(totals))
    # a group's median is one of its summed cell paths' values
    group_paths = paths.sum(axis=2)[:, -1, IFA]
    assert result.group_percentiles[1, -1, IFA] in set(group_paths.tolist())


def test_summing_cell_bands_would_overstate_a_group_and_the_total(result):
    cells = result.cell_percentiles[:, -1]  # (3, B, G) at the last month
    for g in (FOSTER_IN, IFA):
        assert result.group_percentiles[2, -1, g] < cells[2, :, g].sum()
        assert result.group_percentiles[0, -1, g] > cells[0, :, g].sum()
    assert result.total_percentiles[2, -1] < cells[2].sum()
    assert result.total_percentiles[0, -1] > cells[0].sum()


def test_the_csv_frame_has_aggregate_rows_with_all(result):
    frame = result.to_frame(aggregates=True)
    totals = frame[(frame["age_band"] == "all") & (frame["placement_group"] == "all")]
    assert len(totals) == 18
    np.testing.assert_array_equal(totals["p90"], result.total_percentiles[2])
    ifa = frame[(frame["age_band"] == "all") & (frame["placement_group"] == "foster_ifa")]
    np.testing.assert_array_equal(ifa["p50"], result.group_percentiles[1, :, IFA])
    bands = frame[(frame["placement_group"] == "all") & (frame["age_band"] != "all")]
    assert len(bands) == 18 * 5
    assert len(result.to_frame()) == 18 * 5 * 10  # cells only unless asked


def test_paths_are_reproducible_with_the_same_seed(toy):
    params = _rich(toy)
    first = run_forecast(params, 6, simulations=100, seed=11)
    again = run_forecast(params, 6, simulations=100, seed=11)
    other = run_forecast(params, 6, simulations=100, seed=12)
    np.testing.assert_array_equal(first.paths, again.paths)
    np.testing.assert_array_equal(first.path_child_days, again.path_child_days)
    assert not np.array_equal(first.paths, other.paths)


def test_cost_bands_are_ordered_exact_money(result, toy):
    costs = forecast_costs(result, load_assumptions())
    assert costs
    for cost in costs.values():
        low, mid, high = cost.band
        assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in cost.band)
        assert Decimal(0) < low <= mid <= high
        assert low < high
        assert cost.path_totals.shape == (400,)
        assert cost.to_dict()["p10"] == str(low)
    # the expected cost is unchanged by the paths: the same as without simulations
    plain = run_forecast(_rich(toy), 18, simulations=0)
    assert {y: c.total for y, c in forecast_costs(plain, load_assumptions()).items()} == {
        y: c.total for y, c in costs.items()
    }
    assert all(c.band is None for c in forecast_costs(plain, load_assumptions()).values())


def _saving(toy, scenario: Scenario, seeds: tuple[int, int]):
    params = _rich(toy)
    assumptions = load_assumptions()
    base = costed(params, RunOptions(months=24, seed=seeds[0], simulations=300), assumptions)
    run = costed(scenario.apply(params), RunOptions(months=24, seed=seeds[1], simulations=300),
                 assumptions, scenario.cost_adjusters(params.config))  # fmt: skip
    return base, run


IN_HOUSE = Scenario.from_dict({"name": "In-house", "adjustments": [
    {"kind": "in_house_share", "share": 0.5, "start": "2025-04-01"}]})  # fmt: skip


def test_a_scenario_that_changes_nothing_has_no_saving_band_width(toy):
    nothing = Scenario.from_dict({"name": "Nothing", "adjustments": [
        {"kind": "unit_cost", "multiply": 1.0, "start": "2025-04-01"}]})  # fmt: skip
    band = saving_band(*_saving(toy, nothing, (4, 4)))
    assert band and all(values == (Decimal("0.00"),) * 3 for values in band.values())


def test_the_saving_band_uses_common_random_numbers(toy):
    common = saving_band(*_saving(toy, IN_HOUSE, (4, 4)))
    independent = saving_band(*_saving(toy, IN_HOUSE, (4, 5)))
    year = max(common)
    low, mid, high = common[year]
    assert Decimal(0) < low <= mid <= high
    assert high - low < (independent[year][2] - independent[year][0]) / 2


def test_entry_dispersion_is_one_for_poisson_counts_and_more_for_overdispersed():
    rng = np.random.default_rng(2)
    months = pd.DataFrame({"days": np.full(24, 30.0), "mid_day": np.arange(24) * 30.0})
    coef = np.array([np.log(2.0), 0.0])  # 60 a month
    poisson = months.assign(entrants=rng.poisson(60, 24))
    assert entry_dispersion(poisson, coef, 24 * 30) == pytest.approx(1.0, abs=0.6)
    wide = months.assign(entrants=rng.poisson(60 * rng.gamma(5, 1 / 5, 24)))
    assert entry_dispersion(wide, coef, 24 * 30) > 3


def test_overdispersed_entries_widen_the_band(toy):
    params = toy(entries_per_day=2.0)
    plain = run_forecast(params, 12, simulations=400, seed=1)
    params.entries.monthly = pd.DataFrame({"entrants": [60.0] * 24})
    params.entries.dispersion = 4.0
    wide = run_forecast(params, 12, simulations=400, seed=1)
    width = wide.total_percentiles[2, -1] - wide.total_percentiles[0, -1]
    assert width > 1.3 * (plain.total_percentiles[2, -1] - plain.total_percentiles[0, -1])
    assert dt.date(2026, 3, 31) == wide.dates[-1]


def test_a_damped_trend_moves_the_rate_by_at_most_its_years(toy):
    entries = toy(entries_per_day=2.0, trend=0.10).entries
    five_years = entries.origin_day + int(5 * 365.25)
    assert entries.trend_years(five_years) == pytest.approx(5.0, abs=0.01)  # extrapolated
    entries.damping = 1.0
    assert entries.trend_years(entries.origin_day + 30) == pytest.approx(30 / 365.25, rel=0.05)
    assert 0.99 < entries.trend_years(five_years) < 1.0
    assert entries.trend_years(entries.origin_day - 100) == pytest.approx(-100 / 365.25)


def test_the_damped_forecast_grows_less_than_the_extrapolated_one(toy):
    undamped = toy(entries_per_day=2.0, trend=0.10, exit_rate=0.002)
    damped = toy(entries_per_day=2.0, trend=0.10, exit_rate=0.002)
    for params in (undamped, damped):
        params.entries.origin_day = day_number(params.start) + 1  # the trend's t = 0
    damped.entries.damping = 1.0
    plain = run_forecast(undamped, 48, simulations=0).expected.sum(axis=(1, 2))
    less = run_forecast(damped, 48, simulations=0).expected.sum(axis=(1, 2))
    assert less[0] == pytest.approx(plain[0], rel=0.01)
    assert less[-1] < 0.95 * plain[-1]


def test_records_made_before_damping_are_rerun_undamped():
    old = RunOptions.from_dict({"months": 36, "seed": 0, "simulations": 0, "entry_trend": True})
    assert old.trend_damping is None
    new = RunOptions(months=36, simulations=0)
    assert new.trend_damping == 1.0
    again = RunOptions.from_dict(new.to_dict(dt.date(2025, 3, 31)))
    assert again.trend_damping == 1.0


def test_the_group_mix_error_widens_groups_and_keeps_each_paths_total(toy):
    params = _rich(toy)
    exact = run_forecast(params, 24, simulations=300, seed=2, group_mix_error=0.0,
                         level_error=0.0)  # fmt: skip
    mixed = run_forecast(params, 24, simulations=300, seed=2, group_mix_error=0.3,
                         level_error=0.0)  # fmt: skip
    before = exact.paths.sum(axis=(2, 3), dtype=np.int64)
    after = mixed.paths.sum(axis=(2, 3), dtype=np.int64)
    assert np.abs(after - before).max() <= 5 * 10 / 2  # rounding of the cells only
    width = mixed.group_percentiles[2, -1] - mixed.group_percentiles[0, -1]
    narrow = exact.group_percentiles[2, -1] - exact.group_percentiles[0, -1]
    assert width[IFA] > 1.2 * narrow[IFA] and width[FOSTER_IN] > 1.2 * narrow[FOSTER_IN]
    np.testing.assert_array_equal(mixed.expected, exact.expected)


def test_the_level_error_widens_the_total_and_keeps_each_paths_mix(toy):
    params = _rich(toy)
    exact = run_forecast(params, 24, simulations=300, seed=2, level_error=0.0)
    level = run_forecast(params, 24, simulations=300, seed=2, level_error=0.3)
    np.testing.assert_array_equal(level.expected, exact.expected)
    # the same paths before the level error, each moved by one factor in every cell
    share_before = exact.paths[:, -1] / exact.paths[:, -1].sum(axis=(1, 2), keepdims=True)
    share_after = level.paths[:, -1] / level.paths[:, -1].sum(axis=(1, 2), keepdims=True)
    assert np.abs(share_after - share_before).max() < 0.05  # rounding of small cells only
    width = level.total_percentiles[2, -1] - level.total_percentiles[0, -1]
    narrow = exact.total_percentiles[2, -1] - exact.total_percentiles[0, -1]
    assert width > 1.5 * narrow
    first = level.total_percentiles[2, 0] - level.total_percentiles[0, 0]
    assert first < width  # the error grows with the months ahead


ALL_KINDS = Scenario.from_dict({"name": "all", "adjustments": [
    {"kind": "entry_rate", "multiply": 0.9, "add": 1.0, "start": "2025-05-01", "ramp_months": 4},
    {"kind": "in_house_share", "share": 0.5, "start": "2025-04-01", "ramp_months": 6},
    {"kind": "length_of_stay", "multiply": 0.8, "start": "2025-06-01", "ramp_months": 3},
    {"kind": "step_down", "add": 0.2, "start": "2025-04-01", "ramp_months": 5},
]})  # fmt: skip


@pytest.mark.parametrize("seed", [0, 5])
def test_paths_from_each_bands_entrants_are_those_from_each_ages(toy, seed):
    """The sample paths adjust the entrants summed over each band's ages when every adjuster
    treats ages alike (``rows_alike``); the same adjusters without that promise adjust every
    age's cells: the same whole children, expected values within float rounding."""
    from dataclasses import replace

    params = ALL_KINDS.apply(_rich(toy))

    def plain(adjust):
        return lambda hazards, cells, day: adjust(hazards, cells, day)

    every_age = replace(params, adjusters=tuple(plain(a) for a in params.adjusters))
    banded = run_forecast(params, 14, simulations=60, seed=seed)
    aged = run_forecast(every_age, 14, simulations=60, seed=seed)
    np.testing.assert_array_equal(banded.paths, aged.paths)
    np.testing.assert_array_equal(banded.path_child_days, aged.path_child_days)
    np.testing.assert_allclose(banded.expected, aged.expected, rtol=1e-13)
    stepped = run_forecast(params, 14, simulations=60, seed=seed, step_days=9)
    np.testing.assert_allclose(stepped.expected, banded.expected, rtol=1e-9)


def test_ageing_moves_the_view_not_the_numbers():
    from csplan.demand.forecast import _ageing_array, _ages_shift

    array = _ageing_array((2, 216, 3))
    array[...] = np.arange(216)[None, :, None] + 1.0
    older = _ages_shift(array)
    assert older.shape == array.shape and np.shares_memory(older, array)
    assert (older[:, 0] == 0).all() and (older[:, 1:, 0] == np.arange(215) + 1.0).all()
    plain = np.arange(216.0)[None, :, None].repeat(2, 0)
    assert (_ages_shift(plain.copy())[:, 1:, 0] == np.arange(215.0)).all()
    widened = _ageing_array((2, 216, 3), spare_columns=1)
    widened[...] = 1.0
    assert _ages_shift(widened).shape == (2, 216, 3) and _ages_shift(widened).base is widened.base
