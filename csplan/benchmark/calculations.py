"""Benchmark calculations over plain values: no database, no web request.

Rates per 10,000 children aged 0-17 are recomputed exactly (``Decimal``) from the published
counts and populations. DfE publishes rates rounded to the nearest whole number: every LA
figure in the 2021-2025 file agrees with ``round_half_up(count * 10000 / population)`` (no
figure lands exactly on a half, so half-up and half-even cannot be told apart there). The
only differences are four national/regional rows whose published *counts* are rounded to
the nearest 10 while the rate was computed from the unrounded count
(see :func:`explain_rate_difference`).

Conventions stated on every output:
* rank 1 = the lowest rate (or spend) among all LAs with a figure that year; ties share a rank;
* "weighted" neighbour averages pool the neighbours (total children over total population,
  total spend over total children); "unweighted" is the plain mean of the neighbours' values;
* spend per child looked after = RO3 spend in the financial year ending 31 March of the
  year over the number looked after on that 31 March.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from csplan.benchmark.importers import LookupRow, NeighbourRow, Ro3Row
from csplan.core.money import round_half_up
from csplan.demand.annual.published import (
    MEASURE_LABELS,
    NEW_CODE,
    OLD_CODE,
    ClaRow,
    PopulationRow,
)

ENGLAND = "E92000001"
MEASURES = ("looked_after", "starts", "ceased")
SPEND_BASES = {
    "net": "net current expenditure (RO3 C7)",
    "gross": "total expenditure (RO3 C3)",
}
CODE_CHANGES_FILE = Path(__file__).with_name("data") / "la_code_changes.csv"


class BenchmarkError(ValueError):
    """A benchmark that cannot be computed from the data available, with the reason."""


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # national, regional, la
    old_code: str = ""
    region_code: str = ""
    region_name: str = ""


@dataclass(frozen=True)
class Neighbour:
    position: int
    number: str  # three-digit LA number as the groupings file has it
    code: str | None  # nine-character code, None when the number is not in the CLA data
    name: str
    closeness: str


@dataclass(frozen=True)
class CodeChange:
    old_code: str
    old_number: str
    old_name: str
    new_code: str
    new_number: str
    new_name: str
    effective: str
    change: str
    note: str


@dataclass
class BenchmarkData:
    """Everything the benchmark calculations read, keyed for look-up."""

    cla: dict[tuple[int, str, str], ClaRow]  # (year, area code, measure)
    areas: dict[str, Area]
    by_number: dict[str, str]  # three-digit LA number -> nine-character code
    neighbours: dict[str, tuple[Neighbour, ...]]
    spend: dict[tuple[int, str], Ro3Row]  # (year ending 31 March, ONS code)
    population: dict[tuple[int, str], int]  # (mid-year, code)
    code_changes: list[CodeChange] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    upper_tier: dict[str, LookupRow] = field(default_factory=dict)  # LTLA code -> its UTLA
    neighbour_model: str = "2021"  # DfE's April 2021 groupings or its 2025 model

    @property
    def years(self) -> list[int]:
        return sorted({year for year, _, _ in self.cla})

    def la_codes(self, year: int | None = None) -> list[str]:
        codes = {
            code
            for (y, code, _), row in self.cla.items()
            if row.level == "la" and (year is None or y == year)
        }
        return sorted(codes)

    def area(self, code: str) -> Area:
        try:
            return self.areas[code]
        except KeyError:
            raise BenchmarkError(f"no published figures for area {code}") from None

    def figure(self, year: int, code: str, measure: str) -> ClaRow | None:
        return self.cla.get((year, code, measure))


def load_code_changes(path: Path = CODE_CHANGES_FILE) -> list[CodeChange]:
    """The table of LA codes that changed (keyed on the new nine-character code)."""
    with path.open(encoding="utf-8") as handle:
        return [
            CodeChange(
                old_code=r["old_code"],
                old_number=r["old_la_number"],
                old_name=r["old_name"],
                new_code=r["new_code"],
                new_number=r["new_la_number"],
                new_name=r["new_name"],
                effective=r["effective"],
                change=r["change"],
                note=r["note"],
            )
            for r in csv.DictReader(handle)
        ]


def build_benchmark_data(
    cla: Iterable[ClaRow],
    population: Iterable[PopulationRow] = (),
    neighbours: Iterable[NeighbourRow] = (),
    ro3: Iterable[Ro3Row] = (),
    sources: dict[str, str] | None = None,
    code_changes: list[CodeChange] | None = None,
    lookup: Iterable[LookupRow] = (),
) -> BenchmarkData:
    """Index parsed rows for the calculations (the same for rows from files or the store)."""
    figures: dict[tuple[int, str, str], ClaRow] = {}
    areas: dict[str, Area] = {}
    by_number: dict[str, str] = {}
    for row in sorted(cla, key=lambda r: r.year):
        figures[(row.year, row.area_code, row.measure)] = row
        areas[row.area_code] = Area(
            row.area_code,
            row.area_name,
            row.level,
            row.old_la_code,
            row.region_code,
            row.region_name,
        )
        if row.old_la_code:
            by_number[row.old_la_code] = row.area_code
    changes = load_code_changes() if code_changes is None else code_changes
    data = BenchmarkData(
        cla=figures,
        areas=areas,
        by_number=by_number,
        neighbours={},
        spend={(r.financial_year + 1, r.ons_code): r for r in ro3},
        population={
            (p.year, p.area_code): p.population for p in population if p.population is not None
        },
        code_changes=changes,
        sources=dict(sources or {}),
        upper_tier={row.ltla_code: row for row in lookup},
    )
    data.neighbours = _index_neighbours(data, neighbours)
    return data


def _index_neighbours(
    data: BenchmarkData, rows: Iterable[NeighbourRow]
) -> dict[str, tuple[Neighbour, ...]]:
    indexed: dict[str, tuple[Neighbour, ...]] = {}
    for row in rows:
        code = data.by_number.get(row.old_la_code)
        if code is None:
            continue  # a pre-2019 council ("Dorset (Pre LG)") with no figures in the CLA data
        indexed[code] = tuple(
            Neighbour(
                position=position,
                number=number,
                code=data.by_number.get(number),
                name=_neighbour_name(data, number),
                closeness=closeness,
            )
            for position, (number, closeness) in enumerate(row.neighbours, start=1)
        )
    return indexed


def _neighbour_name(data: BenchmarkData, number: str) -> str:
    code = data.by_number.get(number)
    if code is not None:
        return data.areas[code].name
    for change in data.code_changes:
        if change.old_number == number:
            return change.old_name
    return f"LA {number}"


# --------------------------------------------------------------------------- LA codes


def resolve_la(data: BenchmarkData, text: str) -> str:
    """The nine-character code of a children's services authority.

    Accepts the code itself (E10000015), the three-digit DfE number (919), an old code from
    the code-change table (E10000023 -> E06000065) or a district's code (E07000242 -> its
    county, through the ONS LTLA-UTLA lookup when imported).
    """
    cleaned = text.strip().upper()
    if OLD_CODE.match(cleaned):
        if cleaned in data.by_number:
            return data.by_number[cleaned]
        return _successor(data, [c for c in data.code_changes if c.old_number == cleaned], text)
    if not NEW_CODE.match(cleaned):
        raise BenchmarkError(
            f"{text!r} is not an LA code: give the nine-character code (e.g. E10000015) "
            "or the three-digit DfE number (e.g. 919)"
        )
    if cleaned in data.areas and data.areas[cleaned].level == "la":
        return cleaned
    changes = [c for c in data.code_changes if c.old_code == cleaned]
    if changes:
        return _successor(data, changes, text)
    tier = data.upper_tier.get(cleaned)
    if tier is not None and tier.utla_code in data.areas:
        return tier.utla_code  # a district: its county runs children's services
    raise BenchmarkError(f"no published figures for LA {cleaned}")


def _successor(data: BenchmarkData, changes: list[CodeChange], text: str) -> str:
    if not changes:
        raise BenchmarkError(f"no published figures for LA {text.strip()}")
    if len(changes) > 1:
        parts = " and ".join(f"{c.new_name} ({c.new_code})" for c in changes)
        raise BenchmarkError(
            f"{changes[0].old_name} ({text.strip()}) was split on {changes[0].effective} "
            f"into {parts}: choose one"
        )
    code = changes[0].new_code
    if code not in data.areas:
        raise BenchmarkError(f"no published figures for LA {code} ({changes[0].new_name})")
    return code


def change_for(data: BenchmarkData, code: str) -> CodeChange | None:
    """The code change that ended an old LA code (e.g. Cumbria's split), if any."""
    return next((c for c in data.code_changes if c.old_code == code), None)


# --------------------------------------------------------------------------- rates


def rate_per_10k(count: int, population: int) -> Decimal:
    """The exact rate per 10,000 (Decimal division, 28 significant digits)."""
    if population <= 0:
        raise BenchmarkError(f"population {population} must be positive")
    return Decimal(count) * 10000 / Decimal(population)


def published_rounding(rate: Decimal) -> int:
    """DfE's published rate: the nearest whole number (halves up, the project's rule)."""
    return int(round_half_up(rate, 0))


@dataclass(frozen=True)
class AreaRate:
    code: str
    name: str
    count: int | None
    population: int | None
    rate: Decimal | None  # recomputed exactly
    published: int | None
    note: str = ""


def area_rate(data: BenchmarkData, year: int, code: str, measure: str) -> AreaRate:
    row = data.figure(year, code, measure)
    name = data.areas[code].name if code in data.areas else code
    if row is None:
        note = f"no {year} figures"
        change = change_for(data, code)
        if change is not None:
            note += f" ({change.note}, {change.effective})"
        return AreaRate(code, name, None, None, None, None, note)
    rate = None
    if row.count is not None and row.population:
        rate = rate_per_10k(row.count, row.population)
    note = row.note
    if rate is None and not note:
        note = "not published"
    return AreaRate(code, name, row.count, row.population, rate, row.published_rate, note)


@dataclass(frozen=True)
class GroupAverage:
    """An average over a group of LAs, saying which were used and which had no figure."""

    weighted: Decimal | None
    unweighted: Decimal | None
    used: tuple[str, ...]
    missing: tuple[tuple[str, str], ...]  # (name, reason)


def group_rate(data: BenchmarkData, year: int, codes: Sequence[str], measure: str) -> GroupAverage:
    rates = [area_rate(data, year, code, measure) for code in codes]
    used = [r for r in rates if r.rate is not None]
    missing = tuple((r.name, r.note) for r in rates if r.rate is None)
    if not used:
        return GroupAverage(None, None, (), missing)
    count = sum(r.count for r in used if r.count is not None)
    population = sum(r.population for r in used if r.population is not None)
    weighted = rate_per_10k(count, population)
    unweighted = sum((r.rate for r in used if r.rate is not None), Decimal(0)) / len(used)
    return GroupAverage(weighted, unweighted, tuple(r.name for r in used), missing)


def neighbour_codes(data: BenchmarkData, la: str) -> list[str]:
    """The LA's statistical neighbours as nine-character codes, closest first."""
    return [n.code if n.code else f"LA {n.number}" for n in data.neighbours.get(la, ())]


@dataclass(frozen=True)
class Rank:
    position: int
    of: int

    def __str__(self) -> str:
        return f"{self.position} of {self.of} (1 = lowest)"


def rank_of(values: dict[str, Decimal], code: str) -> Rank | None:
    """Competition rank (1 = lowest; ties share the better rank) of one code among values."""
    if code not in values:
        return None
    mine = values[code]
    return Rank(1 + sum(1 for value in values.values() if value < mine), len(values))


def la_rates(data: BenchmarkData, year: int, measure: str) -> dict[str, Decimal]:
    rates = {}
    for code in data.la_codes(year):
        rate = area_rate(data, year, code, measure).rate
        if rate is not None:
            rates[code] = rate
    return rates


@dataclass(frozen=True)
class MeasureComparison:
    measure: str
    year: int
    la: AreaRate
    neighbours: GroupAverage
    region: AreaRate
    england: AreaRate
    rank: Rank | None

    @property
    def label(self) -> str:
        return MEASURE_LABELS[self.measure] + ", rate per 10,000 aged 0-17"


def compare_measure(data: BenchmarkData, la: str, year: int, measure: str) -> MeasureComparison:
    area = data.area(la)
    return MeasureComparison(
        measure=measure,
        year=year,
        la=area_rate(data, year, la, measure),
        neighbours=group_rate(data, year, neighbour_codes(data, la), measure),
        region=area_rate(data, year, area.region_code, measure),
        england=area_rate(data, year, ENGLAND, measure),
        rank=rank_of(la_rates(data, year, measure), la),
    )


# --------------------------------------------------------------------------- spend


@dataclass(frozen=True)
class SpendComparison:
    basis: str  # net or gross
    year: int  # year ending 31 March
    la_spend: Decimal | None
    la_children: int | None
    la_per_child: Decimal | None
    neighbours: GroupAverage
    region: GroupAverage
    england: GroupAverage
    rank: Rank | None
    note: str = ""

    @property
    def label(self) -> str:
        return f"Spend per child looked after, {SPEND_BASES[self.basis]}, £"


def _spend_value(row: Ro3Row, basis: str) -> Decimal | None:
    return row.net_current_expenditure if basis == "net" else row.total_expenditure


def spend_per_child(
    data: BenchmarkData, year: int, code: str, basis: str
) -> tuple[Decimal | None, int | None, Decimal | None, str]:
    """(spend, children looked after on 31 March, spend per child, note)."""
    row = data.spend.get((year, code))
    figure = data.figure(year, code, "looked_after")
    count = figure.count if figure else None
    if row is None:
        return None, count, None, f"no RO3 spend for the financial year ending March {year}"
    spend = _spend_value(row, basis)
    if spend is None:
        return None, count, None, f"RO3 {row.note or 'not reported'}"
    if not count:
        return spend, count, None, "no count of children looked after"
    return spend, count, spend / count, ""


def group_spend(data: BenchmarkData, year: int, codes: Iterable[str], basis: str) -> GroupAverage:
    used, missing, spends, counts, per_child = [], [], Decimal(0), 0, []
    for code in codes:
        spend, count, per, note = spend_per_child(data, year, code, basis)
        name = data.areas[code].name if code in data.areas else code
        if per is None or spend is None or count is None:
            missing.append((name, note))
            continue
        used.append(name)
        spends += spend
        counts += count
        per_child.append(per)
    if not used:
        return GroupAverage(None, None, (), tuple(missing))
    return GroupAverage(
        spends / counts, sum(per_child, Decimal(0)) / len(per_child), tuple(used), tuple(missing)
    )


def compare_spend(data: BenchmarkData, la: str, year: int, basis: str = "net") -> SpendComparison:
    if basis not in SPEND_BASES:
        raise BenchmarkError(f"unknown spend basis {basis!r}: use net or gross")
    region = data.area(la).region_code
    all_las = data.la_codes(year)
    spend, count, per, note = spend_per_child(data, year, la, basis)
    values = {}
    for code in all_las:
        value = spend_per_child(data, year, code, basis)[2]
        if value is not None:
            values[code] = value
    return SpendComparison(
        basis=basis,
        year=year,
        la_spend=spend,
        la_children=count,
        la_per_child=per,
        neighbours=group_spend(data, year, neighbour_codes(data, la), basis),
        region=group_spend(
            data, year, [c for c in all_las if data.areas[c].region_code == region], basis
        ),
        england=group_spend(data, year, all_las, basis),
        rank=rank_of(values, la),
        note=note,
    )


# --------------------------------------------------------------------------- trend


@dataclass(frozen=True)
class TrendPoint:
    year: int
    la: AreaRate
    neighbours: GroupAverage
    england: AreaRate
    rank: Rank | None


def trend(data: BenchmarkData, la: str, measure: str = "looked_after") -> list[TrendPoint]:
    codes = neighbour_codes(data, la)
    return [
        TrendPoint(
            year=year,
            la=area_rate(data, year, la, measure),
            neighbours=group_rate(data, year, codes, measure),
            england=area_rate(data, year, ENGLAND, measure),
            rank=rank_of(la_rates(data, year, measure), la),
        )
        for year in data.years
    ]


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class RateCheck:
    year: int
    level: str
    code: str
    name: str
    measure: str
    count: int
    population: int
    recomputed: Decimal
    published: int

    @property
    def rounded(self) -> int:
        return published_rounding(self.recomputed)

    @property
    def agrees(self) -> bool:
        return self.rounded == self.published


def check_published_rates(data: BenchmarkData) -> list[RateCheck]:
    """Every published rate next to the rate recomputed from its count and population."""
    checks = []
    for (year, code, measure), row in sorted(data.cla.items()):
        if row.count is None or not row.population or row.published_rate is None:
            continue
        checks.append(
            RateCheck(
                year,
                row.level,
                code,
                row.area_name,
                measure,
                row.count,
                row.population,
                rate_per_10k(row.count, row.population),
                row.published_rate,
            )
        )
    return checks


def explain_rate_difference(check: RateCheck) -> str:
    """Why a published rate differs from the recomputed one ("" when they agree)."""
    if check.agrees:
        return ""
    if check.level != "la" and check.count % 10 == 0:
        fits = [
            c
            for c in range(check.count - 5, check.count + 5)
            if published_rounding(rate_per_10k(c, check.population)) == check.published
        ]
        if fits:
            return (
                f"the published count {check.count:,} is rounded to the nearest 10 (DfE rounds "
                f"national and regional counts); an unrounded count of {fits[0]:,}"
                f"{'–' + format(fits[-1], ',') if len(fits) > 1 else ''} gives the published "
                f"rate {check.published}"
            )
    return (
        f"unexplained: {check.count:,} x 10,000 / {check.population:,} = "
        f"{round_half_up(check.recomputed, 3)}, published {check.published}"
    )


def check_population(data: BenchmarkData) -> list[tuple[int, str, int, int]]:
    """CLA rows whose population differs from the ONS mid-year estimate of the year before.

    DfE's rate for the year ending 31 March Y uses the ONS mid-(Y-1) estimate of 0-17s.
    Returns (year, code, CLA file population, ONS population) for each difference.
    """
    differences = []
    for (year, code, measure), row in sorted(data.cla.items()):
        ons = data.population.get((year - 1, code))
        if measure == "looked_after" and row.population and ons and ons != row.population:
            differences.append((year, code, row.population, ons))
    return differences
