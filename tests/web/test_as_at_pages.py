"""The as-at pages: the tables as they stood before an edit, with twins, and bad dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.core.render import render_csv
from csplan.programme import reports
from csplan.programme.store import line_figures, programme_figures, update_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(
        with_role(django_user_model.objects.create_user("auditor", is_staff=True), "viewer")
    )
    return client


def _backdate_history(days: int) -> None:
    """Move every programme history record ``days`` back (as if loaded and in effect then)."""
    from csplan.programme import models

    for model in (models.Council, models.Plan, models.TargetEntry, models.Workstream,
                  models.SavingsLine, models.PhasingEntry):  # fmt: skip
        for record in model.history.all():
            model.history.filter(pk=record.pk).update(
                history_date=record.history_date - dt.timedelta(days=days),
                effective=record.effective - dt.timedelta(days=days),
            )


def test_the_tables_before_an_edit(signed_in):
    plan = load_hampshire_demo()
    before = render_csv(reports.workstream_report(programme_figures(plan)))
    _backdate_history(days=2)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    line = plan.lines.get(reference="C6")
    changed = dataclasses.replace(
        line_figures(line), phasing={FinancialYear(2016): Decimal("1"),
                                     FinancialYear(2017): Decimal("2")})  # fmt: skip
    update_line(line, changed, expected_version=line.version)
    edited = render_csv(reports.workstream_report(programme_figures(plan)))
    assert edited != before
    query = {"date": f"{yesterday:%d/%m/%Y}"}
    page = signed_in.get("/as-at/", query).content.decode()
    lines = len(programme_figures(plan).lines)
    assert f"As it stood on {yesterday:%-d %B %Y}: {lines} savings lines" in page
    text = signed_in.get("/as-at/", {**query, "table": "workstreams", "format": "csv"})
    assert text.content.decode() == before
    line_then = signed_in.get(f"/lines/{line.pk}/as-at/", query).content.decode()
    assert "390,000.00" in line_then
    line_now = signed_in.get(f"/lines/{line.pk}/as-at/").content.decode()
    assert ">1.00<" in line_now and ">2.00<" in line_now


def test_a_date_before_the_programme_is_refused(signed_in):
    load_hampshire_demo()
    page = signed_in.get("/as-at/", {"date": "01/01/2000"})
    assert page.status_code == 400
    assert "the plan did not exist on 01 January 2000" in page.content.decode()
    bad = signed_in.get("/as-at/", {"date": "31/02/2024"})
    assert bad.status_code == 400 and "Enter a date, for example 30/09/2016" in bad.content.decode()
    bad_time = signed_in.get("/as-at/", {"date": "01/02/2024", "time": "25:00"})
    assert "Enter a time as HH:MM" in bad_time.content.decode()


def test_as_at_a_day_takes_the_changes_in_effect_by_then_and_a_time_what_was_recorded(signed_in):
    plan = load_hampshire_demo()  # in effect from 16 September 2015, its decision's date
    page = signed_in.get("/as-at/", {"as_at": "2015-09-16"}).content.decode()
    assert "As it stood on 16 September 2015: 7 savings lines" in page
    assert "as_at=2015-09-16&amp;time=&amp;table=proposals&amp;format=csv" in page
    twin = signed_in.get("/as-at/", {"as_at": "2015-09-16", "table": "targets", "format": "json"})
    assert twin.json()["rows"][1]["cells"][1:] == ["5536", "22836", "23300"]  # £'000
    assert signed_in.get("/as-at/", {"as_at": "2015-09-15"}).status_code == 400
    _backdate_history(days=2)
    line = plan.lines.get(reference="C6")
    update_line(line, dataclasses.replace(line_figures(line), title="Placements (edited)"),
                expected_version=line.version)  # fmt: skip
    today = timezone.localdate()
    now = signed_in.get(f"/lines/{line.pk}/as-at/", {"as_at": f"{today:%Y-%m-%d}"})
    assert "Placements (edited)" in now.content.decode()
    known = signed_in.get(
        f"/lines/{line.pk}/as-at/", {"date": f"{today:%d/%m/%Y}", "time": "00:00"}
    )
    page = known.content.decode()
    assert "Placements process review" in page and ", as recorded at 00:00" in page
