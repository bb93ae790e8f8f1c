from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest
from scipy import stats
from scipy.linalg import expm

from csplan.demand.config import load_config
from csplan.demand.forecast import (
    ForecastError,
    expm_integrals,
    fit,
    generator,
    run_forecast,
)

CONFIG = load_config()
B, G = len(CONFIG.age_bands), len(CONFIG.groups)
START = dt.date(2025, 3, 31)
FOSTER_IN, IFA, RES_EXT = 0, 1, 4


def _days_since_start(result) -> np.ndarray:
    return np.array([(d - START).days for d in result.dates], dtype=float)


def test_expm_integrals_match_scipy():
    rng = np.random.default_rng(1)
    q = generator(rng.random((3, G, G + 1)) * 0.05)
    p, j, k = expm_integrals(q, 31.0, order=3)
    for i in range(3):
        np.testing.assert_allclose(p[i], expm(q[i] * 31.0), rtol=1e-10, atol=1e-13)
        aug = np.zeros((3 * G, 3 * G))
        aug[:G, :G], aug[:G, G : 2 * G], aug[G : 2 * G, 2 * G :] = q[i], np.eye(G), np.eye(G)
        big = expm(aug * 31.0)
        np.testing.assert_allclose(j[i], big[:G, G : 2 * G], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(k[i], big[:G, 2 * G :], rtol=1e-10, atol=1e-12)


def test_exits_only_decay_exponentially(toy):
    initial = np.zeros((216, G))
    initial[24, IFA] = 1000  # aged 2: still 1-4 after a year
    result = run_forecast(toy(exit_rate=0.001, initial=initial), 12, simulations=0)
    days = _days_since_start(result)
    np.testing.assert_allclose(result.expected.sum(axis=(1, 2)), 1000 * np.exp(-0.001 * days))
    assert result.expected[:, 1, IFA].sum() == pytest.approx(result.expected.sum())
    # child-days in April: integral of 1000 exp(-0.001 t) over 30 days
    assert result.child_days[0].sum() == pytest.approx(1000 * (1 - np.exp(-0.03)) / 0.001)


def test_entries_without_exits_accumulate(toy):
    result = run_forecast(toy(entries_per_day=2.0), 24, simulations=0)
    days = _days_since_start(result)
    np.testing.assert_allclose(result.expected.sum(axis=(1, 2)), 2.0 * days, rtol=1e-12)
    # child-days in the first month: 2 t integrated over 30 days
    assert result.child_days[0].sum() == pytest.approx(2.0 * 30**2 / 2)


def test_children_move_band_at_their_birthday_month_and_leave_at_18(toy):
    initial = np.zeros((216, G))
    initial[59, FOSTER_IN] = 10  # 4 years 11 months: 5 in April
    initial[215, FOSTER_IN] = 7  # 17 years 11 months: 18 in April
    result = run_forecast(toy(initial=initial), 2, simulations=0)
    assert result.expected[0, 2, FOSTER_IN] == pytest.approx(10)
    assert result.expected[0].sum() == pytest.approx(10)


def _rich(toy):
    rng = np.random.default_rng(7)
    initial = np.rint(rng.random((216, G)) * 5)
    params = toy(exit_rate=0.002, entries_per_day=1.5, initial=initial, trend=0.05,
                 moves={(IFA, FOSTER_IN): 0.001, (FOSTER_IN, IFA): 0.0005,
                        (RES_EXT, FOSTER_IN): 0.003, (FOSTER_IN, RES_EXT): 0.0002})  # fmt: skip
    return params


def test_the_forecast_does_not_depend_on_the_step_size(toy):
    params = _rich(toy)
    monthly = run_forecast(params, 24, simulations=0)
    weekly = run_forecast(params, 24, simulations=0, step_days=7)
    daily = run_forecast(params, 24, simulations=0, step_days=1)
    for other in (weekly, daily):
        np.testing.assert_allclose(other.expected, monthly.expected, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(other.child_days, monthly.child_days, rtol=1e-9, atol=1e-7)
    assert monthly.expected.sum() > 0


def test_month_end_dates_start_after_the_last_date(toy):
    result = run_forecast(_rich(toy), 13, simulations=0)
    assert result.dates[:3] == [dt.date(2025, 4, 30), dt.date(2025, 5, 31), dt.date(2025, 6, 30)]
    assert result.dates[-1] == dt.date(2026, 4, 30)
    assert result.month_days[0] == (dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    with pytest.raises(ForecastError):
        run_forecast(_rich(toy), 61)


def test_bands_are_ordered_and_reproducible_with_a_seed(toy):
    params = _rich(toy)
    first = run_forecast(params, 12, simulations=300, seed=5)
    again = run_forecast(params, 12, simulations=300, seed=5)
    other = run_forecast(params, 12, simulations=300, seed=6)
    np.testing.assert_array_equal(first.cell_percentiles, again.cell_percentiles)
    assert not np.array_equal(first.total_percentiles, other.total_percentiles)
    for p in (first.cell_percentiles, first.group_percentiles, first.total_percentiles):
        assert np.all(p[0] <= p[1]) and np.all(p[1] <= p[2])
    assert np.all(first.total_percentiles[2] > first.total_percentiles[0])
    # the median is close to the expected value for large numbers
    np.testing.assert_allclose(first.total_percentiles[1], first.expected.sum(axis=(1, 2)),
                               rtol=0.01)  # fmt: skip


def test_bands_match_binomial_and_poisson_when_the_rates_are_known(toy):
    initial = np.zeros((216, G))
    initial[24, IFA] = 1000
    survivors = run_forecast(toy(exit_rate=0.002, initial=initial), 12, simulations=1500, seed=1)
    p = np.exp(-0.002 * 365)
    want = stats.binom.ppf([0.1, 0.5, 0.9], 1000, p)
    np.testing.assert_allclose(survivors.total_percentiles[:, 11], want, atol=3)
    entrants = run_forecast(toy(entries_per_day=0.5), 12, simulations=1500, seed=1)
    want = stats.poisson.ppf([0.1, 0.5, 0.9], 0.5 * 366)
    np.testing.assert_allclose(entrants.total_percentiles[:, 11], want, atol=3)


def test_forecast_frame_has_one_row_per_month_band_group(toy):
    result = run_forecast(_rich(toy), 3, simulations=50)
    frame = result.to_frame()
    assert list(frame.columns[:6]) == ["date", "age_band", "placement_group", "p10", "p50", "p90"]
    assert len(frame) == 3 * B * G
    assert frame["date"].iloc[0] == "2025-04-30"
    assert set(frame["age_band"]) == set(CONFIG.band_keys)


def test_fit_refuses_a_date_that_is_not_a_month_end(make_episodes):
    episodes = make_episodes([("A", "2015-01-01", "2024-01-01", None, "U4", "PR1")])
    with pytest.raises(ForecastError, match="month end"):
        fit(episodes, dt.date(2025, 3, 30), CONFIG)


def test_speed_is_independent_of_the_number_of_children(toy):
    small, large = _rich(toy), _rich(toy)
    large.initial = small.initial * 30
    timings = []
    for params in (small, large):
        begin = time.perf_counter()
        run_forecast(params, 24, simulations=500)
        timings.append(time.perf_counter() - begin)
    assert max(timings) < 5.0


@pytest.mark.parametrize("contiguous", [True, False])
def test_a_month_on_everyone_is_a_month_older_and_eighteen_year_olds_leave(contiguous):
    from csplan.demand.forecast import _ages_shift

    rng = np.random.default_rng(3)
    cells = rng.random((5, 216, 10))
    if not contiguous:
        cells = np.asfortranarray(cells)
    before = cells.copy()
    shifted = _ages_shift(cells)
    assert shifted is cells  # in place
    np.testing.assert_array_equal(shifted[:, 1:], before[:, :-1])
    assert not shifted[:, 0].any()
