"""Synthetic SSDA903 returns: realistic, reproducible and fast (vectorised with numpy).

No real personal data: child ids are ``C000123``, dates of birth and everything else are
drawn at random. The shape follows published national figures: the age profile of children
starting to be looked after, short stays, moves between placements, step-downs, changes of
legal status (interim to full care order, placement order before adoption), re-entries after
a return home, children ageing out at 18, and about 60% of foster placements with the
council's own carers (Hertfordshire reported 64%).

``generate`` returns the tables per collection year in memory; ``write_returns`` writes them
the way the DfE's 903 collection exports them (one header and one episodes file per year,
dates ``dd/mm/YYYY``, sex 1/2 until 2023-24 and M/F from 2024-25).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from csplan.demand.codes import sex_code_for_year

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
UASC_COLUMNS = ["CHILD", "SEX", "DOB", "DUC"]

_EPOCH = np.datetime64("1970-01-01", "D")

# Age at entry (DfE, children starting to be looked after): share by band, band in years.
_ENTRY_BANDS = [(0.0, 1.0, 0.19), (1.0, 5.0, 0.14), (5.0, 10.0, 0.15), (10.0, 16.0, 0.36),
                (16.0, 17.9, 0.16)]  # fmt: skip
# Median length of a period of care in days, by entry band; a share of stays are short.
_MEDIAN_STAY = np.array([560.0, 480.0, 520.0, 420.0, 260.0])
_SHORT_STAY_SHARE = 0.2

# Placement mix by age band at the start of a placement (codes, weights).
_PLACEMENTS = {
    0: ("U1 U3 U4 U5 U6 R3", [5, 13, 24, 5, 50, 3]),
    1: ("U1 U3 U4 U5 U6 K2", [7, 12, 30, 3, 46, 2]),
    2: ("U1 U3 U4 U6 K2 S1", [8, 9, 36, 37, 8, 2]),
    3: ("U1 U3 U4 U6 K2 S1 R1 R2", [6, 6, 28, 31, 23, 4, 1, 1]),
    4: ("U1 U3 U4 U6 K2 SUP P2 Z1 R5", [3, 3, 20, 15, 14, 32, 8, 3, 2]),
}
_FOSTER = {"U4", "U5", "U6"}
_CHANGE_REASONS = ["CARPL", "CLOSE", "CREQB", "CREQO", "CHILD", "LAREQ", "STAND", "OTHER"]
_CHANGE_WEIGHTS = np.array([45, 4, 12, 10, 8, 8, 3, 10]) / 100
# Published postcodes (ONS) that the DfE validator maps to Hertfordshire (E10000015), and a
# few outside it; synthetic returns are validated as if from that council.
_POSTCODES_IN = ["EN10 6AA", "EN10 7FL", "EN2 8AT", "EN4 0PH", "LU1 4DB", "LU2 8BY",
                 "SG1 1AA", "SG1 1AB"]  # fmt: skip
_POSTCODES_OUT = ["E4 7XB", "EN4 0AD", "LU1 1AA", "LU1 1AB"]
SYNTHETIC_LA = "E10000015"
_KINSHIP = {"U1", "U2", "U3"}


@dataclass
class SyntheticReturns:
    """Tables per collection year, as the DfE 903 export has them (all cells text)."""

    header: dict[int, pd.DataFrame] = field(default_factory=dict)
    episodes: dict[int, pd.DataFrame] = field(default_factory=dict)
    uasc: dict[int, pd.DataFrame] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    #: Every episode once, with real dates (for tests and checks), before the split by year.
    all_episodes: pd.DataFrame | None = None


def generate(
    children_in_care: int = 1000,
    years: int = 5,
    last_year: int = 2025,
    seed: int = 0,
    *,
    entry_trend: float = 0.03,
    in_house_share: float = 0.6,
    re_entry_share: float = 0.15,
    uasc_share: float = 0.06,
) -> SyntheticReturns:
    """Synthetic returns for ``years`` collection years ending 31 March ``last_year``.

    Entries are scaled so that about ``children_in_care`` are looked after on 31 March of the
    last year. ``entry_trend`` is the yearly growth in entries; ``in_house_share`` the share of
    (non-kinship) foster placements with the council's own carers.
    """
    if children_in_care < 1 or years < 1:
        raise ValueError("children_in_care and years must be at least 1")
    rng = np.random.default_rng(seed)
    horizon = _day(last_year, 3, 31)
    first_start = _day(last_year - years, 4, 1)
    burn_in_start = first_start - 13 * 365
    # Roughly 0.5 entries a year per child in care on the day; scale after a first pass.
    per_year = max(children_in_care * 0.5, 20.0)
    periods = _periods(rng, per_year, burn_in_start, horizon, entry_trend, re_entry_share)
    stock = _in_care(periods, horizon)
    if stock < children_in_care:
        per_year *= 1.15 * children_in_care / max(stock, 1)
        periods = _periods(rng, per_year, burn_in_start, horizon, entry_trend, re_entry_share)
        stock = _in_care(periods, horizon)
    keep_share = min(1.0, children_in_care / max(stock, 1))
    children = periods["child"].unique()
    kept = children[rng.random(len(children)) < keep_share]
    periods = periods[periods["child"].isin(kept)].reset_index(drop=True)
    episodes = _episodes(rng, periods, horizon, in_house_share)
    people = _people(rng, periods, uasc_share)
    return _split_by_year(episodes, people, last_year, years)


def write_returns(
    path: Path | str,
    children_in_care: int = 1000,
    years: int = 5,
    last_year: int = 2025,
    seed: int = 0,
    *,
    fmt: str = "csv",
    layout: str = "folders",
    uasc: bool = False,
    returns: SyntheticReturns | None = None,
) -> list[Path]:
    """Write one header and one episodes file per collection year; the paths written.

    ``layout="folders"`` writes ``2024/header.csv``, ``2024/episodes.csv``; ``"flat"`` writes
    ``header_2024.csv``, ``episodes_2024.csv``. ``fmt`` is ``csv`` or ``xlsx``. ``uasc`` adds
    the UASC table for the years it has rows.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt must be csv or xlsx, not {fmt!r}")
    if layout not in ("folders", "flat"):
        raise ValueError(f"layout must be folders or flat, not {layout!r}")
    data = returns or generate(children_in_care, years, last_year, seed)
    root = Path(path)
    written = []
    for year in data.years:
        tables = {"header": data.header[year], "episodes": data.episodes[year]}
        if uasc and len(data.uasc[year]):
            tables["uasc"] = data.uasc[year]
        for name, frame in tables.items():
            target = (
                root / str(year) / f"{name}.{fmt}"
                if layout == "folders"
                else (root / f"{name}_{year}.{fmt}")
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "csv":
                frame.to_csv(target, index=False)
            else:
                frame.to_excel(target, index=False, sheet_name=name)
            written.append(target)
    return written


# -- periods of care --------------------------------------------------------------------------


def _day(year: int, month: int, day: int) -> int:
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D") - _EPOCH).astype(int))


def _periods(
    rng: np.random.Generator, per_year: float, begin: int, horizon: int,
    trend: float, re_entry_share: float,
) -> pd.DataFrame:  # fmt: skip
    """Periods of care: one per entry, plus re-entries after some returns home."""
    span_years = (horizon - begin) / 365.25
    n_years = int(np.ceil(span_years))
    rates = per_year * (1 + trend) ** (np.arange(n_years) - n_years)
    counts = rng.poisson(rates)
    year_index = np.repeat(np.arange(n_years), counts)
    start = begin + ((year_index + rng.random(len(year_index))) * 365.25).astype(np.int64)
    start = start[start <= horizon]
    n = len(start)
    bands = rng.choice(len(_ENTRY_BANDS), size=n, p=[b[2] for b in _ENTRY_BANDS])
    low = np.array([b[0] for b in _ENTRY_BANDS])[bands]
    high = np.array([b[1] for b in _ENTRY_BANDS])[bands]
    age_days = ((low + (high - low) * rng.random(n)) * 365.25).astype(np.int64)
    first = pd.DataFrame({"child": np.arange(n), "start": start, "dob": start - age_days,
                          "band": bands})  # fmt: skip
    first = _stays(rng, first)
    again = first[first["exit"].isin(["E4A", "E13"]) & (rng.random(n) < re_entry_share)]
    gap = rng.integers(60, 730, size=len(again))
    second = pd.DataFrame({"child": again["child"].to_numpy(),
                           "start": again["end"].to_numpy() + gap,
                           "dob": again["dob"].to_numpy()})  # fmt: skip
    age_years = (second["start"] - second["dob"]) / 365.25
    second = second[(second["start"] <= horizon) & (age_years < 17.5)].copy()
    second["band"] = np.digitize((second["start"] - second["dob"]) / 365.25, [1, 5, 10, 16])
    second = _stays(rng, second)
    periods = pd.concat([first, second], ignore_index=True)
    return periods.sort_values(["child", "start"], kind="stable").reset_index(drop=True)


def _stays(rng: np.random.Generator, periods: pd.DataFrame) -> pd.DataFrame:
    """Length of stay and the reason it ends; ages out on the 18th birthday."""
    n = len(periods)
    band = periods["band"].to_numpy()
    median = _MEDIAN_STAY[band]
    stay = np.exp(np.log(median) + 1.0 * rng.standard_normal(n))
    short = rng.random(n) < _SHORT_STAY_SHARE
    stay[short] = rng.integers(2, 56, size=short.sum())
    start = periods["start"].to_numpy()
    eighteenth = _eighteenth(periods["dob"].to_numpy())
    end = np.minimum(start + stay.astype(np.int64) + 1, eighteenth)
    aged_out = end >= eighteenth
    exit_reason = _exit_reasons(rng, band, end - start, aged_out)
    out = periods.copy()
    out["end"] = end
    out["exit"] = exit_reason
    out["aged_out"] = aged_out
    return out


def _eighteenth(dob: np.ndarray) -> np.ndarray:
    """The 18th birthday (29 February births on 28 February), as day numbers."""
    born = np.asarray(dob, dtype="int64").astype("datetime64[D]")
    years = born.astype("datetime64[Y]")
    month_day = born - born.astype("datetime64[M]").astype("datetime64[D]")
    months = born.astype("datetime64[M]") - years.astype("datetime64[M]")
    target_month = (years + 18).astype("datetime64[M]") + months
    next_month = (target_month + 1).astype("datetime64[D]")
    day = np.minimum(target_month.astype("datetime64[D]") + month_day, next_month - 1)
    return (day - _EPOCH).astype(np.int64)


def _exit_reasons(
    rng: np.random.Generator, band: np.ndarray, stay: np.ndarray, aged_out: np.ndarray
) -> np.ndarray:
    choices = {
        0: ("E11 E12 E45 E46 E47 E4A E13 E41 E8", [18, 12, 8, 6, 6, 35, 5, 5, 5]),
        1: ("E11 E12 E45 E47 E4A E13 E41 E8", [10, 6, 8, 8, 50, 8, 5, 5]),
        2: ("E45 E47 E4A E13 E41 E8", [8, 10, 55, 12, 5, 10]),
        3: ("E4A E4B E13 E45 E47 E8 E3 E9", [52, 10, 12, 4, 4, 10, 5, 3]),
        4: ("E4A E5 E6 E8 E13 E3", [40, 25, 10, 10, 10, 5]),
    }
    reasons = np.empty(len(band), dtype=object)
    for b, (codes, weights) in choices.items():
        mask = band == b
        p = np.array(weights, dtype=float) / sum(weights)
        reasons[mask] = rng.choice(codes.split(), size=mask.sum(), p=p)
    # Adoption and special guardianship take time; a short stay ends with a return home.
    slow = np.isin(reasons, ["E11", "E12", "E45", "E46", "E47", "E41"])
    reasons[slow & (stay < 300)] = "E4A"
    reasons[np.isin(reasons, ["E11", "E12"]) & (stay < 450)] = "E4A"
    outs = rng.choice(["E17", "E5", "E6", "E8"], size=aged_out.sum(), p=[0.3, 0.45, 0.1, 0.15])
    reasons[aged_out] = outs
    return reasons


def _in_care(periods: pd.DataFrame, day: int) -> int:
    on_day = (periods["start"] <= day) & (periods["end"] > day)
    return int(periods.loc[on_day, "child"].nunique())


# -- episodes within a period -----------------------------------------------------------------


def _episodes(
    rng: np.random.Generator, periods: pd.DataFrame, horizon: int, in_house_share: float
) -> pd.DataFrame:
    """Cut each period into episodes at placement moves and changes of legal status."""
    n = len(periods)
    start = periods["start"].to_numpy()
    end = periods["end"].to_numpy()
    dob = periods["dob"].to_numpy()
    exit_reason = periods["exit"].to_numpy().copy()
    stay = end - start
    adopted = np.isin(exit_reason, ["E11", "E12"])
    # Legal status at entry; emergency orders only where the stay is long enough to convert.
    age0 = (start - dob) / 365.25
    first_ls = rng.choice(["V2", "C1", "L2"], size=n, p=[0.47, 0.48, 0.05])
    first_ls[(first_ls == "L2") & (stay < 30)] = "V2"
    first_ls[adopted] = "C1"
    remand = (exit_reason == "E9") | ((age0 >= 12) & (stay < 90) & (rng.random(n) < 0.1))
    remand &= ~periods["aged_out"].to_numpy()
    first_ls[remand] = "J1"
    exit_reason[remand & (exit_reason != "E9")] = "E14"

    # Cut points: legal changes (kind 1) and placement moves (kind 2), as day offsets.
    cuts = [_legal_cuts(rng, first_ls, stay, adopted), _move_cuts(rng, stay, adopted)]
    pid = np.concatenate([c[0] for c in cuts])
    offset = np.concatenate([c[1] for c in cuts])
    kind = np.concatenate([c[2] for c in cuts])
    ls_after = np.concatenate([c[3] for c in cuts])
    inside = (offset > 0) & (offset < stay[pid])
    pid, offset, kind, ls_after = pid[inside], offset[inside], kind[inside], ls_after[inside]
    # Episode starts: each period's start (kind 0) plus the cuts; same-day cuts merge.
    pid = np.concatenate([np.arange(n), pid])
    offset = np.concatenate([np.zeros(n, dtype=np.int64), offset])
    kind = np.concatenate([np.zeros(n, dtype=np.int64), kind])
    ls_after = np.concatenate([first_ls, ls_after])
    order = np.lexsort((kind, offset, pid))
    pid, offset, kind, ls_after = pid[order], offset[order], kind[order], ls_after[order]
    eps = _merge_same_day(pd.DataFrame({"pid": pid, "offset": offset, "kind": kind,
                                        "ls_new": ls_after}))  # fmt: skip
    return _dress(rng, eps, periods, horizon, in_house_share, exit_reason, adopted)


def _merge_same_day(eps: pd.DataFrame) -> pd.DataFrame:
    """One row per (period, day): flags 1 start, 2 legal change, 4 move, 8 move to adopters."""
    flag = np.left_shift(1, eps["kind"].to_numpy())
    key_change = np.r_[True, (np.diff(eps["pid"].to_numpy()) != 0)
                       | (np.diff(eps["offset"].to_numpy()) != 0)]  # fmt: skip
    group = np.cumsum(key_change) - 1
    flags = np.zeros(group[-1] + 1, dtype=np.int64)
    np.bitwise_or.at(flags, group, flag)
    ls = np.full(group[-1] + 1, "", dtype=object)
    has_ls = eps["ls_new"].to_numpy() != ""
    ls[group[has_ls]] = eps["ls_new"].to_numpy()[has_ls]
    first = np.flatnonzero(key_change)
    return pd.DataFrame({"pid": eps["pid"].to_numpy()[first],
                         "offset": eps["offset"].to_numpy()[first],
                         "flags": flags, "ls_new": ls})  # fmt: skip


def _legal_cuts(
    rng: np.random.Generator, first_ls: np.ndarray, stay: np.ndarray, adopted: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Emergency order -> interim care order -> full care order -> placement order."""
    idx, offsets, new = [], [], []
    emergency = np.flatnonzero(first_ls == "L2")
    idx.append(emergency)
    offsets.append(rng.integers(3, 20, size=len(emergency)))
    new.append(np.full(len(emergency), "C1", dtype=object))
    interim = np.flatnonzero(np.isin(first_ls, ["C1", "L2"]))
    idx.append(interim)
    offsets.append(rng.integers(120, 330, size=len(interim)))
    new.append(np.full(len(interim), "C2", dtype=object))
    adoption = np.flatnonzero(adopted)
    placement_order = (stay[adoption] * rng.uniform(0.55, 0.7, size=len(adoption))).astype(int)
    idx.append(adoption)
    offsets.append(np.maximum(placement_order, 335))
    new.append(np.full(len(adoption), "E1", dtype=object))
    pid = np.concatenate(idx)
    return (
        pid,
        np.concatenate(offsets).astype(np.int64),
        np.ones(len(pid), np.int64),
        (np.concatenate(new)),
    )


def _move_cuts(
    rng: np.random.Generator, stay: np.ndarray, adopted: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Placement moves: about 0.6 a year in care, and the move to adopters (kind 3)."""
    moves = rng.poisson(0.6 * stay / 365.25)
    pid = np.repeat(np.arange(len(stay)), moves)
    offset = (rng.random(len(pid)) * stay[pid]).astype(np.int64)
    to_adopters = np.full(len(stay), np.iinfo(np.int64).max)
    share = rng.uniform(0.72, 0.85, size=len(stay))
    to_adopters[adopted] = np.maximum((stay * share).astype(np.int64), 340)[adopted]
    keep = offset < to_adopters[pid]  # once placed for adoption, no more moves
    adoption = np.flatnonzero(adopted)
    pid = np.concatenate([pid[keep], adoption])
    offset = np.concatenate([offset[keep], to_adopters[adoption]])
    kind = np.concatenate([np.full(keep.sum(), 2, np.int64), np.full(len(adoption), 3, np.int64)])
    return pid, offset, kind, np.full(len(pid), "", dtype=object)


def _dress(
    rng: np.random.Generator, eps: pd.DataFrame, periods: pd.DataFrame, horizon: int,
    in_house_share: float, exit_reason: np.ndarray, adopted: np.ndarray,
) -> pd.DataFrame:  # fmt: skip
    """Dates, legal status, placement, provider and reasons for every episode."""
    pid = eps["pid"].to_numpy()
    flags = eps["flags"].to_numpy()
    start = periods["start"].to_numpy()[pid] + eps["offset"].to_numpy()
    last = np.r_[pid[1:] != pid[:-1], True]
    first = np.r_[True, pid[1:] != pid[:-1]]
    end = np.where(last, periods["end"].to_numpy()[pid], np.r_[start[1:], 0])
    # Legal status carries forward within the period until it changes.
    ls_new = eps["ls_new"].to_numpy()
    ls = pd.Series(np.where(ls_new == "", None, ls_new)).ffill().to_numpy()
    # A placement is drawn at each start or move, then carried through legal-only changes.
    dob = periods["dob"].to_numpy()[pid]
    age = (start - dob) / 365.25
    moved = (flags & 0b101) > 0
    place = np.full(len(pid), None, dtype=object)
    band = np.digitize(age, [1, 5, 10, 16])
    for b, (codes, weights) in _PLACEMENTS.items():
        mask = moved & (band == b)
        p = np.array(weights, dtype=float) / sum(weights)
        place[mask] = rng.choice(codes.split(), size=mask.sum(), p=p)
    supported = place == "SUP"
    place[supported] = np.where(start[supported] >= _day(2024, 4, 1), "K3", "H5")
    # Independent living (P2) ended on 28 October 2023: from then on, supported accommodation.
    period_end = periods["end"].to_numpy()[pid]
    p2 = place == "P2"
    place[p2 & (period_end > _day(2023, 10, 28))] = "H5"
    place[p2 & (start >= _day(2023, 10, 28))] = "H5"
    place[p2 & (start >= _day(2024, 4, 1))] = "K3"
    to_adopters = (flags & 8) > 0
    place[to_adopters] = rng.choice(["A5", "A6"], size=to_adopters.sum(), p=[0.3, 0.7])
    moved = moved | to_adopters
    place = pd.Series(place).ffill().to_numpy()
    provider = _providers(rng, place, in_house_share)
    provider = _carry_provider(moved, provider)
    pl_post = _carry_provider(moved, _placement_postcodes(rng, provider, place))
    urn = _carry_provider(moved, _urns(rng, place))
    # Placed away from home; a move to the same kind of placement is to another carer.
    home = _home_postcode(periods["child"].to_numpy()[pid])
    pl_post = np.where(pl_post == home, _other_postcode(pl_post), pl_post)
    same = (
        moved
        & ~first
        & (place == np.append("", place[:-1]))
        & (provider == np.append("", provider[:-1]))
        & (pl_post == np.append("", pl_post[:-1]))
    )
    pl_post[same] = _other_postcode(pl_post[same])
    pl_post = np.where(pl_post == home, _other_postcode(pl_post), pl_post)
    pl_post = _carry_provider(moved, np.where(moved, pl_post, None))
    rne = _rne(first, flags, place)
    rec = np.where(last, exit_reason[pid], "X1").astype(object)
    # Special guardianship "to former foster carers" needs a foster placement at the end.
    not_foster = last & ~np.isin(place, list(_FOSTER | _KINSHIP))
    rec[not_foster & (rec == "E45")] = "E47"
    rec[not_foster & (rec == "E46")] = "E48"
    # The reason for a placement change is recorded on the episode the change ends.
    next_rne = np.append(rne[1:], "")
    change = (rec == "X1") & np.isin(next_rne, ["P", "B", "T", "U"])
    reason = np.where(change, rng.choice(_CHANGE_REASONS, size=len(rec), p=_CHANGE_WEIGHTS), "")
    out = pd.DataFrame({
        "child": periods["child"].to_numpy()[pid], "pid": pid,
        "start": start, "end": end,
        "rne": rne, "ls": ls, "place": place, "provider": provider,
        "rec": rec, "dob": dob,
        "reason_change": reason, "pl_post": pl_post, "urn": urn,
    })  # fmt: skip
    out = _register_supported(out)
    open_ = out["end"] > horizon
    out.loc[open_, ["end", "rec", "reason_change"]] = [-1, "", ""]
    out = out[out["start"] <= horizon]
    return out.reset_index(drop=True)


def _register_supported(out: pd.DataFrame) -> pd.DataFrame:
    """Supported accommodation (H5) became Ofsted-registered on 28 October 2023.

    An H5 placement running across that day is recorded as two episodes: the first without
    a URN, the second (RNE "T", same carer) with the provider's URN.
    """
    day = _day(2023, 10, 28)
    h5 = out["place"] == "H5"
    across = h5 & (out["start"] < day) & (out["end"] > day)
    later = out[across].copy()
    later["start"] = day
    later["rne"] = "T"
    out.loc[h5 & (out["start"] < day), "urn"] = "XXXXXXX"
    if later.empty:
        return out
    out.loc[across, ["end", "rec", "reason_change"]] = [day, "X1", "PLACE"]
    out = pd.concat([out, later])
    return out.sort_values(["pid", "start"], kind="stable").reset_index(drop=True)


def _providers(rng: np.random.Generator, place: np.ndarray, in_house: float) -> np.ndarray:
    provider = np.full(len(place), "PR4", dtype=object)
    r = rng.random(len(place))
    foster = np.isin(place, list(_FOSTER))
    provider[foster] = np.where(r[foster] < in_house, "PR1",
                                np.where(r[foster] < in_house + (1 - in_house) * 0.75,
                                         "PR4", "PR5"))  # fmt: skip
    provider[np.isin(place, list(_KINSHIP))] = "PR1"
    home = place == "K2"
    provider[home] = np.where(r[home] < 0.15, "PR1", np.where(r[home] < 0.95, "PR4", "PR5"))
    sup = np.isin(place, ["H5", "K3", "P2"])
    provider[sup] = np.where(r[sup] < 0.2, "PR1", np.where(r[sup] < 0.9, "PR4", "PR5"))
    adopt = np.isin(place, ["A5", "A6"])
    provider[adopt] = np.where(r[adopt] < 0.7, "PR1", np.where(r[adopt] < 0.8, "PR2", "PR5"))
    provider[np.isin(place, ["R1", "R2", "R5"])] = "PR3"
    provider[place == "R3"] = "PR1"
    provider[place == "Z1"] = ""
    return provider


def _carry_provider(moved: np.ndarray, provider: np.ndarray) -> np.ndarray:
    """A legal-only change keeps the carer, so it keeps the provider (and the postcode)."""
    kept = pd.Series(np.where(moved, provider, None)).ffill().to_numpy()
    return np.where(moved, provider, kept)


def _placement_postcodes(
    rng: np.random.Generator, provider: np.ndarray, place: np.ndarray
) -> np.ndarray:
    """Own provision and kinship care in the area; a third of the rest outside it."""
    inside = rng.choice(_POSTCODES_IN, size=len(place))
    outside = rng.choice(_POSTCODES_OUT, size=len(place))
    local = (provider == "PR1") | np.isin(place, list(_KINSHIP)) | (rng.random(len(place)) < 0.65)
    return np.where(local, inside, outside)


def _home_postcode(child: np.ndarray) -> np.ndarray:
    return np.array(_POSTCODES_IN, dtype=object)[(np.asarray(child) * 7) % len(_POSTCODES_IN)]


def _other_postcode(postcodes: np.ndarray) -> np.ndarray:
    """Another postcode in the same area (inside or outside the council)."""
    following = {}
    for group in (_POSTCODES_IN, _POSTCODES_OUT):
        following.update(zip(group, group[1:] + group[:1], strict=True))
    return np.array([following[p] for p in postcodes], dtype=object)


def _urns(rng: np.random.Generator, place: np.ndarray) -> np.ndarray:
    """Ofsted-style reference numbers (made up) for homes and supported accommodation."""
    urn = np.full(len(place), "XXXXXXX", dtype=object)
    numbers = rng.integers(100000, 999999, size=len(place)).astype(str)
    homes = place == "K2"
    urn[homes] = np.char.add("SC", numbers[homes])
    supported = np.isin(place, ["H5", "K3"])
    urn[supported] = np.char.add("2", numbers[supported])
    return urn


def _rne(first: np.ndarray, flags: np.ndarray, place: np.ndarray) -> np.ndarray:
    legal = (flags & 2) > 0
    moved = (flags & 12) > 0
    previous = np.r_[None, place[:-1]]
    same_carer = ((previous == "U6") & (place == "U4")) | ((previous == "U3") & (place == "U1"))
    rne = np.full(len(flags), "P", dtype=object)
    rne[legal & ~moved] = "L"
    rne[legal & moved] = np.where(same_carer[legal & moved], "U", "B")
    rne[~legal & moved & same_carer] = "T"
    # Placed for adoption with the current foster carers is a change of placement, same carer.
    with_carers = place == "A5"
    rne[with_carers & (rne == "P")] = "T"
    rne[with_carers & (rne == "B")] = "U"
    rne[first] = "S"
    return rne


# -- people and the split into returns --------------------------------------------------------


def _people(rng: np.random.Generator, periods: pd.DataFrame, uasc_share: float) -> pd.DataFrame:
    people = periods.groupby("child", sort=True).agg(
        dob=("dob", "first"), first_start=("start", "first")
    )
    n = len(people)
    people["sex"] = rng.choice(["1", "2"], size=n, p=[0.56, 0.44])
    ethnic_codes = "WBRI WOTH MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH"
    ethnic_weights = [70, 4, 3, 2, 2, 3, 1, 1, 1, 2, 2, 4, 1, 0.5, 3.5]
    people["ethnic"] = rng.choice(
        ethnic_codes.split(), size=n, p=np.array(ethnic_weights) / sum(ethnic_weights)
    )
    age_entry = (people["first_start"] - people["dob"]) / 365.25
    uasc = (age_entry >= 14) & (rng.random(n) < uasc_share / 0.3)
    people["uasc"] = uasc.to_numpy()
    people["home_post"] = _home_postcode(people.index.to_numpy())
    people.loc[people["uasc"], "sex"] = "1"
    people.loc[people["uasc"], "ethnic"] = rng.choice(
        ["BAFR", "AOTH", "OOTH"], size=int(people["uasc"].sum())
    )
    return people


def _dates(days: np.ndarray | pd.Series) -> pd.Series:
    values = np.asarray(days, dtype=np.int64)
    text = pd.Series(
        pd.to_datetime(np.where(values < 0, 0, values), unit="D").strftime("%d/%m/%Y"),
        dtype=object,
    )
    text[values < 0] = ""
    return text


def _split_by_year(
    episodes: pd.DataFrame, people: pd.DataFrame, last_year: int, years: int
) -> SyntheticReturns:
    result = SyntheticReturns(years=list(range(last_year - years + 1, last_year + 1)))
    ids = pd.Series([f"C{c:06d}" for c in people.index], index=people.index)
    episodes = episodes.assign(child_id=ids.loc[episodes["child"]].to_numpy())
    all_end = np.where(episodes["end"] < 0, np.iinfo(np.int64).max, episodes["end"])
    result.all_episodes = episodes
    for year in result.years:
        begin, finish = _day(year - 1, 4, 1), _day(year, 3, 31)
        in_year = (episodes["start"] <= finish) & (all_end >= begin)
        # An episode that ends on 1 April or later is still open in this year's return.
        eps = episodes[in_year]
        ends_later = all_end[in_year.to_numpy()] > finish
        end = np.where(ends_later, -1, eps["end"])
        rec = np.where(ends_later, "", eps["rec"])
        frame = pd.DataFrame({
            "CHILD": eps["child_id"].to_numpy(),
            "DECOM": _dates(eps["start"]).to_numpy(),
            "RNE": eps["rne"].to_numpy(), "LS": eps["ls"].to_numpy(),
            "CIN": _cin(eps["child"].to_numpy()),
            "PLACE": eps["place"].to_numpy(), "PLACE_PROVIDER": eps["provider"].to_numpy(),
            "DEC": _dates(end).to_numpy(), "REC": rec,
            "REASON_PLACE_CHANGE": np.where(ends_later, "", eps["reason_change"]),
            "HOME_POST": people.loc[eps["child"], "home_post"].to_numpy(),
            "PL_POST": eps["pl_post"].to_numpy(), "URN": eps["urn"].to_numpy(),
        })  # fmt: skip
        result.episodes[year] = frame[EPISODE_COLUMNS].reset_index(drop=True)
        children = people.loc[np.unique(eps["child"])]
        result.header[year] = pd.DataFrame({
            "CHILD": ids.loc[children.index].to_numpy(),
            "SEX": [sex_code_for_year(s, year) for s in children["sex"]],
            "DOB": _dates(children["dob"]).to_numpy(),
            "ETHNIC": children["ethnic"].to_numpy(),
            "UPN": _upn(children, year),
            "MOTHER": np.where(children["sex"] == "2", "0", ""),
            "MC_DOB": "",
        })[HEADER_COLUMNS]  # fmt: skip
        uasc = children[children["uasc"]]
        result.uasc[year] = pd.DataFrame({
            "CHILD": ids.loc[uasc.index].to_numpy(),
            "SEX": [sex_code_for_year(s, year) for s in uasc["sex"]],
            "DOB": _dates(uasc["dob"]).to_numpy(),
            "DUC": _dates(_eighteenth(uasc["dob"].to_numpy())).to_numpy(),
        })[UASC_COLUMNS]  # fmt: skip
    return result


def _cin(child: np.ndarray) -> np.ndarray:
    """Category of need, fixed per child (most often abuse or neglect)."""
    codes = np.array(["N1"] * 65 + ["N2"] * 4 + ["N3"] * 3 + ["N4"] * 9 + ["N5"] * 12
                     + ["N6"] * 2 + ["N7"] * 1 + ["N8"] * 4)  # fmt: skip
    return codes[(child * 2654435761) % len(codes)]


def _upn(children: pd.DataFrame, year: int) -> np.ndarray:
    age = (_day(year, 3, 31) - children["dob"].to_numpy()) / 365.25
    return np.where(age < 5, "UN1", np.where(children["uasc"].to_numpy(), "UN2", "UN5"))


def returns_files(
    children_in_care: int = 1000, years: int = 5, last_year: int = 2025, seed: int = 0
) -> dict[str, bytes]:
    """The CSV files ``write_returns`` writes (one folder per year), by relative name."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="csplan-903-") as folder:
        written = write_returns(folder, children_in_care, years, last_year, seed)
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in written}
