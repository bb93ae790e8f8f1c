"""Episodes to model states: spells in one placement group, split at birthdays into age bands.

Time is in whole days (``int64`` days since 1970-01-01). A spell occupies ``[start, end)``:
the day of DEC is not a day in care, and an episode open at the last collection date is
censored at ``last_date + 1``. The stock on a date ``d`` (end of day) is every spell with
``start <= d < end``.

Each segment ends in one of:

- ``EVENT_CENSORED`` (-1): still open at the end of the data;
- ``EVENT_AGE`` (-2): a birthday moves the child into the next band, or out of care at 18
  (deterministic, not a hazard);
- a group index ``0..G-1``: the child moved to that placement group the same day;
- ``G`` (the number of groups): the child left care.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from csplan.demand.config import MAX_AGE_YEARS, ModelConfig

EVENT_CENSORED = -1
EVENT_AGE = -2
_EPOCH = np.datetime64("1970-01-01", "D")


def day_number(value: dt.date | pd.Timestamp | np.datetime64) -> int:
    return int((np.datetime64(pd.Timestamp(value).date(), "D") - _EPOCH).astype(np.int64))


def day_date(day: int) -> dt.date:
    return (_EPOCH + np.timedelta64(int(day), "D")).astype(dt.date)


def _days(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[D]").astype(np.int64)


def birthdays(dob: pd.Series, years: int) -> np.ndarray:
    """Day number of each child's ``years``-th birthday (29 February -> 28 February)."""
    year = dob.dt.year.to_numpy() + years
    month = dob.dt.month.to_numpy()
    day = dob.dt.day.to_numpy().copy()
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day[(month == 2) & (day == 29) & ~leap] = 28
    frame = pd.DataFrame({"year": year, "month": month, "day": day})
    return _days(pd.to_datetime(frame))


def truncate(episodes: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """The episodes as a return made on ``until`` would show them (later events unknown)."""
    limit = pd.Timestamp(until)
    kept = episodes[episodes["start"] <= limit].copy()
    later = kept["end"].notna() & (kept["end"] > limit)
    kept.loc[later, "end"] = pd.NaT
    kept.loc[later, "rec"] = ""
    return kept.reset_index(drop=True)


def spells(episodes: pd.DataFrame, config: ModelConfig, last_date: dt.date) -> pd.DataFrame:
    """Consecutive episodes in the same placement group merged into spells.

    Columns: ``child`` (int code), ``dob``, ``start``, ``end`` (days), ``group``, ``event``
    (next group, exit or censored), ``entry`` (True when the spell starts a period of care),
    and of the period of care the spell is in: ``period_start`` (day), ``start_known``
    (False when the period was already under way when the data begin: ``period_start`` is
    then the first day the data show, and the period began earlier), ``entry_ls`` (the legal
    status it began under, as far as the data show) and ``uasc`` (the child was ever an
    unaccompanied asylum-seeking child).
    """
    ep = episodes.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)
    # Children are numbered before short breaks are left out, so a child's number is the same
    # whichever episodes the model counts.
    child = pd.factorize(ep["child_id"])[0]
    modelled = config.modelled(ep["ls"])
    ep, child = ep[modelled].reset_index(drop=True), child[modelled]
    start = _days(ep["start"])
    censor = day_number(last_date) + 1
    is_open = ep["end"].isna().to_numpy()
    end = np.where(is_open, censor, _days(ep["end"].fillna(pd.Timestamp(last_date))))
    group = config.assign_groups(ep["place"], ep["place_provider"])
    n_groups = len(config.groups)

    same_child_next = np.zeros(len(ep), dtype=bool)
    same_child_next[:-1] = child[1:] == child[:-1]
    continues = same_child_next & ~is_open
    continues[:-1] &= start[1:] == end[:-1]
    continues[-1:] = False
    next_group = np.append(group[1:], -1)
    merge_with_next = continues & (next_group == group)

    event = np.where(is_open, EVENT_CENSORED, np.where(continues, next_group, n_groups))
    entry = np.ones(len(ep), dtype=bool)
    entry[1:] = ~continues[:-1]
    # A spell starts at a row whose predecessor does not merge into it.
    spell_start = np.ones(len(ep), dtype=bool)
    spell_start[1:] = ~merge_with_next[:-1]
    spell_id = np.cumsum(spell_start) - 1
    period_first = np.flatnonzero(entry)
    period = np.cumsum(entry) - 1
    period_start = start[period_first][period]
    # A child's first episode in the data that is not a start of care (RNE other than S)
    # belongs to a period that began before the data, on a day the data do not show.
    first_of_child = np.ones(len(ep), dtype=bool)
    first_of_child[1:] = child[1:] != child[:-1]
    rne = ep["rne"].to_numpy(dtype=object) if "rne" in ep else np.full(len(ep), "S", dtype=object)
    start_known = ~(first_of_child & (rne != "S"))[period_first][period]
    entry_ls = ep["ls"].to_numpy(dtype=object)[period_first][period]
    uasc = ep["uasc"].to_numpy(dtype=bool) if "uasc" in ep else np.zeros(len(ep), dtype=bool)
    last_row = np.append(spell_id[1:] != spell_id[:-1], True)
    first_rows = np.flatnonzero(spell_start)
    last_rows = np.flatnonzero(last_row)
    return pd.DataFrame(
        {
            "child": child[first_rows],
            "dob": ep["dob"].to_numpy()[first_rows],
            "start": start[first_rows],
            "end": end[last_rows],
            "group": group[first_rows],
            "event": event[last_rows],
            "entry": entry[first_rows],
            "period_start": period_start[first_rows],
            "start_known": start_known[first_rows],
            "entry_ls": entry_ls[first_rows],
            "uasc": uasc[first_rows],
        }
    )


