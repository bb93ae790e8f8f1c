"""The benchmark as report data: ``csplan.core.table.Table``s, which the core renderers turn
into text, CSV, Markdown, JSON, XLSX and HTML like every other report.

Values stay exact (``Decimal``); each column says how it is shown: rates per 10,000 to one
decimal place, published rates and counts as whole numbers, spend in whole pounds and a gap's
savings to the penny, rounded half up once by the renderer. A cell's note says why a figure is
missing (DfE's symbol) or how a published rate was rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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
from csplan.core.money import Unit, round_half_up
from csplan.core.table import Cell, Column, ColumnKind, Row, Table

RATE_PLACES = 1


@dataclass(frozen=True)
class Report:
    """The tables of one LA's benchmark (or its close-the-gap plan), with its title."""

    title: str
    la_code: str
    la_name: str
    year: int
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _text(heading: str) -> Column:
    return Column(heading)


def _count(heading: str) -> Column:
    return Column(heading, ColumnKind.COUNT)


def _rate(heading: str, places: int = RATE_PLACES) -> Column:
    """A rate per 10,000 (recomputed: one place; DfE's published rates: whole numbers)."""
    return Column(heading, ColumnKind.NUMBER, places=places)


def _pounds(heading: str, places: int = 0) -> Column:
    return Column(heading, ColumnKind.MONEY, Unit.POUNDS, places)


def _row(cells: Sequence[tuple[Cell, str]]) -> Row:
    """A row of (value, note) pairs: the notes kept only when a cell has one."""
    notes = tuple(note for _, note in cells)
    return Row(tuple(value for value, _ in cells), notes=notes if any(notes) else ())


def _rank(rank: Rank | None) -> list[tuple[Cell, str]]:
    if rank is None:
        return [(None, ""), (None, "")]
    return [(rank.position, ""), (rank.of, "")]


def _published(rate: AreaRate) -> tuple[Cell, str]:
    note = rate.note
    if rate.rate is not None and rate.published is not None:
        rounded = published_rounding(rate.rate)
        if rounded != rate.published:
            note = (
                f"recomputed {round_half_up(rate.rate, 2)} rounds to {rounded}, not the "
                f"published {rate.published} (published counts may be rounded)"
            )
    return rate.published, note


def _missing_note(group: GroupAverage) -> str:
    if not group.missing:
        return ""
    return "without " + "; ".join(f"{name} ({why})" for name, why in group.missing)


COMPARISON_COLUMNS = (
    _text("Measure"),
    _count("LA count"),
    _rate("LA rate per 10,000"),
    _rate("LA published", 0),
    _rate("Neighbours (weighted by population)"),
    _rate("Neighbours (unweighted mean)"),
    _rate("Region", 0),
    _rate("England", 0),
    _count("Rank among LAs (1 = lowest)"),
    _count("Of"),
)
SPEND_COLUMNS = (
    _text("Measure"),
    _pounds("LA spend"),
    _pounds("LA spend per child"),
    _pounds("Neighbours (weighted)"),
    _pounds("Neighbours (unweighted mean)"),
    _pounds("Region"),
    _pounds("England"),
    _count("Rank among LAs (1 = lowest)"),
    _count("Of"),
)
TREND_COLUMNS = (
    _text("Year (31 March)"),
    _count("Looked after"),
    _rate("LA rate per 10,000"),
    _rate("LA published", 0),
    _rate("Neighbours (weighted)"),
    _rate("Neighbours (unweighted)"),
    _rate("England published", 0),
    _count("Rank (1 = lowest)"),
    _count("Of"),
)
NEIGHBOUR_COLUMNS = (
    _count("SN"),
    _text("LA code"),
    _text("Name"),
    _text("Closeness"),
    _count("Looked after"),
    _rate("Rate per 10,000"),
    _rate("Published", 0),
)
GAP_COLUMNS = (
    _text("Financial year"),
    _rate("Rate per 10,000 at 31 March"),
    _rate("Children looked after at 31 March"),
    _rate("Fewer than the base (31 March)"),
    _rate("Fewer on average in the year"),
    _pounds("Saving in the year against the base budget", 2),
    _pounds("Incremental saving", 2),
)


def _rate_row(data: BenchmarkData, la: str, year: int, measure: str) -> Row:
    c = compare_measure(data, la, year, measure)
    return _row(
        [
            (c.label, ""),
            (c.la.count, c.la.note),
            (c.la.rate, ""),
            _published(c.la),
            (c.neighbours.weighted, _missing_note(c.neighbours)),
            (c.neighbours.unweighted, ""),
            _published(c.region),
            _published(c.england),
            *_rank(c.rank),
        ]
    )


def _spend_row(data: BenchmarkData, la: str, year: int, basis: str) -> Row:
    s = compare_spend(data, la, year, basis)
    return _row(
        [
            (s.label, ""),
            (s.la_spend, s.note),
            (s.la_per_child, ""),
            (s.neighbours.weighted, _missing_note(s.neighbours)),
            (s.neighbours.unweighted, ""),
            (s.region.weighted, f"{len(s.region.used)} LAs with both figures"),
            (s.england.weighted, f"{len(s.england.used)} LAs with both figures"),
            *_rank(s.rank),
        ]
    )


def comparison_table(data: BenchmarkData, la: str, year: int) -> Table:
    return Table(
        "comparison",
        f"Comparison, year ending 31 March {year}",
        COMPARISON_COLUMNS,
        tuple(_rate_row(data, la, year, m) for m in MEASURES),
        notes=(
            "Rates per 10,000 children aged 0-17 are recomputed from the published counts and "
            "populations and shown to 1 decimal place; 'published' is DfE's whole-number rate.",
            "Neighbours (weighted by population) pool the neighbours' children and "
            "populations; neighbours (unweighted mean) average their rates.",
            "Region and England rates are DfE's published rates.",
            "Rank 1 = the lowest rate among all LAs with a figure that year; ties share a rank.",
        ),
    )


