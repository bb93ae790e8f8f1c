from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from csplan.demand.config import load_config
from csplan.demand.states import (
    EVENT_AGE,
    EVENT_CENSORED,
    birthdays,
    day_date,
    initial_stock,
    segments,
    spells,
    stock_on,
    truncate,
)

LAST = dt.date(2025, 3, 31)
CONFIG = load_config()
G = len(CONFIG.groups)
FOSTER_IN, IFA, RES_EXT = 0, 1, 4


def test_consecutive_episodes_in_one_group_are_one_spell(make_episodes):
    episodes = make_episodes([
        ("A", "2012-01-01", "2020-01-01", "2020-03-01", "U4", "PR1"),  # legal status change
        ("A", "2012-01-01", "2020-03-01", "2020-09-01", "U6", "PR1"),
        ("A", "2012-01-01", "2020-09-01", "2021-01-01", "K2", "PR4"),  # move, then home
    ])  # fmt: skip
    frame = spells(episodes, CONFIG, LAST)
    assert list(frame["group"]) == [FOSTER_IN, RES_EXT]
    assert [day_date(d) for d in frame["start"]] == [dt.date(2020, 1, 1), dt.date(2020, 9, 1)]
    assert list(frame["event"]) == [RES_EXT, G]  # moved to residential, then left care
    assert list(frame["entry"]) == [True, False]


def test_a_gap_is_an_exit_and_a_new_entry(make_episodes):
    episodes = make_episodes([
        ("A", "2012-01-01", "2020-01-01", "2020-03-01", "U4", "PR1"),
        ("A", "2012-01-01", "2020-05-01", None, "U4", "PR1"),
    ])  # fmt: skip
    frame = spells(episodes, CONFIG, LAST)
    assert list(frame["event"]) == [G, EVENT_CENSORED]
    assert list(frame["entry"]) == [True, True]
    assert day_date(frame["end"].iloc[1]) == dt.date(2025, 4, 1)  # censored after the last day


def test_episodes_are_split_at_the_birthdays_that_start_a_band(make_episodes):
    # Born 15 June 2010: 10 on 15 June 2020 (band 5-9 -> 10-15).
    episodes = make_episodes([("A", "2010-06-15", "2020-01-01", "2021-01-01", "U4", "PR4")])
    segs = segments(episodes, CONFIG, LAST)
    assert [day_date(d) for d in segs["start"]] == [dt.date(2020, 1, 1), dt.date(2020, 6, 15)]
    assert [day_date(d) for d in segs["end"]] == [dt.date(2020, 6, 15), dt.date(2021, 1, 1)]
    assert list(segs["band"]) == [2, 3]
    assert list(segs["event"]) == [EVENT_AGE, G]
    assert list(segs["entry"]) == [True, False]
    # exposure is split exactly: 166 days before the birthday, 200 after
    assert list(segs["end"] - segs["start"]) == [166, 200]


def test_a_baby_crosses_two_bands_and_the_18th_birthday_ends_the_time(make_episodes):
    episodes = make_episodes([
        ("B", "2019-02-01", "2019-03-01", "2025-01-01", "U6", "PR4"),
        ("C", "2006-05-10", "2023-01-01", None, "K2", "PR4"),  # 18 on 10 May 2024
    ])  # fmt: skip
    segs = segments(episodes, CONFIG, LAST)
    b = segs[segs["child"] == 0]
    assert list(b["band"]) == [0, 1, 2]
    assert [day_date(d) for d in b["end"]] == [
        dt.date(2020, 2, 1), dt.date(2024, 2, 1), dt.date(2025, 1, 1)]  # fmt: skip
    c = segs[segs["child"] == 1]
    assert list(c["band"]) == [4]
    assert day_date(c["end"].iloc[0]) == dt.date(2024, 5, 10)
    assert list(c["event"]) == [EVENT_AGE]  # ageing out is not a hazard exit


def test_leaving_care_on_the_18th_birthday_is_ageing_out_not_an_exit(make_episodes):
    episodes = make_episodes([
        ("D", "2006-05-10", "2023-01-01", "2024-05-10", "H5", "PR4"),  # DEC = 18th birthday
        ("E", "2006-08-01", "2023-01-01", "2024-05-10", "H5", "PR4"),  # left at 17
    ])  # fmt: skip
    segs = segments(episodes, CONFIG, LAST)
    assert list(segs[segs["child"] == 0]["event"]) == [EVENT_AGE]
    assert list(segs[segs["child"] == 1]["event"]) == [G]


def test_leap_day_birthdays():
    dob = pd.Series(pd.to_datetime(["2008-02-29", "2010-03-01"]))
    assert [day_date(d) for d in birthdays(dob, 1)] == [dt.date(2009, 2, 28), dt.date(2011, 3, 1)]
    assert day_date(birthdays(dob, 4)[0]) == dt.date(2012, 2, 29)


def test_stock_counts_children_at_their_current_age(make_episodes):
    episodes = make_episodes([
        ("A", "2010-06-15", "2020-01-01", "2021-01-01", "U4", "PR4"),
        ("B", "2019-12-01", "2020-01-01", None, "U4", "PR1"),
        ("C", "2010-01-01", "2019-01-01", "2020-06-01", "K2", "PR4"),  # left before the date
    ])  # fmt: skip
    segs = segments(episodes, CONFIG, LAST)
    stock = stock_on(segs, CONFIG, dt.date(2020, 6, 30))
    expected = np.zeros((5, G))
    expected[3, IFA] = 1  # A is 10 on 30 June 2020 (at entry A was 9)
    expected[0, FOSTER_IN] = 1
    np.testing.assert_array_equal(stock, expected)
    # The day an episode ends is not a day in care.
    assert stock_on(segs, CONFIG, dt.date(2020, 5, 31))[3, RES_EXT] == 1
    assert stock_on(segs, CONFIG, dt.date(2020, 6, 1))[3, RES_EXT] == 0


def test_initial_stock_by_calendar_age_in_months(make_episodes):
    episodes = make_episodes([
        ("A", "2010-05-15", "2020-01-01", None, "U4", "PR1"),
        ("B", "2007-03-31", "2020-01-01", None, "U4", "PR1"),  # 18 on the last day: gone
        ("C", "2012-01-01", "2020-01-01", "2024-01-01", "U4", "PR1"),
    ])  # fmt: skip
    stock = initial_stock(episodes, CONFIG, LAST)
    assert stock.sum() == 1
    assert stock[12 * 14 + 10, FOSTER_IN] == 1  # 14 years 10 months in March 2025


def test_truncate_hides_what_happened_later(make_episodes):
    episodes = make_episodes([
        ("A", "2010-05-15", "2020-01-01", "2022-01-01", "U4", "PR1"),
        ("B", "2010-05-15", "2021-06-01", None, "U4", "PR1"),
    ])  # fmt: skip
    known = truncate(episodes, dt.date(2021, 3, 31))
    assert list(known["child_id"]) == ["A"]
    assert known["end"].isna().all() and list(known["rec"]) == [""]
