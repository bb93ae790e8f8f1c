"""Back-test the EHC plan model on published years: fit with the figures as they stood at an
origin January, forecast the following Januaries, compare with what DfE later published.

Scores cover the total and each setting group, by horizon (years ahead), with the 80% band
(``csplan.demand.annual.scores``). ``naive`` scores the simplest rival: the last January's
plans grown at the last year's rate, so the report shows what the model adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from csplan.demand.annual.scores import Score
from csplan.demand.annual.series import AreaSeries
from csplan.demand.send import settings as st
from csplan.demand.send.model import (
    GROUPS,
    SendModelError,
    SendOptions,
    fit_send,
    forecast_send,
    january_years,
    truncated,
)

MEASURES = ("plans", *(st.plans(g) for g in GROUPS))


@dataclass(frozen=True)
class BacktestResult:
    scores: list[Score]
    naive: list[Score]
    skipped: list[tuple[str, int, str]]  # (area, origin, why)


def origins_of(area: AreaSeries, min_fit: int = 2, horizon: int = 3) -> list[int]:
    """Januaries with at least ``min_fit`` years fitted before them and one after."""
    years = january_years(area)
    return [
        y
        for y in years
        if len([x for x in years if x < y]) >= min_fit and any(y < x <= y + horizon for x in years)
    ]


def backtest_area(
    area: AreaSeries,
    options: SendOptions,
    *,
    horizon: int = 3,
    min_fit: int = 2,
    origins: Sequence[int] | None = None,
) -> BacktestResult:
    scores, naive, skipped = [], [], []
    for origin in origins if origins is not None else origins_of(area, min_fit, horizon):
        try:
            fit = fit_send(truncated(area, origin), origin, options)
        except SendModelError as error:
            skipped.append((area.code, origin, str(error)))
            continue
        forecast = forecast_send(fit, horizon)
        for h, year in enumerate(forecast.years):
            actual = {m: area.get(m, year) for m in MEASURES}
            if actual["plans"] is None:
                continue
            scores.extend(_scores(area, forecast, h, year, origin, actual))
            naive.extend(_naive(area, origin, h + 1, year, actual))
    return BacktestResult(scores, naive, skipped)


def _scores(area, forecast, h, year, origin, actual) -> Iterable[Score]:  # noqa: ANN001
    total = forecast.bands()
    assert total is not None
    yield Score(
        area.code,
        "plans",
        origin,
        h + 1,
        float(actual["plans"]),
        float(forecast.total_expected[h]),
        float(total[0, h]),
        float(total[2, h]),
    )
    for g, group in enumerate(GROUPS):
        value = actual[st.plans(group)]
        if value is None:
            continue
        bands = forecast.bands(group)
        assert bands is not None
        yield Score(
            area.code,
            st.plans(group),
            origin,
            h + 1,
            float(value),
            float(forecast.expected[h, g]),
            float(bands[0, h]),
            float(bands[2, h]),
        )


def _naive(
    area: AreaSeries, origin: int, horizon: int, year: int, actual: dict[str, int | None]
) -> Iterable[Score]:
    for measure, value in actual.items():
        last, before = area.get(measure, origin), area.get(measure, origin - 1)
        if value is None or last is None:
            continue
        growth = last / before if before else 1.0
        guess = last * growth**horizon
        yield Score(area.code, measure, origin, horizon, float(value), guess, guess, guess)


def backtest_all(
    areas: Iterable[AreaSeries], options: SendOptions, *, horizon: int = 3, min_fit: int = 2
) -> BacktestResult:
    scores, naive, skipped = [], [], []
    for area in areas:
        result = backtest_area(area, options, horizon=horizon, min_fit=min_fit)
        scores += result.scores
        naive += result.naive
        skipped += result.skipped
    return BacktestResult(scores, naive, skipped)


def coverage(scores: Sequence[Score]) -> float:
    return float(np.mean([s.covered for s in scores])) * 100 if scores else float("nan")