def spend_table(data: BenchmarkData, la: str, year: int) -> Table | None:
    """Spend per child looked after (RO3), when the LA has an RO3 figure."""
    if not any(code == la for _, code in data.spend):
        return None
    return Table(
        "spend",
        f"Spend on children looked after, financial year ending 31 March {year}",
        SPEND_COLUMNS,
        tuple(_spend_row(data, la, year, basis) for basis in SPEND_BASES),
        notes=(
            "Spend per child looked after = RO3 spend in the financial year ending 31 March "
            "over the number looked after on that 31 March.",
            "Neighbours (weighted) = their total spend over their total children looked "
            "after; neighbours (unweighted mean) average their spend per child.",
            "Region and England spend per child pool the LAs with both an RO3 spend and a count.",
            "Rank 1 = the lowest spend per child among all LAs with both figures that year; "
            "ties share a rank.",
        ),
    )


def trend_table(data: BenchmarkData, la: str) -> Table:
    rows = tuple(
        _row(
            [
                (point.year, ""),
                (point.la.count, point.la.note),
                (point.la.rate, ""),
                _published(point.la),
                (point.neighbours.weighted, _missing_note(point.neighbours)),
                (point.neighbours.unweighted, ""),
                _published(point.england),
                *_rank(point.rank),
            ]
        )
        for point in trend(data, la)
    )
    return Table("trend", "Children looked after per 10,000: trend", TREND_COLUMNS, rows)


def neighbours_table(data: BenchmarkData, la: str, year: int) -> Table:
    rows = []
    for n in data.neighbours.get(la, ()):
        row = None if n.code is None else data.figure(year, n.code, "looked_after")
        rate = None
        if row is not None and row.count is not None and row.population:
            rate = Decimal(row.count) * 10000 / Decimal(row.population)
        rows.append(
            _row(
                [
                    (n.position, ""),
                    (n.code or n.number, ""),
                    (n.name, ""),
                    (n.closeness, ""),
                    (row.count if row else None, row.note if row else "no figures"),
                    (rate, ""),
                    (row.published_rate if row else None, ""),
                ]
            )
        )
    model = "DfE model, 2025" if data.neighbour_model == "2025" else "DfE groupings, April 2021"
    return Table(
        "neighbours",
        f"Statistical neighbours ({model}), children looked after",
        NEIGHBOUR_COLUMNS,
        tuple(rows),
        notes=() if rows else ("This LA has no row in the statistical neighbour groupings.",),
    )


def benchmark_report(data: BenchmarkData, la: str, year: int) -> Report:
    """The benchmark of one LA in one year (the year ending 31 March ``year``)."""
    if year not in data.years:
        raise _no_year(data, year)
    area = data.area(la)
    region = data.areas.get(area.region_code)
    sources = [f"Source {slot}: {source}" for slot, source in sorted(data.sources.items())]
    comparison = comparison_table(data, la, year)
    comparison = replace(
        comparison,
        notes=(
            *comparison.notes,
            f"Region: {region.name if region else area.region_name}; England is {ENGLAND}.",
            *sources,
        ),
    )
    spend = spend_table(data, la, year)
    tables = [comparison, *([spend] if spend else []), neighbours_table(data, la, year)]
    tables.append(trend_table(data, la))
    return _report(
        f"{area.name} ({la}) against its statistical neighbours, 31 March {year}",
        la,
        area.name,
        year,
        tables,
    )


def _report(title: str, la: str, name: str, year: int, tables: Sequence[Table]) -> Report:
    """The report, each table stamped with the LA and year it is about (its twins' metadata)."""
    meta = {"la_code": la, "la_name": name, "year": str(year)}
    stamped = tuple(replace(table, meta={**meta, **dict(table.meta)}) for table in tables)
    return Report(title, la, name, year, stamped)


def _no_year(data: BenchmarkData, year: int) -> BenchmarkError:
    years = ", ".join(str(y) for y in data.years) or "none (import the DfE file first)"
    return BenchmarkError(
        f"no figures for the year ending 31 March {year}; years available: {years}"
    )


def gap_report(plan: GapPlan) -> Report:
    """A close-the-gap plan as report data (the same renderers as every report)."""
    rows = tuple(
        Row(
            (
                y.financial_year.label,
                y.rate_at_year_end,
                y.children_at_year_end,
                y.fewer_at_year_end,
                y.average_fewer,
                y.saving,
                y.incremental,
            )
        )
        for y in plan.years
    )
    table = Table(
        "gap",
        f"Close the gap: {plan.la_name} to {round_half_up(plan.target_rate, 1)} per 10,000 "
        f"({plan.target_label}) by {plan.target_year}",
        GAP_COLUMNS,
        rows,
        notes=(
            f"Base: {plan.base_count:,} children looked after on 31 March "
            f"{plan.base_year.start + 1}, 0-17 population {plan.population:,} (held constant), "
            f"rate {round_half_up(plan.base_rate, 1)} per 10,000.",
            f"A straight line from the base rate to the target; weekly unit cost "
            f"£{plan.weekly_unit_cost:,} x the weeks in each year (days / 7), rounded once to "
            "the penny; savings are in the year against the base budget, incremental is the "
            "change from the year before.",
            f"Full-year effect after {plan.target_year}: "
            f"£{round_half_up(plan.full_year_effect, 0):,}.",
            *plan.notes,
        ),
    )
    return _report(table.title, plan.la_code, plan.la_name, plan.base_year.start + 1, [table])
