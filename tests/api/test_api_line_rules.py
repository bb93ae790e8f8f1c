"""Line writes through the API by the domain rules (issue 11, item 6): a phasing change is a
movement with a reason, the lifecycle moves only by its rules, a new line starts as proposed,
and every write names its version (400 without, 409 when stale)."""

from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.monitoring.models import Movement
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db

LINES = "/api/plans/{plan}/lines"
LINE = "/api/plans/{plan}/lines/{line}"
PHASING = "/api/plans/{plan}/lines/{line}/phasing"
C3_PHASING = {"2016/17": "1500000.00", "2017/18": "2500000.00"}  # incremental


def test_a_phasing_change_without_a_reason_is_refused(people, lines, api_as, slug):
    pk = lines["C3"].pk
    body = {"version": 1, "phasing": {"2016/17": "1000000.00", "2017/18": "3000000.00"}}
    refused = api_as(people["sro"]).call("PUT", PHASING, body, plan=slug, line=pk)
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": {"reason": "Say why the phasing changes: it is recorded in the movements journal"}
    }
    assert SavingsLine.objects.get(pk=pk).version == 1 and not Movement.objects.exists()


def test_a_phasing_change_is_journalled_as_slippage(people, lines, api_as, slug):
    pk = lines["C3"].pk
    body = {
        "version": 1,
        "phasing": {"2016/17": "1000000.00", "2017/18": "3000000.00"},
        "reason": "Contract starts late",
    }
    saved = api_as(people["sro"]).call("PUT", PHASING, body, plan=slug, line=pk)
    assert saved.status_code == 200 and saved.json()["version"] == 2
    (entry,) = Movement.objects.filter(line_id=pk)
    assert (entry.kind, entry.from_year, entry.to_year, entry.amount, entry.reason) == (
        "slippage",
        2016,
        2017,
        Decimal("500000.00"),
        "Contract starts late",
    )
    assert entry.created_by == people["sro"]
    when = f"?year={FinancialYear(entry.year)}&month={entry.month}"  # today's month
    journal = api_as(people["viewer"]).call(
        "GET", "/api/plans/{plan}/movements", plan=slug, query=when
    )
    assert journal.status_code == 200
    assert [m["reason"] for m in journal.json()["movements"]] == ["Contract starts late"]


def test_a_chosen_kind_must_be_what_the_change_is(people, lines, api_as, slug):
    pk = lines["C3"].pk
    api = api_as(people["finance"])
    body = {
        "version": 1,
        "phasing": {**C3_PHASING, "2018/19": "200000.00"},
        "reason": "Wider scope",
        "movement_kind": "slippage",
    }
    refused = api.call("PUT", PHASING, body, plan=slug, line=pk)
    assert refused.status_code == 400
    assert refused.json()["errors"]["movement_kind"].startswith(
        "This change is an increase of £200,000.00 in 2018/19, not only slippage"
    )
    unknown = api.call("PUT", PHASING, body | {"movement_kind": "write_off"}, plan=slug, line=pk)
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {
        "movement_kind": "Choose '', 'reprofile', 'slippage', 'increase' or 'reduction'"
    }
    saved = api.call("PUT", PHASING, body | {"movement_kind": "increase"}, plan=slug, line=pk)
    assert saved.status_code == 200
    assert list(Movement.objects.values_list("kind", "amount_pence")) == [("increase", 20_000_000)]


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PATCH", LINE, {"rag": "A"}),
        ("PUT", PHASING, {"phasing": C3_PHASING, "reason": "Re-phased"}),
    ],
)
def test_every_line_write_needs_its_version(people, lines, api_as, slug, method, path, body):
    pk = lines["C3"].pk
    api = api_as(people["finance"])
    missing = api.call(method, path, body, plan=slug, line=pk)
    assert missing.status_code == 400
    assert missing.json() == {"errors": {"version": "This field is required"}}
    api.call("PATCH", LINE, {"version": 1, "title": "Renamed"}, plan=slug, line=pk)
    stale = api.call(method, path, body | {"version": 1}, plan=slug, line=pk)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert "version" in stale.json()["errors"]


@pytest.mark.parametrize("role", ["sro", "finance", "admin"])
@pytest.mark.parametrize("status", ["approved", "written_off"])
def test_no_role_moves_the_lifecycle_by_editing(people, lines, api_as, slug, role, status):
    pk = lines["C3"].pk  # the SRO owns it
    api = api_as(people[role])
    edited = api.call("PATCH", LINE, {"version": 1, "lifecycle": status}, plan=slug, line=pk)
    assert edited.status_code == 400
    assert edited.json()["errors"]["lifecycle"].startswith("Change the lifecycle with POST")
    by_rules = api.call(
        "POST", LINE + "/status", {"version": 1, "lifecycle": status}, plan=slug, line=pk
    )
    if status == "approved":  # the rules: the demo's 16/09/2015 decision covers the line
        assert by_rules.status_code == 200
        assert by_rules.json()["lifecycle"] == "approved"
    else:
        assert by_rules.status_code == 400
        assert by_rules.json()["errors"]["lifecycle"].startswith("A line cannot move")
    expected = "approved" if status == "approved" else "proposed"
    assert SavingsLine.objects.get(pk=pk).lifecycle == expected


def test_finance_cannot_create_a_line_as_delivered(people, api_as, slug):
    body = {
        "reference": "C99",
        "title": "New line",
        "workstream": "Social care transformation",
        "lifecycle": "delivered",
    }
    refused = api_as(people["finance"]).call("POST", LINES, body, plan=slug)
    assert refused.status_code == 400 and "lifecycle" in refused.json()["errors"]
    assert not SavingsLine.objects.filter(reference="C99").exists()
    del body["lifecycle"]
    created = api_as(people["finance"]).call("POST", LINES, body, plan=slug)
    assert created.status_code == 201 and created.json()["lifecycle"] == "proposed"
