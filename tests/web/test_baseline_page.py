"""The approved baseline page: approved and current side by side, the reconciliation, twins."""

from __future__ import annotations

import csv
import io

import pytest

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.cases.models import Decision
from csplan.monitoring.demo import load_monitoring_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(with_role(django_user_model.objects.create_user("auditor"), "viewer"))
    return client


@pytest.fixture
def plan():
    return load_monitoring_demo(load_hampshire_demo())


def test_the_page_shows_approved_current_and_the_reconciliation(signed_in, plan):
    page = signed_in.get(f"/plans/{plan.slug}/baseline/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approved and Current Savings by Year" in html
    assert "Reconciliation: Approved to Current" in html
    assert "16 September 2015 (Decision report 6889)" in html
    assert f"/plans/{plan.slug}/baseline.csv?table=reconciliation" in html
    assert ">5,536<" in html and ">5,036<" in html


def test_the_twins_hold_the_same_tables(signed_in, plan):
    text = signed_in.get(f"/plans/{plan.slug}/baseline.csv", {"table": "reconciliation"})
    rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    found = {row[0]: row[1:] for row in rows if row}
    assert found["Current"] == ["5036", "23036", "23300"]
    both = signed_in.get(f"/plans/{plan.slug}/baseline.json").json()
    assert [table["name"] for table in both["tables"]] == ["baseline", "reconciliation"]
    assert both["meta"]["plan_slug"] == plan.slug
    book = signed_in.get(f"/plans/{plan.slug}/baseline.xlsx")
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    assert signed_in.get(f"/plans/{plan.slug}/baseline.csv", {"table": "x"}).status_code == 404


def test_a_plan_with_no_approval_decision_says_so(signed_in):
    plan = load_hampshire_demo()
    Decision.objects.filter(plan=plan).delete()
    page = signed_in.get(f"/plans/{plan.slug}/baseline/").content.decode()
    assert "has no approved baseline: record the decision that approved its budget" in page
    assert signed_in.get(f"/plans/{plan.slug}/baseline.csv").status_code == 404


def test_programme_pages_say_whose_position_and_show_it_as_approved_or_as_at(signed_in, plan):
    base = f"/plans/{plan.slug}"
    now = signed_in.get(f"{base}/proposals/").content.decode()
    assert "Current position: every change recorded to date, since the budget approved by" in now
    assert ">5,036<" in now and 'href="?basis=approved"' in now
    approved = signed_in.get(f"{base}/proposals/", {"basis": "approved"}).content.decode()
    assert "As approved by Executive Member for Children&#x27;s Services, 16 September 2015" in (
        approved
    )
    assert ">5,536<" in approved and ">22,836<" in approved
    assert 'href="?phasing=incremental&amp;basis=approved"' in approved
    overview = signed_in.get(f"{base}/", {"as_at": "2015-09-16"}).content.decode()
    assert "As it stood on 16 September 2015" in overview and "£5,072k" in overview
    twin = signed_in.get(f"{base}/overview.json", {"basis": "approved"}).json()
    assert twin["meta"]["basis"] == "approved"
    assert twin["rows"][1]["cells"][1:] == ["5536", "22836", "23300"]
    workstreams = signed_in.get(f"{base}/workstreams.csv", {"as_at": "2015-09-16"})
    assert workstreams.status_code == 200
    refused = signed_in.get(f"{base}/proposals/", {"as_at": "2015-09-15"})
    assert refused.status_code == 400
    assert "the plan did not exist on 15 September 2015" in refused.content.decode()
    assert signed_in.get(f"{base}/", {"basis": "approve"}).status_code == 400
