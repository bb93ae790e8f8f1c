"""``csplan plan list|new|archive``: the plans in the database."""

from __future__ import annotations

from decimal import Decimal

import click

from csplan.cli.common import fail, resolve_plan, setup_django


@click.group()
def plan() -> None:
    """The savings plans in the database (several councils and plans can live side by side)."""


@plan.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include archived plans.")
def list_plans(show_all: bool) -> None:
    """List the plans: slug (for --plan and web addresses), council, name, years, lines."""
    setup_django()
    from csplan.programme.plans import active_plans, all_plans

    plans = list(all_plans() if show_all else active_plans())
    if not plans:
        click.echo("There is no plan yet: `csplan plan new`, `csplan import` or `csplan demo`.")
        return
    for item in plans:
        years = item.years
        state = "  (archived)" if item.archived else ""
        click.echo(
            f"{item.slug}\t{item.council.name}: {item.name}\t{years[0]} to {years[-1]}\t"
            f"{item.lines.count()} lines{state}"
        )


def _years(text: str) -> list:
    from csplan.programme.plans import PlanValidationError, parse_year_range

    try:
        return parse_year_range(text)
    except PlanValidationError as error:
        raise click.BadParameter(error.errors["years"], param_hint="--years") from None


TARGET = "--target"


def _targets(values: tuple[str, ...], years: list) -> dict:
    from csplan.core.money import MoneyError, to_decimal
    from csplan.core.periods import FinancialYear, PeriodError

    targets = {}
    for value in values:
        year_text, sep, amount_text = value.partition("=")
        try:
            if not sep:
                raise ValueError("write it as YEAR=AMOUNT")
            year = FinancialYear.parse(year_text.strip())
            amount = to_decimal(amount_text.strip().replace(",", "").lstrip("£"))
        except (PeriodError, MoneyError, ValueError) as error:
            raise click.BadParameter(
                f"{value!r}: {error} (like 2016/17=5000000, in pounds)", param_hint=TARGET
            ) from None
        if year not in years:
            raise click.BadParameter(f"{year} is not one of the plan's years", param_hint=TARGET)
        if amount < Decimal(0):
            raise click.BadParameter(f"{value!r}: a target cannot be negative", param_hint=TARGET)
        targets[year] = amount
    return targets


def _workstreams(values: tuple[str, ...]) -> list:
    from csplan.core.money import MoneyError, to_decimal
    from csplan.programme.figures import WorkstreamFigures

    result = []
    for value in values:
        name, sep, amount_text = value.rpartition("=")
        try:
            if not sep or not name.strip():
                raise ValueError("write it as NAME=POUNDS")
            amount = to_decimal(amount_text.strip().replace(",", "").lstrip("£"))
        except (MoneyError, ValueError) as error:
            raise click.BadParameter(
                f"{value!r}: {error} (like 'Early help=12500000', in pounds)",
                param_hint="--workstream",
            ) from None
        result.append(WorkstreamFigures(name.strip(), amount))
    return result


@plan.command("new")
@click.argument("name")
@click.option("--council", required=True, help="The council whose plan it is (created if new).")
@click.option("--years", "years_text", required=True, help="Financial years, like 2014/15-2017/18.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="YEAR=POUNDS",
    help="The savings target of a year in pounds, like 2016/17=5000000 (repeatable).",
)
@click.option(
    "--workstream",
    "workstreams",
    multiple=True,
    metavar="NAME=POUNDS",
    help="A workstream and its budget in pounds, like 'Early help=12500000' (repeatable).",
)
@click.option("--department", default="Children's Services", show_default=True)
@click.option("--la-code", default="", help="For a new council: its LA code (e.g. E10000014).")
def new(
    name: str,
    council: str,
    years_text: str,
    targets: tuple[str, ...],
    workstreams: tuple[str, ...],
    department: str,
    la_code: str,
) -> None:
    """Create an empty plan NAME of a council, then add lines with `csplan import`."""
    setup_django()
    from csplan.programme.plans import PlanChoiceError, create_plan

    years = _years(years_text)
    try:
        created = create_plan(
            name, council, years, targets=_targets(targets, years),
            workstreams=_workstreams(workstreams), department=department, la_code=la_code,
        )  # fmt: skip
    except PlanChoiceError as error:
        fail(str(error)[:1].upper() + str(error)[1:] + ".")
    click.echo(
        f"Created {created.council.name}: {created.name} ({years[0]} to {years[-1]}); "
        f"its slug is {created.slug} (use --plan {created.slug})."
    )
    if not targets:
        click.echo("No savings target set yet: the overview will say so until one is.")


@plan.command("edit")
@click.argument("name")
@click.option("--rename", help="A new name for the plan (its slug stays).")
@click.option("--years", "years_text", help="Its financial years, like 2024/25-2028/29.")
@click.option(
    "--target", "targets", multiple=True, metavar="YEAR=POUNDS",
    help="Every year's target in pounds (repeatable): the targets given replace all of them.",
)  # fmt: skip
@click.option(
    "--workstream", "workstreams", multiple=True, metavar="NAME=POUNDS",
    help="Every workstream and its budget in pounds (repeatable), in order: they replace the "
    "plan's (matched by name; one with savings lines cannot be left out).",
)  # fmt: skip
@click.option("--department")
def edit(
    name: str,
    rename: str | None,
    years_text: str | None,
    targets: tuple[str, ...],
    workstreams: tuple[str, ...],
    department: str | None,
) -> None:
    """Change plan NAME (slug or name): its name, years, targets or workstreams (recorded)."""
    from csplan.programme.plans import PlanChoiceError, update_plan

    chosen = resolve_plan(name)
    years = _years(years_text) if years_text else None
    try:
        changed = update_plan(
            chosen, name=rename, department=department, years=years,
            targets=_targets(targets, years or chosen.years) if targets else None,
            workstreams=_workstreams(workstreams) if workstreams else None,
            reason="Changed with csplan plan edit",
        )  # fmt: skip
    except PlanChoiceError as error:
        fail(str(error)[:1].upper() + str(error)[1:] + ".")
    years = changed.years
    click.echo(f"Changed {changed.council.name}: {changed.name} ({years[0]} to {years[-1]}).")


@plan.command("archive")
@click.argument("name")
@click.option("--undo", is_flag=True, help="Bring an archived plan back into use.")
def archive(name: str, undo: bool) -> None:
    """Archive plan NAME (slug or name): it stays readable and printable, out of the way."""
    from csplan.programme.plans import archive_plan

    chosen = resolve_plan(name)
    archive_plan(chosen, archived=not undo)
    click.echo(f"{'Brought back' if undo else 'Archived'}: {chosen.council.name}: {chosen.name}.")
