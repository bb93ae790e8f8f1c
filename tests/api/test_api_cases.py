"""Business cases, equality impact ratings and decisions through the API."""

import pytest

from csplan.cases.models import BusinessCase, Decision, EqualityAssessment

pytestmark = pytest.mark.django_db

CASE = "/api/plans/{plan}/lines/{line}/case"
EQUALITY = "/api/plans/{plan}/lines/{line}/equality"
DECISIONS = "/api/plans/{plan}/decisions"

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


def test_an_sro_writes_and_edits_the_business_case_of_their_line(people, lines, api_as, slug):
    api = api_as(people["sro"])
    pk = lines["C3"].pk
    assert api.call("GET", CASE, plan=slug, line=pk).status_code == 404
    created = api.call("PUT", CASE, CASE_BODY, plan=slug, line=pk)
    assert created.status_code == 201
    body = created.json()
    assert body["version"] == 1 and body["risks"][0]["score"] == 12
    assert body["texts"]["why"] == "Demand is rising" and body["texts"]["scope_in"] == ""
    assert body["dependencies"] == [
        {"title": "Family support remodelling", "line_reference": "C1/7"}
    ]
    edited = api.call(
        "PUT", CASE, {**CASE_BODY, "title": "Edge of care", "version": 1}, plan=slug, line=pk
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = api.call("PUT", CASE, {**CASE_BODY, "title": "Other", "version": 1}, plan=slug, line=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert BusinessCase.objects.get(line=lines["C3"]).title == "Edge of care"
    assert api.call("GET", CASE, plan=slug, line=pk).json()["title"] == "Edge of care"


def test_business_case_errors_name_the_field(people, lines, api_as, slug):
    api = api_as(people["finance"])
    pk = lines["C8"].pk
    bad = {**CASE_BODY, "risks": [{"title": "R", "likelihood": 9, "impact": "1"}]}
    response = api.call("PUT", CASE, bad, plan=slug, line=pk)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "risks.0.likelihood": "Give a number no more than 5",
            "risks.0.impact": "Send a whole number",
        }
    }
    untitled = api.call("PUT", CASE, {**CASE_BODY, "title": " "}, plan=slug, line=pk)
    assert untitled.json() == {"errors": {"title": "Enter the project title"}}
    unknown = api.call("PUT", CASE, {**CASE_BODY, "texts": {"why": "x", "how": "y"}}, plan=slug,
                       line=pk)  # fmt: skip
    assert list(unknown.json()["errors"]) == ["texts.how"]
    refused = api_as(people["sro"]).call("PUT", CASE, CASE_BODY, plan=slug, line=lines["C8"].pk)
    assert refused.status_code == 403
    assert not BusinessCase.objects.exists()


def test_equality_ratings(people, lines, api_as, slug):
    api = api_as(people["sro"])
    pk = lines["C5"].pk
    empty = api.call("GET", EQUALITY, plan=slug, line=pk).json()
    assert len(empty["ratings"]) == 9 and set(empty["ratings"].values()) == {None}
    saved = api.call(
        "PUT",
        EQUALITY,
        {"ratings": {"disability": {"rating": "adverse", "mitigation": "Transition support"},
                     "age": {"rating": "neutral"}}},
        plan=slug,
        line=pk,
    )  # fmt: skip
    assert saved.status_code == 200
    ratings = saved.json()["ratings"]
    assert ratings["disability"] == {
        "rating": "adverse",
        "note": "",
        "mitigation": "Transition support",
    }
    assert ratings["age"]["rating"] == "neutral" and ratings["race"] is None
    bad = api.call("PUT", EQUALITY, {"ratings": {"sex": {"rating": "adverse"}}}, plan=slug, line=pk)
    assert bad.status_code == 400
    assert bad.json() == {
        "errors": {"ratings.sex.mitigation": "An adverse impact needs its mitigation"}
    }
    assert EqualityAssessment.objects.filter(line=lines["C5"]).count() == 2
    viewer = api_as(people["viewer"])
    assert (
        viewer.call("GET", EQUALITY, plan=slug, line=pk).json()["ratings"]["age"]["rating"]
        == "neutral"
    )
    assert viewer.call("PUT", EQUALITY, {"ratings": {}}, plan=slug, line=pk).status_code == 403


