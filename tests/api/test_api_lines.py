"""Every API operation, with each response checked against its schema."""

import pytest

from csplan.accounts.tokens import issue_token
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db

LINE = "/api/lines/{id}"
PHASING = "/api/lines/{id}/phasing"


def test_programme_has_targets_and_workstreams_in_exact_pounds(people, api_as):
    body = api_as(people["viewer"]).call("GET", "/api/programme").json()
    assert body["council"]["name"] == "Hampshire County Council"
    assert body["plan"]["years"] == ["2016/17", "2017/18", "2018/19"]
    assert body["targets"] == {"2017/18": "23300000.00"}
    budgets = {w["name"]: w["budget"] for w in body["workstreams"]}
    assert len(budgets) == 8 and budgets["Social care transformation"] == "52500000.00"
    assert budgets["Mainstream home to school transport"] == "11800000.00"
    assert [w["is_workstream"] for w in body["workstreams"]][-1] is False


def test_list_lines_and_filter(people, api_as):
    api = api_as(people["viewer"])
    everything = api.call("GET", "/api/lines").json()["lines"]
    assert [line["reference"] for line in everything] == [
        "C3", "C5", "C1/7", "C6", "C4", "C2", "C8",
    ]  # fmt: skip
    c3 = everything[0]
    assert c3["phasing"] == {"2016/17": "1500000.00", "2017/18": "2500000.00"}
    assert c3["full_year_effect"] == "4000000.00" and c3["version"] == 1
    assert c3["owners"] == ["sro"]
    chosen = api.call("GET", "/api/lines", query="?workstream=Support+functions+review")
    assert [line["reference"] for line in chosen.json()["lines"]] == ["C8"]


def test_get_a_line_and_a_missing_one(people, lines, api_as):
    api = api_as(people["viewer"])
    line = api.call("GET", LINE, id=lines["C6"].pk).json()
    assert line["reference"] == "C6" and line["url"] == f"/api/lines/{lines['C6'].pk}"
    missing = api.call("GET", LINE, id=99999)
    assert missing.status_code == 404
    assert missing.json() == {"errors": {"id": "There is no savings line 99999"}}


def test_phasing_of_a_line(people, lines, api_as):
    body = api_as(people["sro"]).call("GET", PHASING, id=lines["C3"].pk).json()
    assert body == {
        "line": lines["C3"].pk,
        "reference": "C3",
        "version": 1,
        "form": "incremental",
        "phasing": {"2016/17": "1500000.00", "2017/18": "2500000.00"},
        "total": "4000000.00",
    }


