from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.monitoring.models import Movement, RagProbabilitySet
from csplan.monitoring.movements import MovementKind, MovementSpec
from csplan.monitoring.store import (
    MonitoringValidationError,
    apply_movement,
    current_probabilities,
    movements_between,
    probabilities_on,
    record_monitoring,
    save_probabilities,
)
from csplan.programme.models import PhasingEntry, SavingsLine

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


@pytest.fixture
def officer():
    return with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )


@pytest.fixture
def line():
    return load_hampshire_demo().lines.get(reference="C6")  # 390 / 1,600 / 1,600 (£'000)


def test_recording_a_month_sets_the_target_and_re_rates_the_line(line, officer):
    record = record_monitoring(
        line,
        MonitoringPeriod(Y16, 3),
        rag="A",
        forecast={Y16: Decimal("350000.00")},
        achieved_to_date=Decimal("80000"),
        explanation="Recruitment slower",
        user=officer,
    )
    assert record.target == Decimal("390000.00")
    assert record.forecast == {"2016/17": "350000.00"}
    line.refresh_from_db()
    assert line.rag == "A"
    assert line.history.first().history_user == officer
    # recording the same period again corrects it rather than adding a row
    record_monitoring(line, MonitoringPeriod(Y16, 3), rag="G", forecast={})
    assert line.monitoring.count() == 1


def test_invalid_monitoring_is_refused_with_every_error(line):
    with pytest.raises(MonitoringValidationError) as error:
        record_monitoring(
            line,
            MonitoringPeriod(Y16, 1),
            rag="P",
            forecast={FinancialYear(2030): Decimal(1), Y16: Decimal("1.001")},
            mitigation_amount=Decimal(-1),
        )
    assert set(error.value.errors) == {"rag", "forecast_2030", "forecast_2016", "mitigation_amount"}


def test_a_movement_changes_phasing_through_the_store_with_history(line, officer):
    before_versions = line.version
    movement = apply_movement(
        line,
        MovementSpec(MovementKind.SLIPPAGE, Decimal("100000"), Y16),
        MonitoringPeriod(Y16, 6),
        reason="Carers recruited late",
        user=officer,
    )
    assert movement.phasing_before == {
        "2016/17": "390000.00", "2017/18": "1210000.00"
    }  # fmt: skip
    assert movement.phasing_after == {"2016/17": "290000.00", "2017/18": "1310000.00"}
    line.refresh_from_db()
    assert line.version == before_versions + 1
    entry = PhasingEntry.objects.get(line=line, year=2016)
    assert entry.amount_pence == 29_000_000
    change = entry.history.first()
    assert change.history_user == officer
    assert "Slippage into the next year at 2016/17 Month 6" in change.history_change_reason


def test_a_write_off_needs_a_decision_and_nothing_is_written_when_refused(line):
    with pytest.raises(MonitoringValidationError) as error:
        apply_movement(
            line,
            MovementSpec(MovementKind.WRITE_OFF, Decimal("1000"), Y16),
            MonitoringPeriod(Y16, 6),
        )
    assert "decision_reference" in error.value.errors
    assert Movement.objects.count() == 0
    assert SavingsLine.objects.get(pk=line.pk).version == 1


def test_replacement_links_to_a_write_off_only(line):
    period = MonitoringPeriod(Y16, 6)
    slip = apply_movement(line, MovementSpec(MovementKind.SLIPPAGE, Decimal(1), Y16), period)
    with pytest.raises(MonitoringValidationError):
        apply_movement(
            line, MovementSpec(MovementKind.REPLACEMENT, Decimal(1), Y17), period, replaces=slip
        )


def test_movements_between_two_packs(line):
    for month in (2, 5, 9):
        apply_movement(
            line,
            MovementSpec(MovementKind.DEMAND_OFFSET, Decimal(month), Y16),
            MonitoringPeriod(Y16, month),
        )
    since = movements_between(line.plan, MonitoringPeriod(Y16, 2), MonitoringPeriod(Y16, 9))
    assert [m.month for m in since] == [5, 9]


