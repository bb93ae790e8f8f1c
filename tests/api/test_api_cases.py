"""Business cases, equality impact ratings and decisions through the API."""

import pytest

from csplan.cases.models import BusinessCase, Decision, EqualityAssessment

pytestmark = pytest.mark.django_db

CASE = "/api/lines/{id}/case"
EQUALITY = "/api/lines/{id}/equality"

CASE_BODY = {
    "title": "Social care transformation",
    "summary": "Fewer children entering care through edge-of-care work",
    "sro_role": "Assistant Director, Children's Services",
    "texts": {"why": "Demand is rising", "aims": "Safely reduce entries to care"},
    "risks": [
        {"title": "Recruitment of foster carers", "likelihood": 3, "impact": 4,
         "owner_role": "Head of Fostering", "mitigation": "Regional campaign"},
    ],
    "dependencies": [{"title": "Family support remodelling", "line_reference": "C1/7"}],
}  # fmt: skip


def test_an_sro_writes_and_edits_the_business_case_of_their_line(people, lines, api_as):
    api = api_as(people["sro"])
    pk = lines["C3"].pk
    assert api.call("GET", CASE, id=pk).status_code == 404
    created = api.call("PUT", CASE, CASE_BODY, id=pk)
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["risks"][0]["score"] == 12
    assert body["texts"]["why"] == "Demand is rising" and body["texts"]["scope_in"] == ""
    assert body["dependencies"] == [
        {"title": "Family support remodelling", "line_reference": "C1/7"}
    ]
    edited = api.call("PUT", CASE, {**CASE_BODY, "title": "Edge of care", "version": 1}, id=pk)
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = api.call("PUT", CASE, {**CASE_BODY, "title": "Other", "version": 1}, id=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert BusinessCase.objects.get(line=lines["C3"]).title == "Edge of care"
    assert api.call("GET", CASE, id=pk).json()["title"] == "Edge of care"


def test_business_case_errors_name_the_field(people, lines, api_as):
    api = api_as(people["finance"])
    bad = {**CASE_BODY, "title": "", "risks": [{"title": "R", "likelihood": 9, "impact": 1}]}
    response = api.call("PUT", CASE, bad, id=lines["C8"].pk)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "title": "Enter the project title",
            "risk_1_likelihood": "Risk 1: likelihood must be a whole number 1 to 5",
        }
    }
    refused = api_as(people["sro"]).call("PUT", CASE, CASE_BODY, id=lines["C8"].pk)
    assert refused.status_code == 403
    assert not BusinessCase.objects.exists()


def test_equality_ratings(people, lines, api_as):
    api = api_as(people["sro"])
    pk = lines["C5"].pk
    empty = api.call("GET", EQUALITY, id=pk).json()
    assert len(empty["ratings"]) == 9 and set(empty["ratings"].values()) == {None}
    saved = api.call(
        "PUT",
        EQUALITY,
        {"ratings": {"disability": {"rating": "adverse", "mitigation": "Transition support"},
                     "age": {"rating": "neutral"}}},
        id=pk,
    )  # fmt: skip
    assert saved.status_code == 200
    ratings = saved.json()["ratings"]
    assert ratings["disability"] == {
        "rating": "adverse",
        "note": "",
        "mitigation": "Transition support",
    }
    assert ratings["age"]["rating"] == "neutral" and ratings["race"] is None
    bad = api.call("PUT", EQUALITY, {"ratings": {"sex": {"rating": "adverse"}}}, id=pk)
    assert bad.status_code == 400
    assert bad.json() == {
        "errors": {"ratings.sex.mitigation": "An adverse impact needs its mitigation"}
    }
    assert EqualityAssessment.objects.filter(line=lines["C5"]).count() == 2
    viewer = api_as(people["viewer"])
    assert viewer.call("GET", EQUALITY, id=pk).json()["ratings"]["age"]["rating"] == "neutral"
    assert viewer.call("PUT", EQUALITY, {"ratings": {}}, id=pk).status_code == 403


def test_finance_records_a_decision_and_anyone_signed_in_lists_them(people, lines, api_as):
    finance = api_as(people["finance"])
    body = {
        "body": "cabinet",
        "date": "2015-10-12",
        "reference": "Cabinet minute 6889",
        "lines": [{"line": lines["C3"].pk, "amounts": {"2016/17": "1500000.00"}}],
    }
    created = finance.call("POST", "/api/decisions", body)
    assert created.status_code == 201
    assert created.json()["lines"] == [
        {"line": lines["C3"].pk, "reference": "C3", "amounts": {"2016/17": "1500000.00"}}
    ]
    listed = api_as(people["viewer"]).call("GET", "/api/decisions").json()["decisions"]
    assert [d["reference"] for d in listed] == ["Cabinet minute 6889"]
    assert listed[0]["date"] == "2015-10-12" and listed[0]["kind"] == "approval"
    bad = finance.call("POST", "/api/decisions", {**body, "date": "12/10/2015"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["errors"]["date"]
    no_body = finance.call("POST", "/api/decisions", {**body, "body": "mayor"})
    assert no_body.json() == {"errors": {"body": "Choose the decision-making body"}}
    refused = api_as(people["sro"]).call("POST", "/api/decisions", body)
    assert refused.status_code == 403
    assert Decision.objects.count() == 1


STATUS = "/api/lines/{id}/status"


def test_lifecycle_moves_by_the_rules_and_sign_off_is_for_finance(people, lines, api_as):
    sro = api_as(people["sro"])
    pk = lines["C3"].pk
    signed = {"version": 1, "lifecycle": "delivered", "signed_off_by_finance": True}
    refused = sro.call("POST", STATUS, signed, id=pk)
    assert refused.status_code == 403
    assert refused.json() == {
        "errors": {"lifecycle": "Only finance officers can give the finance sign-off"}
    }
    finance = api_as(people["finance"]).call("POST", STATUS, signed, id=pk)
    assert finance.status_code == 400
    assert finance.json()["errors"]["lifecycle"].startswith(
        "A line cannot move from proposed to delivered"
    )
    moved = sro.call(
        "POST", STATUS, {"version": 1, "lifecycle": "withdrawn", "reason": "Dropped"}, id=pk
    )
    assert moved.status_code == 200
    assert moved.json()["lifecycle"] == "withdrawn" and moved.json()["version"] == 2
    stale = sro.call("POST", STATUS, {"version": 1, "lifecycle": "proposed"}, id=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    other = sro.call("POST", STATUS, {"version": 1, "lifecycle": "withdrawn"}, id=lines["C6"].pk)
    assert other.status_code == 403
    viewer = api_as(people["viewer"]).call(
        "POST", STATUS, {"version": 2, "lifecycle": "proposed"}, id=pk
    )
    assert viewer.status_code == 403
    assert sro.client.get(f"/api/lines/{pk}/status").status_code == 405