def test_finance_creates_a_line(people, api_as):
    api = api_as(people["finance"])
    created = api.call(
        "POST",
        "/api/lines",
        {
            "reference": "C9",
            "title": "Edge of care service",
            "workstream": "Social care transformation",
            "phasing": {"2017/18": "250000.50"},
            "key_decision": True,
            "fte": "2.5",
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["reference"] == "C9" and body["phasing"] == {"2017/18": "250000.50"}
    assert body["fte"] == "2.50" and body["key_decision"] is True
    assert created["Location"] == body["url"]
    stored = SavingsLine.objects.get(reference="C9")
    assert stored.phasing.get().amount_pence == 25_000_050
    assert stored.history.first().history_user == people["finance"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": "No reference"}, {"reference": "This field is required",
                                     "workstream": "This field is required"}),
        ({"reference": "C3", "title": "Clash", "workstream": "Support functions review"},
         {"reference": "Reference C3 is already used by another line"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2017/18": 250.5}},
         {"phasing.2017/18": 'Send the amount as a decimal string in pounds, like "1500.00"'}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2030/31": "1.00"}},
         {"phasing.2030/31": "2030/31 is not one of the programme's years"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2017/18": "1.005"}},
         {"phasing.2017/18": "Enter the 2017/18 saving to the nearest penny"}),
        ({"reference": "C9", "title": "T", "workstream": "Nowhere", "colour": "red"},
         {"colour": "Unknown field"}),
    ],
)  # fmt: skip
def test_create_refuses_bad_input_naming_the_field(people, api_as, body, errors):
    response = api_as(people["admin"]).call("POST", "/api/lines", body)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert SavingsLine.objects.count() == 7


def test_create_refuses_a_body_that_is_not_a_json_object(people, api_as):
    api = api_as(people["finance"])
    assert api.call("POST", "/api/lines", raw="not json").json() == {
        "errors": {"body": "The body is not valid JSON"}
    }
    assert api.call("POST", "/api/lines", raw="[1]").json() == {
        "errors": {"body": "Send a JSON object"}
    }


@pytest.mark.parametrize("name", ["viewer", "sro"])
def test_only_finance_and_admins_create_lines(people, api_as, name):
    body = {"reference": "C9", "title": "T", "workstream": "Support functions review"}
    response = api_as(people[name]).call("POST", "/api/lines", body)
    assert response.status_code == 403
    assert "finance officers and admins" in response.json()["errors"]["permission"]


def test_update_a_line_with_its_version(people, lines, api_as):
    api = api_as(people["sro"])
    pk = lines["C3"].pk
    saved = api.call("PATCH", LINE, {"version": 1, "rag": "A", "title": "Edge of care"}, id=pk)
    assert saved.status_code == 200
    assert saved.json()["version"] == 2 and saved.json()["rag"] == "A"
    assert saved.json()["phasing"] == {"2016/17": "1500000.00", "2017/18": "2500000.00"}
    stale = api.call("PATCH", LINE, {"version": 1, "rag": "R"}, id=pk)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "changed by someone else" in stale.json()["errors"]["version"]
    assert SavingsLine.objects.get(pk=pk).rag == "A"


def test_update_needs_the_version_and_valid_fields(people, lines, api_as):
    api = api_as(people["finance"])
    pk = lines["C8"].pk
    no_version = api.call("PATCH", LINE, {"rag": "A"}, id=pk)
    assert no_version.status_code == 400 and "version" in no_version.json()["errors"]
    bad = api.call("PATCH", LINE, {"version": 1, "rag": "P", "key_decision": "yes"}, id=pk)
    assert bad.status_code == 400
    assert bad.json() == {"errors": {"key_decision": "Send true, false or null"}}
    rag = api.call("PATCH", LINE, {"version": 1, "rag": "P"}, id=pk)
    assert rag.json()["errors"]["rag"].startswith("Choose a RAG rating from the council's key")


def test_an_sro_cannot_change_a_line_they_do_not_own(people, lines, api_as):
    api = api_as(people["sro"])
    other = api.call("PATCH", LINE, {"version": 1, "rag": "A"}, id=lines["C6"].pk)
    assert other.status_code == 403
    assert other.json()["errors"]["permission"].startswith("Only the line's senior responsible")
    assert SavingsLine.objects.get(pk=lines["C6"].pk).rag != "A"


def test_the_lifecycle_changes_only_through_its_rules(people, lines, api_as):
    api = api_as(people["finance"])
    pk = lines["C3"].pk
    response = api.call("PATCH", LINE, {"version": 1, "lifecycle": "delivered"}, id=pk)
    assert response.status_code == 400
    assert response.json()["errors"]["lifecycle"].startswith(
        f"Change the lifecycle with POST /api/lines/{pk}/status"
    )
    same = api.call("PATCH", LINE, {"version": 1, "lifecycle": "proposed", "rag": "G"}, id=pk)
    assert same.status_code == 200 and same.json()["version"] == 2


def test_replace_the_phasing_of_a_line(people, lines, api_as):
    api = api_as(people["sro"])
    pk = lines["C5"].pk
    body = {"version": 1, "phasing": {"2016/17": "1234567.89", "2017/18": "(100.00)"}}
    saved = api.call("PUT", PHASING, body, id=pk)
    assert saved.status_code == 200
    assert saved.json()["phasing"] == {"2016/17": "1234567.89", "2017/18": "-100.00"}
    assert saved.json()["total"] == "1234467.89" and saved.json()["version"] == 2
    pence = dict(SavingsLine.objects.get(pk=pk).phasing.values_list("year", "amount_pence"))
    assert pence == {2016: 123456789, 2017: -10000}
    stale = api.call("PUT", PHASING, body, id=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    bad = api.call("PUT", PHASING, {"version": 2, "phasing": {"2016": "1"}}, id=pk)
    assert bad.status_code == 400 and "phasing.2016" in bad.json()["errors"]
    cumulative = api.call(
        "PUT", PHASING, {"version": 2, "form": "cumulative", "phasing": {}}, id=pk
    )
    assert cumulative.json() == {
        "errors": {"form": "Send incremental phasing (the change in each year)"}
    }
    viewer = api_as(people["viewer"]).call("PUT", PHASING, {"version": 2, "phasing": {}}, id=pk)
    assert viewer.status_code == 403


def test_bearer_tokens_and_csrf(people, lines, api_as):
    token = issue_token(people["sro"])
    by_token = api_as(token=token, csrf=True)
    pk = lines["C3"].pk
    saved = by_token.call("PATCH", LINE, {"version": 1, "rag": "G"}, id=pk)
    assert saved.status_code == 200  # token requests are CSRF exempt
    assert SavingsLine.objects.get(pk=pk).history.first().history_user == people["sro"]
    bad = api_as(token="csp_not-a-token").call("GET", "/api/lines")
    assert bad.status_code == 401
    assert bad.json() == {
        "errors": {"authorization": "The bearer token is not valid (or was revoked)"}
    }
    session = api_as(people["sro"], csrf=True)
    refused = session.call("PATCH", LINE, {"version": 2, "rag": "A"}, id=pk)
    assert refused.status_code == 403 and "csrf" in refused.json()["errors"]
    assert session.call("GET", LINE, id=pk).status_code == 200


def test_anonymous_requests_get_401(plan, lines, api_as):
    anonymous = api_as()
    for method, template in [("GET", "/api/programme"), ("GET", "/api/lines"),
                             ("POST", "/api/lines"), ("GET", LINE), ("PATCH", LINE),
                             ("GET", PHASING), ("PUT", PHASING)]:  # fmt: skip
        response = anonymous.call(method, template, id=lines["C3"].pk)
        assert response.status_code == 401, (method, template)


def test_unsupported_methods_get_405(people, lines, api_as):
    api = api_as(people["admin"])
    response = api.client.delete(f"/api/lines/{lines['C3'].pk}")
    assert response.status_code == 405 and response["Allow"] == "GET, PATCH"
    assert response.json() == {"errors": {"method": "Use GET or PATCH"}}


def test_no_programme_yet_is_a_404(db, api_as):
    from django.contrib.auth import get_user_model

    from csplan.accounts.users import set_role

    user = get_user_model().objects.create_user("first-admin", password="x-long-password-7")
    set_role(user, "admin")
    response = api_as(user).call("GET", "/api/programme")
    assert response.status_code == 404
    assert response.json() == {
        "errors": {"plan": "there is no plan yet: create one or load the demo"}
    }
