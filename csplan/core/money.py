"""Exact money.

Amounts are ``Decimal`` pounds in the domain and integer pence in the store. This module owns
the one rounding rule (half up, as councils round published tables) and the committee
formats: £'000 or £m with negatives in brackets.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum

PENNY = Decimal("0.01")
ZERO = Decimal("0")


class MoneyError(ValueError):
    """A value that cannot be read as an exact amount of money."""


class Unit(Enum):
    """The unit a table is published in, with its multiplier to pounds."""

    POUNDS = ("£", Decimal(1))
    THOUSANDS = ("£'000", Decimal(1000))
    MILLIONS = ("£m", Decimal(1_000_000))

    def __init__(self, label: str, multiplier: Decimal) -> None:
        self.label = label
        self.multiplier = multiplier

    @classmethod
    def from_label(cls, label: str) -> Unit:
        cleaned = label.strip().lower().replace("’", "'")
        for unit in cls:
            if unit.label.lower() == cleaned or unit.name.lower() == cleaned:
                return unit
        aliases = {"gbp": cls.POUNDS, "k": cls.THOUSANDS, "000": cls.THOUSANDS, "m": cls.MILLIONS}
        if cleaned in aliases:
            return aliases[cleaned]
        raise MoneyError(f"unknown money unit {label!r}: use £, £'000 or £m")


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """The project's single rounding rule: half away from zero at ``places`` decimals."""
    if isinstance(value, float):
        raise TypeError("binary floats are not money: convert model output with from_model_float")
    exponent = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(exponent, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    """Read an int, Decimal or numeric string (commas, £ and brackets allowed) exactly."""
    if isinstance(value, bool):
        raise MoneyError(f"{value!r} is not an amount")
    if isinstance(value, float):
        raise TypeError("binary floats are not money: convert model output with from_model_float")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{value!r} is not a finite amount")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise MoneyError(f"{value!r} is not an amount")


def _parse_text(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned in {"", "-", "–"}:
        raise MoneyError(f"{text!r} is not an amount")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"{text!r} is not an amount") from None
    if not amount.is_finite():
        raise MoneyError(f"{text!r} is not a finite amount")
    return -amount if negative else amount


def from_unit(value: object, unit: Unit) -> Decimal:
    """Pounds from a figure published in ``unit`` (e.g. 1,500 in £'000 is £1,500,000)."""
    return to_decimal(value) * unit.multiplier


def in_unit(pounds: Decimal, unit: Unit) -> Decimal:
    """The exact figure in ``unit`` (not rounded)."""
    return to_decimal(pounds) / unit.multiplier


def from_model_float(value: float, places: int = 2) -> Decimal:
    """Turn a statistical model's float into money, rounded once to ``places`` (pence)."""
    return round_half_up(Decimal(repr(float(value))), places)


#: No saving, budget or target in a council's programme comes near this: a larger figure is a
#: typing or unit error (and beyond it the store's 64-bit pence would overflow).
MAX_AMOUNT = Decimal("10000000000")


def check_size(pounds: Decimal) -> Decimal:
    """``pounds`` if it is within ±``MAX_AMOUNT``; else ``MoneyError`` saying so."""
    if abs(pounds) > MAX_AMOUNT:
        raise MoneyError(f"£{pounds:,} is more than £{MAX_AMOUNT:,}: check the unit")
    return pounds


def to_pence(pounds: Decimal) -> int:
    """Integer pence for the store; refuses amounts with fractions of a penny."""
    amount = check_size(to_decimal(pounds))
    pence = amount * 100
    if pence != pence.to_integral_value():
        raise MoneyError(f"£{amount} has a fraction of a penny")
    return int(pence)


def from_pence(pence: int) -> Decimal:
    return (Decimal(int(pence)) / 100).quantize(PENNY)


def format_amount(
    pounds: Decimal | None,
    unit: Unit = Unit.THOUSANDS,
    places: int = 0,
    *,
    brackets: bool = True,
    blank: str = "",
) -> str:
    """Committee format: 1,500 in £'000, negatives in brackets, thousands separators."""
    if pounds is None:
        return blank
    shown = round_half_up(in_unit(pounds, unit), places)
    if shown == 0:
        shown = abs(shown)  # never print "(0)" or "-0"
    text = f"{abs(shown):,.{places}f}"
    if shown < 0:
        return f"({text})" if brackets else f"-{text}"
    return text


def percentage(part: Decimal, whole: Decimal, places: int = 1) -> Decimal | None:
    """``part`` as a percentage of ``whole``, rounded; None when the whole is zero."""
    whole = to_decimal(whole)
    if whole == 0:
        return None
    return round_half_up(to_decimal(part) * 100 / whole, places)


def format_percentage(value: Decimal | None, places: int = 1, blank: str = "n/a") -> str:
    if value is None:
        return blank
    shown = round_half_up(value, places)
    text = f"{abs(shown):,.{places}f}"
    return f"({text})" if shown < 0 else text
