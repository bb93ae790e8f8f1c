import datetime as dt

import numpy as np
import pytest

from csplan.core.money import from_model_float
from csplan.core.periods import FinancialYear
from csplan.demand.annual.series import SeriesFileError
from csplan.demand.needs.backtest import backtest_area
from csplan.demand.needs.model import (
    NeedsModelError,
    NeedsOptions,
    fit_needs,
    forecast_needs,
    load_options,
    truncated,
)
from csplan.demand.needs.readers import read_needs
from csplan.demand.needs.scenarios import (
    NeedsReproductionError,
    NeedsScenario,
    NeedsScenarioError,
    care_multipliers,
    cla_scenario,
    reproduce,
    run_needs_scenario,
)

QUICK = NeedsOptions(window=3, damping=0.0, simulations=200, seed=2, error=0.04)
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
HELP = {
    "name": "Family support",
    "adjustments": [
        {"kind": "earlier_help", "start": "2016-04-01", "ramp_years": 2, "fewer_referrals": 1000},
        {"kind": "step_down", "start": "2016-04-01", "share": 0.04},
        {"kind": "escalation", "start": "2017-04-01", "multiply": 0.95},
    ],
}


@pytest.mark.reference
def test_hampshires_levels_of_need_as_published(published):
    hampshire = published.resolve("850")
    assert hampshire.get("referrals", 2025) == 41142
    assert hampshire.get("cin_at31", 2025) == 10636
    assert hampshire.get("cpp_at31", 2025) == 922
    assert hampshire.get("cpp_started", 2023) == 1449
    assert hampshire.get("cla_at31", 2025) == 1738 and hampshire.get("cla_started", 2025) == 548
    assert hampshire.get("referrals", 2024) is None  # DfE's "u": low reliability
    assert "low reliability" in hampshire.note("referrals", 2024)
    assert published.resolve("E10000015").get("cla_at31", 2025) == 999  # Hertfordshire


def test_a_folder_without_the_children_in_need_files_is_refused(tmp_path):
    with pytest.raises(SeriesFileError, match="needs DfE's children in need"):
        read_needs(
            [
                (
                    "d5.csv",
                    b"time_period,time_identifier,geographic_level,country_code,"
                    b"region_code,new_la_code,old_la_code,la_name,CPP_At31\n"
                    b"2025,Reporting year,Local authority,E92000001,E12000001,E06000001,111,"
                    b"Testshire,35\n",
                )
            ]
        )


def test_the_flows_are_fitted_from_the_published_years(demo_area):
    fit = fit_needs(demo_area, options=QUICK)
    assert fit.origin == 2016 and fit.has_care
    years = [2014, 2015, 2016]
    opened = {y: demo_area.get("cin_at31", y - 1) + demo_area.get("cin_started", y) for y in years}
    entering = sum(demo_area.get("cla_started", y) for y in years) / sum(opened.values())
    assert fit.ratios["entering_care"].value == pytest.approx(entering)
    assert fit.ratios["assessed"].value == pytest.approx(
        sum(demo_area.get("cin_started", y) for y in years)
        / sum(demo_area.get("referrals", y) for y in years)
    )
    assert fit.referrals.level == demo_area.get("referrals", 2016)


def test_the_forecast_follows_the_flow_equations(demo_area):
    fit = fit_needs(demo_area, options=QUICK)
    forecast = forecast_needs(fit, 3)
    r = {k: v.value for k, v in fit.ratios.items()}
    referrals = fit.referrals.level  # damping 0: held
    started = referrals * r["assessed"]
    opened = fit.start["cin_at31"] + started
    assert forecast.expected["cin_at31"][0] == pytest.approx(opened * (1 - r["closed"]))
    assert forecast.expected["cla_started"][0] == pytest.approx(opened * r["entering_care"])
    assert forecast.expected["cla_at31"][0] == pytest.approx(
        (fit.start["cla_at31"] + opened * r["entering_care"]) * (1 - r["leaving_care"])
    )
    low, high = forecast.bands("cla_at31")[[0, 2]]
    assert (low < forecast.expected["cla_at31"]).all() and (
        forecast.expected["cla_at31"] < high
    ).all()
    assert forecast.rate("cla_at31", 0) == pytest.approx(
        forecast.expected["cla_at31"][0] * 10000 / fit.population
    )


def test_without_two_years_of_children_looked_after_there_is_no_flow_into_care(demo_area):
    cut = truncated(demo_area, 2016)
    cut.values["cla_at31"] = {2016: 1469}
    fit = fit_needs(cut, options=QUICK)
    assert not fit.has_care and "cla_at31" not in forecast_needs(fit, 2).expected
    with pytest.raises(NeedsScenarioError, match="no children looked after to link to"):
        run_needs_scenario(cut, NeedsScenario.from_dict(HELP), options=QUICK)
    with pytest.raises(NeedsModelError, match="no children in need or child protection"):
        fit_needs(demo_area, 2030, QUICK)


