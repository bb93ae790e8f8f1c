"""The ledger's pages and their twins show the Hampshire tables exactly."""

import json
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    client.force_login(user)
    return user


@pytest.fixture
def plan():
    return load_hampshire_demo()


@pytest.mark.parametrize("url", ["/", "/workstreams/", "/proposals/", "/lines/", "/lines/new/"])
def test_pages_need_a_log_in(client, plan, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_log_in_with_a_wrong_password_shows_the_error_summary(client, plan):
    with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    response = client.post("/login/", {"username": "finance", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    ok = client.post("/login/", {"username": "finance", "password": "a-long-password-1"})
    assert ok.status_code == 302 and ok.url == "/"


def test_overview_shows_target_against_proposals(client, officer, plan):
    html = client.get("/").content.decode()
    assert "Hampshire County Council" in html and "Transformation to 2017" in html
    assert "£5,072k" in html  # early achievement left for the cost of change
    assert "<svg" in html and "22,836" in html
    data = json.loads(client.get("/?format=json").content)
    assert data["title"]


def test_workstream_table_and_twins(client, officer, plan):
    html = client.get("/workstreams/").content.decode()
    for figure in ["52.5", "4.0", "7.6", "149.6", "23.3", "15.6", "161.4", "14.4"]:
        assert f">{figure}<" in html
    csv_text = client.get("/workstreams/?format=csv").content.decode()
    assert "Social care transformation,52.5,4.0,7.6" in csv_text.replace('"', "")
    workbook = load_workbook(BytesIO(client.get("/workstreams/?format=xlsx").content))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "TOTAL" in values


def test_proposals_appendix_in_both_forms(client, officer, plan):
    cumulative = client.get("/proposals/").content.decode()
    for figure in ["5,536", "22,836", "23,300", "58.6"]:
        assert f">{figure}<" in cumulative
    incremental = client.get("/proposals/?phasing=incremental").content.decode()
    assert ">17,300<" in incremental and ">464<" in incremental
    data = json.loads(client.get("/proposals/?phasing=incremental&format=json").content)
    assert data["meta"]["phasing"] == "incremental"


def test_lines_list_filters(client, officer, plan):
    html = client.get("/lines/?workstream=Support+functions+review").content.decode()
    assert ">C8</a>" in html and ">C3</a>" not in html
    csv_text = client.get("/lines/?format=csv").content.decode()
    assert csv_text.count("\n") == 1 + 7 + 1  # header, seven lines, total


def test_edit_a_line_records_history_and_changes_totals(client, officer, plan):
    line = plan.lines.get(reference="C3")
    form = client.get(f"/lines/{line.pk}/edit/").content.decode()
    assert 'value="1500"' in form and 'value="2500"' in form
    data = {
        "reference": "C3",
        "title": line.title,
        "workstream": line.workstream.name,
        "lifecycle": line.lifecycle,  # changed only through the lifecycle rules
        "rag": "A",
        "recurrence": "recurrent",
        "fte": "3.1",
        "version": "1",
        "phasing_2016": "1,500",
        "phasing_2017": "3,000",
        "phasing_2018": "",
        "reason": "Second phase of the edge of care service confirmed",
    }
    response = client.post(f"/lines/{line.pk}/edit/", data)
    assert response.status_code == 302
    (entry,) = line.movements.all()  # the phasing change is in the journal, with its reason
    assert (entry.kind, entry.from_year, entry.amount) == ("increase", 2017, Decimal("500000"))
    assert entry.reason == "Second phase of the edge of care service confirmed"
    page = client.get(f"/lines/{line.pk}/").content.decode()
    assert "2017/18 saving (incremental)" in page and "£3,000,000.00" in page
    assert "finance" in page and "Amber" in page
    totals = client.get("/proposals/").content.decode()
    assert ">23,336<" in totals and ">23,800<" in totals  # 22,836 + 500 and 23,300 + 500
    stale = client.post(f"/lines/{line.pk}/edit/", data)
    assert stale.status_code == 400 and "changed by someone else" in stale.content.decode()


def test_bad_form_input_gets_clear_messages_and_saves_nothing(client, officer, plan):
    data = {
        "reference": "C5",
        "title": "",
        "workstream": "Support functions review",
        "lifecycle": "proposed",
        "recurrence": "recurrent",
        "phasing_2017": "1,5x",
        "fte": "lots",
    }
    response = client.post("/lines/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter the 2017/18 saving as a number in £&#x27;000, like 1,500" in html
    assert "Enter the FTE change as a number" in html
    assert SavingsLine.objects.count() == 7
    clash = client.post("/lines/new/", {**data, "title": "New", "phasing_2017": "10", "fte": ""})
    assert "already used by another line" in clash.content.decode()


def test_add_a_line(client, officer, plan):
    data = {
        "reference": "C9",
        "title": "Edge of care service",
        "workstream": "Social care transformation",
        "lifecycle": "proposed",
        "recurrence": "recurrent",
        "phasing_2017": "250",
        "fte": "",
    }
    response = client.post("/lines/new/", data)
    assert response.status_code == 302
    new = SavingsLine.objects.get(reference="C9")
    assert new.history.get().history_user == officer
    assert ">23,550<" in client.get("/proposals/").content.decode()


def test_lines_are_searched_and_filtered_by_sro_and_characteristic(client, django_user_model):
    from csplan.cases.store import set_equality_rating

    plan = load_hampshire_demo()
    client.force_login(
        with_role(django_user_model.objects.create_user("searcher", is_staff=True), "viewer")
    )
    everything = client.get("/lines/", {"format": "json"}).json()
    total = len(everything["rows"]) - 1  # less the totals row
    page = client.get("/lines/", {"q": "psychology SEN"}).content.decode()
    assert f"1 of {total} savings lines" in page and ">C4<" in page
    c5 = plan.lines.get(reference="C5")
    by_sro = client.get("/lines/", {"sro": c5.sro_role}).content.decode()
    owned = plan.lines.filter(sro_role=c5.sro_role).count()
    assert f"{owned} of {total} savings lines" in by_sro
    set_equality_rating(c5, "disability", "adverse", note="Fewer respite places",
                        mitigation="Short breaks offer")  # fmt: skip
    affecting = client.get("/lines/", {"affects": "disability"}).content.decode()
    assert f"1 of {total} savings lines" in affecting and ">C5<" in affecting
