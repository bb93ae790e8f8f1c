"""Back-test the levels-of-need model on published years: fit with the figures to an origin
year (ending 31 March), forecast the next years, compare with what DfE published.

Scores cover referrals, children in need and child protection plans on 31 March, children
starting to be looked after and looked after on 31 March, by horizon, with the 80% band.
``naive`` is the rival: the origin year's figure held.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from csplan.demand.annual.scores import Score
from csplan.demand.annual.series import AreaSeries
from csplan.demand.needs.model import (
    NeedsModelError,
    NeedsOptions,
    fit_needs,
    forecast_needs,
    truncated,
)

MEASURES = ("referrals", "cin_at31", "cpp_at31", "cla_started", "cla_at31")


@dataclass(frozen=True)
class NeedsBacktest:
    scores: list[Score]
    naive: list[Score]
    skipped: list[tuple[str, int, str]]


def backtest_area(
    area: AreaSeries, options: NeedsOptions, *, horizon: int = 3, first_origin: int = 2016
) -> NeedsBacktest:
    scores, naive, skipped = [], [], []
    years = sorted(area.series("cin_at31"))
    for origin in [y for y in years if y >= first_origin and y < years[-1]]:
        try:
            fit = fit_needs(truncated(area, origin), origin, options)
        except NeedsModelError as error:
            skipped.append((area.code, origin, str(error)))
            continue
        forecast = forecast_needs(fit, horizon)
        for h, year in enumerate(forecast.years):
            for measure in MEASURES:
                actual = area.get(measure, year)
                if actual is None or measure not in forecast.expected:
                    continue
                bands = forecast.bands(measure)
                assert bands is not None
                scores.append(
                    Score(
                        area.code,
                        measure,
                        origin,
                        h + 1,
                        float(actual),
                        float(forecast.expected[measure][h]),
                        float(bands[0, h]),
                        float(bands[2, h]),
                    )
                )
                last = area.get(measure, origin)
                if last is not None:
                    naive.append(
                        Score(
                            area.code,
                            measure,
                            origin,
                            h + 1,
                            float(actual),
                            float(last),
                            float(last),
                            float(last),
                        )
                    )
    return NeedsBacktest(scores, naive, skipped)


def backtest_all(
    areas: Iterable[AreaSeries],
    options: NeedsOptions,
    *,
    horizon: int = 3,
    first_origin: int = 2016,
) -> NeedsBacktest:
    scores, naive, skipped = [], [], []
    for area in areas:
        result = backtest_area(area, options, horizon=horizon, first_origin=first_origin)
        scores += result.scores
        naive += result.naive
        skipped += result.skipped
    return NeedsBacktest(scores, naive, skipped)
