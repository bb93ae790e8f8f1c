"""Back-test scores: a forecast against what was later published.

Each score is one area, measure, origin (the last year fitted) and horizon (years ahead):
the expected value, the 80% band (10th to 90th percentile) and the actual. Summaries give,
by measure and horizon, the number of forecasts, the mean and median absolute percentage
error, the mean signed error (bias) and the share of actuals inside the 80% band.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    area: str
    measure: str
    origin: int
    horizon: int
    actual: float
    expected: float
    low: float  # 10th percentile
    high: float  # 90th percentile

    @property
    def error_pct(self) -> float:
        return (self.expected - self.actual) / self.actual * 100

    @property
    def covered(self) -> bool:
        return self.low <= self.actual <= self.high


@dataclass(frozen=True)
class Summary:
    measure: str
    horizon: int | None  # None: every horizon
    forecasts: int
    mape: float
    median_ape: float
    bias: float
    coverage: float  # % of actuals inside the 80% band

    def to_dict(self) -> dict[str, object]:
        return {
            "measure": self.measure,
            "horizon": self.horizon,
            "forecasts": self.forecasts,
            "mape": round(self.mape, 2),
            "median_ape": round(self.median_ape, 2),
            "bias": round(self.bias, 2),
            "coverage": round(self.coverage, 1),
        }


def usable(scores: Iterable[Score]) -> list[Score]:
    """Scores with a positive actual (a percentage error needs one)."""
    return [s for s in scores if s.actual > 0]


def summarise(
    scores: Iterable[Score], measures: Sequence[str] | None = None, by_horizon: bool = True
) -> list[Summary]:
    """Error and coverage by measure (in the order given) and horizon, then all horizons."""
    kept = usable(scores)
    names = list(measures) if measures else sorted({s.measure for s in kept})
    result = []
    for measure in names:
        mine = [s for s in kept if s.measure == measure]
        horizons = sorted({s.horizon for s in mine}) if by_horizon else []
        for horizon in [*horizons, None]:
            chosen = [s for s in mine if horizon is None or s.horizon == horizon]
            if chosen:
                result.append(_summary(measure, horizon, chosen))
    return result


def _summary(measure: str, horizon: int | None, scores: list[Score]) -> Summary:
    errors = [s.error_pct for s in scores]
    absolute = [abs(e) for e in errors]
    return Summary(
        measure=measure,
        horizon=horizon,
        forecasts=len(scores),
        mape=statistics.fmean(absolute),
        median_ape=statistics.median(absolute),
        bias=statistics.fmean(errors),
        coverage=100 * sum(s.covered for s in scores) / len(scores),
    )


def summary_lines(summaries: Sequence[Summary]) -> list[str]:
    """A plain-text table of summaries (for the command line and the benchmark scripts)."""
    lines = [
        f"{'measure':<28} {'horizon':>7} {'n':>6} {'MAPE %':>7} {'median %':>8} "
        f"{'bias %':>7} {'in 80% band':>11}"
    ]
    for s in summaries:
        horizon = "all" if s.horizon is None else f"{s.horizon} yr"
        lines.append(
            f"{s.measure:<28} {horizon:>7} {s.forecasts:>6} {s.mape:>7.1f} "
            f"{s.median_ape:>8.1f} {s.bias:>7.1f} {s.coverage:>10.0f}%"
        )
    return lines
