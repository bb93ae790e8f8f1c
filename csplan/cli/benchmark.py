"""``csplan benchmark ...``: import published files and compare an LA with its neighbours.

csplan benchmark import PATH...
csplan benchmark show E10000015 --year 2025 [--format text|csv|json|xlsx] [--output FILE]
csplan benchmark E10000015 --year 2025          (the same as ``show``)
csplan benchmark gap E10000003 --year 2025 --target neighbours --by 2026/27 --weekly-cost 1000
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click

from csplan.cli.common import fail, output_options, setup_django

_LA_ARGUMENT = re.compile(r"^([EWSN]\d{8}|\d{3})$", re.IGNORECASE)


class BenchmarkGroup(click.Group):
    """A group whose unknown first argument that looks like an LA code means ``show``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and _LA_ARGUMENT.match(args[0]):
            return "show", self.commands["show"], args
        return super().resolve_command(ctx, args)


@click.group(cls=BenchmarkGroup)
def benchmark() -> None:
    """Benchmark an LA against its statistical neighbours (DfE, ONS and MHCLG data).

    `csplan benchmark LA_CODE --year YYYY` is short for `csplan benchmark show ...`.
    """


@benchmark.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
def import_files(paths: tuple[str, ...]) -> None:
    """Import published files; each is recognised by its columns. All or nothing."""
    setup_django()
    from csplan.benchmark.store import import_paths
    from csplan.demand.annual.published import PublishedFileError

    try:
        summaries = import_paths(paths)
    except PublishedFileError as error:
        fail(f"{error} (nothing was imported)")
    for summary in summaries:
        click.echo(summary.describe())
    total = sum(s.rows for s in summaries)
    click.echo(f"{len(summaries)} file(s), {total:,} rows.")


NEIGHBOURS_OPTION = click.option(
    "--neighbours", type=click.Choice(["2021", "2025"]), default="2021", show_default=True,
    help="DfE's statistical neighbours: the April 2021 groupings or the 2025 model.",
)  # fmt: skip


def _data(neighbours: str):  # -> BenchmarkData
    from csplan.benchmark.store import load_benchmark_data, neighbour_models

    models = neighbour_models()
    if models and neighbours not in models:
        fail(f"the {neighbours} statistical-neighbour model is not imported (imported: "
             f"{', '.join(models)}): `csplan benchmark import` its file")  # fmt: skip
    return load_benchmark_data(neighbours)


def _load_report(la_code: str, year: int | None, neighbours: str = "2021"):  # -> Report
    from csplan.benchmark.calculations import BenchmarkError, resolve_la
    from csplan.benchmark.report import benchmark_report

    data = _data(neighbours)
    if not data.cla:
        fail("no children looked after figures: run `csplan benchmark import` first")
    try:
        la = resolve_la(data, la_code)
        return benchmark_report(data, la, year or data.years[-1])
    except BenchmarkError as error:
        fail(str(error))


@benchmark.command("show")
@click.argument("la_code")
@click.option("--year", type=int, help="Year ending 31 March (default: the latest).")
@output_options
@NEIGHBOURS_OPTION
def show(la_code: str, year: int | None, fmt: str, output: str | None, neighbours: str) -> None:
    """Compare LA_CODE (E10000015, or the three-digit DfE number 919) with its neighbours."""
    setup_django()
    from csplan.cli.common import emit_tables

    if fmt == "xlsx" and not output:
        fail("XLSX is binary: give --output FILE.xlsx")
    report = _load_report(la_code, year, neighbours)
    if fmt in ("text", "md") and not output:
        click.echo(report.title + "\n")
    emit_tables(list(report.tables), fmt, output)


@benchmark.command("datasets")
def list_datasets() -> None:
    """List the imported datasets with their source file, sha256 and import time."""
    setup_django()
    from csplan.benchmark.store import datasets

    found = datasets()
    if not found:
        click.echo("No benchmark datasets imported.")
    for d in found:
        click.echo(
            f"{d.slot:<12} {d.source_name}  {d.row_count:,} rows  sha256 {d.sha256}  "
            f"imported {d.imported_at:%Y-%m-%d %H:%M} UTC"
        )


@benchmark.command("check")
def check() -> None:
    """Recompute every published rate from its count and population and report differences."""
    setup_django()
    from csplan.benchmark.calculations import (
        check_population,
        check_published_rates,
        explain_rate_difference,
    )
    from csplan.benchmark.store import load_benchmark_data

    data = load_benchmark_data()
    checks = check_published_rates(data)
    differ = [c for c in checks if not c.agrees]
    click.echo(
        f"{len(checks):,} published rates; {len(checks) - len(differ):,} agree with "
        f"round-half-up(count x 10,000 / population); {len(differ)} differ."
    )
    for c in differ:
        click.echo(f"  {c.year} {c.name} ({c.level}) {c.measure}: {explain_rate_difference(c)}")
    if data.population:
        population = check_population(data)
        click.echo(
            f"{len(population)} populations differ from the ONS mid-year estimate of the year "
            "before."
        )
        for year, code, cla, ons in population:
            click.echo(f"  {year} {code}: CLA file {cla:,}, ONS {ons:,}")


@benchmark.command("demo")
def demo() -> None:
    """Load the synthetic benchmark dataset for the fictional demo council (Demoshire)."""
    setup_django()
    from csplan.benchmark.demo import DEMO_LA, DEMO_NAME, load_demo_benchmark

    for summary in load_demo_benchmark():
        click.echo(summary.describe())
    click.echo(
        f"Synthetic figures (not published statistics). Try: csplan benchmark {DEMO_LA}"
        f"  ({DEMO_NAME})"
    )


