"""Setting a plan up in the browser: create it with its council, years, targets and
workstreams (£'000, stored exactly), change it later; finance and admin only."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.programme.models import Plan, Workstream
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db

NEW = {
    "name": "MTFS 2024-28",
    "council": "Testshire Council",
    "la_code": "E99999999",
    "department": "Children's Services",
    "years": "2024/25-2027/28",
    "targets_2024": "1,500",
    "targets_2025": "750.5005",
    "workstream_0_name": "Early help",
    "workstream_0_budget": "12,500",
    "workstream_1_name": "Home to school transport",
    "workstream_1_budget": "4000",
    "workstream_1_outside": "on",
    "rows": "4",
}


def _user(client, role):
    user = with_role(get_user_model().objects.create_user(role, password="a-long-pass-1"), role)
    client.force_login(user)
    return user


def test_finance_creates_a_plan_from_the_browser(client):
    officer = _user(client, "finance")
    page = client.get("/plans/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="targets_2027"' in html and 'value="2024/25-2027/28"' in html
    response = client.post("/plans/new/", NEW)
    assert response.status_code == 302
    assert response["Location"] == "/plans/mtfs-2024-28/settings/"
    plan = Plan.objects.get(slug="mtfs-2024-28")
    assert plan.council.la_code == "E99999999"
    figures = programme_figures(plan)
    assert figures.targets == {
        FinancialYear(2024): Decimal("1500000"),
        FinancialYear(2025): Decimal("750500.50"),
    }
    assert [(w.name, w.budget, w.is_workstream) for w in figures.workstreams] == [
        ("Early help", Decimal("12500000"), True),
        ("Home to school transport", Decimal("4000000"), False),
    ]
    assert plan.history.get().history_user == officer
    settings = client.get(response["Location"]).content.decode()
    assert 'value="750.5005"' in settings and 'value="Early help"' in settings


def test_the_years_typed_redraw_the_target_boxes_without_saving(client):
    _user(client, "finance")
    response = client.post("/plans/new/", {**NEW, "years": "2025/26-2029/30", "redraw": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="targets_2029"' in html and 'name="targets_2024"' not in html
    assert 'name="workstream_7_name"' in html  # more rows
    assert not Plan.objects.filter(name="MTFS 2024-28").exists()


def test_bad_input_is_shown_in_the_error_summary_and_nothing_is_saved(client):
    _user(client, "admin")
    load_hampshire_demo()
    bad = {
        **NEW,
        "council": "Hampshire County Council",
        "name": "Transformation to 2017",
        "targets_2024": "lots",
        "targets_2026": "0.000001",
        "workstream_1_name": "",
    }
    response = client.post("/plans/new/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert '<a href="#id_targets_2024">Enter the 2024/25 target as a number in' in html
    assert '<a href="#id_workstream_1_name">Give the workstream a name</a>' in html
    response = client.post("/plans/new/", {**bad, "targets_2024": "1", "workstream_1_name": "B"})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_name">Hampshire County Council already has a plan called '
        "&#x27;Transformation to 2017&#x27;</a>" in html
    )
    assert "has a fraction of a penny" in html
    assert Plan.objects.count() == 1


def test_finance_changes_a_plan_later_and_the_change_is_recorded(client):
    plan = load_hampshire_demo()
    lines_before = programme_figures(plan).lines
    officer = _user(client, "finance")
    page = client.get(f"/plans/{plan.slug}/settings/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("on" if value is True else value) for name, value in data.items()
            if value not in (None, False)}  # fmt: skip
    data.update({"targets_2017": "23,400", "workstream_0_budget": "52,600", "rows": "12"})
    response = client.post(f"/plans/{plan.slug}/settings/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    figures = programme_figures(plan)
    assert figures.targets == {FinancialYear(2017): Decimal("23400000")}
    first = Workstream.objects.get(pk=data["workstream_0_id"])
    assert first.budget_pence == 5_260_000_000
    change = first.history.order_by("-history_id").first()
    assert change.history_user == officer and change.prev_record.budget_pence == 5_250_000_000
    assert figures.lines == lines_before  # the lines stay as they were


@pytest.mark.parametrize("role", ["viewer", "sro"])
def test_viewers_and_sros_get_403(client, role):
    plan = load_hampshire_demo()
    _user(client, role)
    assert client.get("/plans/new/").status_code == 403
    assert client.post("/plans/new/", NEW).status_code == 403
    assert client.post(f"/plans/{plan.slug}/settings/", {"name": "X"}).status_code == 403
    assert not Plan.objects.filter(name__in=["MTFS 2024-28", "X"]).exists()
    assert "Create a plan" not in client.get("/plans/").content.decode()


def test_years_the_wrong_way_round_are_a_field_error(client):
    _user(client, "finance")
    response = client.post("/plans/new/", {**NEW, "years": "2027/28-2024/25", "rows": "x"})
    assert response.status_code == 400
    assert (
        '<a href="#id_years">The last year comes before the first: give the years as '
        "FIRST-LAST, like 2024/25-2027/28</a>" in response.content.decode()
    )
    assert not Plan.objects.exists()


def test_a_change_made_meanwhile_is_not_overwritten(client):
    from csplan.programme.plans import update_plan

    plan = load_hampshire_demo()
    _user(client, "finance")
    form = client.get(f"/plans/{plan.slug}/settings/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("on" if value is True else value) for name, value in data.items()
            if value not in (None, False)}  # fmt: skip
    update_plan(plan, name="Transformation to 2018")  # someone else, meanwhile
    response = client.post(f"/plans/{plan.slug}/settings/", {**data, "targets_2017": "1"})
    assert response.status_code == 400
    assert "were changed by someone else" in response.content.decode()
    assert programme_figures(plan).targets == {FinancialYear(2017): Decimal("23300000")}
