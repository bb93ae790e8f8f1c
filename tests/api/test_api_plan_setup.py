"""Creating and changing a plan through the API: the same rules as the CLI and the web."""

import pytest

from csplan.programme.models import Plan, Workstream

pytestmark = pytest.mark.django_db

NEW = {
    "name": "MTFS 2024-28",
    "council": "Testshire Council",
    "years": ["2024/25", "2025/26", "2026/27", "2027/28"],
    "targets": {"2024/25": "1500000.00", "2025/26": "750000.50"},
    "workstreams": [
        {"name": "Early help", "budget": "12500000"},
        {"name": "Home to school transport", "budget": "4000000", "is_workstream": False},
    ],
    "la_code": "E99999999",
}


def test_finance_creates_a_plan_with_targets_and_workstreams(people, api_as):
    api = api_as(people["finance"])
    response = api.call("POST", "/api/plans", NEW)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["plan"]["slug"] == "mtfs-2024-28"
    assert body["council"] == {
        "name": "Testshire Council",
        "la_code": "E99999999",
        "sign_convention": "positive",
        "rag_key": body["council"]["rag_key"],
    }
    assert body["targets"] == {"2024/25": "1500000.00", "2025/26": "750000.50"}
    assert [(w["name"], w["budget"], w["is_workstream"]) for w in body["workstreams"]] == [
        ("Early help", "12500000.00", True),
        ("Home to school transport", "4000000.00", False),
    ]
    created = Plan.objects.get(slug="mtfs-2024-28")
    assert created.history.get().history_user == people["finance"]


def test_a_plan_is_changed_and_a_workstream_renamed_by_its_id(people, api_as):
    api = api_as(people["finance"])
    version = api.call("POST", "/api/plans", NEW).json()["version"]
    early_help = Workstream.objects.get(name="Early help")
    response = api.call(
        "PATCH", "/api/plans/{plan}", {
            "version": version,
            "years": ["2024/25", "2025/26", "2026/27"],
            "targets": {"2026/27": "2000000"},
            "workstreams": [{"id": early_help.pk, "name": "Early help and prevention",
                             "budget": "13000000.00"}],
        }, plan="mtfs-2024-28",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["plan"]["years"] == ["2024/25", "2025/26", "2026/27"]
    assert body["targets"] == {"2026/27": "2000000.00"}
    assert [(w["id"], w["name"], w["budget"]) for w in body["workstreams"]] == [
        (early_help.pk, "Early help and prevention", "13000000.00")
    ]
    assert body["version"] > version
    stale = api.call(
        "PATCH", "/api/plans/{plan}", {"version": version, "name": "Old"}, plan="mtfs-2024-28"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == body["version"]
    assert "changed by someone else" in stale.json()["errors"]["version"]
    assert Plan.objects.get(slug="mtfs-2024-28").name == "MTFS 2024-28"


def test_bad_settings_are_field_errors_and_nothing_is_written(people, api_as):
    api = api_as(people["finance"])
    bad = {
        **NEW,
        "years": ["2024/25", "2026/27"],
        "targets": {"2024/25": "-1.00"},
        "workstreams": [{"name": "", "budget": "1.00"}],
    }
    response = api.call("POST", "/api/plans", bad)
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "years": "the plan's years must follow each other: 2024/25, 2026/27",
        "targets.2024/25": "the 2024/25 target cannot be negative",
        "workstream_0_name": "give the workstream a name",
    }
    as_number = api.call("POST", "/api/plans", {**NEW, "targets": {"2024/25": 1500000}})
    assert as_number.status_code == 400
    assert "targets" in next(iter(as_number.json()["errors"]))
    assert not Plan.objects.filter(name="MTFS 2024-28").exists()


def test_a_year_with_savings_cannot_be_dropped(people, api_as, slug):
    api = api_as(people["finance"])
    version = api.call("GET", "/api/plans/{plan}", plan=slug).json()["version"]
    response = api.call(
        "PATCH", "/api/plans/{plan}", {"version": version, "years": ["2016/17"]}, plan=slug
    )
    assert response.status_code == 400
    assert response.json()["errors"]["years"].startswith("savings lines have savings in 2017/18")


@pytest.mark.parametrize("role", ["viewer", "sro"])
def test_viewers_and_sros_cannot_create_or_change_plans(people, api_as, role, slug):
    api = api_as(people[role])
    assert api.call("POST", "/api/plans", NEW).status_code == 403
    assert api.call("PATCH", "/api/plans/{plan}", {"name": "X"}, plan=slug).status_code == 403
    assert not Plan.objects.filter(name__in=["MTFS 2024-28", "X"]).exists()
