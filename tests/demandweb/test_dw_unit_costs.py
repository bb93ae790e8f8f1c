"""A council's own unit costs: dated, with a source, recorded, and pricing its data sets'
forecasts; evidence only from the line's own council."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from dw_helpers import records

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.demand.config import load_config
from csplan.demand.costs import OwnUnitCost, load_assumptions, placement_costs, with_own_unit_costs
from csplan.forecasts import services
from csplan.forecasts.models import Dataset, UnitCost
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


def _upload(client, returns_zip, council: Council | None) -> Dataset:
    response = client.post(
        reverse("demandweb:upload"),
        {
            "name": "Testshire returns",
            "council": council.pk if council else "",
            "files": [SimpleUploadedFile("returns.zip", returns_zip)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Dataset.objects.get()


def _costs(client, dataset: Dataset) -> tuple[dict, list[dict]]:
    url = reverse("demandweb:costs", kwargs={"pk": dataset.pk})
    body = json.loads(client.get(url.rstrip("/") + ".json").content)
    return body, records(body)


def test_the_councils_unit_cost_changes_the_cost_table_by_exactly_its_amount(
    client_in, returns_zip, council
):
    dataset = _upload(client_in, returns_zip, council)
    assert dataset.council == council
    body, _ = _costs(client_in, dataset)
    assert body["notes"][-1] == (
        "Unit costs: Testshire has no unit costs of its own in force, so the illustrative "
        "defaults shipped with csplan (Children looked after unit costs (Hertfordshire 2015/16 "
        "where published; else illustrative))."
    )
    before = services.cost_table(services.forecast_run(dataset, None))
    url = reverse("demandweb:unit_costs", kwargs={"pk": council.pk})
    form = {"group": "residential_external", "weekly_cost": "0", "effective_from": "01/04/2015",
            "source": "Block contract 2015: no charge"}  # fmt: skip
    response = client_in.post(url, form)
    assert response.status_code == 302
    after = services.cost_table(services.forecast_run(dataset, None))
    assert list(after.rows) == list(before.rows)
    for year, amounts in after.rows.items():
        old = before.rows[year]
        assert amounts["residential_external"] == Decimal("0.00")
        assert old["residential_external"] > 0
        assert amounts["total"] == old["total"] - old["residential_external"]  # exactly
        assert {g: amounts[g] for g in after.groups if g != "residential_external"} == {
            g: old[g] for g in before.groups if g != "residential_external"
        }
    body, rows = _costs(client_in, dataset)
    assert {r["Residential (external children's homes)"] for r in rows} == {"0"}
    assert body["notes"][-1] == (
        "Unit costs: Testshire's own: Residential (external children's homes) £0.00 a week "
        "from 1 April 2015 (Block contract 2015: no charge); other placement groups: the "
        "illustrative defaults shipped with csplan (Children looked after unit costs "
        "(Hertfordshire 2015/16 where published; else illustrative))."
    )
    page = client_in.get(reverse("demandweb:costs", kwargs={"pk": dataset.pk})).content.decode()
    assert "Block contract 2015: no charge" in page and 'id="unit-costs-used"' in page


def test_the_unit_costs_page_shows_the_costs_in_force_and_every_one_given(client_in, council):
    services.save_unit_cost(council, "foster_ifa", Decimal("910.25"), date(2024, 4, 1), "MTFS")
    services.save_unit_cost(council, "foster_ifa", Decimal("940"), date(2025, 4, 1), "Budget")
    url = reverse("demandweb:unit_costs", kwargs={"pk": council.pk})
    body = json.loads(client_in.get(url.rstrip("/") + ".json").content)
    tables = {t["name"]: records(t) for t in body["tables"]}
    current = {r["Placement group"]: r for r in tables["unit_costs"]}
    assert current["Fostering (agency / IFA and other providers)"] == {
        "Placement group": "Fostering (agency / IFA and other providers)",
        "Weekly cost": "940.00",
        "Effective from": "2025-04-01",
        "Source": "Budget",
    }
    assert current["Fostering (in-house carers)"]["Weekly cost"] == "493.00"
    assert current["Fostering (in-house carers)"]["Source"] == "Illustrative default (csplan)"
    assert [(r["Weekly cost"], r["Effective from"]) for r in tables["unit_cost_history"]] == [
        ("940.00", "2025-04-01"),
        ("910.25", "2024-04-01"),
    ]


def test_a_bad_unit_cost_shows_the_error_summary_and_saves_nothing(client_in, council):
    url = reverse("demandweb:unit_costs", kwargs={"pk": council.pk})
    response = client_in.post(url, {"group": "secure", "weekly_cost": "lots",
                                    "effective_from": "31/02/2025", "source": ""})  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    for message in (
        "Weekly cost: enter an amount in pounds, for example 925.50",
        "Effective from: enter a date, for example 01/04/2026",
        "Enter where the figure comes from",
    ):
        assert message in page
    assert not UnitCost.objects.exists()


def test_only_finance_and_admin_change_unit_costs(client, council, django_user_model):
    from csplan.accounts.users import with_role

    viewer = with_role(django_user_model.objects.create_user("v", password="x-long-pass-1"),
                       "viewer")  # fmt: skip
    client.force_login(viewer)
    url = reverse("demandweb:unit_costs", kwargs={"pk": council.pk})
    assert client.get(url).status_code == 200
    form = {"group": "secure", "weekly_cost": "1", "effective_from": "01/04/2025", "source": "s"}
    assert client.post(url, form).status_code == 403
    assert not UnitCost.objects.exists()


def test_evidence_from_another_councils_data_set_is_refused(client_in, returns_zip, council, user):
    dataset = _upload(client_in, returns_zip, council)
    line = load_hampshire_demo().lines.get(reference="C6")
    scenario = services.save_scenario("In-house", IN_HOUSE)
    response = client_in.post(
        reverse("demandweb:attach", kwargs={"pk": dataset.pk}),
        {"scenario": scenario.pk, "line": line.pk},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    message = (
        "The data set 'Testshire returns' holds Testshire's returns, but line C6 belongs to "
        f"{line.plan.council}: evidence for a line must come from its own council's data"
    )
    assert message.replace("'", "&#x27;") in page
    with pytest.raises(services.CouncilMismatch, match="must come from its own council"):
        services.attach_scenario(dataset, scenario, line, user=user)
    assert not line.evidence.exists()


def test_the_api_refuses_evidence_from_another_councils_data_set(client_in, returns_zip, council):
    dataset = _upload(client_in, returns_zip, council)
    plan = load_hampshire_demo()
    line = plan.lines.get(reference="C6")
    scenario = services.save_scenario("In-house", IN_HOUSE)
    response = client_in.post(
        f"/api/plans/{plan.slug}/lines/{line.pk}/demand-evidence",
        data=json.dumps({"dataset": dataset.pk, "scenario": scenario.pk}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "dataset": "The data set 'Testshire returns' holds Testshire's returns, but line C6 "
            f"belongs to {plan.council}: evidence for a line must come from its own council's "
            "data"
        }
    }
    assert not line.evidence.exists()


def test_the_api_upload_names_the_council(client_in, returns_zip, council):
    unknown = client_in.post(
        "/api/demand/datasets",
        {"council": "Nowhere", "files": [SimpleUploadedFile("returns.zip", returns_zip)]},
    )
    assert unknown.status_code == 400
    assert unknown.json() == {"errors": {"council": "There is no council 'Nowhere'"}}
    assert not Dataset.objects.exists()
    created = client_in.post(
        "/api/demand/datasets",
        {"council": "Testshire", "files": [SimpleUploadedFile("returns.zip", returns_zip)]},
    )
    assert created.status_code == 201
    assert created.json()["dataset"]["council"] == "Testshire"
    assert Dataset.objects.get().council == council