def test_earlier_help_and_step_down_mean_fewer_children_entering_care(demo_area):
    fit = fit_needs(demo_area, options=QUICK)
    base = forecast_needs(fit, 3, simulations=0)
    helped = forecast_needs(fit, 3, NeedsScenario.from_dict(HELP).adjusters, simulations=0)
    # 2016/17 (the year ending March 2017) has half the fewer referrals, then all of them
    assert base.expected["referrals"][0] - helped.expected["referrals"][0] == pytest.approx(500)
    assert base.expected["referrals"][1] - helped.expected["referrals"][1] == pytest.approx(1000)
    for measure in ("cin_at31", "cpp_at31", "cla_started", "cla_at31"):
        assert (helped.expected[measure] < base.expected[measure]).all()


def test_the_multipliers_become_one_entry_rate_adjustment_a_year(demo_area):
    fit = fit_needs(demo_area, options=QUICK)
    base = forecast_needs(fit, 3, simulations=0)
    helped = forecast_needs(fit, 3, NeedsScenario.from_dict(HELP).adjusters, simulations=0)
    multipliers = care_multipliers(base, helped)
    assert sorted(multipliers) == [Y16, Y17, Y18]
    scenario = cla_scenario("x", multipliers)
    steps = [a.multiply for a in scenario.adjustments]
    assert [a.start for a in scenario.adjustments] == [
        dt.date(2016, 4, 1),
        dt.date(2017, 4, 1),
        dt.date(2018, 4, 1),
    ]
    assert np.cumprod(steps) == pytest.approx([multipliers[y] for y in (Y16, Y17, Y18)])


def test_without_returns_the_children_are_costed_at_the_average_weekly_cost(demo_area):
    run = run_needs_scenario(demo_area, NeedsScenario.from_dict(HELP), options=QUICK, horizon=3)
    assert run.cla_run is None and run.base_year == FinancialYear(2015)
    for year in (Y16, Y17, Y18):
        assert run.saving[year] == run.baseline_cost[year] - run.scenario_cost[year]
        assert run.saving[year] > 0
    # 2016/17: the average of 31 March 2016 and 2017, 365 days, at £893 a week
    weeks = (run.fit.start["cla_at31"] + run.baseline.expected["cla_at31"][0]) / 2 * 365 / 7
    assert run.baseline_cost[Y16] == from_model_float(float(weeks * 893))
    assert reproduce(run.evidence).evidence["savings"] == run.evidence["savings"]


def test_with_returns_the_children_looked_after_model_costs_the_change(demo_area, small_returns):
    run = run_needs_scenario(
        demo_area, NeedsScenario.from_dict(HELP), options=QUICK, horizon=3, returns=small_returns
    )
    assert run.cla_run is not None
    assert run.saving == run.cla_run.saving
    assert run.saving[Y18] > run.saving[Y16] > 0
    parameters = run.evidence["parameters"]
    assert parameters["costing"] == "cla_model" and parameters["base_year"] == "2015/16"
    assert parameters["cla"]["scenario"]["adjustments"][0]["kind"] == "entry_rate"
    assert reproduce(run.evidence, small_returns).evidence["savings"] == run.evidence["savings"]
    with pytest.raises(NeedsReproductionError, match="give the same returns"):
        reproduce(run.evidence)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "earlier_help", "start": "2016-04-01"}, "needs fewer_referrals or multiply"),
        ({"kind": "step_down", "start": "2016-04-01", "share": 2}, "share must be between"),
        (
            {"kind": "escalation", "start": "2016-04-01", "multiply": 0.9, "to": "moon"},
            "to must be one of",
        ),
        ({"kind": "shrink", "start": "2016-04-01"}, "unknown adjustment kind"),
    ],
)
def test_a_bad_adjustment_says_what_is_wrong(data, message):
    with pytest.raises(NeedsScenarioError, match=message):
        NeedsScenario.from_dict({"name": "bad", "adjustments": [data]})


@pytest.mark.reference
def test_hertfordshire_back_test_scores_every_level(published):
    result = backtest_area(published.resolve("E10000015"), load_options(simulations=200))
    measures = {s.measure for s in result.scores}
    assert measures == {"referrals", "cin_at31", "cpp_at31", "cla_started", "cla_at31"}
    assert min(s.origin for s in result.scores) == 2016
    one_year = [s for s in result.scores if s.horizon == 1 and s.measure == "cin_at31"]
    assert np.median([abs(s.error_pct) for s in one_year]) < 20
