"""Creating and replacing invest-to-save cases through the API (the same ``write_case`` as the
web and the CLI), each answer checked against its schema."""

import pytest

from csplan.investment.demo import BCP_COUNCIL, load_investment_demo
from csplan.investment.models import InvestmentCase

pytestmark = pytest.mark.django_db

CASES = "/api/investment/cases"
CASE = "/api/investment/cases/{case}"
NEW = {
    "reference": "EH1",
    "name": "Early help hubs",
    "council": BCP_COUNCIL,
    "stage": "full",
    "spend": [
        {"year": "2024/25", "category": "transformation", "funding": "capital_receipts",
         "amount": "250000.50", "designed_for_ongoing_savings": True},
        {"year": "2024/25", "category": "improvement", "funding": "reserve", "amount": "1000"},
    ],
    "expected": [
        {"year": "2025/26", "amount": "400000"},
        {"year": "2026/27", "amount": "500000", "note": "Straight line (assumption)"},
    ],
}  # fmt: skip


def test_finance_creates_then_replaces_a_case(people, api_as):
    load_investment_demo()
    api = api_as(people["finance"])
    response = api.call("POST", CASES, NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reference"], body["council"], body["stage"]) == ("EH1", BCP_COUNCIL, "full")
    assert [(s["funding"], s["amount"]) for s in body["spend"]] == [
        ("reserve", "1000.00"),
        ("capital_receipts", "250000.50"),
    ]
    assert body["total_investment"] == "251000.50"
    assert body["expected_notes"] == {"2026/27": "Straight line (assumption)"}
    assert "Expected savings 2026/27: Straight line (assumption)" in body["tables"][0]["notes"]
    assert body["problems"] == []
    case = InvestmentCase.objects.get(reference="EH1")
    assert case.history.get().history_user == people["finance"]

    changed = {**NEW, "name": "Family hubs", "spend": [
        {"year": "2031/32", "category": "transformation", "funding": "capital_receipts",
         "amount": "5000", "designed_for_ongoing_savings": True}]}  # fmt: skip
    response = api.call("PUT", CASE, changed, case=case.pk)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Family hubs" and body["total_investment"] == "5000.00"
    assert body["problems"] == [
        "2031/32: £5,000.00 of transformation spend is funded from capital receipts but "
        "2031/32 is outside the years the direction allows (2016/17 to 2029/30)"
    ]


def test_the_demo_case_shows_its_assumption(people, api_as):
    case = load_investment_demo()
    body = api_as(people["viewer"]).call("GET", CASE, case=case.pk).json()
    assert body["expected_notes"]["2025/26"] == (
        "Not stated in the report: straight line between 2024/25 and 2026/27 (assumption)"
    )


def test_bad_input_is_a_field_error_and_nothing_is_written(people, api_as):
    load_investment_demo()
    api = api_as(people["finance"])
    as_number = {**NEW, "spend": [{**NEW["spend"][0], "amount": 250000.5}]}
    response = api.call("POST", CASES, as_number)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["spend.0.amount"]
    unknown = api.call("POST", CASES, {**NEW, "council": "Nowhere"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "council": "there is no council called 'Nowhere': create its plan first"
    }
    taken = api.call("POST", CASES, {**NEW, "reference": "BSF"})
    assert taken.json()["errors"] == {
        "reference": f"{BCP_COUNCIL} already has a case BSF: edit that one"
    }
    assert not InvestmentCase.objects.filter(reference="EH1").exists()


@pytest.mark.parametrize("role", ["viewer", "sro"])
def test_viewers_and_sros_cannot_write_cases(people, api_as, role):
    case = load_investment_demo()
    api = api_as(people[role])
    assert api.call("POST", CASES, NEW).status_code == 403
    assert api.call("PUT", CASE, {**NEW, "reference": "BSF"}, case=case.pk).status_code == 403
    assert not InvestmentCase.objects.filter(reference="EH1").exists()
