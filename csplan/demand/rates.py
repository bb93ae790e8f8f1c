"""Rates from a reference window: events divided by exposure, and the entry model.

A hazard is the number of events in the window divided by the child-days spent in the state
in the window (the maximum-likelihood estimate of a constant hazard), never an average of
daily ratios. Entries are either a count per day with a log-linear trend (a Poisson
regression on the monthly counts in the window) or, when a population projection is given,
a rate per 10,000 children in each age band. The age band x group mix of entrants, and their
age in months within the band, come from the window's entrants.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from csplan.demand.config import MAX_AGE_YEARS, ModelConfig
from csplan.demand.states import EVENT_AGE, EVENT_CENSORED, day_number

DAYS_PER_YEAR = 365.25
# A log-linear trend fitted to two years of counts is extrapolated up to five years: it is
# capped at 10% a year either way (stated in the notes when the cap applies).
MAX_TREND = float(np.log(1.10))
# ... and damped: t years after the window it has moved the rate by tau (1 - exp(-t / tau))
# years' worth, never more than tau years' worth, however long the forecast.
TREND_DAMPING_YEARS = 1.0
AGE_MONTHS = MAX_AGE_YEARS * 12


class RateError(ValueError):
    """The reference window or population projection cannot be used."""


@dataclass(frozen=True)
class Window:
    """The reference window: ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date

    @property
    def start_day(self) -> int:
        return day_number(self.first)

    @property
    def end_day(self) -> int:
        """The day after ``last`` (exposure is counted on ``[start_day, end_day)``)."""
        return day_number(self.last) + 1

    def to_dict(self) -> dict[str, str]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat()}

    @classmethod
    def ending(cls, last: dt.date, months: int) -> Window:
        """The ``months`` whole calendar months ending on ``last`` (a month end)."""
        first = (pd.Timestamp(last) + pd.Timedelta(days=1) - pd.DateOffset(months=months)).date()
        return cls(first, last)

    @classmethod
    def parse(cls, text: str, last: dt.date) -> Window:
        """``24`` (months ending at ``last``) or ``2022-04-01:2024-03-31``."""
        text = text.strip()
        if ":" in text:
            first_text, last_text = text.split(":", 1)
            window = cls(dt.date.fromisoformat(first_text), dt.date.fromisoformat(last_text))
        else:
            window = cls.ending(last, int(text))
        if window.last < window.first or window.last > last:
            raise RateError(f"reference window {text!r} must end on or before {last}")
        return window


@dataclass
class Transitions:
    """Events and exposure by (age band, group); ``events[..., G]`` are exits from care."""

    exposure: np.ndarray  # (B, G) child-days
    events: np.ndarray  # (B, G, G + 1)

    def hazards(self) -> np.ndarray:
        """Events per child-day; zero where there was no exposure."""
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = self.events / self.exposure[..., None]
        return np.nan_to_num(rates, nan=0.0, posinf=0.0)

    def draw(self, rng: np.random.Generator, simulations: int) -> np.ndarray:
        """Hazards drawn from their posterior (Gamma(events, exposure)): (S, B, G, G + 1)."""
        shape = (simulations, *self.events.shape)
        gamma = rng.standard_gamma(np.broadcast_to(self.events, shape))
        with np.errstate(divide="ignore", invalid="ignore"):
            rates = gamma / self.exposure[None, ..., None]
        return np.nan_to_num(rates, nan=0.0, posinf=0.0)


def count_transitions(segs: pd.DataFrame, config: ModelConfig, window: Window) -> Transitions:
    n_bands, n_groups = len(config.age_bands), len(config.groups)
    w0, w1 = window.start_day, window.end_day
    start = np.maximum(segs["start"].to_numpy(), w0)
    end = np.minimum(segs["end"].to_numpy(), w1)
    inside = end > start
    band, group = segs["band"].to_numpy(), segs["group"].to_numpy()
    exposure = np.zeros((n_bands, n_groups))
    np.add.at(exposure, (band[inside], group[inside]), (end - start)[inside])
    event = segs["event"].to_numpy()
    seg_end = segs["end"].to_numpy()
    counted = (seg_end > w0) & (seg_end <= w1) & (event != EVENT_CENSORED) & (event != EVENT_AGE)
    events = np.zeros((n_bands, n_groups, n_groups + 1))
    np.add.at(events, (band[counted], group[counted], event[counted]), 1)
    # A same-day "move" into the same group cannot happen (spells are merged), so the
    # diagonal stays zero.
    return Transitions(exposure, events)


