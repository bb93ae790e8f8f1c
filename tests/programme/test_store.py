from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.programme.calculations import proposals_appendix, workstream_table
from csplan.programme.demo import hampshire_figures
from csplan.programme.models import Council, PhasingEntry, Plan, SavingsLine
from csplan.programme.store import (
    LineValidationError,
    StaleLineError,
    create_line,
    programme_figures,
    save_programme,
    update_line,
)

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


@pytest.fixture
def officer():
    return with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )


def test_store_round_trip_gives_the_same_programme():
    plan = load_hampshire_demo()
    assert programme_figures(plan) == hampshire_figures()
    # Incremental is canonical: C3's 1,500 / 4,000 / 4,000 is stored as 1,500 / 2,500 / 0.
    c3 = plan.lines.get(reference="C3")
    assert {e.year: e.amount_pence for e in c3.phasing.all()} == {
        2016: 150_000_000,
        2017: 250_000_000,
    }


def test_reloading_the_demo_changes_nothing():
    plan = load_hampshire_demo()
    models = (Council, Plan, SavingsLine, PhasingEntry)
    history_before = [model.history.count() for model in models]
    again = load_hampshire_demo()
    assert again.pk == plan.pk
    assert [model.history.count() for model in models] == history_before


def test_save_programme_updates_removes_and_records_who(officer):
    plan = load_hampshire_demo()
    figures = hampshire_figures()
    lines = [line for line in figures.lines if line.reference != "C8"]
    lines[0] = replace(lines[0], phasing={Y16: Decimal("1000000"), Y17: Decimal("3000000")})
    save_programme(replace(figures, lines=tuple(lines)), user=officer, reason="Re-profiled C3")
    assert not plan.lines.filter(reference="C8").exists()
    c3 = plan.lines.get(reference="C3")
    assert programme_figures(plan).lines[0].full_year_effect == Decimal("4000000")
    changes = PhasingEntry.history.filter(line_id=c3.pk, history_user=officer)
    assert {(h.year, h.history_type, h.amount_pence) for h in changes} == {
        (2016, "~", 100_000_000),
        (2017, "~", 300_000_000),
    }
    assert (
        SavingsLine.history.filter(reference="C8", history_type="-").get().history_user == officer
    )
    table = workstream_table(programme_figures(plan))
    assert table.row("Support functions review").savings is None  # no lines left: "n/a"


def test_create_and_update_line_with_history_and_versions(officer):
    plan = load_hampshire_demo()
    new = replace(
        hampshire_figures().lines[0],
        reference="C9",
        title="Edge of care service",
        phasing={Y17: Decimal("250000")},
        fte=None,
    )
    line = create_line(plan, new, user=officer)
    assert line.version == 1
    assert proposals_appendix(programme_figures(plan)).totals[Y18] == Decimal("23550000")

    edited = update_line(line, replace(new, rag="A"), user=officer, expected_version=1)
    assert edited.version == 2
    assert [h.rag for h in edited.history.order_by("history_id")] == ["", "A"]
    assert edited.history.latest().history_user == officer
    with pytest.raises(StaleLineError, match="changed by someone else"):
        update_line(line, replace(new, rag="R"), user=officer, expected_version=1)
    assert SavingsLine.objects.get(pk=line.pk).rag == "A"


def test_invalid_line_names_each_field():
    plan = load_hampshire_demo()
    bad = replace(
        hampshire_figures().lines[0],
        reference="C5",
        title=" ",
        workstream="Nowhere",
        rag="Purple",
        phasing={FinancialYear(2020): Decimal("1")},
    )
    with pytest.raises(LineValidationError) as caught:
        create_line(plan, bad)
    assert set(caught.value.errors) == {"reference", "title", "workstream", "rag", "phasing_2020"}
    assert "already used" in caught.value.errors["reference"]
    assert plan.lines.count() == 7
