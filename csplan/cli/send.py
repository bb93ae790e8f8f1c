"""``csplan send ...``: EHC plans and SEN home-to-school transport.

csplan send forecast PATH --la E10000014 [--years 5]
csplan send scenario PATH SCENARIO.yaml --la E10000014 [--measure transport] [--attach C4]
csplan send backtest PATH [--la CODE ...]
csplan send generate FOLDER

PATH is a folder of DfE's "Education, health and care plans" files (caseload.csv,
newplans.csv, …; others in the folder are skipped), one such file, or a council's own
SEN2-style extract (one row per plan). No database is needed, except to attach evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from csplan.cli.common import emit_tables, fail, output_options, resolve_plan, setup_django


def _model_options(command: Any) -> Any:
    options = [
        click.option(
            "--la",
            "la",
            help="The LA: nine-character code, DfE number or name "
            "(for an extract: the code to record).",
        ),
        click.option(
            "--years",
            default=5,
            show_default=True,
            type=click.IntRange(1, 10),
            help="Januaries to forecast after the last one published.",
        ),
        click.option(
            "--settings",
            "settings_path",
            type=click.Path(exists=True),
            help="Model settings (YAML); default the shipped, back-tested ones.",
        ),
        click.option(
            "--unit-costs",
            type=click.Path(exists=True),
            help="Placement unit costs (dated YAML); default the shipped illustrative",
        ),
        click.option(
            "--transport",
            type=click.Path(exists=True),
            help="Transport shares and costs (dated YAML); default the shipped illustrative ones.",
        ),
        click.option("--simulations", type=click.IntRange(0), help="Sample paths for the bands."),
        click.option("--seed", type=int, help="Random seed."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load_area(path: str, la: str | None) -> tuple[Any, Any]:
    """(all the figures read, the chosen LA's series)."""
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.send.readers import read_path

    try:
        figures = read_path(path, la_code=la or "", la_name="")
        if la:
            area = (
                figures.resolve(la)
                if len(figures.la_codes()) != 1
                else figures.area(figures.la_codes()[0])
            )
        elif len(figures.la_codes()) == 1:
            area = figures.area(figures.la_codes()[0])
        else:
            fail(f"{len(figures.la_codes())} LAs in {path}: choose one with --la")
    except (SeriesError, ValueError) as error:
        fail(str(error))
    for source in figures.sources:
        click.echo(
            f"Read {source.name}: {source.kind}, {source.rows:,} rows, sha256 {source.sha256[:12]}",
            err=True,
        )
    if figures.skipped:
        click.echo(f"Skipped (not EHC plan files): {', '.join(figures.skipped)}", err=True)
    return figures, area


def _parameters(
    settings_path: str | None,
    unit_costs: str | None,
    transport: str | None,
    simulations: int | None,
    seed: int | None,
) -> tuple[Any, Any, Any]:
    from csplan.core.params import ParameterError
    from csplan.demand.send.costs import load_transport, load_unit_costs
    from csplan.demand.send.model import SendModelError, load_options

    try:
        options = load_options(settings_path, simulations=simulations, seed=seed)
        return options, load_unit_costs(unit_costs), load_transport(transport)
    except (ParameterError, SendModelError) as error:
        fail(str(error))
        raise  # pragma: no cover


@click.group()
def send() -> None:
    """EHC plans and SEN home-to-school transport: forecast, cost, scenarios, back-test."""


@send.command()
@click.argument("path", type=click.Path(exists=True))
@_model_options
@output_options
def forecast(
    path: str,
    la: str | None,
    years: int,
    settings_path: str | None,
    unit_costs: str | None,
    transport: str | None,
    simulations: int | None,
    seed: int | None,
    fmt: str,
    output: str | None,
) -> None:
    """Forecast EHC plans by setting (and age) with 80% bands, and their placement and
    transport cost by financial year."""
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.send import reports
    from csplan.demand.send.costs import cost_send
    from csplan.demand.send.model import fit_send, forecast_send

    _, area = load_area(path, la)
    options, costs, travel = _parameters(settings_path, unit_costs, transport, simulations,
                                         seed)  # fmt: skip
    try:
        result = forecast_send(fit_send(area, options=options), years)
        costed = cost_send(result, costs, travel)
    except (SeriesError, ValueError) as error:
        fail(str(error))
    tables = [reports.plans_table(result)]
    by_age = reports.ages_table(result)
    if by_age is not None:
        tables.append(by_age)
    tables.append(reports.costs_table(costed))
    emit_tables(tables, fmt, output)


@send.command()
@click.argument("path", type=click.Path(exists=True))
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(exists=True))
@click.option("--measure", type=click.Choice(["transport", "placements", "both"]),
              default="transport", show_default=True,
              help="Which saving the evidence counts (transport is the general fund, "
              "placements the high needs block).")  # fmt: skip
