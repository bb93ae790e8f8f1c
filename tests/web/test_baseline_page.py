"""The approved baseline page: approved and current side by side, the reconciliation, twins."""

from __future__ import annotations

import csv
import io

import pytest

from csplan.accounts.users import with_role
from csplan.cases.models import Decision
from csplan.monitoring.demo import load_monitoring_demo
from csplan.programme.demo import load_hampshire_demo

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
