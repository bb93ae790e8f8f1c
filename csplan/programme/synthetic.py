"""A made-up programme of any size, for load tests and benchmarks (no real council's data)."""

from __future__ import annotations

import random
from decimal import Decimal

from csplan.core.periods import FinancialYear
from csplan.programme.figures import (
    DEFAULT_RAG_KEY,
    LineFigures,
    ProgrammeFigures,
    WorkstreamFigures,
)

_WORKSTREAMS = (
    "Early help and edge of care", "Children looked after placements", "Fostering recruitment",
    "Special educational needs transport", "Family support remodelling", "Disabled children",
    "Youth services", "Support functions", "Commissioning and contracts", "Workforce",
)  # fmt: skip
_ACTIVITIES = ("Social Care", "Placements", "Early Help", "SEN", "Transport", "Business Support")


def synthetic_programme(
    lines: int = 500, years: int = 6, first_year: int = 2025, seed: int = 0
) -> ProgrammeFigures:
    """``lines`` savings lines over ``years`` financial years, amounts in whole £100s."""
    rng = random.Random(seed)
    plan_years = tuple(FinancialYear(first_year) + offset for offset in range(years))
    workstreams = tuple(
        WorkstreamFigures(name, Decimal(rng.randrange(5_000, 60_000) * 1000), True)
        for name in _WORKSTREAMS
    ) + (WorkstreamFigures("Mainstream home to school transport", Decimal(11_800_000), False),)
    rag_codes = [entry["code"] for entry in DEFAULT_RAG_KEY]
    figures = []
    for number in range(1, lines + 1):
        start = rng.randrange(years)
        phasing = {
            plan_years[index]: Decimal(rng.randrange(1, 2_000) * 100)
            for index in range(start, min(years, start + rng.randrange(1, 4)))
        }
        figures.append(
            LineFigures(
                reference=f"S{number:04d}",
                title=f"Saving {number}",
                workstream=_WORKSTREAMS[number % len(_WORKSTREAMS)],
                phasing=phasing,
                service_activity=rng.choice(_ACTIVITIES),
                description="A synthetic saving for load testing.",
                sro_role="Assistant Director, Children's Services",
                rag=rng.choice(rag_codes),
                fte=Decimal(rng.randrange(0, 50)) / 10,
            )
        )
    total = sum((line.full_year_effect for line in figures), Decimal(0))
    targets = {plan_years[0]: total * Decimal("0.4"), plan_years[1]: total * Decimal("0.6")}
    return ProgrammeFigures(
        council="Synthetic Borough Council",
        plan=f"Synthetic programme of {lines} lines",
        years=plan_years,
        targets={year: amount.quantize(Decimal("1")) for year, amount in targets.items()},
        workstreams=workstreams,
        lines=tuple(figures),
        rag_key=DEFAULT_RAG_KEY,
    )
