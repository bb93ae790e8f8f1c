import numpy as np
import pytest

from csplan.demand.send import settings as st
from csplan.demand.send.backtest import backtest_area
from csplan.demand.send.model import (
    GROUPS,
    SendModelError,
    SendOptions,
    fit_send,
    forecast_send,
    load_options,
    truncated,
)

QUICK = SendOptions(window=3, damping=0.5, simulations=200, seed=3)


def test_leaving_rates_are_pooled_over_the_window(demo_area):
    fit = fit_send(demo_area, options=QUICK)
    assert fit.origin == 2016
    g = GROUPS.index("special_independent")
    years = [2013, 2014, 2015]  # three transitions into January 2016
    left = sum(
        demo_area.get(st.plans("special_independent"), y)
        + demo_area.get(st.new_plans("special_independent"), y)
        - demo_area.get(st.plans("special_independent"), y + 1)
        for y in years
    )
    held = sum(demo_area.get(st.plans("special_independent"), y) for y in years)
    assert fit.leaving[g].value == pytest.approx(left / held)
    assert fit.leaving[g].value < 0  # children move into independent special schools
    total_left = sum(
        demo_area.get("plans", y) + demo_area.get("new_plans", y) - demo_area.get("plans", y + 1)
        for y in years
    )
    total_held = sum(demo_area.get("plans", y) for y in years)
    assert fit.total_leaving.value == pytest.approx(total_left / total_held)


def test_the_expected_total_is_plans_staying_plus_new_plans(demo_area):
    fit = fit_send(demo_area, options=QUICK)
    forecast = forecast_send(fit, 3)
    new = fit.new_trend.expected(3)
    staying = fit.stock.sum() * (1 - fit.total_leaving.value)
    assert forecast.total_expected[0] == pytest.approx(staying + new[0])
    assert forecast.new_expected[0].sum() == pytest.approx(new[0])
    assert forecast.years == [2017, 2018, 2019]
    # damped: each year's growth of new plans is half the year before's
    growth = np.diff(np.log(new))
    assert growth[1] == pytest.approx(growth[0] * 0.5)


def test_bands_come_from_the_same_seeded_paths(demo_area):
    fit = fit_send(demo_area, options=QUICK)
    first, again = forecast_send(fit, 3), forecast_send(fit, 3)
    assert first.paths.shape == (200, 3, len(GROUPS))
    np.testing.assert_array_equal(first.paths, again.paths)
    bands = first.bands()
    assert (bands[0] < first.total_expected).all() and (first.total_expected < bands[2]).all()
    assert (np.diff(bands[2] - bands[0]) > 0).all()  # wider each year ahead
    group = first.bands("mainstream")
    assert (group[0] <= group[2]).all()


def test_the_age_split_adds_to_each_setting(demo_area):
    forecast = forecast_send(fit_send(demo_area, options=QUICK), 2)
    by_age = forecast.by_age(1)
    for g, group in enumerate(GROUPS):
        assert sum(by_age[group].values()) == pytest.approx(forecast.expected[1, g])
    assert forecast.fit.age_year == 2016


def test_too_few_years_is_a_clear_error(demo_area):
    with pytest.raises(SendModelError, match="needs the plans of an earlier January"):
        fit_send(truncated(demo_area, 2012), 2012, QUICK)
    with pytest.raises(SendModelError, match="no EHC plans by setting in January 2030"):
        fit_send(demo_area, 2030, QUICK)


def test_truncated_keeps_what_was_published_at_the_origin(demo_area):
    cut = truncated(demo_area, 2014)
    assert max(cut.series("plans")) == 2014
    assert max(cut.series("new_plans")) == 2013  # the calendar year before the January


def test_the_shipped_settings_load_and_unknown_ones_are_refused(tmp_path):
    options = load_options()
    assert options.damping == 0.5 and options.window == 3 and options.total_error > 0
    assert dict(options.share_error)["other"] > dict(options.share_error)["mainstream"]
    assert load_options(seed=7).seed == 7
    bad = tmp_path / "model.yaml"
    bad.write_text("settings: {damping: 0.5, windows: 3}\n")
    with pytest.raises(SendModelError, match=r"unknown model settings \['windows'\]"):
        load_options(bad)


@pytest.mark.reference
def test_hampshire_from_january_2024_forecasts_january_2025(hampshire):
    fit = fit_send(truncated(hampshire, 2024), 2024, load_options(simulations=300))
    forecast = forecast_send(fit, 1)
    actual = hampshire.get("plans", 2025)  # 17,784
    assert abs(forecast.total_expected[0] / actual - 1) < 0.03
    low, _, high = forecast.bands()[:, 0]
    assert low < actual < high


@pytest.mark.reference
def test_the_back_test_scores_each_origin_and_setting(hampshire):
    result = backtest_area(hampshire, load_options(simulations=200))
    origins = sorted({s.origin for s in result.scores})
    assert origins == [2021, 2022, 2023, 2024]
    totals = [s for s in result.scores if s.measure == "plans" and s.horizon == 1]
    assert len(totals) == 4
    assert all(abs(s.error_pct) < 15 for s in totals)
    assert {s.measure for s in result.scores} == {"plans", *(st.plans(g) for g in GROUPS)}
