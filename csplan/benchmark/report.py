"""The benchmark as report *data*: tables of typed cells, which renderers turn into formats.

Values stay exact (``Decimal``); each cell says how it is displayed (rates to one decimal
place, money to whole pounds, both rounded half up by ``csplan.core.money.round_half_up``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from csplan.benchmark.calculations import (
    ENGLAND,
    MEASURES,
    SPEND_BASES,
    AreaRate,
    BenchmarkData,
    BenchmarkError,
    GroupAverage,
    Rank,
    compare_measure,
    compare_spend,
    published_rounding,
    trend,
)
from csplan.benchmark.gap import GapPlan
from csplan.core.money import round_half_up

TEXT, INTEGER, RATE, MONEY, RANK, YEAR = "text", "integer", "rate", "money", "rank", "year"
RATE_PLACES = 1


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, Decimal, Rank or None (no figure)
    kind: str = TEXT
    note: str = ""

    @property
    def display(self) -> str:
        if self.value is None:
            return "–"
        if self.kind == RATE and isinstance(self.value, Decimal):
            return f"{round_half_up(self.value, RATE_PLACES):,}"
        if self.kind == MONEY and isinstance(self.value, Decimal):
            return f"£{round_half_up(self.value, 0):,}"
        if self.kind == INTEGER and isinstance(self.value, int):
            return f"{self.value:,}"
        return str(self.value)

    @property
    def plain(self) -> str | int | None:
        """The exact value for machine-readable formats (Decimal as text, no rounding)."""
        if self.value is None:
            return None
        if isinstance(self.value, Rank):
            return self.value.position
        if isinstance(self.value, int):
            return self.value
        return str(self.value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    la_code: str
    la_name: str
    year: int
    tables: list[Table]
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


COMPARISON_COLUMNS = [
    Column("measure", "Measure"),
    Column("la_count", "LA count or spend"),
    Column("la_value", "LA"),
    Column("la_published", "LA published"),
    Column("neighbours_weighted", "Neighbours (weighted by population)"),
    Column("neighbours_unweighted", "Neighbours (unweighted mean)"),
    Column("region", "Region"),
    Column("england", "England"),
    Column("rank", "Rank among LAs (1 = lowest)"),
    Column("of", "Of"),
]
TREND_COLUMNS = [
    Column("year", "Year (31 March)"),
    Column("la_count", "Looked after"),
    Column("la_rate", "LA rate per 10,000"),
    Column("la_published", "LA published"),
    Column("neighbours_weighted", "Neighbours (weighted)"),
    Column("neighbours_unweighted", "Neighbours (unweighted)"),
    Column("england", "England published"),
    Column("rank", "Rank (1 = lowest)"),
    Column("of", "Of"),
]


def _rank_cells(rank: Rank | None) -> list[Cell]:
    if rank is None:
        return [Cell(None, RANK), Cell(None, INTEGER)]
    return [Cell(rank.position, INTEGER), Cell(rank.of, INTEGER)]


def _published(rate: AreaRate) -> Cell:
    note = rate.note
    if rate.rate is not None and rate.published is not None:
        rounded = published_rounding(rate.rate)
        if rounded != rate.published:
            note = (
                f"recomputed {round_half_up(rate.rate, 2)} rounds to {rounded}, not the "
                f"published {rate.published} (published counts may be rounded)"
            )
    return Cell(rate.published, INTEGER, note)


def _rate_row(data: BenchmarkData, la: str, year: int, measure: str) -> list[Cell]:
    c = compare_measure(data, la, year, measure)
    return [
        Cell(c.label),
        Cell(c.la.count, INTEGER, c.la.note),
        Cell(c.la.rate, RATE),
        _published(c.la),
        Cell(c.neighbours.weighted, RATE, _missing_note(c.neighbours)),
        Cell(c.neighbours.unweighted, RATE),
        _published(c.region),
        _published(c.england),
        *_rank_cells(c.rank),
    ]


def _missing_note(group: GroupAverage) -> str:
    if not group.missing:
        return ""
    return "without " + "; ".join(f"{name} ({why})" for name, why in group.missing)


def _spend_row(data: BenchmarkData, la: str, year: int, basis: str) -> list[Cell]:
    s = compare_spend(data, la, year, basis)
    return [
        Cell(s.label),
        Cell(s.la_spend, MONEY, s.note),
        Cell(s.la_per_child, MONEY),
        Cell(None, MONEY),
        Cell(s.neighbours.weighted, MONEY, _missing_note(s.neighbours)),
        Cell(s.neighbours.unweighted, MONEY),
        Cell(s.region.weighted, MONEY, f"{len(s.region.used)} LAs with both figures"),
        Cell(s.england.weighted, MONEY, f"{len(s.england.used)} LAs with both figures"),
        *_rank_cells(s.rank),
    ]


def comparison_table(data: BenchmarkData, la: str, year: int) -> Table:
    table = Table("comparison", f"Comparison, year ending 31 March {year}", COMPARISON_COLUMNS)
    table.rows = [_rate_row(data, la, year, m) for m in MEASURES]
    if any(code == la for _, code in data.spend):
        table.rows += [_spend_row(data, la, year, basis) for basis in SPEND_BASES]
    table.notes = [
        "Rates per 10,000 children aged 0-17 are recomputed from the published counts and "
        "populations and shown to 1 decimal place; 'published' is DfE's whole-number rate.",
        "Neighbours (weighted by population) pool the neighbours' children and populations; "
        "neighbours (unweighted mean) average their rates. For spend, weighted = total spend "
        "over total children looked after.",
        "Region and England rates are DfE's published rates; region and England spend per "
        "child pool the LAs with both an RO3 spend and a count.",
        "Rank 1 = the lowest rate (or spend per child) among all LAs with a figure that year; "
        "ties share a rank.",
        "Spend per child looked after = RO3 spend in the financial year ending 31 March over "
        "the number looked after on that 31 March.",
    ]
    return table


def trend_table(data: BenchmarkData, la: str) -> Table:
    table = Table("trend", "Children looked after per 10,000: trend", TREND_COLUMNS)
    for point in trend(data, la):
        table.rows.append(
            [
                Cell(point.year, YEAR),
                Cell(point.la.count, INTEGER, point.la.note),
                Cell(point.la.rate, RATE),
                _published(point.la),
                Cell(point.neighbours.weighted, RATE, _missing_note(point.neighbours)),
                Cell(point.neighbours.unweighted, RATE),
                _published(point.england),
                *_rank_cells(point.rank),
            ]
        )
    return table


def neighbours_table(data: BenchmarkData, la: str, year: int) -> Table:
    table = Table(
        "neighbours",
        "Statistical neighbours ("
        + ("DfE model, 2025" if data.neighbour_model == "2025" else "DfE groupings, April 2021")
        + "), children looked after",
        [
            Column("position", "SN"),
            Column("code", "LA code"),
            Column("name", "Name"),
            Column("closeness", "Closeness"),
            Column("count", "Looked after"),
            Column("rate", "Rate per 10,000"),
            Column("published", "Published"),
        ],
    )
    for n in data.neighbours.get(la, ()):
        row = None if n.code is None else data.figure(year, n.code, "looked_after")
        rate = None
        if row is not None and row.count is not None and row.population:
            rate = Decimal(row.count) * 10000 / Decimal(row.population)
        table.rows.append(
            [
                Cell(n.position, INTEGER),
                Cell(n.code or n.number),
                Cell(n.name),
                Cell(n.closeness),
                Cell(row.count if row else None, INTEGER, row.note if row else "no figures"),
                Cell(rate, RATE),
                Cell(row.published_rate if row else None, INTEGER),
            ]
        )
    if not table.rows:
        table.notes.append("This LA has no row in the statistical neighbour groupings.")
    return table


def benchmark_report(data: BenchmarkData, la: str, year: int) -> Report:
    """The benchmark of one LA in one year (the year ending 31 March ``year``)."""
    if year not in data.years:
        raise _no_year(data, year)
    area = data.area(la)
    region = data.areas.get(area.region_code)
    report = Report(
        title=f"{area.name} ({la}) against its statistical neighbours, 31 March {year}",
        la_code=la,
        la_name=area.name,
        year=year,
        tables=[
            comparison_table(data, la, year),
            neighbours_table(data, la, year),
            trend_table(data, la),
        ],
    )
    report.notes.append(
        f"Region: {region.name if region else area.region_name}; England is {ENGLAND}."
    )
    report.notes += [f"Source {slot}: {source}" for slot, source in sorted(data.sources.items())]
    return report


def _no_year(data: BenchmarkData, year: int) -> BenchmarkError:
    years = ", ".join(str(y) for y in data.years) or "none (import the DfE file first)"
    return BenchmarkError(
        f"no figures for the year ending 31 March {year}; years available: {years}"
    )


def gap_report(plan: GapPlan) -> Report:
    """A close-the-gap plan as report data (the same renderers as the benchmark)."""
    table = Table(
        "gap",
        f"Close the gap: {plan.la_name} to {round_half_up(plan.target_rate, 1)} per 10,000 "
        f"({plan.target_label}) by {plan.target_year}",
        [
            Column("financial_year", "Financial year"),
            Column("rate", "Rate per 10,000 at 31 March"),
            Column("children", "Children looked after at 31 March"),
            Column("fewer", "Fewer than the base (31 March)"),
            Column("average_fewer", "Fewer on average in the year"),
            Column("saving", "Saving in the year against the base budget (£)"),
            Column("incremental", "Incremental saving (£)"),
        ],
    )
    for y in plan.years:
        table.rows.append(
            [
                Cell(y.financial_year.label),
                Cell(y.rate_at_year_end, RATE),
                Cell(y.children_at_year_end, RATE),
                Cell(y.fewer_at_year_end, RATE),
                Cell(y.average_fewer, RATE),
                Cell(y.saving, MONEY),
                Cell(y.incremental, MONEY),
            ]
        )
    table.notes = [
        f"Base: {plan.base_count:,} children looked after on 31 March {plan.base_year.start + 1}"
        f", 0-17 population {plan.population:,} (held constant), rate "
        f"{round_half_up(plan.base_rate, 1)} per 10,000.",
        f"A straight line from the base rate to the target; weekly unit cost "
        f"£{plan.weekly_unit_cost:,} x the weeks in each year (days / 7), rounded once to the "
        "penny; savings are in the year against the base budget, incremental is the change "
        "from the year before.",
        f"Full-year effect after {plan.target_year}: £{round_half_up(plan.full_year_effect, 0):,}.",
        *plan.notes,
    ]
    return Report(table.title, plan.la_code, plan.la_name, plan.base_year.start + 1, [table])
