"""Plans, savings lines and phasing through the API, each response checked against its schema."""

import json
from decimal import Decimal

import pytest

from csplan.accounts.tokens import issue_token
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db

LINES = "/api/plans/{plan}/lines"
LINE = "/api/plans/{plan}/lines/{line}"
PHASING = "/api/plans/{plan}/lines/{line}/phasing"


def test_plans_are_listed_with_the_slug_that_names_them(people, api_as, slug):
    body = api_as(people["viewer"]).call("GET", "/api/plans").json()
    assert [(p["slug"], p["council"]) for p in body["plans"]] == [
        (slug, "Hampshire County Council")
    ]
    assert body["plans"][0]["years"] == ["2016/17", "2017/18", "2018/19"]
    assert body["plans"][0]["url"] == f"/api/plans/{slug}"


def test_a_plan_has_targets_and_workstreams_in_exact_pounds(people, api_as, slug):
    body = api_as(people["viewer"]).call("GET", "/api/plans/{plan}", plan=slug).json()
    assert body["council"]["name"] == "Hampshire County Council"
    assert body["plan"]["years"] == ["2016/17", "2017/18", "2018/19"]
    assert body["targets"] == {"2017/18": "23300000.00"}
    budgets = {w["name"]: w["budget"] for w in body["workstreams"]}
    assert len(budgets) == 8 and budgets["Social care transformation"] == "52500000.00"
    assert budgets["Mainstream home to school transport"] == "11800000.00"
    assert [w["is_workstream"] for w in body["workstreams"]][-1] is False


def test_an_unknown_plan_is_404_naming_the_list(people, api_as):
    response = api_as(people["viewer"]).call("GET", "/api/plans/{plan}", plan="nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "errors": {"plan": "There is no plan 'nowhere': GET /api/plans lists them"}
    }


def test_a_committee_table_is_the_pages_table(people, api_as, slug, client):
    api = api_as(people["viewer"])
    table = api.call(
        "GET", "/api/plans/{plan}/tables/{name}", plan=slug, name="proposals",
        query="?phasing=incremental",
    ).json()  # fmt: skip
    assert table["name"] == "proposals" and table["meta"]["phasing"] == "incremental"
    c3 = next(row for row in table["rows"] if row["cells"][0] == "C3")
    headings = [column["heading"] for column in table["columns"]]
    assert c3["cells"][headings.index("2016/17")] == "1500"  # £'000, as the page shows
    assert table["columns"][headings.index("2016/17")]["unit"] == "£'000"
    client.force_login(people["viewer"])
    twin = client.get(f"/plans/{slug}/proposals.json?phasing=incremental").json()
    assert twin["rows"] == table["rows"] and twin["columns"] == table["columns"]
    unknown = api.call("GET", "/api/plans/{plan}/tables/{name}", plan=slug, name="nothing")
    assert unknown.status_code == 400 and "name" in unknown.json()["errors"]


def test_list_lines_and_filter(people, api_as, slug):
    api = api_as(people["viewer"])
    everything = api.call("GET", LINES, plan=slug).json()["lines"]
    assert [line["reference"] for line in everything] == [
        "C3", "C5", "C1/7", "C6", "C4", "C2", "C8",
    ]  # fmt: skip
    c3 = everything[0]
    assert c3["phasing"] == {"2016/17": "1500000.00", "2017/18": "2500000.00"}
    assert c3["full_year_effect"] == "4000000.00" and c3["version"] == 1
    assert c3["owners"] == ["sro"]
    chosen = api.call("GET", LINES, plan=slug, query="?workstream=Support+functions+review")
    assert [line["reference"] for line in chosen.json()["lines"]] == ["C8"]
    words = api.call("GET", LINES, plan=slug, query="?q=C8")
    assert [line["reference"] for line in words.json()["lines"]] == ["C8"]


def test_get_a_line_and_a_missing_one(people, lines, api_as, slug):
    api = api_as(people["viewer"])
    line = api.call("GET", LINE, plan=slug, line=lines["C6"].pk).json()
    assert line["reference"] == "C6"
    assert line["url"] == f"/api/plans/{slug}/lines/{lines['C6'].pk}"
    missing = api.call("GET", LINE, plan=slug, line=99999)
    assert missing.status_code == 404
    assert missing.json() == {
        "errors": {"line": f"There is no savings line 99999 in the plan {slug}"}
    }
    huge = api.client.get(f"/api/plans/{slug}/lines/{'9' * 25}")
    assert huge.status_code == 404


