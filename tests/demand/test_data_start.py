"""A reference window never reaches before the first day the returns cover."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from csplan.demand.backtest import rolling_origins
from csplan.demand.config import load_config
from csplan.demand.forecast import collection_start, fit
from csplan.demand.rates import Window

LAST = dt.date(2025, 3, 31)
CONFIG = load_config()
IFA, G = 1, len(CONFIG.groups)


def _episodes(make_episodes) -> pd.DataFrame:
    # In care since 2019 (so in the 2023-24 return) and one who came and went in 2024-25.
    return make_episodes([
        ("A", "2015-06-01", "2019-01-01", None, "U4", "PR4"),
        ("B", "2015-06-01", "2024-06-01", "2024-07-01", "U4", "PR4"),
    ])  # fmt: skip


def test_the_first_day_of_the_returns_is_1_april_of_the_first_collection_year():
    assert collection_start([2024, 2025]) == dt.date(2023, 4, 1)


def test_a_window_reaching_before_the_returns_starts_at_their_first_day(make_episodes):
    episodes = _episodes(make_episodes)
    asked = Window(dt.date(2022, 4, 1), LAST)  # 36 months; the returns start in April 2023
    params = fit(episodes, LAST, CONFIG, window=asked, data_start=dt.date(2023, 4, 1))
    assert params.window == Window(dt.date(2023, 4, 1), LAST)
    # A's child-days from 1 April 2023 only (731 days), B's 30: one exit in 761 days
    assert params.transitions.exposure[2, IFA] == 731 + 30
    assert params.transitions.hazards()[2, IFA, G] == 1 / 761
    assert ("reference window from 2023-04-01, the first day of the returns, not 2022-04-01"
            in params.entries.notes[-1])  # fmt: skip
    unclipped = fit(episodes, LAST, CONFIG, window=asked)
    assert unclipped.transitions.exposure[2, IFA] == 1096 + 30  # the survivor's year counted


def test_rolling_origins_leave_a_year_after_the_first_day_of_the_returns(make_episodes):
    episodes = _episodes(make_episodes)
    # by the earliest episode (2019) all six qualify; by the returns' first day (April
    # 2023) none before March 2024
    assert rolling_origins(episodes, LAST, 6, 6, 2) == [
        dt.date(2023, 11, 30), dt.date(2024, 1, 31), dt.date(2024, 3, 31),
        dt.date(2024, 5, 31), dt.date(2024, 7, 31), dt.date(2024, 9, 30)]  # fmt: skip
    assert rolling_origins(episodes, LAST, 6, 6, 2, dt.date(2023, 4, 1)) == [
        dt.date(2024, 3, 31), dt.date(2024, 5, 31), dt.date(2024, 7, 31),
        dt.date(2024, 9, 30)]  # fmt: skip
