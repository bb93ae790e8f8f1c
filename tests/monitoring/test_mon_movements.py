"""Conservation rules of the movements journal, as properties over seeded random cases."""

import random
from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.monitoring.movements import (
    MovementError,
    MovementKind,
    MovementSpec,
    apply,
    cover,
    gross_offset_net,
    in_year_effect,
    pressure,
    remaining_gap,
    total,
)

Y15, Y16, Y17, Y18 = (FinancialYear(y) for y in (2015, 2016, 2017, 2018))
YEARS = [Y15, Y16, Y17]
CASES = 200


def _random_phasing(rng: random.Random) -> dict:
    return {year: Decimal(rng.randint(1, 500_000)) * 100 for year in YEARS}


def _random_amount(rng: random.Random, most: Decimal) -> Decimal:
    return Decimal(rng.randint(1, int(most * 100))) / 100


def test_leicestershire_reprofile_moves_1500_from_2015_16_to_2016_17():
    before = {Y15: Decimal(3000), Y16: Decimal(1000)}
    spec = MovementSpec(MovementKind.REPROFILE, Decimal(1500), Y15, to_year=Y16)
    after = apply(spec, before, YEARS)
    assert after == {Y15: Decimal(1500), Y16: Decimal(2500)}
    assert total(after) == total(before)
    assert in_year_effect(before, after, YEARS) == {Y15: 1500, Y16: 0, Y17: 0}
    assert pressure(spec, YEARS) == {Y15: 1500, Y16: 0, Y17: 0}


def test_every_reprofile_and_slippage_conserves_the_total():
    rng = random.Random(1)
    for _ in range(CASES):
        before = _random_phasing(rng)
        source = rng.choice(YEARS[:-1])
        amount = _random_amount(rng, before[source])
        if rng.random() < 0.5:
            spec = MovementSpec(MovementKind.SLIPPAGE, amount, source)
        else:
            target = rng.choice([y for y in YEARS if y != source])
            spec = MovementSpec(MovementKind.REPROFILE, amount, source, to_year=target)
        after = apply(spec, before, YEARS)
        assert total(after) == total(before)
        # the loss in each year is exactly the pressure the movement reports
        assert in_year_effect(before, after, YEARS) == pressure(spec, YEARS)


def test_slippage_rolls_into_the_next_year_only():
    before = {Y16: Decimal(1000), Y17: Decimal(500)}
    after = apply(MovementSpec(MovementKind.SLIPPAGE, Decimal(400), Y16), before, YEARS)
    assert after == {Y16: Decimal(600), Y17: Decimal(900)}
    assert in_year_effect(before, after, YEARS) == {Y15: 0, Y16: 400, Y17: 0}


def test_every_write_off_turns_savings_into_an_equal_recurrent_pressure():
    rng = random.Random(2)
    for _ in range(CASES):
        before = _random_phasing(rng)
        year = rng.choice(YEARS)
        in_place = sum(amount for y, amount in before.items() if y <= year)
        amount = _random_amount(rng, in_place)
        spec = MovementSpec(MovementKind.WRITE_OFF, amount, year, decision_reference="EX/1")
        after = apply(spec, before, YEARS)
        assert total(after) == total(before) - amount
        lost = in_year_effect(before, after, YEARS)
        assert lost == pressure(spec, YEARS)
        assert all(lost[y] == (amount if y >= year else 0) for y in YEARS)


def test_a_replacement_closes_the_gap_of_its_write_off():
    write_off = MovementSpec(MovementKind.WRITE_OFF, Decimal(300), Y16, decision_reference="D1")
    replacement = MovementSpec(MovementKind.REPLACEMENT, Decimal(300), Y17)
    assert remaining_gap([write_off], YEARS) == {Y15: 0, Y16: 300, Y17: 300}
    assert remaining_gap([write_off, replacement], YEARS) == {Y15: 0, Y16: 300, Y17: 0}
    assert apply(replacement, {}, YEARS) == {Y17: Decimal(300)}


def test_one_off_mitigation_leaves_the_recurrent_gap_for_next_year():
    write_off = MovementSpec(MovementKind.WRITE_OFF, Decimal(300), Y16, decision_reference="D1")
    one_off = MovementSpec(MovementKind.MITIGATION, Decimal(300), Y16, recurrence="one_off")
    recurrent = MovementSpec(MovementKind.MITIGATION, Decimal(300), Y16, recurrence="recurrent")
    assert remaining_gap([write_off, one_off], YEARS) == {Y15: 0, Y16: 0, Y17: 300}
    assert remaining_gap([write_off, recurrent], YEARS) == {Y15: 0, Y16: 0, Y17: 0}
    assert cover(one_off, YEARS) == {Y15: 0, Y16: 300, Y17: 0}
    # mitigation never changes a line's phasing
    assert apply(one_off, {Y16: Decimal(5)}, YEARS) == {Y16: Decimal(5)}


def test_gross_offset_and_net_add_up():
    rng = random.Random(3)
    for _ in range(CASES):
        gross = Decimal(rng.randint(0, 10**8)) / 100
        offsets = [Decimal(rng.randint(0, 10**7)) / 100 for _ in range(rng.randint(0, 3))]
        result = gross_offset_net(gross, offsets)
        assert result.gross == result.offset + result.net
        assert result.offset == sum(offsets, Decimal(0))


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (MovementSpec(MovementKind.WRITE_OFF, Decimal(1), Y16), "decision_reference"),
        (MovementSpec(MovementKind.REPROFILE, Decimal(1), Y16), "to_year"),
        (MovementSpec(MovementKind.REPROFILE, Decimal(1), Y16, to_year=Y18), "to_year"),
        (MovementSpec(MovementKind.SLIPPAGE, Decimal(1), Y17), "to_year"),
        (MovementSpec(MovementKind.SLIPPAGE, Decimal(5000), Y16), "amount"),
        (MovementSpec(MovementKind.REPROFILE, Decimal(0), Y16, to_year=Y17), "amount"),
        (
            MovementSpec(MovementKind.WRITE_OFF, Decimal(9999), Y15, decision_reference="D"),
            "amount",
        ),
    ],
)
def test_movements_that_cannot_apply_are_refused(spec, field):
    with pytest.raises(MovementError) as error:
        apply(spec, {Y15: Decimal(100), Y16: Decimal(1000)}, YEARS)
    assert error.value.field == field