# -- entries ------------------------------------------------------------------------------


@dataclass
class Entries:
    """Children entering care: how many per day, and their mix over (age in months, group)."""

    mix_counts: np.ndarray  # (B, G) entrants in the window
    age_weights: np.ndarray  # (216,) share of a band's entrants at each age in months
    band_of_age: np.ndarray  # (216,) band index of each age in months
    origin_day: int  # t = 0 for the trend (the day after the window)
    coef: np.ndarray  # (2,) log entrants per day at t = 0, trend per year
    cov: np.ndarray  # (2, 2)
    monthly: pd.DataFrame  # the window's monthly counts (for reports)
    population: dict[int, np.ndarray] | None = None  # calendar year -> (B,) children
    rate_per_child_day: np.ndarray | None = None  # (B,) when a population is given
    notes: list[str] = field(default_factory=list)
    # Pearson dispersion of the monthly counts about the fit (1: Poisson, no more)
    dispersion: float = 1.0
    damping: float | None = None  # years (tau) of the trend's damping; None: undamped

    def trend_years(self, day: int) -> float:
        """Years of trend applied on ``day``: the years since the origin, damped after it."""
        t = (day - self.origin_day) / DAYS_PER_YEAR
        if self.damping is None or t <= 0:
            return t
        return float(self.damping * -np.expm1(-t / self.damping))

    def gamma_shape(self) -> float:
        """Shape k of the Gamma(k, 1/k) factor on each month's entry rate that makes the
        monthly counts negative binomial with the window's dispersion: the count's variance
        ``mu + mu^2 / k`` equals ``dispersion x mu`` at the window's mean monthly count;
        infinite (no factor) when the counts are not overdispersed."""
        if self.dispersion <= 1.0 or self.monthly.empty:
            return float("inf")
        mean = float(self.monthly["entrants"].mean())
        return mean / (self.dispersion - 1.0) if mean > 0 else float("inf")

    def mix(self, mix_counts: np.ndarray | None = None) -> np.ndarray:
        """Share of entrants in each (age in months, group): (216, G), summing to 1."""
        counts = self.mix_counts if mix_counts is None else mix_counts
        total = counts.sum(axis=(-2, -1), keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.nan_to_num(counts / total)
        return share[..., self.band_of_age, :] * self.age_weights[:, None]

    def cell_shares(self, draw: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """How entrants spread over (age in months, group): (S, 216, G). With a trend, the
        shares of all entrants; with a population, the shares within each age band."""
        counts = self.mix_counts[None] if draw is None else draw["mix"]
        if self.population is None or self.rate_per_child_day is None:
            return self.mix(counts)
        with np.errstate(divide="ignore", invalid="ignore"):
            within = np.nan_to_num(counts / counts.sum(axis=-1, keepdims=True))
        return within[:, self.band_of_age, :] * self.age_weights[None, :, None]

    def scale(self, day: int, draw: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Entrants per day on ``day`` to multiply ``cell_shares`` by: (S, 1 or 216, 1)."""
        coef = None if draw is None else draw["coef"]
        if self.population is None or self.rate_per_child_day is None:
            return np.atleast_1d(self.per_day(day, coef))[:, None, None]
        per_band = np.atleast_2d(self.per_day(day, coef))  # (S, B)
        return per_band[:, self.band_of_age, None]

    def cell_rates(self, day: int, draw: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Expected entrants per day in each (age in months, group) on ``day``."""
        return self.scale(day, draw) * self.cell_shares(draw)

    def draw(self, rng: np.random.Generator, simulations: int) -> dict[str, np.ndarray]:
        """Entry parameters drawn from their sampling distributions."""
        shape = (simulations, *self.mix_counts.shape)
        mix = rng.standard_gamma(np.broadcast_to(self.mix_counts, shape))
        if self.population is not None and self.rate_per_child_day is not None:
            per_band = self.mix_counts.sum(axis=1)
            scale = np.zeros_like(per_band)
            np.divide(self.rate_per_child_day, per_band, out=scale, where=per_band > 0)
            coef = rng.standard_gamma(np.broadcast_to(per_band, (simulations, len(per_band))))
            return {"coef": coef * scale, "mix": mix}
        if not np.isfinite(self.coef[0]):
            return {"coef": np.tile(self.coef, (simulations, 1)), "mix": mix}
        cov = self.cov * max(self.dispersion, 1.0)  # quasi-Poisson: wider when overdispersed
        coef = rng.multivariate_normal(self.coef, cov, size=simulations, method="eigh")
        coef[:, 1] = np.clip(coef[:, 1], -MAX_TREND, MAX_TREND)
        return {"coef": coef, "mix": mix}

    def per_day(self, day: int, coef: np.ndarray | None = None) -> np.ndarray:
        """Expected entrants per day on ``day`` (by band when a population is given, else
        the total); ``coef`` may carry a leading simulations axis."""
        if self.population is not None and self.rate_per_child_day is not None:
            pop = population_in(self.population, day)
            rate = self.rate_per_child_day if coef is None else coef
            return rate * pop
        c = self.coef if coef is None else coef
        return np.exp(c[..., 0] + c[..., 1] * self.trend_years(day))

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "entrants_in_window": int(self.mix_counts.sum()),
            "per_day_at_start": float(np.sum(self.per_day(self.origin_day))),
            "notes": list(self.notes),
        }
        if self.population is None:
            result["trend_per_year"] = float(np.expm1(self.coef[1]))
            if self.damping is not None:
                result["trend_damping_years"] = self.damping
        result["dispersion"] = round(self.dispersion, 3)
        return result


def entrant_frame(segs: pd.DataFrame, dob: pd.Series, window: Window) -> pd.DataFrame:
    """Entries into care in the window with their band, group and age in months."""
    first = segs[segs["entry"].to_numpy()]
    inside = (first["start"] >= window.start_day) & (first["start"] < window.end_day)
    first = first[inside.to_numpy()]
    dates = pd.to_datetime(first["start"].to_numpy(), unit="D")
    births = dob.iloc[first["child"].to_numpy()].reset_index(drop=True)
    months = (dates.year.to_numpy() - births.dt.year.to_numpy()) * 12 + (
        dates.month.to_numpy() - births.dt.month.to_numpy()
    )
    return pd.DataFrame({
        "day": first["start"].to_numpy(), "year": dates.year, "month": dates.month,
        "band": first["band"].to_numpy(), "group": first["group"].to_numpy(),
        "age_months": np.clip(months, 0, AGE_MONTHS - 1),
    })  # fmt: skip


def fit_entries(
    entrants: pd.DataFrame,
    config: ModelConfig,
    window: Window,
    *,
    trend: bool = True,
    population: pd.DataFrame | None = None,
    damping: float | None = None,
) -> Entries:
    n_bands, n_groups = len(config.age_bands), len(config.groups)
    band_of_age = config.band_of_months(np.arange(AGE_MONTHS))
    mix = np.zeros((n_bands, n_groups))
    np.add.at(mix, (entrants["band"].to_numpy(), entrants["group"].to_numpy()), 1)
    ages = np.bincount(entrants["age_months"].to_numpy(), minlength=AGE_MONTHS).astype(float)
    ages += 0.1  # every age possible, so a band with few entrants still has a spread of ages
    band_total = np.bincount(band_of_age, weights=ages)
    age_weights = ages / band_total[band_of_age]
    monthly = _monthly_counts(entrants, window)
    coef, cov, notes = _loglinear(monthly, window.end_day, trend)
    dispersion = entry_dispersion(monthly, coef, window.end_day)
    entries = Entries(mix, age_weights, band_of_age, window.end_day, coef, cov, monthly,
                      notes=notes, dispersion=dispersion, damping=damping)  # fmt: skip
    if population is not None:
        _attach_population(entries, entrants, config, window, population)
    return entries


def _monthly_counts(entrants: pd.DataFrame, window: Window) -> pd.DataFrame:
    months = pd.period_range(window.first, window.last, freq="M")
    first_day = np.array([max(day_number(m.start_time.date()), window.start_day) for m in months])
    last_day = np.array([min(day_number(m.end_time.date()) + 1, window.end_day) for m in months])
    key = pd.PeriodIndex.from_fields(year=entrants["year"], month=entrants["month"], freq="M")
    counts = pd.Series(1, index=key).groupby(level=0).sum().reindex(months, fill_value=0)
    return pd.DataFrame({
        "month": months.astype(str), "entrants": counts.to_numpy(),
        "days": last_day - first_day, "mid_day": (first_day + last_day) / 2,
    })  # fmt: skip


def entry_dispersion(monthly: pd.DataFrame, coef: np.ndarray, origin_day: int) -> float:
    """Pearson chi-squared of the monthly entry counts about the fitted rate, over its degrees
    of freedom (1 for Poisson counts; more when months vary more than chance allows)."""
    if monthly.empty or not np.isfinite(coef[0]):
        return 1.0
    y = monthly["entrants"].to_numpy(dtype=float)
    t = (monthly["mid_day"].to_numpy() - origin_day) / DAYS_PER_YEAR
    mu = monthly["days"].to_numpy(dtype=float) * np.exp(coef[0] + coef[1] * t)
    free = len(y) - (2 if coef[1] != 0 else 1)
    if free < 3 or not np.all(mu > 0):
        return 1.0
    return float(np.sum((y - mu) ** 2 / mu) / free)


def _loglinear(
    monthly: pd.DataFrame, origin_day: int, trend: bool
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Poisson regression log(mu) = log(days) + a + b * t (t in years from ``origin_day``)."""
    y = monthly["entrants"].to_numpy(dtype=float)
    days = monthly["days"].to_numpy(dtype=float)
    t = (monthly["mid_day"].to_numpy() - origin_day) / DAYS_PER_YEAR
    total = y.sum()
    if total == 0:
        return np.array([-np.inf, 0.0]), np.zeros((2, 2)), ["no entrants in the window"]
    level = np.log(total / days.sum())
    if not trend or len(y) < 6:
        note = [] if not trend else ["fewer than 6 months in the window: no entry trend"]
        return np.array([level, 0.0]), np.array([[1.0 / total, 0.0], [0.0, 0.0]]), note
    x = np.column_stack([np.ones_like(t), t])
    beta = _poisson_newton(x, y, days, np.array([level, 0.0]))
    notes = []
    if beta is None or abs(beta[1]) > MAX_TREND:
        # A trend beyond the cap (or one so steep that Newton's method does not settle) is
        # held at the cap and the level refitted so the window's total is kept.
        direction = _trend_direction(y, t) if beta is None else np.sign(beta[1])
        capped = direction * MAX_TREND
        level_at_cap = np.log(total / np.sum(days * np.exp(capped * t)))
        fitted = "did not converge" if beta is None else f"{np.expm1(beta[1]):+.0%} a year"
        notes.append(f"entry trend {fitted}: capped at {np.expm1(capped):+.0%}")
        beta = np.array([level_at_cap, capped])
    return beta, _covariance(x, days, beta, total), notes


def _poisson_newton(
    x: np.ndarray, y: np.ndarray, days: np.ndarray, start: np.ndarray
) -> np.ndarray | None:
    """Newton-Raphson for the Poisson log-linear fit; None when it does not converge (a
    singular information matrix or no settled step within 50 iterations)."""
    beta = start.copy()
    for _ in range(50):
        mu = days * np.exp(x @ beta)
        try:
            step = np.linalg.solve(x.T @ (mu[:, None] * x), x.T @ (y - mu))
        except np.linalg.LinAlgError:
            return None
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return None
        if np.max(np.abs(step)) < 1e-10:
            return beta
    return None


def _trend_direction(y: np.ndarray, t: np.ndarray) -> float:
    """+1 when entrants rise across the window, -1 when they fall (by the later half's
    share), for a fit too steep to converge."""
    later = t > np.median(t)
    return 1.0 if y[later].sum() >= y[~later].sum() else -1.0


def _covariance(x: np.ndarray, days: np.ndarray, beta: np.ndarray, total: float) -> np.ndarray:
    """The inverse Fisher information at the fit actually used (the capped one when capped),
    or the level's alone when that information is singular."""
    mu = days * np.exp(x @ beta)
    try:
        return np.linalg.inv(x.T @ (mu[:, None] * x))
    except np.linalg.LinAlgError:
        return np.array([[1.0 / total, 0.0], [0.0, 0.0]])


def read_population(path: Path | str, config: ModelConfig) -> pd.DataFrame:
    """A projection CSV with columns ``year``, ``age`` (single year 0-17) or ``age_band``
    (a band key), and ``population``; returns one row per (year, band)."""
    frame = pd.read_csv(path, dtype=str)
    frame.columns = [c.strip().lower() for c in frame.columns]
    if not {"year", "population"} <= set(frame.columns):
        raise RateError(f"{path}: population needs columns year, age (or age_band), population")
    year = pd.to_numeric(frame["year"].str.slice(0, 4), errors="raise").astype(int)
    pop = pd.to_numeric(frame["population"].str.replace(",", ""), errors="raise")
    if "age" in frame.columns:
        age = pd.to_numeric(frame["age"], errors="raise").astype(int)
        band = config.band_of_months(age.to_numpy() * 12)
        keep = (age >= 0) & (age < MAX_AGE_YEARS)
    elif "age_band" in frame.columns:
        keys = config.band_keys
        unknown = set(frame["age_band"]) - set(keys)
        if unknown:
            raise RateError(f"{path}: unknown age bands {sorted(unknown)}; use {keys}")
        band = frame["age_band"].map(keys.index).to_numpy()
        keep = pd.Series(True, index=frame.index)
    else:
        raise RateError(f"{path}: population needs an age or age_band column")
    out = pd.DataFrame({"year": year[keep], "band": band[keep.to_numpy()], "population": pop[keep]})
    return out.groupby(["year", "band"], as_index=False)["population"].sum()


def population_in(population: dict[int, np.ndarray], day: int) -> np.ndarray:
    """Population by band in the calendar year of ``day`` (the nearest year given)."""
    year = int(str(np.datetime64(int(day), "D"))[:4])
    years = sorted(population)
    year = min(max(year, years[0]), years[-1])
    return population[year]


def _attach_population(
    entries: Entries,
    entrants: pd.DataFrame,
    config: ModelConfig,
    window: Window,
    population: pd.DataFrame,
) -> None:
    n_bands = len(config.age_bands)
    table: dict[int, np.ndarray] = {}
    for year, rows in population.groupby("year"):
        values = np.zeros(n_bands)
        values[rows["band"].to_numpy()] = rows["population"].to_numpy(dtype=float)
        table[int(year)] = values
    child_days = np.zeros(n_bands)
    for day in range(window.start_day, window.end_day):
        child_days += population_in(table, day)
    per_band = np.bincount(entrants["band"].to_numpy(), minlength=n_bands).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        entries.rate_per_child_day = np.nan_to_num(per_band / child_days)
    entries.population = table
    entries.notes.append(
        "entries per 10,000 children: "
        + ", ".join(
            f"{band.key} {rate * DAYS_PER_YEAR * 10_000:.1f}/yr"
            for band, rate in zip(config.age_bands, entries.rate_per_child_day, strict=True)
        )
    )
    if max(table) < day_number_year(window.end_day) + 5:
        entries.notes.append(f"population after {max(table)} taken as {max(table)}'s")


def day_number_year(day: int) -> int:
    return int(str(np.datetime64(int(day), "D"))[:4])