def test_the_council_gets_starting_probabilities_stored_as_data(line):
    council = line.plan.council
    chosen = current_probabilities(council)
    assert chosen.as_decimals() == {
        "B": Decimal("1.0"), "G": Decimal("0.95"), "A": Decimal("0.7"), "R": Decimal("0.3")
    }  # fmt: skip
    assert chosen.label and chosen.as_of
    assert current_probabilities(council) == chosen
    assert RagProbabilitySet.objects.count() == 1


def test_starting_probabilities_read_the_same_whatever_the_day_and_give_way_to_a_saved_set(
    line,
):
    council = line.plan.council
    starting = current_probabilities(council)
    # no date in its description: a table naming the day they were first needed would change
    # with the day it was printed
    assert starting.described == "csplan starting values (replace with the council's own)"
    calibrated = save_probabilities(
        council, {"B": Decimal("1"), "G": Decimal("0.9"), "A": Decimal("0.5"), "R": Decimal("0.2")},
        label="Calibrated from 2016/17 monitoring", as_of=date(2017, 3, 31),
    )  # fmt: skip
    assert calibrated.described == "Calibrated from 2016/17 monitoring, 31 March 2017"
    assert probabilities_on(council, date(2017, 3, 30)) == starting
    assert probabilities_on(council, date(2017, 3, 31)) == calibrated
    assert probabilities_on(council, date.today()) == calibrated


def test_recording_with_a_stale_copy_of_the_line_keeps_the_latest_phasing(line):
    stale = SavingsLine.objects.prefetch_related("phasing").get(pk=line.pk)
    list(stale.phasing.all())  # phasing cached before the movement
    apply_movement(
        line, MovementSpec(MovementKind.SLIPPAGE, Decimal("90000"), Y16), MonitoringPeriod(Y16, 4)
    )
    record = record_monitoring(stale, MonitoringPeriod(Y16, 4), rag="R", forecast={})
    assert record.target == Decimal("300000.00")
    assert PhasingEntry.objects.get(line=line, year=2016).amount_pence == 30_000_000
    assert SavingsLine.objects.get(pk=line.pk).rag == "R"


def test_random_journals_through_the_store_conserve_the_programme_total(line):
    """Property over the database: only write-offs, reductions, replacements and increases
    change the programme's full-year savings, by exactly their amounts; every applied change is
    in the history."""
    import random

    from csplan.monitoring.movements import total
    from csplan.programme.store import programme_figures

    plan = line.plan
    rng = random.Random(9)
    years = plan.years

    def programme_total():
        return sum((total(f.phasing) for f in programme_figures(plan).lines), Decimal(0))

    expected = programme_total()
    history_before = PhasingEntry.history.count()
    applied = 0
    for _ in range(25):
        target = rng.choice(list(plan.lines.all()))
        kind = rng.choice(list(MovementKind))
        spec = MovementSpec(
            kind,
            Decimal(rng.randint(1, 400)) * 1000,
            rng.choice(years),
            to_year=rng.choice(years),
            recurrence=rng.choice(["one_off", "recurrent"]),
            decision_reference="D/1" if rng.random() < 0.8 else "",
        )
        try:
            apply_movement(target, spec, MonitoringPeriod(Y16, rng.randint(1, 12)))
        except MonitoringValidationError:
            assert programme_total() == expected  # refused: nothing changed
            continue
        applied += 1
        if kind in (MovementKind.WRITE_OFF, MovementKind.REDUCTION):
            expected -= spec.amount
        elif kind in (MovementKind.REPLACEMENT, MovementKind.INCREASE):
            expected += spec.amount
        assert programme_total() == expected
    assert applied >= 10
    assert Movement.objects.count() == applied
    changed = Movement.objects.exclude(kind__in=["mitigation", "demand_offset"]).count()
    assert PhasingEntry.history.count() >= history_before + changed