@click.option("--attach", "reference", help="Attach the saving to the savings line with this "
              "reference as evidence.")  # fmt: skip
@click.option(
    "--plan",
    "plan_name",
    metavar="PLAN",
    help="The plan holding the line: its slug or name (when several plans have it).",
)
@_model_options
@output_options
def scenario(
    path: str,
    scenario_path: str,
    measure: str,
    reference: str | None,
    plan_name: str | None,
    la: str | None,
    years: int,
    settings_path: str | None,
    unit_costs: str | None,
    transport: str | None,
    simulations: int | None,
    seed: int | None,
    fmt: str,
    output: str | None,
) -> None:
    """A scenario's saving against the baseline by financial year (SCENARIO: YAML or JSON)."""
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.send.reports import scenario_table
    from csplan.demand.send.scenarios import SendScenario, SendScenarioError, run_send_scenario

    figures, area = load_area(path, la)
    options, costs, travel = _parameters(settings_path, unit_costs, transport, simulations,
                                         seed)  # fmt: skip
    try:
        chosen = SendScenario.load(scenario_path)
        run = run_send_scenario(area, chosen, options=options, unit_costs=costs,
                                transport=travel, horizon=years, measure=measure,
                                data_hash=figures.hash)  # fmt: skip
    except (SendScenarioError, SeriesError, ValueError) as error:
        fail(str(error))
    emit_tables([scenario_table(run, chosen.name)], fmt, output)
    if reference:
        _attach(reference, plan_name, lambda line: _attach_send(line, run))


def _attach_send(line: Any, run: Any) -> Any:
    from csplan.forecasts.system import attach_send

    return attach_send(line, run)


def _attach(reference: str, plan_name: str | None, attach: Any) -> None:
    """Attach to the line ``reference`` (in ``--plan`` when given: its slug or name)."""
    setup_django()
    from csplan.forecasts.system import LineNotFound, find_line

    plan = resolve_plan(plan_name) if plan_name else None
    try:
        line = find_line(reference, plan)
    except LineNotFound as error:
        fail(str(error))
    evidence = attach(line)
    click.echo(
        f"Attached to {reference} ({line.plan.name}) as evidence {evidence.pk}: {evidence.title}",
        err=True,
    )


@send.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--la", "las", multiple=True, help="Only these LAs (default: every LA).")
@click.option("--horizon", default=3, show_default=True, type=click.IntRange(1, 6))
@click.option("--settings", "settings_path", type=click.Path(exists=True))
@click.option("--simulations", default=300, show_default=True, type=click.IntRange(1))
@output_options
def backtest(
    path: str,
    las: tuple[str, ...],
    horizon: int,
    settings_path: str | None,
    simulations: int,
    fmt: str,
    output: str | None,
) -> None:
    """Fit at each published January, forecast the later ones, report error and band
    coverage (and a naive rival: the last January grown at the last year's rate)."""
    from csplan.demand.annual.scores import summarise
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.send.backtest import MEASURES, backtest_all
    from csplan.demand.send.model import load_options
    from csplan.demand.send.readers import read_path
    from csplan.demand.send.reports import backtest_table

    try:
        figures = read_path(path)
        areas = ([figures.resolve(code) for code in las] if las
                 else [figures.area(code) for code in figures.la_codes()])  # fmt: skip
        result = backtest_all(areas, load_options(settings_path, simulations=simulations),
                              horizon=horizon)  # fmt: skip
    except (SeriesError, ValueError) as error:
        fail(str(error))
    title = f"EHC plan model back-test: {len(areas)} LA(s), published Januaries"
    emit_tables(
        [
            backtest_table(summarise(result.scores, MEASURES), title),
            backtest_table(
                summarise(result.naive, MEASURES),
                "Naive rival: the last January grown at the last year's rate",
                "naive",
            ),
        ],
        fmt,
        output,
    )


@send.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--first", default=2012, show_default=True, help="First January.")
@click.option("--last", default=2016, show_default=True, help="Last January.")
@click.option("--seed", default=15, show_default=True)
def generate(folder: Path, first: int, last: int, seed: int) -> None:
    """Write synthetic caseload.csv and newplans.csv in DfE's layout (a fictional LA)."""
    from csplan.demand.send.synthetic import synthetic_files

    folder.mkdir(parents=True, exist_ok=True)
    for name, body in synthetic_files(first, last, seed).items():
        (folder / name).write_bytes(body)
        click.echo(f"Wrote {folder / name}")
