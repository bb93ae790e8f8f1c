"""Demand-led lines: what the scenario promised against what the latest data now imply.

A line evidenced by a demand scenario (``Evidence`` of kind ``demand_scenario``) is re-run each
month on the latest data; each re-run is stored as a ``DemandRerun`` with its data hash. These
functions compare the two without touching the database.

The re-run itself is the demand library's job: call it with the evidence's ``parameters`` and
the month's data, then store the in-year savings it implies with
``csplan.monitoring.store.record_demand_rerun`` (the hook). Until the library offers that call,
re-runs can be recorded from any source that yields savings by year and a data hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear, MonitoringPeriod


@dataclass(frozen=True)
class DemandYear:
    year: FinancialYear
    promised: Decimal
    implied: Decimal

    @property
    def difference(self) -> Decimal:
        """Implied less promised: negative means the data now support less than promised."""
        return self.implied - self.promised


def compare(
    promised: Mapping[FinancialYear, Decimal],
    implied: Mapping[FinancialYear, Decimal],
    years: Sequence[FinancialYear],
) -> list[DemandYear]:
    return [DemandYear(year, promised.get(year, ZERO), implied.get(year, ZERO)) for year in years]


@dataclass(frozen=True)
class DemandMonth:
    period: MonitoringPeriod
    data_hash: str
    promised: Decimal
    implied: Decimal

    @property
    def difference(self) -> Decimal:
        return self.implied - self.promised


def monthly_track(
    promised: Mapping[FinancialYear, Decimal],
    reruns: Sequence[tuple[MonitoringPeriod, str, Mapping[FinancialYear, Decimal]]],
    year: FinancialYear,
) -> list[DemandMonth]:
    """For each month's re-run (period, data hash, implied savings): promised against implied
    for ``year``, in period order."""
    return [
        DemandMonth(period, data_hash, promised.get(year, ZERO), implied.get(year, ZERO))
        for period, data_hash, implied in sorted(reruns, key=lambda item: item[0])
    ]
