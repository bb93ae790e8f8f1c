"""Exits and moves that depend on how long a child has been in care.

The constant-hazard chain of ``forecast.py`` gives every child in an age band and placement
group the same chance of leaving or moving, whether they came into care last week or five
years ago. Real hazards change with time in care: many children go home within weeks, the
adoption path takes a year or more, and long stays settle. This module estimates hazards
that are piecewise constant in the time since the period of care began, in the buckets
``DURATION_EDGES_MONTHS`` (0-3, 3-12, 12-24 months and an open top bucket of 24 months or
more), optionally also by stratum: the legal status the period began under
(``LEGAL_STRATA``: a court order, accommodation by agreement under section 20, emergency
protection, youth justice) and whether the child is an unaccompanied asylum-seeking child.

Small cells are shrunk toward the level above, as if ``PRIOR_CHILD_DAYS`` more child-days had
been seen there at the level above's rates: each stratum's hazards toward the duration
bucket's, each bucket's toward the age band x group's constant hazards. A bucket with no
children has exactly the constant model's hazards; a well-filled one keeps its own (a prior
worth a fixed number of events instead would swamp a bucket whose rate is many times the
pooled one, such as the first weeks in care).

The model configuration chooses the variant (``exits:`` in the YAML, ``EXIT_VARIANTS``);
``csplan demand backtest --compare-exits`` compares them by rolling-origin back-test on a
council's own returns, and benchmarks/README.md reports the comparison on synthetic returns
at three sizes.

In the forecast the expected numbers are propagated with these hazards, children tracked by
age in months, months since the period of care began (0 to 24, the last meaning 24 or more)
and stratum (``DurationRun``). The sample paths keep the constant-hazard chain's randomness
(parameter draws, entry noise, process noise, model error) and are centred on the
duration-dependent expectation: each path's expected stayers and entrants in a cell are
scaled by the ratio of the duration-dependent to the constant expectation in that cell and
month (``forecast.run_forecast``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csplan.demand.config import MAX_AGE_YEARS, ModelConfig
from csplan.demand.states import age_in_months, day_number

#: Lower edges (months since the period of care began) of the duration buckets after the
#: first; the last bucket is open.
DURATION_EDGES_MONTHS = (3, 12, 24)
DAYS_PER_MONTH = 365.25 / 12
DURATION_EDGES_DAYS = tuple(round(m * DAYS_PER_MONTH) for m in DURATION_EDGES_MONTHS)
#: Months since entry tracked one by one in the forecast; the last counts everyone longer.
TOP_MONTH = DURATION_EDGES_MONTHS[-1]
#: Strength of the shrinkage: the level above counts as this many child-days (six months).
PRIOR_CHILD_DAYS = 182.0
#: Legal status at the start of a period of care, grouped (anything else is "order").
LEGAL_STRATA = ("order", "section_20", "emergency", "youth_justice")
_LEGAL_STRATUM_OF = {
    "V2": 1, "V3": 1, "V4": 1, "L1": 2, "L2": 2, "L3": 2, "J1": 3, "J2": 3, "J3": 3,
}  # fmt: skip
EVENT_DURATION = -3  # a segment cut where the child enters the next duration bucket
AGE_MONTHS = MAX_AGE_YEARS * 12

#: The variants a configuration's ``exits:`` may name, and the strata each uses.
EXIT_VARIANTS: dict[str, tuple[str, ...] | None] = {
    "constant": None,
    "duration": (),
    "duration+legal_status": ("legal_status",),
    "duration+uasc": ("uasc",),
    "duration+legal_status+uasc": ("legal_status", "uasc"),
}

Integrals = Callable[[np.ndarray, int, int], tuple[np.ndarray, ...]]


def duration_bucket(months: np.ndarray) -> np.ndarray:
    """Bucket index of whole months since the period of care began."""
    return np.searchsorted(np.array(DURATION_EDGES_MONTHS), months, side="right")


def strata_labels(factors: tuple[str, ...]) -> list[str]:
    labels = [""]
    if "legal_status" in factors:
        labels = list(LEGAL_STRATA)
    if "uasc" in factors:
        labels = [f"{label}{'/' if label else ''}{u}" for label in labels
                  for u in ("not UASC", "UASC")]  # fmt: skip
    return labels


def stratum_index(frame: pd.DataFrame, factors: tuple[str, ...]) -> np.ndarray:
    """Stratum of each spell or segment (columns ``entry_ls`` and ``uasc``)."""
    index = np.zeros(len(frame), dtype=np.int64)
    if "legal_status" in factors:
        codes = pd.Series(frame["entry_ls"].to_numpy(dtype=object)).astype(str).str.upper()
        index = codes.map(_LEGAL_STRATUM_OF).fillna(0).to_numpy(dtype=np.int64)
    if "uasc" in factors:
        index = index * 2 + frame["uasc"].to_numpy(dtype=bool).astype(np.int64)
    return index


def split_by_duration(segs: pd.DataFrame) -> pd.DataFrame:
    """Segments cut where the time since the period of care began crosses a bucket edge;
    column ``duration`` is the bucket, a cut ends with ``EVENT_DURATION`` (not a hazard)."""
    edges = np.array(DURATION_EDGES_DAYS, dtype=np.int64)
    start, end = segs["start"].to_numpy(), segs["end"].to_numpy()
    origin, event = segs["period_start"].to_numpy(), segs["event"].to_numpy()
    bucket = np.searchsorted(edges, start - origin, side="right")
    pieces, idx, current = [], np.arange(len(segs)), start.copy()
    while len(idx):
        b = bucket[idx]
        upper = np.where(b < len(edges), origin[idx] + edges[np.minimum(b, len(edges) - 1)],
                         np.iinfo(np.int64).max)  # fmt: skip
        crosses = upper < end[idx]
        piece = segs.iloc[idx].copy()
        piece["start"] = current[idx]
        piece["end"] = np.where(crosses, upper, end[idx])
        piece["event"] = np.where(crosses, EVENT_DURATION, event[idx])
        piece["entry"] = piece["entry"].to_numpy() & (current[idx] == start[idx])
        piece["duration"] = b
        pieces.append(piece)
        idx = idx[crosses]
        current[idx] = upper[crosses]
        bucket[idx] += 1
    result = pd.concat(pieces, ignore_index=True)
    return result[result["end"] > result["start"]].reset_index(drop=True)


@dataclass
class DurationHazards:
    """Hazards by (age band, duration bucket, stratum, group, destination): per child-day;
    destination ``G`` is leaving care. ``entry_shares`` (B, G, K): how each cell's entrants
    split over the strata."""

    variant: str
    strata: list[str]
    hazards: np.ndarray  # (B, D, K, G, G + 1)
    exposure: np.ndarray  # (B, D, K, G) child-days in the window
    events: np.ndarray  # (B, D, K, G, G + 1)
    entry_shares: np.ndarray  # (B, G, K)

    @property
    def month_bucket(self) -> np.ndarray:
        """Bucket of each tracked month since entry (0 .. TOP_MONTH)."""
        return duration_bucket(np.arange(TOP_MONTH + 1))

    def describe(self) -> dict[str, object]:
        edges = [0, *DURATION_EDGES_MONTHS]
        return {
            "variant": self.variant,
            "duration_buckets_months": [f"{a}-{b}" for a, b in zip(edges, edges[1:], strict=False)]
            + [f"{edges[-1]}+"],
            "strata": self.strata,
            "prior_child_days": PRIOR_CHILD_DAYS,
        }


def fit_durations(
    segs: pd.DataFrame, config: ModelConfig, window_start: int, window_end: int, variant: str
) -> DurationHazards:
    """Duration-dependent hazards from segments (``states.segments``) in the window
    ``[window_start, window_end)`` (day numbers), shrunk toward the constant hazards."""
    factors = EXIT_VARIANTS[variant] or ()
    labels = strata_labels(factors)
    pieces = split_by_duration(segs)
    n_b, n_g = len(config.age_bands), len(config.groups)
    n_d, n_k = len(DURATION_EDGES_DAYS) + 1, len(labels)
    n_top = n_d - 1
    # A period under way when the data begin is surely in the top bucket only once its
    # first day in the data is that long ago; before, its bucket is not known: left out.
    pieces = pieces[pieces["start_known"].to_numpy() | (pieces["duration"].to_numpy() == n_top)]
    band, group = pieces["band"].to_numpy(), pieces["group"].to_numpy()
    dur, stratum = pieces["duration"].to_numpy(), stratum_index(pieces, factors)
    start = np.maximum(pieces["start"].to_numpy(), window_start)
    end = np.minimum(pieces["end"].to_numpy(), window_end)
    inside = end > start
    exposure = np.zeros((n_b, n_d, n_k, n_g))
    np.add.at(exposure, (band[inside], dur[inside], stratum[inside], group[inside]),
              (end - start)[inside])  # fmt: skip
    event, seg_end = pieces["event"].to_numpy(), pieces["end"].to_numpy()
    counted = (seg_end > window_start) & (seg_end <= window_end) & (event >= 0)
    events = np.zeros((n_b, n_d, n_k, n_g, n_g + 1))
    np.add.at(events, (band[counted], dur[counted], stratum[counted], group[counted],
                       event[counted]), 1)  # fmt: skip
    pooled = _rates(events.sum(axis=(1, 2)), exposure.sum(axis=(1, 2)))  # (B, G, G+1)
    by_duration = _shrunk(events.sum(axis=2), exposure.sum(axis=2), pooled[:, None])
    if factors:
        hazards = _shrunk(events, exposure, by_duration[:, :, None])
    else:  # one stratum: it is the duration bucket itself
        hazards = by_duration[:, :, None].copy()
    shares = _entry_shares(segs, factors, n_b, n_g, n_k, window_start, window_end)
    return DurationHazards(variant, labels, hazards, exposure, events, shares)


def _rates(events: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num(events / exposure[..., None], nan=0.0, posinf=0.0)


def _shrunk(events: np.ndarray, exposure: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """(events + w prior) / (exposure + w) with w = PRIOR_CHILD_DAYS: the posterior mean of
    a Gamma prior centred on ``prior`` worth w child-days."""
    return (events + PRIOR_CHILD_DAYS * prior) / (exposure[..., None] + PRIOR_CHILD_DAYS)


def _entry_shares(
    segs: pd.DataFrame, factors: tuple[str, ...], n_b: int, n_g: int, n_k: int,
    window_start: int, window_end: int,
) -> np.ndarray:  # fmt: skip
    """Share of each (band, group)'s entrants in each stratum: the window's entrants, shrunk
    toward the window's overall shares (two entrants' worth)."""
    first = segs[segs["entry"].to_numpy()]
    inside = (first["start"].to_numpy() >= window_start) & (first["start"].to_numpy() < window_end)
    first = first[inside]
    counts = np.zeros((n_b, n_g, n_k))
    np.add.at(counts, (first["band"].to_numpy(), first["group"].to_numpy(),
                       stratum_index(first, factors)), 1)  # fmt: skip
    overall = counts.sum(axis=(0, 1))
    overall = overall / overall.sum() if overall.sum() else np.full(n_k, 1.0 / n_k)
    return (counts + 2.0 * overall) / (counts.sum(axis=-1, keepdims=True) + 2.0)


def initial_by_duration(
    spell_frame: pd.DataFrame, config: ModelConfig, last_date: dt.date, model: DurationHazards
) -> np.ndarray:
    """Children in care at the end of ``last_date`` by (age in months, months since the
    period of care began, capped at TOP_MONTH, stratum, group): (216, TOP_MONTH + 1, K, G).
    A period already under way when the data begin counts as TOP_MONTH (most such children
    have been in care for years)."""
    d = day_number(last_date)
    live = spell_frame[(spell_frame["start"].to_numpy() <= d) & (spell_frame["end"].to_numpy() > d)]
    ages = age_in_months(pd.Series(pd.to_datetime(live["dob"].to_numpy())), last_date)
    began = pd.to_datetime(live["period_start"].to_numpy(), unit="D")
    months = (last_date.year - began.year.to_numpy()) * 12 + (
        last_date.month - began.month.to_numpy()
    )
    months = np.where(live["start_known"].to_numpy(), np.clip(months, 0, TOP_MONTH), TOP_MONTH)
    factors = EXIT_VARIANTS[model.variant] or ()
    ok = (ages >= 0) & (ages < AGE_MONTHS)
    counts = np.zeros((AGE_MONTHS, TOP_MONTH + 1, len(model.strata), len(config.groups)))
    np.add.at(counts, (ages[ok], months[ok], stratum_index(live, factors)[ok],
                       live["group"].to_numpy()[ok]), 1)  # fmt: skip
    return counts


class DurationRun:
    """The expected numbers in care under duration-dependent hazards, month by month:
    children at the start (``initial``) and entrants (``entrants``), each (216, TOP_MONTH + 1,
    K, G)."""

    def __init__(self, model: DurationHazards, initial: np.ndarray, integrals: Integrals):
        self.model = model
        self.initial = initial.astype(float).copy()
        self.entrants = np.zeros_like(self.initial)
        self._integrals = integrals

    def new_month(self) -> None:
        """Everyone a month older and a month longer in care; 18-year-olds leave."""
        for array in (self.initial, self.entrants):
            array[1:] = array[:-1].copy()
            array[0] = 0.0
            array[:, TOP_MONTH] += array[:, TOP_MONTH - 1]
            array[:, 1:TOP_MONTH] = array[:, : TOP_MONTH - 1].copy()
            array[:, 0] = 0.0

    def advance(
        self, hazards: np.ndarray, entry_cells: np.ndarray, lengths: list[int],
        band_slices: list[slice], child_days: np.ndarray | None,
    ) -> None:  # fmt: skip
        """One month: ``hazards`` (B, D, K, G, G + 1), ``entry_cells`` (216, G) expected
        entrants per day; ``child_days`` (B, G) gets the month's child-days added."""
        from csplan.demand.forecast import generator  # forecast imports this module

        q = generator(hazards)
        rate_by_band = [
            entry_cells[rows][:, None, :] * self.model.entry_shares[b].T[None]
            for b, rows in enumerate(band_slices)
        ]  # fmt: skip  (A, K, G)
        bucket = self.model.month_bucket
        for length in lengths:
            p, j, k = self._integrals(q, length, 3 if child_days is not None else 2)
            for b, rows in enumerate(band_slices):
                pm, jm = p[b][bucket], j[b][bucket]  # (M, K, G, G)
                init, entr, rate = self.initial[rows], self.entrants[rows], rate_by_band[b]
                if child_days is not None:
                    days = _apply(init, jm) + _apply(entr, jm)
                    child_days[b] += days.sum(axis=(0, 1, 2))
                    child_days[b] += np.einsum("akg,kgh->h", rate, k[b, 0])
                self.initial[rows] = _apply(init, pm)
                moved = _apply(entr, pm)
                moved[:, 0] += np.einsum("akg,kgh->akh", rate, j[b, 0])
                self.entrants[rows] = moved

    def by_band(self, array: np.ndarray, band_slices: list[slice]) -> np.ndarray:
        """(216, M, K, G) -> (B, G)."""
        return np.stack([array[rows].sum(axis=(0, 1, 2)) for rows in band_slices])


def _apply(state: np.ndarray, matrices: np.ndarray) -> np.ndarray:
    """(A, M, K, G) children times (M, K, G, G) transition matrices -> (A, M, K, G)."""
    return np.matmul(state.transpose(1, 2, 0, 3), matrices).transpose(2, 0, 1, 3)
