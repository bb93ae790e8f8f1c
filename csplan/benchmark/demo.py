"""A synthetic benchmark dataset for the demo council (the project ships no published files).

Made-up but plausible figures for a fictional county, "Demoshire" (E10009999, DfE number 999),
its ten statistical neighbours (E10009980-E10009989, numbers 980-989), a fictional region
(E12009999) and an "England" made of those eleven LAs only. Deterministic for a seed.
Import it with :func:`load_demo_benchmark`; real files imported later replace it.
"""

from __future__ import annotations

import random
from decimal import Decimal

from csplan.benchmark import importers as imp
from csplan.benchmark.calculations import ENGLAND
from csplan.core.money import round_half_up
from csplan.demand.annual import published as pub

DEMO_LA = "E10009999"
DEMO_NUMBER = "999"
DEMO_NAME = "Demoshire"
DEMO_REGION = ("E12009999", "Demo Region")
YEARS = (2021, 2022, 2023, 2024, 2025)
NEIGHBOURS = [
    (f"E100099{80 + i}", f"{980 + i}", name)
    for i, name in enumerate(
        [
            "Northshire",
            "Southshire",
            "Eastshire",
            "Westshire",
            "Midshire",
            "Fenshire",
            "Dalesshire",
            "Moorshire",
            "Valeshire",
            "Coastshire",
        ]
    )
]
CLOSENESS = ["Extremely Close"] + ["Very Close"] * 6 + ["Close"] * 3
SOURCE = "csplan demo (synthetic figures, not published statistics)"


def _las() -> list[tuple[str, str, str]]:
    return [(DEMO_LA, DEMO_NUMBER, DEMO_NAME), *NEIGHBOURS]


def _population(rng: random.Random) -> dict[str, int]:
    return {code: rng.randrange(60_000, 260_000) for code, _, _ in _las()}


def _cla_rows(seed: int) -> tuple[list[pub.ClaRow], list[pub.PopulationRow]]:
    rng = random.Random(seed)
    base_population = _population(rng)
    base_rate = {code: rng.uniform(38, 75) for code, _, _ in _las()}
    base_rate[DEMO_LA] = 68.0  # the demo council sits above its neighbours: a gap to close
    cla: list[pub.ClaRow] = []
    population: list[pub.PopulationRow] = []
    for year in YEARS:
        totals = dict.fromkeys(pub.MEASURE_LABELS, 0)
        england_population = 0
        for code, number, name in _las():
            people = int(base_population[code] * (1 + 0.004 * (year - YEARS[0])))
            england_population += people
            population.append(
                pub.PopulationRow(year - 1, "la", code, name, number, DEMO_REGION[0], people)
            )
            rate = base_rate[code] * (1 + rng.uniform(-0.04, 0.05)) ** (year - YEARS[0])
            counts = {
                "looked_after": round(rate * people / 10000),
                "starts": round(rate * rng.uniform(0.35, 0.45) * people / 10000),
                "ceased": round(rate * rng.uniform(0.33, 0.45) * people / 10000),
            }
            for measure, count in counts.items():
                totals[measure] += count
                cla.append(_row(year, "la", code, name, number, measure, people, count))
        for level, code, name in (("regional", *DEMO_REGION), ("national", ENGLAND, "England")):
            for measure, count in totals.items():
                cla.append(_row(year, level, code, name, "", measure, england_population, count))
    return cla, population


def _row(
    year: int,
    level: str,
    code: str,
    name: str,
    number: str,
    measure: str,
    population: int,
    count: int,
) -> pub.ClaRow:
    rate = Decimal(count) * 10000 / Decimal(population)
    return pub.ClaRow(
        year=year,
        level=level,
        area_code=code,
        area_name=name,
        old_la_code=number,
        region_code="" if level == "national" else DEMO_REGION[0],
        region_name="" if level == "national" else DEMO_REGION[1],
        measure=measure,
        population=population,
        count=count,
        published_rate=int(round_half_up(rate, 0)),
    )


def _ro3_rows(seed: int, cla: list[pub.ClaRow]) -> list[imp.Ro3Row]:
    rng = random.Random(seed + 1)
    rows = []
    for row in cla:
        if row.year != YEARS[-1] or row.level != "la" or row.measure != "looked_after":
            continue
        per_child = Decimal(rng.randrange(85_000, 135_000))
        gross = per_child * (row.count or 0)
        income = round_half_up(gross * Decimal("0.08"), 2)
        rows.append(
            imp.Ro3Row(
                financial_year=YEARS[-1] - 1,
                ecode=f"E{row.old_la_code}0",
                ons_code=row.area_code,
                name=row.area_name,
                la_class="SC",
                total_expenditure=gross,
                total_income=income,
                net_current_expenditure=gross - income,
            )
        )
    return rows


def _neighbour_rows() -> list[imp.NeighbourRow]:
    rows = [
        imp.NeighbourRow(
            DEMO_NUMBER,
            DEMO_NAME,
            DEMO_REGION[1],
            tuple((n, c) for (_, n, _), c in zip(NEIGHBOURS, CLOSENESS, strict=True)),
        )
    ]
    for _, number, name in NEIGHBOURS:
        others = [(n, "Very Close") for _, n, _ in _las() if n != number]
        rows.append(imp.NeighbourRow(number, name, DEMO_REGION[1], tuple(others)))
    return rows


def demo_files(seed: int = 2025) -> list[imp.ParsedFile]:
    """The synthetic dataset as parsed files, ready for ``store.import_parsed``."""
    cla, population = _cla_rows(seed)
    digest = pub.file_sha256(f"{SOURCE} seed {seed}".encode())
    return [
        imp.ParsedFile(pub.CLA, f"demo-cla-{seed}", digest, cla, "2025", pub.CLA),
        imp.ParsedFile(
            pub.POPULATION, f"demo-population-{seed}", digest, population, "", pub.POPULATION
        ),
        imp.ParsedFile(
            imp.NEIGHBOURS, f"demo-neighbours-{seed}", digest, _neighbour_rows(), "", imp.NEIGHBOURS
        ),
        imp.ParsedFile(
            imp.RO3,
            f"demo-ro3-{seed}",
            digest,
            _ro3_rows(seed, cla),
            "",
            f"{imp.RO3}:{YEARS[-1] - 1}",
        ),
    ]


def load_demo_benchmark(seed: int = 2025) -> list[object]:
    """Store the synthetic dataset (replacing any benchmark data) and return the summaries."""
    from csplan.benchmark.store import import_parsed

    return list(import_parsed(demo_files(seed)))
