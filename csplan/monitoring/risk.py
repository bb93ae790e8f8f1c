"""Risk-adjusted delivery: each RAG rating carries a delivery probability (a council setting).

- ``expected_delivery``: the sum of each line's in-year saving times its probability.
- ``simulate``: a seeded Monte Carlo range (10th, 50th and 90th percentiles). Each draw
  delivers a line in full or not at all (independently, same outcome in every year); totals
  are summed in integer pence so every simulated total is an exact possible outcome, and the
  percentiles use the inverted-CDF rule so they are outcomes too (no interpolation).
- ``calibrate``: the council's own share delivered by the RAG given at the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from csplan.core.money import ZERO, from_pence, round_half_up, to_pence
from csplan.core.periods import FinancialYear

DEFAULT_PROBABILITIES: dict[str, Decimal] = {
    "B": Decimal("1.0"),
    "G": Decimal("0.95"),
    "A": Decimal("0.7"),
    "R": Decimal("0.3"),
}
DEFAULT_LABEL = "csplan starting values (replace with the council's own)"
#: The starting values are in force from the beginning, so any set a council saves takes over
#: from its own date; their date only orders them and is not shown (a table that named the day
#: a council first needed them would change with the day it was printed).
DEFAULT_AS_OF = date.min
DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20160401


class RiskError(ValueError):
    pass


@dataclass(frozen=True)
class RiskLine:
    reference: str
    rag: str
    amounts: Mapping[FinancialYear, Decimal]  # in-year saving by year


def probability(rag: str, probabilities: Mapping[str, Decimal]) -> Decimal:
    """The delivery probability of ``rag``; an unrated line counts at the lowest (prudent)."""
    if rag in probabilities:
        return probabilities[rag]
    if not probabilities:
        raise RiskError("no delivery probabilities are set")
    return min(probabilities.values())


def expected_delivery(
    lines: Sequence[RiskLine],
    probabilities: Mapping[str, Decimal],
    years: Sequence[FinancialYear],
) -> dict[FinancialYear, Decimal]:
    result = {}
    for year in years:
        exact = sum(
            (line.amounts.get(year, ZERO) * probability(line.rag, probabilities) for line in lines),
            ZERO,
        )
        result[year] = round_half_up(exact, 2)
    return result


@dataclass(frozen=True)
class Range:
    p10: Decimal
    p50: Decimal
    p90: Decimal


def simulate(
    lines: Sequence[RiskLine],
    probabilities: Mapping[str, Decimal],
    years: Sequence[FinancialYear],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> dict[FinancialYear, Range]:
    """10th-90th percentile of the delivered total per year over ``draws`` seeded draws."""
    if not lines:
        return {year: Range(ZERO, ZERO, ZERO) for year in years}
    rng = np.random.default_rng(seed)
    chances = np.array([float(probability(line.rag, probabilities)) for line in lines])
    pence = np.array(
        [[to_pence(line.amounts.get(year, ZERO)) for year in years] for line in lines],
        dtype=np.int64,
    )
    delivered = (rng.random((draws, len(lines))) < chances).astype(np.int64)
    totals = delivered @ pence  # draws x years, exact integer pence
    result = {}
    for index, year in enumerate(years):
        p10, p50, p90 = np.percentile(totals[:, index], [10, 50, 90], method="inverted_cdf")
        result[year] = Range(from_pence(int(p10)), from_pence(int(p50)), from_pence(int(p90)))
    return result


@dataclass(frozen=True)
class Observation:
    rag: str  # the rating at the time
    planned: Decimal  # the in-year saving planned when it was rated
    delivered: Decimal  # what was delivered in the end


def calibrate(observations: Iterable[Observation], places: int = 2) -> dict[str, Decimal]:
    """Share delivered by the RAG given at the time, capped at 1 (over-delivery is not a
    probability above certainty). RAG ratings with nothing planned are left out."""
    planned: dict[str, Decimal] = {}
    delivered: dict[str, Decimal] = {}
    for item in observations:
        planned[item.rag] = planned.get(item.rag, ZERO) + item.planned
        delivered[item.rag] = delivered.get(item.rag, ZERO) + max(item.delivered, ZERO)
    return {
        rag: min(round_half_up(delivered[rag] / planned[rag], places), Decimal(1))
        for rag in sorted(planned)
        if planned[rag] > 0
    }


@dataclass(frozen=True)
class RiskYear:
    year: FinancialYear
    target: Decimal
    planned: Decimal
    expected: Decimal
    range: Range

    @property
    def expected_gap(self) -> Decimal:
        """Target less expected delivery: positive is a shortfall."""
        return self.target - self.expected


def risk_adjusted(
    lines: Sequence[RiskLine],
    probabilities: Mapping[str, Decimal],
    years: Sequence[FinancialYear],
    targets: Mapping[FinancialYear, Decimal],
    *,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> list[RiskYear]:
    """Per year: target, planned, expected delivery and the simulated range."""
    expected = expected_delivery(lines, probabilities, years)
    ranges = simulate(lines, probabilities, years, draws=draws, seed=seed)
    return [
        RiskYear(
            year,
            targets.get(year, ZERO),
            sum((line.amounts.get(year, ZERO) for line in lines), ZERO),
            expected[year],
            ranges[year],
        )
        for year in years
    ]
