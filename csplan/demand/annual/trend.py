"""Trends and ratios fitted on a few published years, and their uncertainty.

A **trend** is a random walk with drift on the logarithm of a count: the growth is the mean
of the year-on-year log changes, its standard error comes from their spread, and the
projection damps the growth by ``damping`` a year (``damping`` 1 is an undamped trend, 0 the
last value held). A simulated path draws the growth once (parameter uncertainty) and a
shock every year (the year-to-year spread), so the bands widen with the horizon.

A **ratio** (a rate of leaving, a conversion from one stage to the next) is the pooled ratio
over the years used, with the year-to-year spread of the single-year ratios.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_SPREAD = 0.02  # a floor on the year-to-year spread: two years that agree prove little


@dataclass(frozen=True)
class Trend:
    level: float  # the last value, projected from
    growth: float  # log growth a year
    growth_se: float
    spread: float  # standard deviation of a year's log change around the growth
    damping: float
    years: int  # log changes used

    def factors(self, horizons: int) -> np.ndarray:
        """Cumulative damped growth exponents for horizons 1..H (H,)."""
        weights = self.damping ** np.arange(1, horizons + 1)
        return np.cumsum(weights)

    def expected(self, horizons: int) -> np.ndarray:
        return self.level * np.exp(self.growth * self.factors(horizons))

    def simulate(
        self, horizons: int, rng: np.random.Generator, paths: int, scale: float = 1.0
    ) -> np.ndarray:
        """Sample paths (paths, H): growth drawn once per path, a shock every year."""
        growth = rng.normal(self.growth, self.growth_se * scale, size=(paths, 1))
        shocks = rng.normal(0.0, self.spread * scale, size=(paths, horizons)).cumsum(axis=1)
        return self.level * np.exp(growth * self.factors(horizons)[None, :] + shocks)

    def to_dict(self) -> dict[str, float]:
        return {
            "level": self.level,
            "growth": self.growth,
            "growth_se": self.growth_se,
            "spread": self.spread,
            "damping": self.damping,
            "years": self.years,
        }


def fit_trend(values: Sequence[float], damping: float = 1.0) -> Trend:
    """A damped log trend through ``values`` (oldest first, all positive)."""
    clean = [float(v) for v in values if v is not None and v > 0]
    if not clean:
        raise ValueError("a trend needs at least one positive value")
    logs = np.log(clean)
    changes = np.diff(logs)
    if len(changes) == 0:
        return Trend(clean[-1], 0.0, MIN_SPREAD, MIN_SPREAD, damping, 0)
    growth = float(changes.mean())
    spread = float(changes.std(ddof=1)) if len(changes) > 1 else MIN_SPREAD
    spread = max(spread, MIN_SPREAD)
    return Trend(clean[-1], growth, spread / math.sqrt(len(changes)), spread, damping, len(changes))


@dataclass(frozen=True)
class Ratio:
    value: float
    spread: float  # standard deviation of the single-year ratios
    years: int

    def simulate(
        self,
        horizons: int,
        rng: np.random.Generator,
        paths: int,
        scale: float = 1.0,
        persistent: bool = True,
    ) -> np.ndarray:
        """Sample ratios (paths, H): a level per path (its standard error) plus a year's noise."""
        se = self.spread / math.sqrt(max(self.years, 1))
        level = rng.normal(self.value, se * scale, size=(paths, 1)) if persistent else self.value
        noise = rng.normal(0.0, self.spread * scale, size=(paths, horizons))
        return level + noise

    def to_dict(self) -> dict[str, float]:
        return {"value": self.value, "spread": self.spread, "years": self.years}


def fit_ratio(
    numerators: Sequence[float], denominators: Sequence[float], floor: float | None = None
) -> Ratio:
    """The pooled ratio sum(numerators) / sum(denominators) and the spread of the years'
    (a tenth of the ratio when there is one year); ``floor`` bounds the ratio below."""
    pairs = [
        (float(n), float(d)) for n, d in zip(numerators, denominators, strict=True) if d and d > 0
    ]
    if not pairs:
        raise ValueError("a ratio needs at least one year with a positive denominator")
    pooled = sum(n for n, _ in pairs) / sum(d for _, d in pairs)
    singles = np.array([n / d for n, d in pairs])
    spread = float(singles.std(ddof=1)) if len(singles) > 1 else abs(pooled) * 0.1
    value = pooled if floor is None else max(pooled, floor)
    return Ratio(value, spread, len(pairs))


def percentiles(samples: np.ndarray, axis: int = 0) -> np.ndarray:
    """10th, 50th and 90th percentiles along ``axis`` (a leading axis of 3)."""
    return np.percentile(samples, [10, 50, 90], axis=axis)
