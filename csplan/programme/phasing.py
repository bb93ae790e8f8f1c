"""Incremental and cumulative phasing.

Canonical phasing is incremental: the change to the base budget in each financial year, so the
columns add up to the full-year saving. Councils also publish the cumulative full-year effect
(each column is the saving in place by that year: 1,500 / 4,000 / 4,000). Conversions are exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear


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


def in_form(
    incremental: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    form: PhasingForm,
) -> dict[FinancialYear, Decimal]:
    """The phasing over ``years`` in the requested form."""
    if form is PhasingForm.CUMULATIVE:
        return to_cumulative(incremental, years)
    return {year: incremental.get(year, ZERO) for year in years}


def from_form(
    values: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
    form: PhasingForm,
) -> dict[FinancialYear, Decimal]:
    """Canonical incremental phasing from figures published in ``form``: years with no change
    are left out, so two equal programmes compare equal however they were written."""
    if form is PhasingForm.CUMULATIVE:
        values = to_incremental(values, years)
    return {year: values[year] for year in years if values.get(year, ZERO) != ZERO}
