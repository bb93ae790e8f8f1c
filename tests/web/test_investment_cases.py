"""Invest-to-save cases in the browser: a finance officer adds and edits a case (£'000, exact)
through the same ``write_case`` as the CLI and the API; the page shows each item's funding
source, the capital-receipts test and the notes on assumed figures."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.investment.demo import load_investment_demo
from csplan.investment.models import InvestmentCase
from csplan.investment.store import case_figures, expected_notes

pytestmark = pytest.mark.django_db

NEW = {
    "reference": "EH1",
    "name": "Early help hubs",
    "stage": "outline",
    "owner_role": "Director of Children's Services",
    "spend_0_year": "2024/25",
    "spend_0_category": "transformation",
    "spend_0_funding": "capital_receipts",
    "spend_0_amount": "1,346.0005",
    "spend_0_designed_for_ongoing_savings": "on",
    "spend_2_year": "2024/25",
    "spend_2_category": "improvement",
    "spend_2_funding": "revenue_budget",
    "spend_2_amount": "100",
    "spend_2_funding_detail": "Service pressure in the 2024/25 budget",
    "expected_0_year": "2025/26",
    "expected_0_amount": "400",
    "expected_1_year": "2026/27",
    "expected_1_amount": "500",
    "expected_1_note": "Straight line between the years (assumption)",
    "spend_rows": "3",
    "expected_rows": "3",
}


def _user(client, role):
    user = with_role(get_user_model().objects.create_user(role, password="a-long-pass-1"), role)
    client.force_login(user)
    return user


def test_finance_adds_a_case_of_the_plans_council_and_edits_it(client):
    plan = load_hampshire_demo()
    officer = _user(client, "finance")
    assert client.get("/investment/new/").status_code == 200
    response = client.post("/investment/new/", NEW)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = InvestmentCase.objects.get(reference="EH1")
    assert (case.council, case.plan) == (plan.council, plan)
    figures = case_figures(case)
    assert sorted((s.funding, s.amount) for s in figures.spend) == [
        ("capital_receipts", Decimal("1346000.50")),
        ("revenue_budget", Decimal("100000")),
    ]
    assert figures.expected == {
        FinancialYear(2025): Decimal("400000"),
        FinancialYear(2026): Decimal("500000"),
    }
    assert case.history.get().history_user == officer

    page = client.get(f"/investment/{case.pk}/edit/")
    assert page.status_code == 200
    assert 'value="1346.0005"' in page.content.decode()
    edited = {**NEW, "name": "Family hubs", "expected_1_amount": "550"}
    response = client.post(f"/investment/{case.pk}/edit/", edited)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.name == "Family hubs"
    assert case_figures(case).expected[FinancialYear(2026)] == Decimal("550000")
    assert expected_notes(case) == {
        FinancialYear(2026): "Straight line between the years (assumption)"
    }


def test_bad_input_goes_on_the_fields_in_the_error_summary(client):
    load_hampshire_demo()
    _user(client, "admin")
    bad = {**NEW, "spend_2_amount": "lots", "spend_2_funding": "", "expected_0_year": "2025"}
    response = client.post("/investment/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#id_spend_2_amount">' in html and "write the amount in £&#x27;000" in html
    assert '<a href="#id_spend_2_funding">Choose one of reserve' in html
    assert '<a href="#id_expected_0_year">' in html
    assert not InvestmentCase.objects.exists()


def test_the_page_shows_funding_sources_eligibility_and_assumptions(client):
    load_investment_demo()
    _user(client, "viewer")
    html = client.get("/investment/").content.decode()
    for source in (
        "Reserve",
        "Revenue budget (service pressure)",
        "Flexible use of capital receipts",
    ):
        assert f'<td class="govuk-table__cell">{source}</td>' in html
    assert "Eligible under the current direction" in html
    assert "incurred in 2016/17 to 2029/30" in html
    assert (
        "Expected savings 2025/26: Not stated in the report: straight line between 2024/25 and "
        "2026/27 (assumption)" in html
    )
    assert "/investment/new/" not in html  # a viewer is not offered the form


@pytest.mark.parametrize("role", ["viewer", "sro"])
def test_viewers_and_sros_get_403(client, role):
    load_hampshire_demo()
    case = load_investment_demo()
    _user(client, role)
    assert client.get("/investment/new/").status_code == 403
    assert client.post("/investment/new/", NEW).status_code == 403
    assert client.post(f"/investment/{case.pk}/edit/", NEW).status_code == 403
    assert not InvestmentCase.objects.filter(reference="EH1").exists()


def test_a_plans_page_shows_its_councils_cases_and_those_of_councils_without_a_plan(client):
    from csplan.cases.demo import load_cambridgeshire_plan

    hampshire, cambridgeshire = load_hampshire_demo(), load_cambridgeshire_plan()
    bcp = load_investment_demo()  # BCP has no plan in csplan
    _user(client, "finance")
    assert client.post(f"/plans/{hampshire.slug}/investment/new/", NEW).status_code == 302
    local = InvestmentCase.objects.get(reference="EH1")
    assert local.council == hampshire.council

    def shown(plan):
        html = client.get(f"/plans/{plan.slug}/investment/").content.decode()
        return {case.reference for case in (local, bcp) if f'id="case-{case.pk}"' in html}, html

    on_hampshire, html = shown(hampshire)
    assert on_hampshire == {"EH1", "BSF"}
    assert "The cases of Hampshire County Council, and of any council with no plan" in html
    on_cambridgeshire, html = shown(cambridgeshire)
    assert on_cambridgeshire == {"BSF"}  # Hampshire's case is not Cambridgeshire's
    assert "The cases of Cambridgeshire County Council" in html
    # a case's own pages follow the list: not under another council's plan
    for path in (f"{local.pk}/edit/", f"{local.pk}/case.csv", f"{local.pk}/actuals.json"):
        assert client.get(f"/plans/{hampshire.slug}/investment/{path}").status_code == 200
        assert client.get(f"/plans/{cambridgeshire.slug}/investment/{path}").status_code == 404
    assert client.get(f"/plans/{cambridgeshire.slug}/investment/{bcp.pk}/edit/").status_code == 200
    refused = client.post(f"/plans/{cambridgeshire.slug}/investment/{local.pk}/actual/",
                          {"year": "2024/25", "amount": "1,000"})  # fmt: skip
    assert refused.status_code == 404 and not local.actual_savings.exists()
