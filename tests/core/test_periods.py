from datetime import date

import pytest

from csplan.core.periods import (
    FinancialYear,
    MonitoringPeriod,
    PeriodError,
    check_consecutive,
    parse_years,
)


def test_parse_and_label():
    year = FinancialYear.parse("2016/17")
    assert year.start == 2016 and str(year) == "2016/17"
    assert FinancialYear.parse("2016-2017") == year
    assert str(FinancialYear(1999)) == "1999/00"
    assert FinancialYear.parse("1999/00") == FinancialYear(1999)


@pytest.mark.parametrize("text", ["2016/18", "2016", "16/17", "2016/2018", "year", ""])
def test_bad_years_are_refused(text):
    with pytest.raises(PeriodError):
        FinancialYear.parse(text)


def test_year_boundaries():
    year = FinancialYear(2016)
    assert year.first_day == date(2016, 4, 1) and year.last_day == date(2017, 3, 31)
    assert year.days == 365
    assert FinancialYear(2015).days == 366  # includes 29 February 2016
    assert FinancialYear.containing(date(2017, 3, 31)) == year
    assert FinancialYear.containing(date(2017, 4, 1)) == year.next()


def test_consecutive_years():
    assert [str(y) for y in parse_years(["2016/17", "2017/18", "2018/19"])] == [
        "2016/17",
        "2017/18",
        "2018/19",
    ]
    with pytest.raises(PeriodError, match="more than once"):
        parse_years(["2016/17", "2016/17"])
    with pytest.raises(PeriodError, match="not consecutive"):
        check_consecutive([FinancialYear(2016), FinancialYear(2018)])


def test_monitoring_months():
    month7 = MonitoringPeriod.parse("2025/26", "Month 7")
    assert month7.label == "Month 7" and month7.month_name == "October"
    assert month7.first_day == date(2025, 10, 1) and month7.last_day == date(2025, 10, 31)
    assert month7.quarter_label == "Q3"
    month12 = MonitoringPeriod(FinancialYear(2025), 12)
    assert month12.first_day == date(2026, 3, 1) and month12.last_day == date(2026, 3, 31)
    assert month12.next() == MonitoringPeriod(FinancialYear(2026), 1)
    assert MonitoringPeriod.containing(date(2026, 1, 15)).number == 10
    with pytest.raises(PeriodError):
        MonitoringPeriod(FinancialYear(2025), 13)
