"""Forecast children looked after by age band and placement group, month by month.

The model is a continuous-time Markov chain for each child: constant hazards of moving
between placement groups and of leaving care within an age band, Poisson entries, and ageing
at month boundaries. Children are tracked by calendar age in months (12 x years + months
between the birth month and the current month), which changes on the first of each month;
at every month end a child's band is the band of their true age, so the month-end numbers
are exact. Within a month the transition probabilities are matrix exponentials of the
generator, so any split of the month into steps gives the same answer
(``exp(Q a) exp(Q b) = exp(Q (a + b))``); steps never cross a month boundary.

Uncertainty comes from joint sample paths (``simulations`` of them, 1,000 by default, from a
fixed seed), held as one array (path, month, age band, placement group) from which every level
takes its percentiles: cells, placement groups, age bands and the total are sums over the same
paths, and so are the child-days that the costs (``costs.py``) and a scenario's saving
(``scenarios.py``, baseline and scenario from the same seed: common random numbers) are
taken from. Each path:

- draws the parameters from their sampling distributions (rates from Gamma(events, exposure),
  entry level and trend from the Poisson regression with its covariance inflated by the
  entries' overdispersion, entrant mix) and propagates the expected numbers under them;
- multiplies each month's entry rate by a Gamma(k, 1/k) factor, so monthly entries are
  negative binomial with the dispersion estimated from the window's monthly counts
  (``rates.Entries.dispersion``; none when the counts are not overdispersed);
- adds the children's own chance (process noise) in each cell: the children in care at the
  start as a sum of Bernoulli trials (variance computed exactly under the point estimates),
  the entrants as Poisson, turned into whole children with a Cornish-Fisher quantile of a
  normal score that is autocorrelated from month to month (``MONTH_CORRELATION``), because a
  child who stays in care this month is likely to be there next month.

The expected value is the propagation under the point estimates (no simulation).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from csplan.demand.config import MAX_AGE_YEARS, ModelConfig
from csplan.demand.durations import DurationHazards, DurationRun, fit_durations, initial_by_duration
from csplan.demand.rates import (
    TREND_DAMPING_YEARS,
    Entries,
    Transitions,
    Window,
    count_transitions,
    entrant_frame,
    fit_entries,
)
from csplan.demand.states import (
    day_date,
    day_number,
    initial_stock,
    spells,
    split_at_birthdays,
    truncate,
)

AGE_MONTHS = MAX_AGE_YEARS * 12
MAX_MONTHS = 60
DEFAULT_SIMULATIONS = 1000
# Correlation of a cell's process noise from one month end to the next: about that of the
# number still in care from a cohort leaving at 2-3% a month (sqrt(p1 (1 - p0) / (p0 (1 - p1)))).
MONTH_CORRELATION = 0.95
PERCENTILES = (10, 50, 90)
# Model error in the mix of placement groups: each path's group shares drift as a random walk
# on the log scale with this standard deviation per square-root year (the total is kept),
# standing for what constant hazards miss (duration in care, policy changes). Chosen by the
# rolling-origin back-test (``csplan demand backtest --origins``, three seeds of twelve origins
# at 1,000, 10,000 and 30,000 children), see benchmarks/README.md.
GROUP_MIX_ERROR = 0.03
# Model error in the number in care: each path's every cell moves together by a random walk on
# the log scale with this standard deviation per square-root year (the mix kept), standing
# for what the fitted rates miss at the level of the whole service (at ~30,000 children the
# Poisson noise of the total is well under 1% and the band would say more than is known).
# Chosen with GROUP_MIX_ERROR by the same back-test: without it the total's band held 64-69%
# of actuals 18-24 months ahead at 30,000 children; with 0.005, 75-78% (1,000: no change).
LEVEL_ERROR = 0.005

# An adjustment takes (hazards (S,B,G,G+1), entry cells (S,216,G), first day of the month)
# and returns new arrays (scenarios.py builds these from data).
Adjuster = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, np.ndarray]]


class ForecastError(ValueError):
    """A forecast that cannot be run with the parameters given."""


@dataclass
class ModelParameters:
    """Everything a forecast needs; built by ``fit`` and never mutated by scenarios."""

    config: ModelConfig
    start: dt.date  # the last date of the data: a month end
    window: Window
    transitions: Transitions
    entries: Entries
    initial: np.ndarray  # (216, G) children in care at ``start``
    data_hash: str = ""
    adjusters: tuple[Adjuster, ...] = ()
    # exits and moves by time in care (None: the constant-hazard chain alone)
    durations: DurationHazards | None = None
    initial_durations: np.ndarray | None = None  # (216, TOP_MONTH + 1, K, G)

    def with_adjusters(self, adjusters: Sequence[Adjuster]) -> ModelParameters:
        return replace(self, adjusters=tuple(self.adjusters) + tuple(adjusters))

    def describe(self) -> dict[str, object]:
        return {
            "start": self.start.isoformat(),
            "reference_window": self.window.to_dict(),
            "children_in_care_at_start": int(self.initial.sum()),
            "short_breaks": "counted" if self.config.include_short_breaks else "left out",
            "exits": {"variant": "constant"}
            if self.durations is None
            else self.durations.describe(),
            "entries": self.entries.to_dict(),
        }


def fit(
    episodes: pd.DataFrame,
    last_date: dt.date,
    config: ModelConfig,
    *,
    window: Window | None = None,
    population: pd.DataFrame | None = None,
    trend: bool = True,
    trend_damping: float | None = TREND_DAMPING_YEARS,
    data_hash: str = "",
    data_start: dt.date | None = None,
) -> ModelParameters:
    """Estimate the model from episodes known up to ``last_date`` (a month end); with
    ``trend_damping`` (years) the entry trend is damped after the window
    (``rates.Entries.trend_years``). ``data_start``, the first day the returns cover (1 April
    of the first collection year, ``collection_start``), starts a reference window that would
    reach before it: before that day the returns hold only the children still in care at it,
    so exits and entries there are missing and rates would be too low."""
    if (pd.Timestamp(last_date) + pd.Timedelta(days=1)).day != 1:
        raise ForecastError(f"the forecast must start at a month end, not {last_date}")
    window = window or Window.ending(last_date, 24)
    clipped = data_start is not None and window.first < data_start
    if clipped:
        asked = window
        window = Window(data_start, window.last)
    spell_frame = spells(episodes, config, last_date)
    segs = split_at_birthdays(spell_frame, config)
    dob = episodes.sort_values(["child_id", "start"], kind="stable").drop_duplicates("child_id")
    entrants = entrant_frame(segs, dob["dob"].reset_index(drop=True), window)
    durations = initial_durations = None
    if config.exits != "constant":
        durations = fit_durations(segs, config, window.start_day, window.end_day, config.exits)
        initial_durations = initial_by_duration(spell_frame, config, last_date, durations)
    params = ModelParameters(
        config=config,
        start=last_date,
        window=window,
        transitions=count_transitions(segs, config, window),
        entries=fit_entries(
            entrants, config, window, trend=trend, population=population, damping=trend_damping
        ),  # fmt: skip
        initial=initial_stock(episodes, config, last_date),
        data_hash=data_hash,
        durations=durations,
        initial_durations=initial_durations,
    )
    if clipped:
        params.entries.notes.append(
            f"reference window from {window.first}, the first day of the returns, not "
            f"{asked.first}: the returns hold no exits or entries before it"
        )
    return params


def collection_start(years: Sequence[int]) -> dt.date:
    """The first day the returns of collection ``years`` cover (1 April of the first)."""
    return dt.date(min(years) - 1, 4, 1)


def fit_until(
    episodes: pd.DataFrame, until: dt.date, config: ModelConfig, **options: object
) -> ModelParameters:
    """``fit`` on the data as it was known on ``until`` (later events removed)."""
    return fit(truncate(episodes, until), until, config, **options)  # type: ignore[arg-type]


# -- the result ----------------------------------------------------------------------------


@dataclass
class ForecastResult:
    """Month-end numbers in care: ``expected`` (M, B, G) under the point estimates; the
    sample ``paths`` (S, M, B, G) children, and their child-days by group ``path_child_days``
    (S, M, G), from which every percentile is taken; expected child-days (M, B, G) for costs.
    Without simulations the percentiles are the expected values and there are no paths."""

    config: ModelConfig
    start: dt.date
    dates: list[dt.date]
    expected: np.ndarray
    child_days: np.ndarray  # (M, B, G)
    month_days: list[tuple[dt.date, dt.date]]  # first and last day of each forecast month
    paths: np.ndarray | None = None  # (S, M, B, G) whole children, int32
    path_child_days: np.ndarray | None = None  # (S, M, G) float32
    simulations: int = 0
    seed: int | None = None
    parameters: dict[str, object] = field(default_factory=dict)
    _computed: dict[tuple[int, ...], np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _percentiles(self, axes: tuple[int, ...]) -> np.ndarray:
        """p10, p50, p90 of the paths summed over ``axes`` of (M, B, G): (3, M, ...)."""
        if axes not in self._computed:
            if self.paths is None:
                kept = _kept(self.expected, axes)
                value = np.broadcast_to(self.expected.sum(axis=axes), (3, *kept)).copy()
            else:
                summed = self.paths.sum(axis=tuple(a + 1 for a in axes), dtype=np.int64)
                value = path_percentiles(summed)
            self._computed[axes] = value
        return self._computed[axes]

    @property
    def cell_percentiles(self) -> np.ndarray:
        """(3, M, B, G): p10, p50, p90 of each cell."""
        return self._percentiles(())

    @property
    def group_percentiles(self) -> np.ndarray:
        """(3, M, G): of each placement group (all age bands), from the summed paths."""
        return self._percentiles((1,))

    @property
    def band_percentiles(self) -> np.ndarray:
        """(3, M, B): of each age band (all placement groups), from the summed paths."""
        return self._percentiles((2,))

    @property
    def total_percentiles(self) -> np.ndarray:
        """(3, M): of the total in care, from the summed paths."""
        return self._percentiles((1, 2))

    def to_frame(self, aggregates: bool = False) -> pd.DataFrame:
        """One row per month-end × age band × placement group (the CSV export); with
        ``aggregates`` also each placement group and age band (``all`` in the other column)
        and the total (``all`` in both), each with percentiles of its own summed paths."""
        bands, groups = self.config.band_keys, self.config.group_keys
        levels = [((), bands, groups)]
        if aggregates:
            levels += [((1,), ["all"], groups), ((2,), bands, ["all"]), ((1, 2), ["all"], ["all"])]
        frames = [self._level_frame(axes, b, g) for axes, b, g in levels]
        return pd.concat(frames, ignore_index=True)

    def _level_frame(self, axes: tuple[int, ...], bands: list[str], groups: list[str]):
        expected = self.expected.sum(axis=axes, keepdims=True)  # (M, b, g)
        p = self._percentiles(axes).reshape(3, *expected.shape)
        m, b, g = expected.shape
        idx = np.indices((m, b, g)).reshape(3, -1)
        p = p.reshape(3, -1)
        return pd.DataFrame({
            "date": [self.dates[i].isoformat() for i in idx[0]],
            "age_band": [bands[i] for i in idx[1]],
            "placement_group": [groups[i] for i in idx[2]],
            "p10": p[0], "p50": p[1], "p90": p[2],
            "expected": expected.reshape(-1),
        })  # fmt: skip

    def totals_frame(self) -> pd.DataFrame:
        """Total in care at each month end: expected and the 80% band."""
        total = self.total_percentiles
        return pd.DataFrame({
            "date": [d.isoformat() for d in self.dates],
            "expected": self.expected.sum(axis=(1, 2)),
            "p10": total[0], "p50": total[1], "p90": total[2],
        })  # fmt: skip


def _kept(array: np.ndarray, axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(n for i, n in enumerate(array.shape) if i not in axes)


def path_percentiles(paths: np.ndarray) -> np.ndarray:
    """p10, p50, p90 over the leading (path) axis; each is one of the paths' values
    (inverted CDF, no interpolation): (3, ...)."""
    return np.percentile(paths, PERCENTILES, axis=0, method="inverted_cdf")


# -- matrix functions ----------------------------------------------------------------------


def generator(hazards: np.ndarray) -> np.ndarray:
    """The in-care block of the generator: off-diagonal moves, minus all outflows on the
    diagonal (exits make the block sub-stochastic)."""
    n = hazards.shape[-2]
    q = hazards[..., :n].copy()
    diag = np.arange(n)
    q[..., diag, diag] = 0.0
    outflow = hazards.sum(axis=-1) - hazards[..., diag, diag]
    q[..., diag, diag] = -outflow
    return q


def expm_integrals(q: np.ndarray, length: float, order: int = 2):
    """``exp(Q L)``, ``J = ∫0^L exp(Q s) ds`` and (order 3) ``K = ∫0^L J(s) ds`` for a batch
    of generators, by Taylor series on a scaled step and exact doubling."""
    norm = np.abs(q).sum(axis=-1).max() * length if q.size else 0.0
    squarings = max(0, int(np.ceil(np.log2(norm / 0.5)))) if norm > 0.5 else 0
    h = length / 2**squarings
    x = q * h
    eye = np.broadcast_to(np.eye(q.shape[-1]), q.shape)
    p, j, k = eye.copy(), eye * h, eye * (h * h / 2)
    term = eye.copy()
    for n in range(1, 13):
        term = term @ x / n  # X^n / n!
        p = p + term
        j = j + term * (h / (n + 1))
        if order == 3:
            k = k + term * (h * h / ((n + 1) * (n + 2)))
    for _ in range(squarings):
        if order == 3:
            k = k + h * j + p @ k
        j = j + p @ j
        p = p @ p
        h *= 2
    return p, j, k


# -- the engine ----------------------------------------------------------------------------


def month_ends(start: dt.date, months: int) -> list[tuple[int, int, dt.date]]:
    """(first day, day after the last, month-end date) of each month after ``start``."""
    out = []
    first = pd.Timestamp(start) + pd.Timedelta(days=1)
    for _ in range(months):
        following = first + pd.DateOffset(months=1)
        last = (following - pd.Timedelta(days=1)).date()
        out.append((day_number(first.date()), day_number(following.date()), last))
        first = following
    return out


def _sub_steps(first: int, stop: int, step_days: int | None) -> list[int]:
    if not step_days:
        return [stop - first]
    lengths = [step_days] * ((stop - first) // step_days)
    rest = (stop - first) - sum(lengths)
    return lengths + ([rest] if rest else [])


@dataclass
class _Run:
    """Expected numbers under one set of parameters per simulation (S of them)."""

    hazards: np.ndarray  # (S, B, G, G+1)
    entry_draw: dict[str, np.ndarray] | None
    initial: np.ndarray  # (S, 216, G) children in care at the start, by current age
    entrants: np.ndarray  # (S, 216, G) children who entered during the forecast
    shares: np.ndarray  # (S, 216, G) how entrants spread over cells
    cohort: np.ndarray | None = None  # (216 initial ages, G0, G): point estimate only
    entry_noise: np.ndarray | None = None  # (S,) this month's entry-rate factor of each path
    cache: dict[tuple[int, int, bytes], tuple[np.ndarray, ...]] = field(default_factory=dict)
    # The last hazards and their generator (adjusters that change nothing pass the same array).
    _generator: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    # The last generator's integrals by (length, order), looked up by identity before bytes.
    _last: dict[tuple[int, int], tuple[np.ndarray, tuple[np.ndarray, ...]]] = field(
        default_factory=dict, repr=False
    )
    # Buffers the next month's numbers are written to (swapped with initial and entrants).
    _spare: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    # The entry shares as each band's sum and each age's part of its band (``_BandEntries``),
    # False when the shares are not of that form.
    _band_entries: _BandEntries | bool | None = field(default=None, repr=False)

    def generator(self, hazards: np.ndarray) -> np.ndarray:
        """``generator(hazards)``, remembered while the same hazards array comes back."""
        if self._generator is None or self._generator[0] is not hazards:
            self._generator = (hazards, generator(hazards))
        return self._generator[1]

    def integrals(self, q: np.ndarray, length: int, order: int) -> tuple[np.ndarray, ...]:
        """``expm_integrals`` remembered for the last generators (months repeat 4 lengths;
        a scenario's adjusters change the hazards only while their effect ramps up)."""
        last = self._last.get((length, order))
        if last is not None and last[0] is q:
            return last[1]
        key = (length, order, q.tobytes())
        if key not in self.cache:
            if len(self.cache) > 8:
                self.cache.clear()
            self.cache[key] = expm_integrals(q, float(length), order)
        self._last[(length, order)] = (q, self.cache[key])
        return self.cache[key]

    def __post_init__(self) -> None:
        self.initial = _ageing_copy(self.initial)
        # A column to spare: each age's part of its band's entrants (``_advance_month``).
        self.entrants = _ageing_copy(self.entrants, spare_columns=1)

    def spare(self) -> tuple[np.ndarray, np.ndarray]:
        """Two arrays shaped as ``initial`` and ``entrants`` to write the next numbers to
        (that ``_ages_shift`` ages without copying)."""
        if self._spare is None or self._spare[0].shape != self.initial.shape:
            self._spare = (
                _ageing_array(self.initial.shape),
                _ageing_array(self.entrants.shape, spare_columns=1),
            )
        return self._spare

    def swap(self, initial: np.ndarray, entrants: np.ndarray) -> None:
        """The next numbers become the run's; the arrays they replace become the spares."""
        old = (_ageing_base(self.initial), _ageing_base(self.entrants))
        self._spare = None
        if old[0] is not None and old[1] is not None:
            groups = self.initial.shape[2]
            self._spare = (old[0][:, 1:, :groups], old[1][:, 1:, :groups])
        self.initial, self.entrants = initial, entrants


@dataclass
class _BandEntries:
    """Entry shares (S, 216, G) that are, within each age band, one vector per path times a
    weight per age (as ``rates.Entries.cell_shares`` makes them): ``sums`` (S, B, G) the
    band's shares summed over its ages, ``part`` (216,) each age's part of its band."""

    sums: np.ndarray
    part: np.ndarray
    slices: list[slice]

    @classmethod
    def of(cls, shares: np.ndarray, band_of_age: np.ndarray) -> _BandEntries | None:
        slices = _band_slices(band_of_age)
        sums = np.stack([shares[:, rows].sum(axis=1) for rows in slices], axis=1)
        by_age = shares.sum(axis=(0, 2))
        band_total = np.array([by_age[rows].sum() for rows in slices])[band_of_age]
        part = np.divide(by_age, band_total, out=np.zeros_like(by_age), where=band_total > 0)
        rebuilt = sums[:, band_of_age] * part[None, :, None]
        if not np.allclose(rebuilt, shares, rtol=1e-12, atol=1e-300):
            return None
        return cls(sums, part, slices)

    def scale_by_band(self, scale: np.ndarray) -> np.ndarray | None:
        """``Entries.scale`` (S, 1 or 216, 1) as (S, 1 or B, 1); None unless it is the same
        for every age of a band."""
        if scale.shape[1] == 1:
            return scale
        starts = [rows.start for rows in self.slices]
        by_band = scale[:, starts]
        for b, rows in enumerate(self.slices):
            if not np.array_equal(
                scale[:, rows], np.broadcast_to(by_band[:, b : b + 1], scale[:, rows].shape)
            ):
                return None
        return by_band


def _band_entries(run: _Run, band_of_age: np.ndarray) -> _BandEntries | None:
    if run._band_entries is None:
        run._band_entries = _BandEntries.of(run.shares, band_of_age) or False
    return run._band_entries or None


# Buffers (S, 1 + 216, G) of which a run's numbers are the last 216 ages (``_ageing_array``),
# by id, with a weak reference to tell that it is still the same buffer.
_AGEING: dict[int, weakref.ref] = {}


def _ageing_array(shape: tuple[int, int, int], spare_columns: int = 0) -> np.ndarray:
    """Zeros shaped ``shape`` (S, 216, G) that ``_ages_shift`` ages without copying: the last
    216 ages of a buffer with one age more in front (ageing moves the view one age back), and
    ``spare_columns`` more columns after the G (``_spare_columns``)."""
    buffer = np.zeros((shape[0], shape[1] + 1, shape[2] + spare_columns))
    key = id(buffer)
    _AGEING[key] = weakref.ref(buffer, lambda _, key=key: _AGEING.pop(key, None))
    return buffer[:, 1:, : shape[2]]


def _ageing_copy(array: np.ndarray, spare_columns: int = 0) -> np.ndarray:
    if _ageing_base(array) is not None:
        return array
    copy = _ageing_array(array.shape, spare_columns)  # type: ignore[arg-type]
    copy[...] = array
    return copy


def _ageing_offset(array: np.ndarray, base: np.ndarray) -> int | None:
    """0 or 1: the first age of ``base`` that ``array`` starts at (None: not such a view)."""
    if array.ndim != 3 or array.shape[:2] != (base.shape[0], base.shape[1] - 1):
        return None
    offset, rest = divmod(
        array.__array_interface__["data"][0] - base.__array_interface__["data"][0],
        base.strides[1],
    )
    return offset if rest == 0 and offset in (0, 1) and array.strides == base.strides else None


def _spare_columns(array: np.ndarray) -> np.ndarray | None:
    """``array`` (S, 216, G) with its buffer's spare columns after the G, (S, 216, G + n)."""
    base = _ageing_base(array)
    offset = None if base is None else _ageing_offset(array, base)
    if base is None or offset is None or base.shape[2] == array.shape[2]:
        return None
    return base[:, offset : offset + array.shape[1]]


def _ageing_base(array: np.ndarray) -> np.ndarray | None:
    """The buffer ``array`` is a view of when it came from ``_ageing_array`` (else None)."""
    base = array.base
    if base is None or id(base) not in _AGEING or _AGEING[id(base)]() is not base:
        return None
    return base


def _ages_shift(array: np.ndarray) -> np.ndarray:
    """Everyone one month older on the first of the month; 18-year-olds leave (in place)."""
    base = _ageing_base(array)
    if base is not None and _ageing_offset(array, base) == 1:
        # The same numbers one age on are the buffer's first 216 ages: no copy.
        base[:, 0] = 0.0
        return base[:, :-1, : array.shape[2]]
    if array.flags.c_contiguous:
        # One overlapping move of the whole buffer (a memmove, three times faster than
        # shifting each path's ages): each path's last age spills into the next path's
        # first, which is cleared below, as it would be anyway.
        flat = array.reshape(-1)
        step = int(np.prod(array.shape[2:]))
        flat[step:] = flat[:-step]
    else:
        array[:, 1:] = array[:, :-1].copy()
    array[:, 0] = 0.0
    return array


def _advance_month(
    run: _Run,
    params: ModelParameters,
    first: int,
    stop: int,
    band_of_age: np.ndarray,
    month_index: int,
    step_days: int | None,
    child_days: np.ndarray | None,
) -> None:
    scale = params.entries.scale(first, run.entry_draw)
    compact = None
    if child_days is None and all(getattr(a, "rows_alike", False) for a in params.adjusters):
        compact = _band_entries(run, band_of_age)
        band_scale = None if compact is None else compact.scale_by_band(scale)
        if band_scale is None:
            compact = None
    hazards = run.hazards
    # With ``compact``, the entrants' cells summed over each band's ages (S, B, G): the
    # adjusters treat every age alike (``rows_alike``), so adjusting the sums gives the sums
    # of the adjusted cells; each age then has its part of its band's.
    entry_cells = band_scale * compact.sums if compact is not None else scale * run.shares
    if run.entry_noise is not None:
        entry_cells = entry_cells * run.entry_noise[:, None, None]
    for adjust in params.adjusters:
        hazards, entry_cells = adjust(hazards, entry_cells, first)
    q = run.generator(hazards)  # (S, B, G, G)
    slices = _band_slices(band_of_age)
    # The children in care at the start are all at least month_index + 1 months old now:
    # younger ages hold no one (0 @ P = 0), so their rows are not multiplied.
    youngest = month_index + 1
    for length in _sub_steps(first, stop, step_days):
        p, j, k = run.integrals(q, length, 3 if child_days is not None else 2)
        new_init, new_entr = run.spare()
        widened = None
        if compact is not None:
            # Entrants' expected numbers at the end of the step from each band's sum: (S, B, G)
            band_entered = (entry_cells[:, :, None, :] @ j)[:, :, 0, :]
            # Each age's entrants are its part of its band's: with the part as one more
            # column of the numbers so far, and the band's entrants as one more row of the
            # transition matrix, one product gives both (entrants @ P + part x entered).
            widened = _spare_columns(run.entrants)
            if widened is not None:
                widened[:, :, -1] = compact.part
        for b, rows in enumerate(slices):
            init, entr = run.initial[:, rows], run.entrants[:, rows]
            if child_days is not None:
                rate = entry_cells[:, rows]
                days = init @ j[:, b] + entr @ j[:, b] + rate @ k[:, b]
                child_days[month_index, b] += days.sum(axis=(0, 1))
            # Each product is written straight into its rows (not made and then copied).
            held = slice(min(max(rows.start, youngest), rows.stop), rows.stop)
            new_init[:, rows.start : held.start] = 0.0
            np.matmul(run.initial[:, held], p[:, b], out=new_init[:, held])
            if widened is not None:
                moved = np.concatenate([p[:, b], band_entered[:, b, None, :]], axis=1)
                np.matmul(widened[:, rows], moved, out=new_entr[:, rows])
            elif compact is not None:
                np.matmul(entr, p[:, b], out=new_entr[:, rows])
                new_entr[:, rows] += compact.part[None, rows, None] * band_entered[:, b, None, :]
            else:
                np.matmul(entr, p[:, b], out=new_entr[:, rows])
                new_entr[:, rows] += entry_cells[:, rows] @ j[:, b]
            if run.cohort is not None:
                cohort_rows = _cohort_rows(month_index, band_of_age, b)
                run.cohort[cohort_rows] = run.cohort[cohort_rows] @ p[0, b]
        run.swap(new_init, new_entr)


def _band_slices(band_of_age: np.ndarray) -> list[slice]:
    """Ages in months of each band, as slices (bands are contiguous and ascending)."""
    edges = np.searchsorted(band_of_age, np.arange(band_of_age.max() + 2))
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _cohort_rows(month_index: int, band_of_age: np.ndarray, band: int) -> np.ndarray:
    """Initial ages a0 whose current age a0 + month_index + 1 is in ``band``."""
    current = np.arange(AGE_MONTHS) + month_index + 1
    inside = current < AGE_MONTHS
    result = np.zeros(AGE_MONTHS, dtype=bool)
    result[inside] = band_of_age[current[inside]] == band
    return result


def _by_band(array: np.ndarray, band_of_age: np.ndarray, n_bands: int) -> np.ndarray:
    """(S, 216, G) -> (S, B, G)."""
    starts = [s.start for s in _band_slices(band_of_age)]
    return np.add.reduceat(array, starts, axis=1)


def _cohort_variance(
    cohort: np.ndarray, initial: np.ndarray, month_index: int, band_of_age: np.ndarray,
    n_bands: int,
) -> np.ndarray:  # fmt: skip
    """Variance of the number still in care, from the children in care at the start, in
    each cell (B, G): sum of n p (1 - p)."""
    current = np.arange(AGE_MONTHS) + month_index + 1
    alive = current < AGE_MONTHS
    band = np.where(alive, band_of_age[np.minimum(current, AGE_MONTHS - 1)], -1)
    p = cohort * alive[:, None, None]  # (a0, g0, g)
    n = initial  # (a0, g0)
    cell = np.zeros((n_bands, cohort.shape[2]))
    vals = (n[..., None] * p * (1 - p)).sum(axis=1)  # (a0, g)
    np.add.at(cell, band[alive], vals[alive])
    return cell


def _whole_children(
    mean_stay: np.ndarray, fano: np.ndarray, mean_entr: np.ndarray, score: np.ndarray
) -> np.ndarray:
    """Children in each cell of each path: the sum of the Bernoulli stayers (mean
    ``mean_stay``, variance ``fano`` x mean) and Poisson entrants (``mean_entr``), as the
    Cornish-Fisher quantile (mean, variance and skew) at the normal ``score``, rounded to whole
    children; the quadratic is held at its turning point so it stays increasing."""
    q = np.clip(fano, 0.0, 1.0)
    var = mean_stay * q + mean_entr
    third = mean_stay * q * (2 * q - 1) + mean_entr
    sd = np.sqrt(var)
    skew = np.divide(third, 6 * var, out=np.zeros_like(var), where=var > 1e-12)
    turn = np.divide(-sd, 2 * skew, out=np.full_like(var, -np.inf), where=skew > 1e-12)
    z = np.maximum(score, turn)
    value = mean_stay + mean_entr + sd * z + skew * (z * z - 1)
    return np.maximum(np.floor(value + 0.5), 0).astype(np.int32)


def _mix_error(rng: np.random.Generator, paths: np.ndarray, per_year: float) -> np.ndarray:
    """Paths with each placement group's share of the path's children moved by a random
    walk on the log scale (``per_year`` standard deviation per square-root year), the
    path's total kept, rounded back to whole children."""
    n_paths, months, _, n_groups = paths.shape
    factor = _log_random_walk(rng, (n_paths, months, n_groups), per_year)[:, :, None, :]
    moved = paths * factor
    total = paths.sum(axis=(2, 3), keepdims=True)
    scale = np.divide(total, moved.sum(axis=(2, 3), keepdims=True),
                      out=np.ones(total.shape), where=total > 0)  # fmt: skip
    return np.floor(moved * scale + 0.5).astype(np.int32)


def _level_error(rng: np.random.Generator, paths: np.ndarray, per_year: float) -> np.ndarray:
    """Paths with every cell of a path scaled by one random walk on the log scale
    (``per_year`` standard deviation per square-root year), rounded to whole children."""
    factor = _log_random_walk(rng, paths.shape[:2], per_year)[:, :, None, None]
    return np.floor(paths * factor + 0.5).astype(np.int32)


def _log_random_walk(
    rng: np.random.Generator, shape: tuple[int, ...], per_year: float
) -> np.ndarray:
    """exp of a random walk over months (axis 1) with ``per_year`` standard deviation per
    square-root year: the factor a model error moves each path by, month by month."""
    steps = rng.standard_normal(shape) * (per_year / np.sqrt(12.0))
    return np.exp(np.cumsum(steps, axis=1))


def _entry_factor(rng: np.random.Generator, shape: float, simulations: int) -> np.ndarray:
    """This month's entry-rate factor of each path: Gamma(k, 1/k), mean 1 (1 without
    overdispersion)."""
    if not np.isfinite(shape):
        return np.ones(simulations)
    return rng.gamma(shape, 1.0 / shape, size=simulations)


def _path_child_days(
    paths: np.ndarray, expected: np.ndarray, child_days: np.ndarray, initial: np.ndarray,
    month_days: list[tuple[dt.date, dt.date]],
) -> np.ndarray:  # fmt: skip
    """Child-days of each path by (month, group): the exact expected child-days plus the
    path's departure from the expected number in care, averaged over the month's two ends
    (trapezium) times its days: (S, M, G), never negative."""
    by_group = paths.sum(axis=2, dtype=np.int64).astype(np.float32)  # (S, M, G)
    start = np.broadcast_to(initial.sum(axis=0), (by_group.shape[0], 1, by_group.shape[2]))
    before = np.concatenate([start.astype(np.float32), by_group[:, :-1]], axis=1)
    expected_g = expected.sum(axis=1)
    expected_before = np.concatenate([initial.sum(axis=0)[None], expected_g[:-1]], axis=0)
    days = np.array([(last - first).days + 1 for first, last in month_days], dtype=np.float32)
    departure = (before + by_group) / 2 - (expected_before + expected_g)[None] / 2
    result = child_days.sum(axis=1)[None].astype(np.float32) + departure * days[None, :, None]
    return np.maximum(result, 0.0)


def _remembered_integrals() -> Callable[[np.ndarray, int, int], tuple[np.ndarray, ...]]:
    """``expm_integrals`` remembered for the last few generators (months repeat 4 lengths)."""
    cache: dict[tuple[int, int, bytes], tuple[np.ndarray, ...]] = {}

    def integrals(q: np.ndarray, length: int, order: int) -> tuple[np.ndarray, ...]:
        key = (length, order, q.tobytes())
        if key not in cache:
            if len(cache) > 8:
                cache.clear()
            cache[key] = expm_integrals(q, float(length), order)
        return cache[key]

    return integrals


def _advance_durations(
    durations: DurationRun, point: _Run, params: ModelParameters, first: int, stop: int,
    step_days: int | None, band_of_age: np.ndarray, child_days: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """One month of the duration-dependent expectation (the same entrants and adjustments
    as the constant chain's point run): children at the start and entrants by (B, G); the
    month's child-days are added to ``child_days`` (B, G)."""
    assert params.durations is not None
    hazards = params.durations.hazards[None]
    cells = params.entries.scale(first, None) * point.shares
    for adjust in params.adjusters:
        hazards, cells = adjust(hazards, cells, first)
    slices = _band_slices(band_of_age)
    durations.new_month()
    durations.advance(hazards[0], cells[0], _sub_steps(first, stop, step_days), slices,
                      child_days)  # fmt: skip
    by_band = durations.by_band
    return by_band(durations.initial, slices), by_band(durations.entrants, slices)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 1 where the denominator is (nearly) nothing."""
    return np.divide(numerator, denominator, out=np.ones_like(numerator),
                     where=denominator > 1e-9)  # fmt: skip


def run_forecast(
    params: ModelParameters,
    months: int = 24,
    *,
    simulations: int = DEFAULT_SIMULATIONS,
    seed: int | None = 0,
    step_days: int | None = None,
    progress: Callable[[int], None] | None = None,
    group_mix_error: float = GROUP_MIX_ERROR,
    level_error: float = LEVEL_ERROR,
) -> ForecastResult:
    """Forecast ``months`` month ends after ``params.start`` (at most 60), with
    ``simulations`` joint sample paths (0: expected values only) and the model error
    ``group_mix_error`` in the placement groups' shares (``GROUP_MIX_ERROR``) and
    ``level_error`` in the number in care (``LEVEL_ERROR``).

    ``step_days`` splits each month into steps of that many days (the answer does not
    change: used to test step-size invariance). ``progress(n)`` is called after each month.
    The same ``seed`` and parameter shapes give the same random numbers, so a scenario run
    with the baseline's seed shares its random numbers (common random numbers).
    """
    if not 1 <= months <= MAX_MONTHS:
        raise ForecastError(f"months must be 1 to {MAX_MONTHS}, not {months}")
    config = params.config
    n_bands, n_groups = len(config.age_bands), len(config.groups)
    band_of_age = config.band_of_months(np.arange(AGE_MONTHS))
    calendar = month_ends(params.start, months)
    rng = np.random.default_rng(seed)

    point = _Run(params.transitions.hazards()[None], None, params.initial[None].copy(),
                 np.zeros((1, AGE_MONTHS, n_groups)), params.entries.cell_shares())  # fmt: skip
    point.cohort = np.broadcast_to(np.eye(n_groups), (AGE_MONTHS, n_groups, n_groups)).copy()
    sims = None
    paths = None
    if simulations > 0:
        entry_draw = params.entries.draw(rng, simulations)
        sims = _Run(params.transitions.draw(rng, simulations), entry_draw,
                    np.broadcast_to(params.initial, (simulations, *params.initial.shape)).copy(),
                    np.zeros((simulations, AGE_MONTHS, n_groups)),
                    params.entries.cell_shares(entry_draw))  # fmt: skip
        paths = np.zeros((simulations, months, n_bands, n_groups), dtype=np.int32)
        score = rng.standard_normal((simulations, n_bands, n_groups))
        shape = params.entries.gamma_shape()

    expected = np.zeros((months, n_bands, n_groups))
    child_days = np.zeros((months, n_bands, n_groups))
    durations = None
    if params.durations is not None and params.initial_durations is not None:
        durations = DurationRun(params.durations, params.initial_durations,
                                _remembered_integrals())  # fmt: skip
        constant_days = np.zeros_like(child_days)  # the constant chain's, not reported
    innovation = np.sqrt(1 - MONTH_CORRELATION**2)
    for m, (first, stop, _) in enumerate(calendar):
        for run in (point, sims):
            if run is not None:
                run.initial, run.entrants = _ages_shift(run.initial), _ages_shift(run.entrants)
        _advance_month(point, params, first, stop, band_of_age, m, step_days,
                       child_days if durations is None else constant_days)  # fmt: skip
        init_pt = _by_band(point.initial, band_of_age, n_bands)[0]
        entr_pt = _by_band(point.entrants, band_of_age, n_bands)[0]
        scale_init = scale_entr = np.ones_like(init_pt)
        if durations is not None:
            dur_init, dur_entr = _advance_durations(
                durations, point, params, first, stop, step_days, band_of_age, child_days[m]
            )
            scale_init, scale_entr = _ratio(dur_init, init_pt), _ratio(dur_entr, entr_pt)
            init_pt, entr_pt = dur_init, dur_entr
        expected[m] = init_pt + entr_pt
        if sims is not None and paths is not None:
            sims.entry_noise = _entry_factor(rng, shape, simulations)
            _advance_month(sims, params, first, stop, band_of_age, m, step_days, None)
            variance = _cohort_variance(point.cohort, params.initial, m, band_of_age, n_bands)
            fano = np.divide(variance, init_pt, out=np.zeros_like(init_pt), where=init_pt > 1e-12)
            if m:
                score = MONTH_CORRELATION * score + innovation * rng.standard_normal(score.shape)
            paths[:, m] = _whole_children(
                np.maximum(_by_band(sims.initial, band_of_age, n_bands), 0.0) * scale_init,
                fano[None],
                np.maximum(_by_band(sims.entrants, band_of_age, n_bands), 0.0) * scale_entr,
                score,
            )
        if progress is not None:
            progress(1)
    if paths is not None and group_mix_error > 0:
        paths = _mix_error(rng, paths, group_mix_error)
    if paths is not None and level_error > 0:
        paths = _level_error(rng, paths, level_error)
    month_days = [(day_date(first), day_date(stop - 1)) for first, stop, _ in calendar]
    return ForecastResult(
        config=config,
        start=params.start,
        dates=[end for _, _, end in calendar],
        expected=expected,
        child_days=child_days,
        month_days=month_days,
        paths=paths,
        path_child_days=None
        if paths is None
        else _path_child_days(paths, expected, child_days, params.initial, month_days),
        simulations=simulations,
        seed=seed,
        parameters=params.describe(),
    )