def test_a_line_of_another_plan_is_not_found_in_this_one(people, lines, api_as, slug):
    from csplan.core.periods import FinancialYear
    from csplan.programme.plans import create_plan

    other = create_plan("Another Council", "Another plan", [FinancialYear(2016)])
    api = api_as(people["admin"])
    assert api.call("GET", LINE, plan=other.slug, line=lines["C3"].pk).status_code == 404
    assert api.call("GET", LINE, plan=slug, line=lines["C3"].pk).status_code == 200


def test_phasing_of_a_line(people, lines, api_as, slug):
    body = api_as(people["sro"]).call("GET", PHASING, plan=slug, line=lines["C3"].pk).json()
    assert body == {
        "line": lines["C3"].pk,
        "reference": "C3",
        "version": 1,
        "form": "incremental",
        "phasing": {"2016/17": "1500000.00", "2017/18": "2500000.00"},
        "total": "4000000.00",
    }


def test_finance_creates_a_line(people, api_as, slug):
    api = api_as(people["finance"])
    created = api.call(
        "POST",
        LINES,
        {
            "reference": "C9",
            "title": "Edge of care service",
            "workstream": "Social care transformation",
            "phasing": {"2017/18": "250000.50"},
            "key_decision": True,
            "fte": "2.5",
        },
        plan=slug,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["reference"] == "C9" and body["phasing"] == {"2017/18": "250000.50"}
    assert body["fte"] == "2.50" and body["key_decision"] is True
    assert body["lifecycle"] == "proposed"
    stored = SavingsLine.objects.get(reference="C9")
    assert stored.phasing.get().amount_pence == 25_000_050
    assert stored.history.first().history_user == people["finance"]


MONEY_HINT = 'Send the amount as a decimal string in pounds, like "1500.00"'


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": "No reference"}, {"reference": "This field is required",
                                     "workstream": "This field is required"}),
        ({"reference": "C3", "title": "Clash", "workstream": "Support functions review"},
         {"reference": "Reference C3 is already used by another line"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2017/18": 250.5}},
         {"phasing.2017/18": MONEY_HINT}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2030/31": "1.00"}},
         {"phasing.2030/31": "2030/31 is not one of the programme's years"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2016": "1.00"}},
         {"phasing.2016": "'2016' is not a financial year written YYYY/YY, e.g. 2016/17"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2017/18": "1.005"}},
         {"phasing.2017/18": "Give the amount to the nearest penny"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "phasing": {"2017/18": "10000000000.01"}},
         {"phasing.2017/18": "£10,000,000,000.01 is more than £10,000,000,000: check the unit"}),
        ({"reference": "C9", "title": "T", "workstream": "Nowhere", "colour": "red"},
         {"colour": "Unknown field"}),
        ({"reference": "C9" * 30, "title": "T", "workstream": "Support functions review"},
         {"reference": "The text is too long"}),
        ({"reference": "C9", "title": "T", "workstream": "Support functions review",
          "recurrence": "sometimes"},
         {"recurrence": "Choose 'recurrent' or 'one_off'"}),
    ],
)  # fmt: skip
def test_create_refuses_bad_input_naming_the_field(people, api_as, slug, body, errors):
    response = api_as(people["admin"]).call("POST", LINES, body, plan=slug)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert SavingsLine.objects.count() == 7


def test_create_refuses_a_body_that_is_not_a_json_object(people, api_as, slug):
    api = api_as(people["finance"])
    assert api.call("POST", LINES, raw="not json", plan=slug).json() == {
        "errors": {"body": "The body is not valid JSON"}
    }
    assert api.call("POST", LINES, raw="[1]", plan=slug).json() == {
        "errors": {"body": "Send an object"}
    }


@pytest.mark.parametrize("depth", [21, 1000, 200_000])
def test_deeply_nested_json_is_a_field_error(people, api_as, slug, lines, depth):
    """Nesting beyond 20 levels is refused, however deep (Python's parser gives up at ~1,000)."""
    api = api_as(people["finance"])
    nested = "[" * depth + "]" * depth
    raw = '{"version": 1, "phasing": {"2016/17": ' + nested + "}}"
    response = api.call("PUT", PHASING, raw=raw, plan=slug, line=lines["C5"].pk)
    assert response.status_code == 400
    assert response.json() == {"errors": {"body": "The JSON nests more than 20 levels deep"}}


def test_amounts_over_the_cap_on_the_phasing_put_are_a_field_error(people, lines, api_as, slug):
    api = api_as(people["finance"])
    pk = lines["C5"].pk
    for amount in ("99999999999999999999999.00", "-10000000000.01", "1e30"):
        body = {"version": 1, "phasing": {"2016/17": amount}}
        response = api.call("PUT", PHASING, body, plan=slug, line=pk)
        assert response.status_code == 400, amount
        assert list(response.json()["errors"]) == ["phasing.2016/17"]
    assert SavingsLine.objects.get(pk=pk).version == 1


@pytest.mark.parametrize("name", ["viewer", "sro"])
def test_only_finance_and_admins_create_lines(people, api_as, slug, name):
    body = {"reference": "C9", "title": "T", "workstream": "Support functions review"}
    response = api_as(people[name]).call("POST", LINES, body, plan=slug)
    assert response.status_code == 403
    assert "finance officers and admins" in response.json()["errors"]["permission"]


def test_a_role_that_may_not_write_gets_403_whatever_it_sends(people, lines, api_as, slug):
    response = api_as(people["viewer"]).call(
        "PUT", PHASING, raw="not json", plan=slug, line=lines["C3"].pk
    )
    assert response.status_code == 403


def test_update_a_line_with_its_version(people, lines, api_as, slug):
    api = api_as(people["sro"])
    pk = lines["C3"].pk
    saved = api.call(
        "PATCH", LINE, {"version": 1, "rag": "A", "title": "Edge of care"}, plan=slug, line=pk
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == 2 and saved.json()["rag"] == "A"
    assert saved.json()["phasing"] == {"2016/17": "1500000.00", "2017/18": "2500000.00"}
    stale = api.call("PATCH", LINE, {"version": 1, "rag": "R"}, plan=slug, line=pk)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "changed by someone else" in stale.json()["errors"]["version"]
    assert SavingsLine.objects.get(pk=pk).rag == "A"


def test_update_needs_the_version_and_valid_fields(people, lines, api_as, slug):
    api = api_as(people["finance"])
    pk = lines["C8"].pk
    no_version = api.call("PATCH", LINE, {"rag": "A"}, plan=slug, line=pk)
    assert no_version.json() == {"errors": {"version": "This field is required"}}
    bad = api.call("PATCH", LINE, {"version": 1, "key_decision": "yes"}, plan=slug, line=pk)
    assert bad.status_code == 400
    assert bad.json() == {"errors": {"key_decision": "Send true or false"}}
    rag = api.call("PATCH", LINE, {"version": 1, "rag": "P"}, plan=slug, line=pk)
    assert rag.json()["errors"]["rag"].startswith("Choose a RAG rating from the council's key")
    title = api.call("PATCH", LINE, {"version": 1, "title": None}, plan=slug, line=pk)
    assert title.json() == {"errors": {"title": "Send text"}}


def test_a_get_sent_back_with_a_change_is_accepted(people, lines, api_as, slug):
    api = api_as(people["finance"])
    pk = lines["C8"].pk
    read = api.call("GET", LINE, plan=slug, line=pk).json()
    editable = {k: v for k, v in read.items() if k not in ("id", "uid", "url", "owners",
                                                             "full_year_effect")}  # fmt: skip
    saved = api.call("PATCH", LINE, {**editable, "rag": "G"}, plan=slug, line=pk)
    assert saved.status_code == 200 and saved.json()["rag"] == "G"


def test_an_sro_cannot_change_a_line_they_do_not_own(people, lines, api_as, slug):
    api = api_as(people["sro"])
    other = api.call("PATCH", LINE, {"version": 1, "rag": "A"}, plan=slug, line=lines["C6"].pk)
    assert other.status_code == 403
    assert other.json()["errors"]["permission"].startswith("Only the line's senior responsible")
    assert SavingsLine.objects.get(pk=lines["C6"].pk).rag != "A"


def test_the_lifecycle_and_phasing_change_only_through_their_own_operations(
    people, lines, api_as, slug
):
    api = api_as(people["finance"])
    pk = lines["C3"].pk
    response = api.call(
        "PATCH", LINE, {"version": 1, "lifecycle": "delivered", "phasing": {}}, plan=slug, line=pk
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["lifecycle"].startswith(
        f"Change the lifecycle with POST /api/plans/{slug}/lines/{pk}/status"
    )
    assert errors["phasing"] == f"Change the phasing with PUT /api/plans/{slug}/lines/{pk}/phasing"
    same = api.call(
        "PATCH", LINE, {"version": 1, "lifecycle": "proposed", "rag": "G"}, plan=slug, line=pk
    )
    assert same.status_code == 200 and same.json()["version"] == 2


def test_replace_the_phasing_of_a_line(people, lines, api_as, slug):
    api = api_as(people["sro"])
    pk = lines["C5"].pk
    body = {
        "version": 1,
        "phasing": {"2016/17": "1234567.89", "2017/18": "-100.00"},
        "reason": "Brought forward; the rest cannot be delivered",
    }
    saved = api.call("PUT", PHASING, body, plan=slug, line=pk)
    assert saved.status_code == 200
    assert saved.json()["phasing"] == {"2016/17": "1234567.89", "2017/18": "-100.00"}
    assert saved.json()["total"] == "1234467.89" and saved.json()["version"] == 2
    pence = dict(SavingsLine.objects.get(pk=pk).phasing.values_list("year", "amount_pence"))
    assert pence == {2016: 123456789, 2017: -10000}
    # Recorded in the journal (issue 11): 615,000 / 2,585,000 became 1,234,567.89 / -100.
    journal = [
        (m.kind, m.from_year, m.to_year, m.amount, m.reason)
        for m in SavingsLine.objects.get(pk=pk).movements.order_by("id")
    ]
    reason = "Brought forward; the rest cannot be delivered"
    assert journal == [
        ("reprofile", 2017, 2016, Decimal("619567.89"), reason),
        ("reduction", 2017, None, Decimal("1965532.11"), reason),
    ]
    stale = api.call("PUT", PHASING, body, plan=slug, line=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    bad = api.call("PUT", PHASING, {"version": 2, "phasing": {"2016": "1"}}, plan=slug, line=pk)
    assert bad.status_code == 400 and "phasing.2016" in bad.json()["errors"]
    cumulative = api.call(
        "PUT", PHASING, {"version": 2, "form": "cumulative", "phasing": {}}, plan=slug, line=pk
    )
    assert cumulative.json() == {"errors": {"form": "Choose 'incremental'"}}
    viewer = api_as(people["viewer"]).call(
        "PUT", PHASING, {"version": 2, "phasing": {}}, plan=slug, line=pk
    )
    assert viewer.status_code == 403


def test_bearer_tokens_and_csrf(people, lines, api_as, slug):
    token = issue_token(people["sro"])
    by_token = api_as(token=token, csrf=True)
    pk = lines["C3"].pk
    saved = by_token.call("PATCH", LINE, {"version": 1, "rag": "G"}, plan=slug, line=pk)
    assert saved.status_code == 200  # token requests are CSRF exempt
    assert SavingsLine.objects.get(pk=pk).history.first().history_user == people["sro"]
    bad = api_as(token="csp_not-a-token").call("GET", LINES, plan=slug)
    assert bad.status_code == 401
    assert bad.json() == {
        "errors": {"authorization": "The bearer token is not valid (or was revoked)"}
    }
    session = api_as(people["sro"], csrf=True)
    refused = session.call("PATCH", LINE, {"version": 2, "rag": "A"}, plan=slug, line=pk)
    assert refused.status_code == 403 and "csrf" in refused.json()["errors"]
    assert session.call("GET", LINE, plan=slug, line=pk).status_code == 200


def test_a_session_write_with_its_csrf_token_is_accepted(people, lines, api_as, slug):
    session = api_as(people["sro"], csrf=True)
    session.client.get(f"/plans/{slug}/lines/")  # the page sets the CSRF cookie
    token = session.client.cookies["csrftoken"].value
    pk = lines["C3"].pk
    response = session.client.patch(
        f"/api/plans/{slug}/lines/{pk}", json.dumps({"version": 1, "rag": "G"}),
        content_type="application/json", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["rag"] == "G"


def test_anonymous_requests_get_401(plan, lines, api_as, slug):
    anonymous = api_as()
    for method, template in [("GET", "/api/plans"), ("GET", LINES), ("POST", LINES),
                             ("GET", LINE), ("PATCH", LINE), ("GET", PHASING),
                             ("PUT", PHASING)]:  # fmt: skip
        response = anonymous.call(method, template, plan=slug, line=lines["C3"].pk)
        assert response.status_code == 401, (method, template)


def test_unsupported_methods_get_405_after_sign_in(people, lines, api_as, slug):
    api = api_as(people["admin"])
    response = api.client.delete(f"/api/plans/{slug}/lines/{lines['C3'].pk}")
    assert response.status_code == 405 and response["Allow"] == "GET, PATCH"
    assert response.json() == {"errors": {"method": "Use GET or PATCH"}}
    anonymous = api_as().client.delete(f"/api/plans/{slug}/lines/{lines['C3'].pk}")
    assert anonymous.status_code == 401


def test_head_answers_like_get_without_a_body(people, lines, api_as, slug):
    response = api_as(people["viewer"]).client.head(f"/api/plans/{slug}/lines")
    assert response.status_code == 200 and response.content == b""


def test_no_plan_yet_is_an_empty_list(db, api_as):
    from django.contrib.auth import get_user_model

    from csplan.accounts.users import set_role

    user = get_user_model().objects.create_user("first-admin", password="x-long-password-7")
    set_role(user, "admin")
    assert api_as(user).call("GET", "/api/plans").json() == {"plans": []}