def segments(episodes: pd.DataFrame, config: ModelConfig, last_date: dt.date) -> pd.DataFrame:
    """Spells split at the birthdays that start each age band; columns as ``spells`` plus
    ``band``. Time after the 18th birthday is dropped (the child has left care at 18)."""
    return split_at_birthdays(spells(episodes, config, last_date), config)


def split_at_birthdays(frame: pd.DataFrame, config: ModelConfig) -> pd.DataFrame:
    """``spells`` cut at the birthdays that start each age band (see ``segments``)."""
    dob = pd.Series(pd.to_datetime(frame["dob"]))
    start, end = frame["start"].to_numpy(), frame["end"].to_numpy()
    event, entry = frame["event"].to_numpy(), frame["entry"].to_numpy()
    keep_cols = {key: frame[key].to_numpy()
                 for key in ("child", "group", "period_start", "start_known", "entry_ls",
                             "uasc")}  # fmt: skip
    cuts = [birthdays(dob, band.to_years) for band in config.age_bands]
    band = np.zeros(len(frame), dtype=np.int64)
    for cut in cuts:
        band += start >= cut
    pieces = []
    last_band, exits = len(config.age_bands) - 1, len(config.groups)
    # Each spell is cut at every band edge inside it; piece k runs in band band0 + k.
    current_start = start.copy()
    current_band = band.copy()
    remaining = np.ones(len(frame), dtype=bool)
    first = np.ones(len(frame), dtype=bool)
    for _ in range(len(config.age_bands)):
        idx = np.flatnonzero(remaining & (current_band < len(config.age_bands)))
        if not len(idx):
            break
        upper = np.stack(cuts, axis=1)[idx, current_band[idx]]
        crosses = upper < end[idx]
        # Leaving care on the 18th birthday is ageing out, which the forecast makes happen
        # by itself: counted as an exit it would also raise the 16-17 leaving rate.
        ages_out = (current_band[idx] == last_band) & (upper == end[idx]) & (event[idx] == exits)
        piece_end = np.where(crosses, upper, end[idx])
        pieces.append(
            pd.DataFrame(
                {
                    "child": keep_cols["child"][idx],
                    "start": current_start[idx],
                    "end": piece_end,
                    "band": current_band[idx],
                    "group": keep_cols["group"][idx],
                    "event": np.where(crosses | ages_out, EVENT_AGE, event[idx]),
                    "entry": entry[idx] & first[idx],
                    "period_start": keep_cols["period_start"][idx],
                    "start_known": keep_cols["start_known"][idx],
                    "entry_ls": keep_cols["entry_ls"][idx],
                    "uasc": keep_cols["uasc"][idx],
                }
            )
        )
        remaining[idx] = crosses
        current_start[idx] = np.where(crosses, upper, current_start[idx])
        current_band[idx] += crosses
        first[idx] = False
        remaining &= current_band < len(config.age_bands)
    result = pd.concat(pieces, ignore_index=True)
    result = result[result["end"] > result["start"]]
    return result.sort_values(["child", "start"], kind="stable").reset_index(drop=True)


def stock_on(segs: pd.DataFrame, config: ModelConfig, day: dt.date) -> np.ndarray:
    """Children in care at the end of ``day`` by (age band, placement group)."""
    d = day_number(day)
    live = segs[(segs["start"] <= d) & (segs["end"] > d)]
    counts = np.zeros((len(config.age_bands), len(config.groups)))
    np.add.at(counts, (live["band"].to_numpy(), live["group"].to_numpy()), 1)
    return counts


def age_in_months(dob: pd.Series, day: dt.date) -> np.ndarray:
    """Calendar age in months on ``day``: 12 x years + months between the birth month and
    ``day``'s month. At a month end this is in the same age band as the child's true age."""
    return (day.year - dob.dt.year.to_numpy()) * 12 + (day.month - dob.dt.month.to_numpy())


def initial_stock(episodes: pd.DataFrame, config: ModelConfig, last_date: dt.date) -> np.ndarray:
    """Children in care at the end of ``last_date`` by (calendar age in months, group):
    shape ``(216, G)``."""
    d = pd.Timestamp(last_date)
    live = episodes[(episodes["start"] <= d) & (episodes["end"].isna() | (episodes["end"] > d))]
    live = live[config.modelled(live["ls"])]
    ages = age_in_months(live["dob"], last_date)
    groups = config.assign_groups(live["place"], live["place_provider"])
    ok = (ages >= 0) & (ages < MAX_AGE_YEARS * 12)
    counts = np.zeros((MAX_AGE_YEARS * 12, len(config.groups)))
    np.add.at(counts, (ages[ok], groups[ok]), 1)
    return counts
