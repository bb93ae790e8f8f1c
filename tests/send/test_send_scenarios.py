import datetime as dt
from decimal import Decimal

import pytest

from csplan.core.money import from_model_float
from csplan.core.params import parse_parameters
from csplan.core.periods import FinancialYear
from csplan.demand.send.costs import cost_send, financial_year, load_transport, load_unit_costs
from csplan.demand.send.model import GROUPS, SendOptions, fit_send, forecast_send
from csplan.demand.send.scenarios import (
    SendAdjustment,
    SendReproductionError,
    SendScenario,
    SendScenarioError,
    reproduce,
    run_send_scenario,
)

QUICK = SendOptions(simulations=0)
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


def _params(prefix: str, unit: str, values: dict[str, str]) -> str:
    lines = ["parameters:"]
    for group in GROUPS:
        lines += [
            f"  {prefix}{group}:",
            f'    unit: "{unit}"',
            f'    values: {{"2010-04-01": "{values.get(group, "0")}"}}',
        ]
    return "\n".join(lines)


UNIT = parse_parameters(_params("", "£ per plan per year", {"mainstream": "1000"}), "unit")
TRAVEL = parse_parameters(
    _params("share.", "share of plans", dict.fromkeys(GROUPS, "0.5"))
    + "\n"
    + _params("cost.", "£ per pupil transported per year", dict.fromkeys(GROUPS, "100")).replace(
        "parameters:\n", ""
    ),
    "transport",
)


def test_plans_in_january_are_costed_in_their_financial_year(demo_area):
    forecast = forecast_send(fit_send(demo_area, options=QUICK), 3)
    costed = cost_send(forecast, UNIT, TRAVEL)
    assert financial_year(2017) == Y16
    assert [y.year for y in costed.years] == [FinancialYear(2015), Y16, Y17, Y18]
    assert costed.base.observed and costed.base.plans["mainstream"] == demo_area.get(
        "plans:mainstream", 2016
    )
    first = costed.year(Y16)
    g = GROUPS.index("mainstream")
    assert first.placement["mainstream"] == from_model_float(forecast.expected[0, g] * 1000)
    assert first.placement["special_independent"] == Decimal("0.00")
    assert first.transport_total == sum(
        (from_model_float(forecast.expected[0, i] * 0.5 * 100) for i in range(len(GROUPS))),
        Decimal(0),
    )


def test_transport_rules_cost_budgets_and_one_off_training(demo_area):
    forecast = forecast_send(fit_send(demo_area, options=QUICK), 2)
    scenario = SendScenario(
        "t",
        (
            SendAdjustment("personal_budget", dt.date(2016, 4, 1), share=0.2, cost=Decimal(30)),
            SendAdjustment(
                "travel_training",
                dt.date(2016, 4, 1),
                share=0.1,
                cost=Decimal(500),
                groups=("mainstream",),
            ),
        ),
    )
    costed = cost_send(forecast, UNIT, TRAVEL, scenario.rules_for)
    g = GROUPS.index("mainstream")
    plans = forecast.expected[:, g]
    trained = plans * 0.5 * 0.1
    others = plans * 0.5 - trained
    expected_1 = others * 0.8 * 100 + others * 0.2 * 30 + trained * 500
    assert costed.year(Y16).transport["mainstream"] == from_model_float(expected_1[0])
    # the second year pays training only for the pupils newly trained
    second = others[1] * 0.8 * 100 + others[1] * 0.2 * 30 + (trained[1] - trained[0]) * 500
    assert costed.year(Y17).transport["mainstream"] == from_model_float(second)
    assert costed.year(Y16).trained["resourced"] == 0  # training only where asked


def test_an_adjustment_ramps_in_from_the_year_it_starts():
    adjustment = SendAdjustment(
        "route_optimisation", dt.date(2016, 9, 1), ramp_years=2, multiply=0.9
    )
    assert [adjustment.effect(FinancialYear(y)) for y in (2015, 2016, 2017, 2018)] == [
        0.0,
        0.5,
        1.0,
        1.0,
    ]


