"""Plans are chosen, never guessed: the address names the plan, every page and twin is scoped
to it, the masthead names its council, and the user's last plan is the default."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from csplan.accounts.users import with_role
from csplan.cases.demo import load_cambridgeshire_plan, load_hampshire_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    return {"hampshire": load_hampshire_demo(), "cambridgeshire": load_cambridgeshire_plan()}


@pytest.fixture
def officer(client):
    user = with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    client.force_login(user)
    return user


def _masthead(response) -> str:
    html = response.content.decode()
    return re.search(r'class="csplan-header__council">([^<]*)<', html).group(1)


def test_several_plans_and_no_choice_yet_go_to_the_plan_list(client, officer, plans):
    response = client.get("/lines/?workstream=Social+care+transformation")
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/plans/?next=%2Flines%2F%3Fworkstream%3DSocial%2Bcare%2Btransformation"
    )
    listing = client.get(response["Location"]).content.decode()
    hampshire, cambridgeshire = plans["hampshire"], plans["cambridgeshire"]
    # each choice continues to the page asked for, in that plan
    assert f'href="/plans/{hampshire.slug}/lines/?workstream=Social+care+transformation"' in listing
    assert f'href="/plans/{cambridgeshire.slug}/lines/?workstream=' in listing


def test_the_address_chooses_the_plan_and_the_masthead_names_its_council(client, officer, plans):
    hampshire = client.get(f"/plans/{plans['hampshire'].slug}/")
    cambridgeshire = client.get(f"/plans/{plans['cambridgeshire'].slug}/")
    assert _masthead(hampshire) == "Hampshire County Council"
    assert _masthead(cambridgeshire) == "Cambridgeshire County Council"
    assert "Transformation to 2017" in hampshire.content.decode()
    assert "Business Plan 2018-19: People and Communities" in cambridgeshire.content.decode()


def test_links_on_a_plan_page_stay_in_the_plan(client, officer, plans):
    slug = plans["cambridgeshire"].slug
    html = client.get(f"/plans/{slug}/lines/").content.decode()
    menu = re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html)
    assert menu and all(link.startswith(f"/plans/{slug}/") for link in menu)
    line = plans["cambridgeshire"].lines.order_by("position").first()
    assert f'href="/plans/{slug}/lines/{line.pk}/"' in html


def test_the_last_plan_is_the_default_for_addresses_without_one(officer, plans):
    slug = plans["cambridgeshire"].slug
    first = Client()
    first.force_login(officer)
    first.get(f"/plans/{slug}/workstreams/")
    later = Client()  # a new session: the choice is kept with the user, not the session
    later.force_login(officer)
    response = later.get("/proposals/?phasing=incremental")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{slug}/proposals/?phasing=incremental"


def test_a_line_of_another_plan_is_not_found_and_an_old_address_finds_its_plan(
    client, officer, plans
):
    hampshire, cambridgeshire = plans["hampshire"], plans["cambridgeshire"]
    line = hampshire.lines.get(reference="C3")
    assert client.get(f"/plans/{cambridgeshire.slug}/lines/{line.pk}/").status_code == 404
    moved = client.get(f"/lines/{line.pk}/")
    assert moved.status_code == 302
    assert moved["Location"] == f"/plans/{hampshire.slug}/lines/{line.pk}/"
    assert client.get(moved["Location"]).status_code == 200


def test_an_unknown_plan_is_a_clear_404(client, officer, plans):
    response = client.get("/plans/no-such-plan/lines/")
    assert response.status_code == 404
    assert "There is no plan called ‘no-such-plan’" in response.content.decode()


def test_twins_sit_beside_the_page_and_say_whose_plan(client, officer, plans):
    slug = plans["hampshire"].slug
    page = client.get(f"/plans/{slug}/workstreams/").content.decode()
    for fmt in ("csv", "json", "xlsx"):
        assert f'href="/plans/{slug}/workstreams.{fmt}"' in page
    twin = client.get(f"/plans/{slug}/workstreams.json")
    data = json.loads(twin.content)
    assert data["meta"]["council"] == "Hampshire County Council"
    assert data["meta"]["plan"] == "Transformation to 2017"
    totals = [row for row in data["rows"] if row["cells"][0] == "Sub-Total - Workstreams"]
    assert totals[0]["cells"][1:] == ["149.6", "23.3", "15.6"]
    alias = client.get(f"/plans/{slug}/workstreams/?format=json")
    assert alias.content == twin.content
    csv_twin = client.get(f"/plans/{slug}/workstreams.csv")
    assert csv_twin["Content-Disposition"] == 'attachment; filename="workstreams.csv"'
    assert "Sub-Total - Workstreams,149.6,23.3,15.6" in csv_twin.content.decode()


def test_the_overview_twin_and_the_plan_list_twin(client, officer, plans):
    slug = plans["hampshire"].slug
    overview = client.get(f"/plans/{slug}/")
    assert f'href="/plans/{slug}/overview.csv"' in overview.content.decode()
    targets = client.get(f"/plans/{slug}/overview.json").json()
    assert targets["name"] == "targets"
    listing = client.get("/plans.json").json()
    rows = {row["cells"][1]: row["cells"] for row in listing["rows"]}
    assert rows["Transformation to 2017"][0] == "Hampshire County Council"
    assert rows["Business Plan 2018-19: People and Communities"][5] == "No target set"


def test_one_plan_needs_no_choice(client, officer):
    plan = load_hampshire_demo()
    response = client.get("/workstreams/")
    assert response.status_code == 200
    assert _masthead(response) == "Hampshire County Council"
    assert plan.slug == "transformation-to-2017"


def test_an_id_beyond_64_bits_is_not_found(client, officer):
    plan = load_hampshire_demo()
    huge = "9" * 25
    assert client.get(f"/plans/{plan.slug}/lines/{huge}/").status_code == 404
    assert client.get(f"/api/plans/{plan.slug}/lines/{huge}").status_code == 404
