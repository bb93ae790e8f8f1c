"""``csplan get PATH``: any page's twin or API answer, in-process, as a chosen user."""

import csv
import io
import json

import pytest
from django.contrib.sessions.models import Session

from csplan.core.render import table_to_dict
from csplan.programme.reports import workstream_report
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo_plan):
    return demo_plan


def test_a_pages_json_twin_is_the_pages_report(plan, run):
    result = run("get", f"/plans/{plan.slug}/workstreams.json")
    assert result.exit_code == 0, result.output
    expected = table_to_dict(workstream_report(programme_figures(plan)))
    body = json.loads(result.output)
    assert body["rows"] == expected["rows"] and body["columns"] == expected["columns"]
    assert body["meta"]["plan_slug"] == plan.slug


def test_csv_prints_and_xlsx_needs_a_file(plan, run, tmp_path):
    result = run("get", f"/plans/{plan.slug}/proposals.csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0][0] == "Ref" and any(row[0] == "C3" for row in rows)
    refused = run("get", f"/plans/{plan.slug}/proposals.xlsx")
    assert refused.exit_code == 1 and "--output" in refused.output
    target = tmp_path / "proposals.xlsx"
    written = run("get", f"/plans/{plan.slug}/proposals.xlsx", "--output", target)
    assert written.exit_code == 0 and target.read_bytes()[:2] == b"PK"


def test_the_api_and_its_errors(plan, run):
    lines = json.loads(run("get", f"/api/plans/{plan.slug}/lines").output)["lines"]
    assert [line["reference"] for line in lines][:2] == ["C3", "C5"]
    missing = run("get", "/api/plans/nowhere")
    assert missing.exit_code == 1
    assert "404 plan: There is no plan 'nowhere'" in missing.output


def test_the_chosen_users_role_decides(plan, run):
    viewer = run("get", f"/plans/{plan.slug}/lines/new/", "--user", "viewer")
    assert viewer.exit_code == 1
    assert "as viewer: 403" in viewer.output and "finance officers and admins" in viewer.output
    finance = run("get", f"/api/plans/{plan.slug}/lines/new", "--user", "finance")
    assert finance.exit_code == 1 and ": 404" in finance.output
    nobody = run("get", "/api/plans", "--user", "nobody")
    assert nobody.exit_code == 1 and "no active user 'nobody'" in nobody.output
    assert not Session.objects.exists()  # each run signs its user out again
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="viewer").last_login is None


def test_the_default_user_is_the_only_admin(plan, run):
    from django.contrib.auth import get_user_model

    from csplan.accounts.users import set_role

    other = get_user_model().objects.create_user("second-admin", password="x-long-password-7")
    set_role(other, "admin")
    several = run("get", "/api/plans")
    assert several.exit_code == 1 and "several admins" in several.output
    assert run("get", "/api/plans", "--user", "second-admin").exit_code == 0


def test_an_address_without_its_plan_needs_one_when_there_are_several(plan, run):
    from csplan.cases.demo import load_cambridgeshire_plan

    assert run("get", "/workstreams.json").exit_code == 0  # one plan: it is the default
    load_cambridgeshire_plan()
    result = run("get", "/workstreams.json")
    assert result.exit_code == 1 and "/plans/SLUG/" in result.output