def test_finance_records_a_decision_and_anyone_signed_in_lists_them(people, lines, api_as, slug):
    finance = api_as(people["finance"])
    body = {
        "body": "cabinet",
        "date": "2015-10-12",
        "reference": "Cabinet minute 6889",
        "lines": [{"line": lines["C3"].pk, "amounts": {"2016/17": "1500000.00"}}],
    }
    created = finance.call("POST", DECISIONS, body, plan=slug)
    assert created.status_code == 201
    assert created.json()["lines"] == [
        {"line": lines["C3"].pk, "reference": "C3", "amounts": {"2016/17": "1500000.00"}}
    ]
    listed = api_as(people["viewer"]).call("GET", DECISIONS, plan=slug).json()["decisions"]
    # the demo's own approval (16 September 2015) is recorded with its programme
    assert sorted(d["reference"] for d in listed) == ["Cabinet minute 6889", "Decision report 6889"]
    cabinet = next(d for d in listed if d["reference"] == "Cabinet minute 6889")
    assert cabinet["date"] == "2015-10-12" and cabinet["kind"] == "approval"
    bad = finance.call("POST", DECISIONS, {**body, "date": "12/10/2015"}, plan=slug)
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.json()["errors"]["date"]
    no_body = finance.call("POST", DECISIONS, {**body, "body": "mayor"}, plan=slug)
    assert no_body.json() == {
        "errors": {
            "body": "Choose 'cabinet', 'full_council', 'committee', 'executive_member' or 'officer'"
        }
    }
    other_plan = finance.call("POST", DECISIONS, {**body, "lines": [{"line": 99999}]}, plan=slug)
    assert other_plan.json() == {"errors": {"lines": "Choose savings lines of this programme"}}
    refused = api_as(people["sro"]).call("POST", DECISIONS, body, plan=slug)
    assert refused.status_code == 403
    assert Decision.objects.count() == 2  # the demo's approval and the one recorded here


STATUS = "/api/plans/{plan}/lines/{line}/status"


def test_lifecycle_moves_by_the_rules_and_sign_off_is_for_finance(people, lines, api_as, slug):
    sro = api_as(people["sro"])
    pk = lines["C3"].pk
    signed = {"version": 1, "lifecycle": "delivered", "signed_off_by_finance": True}
    refused = sro.call("POST", STATUS, signed, plan=slug, line=pk)
    assert refused.status_code == 403
    assert refused.json() == {
        "errors": {"lifecycle": "Only finance officers can give the finance sign-off"}
    }
    finance = api_as(people["finance"]).call("POST", STATUS, signed, plan=slug, line=pk)
    assert finance.status_code == 400
    assert finance.json()["errors"]["lifecycle"].startswith(
        "A line cannot move from proposed to delivered"
    )
    moved = sro.call(
        "POST",
        STATUS,
        {"version": 1, "lifecycle": "withdrawn", "reason": "Dropped"},
        plan=slug,
        line=pk,
    )
    assert moved.status_code == 200
    assert moved.json()["lifecycle"] == "withdrawn" and moved.json()["version"] == 2
    stale = sro.call("POST", STATUS, {"version": 1, "lifecycle": "proposed"}, plan=slug, line=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    other = sro.call(
        "POST", STATUS, {"version": 1, "lifecycle": "withdrawn"}, plan=slug, line=lines["C6"].pk
    )
    assert other.status_code == 403
    viewer = api_as(people["viewer"]).call(
        "POST", STATUS, {"version": 2, "lifecycle": "proposed"}, plan=slug, line=pk
    )
    assert viewer.status_code == 403
    assert sro.client.get(f"/api/plans/{slug}/lines/{pk}/status").status_code == 405
