from decimal import Decimal

import pytest

from csplan.core.money import (
    MoneyError,
    Unit,
    format_amount,
    format_percentage,
    from_model_float,
    from_pence,
    from_unit,
    percentage,
    round_half_up,
    to_decimal,
    to_pence,
)


def test_thousands_format_uses_separators_and_brackets():
    assert format_amount(Decimal("1500000")) == "1,500"
    assert format_amount(Decimal("-464000")) == "(464)"
    assert format_amount(Decimal("-400")) == "0"  # rounds to zero: no "(0)"
    assert format_amount(Decimal("23300000"), Unit.MILLIONS, 1) == "23.3"
    assert format_amount(Decimal("-1500"), Unit.POUNDS, brackets=False) == "-1,500"
    assert format_amount(None) == ""


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(Decimal("2.5")) == Decimal("3")
    assert round_half_up(Decimal("-2.5")) == Decimal("-3")
    assert round_half_up(Decimal("7.619"), 1) == Decimal("7.6")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(1.5)
    with pytest.raises(TypeError):
        round_half_up(0.1)


def test_parse_published_text():
    assert to_decimal("1,500") == Decimal("1500")
    assert to_decimal("(464)") == Decimal("-464")
    assert to_decimal("£2,756.5") == Decimal("2756.5")
    for bad in ["", "TBC", "n/a", "1.2.3", "nan", "inf"]:
        with pytest.raises(MoneyError):
            to_decimal(bad)


def test_units_and_pence_round_trip():
    assert from_unit("1,500", Unit.THOUSANDS) == Decimal("1500000")
    assert to_pence(Decimal("1234.56")) == 123456
    assert from_pence(123456) == Decimal("1234.56")
    with pytest.raises(MoneyError):
        to_pence(Decimal("0.001"))
    assert Unit.from_label("£'000") is Unit.THOUSANDS
    assert Unit.from_label("£m") is Unit.MILLIONS


def test_model_float_is_rounded_once_to_pence():
    assert from_model_float(0.1 + 0.2) == Decimal("0.30")
    assert from_model_float(1234.565) == Decimal("1234.57")


def test_percentage():
    assert percentage(Decimal("4.0"), Decimal("52.5")) == Decimal("7.6")
    assert percentage(Decimal("1"), Decimal("0")) is None
    assert format_percentage(None) == "n/a"
    assert format_percentage(Decimal("-3.25")) == "(3.3)"
