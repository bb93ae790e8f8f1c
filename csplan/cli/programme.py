"""``csplan demo``, ``csplan import``, ``csplan export`` and ``csplan table``.

Thin: each command parses its options, calls ``csplan.programme.io`` or ``csplan.reports`` and
prints. A file that cannot be imported lists every problem on standard error and exits 1.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from csplan.cli.common import fail, plan_option, resolve_plan, setup_django
from csplan.cli.tables import TABLES
from csplan.core.money import MoneyError, Unit
from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError, year_range
from csplan.core.render import EXTENSIONS, FORMATS
from csplan.demo import DEMO_USERNAME
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.phasing import PhasingForm

TABLE_FORMATS = FORMATS
_FORMAT_BY_SUFFIX = {f".{extension}": fmt for fmt, extension in EXTENSIONS.items()}

_phasing_choice = click.Choice([form.value for form in PhasingForm])


def _phasing(value: str | None) -> PhasingForm | None:
    return None if value is None else PhasingForm(value)


def _unit(value: str | None) -> Unit | None:
    if value is None:
        return None
    try:
        return Unit.from_label(value)
    except MoneyError as error:
        raise click.BadParameter(str(error), param_hint="--unit") from None


def _report_problems(error: ProgrammeImportError) -> None:
    click.echo(f"Nothing was imported: {len(error.problems)} problem(s).", err=True)
    for problem in error.problems:
        click.echo(f"  {problem}", err=True)
    raise click.exceptions.Exit(1)


def _plan_figures(plan_name: str | None) -> Any:
    from csplan.programme.store import programme_figures

    return programme_figures(resolve_plan(plan_name))


# --- demo --------------------------------------------------------------------------------------


@click.command()
@click.option(
    "--if-empty",
    is_flag=True,
    help="Do nothing when the database already holds a programme (for start-up scripts).",
)
def demo(if_empty: bool) -> None:
    """Load the demo councils (Hampshire's Transformation to 2017 programme with a year of
    monitoring, BCP's invest-to-save case) and the demo log-in.

    The log-in is the user `demo`; its password comes from CSPLAN_DEMO_PASSWORD, or is made up
    once and kept in the data folder, and is printed every time.
    """
    setup_django()
    from csplan.demo import demo_password, demo_user, load_demo
    from csplan.programme.models import Plan

    if if_empty and Plan.objects.exists():
        demo_user()
        click.echo("The database already holds a programme: the demo was not loaded again.")
    else:
        for item in load_demo().loaded:
            click.echo(f"Loaded: {item}")
    click.echo(f"Demo log-in: user '{DEMO_USERNAME}', password '{demo_password()}'")


# --- import ------------------------------------------------------------------------------------


@contextmanager
def _stages(label: str) -> Iterator[Any]:
    stages = ("read", "compared", "saved")
    with click.progressbar(length=len(stages), label=label, file=sys.stderr) as bar:
        yield lambda stage: bar.update(1)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--phasing",
    type=_phasing_choice,
    help="For a CSV (required): whether the year columns are incremental (the change in "
    "each year) or cumulative (the full-year effect in place by each year).",
)
@click.option(
    "--unit",
    help="For a CSV: the unit of the amounts (£, £'000 or £m; default £'000 unless the "
    "header names it).",
)
@click.option(
    "--plan",
    "plan_name",
    metavar="PLAN",
    help="For a CSV: the plan to add to and update (its slug or name; needed when there are "
    "several). A workbook or JSON names its own plan.",
)
@click.option(
    "--workstream",
    default="",
    help="For a CSV with no Workstream column: the workstream of new lines (added to the plan "
    "if it has none of that name).",
)
@click.option(
    "--remove-missing",
    is_flag=True,
    help="For a CSV: remove the plan's lines that are not in the file (kept by default).",
)
def import_programme(
    path: Path,
    phasing: str | None,
    unit: str | None,
    plan_name: str | None,
    workstream: str,
    remove_missing: bool,
) -> None:
    """Import a programme from PATH: .xlsx (the workbook), .csv (the appendix layout) or .json.

    The workbook and JSON create or update the plan they name; a CSV adds to and updates the
    lines of an existing plan (`csplan plan new` makes an empty one), matched by Ref. The whole
    file is checked first: if anything is wrong, every problem is listed and nothing is changed.
    """
    setup_django()
    from csplan.programme.io.importing import import_programme_file

    try:
        with _stages(f"Importing {path.name}") as progress:
            summary = import_programme_file(
                path,
                phasing=_phasing(phasing),
                unit=_unit(unit),
                plan=plan_name,
                workstream=workstream,
                remove_missing=remove_missing,
                progress=progress,
            )
    except ProgrammeImportError as error:
        _report_problems(error)
    for line in summary.describe():
        click.echo(line)


# --- export ------------------------------------------------------------------------------------


def _first_year(value: str | None) -> FinancialYear:
    from datetime import date

    if value is None:
        return FinancialYear.containing(date.today()).next()
    try:
        return FinancialYear.parse(value)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--first-year") from None


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--phasing",
    type=_phasing_choice,
    help="Write the year columns incremental or cumulative (default: cumulative for a CSV, "
    "as councils publish the appendix; incremental for .xlsx and .json).",
)
@click.option("--unit", help="The unit of the amounts: £, £'000 (default) or £m.")
@plan_option
@click.option(
    "--template",
    is_flag=True,
    help="Write an empty workbook template (.xlsx) with its Key sheet instead of a programme.",
)
@click.option(
    "--first-year", help="With --template: the first financial year (default: next year)."
)
@click.option(
    "--years",
    "year_count",
    type=click.IntRange(1, 10),
    default=3,
    show_default=True,
    help="With --template: how many financial years.",
)
def export_programme(
    path: Path,
    phasing: str | None,
    unit: str | None,
    plan_name: str | None,
    template: bool,
    first_year: str | None,
    year_count: int,
) -> None:
    """Export the programme to PATH: .xlsx (the workbook), .csv (the appendix layout) or .json.

    With --template, write an empty workbook to fill in and import.
    """
    from csplan.programme import io as programme_io

    try:
        kind = programme_io.file_type(path)
    except ProgrammeImportError as error:
        fail(str(error))
    form = _phasing(phasing) or programme_io.default_form(kind)
    chosen_unit = _unit(unit) or Unit.THOUSANDS
    if template:
        if kind != ".xlsx":
            fail("A template is a workbook: give a PATH ending .xlsx.")
        years = year_range(_first_year(first_year), year_count)
        path.write_bytes(programme_io.workbook.template_bytes(years, form, chosen_unit))
        click.echo(f"Wrote an empty template to {path} ({years[0]} to {years[-1]}).")
        return
    setup_django()
    programme = _plan_figures(plan_name)
    path.write_bytes(programme_io.programme_file_bytes(programme, kind, form, chosen_unit))
    click.echo(
        f"Exported {programme.council}: {programme.plan} ({len(programme.lines)} lines, "
        f"{form.value} phasing, {chosen_unit.label}) to {path}."
    )
    if kind == ".csv":
        click.echo(f"To import it again: csplan import {path} --phasing {form.value}")


# --- table -------------------------------------------------------------------------------------


@click.command()
@click.argument("name", type=click.Choice(list(TABLES)), metavar="NAME")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(TABLE_FORMATS),
    help="Output format (default: from the --output extension, else text).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of the terminal (needed for xlsx).",
)
@click.option(
    "--phasing",
    type=_phasing_choice,
    default=PhasingForm.CUMULATIVE.value,
    show_default=True,
    help="For the proposals table: show each year incremental or cumulative.",
)
@click.option("--year", help="For the monitoring tables: the month's financial year, e.g. 2016/17.")
@click.option(
    "--month",
    type=click.IntRange(1, 12),
    help="For the monitoring tables: Month 1 (April) to 12 (default: the latest monitored).",
)
@click.option(
    "--as-at",
    "as_at",
    help="The programme as it stood on that day (YYYY-MM-DD or dd/mm/YYYY): its changes "
    "effective by then, e.g. 2015-09-16 for the day it was approved.",
)
@click.option(
    "--basis",
    type=click.Choice(["current", "approved"]),
    default="current",
    show_default=True,
    help="The figures as approved by the plan's approval decision, or as they are now.",
)
@plan_option
def table(
    name: str,
    fmt: str | None,
    output: Path | None,
    phasing: str,
    year: str | None,
    month: int | None,
    as_at: str | None,
    basis: str,
    plan_name: str | None,
) -> None:
    """Print a committee table of the plan, built as its page builds it. NAME is one of:

    \b
    {names}

    Amounts are in £m (workstreams) or £'000, negatives in brackets, with a totals row and
    notes; csv, json and xlsx are the machine-readable twins (as on the page).
    """
    setup_django()
    from csplan.cli.tables import Choice, TableChoiceError, build_table
    from csplan.core.render import render

    chosen = fmt or (_FORMAT_BY_SUFFIX.get(output.suffix.lower()) if output else None) or "text"
    if chosen == "xlsx" and output is None:
        fail("An xlsx table needs --output FILE.xlsx.")
    choice = Choice(PhasingForm(phasing), _period(year, month), _day(as_at), basis)
    try:
        report = build_table(name, resolve_plan(plan_name), choice)
    except TableChoiceError as error:
        fail(str(error))
    body = render(report, chosen)
    if output is None:
        if chosen == "text":
            said = report.meta
            position = f" {said['position']}" if "position" in said else ""
            click.echo(f"{said['council']}: {said['plan']}.{position}\n")
        click.echo(body.decode("utf-8"), nl=False)
        return
    output.write_bytes(body)
    click.echo(f"Wrote {report.title} ({chosen}) to {output}.", err=True)


table.help = (table.help or "").replace(
    "{names}", "\n    ".join(f"{name:<16} {about}" for name, (about, _) in TABLES.items())
)


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise click.BadParameter(f"{text!r} is not a date: write 2015-09-16", param_hint="--as-at")


def _period(year: str | None, month: int | None) -> MonitoringPeriod | None:
    if year is None and month is None:
        return None
    if year is None or month is None:
        raise click.UsageError("Give --year and --month together.")
    try:
        return MonitoringPeriod(FinancialYear.parse(year), month)
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--year") from None
