"""Line edits by the domain rules (issue 11, item 6): a phasing change is a movement with a
reason, the lifecycle moves only by its rules, a new line starts as proposed, every edit names
its version."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.monitoring.edits import edit_line, new_line
from csplan.monitoring.movements import MovementKind, MovementSpec, as_kind, phasing_changes
from csplan.programme.figures import LineFigures
from csplan.programme.store import LineValidationError, StaleLineError, line_figures

Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)
YEARS = (Y16, Y17, Y18)
D = Decimal


# --- working out what a change is -------------------------------------------------------------


def test_moving_an_amount_into_the_next_year_is_slippage():
    specs = phasing_changes({Y16: D(100), Y17: D(50)}, {Y16: D(60), Y17: D(90)}, YEARS)
    assert specs == [MovementSpec(MovementKind.SLIPPAGE, D(40), Y16)]


def test_moving_an_amount_two_years_on_is_a_re_profile():
    specs = phasing_changes({Y16: D(100)}, {Y16: D(70), Y18: D(30)}, YEARS)
    assert specs == [MovementSpec(MovementKind.REPROFILE, D(30), Y16, to_year=Y18)]


def test_a_higher_total_is_an_increase_and_a_lower_one_a_reduction():
    assert phasing_changes({Y16: D(100)}, {Y16: D(100), Y17: D(25)}, YEARS) == [
        MovementSpec(MovementKind.INCREASE, D(25), Y17)
    ]
    assert phasing_changes({Y16: D(100)}, {Y16: D("99.99")}, YEARS) == [
        MovementSpec(MovementKind.REDUCTION, D("0.01"), Y16)
    ]


def test_a_mixed_change_is_a_move_then_what_is_left():
    specs = phasing_changes({Y16: D(100), Y17: D(100)}, {Y16: D(50), Y17: D(120)}, YEARS)
    assert specs == [
        MovementSpec(MovementKind.SLIPPAGE, D(20), Y16),
        MovementSpec(MovementKind.REDUCTION, D(30), Y16),
    ]


def test_no_change_is_no_movement():
    assert phasing_changes({Y16: D(100)}, {Y16: D(100), Y17: D(0)}, YEARS) == []


def test_a_chosen_kind_must_be_what_the_change_is():
    slip = phasing_changes({Y16: D(100)}, {Y16: D(60), Y17: D(40)}, YEARS)
    assert as_kind(slip, MovementKind.REPROFILE) == [
        MovementSpec(MovementKind.REPROFILE, D(40), Y16, to_year=Y17)
    ]
    with pytest.raises(ValueError, match="slippage of £40 from 2016/17 to 2017/18, not only an"):
        as_kind(slip, MovementKind.INCREASE)


# --- the store ----------------------------------------------------------------------------------


@pytest.fixture
def officer(db):
    return with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )


@pytest.fixture
def line(db):
    return load_hampshire_demo().lines.get(reference="C6")  # 390 / 1,210 / 0 (£'000)


@pytest.mark.django_db
def test_a_phasing_edit_is_journalled_with_its_reason_and_the_line_changes(line, officer):
    edited = replace(line_figures(line), phasing={Y16: D(290_000), Y17: D(1_310_000)})
    saved = edit_line(
        line,
        edited,
        user=officer,
        expected_version=1,
        reason="Recruitment delayed",
        period=MonitoringPeriod(Y16, 4),
    )
    assert saved.version == 2
    assert line_figures(saved).phasing == {Y16: D(290_000), Y17: D(1_310_000)}
    (entry,) = saved.movements.all()
    assert (entry.kind, entry.from_year, entry.to_year, entry.amount) == (
        "slippage",
        2016,
        2017,
        D(100_000),
    )
    assert (entry.year, entry.month, entry.reason) == (2016, 4, "Recruitment delayed")
    assert entry.phasing_before == {"2016/17": "390000.00", "2017/18": "1210000.00"}
    assert entry.phasing_after == {"2016/17": "290000.00", "2017/18": "1310000.00"}
    assert entry.created_by == officer
    change = saved.history.first().history_change_reason
    assert "slippage of £100,000.00 from 2016/17 to 2017/18" in change
    assert change.endswith(": Recruitment delayed")


@pytest.mark.django_db
def test_a_phasing_edit_without_a_reason_is_refused_and_nothing_changes(line, officer):
    edited = replace(line_figures(line), phasing={Y16: D(500_000), Y17: D(1_210_000)})
    with pytest.raises(LineValidationError) as refused:
        edit_line(line, edited, user=officer, expected_version=1, reason="  ")
    assert refused.value.errors == {
        "reason": "Say why the phasing changes: it is recorded in the movements journal"
    }
    line.refresh_from_db()
    assert line.version == 1 and line_figures(line).phasing[Y16] == D(390_000)
    assert not line.movements.exists()


@pytest.mark.django_db
def test_an_edit_without_phasing_changes_needs_no_reason_and_journals_nothing(line, officer):
    saved = edit_line(line, replace(line_figures(line), rag="A"), user=officer, expected_version=1)
    assert saved.rag == "A" and saved.version == 2 and not saved.movements.exists()


@pytest.mark.django_db
def test_an_edit_needs_the_version_and_a_stale_one_is_refused(line, officer):
    figures = replace(line_figures(line), rag="A")
    with pytest.raises(LineValidationError) as missing:
        edit_line(line, figures, user=officer, expected_version=None)
    assert set(missing.value.errors) == {"version"}
    edit_line(line, figures, user=officer, expected_version=1)
    with pytest.raises(StaleLineError):
        edit_line(line, replace(figures, rag="R"), user=officer, expected_version=1)


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["approved", "written_off", "delivered", "withdrawn"])
def test_an_edit_never_moves_the_lifecycle(line, officer, status):
    with pytest.raises(LineValidationError) as refused:
        edit_line(
            line, replace(line_figures(line), lifecycle=status), user=officer, expected_version=1
        )
    assert "only through the lifecycle rules" in refused.value.errors["lifecycle"]
    line.refresh_from_db()
    assert line.lifecycle == "proposed" and line.version == 1


@pytest.mark.django_db
def test_a_chosen_kind_that_is_not_the_change_is_refused(line, officer):
    edited = replace(line_figures(line), phasing={Y16: D(490_000), Y17: D(1_210_000)})
    with pytest.raises(LineValidationError) as refused:
        edit_line(
            line,
            edited,
            user=officer,
            expected_version=1,
            reason="More families",
            movement_kind="reduction",
        )
    assert refused.value.errors["movement_kind"].startswith(
        "This change is an increase of £100,000.00 in 2016/17, not only a reduction"
    )
    saved = edit_line(
        line,
        edited,
        user=officer,
        expected_version=1,
        reason="More families",
        movement_kind="increase",
    )
    assert [(m.kind, m.amount) for m in saved.movements.all()] == [("increase", D(100_000))]


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["approved", "delivered", "in_delivery", "written_off"])
def test_a_new_line_starts_as_proposed(officer, status):
    plan = load_hampshire_demo()
    figures = LineFigures("C99", "New line", plan.workstreams.first().name, {Y16: D(1000)})
    with pytest.raises(LineValidationError) as refused:
        new_line(plan, replace(figures, lifecycle=status), user=officer)
    assert refused.value.errors["lifecycle"].startswith("A new line starts as proposed")
    assert not plan.lines.filter(reference="C99").exists()
    assert new_line(plan, figures, user=officer).lifecycle == "proposed"


def test_an_increase_adds_in_its_year_and_a_reduction_takes_what_is_in_place():
    from csplan.monitoring.movements import MovementError, apply, pressure

    phasing = {Y16: D(100), Y17: D(50)}
    assert apply(MovementSpec(MovementKind.INCREASE, D(25), Y18), phasing, YEARS) == {
        Y16: D(100),
        Y17: D(50),
        Y18: D(25),
    }
    assert apply(MovementSpec(MovementKind.REDUCTION, D(150), Y17), phasing, YEARS) == {
        Y16: D(100),
        Y17: D(-100),
    }
    with pytest.raises(MovementError, match="Only £150 of this saving is in place in 2017/18"):
        apply(MovementSpec(MovementKind.REDUCTION, D(151), Y17), phasing, YEARS)
    reduction = MovementSpec(MovementKind.REDUCTION, D(30), Y17)
    assert pressure(reduction, YEARS) == {Y16: 0, Y17: D(30), Y18: D(30)}
