"""Exits and moves that depend on time in care (``csplan.demand.durations``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from csplan.demand import durations as du
from csplan.demand import tables
from csplan.demand.config import EXIT_VARIANT_NAMES, ConfigError, load_config, parse_config
from csplan.demand.forecast import fit, run_forecast
from csplan.demand.scenarios import Adjustment, Scenario
from csplan.demand.states import day_number, segments, spells

LAST = dt.date(2025, 3, 31)
CONFIG = load_config()
DURATION = CONFIG.with_exits("duration")
G = len(CONFIG.groups)
IFA = 1
WINDOW = (day_number(dt.date(2023, 4, 1)), day_number(LAST) + 1)


def test_the_variants_named_by_the_configuration_are_the_ones_the_model_knows():
    assert tuple(du.EXIT_VARIANTS) == EXIT_VARIANT_NAMES
    assert CONFIG.exits == "constant" or CONFIG.exits in EXIT_VARIANT_NAMES
    assert parse_config(CONFIG.text.replace("exits:", "old_exits:")).exits == "constant"
    strata = CONFIG.with_exits("duration+legal_status+uasc")
    assert strata.exits == "duration+legal_status+uasc"
    assert "exits: duration+legal_status+uasc" in strata.text  # evidence reproduces it
    with pytest.raises(ConfigError, match="exits must be one of constant, duration"):
        parse_config(CONFIG.text + "\nexits: weibull\n")


def test_a_period_of_care_keeps_the_legal_status_and_day_it_began_with(make_episodes):
    episodes = make_episodes([
        ("A", "2012-01-01", "2023-01-10", "2023-03-01", "U4", "PR1"),
        ("A", "2012-01-01", "2023-03-01", "2024-01-01", "K2", "PR4"),  # a move, same period
        ("A", "2012-01-01", "2024-06-01", None, "U4", "PR1"),  # a new period
    ])  # fmt: skip
    episodes.loc[0, "ls"], episodes.loc[1, "ls"], episodes.loc[2, "ls"] = "V2", "C2", "L2"
    episodes["uasc"] = True
    frame = spells(episodes, CONFIG, LAST)
    assert [dt.date(1970, 1, 1) + dt.timedelta(int(d)) for d in frame["period_start"]] == [
        dt.date(2023, 1, 10), dt.date(2023, 1, 10), dt.date(2024, 6, 1)]  # fmt: skip
    assert list(frame["entry_ls"]) == ["V2", "V2", "L2"]
    strata = du.strata_labels(("legal_status", "uasc"))
    index = du.stratum_index(frame, ("legal_status", "uasc"))
    assert [strata[i] for i in index] == [
        "section_20/UASC", "section_20/UASC", "emergency/UASC"]  # fmt: skip


def test_a_period_under_way_when_the_data_begin_counts_as_long_in_care(make_episodes):
    # B's first episode in the data is a change of placement (RNE P): the period began
    # before the data, however recent the episode; A's is a start of care (RNE S).
    episodes = make_episodes([
        ("A", "2012-01-01", "2024-11-20", None, "U4", "PR1"),
        ("B", "2012-01-01", "2024-11-20", None, "U4", "PR1"),
    ])  # fmt: skip
    episodes.loc[1, "rne"] = "P"
    frame = spells(episodes, CONFIG, LAST)
    assert list(frame["period_start"]) == [day_number(dt.date(2024, 11, 20))] * 2
    assert list(frame["start_known"]) == [True, False]
    model = du.fit_durations(segments(episodes, CONFIG, LAST), CONFIG, *WINDOW, "duration")
    stock = du.initial_by_duration(frame, CONFIG, LAST, model)
    # on 31 March 2025 A has been in care 4 calendar months (3-12), B 24 months or more
    assert np.flatnonzero(stock.sum(axis=(0, 2, 3))).tolist() == [4, du.TOP_MONTH]
    # B's time counts nowhere: at least 4 months in care, it may be in any bucket
    assert model.exposure[3, :, 0, 0].tolist() == [91, 41, 0, 0]  # A, aged 12-13


def test_a_period_under_way_for_two_years_of_the_data_counts_as_24_months_and_more(
    make_episodes,
):
    episodes = make_episodes([("B", "2012-01-01", "2022-06-01", None, "U4", "PR1")])
    episodes.loc[0, "rne"] = "P"
    model = du.fit_durations(segments(episodes, CONFIG, LAST), CONFIG, *WINDOW, "duration")
    # from 31 May 2024, 730 days after its first day in the data: surely 24 months or more
    surely = (LAST - dt.date(2024, 5, 31)).days + 1
    assert model.exposure[3, :, 0, 0].tolist() == [0, 0, 0, surely]


def test_time_in_care_is_counted_in_buckets_from_the_start_of_the_period(make_episodes):
    # Entered 1 January 2024, moved on day 200, left on day 420: 91 days in bucket 0-3
    # months, 109 + 165 in 3-12, 55 in 12-24; the move in 3-12, the exit in 12-24.
    entered = dt.date(2024, 1, 1)
    moved, left = entered + dt.timedelta(200), entered + dt.timedelta(420)
    episodes = make_episodes([
        ("A", "2015-06-01", entered.isoformat(), moved.isoformat(), "U4", "PR4"),
        ("A", "2015-06-01", moved.isoformat(), left.isoformat(), "K2", "PR4"),
    ])  # fmt: skip
    segs = segments(episodes, CONFIG, LAST)
    assert du.DURATION_EDGES_DAYS == (91, 365, 730)
    model = du.fit_durations(segs, CONFIG, *WINDOW, "duration")
    band = 2  # aged 8 to 10: 5-9 throughout
    assert model.exposure[band, :, 0].sum(axis=-1).tolist() == [91, 274, 55, 0]
    assert model.exposure[band, 1, 0, IFA] == 109 and model.exposure[band, 1, 0, 4] == 165
    assert model.events[band, 1, 0, IFA, 4] == 1  # the move to residential, 3-12 months
    assert model.events[band, 2, 0, 4, G] == 1  # leaving care, 12-24 months
    assert model.events.sum() == 2


def test_an_empty_bucket_has_the_constant_hazards_and_a_small_one_is_shrunk(make_episodes):
    rows = [(f"C{i}", "2015-06-01", "2023-06-01", "2023-06-21", "U4", "PR4") for i in range(10)]
    rows += [(f"L{i}", "2015-06-01", "2020-01-01", None, "U4", "PR4") for i in range(10)]
    segs = segments(make_episodes(rows), CONFIG, LAST)
    model = du.fit_durations(segs, CONFIG, *WINDOW, "duration")
    band = 2
    exposure = model.exposure[band, :, 0, IFA]
    pooled = 10 / exposure.sum()  # ten exits, every one within 20 days
    assert exposure.tolist() == [200, 0, 0, 7310]
    # 12-24 months: nobody there, so exactly the constant rate
    assert model.hazards[band, 2, 0, IFA, G] == pytest.approx(pooled)
    # 0-3 months: ten exits in 200 days (0.05 a day), pulled toward the constant rate as if
    # six child-months more had been seen at it
    prior = du.PRIOR_CHILD_DAYS
    quick = model.hazards[band, 0, 0, IFA, G]
    assert quick == pytest.approx((10 + prior * pooled) / (200 + prior))  # 0.026
    # 24 months and more: no exits in 7,310 days of long stays
    assert model.hazards[band, 3, 0, IFA, G] == pytest.approx(prior * pooled / (7310 + prior))
    assert quick > 500 * model.hazards[band, 3, 0, IFA, G]


def _long_stays_and_quick_returns() -> pd.DataFrame:
    """60 children in foster care since 2019 who stay; 4 entrants a month who go home after
    20 days: the constant model would send the long stayers home at the quick rate."""
    from tests.demand.conftest import canonical_episodes

    rows = [(f"L{i}", "2016-05-15", "2019-01-01", None, "U4", "PR4") for i in range(60)]
    for month in pd.period_range("2021-04", "2025-02", freq="M"):
        for k in range(4):
            start = month.start_time.date() + dt.timedelta(days=3 * k)
            end = start + dt.timedelta(days=20)
            rows.append((f"E{month}-{k}", "2016-05-15", start.isoformat(), end.isoformat(),
                         "U4", "PR4"))  # fmt: skip
    return canonical_episodes(rows)


def _without_entrants(params):
    return replace(params, entries=replace(params.entries, coef=np.array([-np.inf, 0.0])))


def test_long_stayers_are_not_sent_home_at_the_newcomers_rate():
    episodes = _long_stays_and_quick_returns()
    constant = _without_entrants(fit(episodes, LAST, CONFIG, trend=False))
    params = _without_entrants(fit(episodes, LAST, DURATION, trend=False))
    year = 365  # 31 March 2025 to 31 March 2026
    # Constant: one exit rate for everyone in the group, 92 exits in 45,700 child-days.
    pooled = constant.transitions.hazards()[2, IFA, G]
    assert pooled == pytest.approx(92 / 45_700)
    result = run_forecast(constant, 12, simulations=0)
    assert result.expected[-1].sum() == pytest.approx(60 * np.exp(-pooled * year))  # 28.8
    # By time in care: the 60 have been in care 24 months and more, where nobody left in
    # 43,860 child-days, so their rate is the prior's six child-months at the pooled rate.
    stayers = params.durations.hazards[2, 3, 0, IFA, G]
    prior = du.PRIOR_CHILD_DAYS
    assert stayers == pytest.approx(prior * pooled / (43_860 + prior))
    result = run_forecast(params, 12, simulations=0)
    assert result.expected[-1].sum() == pytest.approx(60 * np.exp(-stayers * year))  # 59.9
    assert result.parameters["exits"]["variant"] == "duration"
    assert result.parameters["exits"]["duration_buckets_months"] == [
        "0-3", "3-12", "12-24", "24+"]  # fmt: skip
    assert ("Exits and moves: rates by age band, placement group and months in care (0-3, "
            "3-12, 12-24, 24+), estimated") in tables.forecast_groups(result).notes[-1]  # fmt: skip
    longer = Scenario("stay longer", (Adjustment(
        kind="length_of_stay", start=dt.date(2025, 4, 1), multiply=2.0),))  # fmt: skip
    result = run_forecast(longer.apply(params), 12, simulations=0)
    assert result.expected[-1].sum() == pytest.approx(60 * np.exp(-stayers / 2 * year))


def test_with_the_constant_hazards_in_every_bucket_the_two_chains_agree(tmp_path):
    """The duration-dependent propagation (ageing, months in care, entrants, strata, child-
    days) reproduces the constant chain exactly when every bucket has the same hazards."""
    from csplan.demand.episodes import load_returns
    from csplan.demand.synthetic import returns_files

    for name, content in returns_files(300, years=4, last_year=2025, seed=5).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    episodes = load_returns(tmp_path).episodes
    config = CONFIG.with_exits("duration+legal_status")
    params = fit(episodes, LAST, config)
    constant_hazards = params.transitions.hazards()  # (B, G, G + 1)
    params.durations.hazards[:] = constant_hazards[:, None, None]
    both = run_forecast(params, 18, simulations=50, seed=3)
    alone = run_forecast(fit(episodes, LAST, CONFIG), 18, simulations=50, seed=3)
    np.testing.assert_allclose(both.expected, alone.expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(both.child_days, alone.child_days, rtol=1e-9, atol=1e-7)
    assert np.array_equal(both.paths, alone.paths)
    assert params.initial_durations.sum(axis=(1, 2)).tolist() == params.initial.tolist()


def test_sample_paths_are_centred_on_the_duration_dependent_expectation():
    episodes = _long_stays_and_quick_returns()
    result = run_forecast(fit(episodes, LAST, DURATION, trend=False), 12, simulations=400)
    mean_total = result.paths.sum(axis=(2, 3)).mean(axis=0)
    np.testing.assert_allclose(mean_total, result.expected.sum(axis=(1, 2)), rtol=0.04)
    total = result.total_percentiles
    assert np.all(total[0] <= result.expected.sum(axis=(1, 2)) + 1)
    assert np.all(result.expected.sum(axis=(1, 2)) - 1 <= total[2])


def test_the_exit_models_are_ranked_by_their_rolling_back_test_errors(tmp_path):
    from csplan.demand.backtest import compare_exits
    from csplan.demand.episodes import load_returns
    from csplan.demand.forecast import fit_until
    from csplan.demand.rates import Window
    from csplan.demand.states import stock_on
    from csplan.demand.synthetic import returns_files

    for name, content in returns_files(400, years=4, last_year=2025, seed=9).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    returns = load_returns(tmp_path)
    compared = compare_exits(returns.episodes, returns.last_date, CONFIG,
                             variants=("constant", "duration", "duration+legal_status"),
                             months=6, origins=3, spacing=2, simulations=0)  # fmt: skip
    assert [c.mean_group_mape for c in compared] == sorted(c.mean_group_mape for c in compared)
    duration = next(c for c in compared if c.variant == "duration")
    origins = duration.rolling.origins
    assert origins == [dt.date(2024, 5, 31), dt.date(2024, 7, 31), dt.date(2024, 9, 30)]
    # The foster-in-house group's error 6 months ahead, recomputed from three forecasts.
    segs = segments(returns.episodes, CONFIG, returns.last_date)
    errors = []
    for origin in origins:
        params = fit_until(returns.episodes, origin, DURATION, window=Window.ending(origin, 24))
        result = run_forecast(params, 6, simulations=0)
        actual = stock_on(segs, CONFIG, result.dates[-1])[:, 0].sum()
        errors.append(abs(result.expected[-1, :, 0].sum() - actual) / actual)
    assert duration.rolling.horizons[-1].group_mape["foster_in_house"] == pytest.approx(
        100 * np.mean(errors)
    )
    assert duration.group_mape["foster_in_house"] == pytest.approx(np.mean(
        [h.group_mape["foster_in_house"] for h in duration.rolling.horizons]))  # fmt: skip