@benchmark.command("gap")
@click.argument("la_code")
@click.option("--year", type=int, help="Base year ending 31 March (default: the latest).")
@click.option(
    "--target",
    default="neighbours",
    show_default=True,
    help="neighbours, neighbours-unweighted, england, or a rate per 10,000 (e.g. 45).",
)
@click.option("--by", "by_year", required=True, help="Target financial year, e.g. 2027/28.")
@click.option(
    "--weekly-cost", required=True,
    help="Weekly unit cost per child, £ (e.g. 1000), or ro3: the LA's RO3 spend per child.",
)  # fmt: skip
@click.option(
    "--attach", "line_reference",
    help="Attach the saving by year as evidence to the savings line with this reference.",
)  # fmt: skip
@click.option(
    "--scenario-out", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the gap as a demand-model scenario (YAML or .json) for `csplan demand scenario`.",
)  # fmt: skip
@NEIGHBOURS_OPTION
def gap(
    la_code: str, year: int | None, target: str, by_year: str, weekly_cost: str,
    line_reference: str | None, scenario_out: Path | None, neighbours: str,
) -> None:  # fmt: skip
    """Close the gap: the trajectory, children fewer and saving per financial year."""
    setup_django()
    from csplan.benchmark.calculations import BenchmarkError, resolve_la
    from csplan.benchmark.gap import GapError, gap_from_benchmark, gap_text
    from csplan.core.periods import FinancialYear, PeriodError

    data = _data(neighbours)
    cost: Decimal | str = weekly_cost.strip().lower()
    if cost != "ro3":
        try:
            cost = Decimal(weekly_cost.replace(",", "").replace("£", ""))
        except InvalidOperation:
            fail(f"--weekly-cost {weekly_cost!r} is not an amount (or ro3)")
    try:
        la = resolve_la(data, la_code)
        plan = gap_from_benchmark(
            data, la, year or data.years[-1], target, FinancialYear.parse(by_year), cost
        )
    except (BenchmarkError, GapError, PeriodError) as error:
        fail(str(error))
    click.echo(gap_text(plan), nl=False)
    if scenario_out is not None:
        from csplan.benchmark.gap import to_scenario

        to_scenario(plan).save(scenario_out)
        click.echo(f"Wrote the demand scenario to {scenario_out}")
    if line_reference:
        _attach_gap(plan, line_reference)


def _attach_gap(plan: Any, reference: str) -> None:
    from csplan.benchmark.store import attach_gap_evidence
    from csplan.programme.models import SavingsLine

    lines = list(SavingsLine.objects.filter(reference=reference))
    if len(lines) != 1:
        fail(f"{'no' if not lines else len(lines)} savings lines with reference {reference!r}")
    evidence = attach_gap_evidence(lines[0], plan)
    click.echo(f"Attached the gap to {reference} as evidence {evidence.pk}")


def _system(
    la_code: str,
    year: int | None,
    neighbours: str,
    kinds: tuple[str, ...],
    measure: str,
    build: Any,
    name: str,
    subject: str,
    fmt: str,
    output: str | None,
) -> None:
    from csplan.benchmark.calculations import BenchmarkError, resolve_la
    from csplan.benchmark.store import load_series
    from csplan.benchmark.system import comparison_table, latest_year
    from csplan.cli.common import emit_tables

    data = _data(neighbours)
    series = load_series(kinds)
    if not series.areas:
        fail(f"no {subject.lower()} figures: `csplan benchmark import` DfE's files first")
    chosen = year or latest_year(series, measure)
    try:
        la = resolve_la(data, la_code) if data.areas else la_code.upper()
        rows = build(data, series, la, chosen)
        table = comparison_table(data, la, chosen, rows, name, subject)
    except BenchmarkError as error:
        fail(str(error))
    emit_tables([table], fmt, output)


@benchmark.command("send")
@click.argument("la_code")
@click.option("--year", type=int, help="The January (e.g. 2025 for 2024/25); default latest.")
@NEIGHBOURS_OPTION
@output_options
def send_benchmark(
    la_code: str, year: int | None, neighbours: str, fmt: str, output: str | None
) -> None:
    """EHC plans per 10,000, the mix of settings and growth against the neighbours."""
    setup_django()
    from csplan.benchmark.system import send_comparisons
    from csplan.demand.send.readers import KINDS

    _system(
        la_code,
        year,
        neighbours,
        KINDS,
        "plans",
        send_comparisons,
        "send_benchmark",
        "EHC plans",
        fmt,
        output,
    )


@benchmark.command("needs")
@click.argument("la_code")
@click.option("--year", type=int, help="Year ending 31 March; default the latest.")
@NEIGHBOURS_OPTION
@output_options
def needs_benchmark(
    la_code: str, year: int | None, neighbours: str, fmt: str, output: str | None
) -> None:
    """Referrals, children in need, child protection, children looked after and new
    placements' location against the neighbours."""
    setup_django()
    from csplan.benchmark.system import needs_comparisons

    _system(
        la_code,
        year,
        neighbours,
        ("cin", "referrals", "cpp_at31", "cpp_started", "cla_placements"),
        "cin_at31",
        needs_comparisons,
        "needs_benchmark",
        "Levels of need",
        fmt,
        output,
    )