def test_a_setting_shift_moves_plans_and_keeps_the_total(demo_area):
    scenario = SendScenario.from_dict(
        {
            "name": "fewer independent",
            "adjustments": [
                {
                    "kind": "setting_shift",
                    "start": "2016-01-01",
                    "share": 0.5,
                    "from_group": "special_independent",
                    "to_group": "special_maintained",
                    "stock_share": 0.1,
                }
            ],
        }
    )
    fit = fit_send(demo_area, options=QUICK)
    base = forecast_send(fit, 3)
    shifted = forecast_send(fit, 3, scenario.plan_adjusters())
    assert shifted.total_expected == pytest.approx(base.total_expected)
    si, sm = GROUPS.index("special_independent"), GROUPS.index("special_maintained")
    assert (shifted.expected[:, si] < base.expected[:, si]).all()
    assert (shifted.expected[:, sm] > base.expected[:, sm]).all()


def test_a_scenario_saving_is_baseline_less_scenario_and_reproducible(demo_figures, demo_area):
    scenario = SendScenario.from_dict(
        {
            "name": "transport",
            "adjustments": [
                {"kind": "personal_budget", "start": "2016-04-01", "share": 0.15, "cost": "2500"},
                {"kind": "route_optimisation", "start": "2016-09-01", "multiply": 0.93},
                {"kind": "new_plans", "start": "2016-04-01", "ramp_years": 3, "multiply": 0.92},
            ],
        }
    )
    run = run_send_scenario(
        demo_area, scenario, options=QUICK, horizon=3, data_hash=demo_figures.hash
    )
    for year in (Y16, Y17, Y18):
        assert run.transport_saving[year] == (
            run.baseline.year(year).transport_total - run.scenario.year(year).transport_total
        )
        assert run.transport_saving[year] > 0
    # fewer new plans in calendar 2016 show in January 2017's plans: 2016/17, a third ramped in
    assert 0 < run.placement_saving[Y16] < run.placement_saving[Y17] < run.placement_saving[Y18]
    record = run.evidence
    assert record["savings"] == {y.label: str(v) for y, v in sorted(run.transport_saving.items())}
    assert record["parameters"]["base_year"] == "2015/16"
    assert Decimal(record["parameters"]["base_cost"]) == run.baseline.base.transport_total
    assert reproduce(record).evidence["savings"] == record["savings"]
    tampered = {**record, "savings": {**record["savings"], "2016/17": "1.00"}}
    with pytest.raises(SendReproductionError):
        reproduce(tampered)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "teleport", "start": "2016-04-01"}, "unknown adjustment kind 'teleport'"),
        (
            {"kind": "personal_budget", "start": "2016-04-01", "share": 1.5, "cost": 1},
            "share must be between 0 and 1",
        ),
        (
            {
                "kind": "setting_shift",
                "start": "2016-04-01",
                "share": 0.1,
                "from_group": "x",
                "to_group": "mainstream",
            },
            "unknown setting group 'x'",
        ),
        (
            {"kind": "personal_budget", "start": "2016-04-01", "share": 0.1},
            "personal_budget needs cost",
        ),
        ({"kind": "new_plans", "multiply": 0.9}, "needs start"),
        (
            {"kind": "new_plans", "start": "2016-04-01", "multiply": 0.9, "colour": "red"},
            r"unknown adjustment fields \['colour'\]",
        ),
    ],
)
def test_a_bad_adjustment_says_which_field(data, message):
    with pytest.raises(SendScenarioError, match=message):
        SendScenario.from_dict({"name": "bad", "adjustments": [data]})


def test_the_shipped_assumptions_are_dated_and_labelled_illustrative():
    unit, travel = load_unit_costs(), load_transport()
    assert unit.illustrative and travel.illustrative
    assert unit.value("special_independent", dt.date(2024, 4, 1)) == Decimal("60000")
    assert unit.value("special_independent", dt.date(2016, 4, 1)) == Decimal("45000")
    assert travel.value("share.special_maintained", dt.date(2016, 4, 1)) == Decimal("0.70")
