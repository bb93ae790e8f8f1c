"""Financial years (1 April to 31 March, written ``2016/17``) and monitoring periods.

No other module does year arithmetic: parse, step and compare years here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

_YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$")


class PeriodError(ValueError):
    """A financial year or monitoring period that cannot be read."""


@dataclass(frozen=True, order=True)
class FinancialYear:
    """The financial year that starts on 1 April of ``start``."""

    start: int

    def __post_init__(self) -> None:
        if not 1900 <= self.start <= 2200:
            raise PeriodError(f"financial year starting {self.start} is out of range")

    @classmethod
    def parse(cls, text: object) -> FinancialYear:
        """Read ``2016/17`` (also ``2016-17`` and ``2016/2017``); anything else is an error."""
        if isinstance(text, FinancialYear):
            return text
        match = _YEAR_PATTERN.match(str(text))
        if not match:
            raise PeriodError(f"{text!r} is not a financial year written YYYY/YY, e.g. 2016/17")
        start = int(match.group(1))
        end_text = match.group(2)
        expected = start + 1 if len(end_text) == 4 else (start + 1) % 100
        if int(end_text) != expected:
            raise PeriodError(
                f"{text!r} is not a financial year: the second part must be the year after {start}"
            )
        return cls(start)

    @classmethod
    def containing(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_day(self) -> date:
        return date(self.start, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 3, 31)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def next(self) -> FinancialYear:
        return FinancialYear(self.start + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start - 1)

    def __add__(self, years: int) -> FinancialYear:
        return FinancialYear(self.start + years)

    def __sub__(self, other: FinancialYear) -> int:
        return self.start - other.start

    def months(self) -> list[MonitoringPeriod]:
        return [MonitoringPeriod(self, number) for number in range(1, 13)]


def year_range(first: FinancialYear, count: int) -> list[FinancialYear]:
    return [first + offset for offset in range(count)]


def check_consecutive(years: Sequence[FinancialYear]) -> None:
    """Raise if ``years`` repeat or skip a year (the order given is the order read)."""
    seen: set[FinancialYear] = set()
    for index, year in enumerate(years):
        if year in seen:
            raise PeriodError(f"financial year {year} appears more than once")
        seen.add(year)
        if index and year != years[index - 1].next():
            raise PeriodError(
                f"financial years are not consecutive: {years[index - 1]} is followed by {year}"
            )


def parse_years(texts: Iterable[object]) -> list[FinancialYear]:
    years = [FinancialYear.parse(text) for text in texts]
    check_consecutive(years)
    return years


_MONTH_NAMES = [
    "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "January", "February", "March",
]  # fmt: skip


@dataclass(frozen=True, order=True)
class MonitoringPeriod:
    """Month 1 (April) to Month 12 (March) of a financial year."""

    year: FinancialYear
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise PeriodError(f"monitoring month must be 1 to 12, not {self.number}")

    @classmethod
    def parse(cls, year: object, month: object) -> MonitoringPeriod:
        text = str(month).strip()
        match = re.fullmatch(r"(?i)(?:month|m|p|period)?\s*(\d{1,2})", text)
        if not match:
            raise PeriodError(f"{month!r} is not a monitoring month (1 to 12, or 'Month 7')")
        return cls(FinancialYear.parse(year), int(match.group(1)))

    @classmethod
    def containing(cls, day: date) -> MonitoringPeriod:
        year = FinancialYear.containing(day)
        return cls(year, (day.month - 4) % 12 + 1)

    @property
    def label(self) -> str:
        return f"Month {self.number}"

    def __str__(self) -> str:
        return f"{self.year} {self.label}"

    @property
    def calendar_month(self) -> int:
        return (self.number + 2) % 12 + 1

    @property
    def calendar_year(self) -> int:
        return self.year.start if self.number <= 9 else self.year.start + 1

    @property
    def month_name(self) -> str:
        return _MONTH_NAMES[self.number - 1]

    @property
    def quarter(self) -> int:
        return (self.number - 1) // 3 + 1

    @property
    def quarter_label(self) -> str:
        return f"Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.calendar_year, self.calendar_month, 1)

    @property
    def last_day(self) -> date:
        if self.number == 12:
            return date(self.calendar_year, 3, 31)
        following = MonitoringPeriod(self.year, self.number + 1).first_day
        return date.fromordinal(following.toordinal() - 1)

    def previous(self) -> MonitoringPeriod:
        if self.number == 1:
            return MonitoringPeriod(self.year.previous(), 12)
        return MonitoringPeriod(self.year, self.number - 1)

    def next(self) -> MonitoringPeriod:
        if self.number == 12:
            return MonitoringPeriod(self.year.next(), 1)
        return MonitoringPeriod(self.year, self.number + 1)
