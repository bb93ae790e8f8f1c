"""Short breaks (legal status V3/V4) are left out of the model, as the DfE leaves them out of
its children-looked-after figures, unless the configuration includes them."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csplan.demand.config import ConfigError, load_config, parse_config
from csplan.demand.forecast import fit
from csplan.demand.states import initial_stock, spells

LAST = dt.date(2025, 3, 31)
CONFIG = load_config()
IFA = CONFIG.group_index("foster_ifa")
LEGAL_STATUS = pd.Series(["V3", "C2", " v4 "])


def _with_short_breaks(make_episodes):
    frame = make_episodes([
        # A: respite only, under a series of short breaks (V3), in care on 31 March 2025
        ("A", "2015-06-01", "2024-10-01", None, "U4", "PR4"),
        # B: a short break, then looked after under a care order from the day it ended
        ("B", "2016-02-01", "2023-06-01", "2023-09-01", "U4", "PR4"),
        ("B", "2016-02-01", "2023-09-01", None, "U4", "PR4"),
        # C: in care under a care order throughout
        ("C", "2012-01-01", "2022-01-01", None, "U4", "PR4"),
    ])  # fmt: skip
    frame.loc[0, "ls"] = "V3"
    frame.loc[1, "ls"] = "v4"  # as a council's file may write it
    return frame


def test_short_breaks_are_left_out_unless_included(make_episodes):
    episodes = _with_short_breaks(make_episodes)
    assert not CONFIG.include_short_breaks
    assert initial_stock(episodes, CONFIG, LAST)[:, IFA].sum() == 2  # B and C
    included = CONFIG.with_short_breaks()
    assert initial_stock(episodes, included, LAST)[:, IFA].sum() == 3

    left_out = spells(episodes, CONFIG, LAST)
    # B's period of care starts when the care order does: an entry on 1 September 2023
    b_code = 1
    b = left_out[left_out["child"] == b_code]
    assert len(b) == 1 and bool(b["entry"].iloc[0])
    assert b["start"].iloc[0] == (dt.date(2023, 9, 1) - dt.date(1970, 1, 1)).days
    # children keep their numbers whichever episodes are counted
    assert sorted(left_out["child"].unique()) == [1, 2]
    assert sorted(spells(episodes, included, LAST)["child"].unique()) == [0, 1, 2]


def test_a_fit_without_short_breaks_keeps_each_entrant_with_their_own_birth_date(make_episodes):
    episodes = _with_short_breaks(make_episodes)
    params = fit(episodes, LAST, CONFIG)
    with_breaks = fit(episodes, LAST, CONFIG.with_short_breaks())
    assert params.initial.sum() == 2 and with_breaks.initial.sum() == 3
    # B entered aged 7 (born February 2016, in care from September 2023): band 5-9
    mix = params.entries.mix_counts
    assert mix.sum() == 1 and mix[CONFIG.band_keys.index("5-9")].sum() == 1


def test_the_configuration_says_whether_short_breaks_count():
    text = CONFIG.text
    assert parse_config(text + "\nshort_breaks: include\n").include_short_breaks
    assert not parse_config(text + "\nshort_breaks: exclude\n").include_short_breaks
    with pytest.raises(ConfigError, match="short_breaks must be exclude or include, not 'yes'"):
        parse_config(text + "\nshort_breaks: 'yes'\n")
    included = CONFIG.with_short_breaks()
    assert included.hash != CONFIG.hash  # an evidence record says which it used
    assert parse_config(included.text).include_short_breaks
    assert np.array_equal(included.modelled(LEGAL_STATUS), [True, True, True])
    assert np.array_equal(CONFIG.modelled(LEGAL_STATUS), [False, True, False])
