"""The line form by the domain rules (issue 11, item 6): phasing changes are movements with a
reason, the lifecycle moves only by its rules for every role, a new line starts as proposed,
and an edit names its version."""

from decimal import Decimal

import pytest
from django.test import Client

from csplan.accounts.demo import load_role_users
from csplan.cases.demo import load_hampshire_demo
from csplan.demo import demo_user
from csplan.monitoring.models import Movement
from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db
PASSWORD = "a-demo-password-for-tests"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def plan():
    return load_hampshire_demo()


@pytest.fixture
def people(plan, monkeypatch):
    """admin, finance, sro (owns C3, C5, C1/7), viewer."""
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", PASSWORD)
    users = load_role_users(plan, PASSWORD)
    users["admin"] = demo_user()
    return users


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit(line: SavingsLine, **changes: str) -> dict[str, str]:
    """C3 as its form shows it (1,500 / 2,500 incremental, £'000), with ``changes``."""
    return {
        "reference": line.reference,
        "title": line.title,
        "workstream": line.workstream.name,
        "lifecycle": line.lifecycle,
        "rag": "",
        "recurrence": "recurrent",
        "version": str(line.version),
        "phasing_2016": "1,500",
        "phasing_2017": "2,500",
        "phasing_2018": "",
    } | changes


def test_a_phasing_change_needs_a_reason(people, plan):
    line = plan.lines.get(reference="C3")
    response = _as(people["sro"]).post(
        f"/lines/{line.pk}/edit/", _edit(line, phasing_2016="1,000", phasing_2017="3,000")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why the phasing changes" in page
    assert SavingsLine.objects.get(pk=line.pk).version == 1
    assert not Movement.objects.exists()


def test_a_phasing_change_is_recorded_as_slippage_with_its_reason(people, plan):
    line = plan.lines.get(reference="C3")
    data = _edit(line, phasing_2016="1,000", phasing_2017="3,000", reason="Contract starts late")
    response = _as(people["sro"]).post(f"/lines/{line.pk}/edit/", data)
    assert response.status_code == 302
    (entry,) = Movement.objects.filter(line=line)
    assert (entry.kind, entry.from_year, entry.to_year, entry.amount) == (
        "slippage",
        2016,
        2017,
        Decimal("500000.00"),
    )
    assert entry.reason == "Contract starts late" and entry.created_by == people["sro"]
    saved = SavingsLine.objects.get(pk=line.pk)
    assert saved.version == 2
    assert dict(saved.phasing.values_list("year", "amount_pence")) == {
        2016: 100_000_000,
        2017: 300_000_000,
    }


def test_the_user_may_say_what_kind_of_change_it_is_but_not_the_wrong_kind(people, plan):
    line = plan.lines.get(reference="C3")
    finance = _as(people["finance"])
    wrong = _edit(line, phasing_2018="200", reason="Wider scope", movement_kind="reprofile")
    refused = finance.post(f"/lines/{line.pk}/edit/", wrong)
    assert refused.status_code == 400
    assert "This change is an increase of £200,000 in 2018/19" in refused.content.decode()
    saved = finance.post(f"/lines/{line.pk}/edit/", wrong | {"movement_kind": "increase"})
    assert saved.status_code == 302
    assert list(Movement.objects.values_list("kind", "amount_pence")) == [("increase", 20_000_000)]


@pytest.mark.parametrize("role", ["sro", "finance", "admin"])
@pytest.mark.parametrize("status", ["approved", "written_off", "withdrawn"])
def test_no_role_moves_the_lifecycle_by_editing(people, plan, role, status):
    line = plan.lines.get(reference="C3")  # the SRO owns it
    response = _as(people[role]).post(f"/lines/{line.pk}/edit/", _edit(line, lifecycle=status))
    assert response.status_code == 400
    assert "only through the lifecycle rules" in response.content.decode()
    assert SavingsLine.objects.get(pk=line.pk).lifecycle == "proposed"


@pytest.mark.parametrize("status", ["delivered", "approved", "in_delivery"])
def test_finance_cannot_create_a_line_past_proposed(people, plan, status):
    line = plan.lines.get(reference="C3")
    data = _edit(line, reference="C99", title="New line", lifecycle=status)
    response = _as(people["finance"]).post("/lines/new/", data)
    assert response.status_code == 400
    assert "A new line starts as proposed" in response.content.decode()
    assert not SavingsLine.objects.filter(reference="C99").exists()
    created = _as(people["finance"]).post("/lines/new/", data | {"lifecycle": "proposed"})
    assert created.status_code == 302
    assert SavingsLine.objects.get(reference="C99").lifecycle == "proposed"


def test_an_edit_without_its_version_is_a_form_error(people, plan):
    line = plan.lines.get(reference="C3")
    data = _edit(line, rag="A")
    del data["version"]
    response = _as(people["finance"]).post(f"/lines/{line.pk}/edit/", data)
    assert response.status_code == 400
    assert "Send the version of the line you read" in response.content.decode()
    assert SavingsLine.objects.get(pk=line.pk).rag == ""


def test_the_edit_form_asks_for_the_reason_and_kind(people, plan):
    line = plan.lines.get(reference="C3")
    page = _as(people["finance"]).get(f"/lines/{line.pk}/edit/").content.decode()
    assert 'name="reason"' in page and 'name="movement_kind"' in page
    assert "Why does the phasing change?" in page
    new_page = _as(people["finance"]).get("/lines/new/").content.decode()
    assert 'name="reason"' not in new_page
