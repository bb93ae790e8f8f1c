"""Figures and tables are kept per data revision in a cache every server process shares."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_cambridgeshire_plan, load_hampshire_demo
from csplan.core import cache as shared
from csplan.core.history import save_recorded
from csplan.core.periods import FinancialYear
from csplan.programme import store
from csplan.programme.models import SavingsLine
from csplan.programme.store import programme_figures, update_line

pytestmark = pytest.mark.django_db
Y16 = FinancialYear(2016)


@pytest.fixture(autouse=True)
def fresh_process():
    shared.forget_everything()
    yield
    shared.forget_local()


@pytest.fixture
def officer(client):
    user = with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    client.force_login(user)
    return user


def _c3(figures):
    return next(line for line in figures.lines if line.reference == "C3")


def test_a_second_process_reads_the_figures_from_the_shared_cache(monkeypatch):
    plan = load_hampshire_demo()
    first = programme_figures(plan)
    shared.forget_local()  # another worker: nothing in its memory

    def must_not_read(plan):
        raise AssertionError("read the database although the shared cache has the figures")

    monkeypatch.setattr(store, "_read_programme", must_not_read)
    assert programme_figures(plan) == first


def test_a_line_change_shows_at_once_in_this_and_another_process(client, officer):
    plan = load_hampshire_demo()
    line = plan.lines.get(reference="C3")
    assert _c3(programme_figures(plan)).phasing[Y16] == Decimal("1500000")
    assert "Cached title check" not in client.get("/lines/?format=csv").content.decode()

    changed = replace(
        _c3(programme_figures(plan)),
        title="Cached title check",
        phasing={**_c3(programme_figures(plan)).phasing, Y16: Decimal("1234000")},
    )
    update_line(line, changed, user=officer, expected_version=line.version)

    assert _c3(programme_figures(plan)).phasing[Y16] == Decimal("1234000")
    assert "Cached title check" in client.get("/lines/?format=csv").content.decode()
    shared.forget_local()
    assert _c3(programme_figures(plan)).phasing[Y16] == Decimal("1234000")
    assert "Cached title check" in client.get("/lines/?format=csv").content.decode()


def test_any_recorded_write_moves_the_revision():
    plan = load_hampshire_demo()
    before = shared.data_revision()
    assert shared.data_revision() == before  # reading changes nothing
    line = SavingsLine.objects.get(plan=plan, reference="C3")
    line.rag = "R"
    save_recorded(line, reason="test")
    after_save = shared.data_revision()
    assert after_save != before
    plan.lines.get(reference="C5").phasing.first().delete()  # a delete, outside the stores
    assert shared.data_revision() != after_save
    assert _c3(programme_figures(plan)).rag == "R"


def test_two_plans_do_not_share_entries():
    hampshire = load_hampshire_demo()
    cambridgeshire = load_cambridgeshire_plan()
    assert programme_figures(hampshire).council == "Hampshire County Council"
    assert programme_figures(cambridgeshire).council == "Cambridgeshire County Council"
    shared.forget_local()
    assert programme_figures(cambridgeshire).council == "Cambridgeshire County Council"
    assert programme_figures(hampshire).council == "Hampshire County Council"


def test_every_argument_is_part_of_the_key():
    calls = []

    @shared.cached("test_as_at")
    def figures_at(plan_id: int, *, as_at: dt.date | None = None, basis: str = "plan"):
        calls.append((plan_id, as_at, basis))
        return f"{plan_id} {as_at} {basis}"

    assert figures_at(1, as_at=dt.date(2016, 4, 1)) == "1 2016-04-01 plan"
    assert figures_at(1, as_at=dt.date(2016, 5, 1)) == "1 2016-05-01 plan"
    assert figures_at(1, as_at=dt.date(2016, 4, 1), basis="approved") == "1 2016-04-01 approved"
    assert figures_at(2, as_at=dt.date(2016, 4, 1)) == "2 2016-04-01 plan"
    assert figures_at(1, as_at=dt.date(2016, 4, 1)) == "1 2016-04-01 plan"
    shared.forget_local()
    assert figures_at(1, as_at=dt.date(2016, 5, 1)) == "1 2016-05-01 plan"
    assert len(calls) == 4  # the last two were kept: in memory, then in the shared cache
    revision = shared.data_revision()
    assert shared.cache_key("f", revision, (1,), {"as_at": dt.date(2016, 4, 1)}) != (
        shared.cache_key("f", revision, (1,), {"as_at": dt.date(2016, 4, 2)})
    )


def test_restoring_without_history_empties_the_cache():
    plan = load_hampshire_demo()
    programme_figures(plan)
    SavingsLine.objects.filter(plan=plan, reference="C3").update(title="Written without history")
    assert _c3(programme_figures(plan)).title != "Written without history"
    shared.forget_everything()
    assert _c3(programme_figures(plan)).title == "Written without history"


def test_monitoring_tables_follow_a_new_record_and_keep_periods_apart():
    from csplan.core.periods import MonitoringPeriod
    from csplan.monitoring.reports import monitoring_tables
    from csplan.monitoring.store import record_monitoring

    plan = load_hampshire_demo()
    month_3, month_4 = MonitoringPeriod(Y16, 3), MonitoringPeriod(Y16, 4)
    line = plan.lines.get(reference="C3")
    assert "Month 3" in monitoring_tables(plan, month_3)["summary"].title
    assert "Month 4" in monitoring_tables(plan, month_4)["summary"].title
    assert "C3" not in {row.cells[0] for row in monitoring_tables(plan, month_3)["at_risk"].rows}

    record_monitoring(line, month_3, rag="R", forecast={Y16: Decimal("100000")})
    shared.forget_local()
    at_risk = monitoring_tables(plan, month_3)["at_risk"]
    assert "C3" in {row.cells[0] for row in at_risk.rows}
