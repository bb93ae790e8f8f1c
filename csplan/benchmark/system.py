"""Whole-system benchmarks: an LA's EHC plans, levels of need and new placements against its
statistical neighbours (DfE's April 2021 groupings or its 2025 model), its region's LAs and
England, from the published series files (``csplan.demand.annual.series``).

- EHC plans per 10,000 children aged 0-17 (plans in January ``Y`` over the ONS mid-``Y-1``
  estimate, as DfE's rates), the mix of settings, growth over one and three years, and new
  plans and requests for assessment per 10,000;
- referrals, children in need and child protection plans on 31 March per 10,000 (years ending
  31 March ``Y``, mid-``Y-1`` population), and children looked after and starting to be looked
  after from DfE's children looked after file;
- new placements of children looked after outside the LA boundary and more than 20 miles
  from home, as a share of new placements (the placement mix the published files allow: they
  have no placement type by LA).

Neighbours' figures are pooled (sum over sum) and, beside, the plain mean of their rates;
rank 1 is the lowest of all LAs with a figure; a neighbour without a figure is named.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from csplan.benchmark.calculations import ENGLAND, BenchmarkData, neighbour_codes, rank_of
from csplan.core.table import Column, ColumnKind, Row, Table
from csplan.demand.annual.series import SeriesSet
from csplan.demand.send import settings as st

# (numerator, denominator) of a measure for one area, or None without a figure.
Fraction = Callable[[str], tuple[Decimal, Decimal] | None]


@dataclass(frozen=True)
class Comparison:
    label: str
    unit: str  # "per 10,000" or "%"
    la: Decimal | None
    pooled: Decimal | None  # neighbours: sum over sum
    mean: Decimal | None  # neighbours: mean of their values
    england: Decimal | None
    rank: str
    used: int
    missing: tuple[str, ...]


def _value(fraction: tuple[Decimal, Decimal] | None, scale: Decimal) -> Decimal | None:
    if fraction is None or fraction[1] <= 0:
        return None
    return fraction[0] * scale / fraction[1]


def compare(
    data: BenchmarkData, la: str, label: str, unit: str, fraction: Fraction, all_las: Sequence[str]
) -> Comparison:
    scale = Decimal(10000) if unit == "per 10,000" else Decimal(100)
    neighbours = [c for c in neighbour_codes(data, la) if not c.startswith("LA ")]
    parts = {code: fraction(code) for code in neighbours}
    used = {c: p for c, p in parts.items() if p is not None and p[1] > 0}
    pooled = mean = None
    if used:
        pooled = sum(p[0] for p in used.values()) * scale / sum(p[1] for p in used.values())
        values = [p[0] * scale / p[1] for p in used.values()]
        mean = sum(values, Decimal(0)) / len(values)
    every = {c: v for c in all_las if (v := _value(fraction(c), scale)) is not None}
    rank = rank_of(every, la)
    missing = tuple(
        data.areas[c].name if c in data.areas else c for c in neighbours if c not in used
    )
    return Comparison(
        label,
        unit,
        _value(fraction(la), scale),
        pooled,
        mean,
        _value(fraction(ENGLAND), scale),
        f"{rank.position} of {rank.of}" if rank else "–",
        len(used),
        missing,
    )


def _population(data: BenchmarkData, code: str, year: int) -> Decimal | None:
    """The ONS 0-17 estimate for mid-``year`` (the latest earlier one if it is not out)."""
    known = [y for (y, c) in data.population if c == code and y <= year]
    return Decimal(data.population[(max(known), code)]) if known else None


def _per_population(
    data: BenchmarkData, series: SeriesSet, measure: str, year: int, population_year: int
) -> Fraction:
    def fraction(code: str) -> tuple[Decimal, Decimal] | None:
        area = series.areas.get(code)
        value = area.get(measure, year) if area else None
        people = _population(data, code, population_year)
        return None if value is None or people is None else (Decimal(value), people)

    return fraction


def _share(series: SeriesSet, part: str | Sequence[str], whole: str, year: int) -> Fraction:
    parts = [part] if isinstance(part, str) else list(part)

    def fraction(code: str) -> tuple[Decimal, Decimal] | None:
        area = series.areas.get(code)
        if area is None:
            return None
        values = [area.get(p, year) for p in parts]
        total = area.get(whole, year)
        if total is None or any(v is None for v in values):
            return None
        return Decimal(sum(v for v in values if v is not None)), Decimal(total)

    return fraction


def _growth(series: SeriesSet, measure: str, year: int, years: int) -> Fraction:
    """Growth in %: (now - then, then)."""

    def fraction(code: str) -> tuple[Decimal, Decimal] | None:
        area = series.areas.get(code)
        now = area.get(measure, year) if area else None
        then = area.get(measure, year - years) if area else None
        return None if now is None or not then else (Decimal(now - then), Decimal(then))

    return fraction


def _cla(data: BenchmarkData, measure: str, year: int) -> Fraction:
    def fraction(code: str) -> tuple[Decimal, Decimal] | None:
        row = data.figure(year, code, measure)
        if row is None or row.count is None or not row.population:
            return None
        return Decimal(row.count), Decimal(row.population)

    return fraction


def send_comparisons(
    data: BenchmarkData, series: SeriesSet, la: str, year: int
) -> list[Comparison]:
    """EHC plans in January ``year`` against the neighbours."""
    las = [c for c in series.la_codes() if c in data.areas or c in series.areas]
    rows = [
        compare(
            data,
            la,
            f"EHC plans in January {year}",
            "per 10,000",
            _per_population(data, series, st.plans(), year, year - 1),
            las,
        )
    ]
    for group in st.GROUPS:
        rows.append(
            compare(
                data,
                la,
                f"Share in {group.label.lower()}",
                "%",
                _share(series, st.plans(group.key), st.plans(), year),
                las,
            )
        )
    rows += [
        compare(
            data,
            la,
            f"Growth in plans, January {year - 1} to {year}",
            "%",
            _growth(series, st.plans(), year, 1),
            las,
        ),
        compare(
            data,
            la,
            f"Growth in plans, January {year - 3} to {year}",
            "%",
            _growth(series, st.plans(), year, 3),
            las,
        ),
        compare(
            data,
            la,
            f"New plans in {year - 1}",
            "per 10,000",
            _per_population(data, series, st.new_plans(), year - 1, year - 1),
            las,
        ),
        compare(
            data,
            la,
            f"Requests for assessment in {year - 1}",
            "per 10,000",
            _per_population(data, series, "requests", year - 1, year - 1),
            las,
        ),
    ]
    return rows


def needs_comparisons(
    data: BenchmarkData, series: SeriesSet, la: str, year: int
) -> list[Comparison]:
    """Levels of need in the year ending 31 March ``year`` against the neighbours."""
    las = sorted(set(series.la_codes()) | set(data.la_codes(year)))
    per = lambda m: _per_population(data, series, m, year, year - 1)  # noqa: E731
    rows = [
        compare(data, la, "Referrals", "per 10,000", per("referrals"), las),
        compare(data, la, "Children in need on 31 March", "per 10,000", per("cin_at31"), las),
        compare(data, la, "Child protection plans on 31 March", "per 10,000", per("cpp_at31"), las),
        compare(
            data,
            la,
            "Children starting to be looked after",
            "per 10,000",
            _cla(data, "starts", year),
            las,
        ),
        compare(
            data,
            la,
            "Children looked after on 31 March",
            "per 10,000",
            _cla(data, "looked_after", year),
            las,
        ),
        compare(
            data,
            la,
            "Re-referrals within 12 months",
            "%",
            _share(series, "rereferrals", "referrals", year),
            las,
        ),
        compare(
            data,
            la,
            "New placements outside the LA boundary",
            "%",
            _share(
                series,
                ["new_placements:outside_near", "new_placements:outside_far"],
                "new_placements:total",
                year,
            ),
            las,
        ),
        compare(
            data,
            la,
            "New placements more than 20 miles from home",
            "%",
            _share(
                series,
                ["new_placements:inside_far", "new_placements:outside_far"],
                "new_placements:total",
                year,
            ),
            las,
        ),
    ]
    return rows


def comparison_table(
    data: BenchmarkData, la: str, year: int, rows: Sequence[Comparison], name: str, subject: str
) -> Table:
    area = data.area(la)
    model = (
        "DfE statistical neighbour model (2025)"
        if data.neighbour_model == "2025"
        else "DfE statistical neighbour groupings (April 2021)"
    )
    columns = (
        Column("Measure"),
        Column("Unit"),
        _rate(area.name),
        _rate("Neighbours (pooled)"),
        _rate("Neighbours (mean)"),
        _rate("England"),
        Column("Rank (1 = lowest)"),
        Column("Neighbours with a figure"),
    )
    table_rows = tuple(
        Row(
            (
                r.label,
                r.unit,
                r.la,
                r.pooled,
                r.mean,
                r.england,
                r.rank,
                f"{r.used} of {r.used + len(r.missing)}",
            )
        )
        for r in rows
    )
    missing = sorted({name for r in rows for name in r.missing})
    notes = [
        f"Neighbours: {model}. Pooled: the neighbours' total over their total "
        "population (or total plans); mean: the plain mean of their figures.",
        "Rates per 10,000 children aged 0-17 (ONS mid-year estimate of the year before, as "
        "DfE's rates); shares and growth in %.",
    ]
    if missing:
        notes.append(f"Neighbours without a figure for some measures: {', '.join(missing)}.")
    return Table(
        name,
        f"{subject}: {area.name} against its statistical neighbours, {year}",
        columns,
        table_rows,
        tuple(notes),
        {"la": la, "year": str(year), "neighbours": data.neighbour_model},
    )


def _rate(heading: str) -> Column:
    return Column(heading, ColumnKind.NUMBER, places=1)


def latest_year(series: SeriesSet, measure: str) -> int | None:
    years = {y for area in series.areas.values() for y in area.series(measure)}
    return max(years) if years else None
