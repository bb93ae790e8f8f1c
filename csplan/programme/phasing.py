"""Incremental and cumulative phasing.

Canonical phasing is incremental: the change to the base budget in each financial year, so the
columns add up to the full-year saving. Councils also publish the cumulative full-year effect
(each column is the saving in place by that year: 1,500 / 4,000 / 4,000). Conversions are exact.

A line's stored amounts are what it saves in each year. A recurrent saving, once made, stays in
the base budget; a one-off saving counts in its year only and reverses the next year (a one-off
50 in 2016/17 is +50 then -50 as a change to the budget: 50 / 0 / 0 in place).
``budget_effect`` is the one place that decides it: every table, position and pack reads a
line's savings through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear

RECURRENT = "recurrent"
ONE_OFF = "one_off"


class PhasingForm(StrEnum):
    INCREMENTAL = "incremental"
    CUMULATIVE = "cumulative"

    @property
    def label(self) -> str:
        if self is PhasingForm.INCREMENTAL:
            return "Incremental (change in each year)"
        return "Cumulative (full-year effect in place by each year)"


def to_cumulative(
    incremental: Mapping[FinancialYear, Decimal], years: Sequence[FinancialYear]
) -> dict[FinancialYear, Decimal]:
    running = ZERO
    result: dict[FinancialYear, Decimal] = {}
    for year in years:
        running += incremental.get(year, ZERO)
        result[year] = running
    return result


def to_incremental(
    cumulative: Mapping[FinancialYear, Decimal], years: Sequence[FinancialYear]
) -> dict[FinancialYear, Decimal]:
    previous = ZERO
    result: dict[FinancialYear, Decimal] = {}
    for year in years:
        current = cumulative.get(year, previous)
        result[year] = current - previous
        previous = current
    return result


def budget_effect(
    amounts: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    recurrence: str = RECURRENT,
) -> dict[FinancialYear, Decimal]:
    """The change to the base budget in each of ``years`` (the incremental view) of a line
    saving ``amounts``: a recurrent saving as stored; a one-off saving in its year, reversed
    the next (a reversal after the last year falls outside the programme)."""
    result = {year: amounts.get(year, ZERO) for year in years}
    if recurrence != ONE_OFF:
        return result
    for year, following in zip(years, years[1:], strict=False):
        result[following] -= amounts.get(year, ZERO)
    return result


def in_place(
    amounts: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    recurrence: str = RECURRENT,
) -> dict[FinancialYear, Decimal]:
    """The saving in place in each of ``years`` (the cumulative view, the in-year saving)."""
    return to_cumulative(budget_effect(amounts, years, recurrence), years)


def full_year_effect(
    amounts: Mapping[FinancialYear, Decimal], recurrence: str = RECURRENT
) -> Decimal:
    """The saving left in the base budget once the line is fully in place: a one-off leaves
    none."""
    if recurrence == ONE_OFF:
        return ZERO
    return sum(amounts.values(), ZERO)


def in_form(
    incremental: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    form: PhasingForm,
    recurrence: str = RECURRENT,
) -> dict[FinancialYear, Decimal]:
    """The phasing over ``years`` in the requested form (a line's: as its ``recurrence``
    makes it; targets are recurrent)."""
    effect = budget_effect(incremental, years, recurrence)
    if form is PhasingForm.CUMULATIVE:
        return to_cumulative(effect, years)
    return effect


def from_form(
    values: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    form: PhasingForm,
    recurrence: str = RECURRENT,
) -> dict[FinancialYear, Decimal]:
    """Canonical stored amounts from figures published in ``form`` (the inverse of
    ``in_form``): years with no change are left out, so two equal programmes compare equal
    however they were written. A one-off line's amounts are its saving in place each year."""
    if recurrence == ONE_OFF:
        if form is PhasingForm.INCREMENTAL:
            values = to_cumulative(values, years)
    elif form is PhasingForm.CUMULATIVE:
        values = to_incremental(values, years)
    return {year: values[year] for year in years if values.get(year, ZERO) != ZERO}
