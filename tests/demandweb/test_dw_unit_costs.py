"""A council's own unit costs: dated, with a source, recorded, and pricing its data sets'
forecasts; evidence only from the line's own council."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from csplan.core.periods import FinancialYear
from csplan.demand.config import load_config
from csplan.demand.costs import OwnUnitCost, load_assumptions, placement_costs, with_own_unit_costs
from csplan.forecasts import services
from csplan.forecasts.models import UnitCost
from csplan.programme.models import Council

pytestmark = pytest.mark.django_db

IN_HOUSE = {"adjustments": [{"kind": "in_house_share", "share": 0.5, "start": "2025-04-01"}]}


def _april_and_next_april(group: str, days: float) -> tuple[list, np.ndarray]:
    config = load_config()
    month_days = [(date(2015, 4, 1), date(2015, 4, 30)), (date(2016, 4, 1), date(2016, 4, 30))]
    by_group = np.zeros((2, len(config.group_keys)))
    by_group[:, config.group_keys.index(group)] = days
    return month_days, by_group


def test_an_own_unit_cost_prices_child_days_exactly_and_is_inflated_from_its_year():
    config, base = load_config(), load_assumptions()
    month_days, days = _april_and_next_april("foster_in_house", 70.0)
    own = with_own_unit_costs(
        base, [OwnUnitCost("foster_in_house", Decimal("700"), date(2015, 6, 1), "MTFS 2015")]
    )
    before = placement_costs(config, month_days, days, base)
    after = placement_costs(config, month_days, days, own)
    y1, y2 = FinancialYear(2015), FinancialYear(2016)
    assert before[y1].by_group["foster_in_house"] == Decimal("4930.00")  # 70 days x £493 / 7
    assert after[y1].by_group["foster_in_house"] == Decimal("7000.00")  # 70 days x £700 / 7
    assert after[y1].total - before[y1].total == Decimal("2070.00")
    assert after[y2].by_group["foster_in_house"] == Decimal("7210.00")  # £700 + 3% inflation
    assert own.hash != base.hash
    assert own.costs["foster_ifa"] == base.costs["foster_ifa"]


def test_an_own_unit_cost_from_a_later_year_is_its_value_in_that_year():
    config, base = load_config(), load_assumptions()
    month_days, days = _april_and_next_april("secure", 7.0)
    own = with_own_unit_costs(
        base, [OwnUnitCost("secure", Decimal("8240"), date(2016, 4, 1), "Budget book 2016/17")]
    )
    costs = placement_costs(config, month_days, days, own)
    assert costs[FinancialYear(2016)].by_group["secure"] == Decimal("8240.00")
    assert costs[FinancialYear(2015)].by_group["secure"] == Decimal("8000.00")  # 8240 / 1.03


@pytest.fixture
def council() -> Council:
    return Council.objects.create(name="Testshire")


def test_the_unit_costs_in_force_are_the_latest_on_or_before_the_day(council, user):
    services.save_unit_cost(council, "foster_ifa", Decimal("900"), date(2024, 4, 1), "A",
                            user=user)  # fmt: skip
    services.save_unit_cost(council, "foster_ifa", Decimal("950"), date(2025, 4, 1), "B")
    services.save_unit_cost(council, "foster_ifa", Decimal("999"), date(2099, 4, 1), "Future")
    in_force = services.unit_costs_in_force(council, date(2025, 6, 30))
    assert [(c.group, c.weekly_cost, c.source) for c in in_force] == [
        ("foster_ifa", Decimal("950.00"), "B")
    ]
    assert services.unit_costs_in_force(council, date(2024, 12, 31))[0].weekly_cost == 900
    assert services.unit_costs_in_force(council, date(2024, 3, 31)) == []


def test_every_change_to_a_unit_cost_is_recorded(council, user):
    cost = services.save_unit_cost(council, "secure", Decimal("6000"), date(2025, 4, 1), "A",
                                   user=user)  # fmt: skip
    services.save_unit_cost(council, "secure", Decimal("6100.50"), date(2025, 4, 1), "A2",
                            user=user)  # fmt: skip
    assert UnitCost.objects.count() == 1
    history = list(cost.history.order_by("history_id"))
    assert [(h.weekly_cost, h.source, h.history_user) for h in history] == [
        (Decimal("6000.00"), "A", user),
        (Decimal("6100.50"), "A2", user),
    ]


def test_a_unit_cost_for_no_group_or_without_a_source_is_refused(council):
    with pytest.raises(services.UnitCostRefused) as refused:
        services.save_unit_cost(council, "castle", Decimal("-1"), date(2025, 4, 1), " ")
    assert refused.value.errors == {
        "group": "There is no placement group 'castle'",
        "weekly_cost": "Weekly cost: enter 0 or more",
        "source": "Enter where the figure comes from",
    }
    assert not UnitCost.objects.exists()
