"""The committee tables through the API as at a day, as approved, and the reconciliation."""

import pytest

from csplan.cases.models import Decision
from csplan.monitoring.demo import load_monitoring_demo

pytestmark = pytest.mark.django_db
TABLE = "/api/plans/{plan}/tables/{name}"


def _total(table, label="Total"):
    headings = [column["heading"] for column in table["columns"]]
    row = next(row for row in table["rows"] if str(row["cells"][0]).startswith(label))
    return [row["cells"][headings.index(year)] for year in ("2016/17", "2017/18", "2018/19")]


def test_proposals_as_approved_as_at_and_now_and_the_reconciliation(plan, people, api_as, slug):
    load_monitoring_demo(plan)
    api = api_as(people["viewer"])
    approved = api.call("GET", TABLE, plan=slug, name="proposals", query="?basis=approved")
    assert approved.status_code == 200
    assert _total(approved.json()) == ["5536", "22836", "23300"]
    as_at = api.call("GET", TABLE, plan=slug, name="targets", query="?as_at=2015-09-16").json()
    assert _total(as_at, "Shortfall") == ["0", "464", "0"]
    now = api.call("GET", TABLE, plan=slug, name="proposals").json()
    assert _total(now) == ["5036", "23036", "23300"]
    reconciliation = api.call("GET", TABLE, plan=slug, name="reconciliation").json()
    assert _total(reconciliation, "Current") == ["5036", "23036", "23300"]
    assert _total(reconciliation, "Approved") == ["5536", "22836", "23300"]


def test_what_cannot_be_shown_is_refused_with_the_reason(plan, people, api_as, slug):
    api = api_as(people["viewer"])
    early = api.call("GET", TABLE, plan=slug, name="proposals", query="?as_at=2015-09-15")
    assert early.status_code == 404
    assert early.json() == {"errors": {"as_at": "the plan did not exist on 15 September 2015"}}
    both = api.call(
        "GET", TABLE, plan=slug, name="proposals", query="?as_at=2015-09-16&basis=approved"
    )
    assert both.status_code == 400 and "not both" in both.json()["errors"]["basis"]
    dated = api.call("GET", TABLE, plan=slug, name="baseline", query="?basis=approved")
    assert dated.status_code == 400 and "is not dated" in dated.json()["errors"]["name"]
    Decision.objects.filter(plan=plan).delete()
    none = api.call("GET", TABLE, plan=slug, name="reconciliation")
    assert none.status_code == 404 and "no approved baseline" in none.json()["errors"]["basis"]
