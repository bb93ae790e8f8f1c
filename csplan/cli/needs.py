"""``csplan needs ...``: levels of need from referral to care.

csplan needs forecast PATH --la E10000014 [--years 5]
csplan needs scenario PATH SCENARIO.yaml --la E10000014 [--returns SSDA903] [--attach C1/7]
csplan needs backtest PATH [--la CODE ...]
csplan needs generate FOLDER

PATH is a folder holding DfE's children in need files (b1, c1, d5, d3), the children looked
after numbers and the ONS population (others in the folder are skipped), or one file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from csplan.cli.common import emit_tables, fail, output_options
from csplan.cli.send import _attach


def _model_options(command: Any) -> Any:
    options = [
        click.option(
            "--la", "la", required=True, help="The LA: nine-character code, DfE number or name."
        ),
        click.option(
            "--years",
            default=5,
            show_default=True,
            type=click.IntRange(1, 10),
            help="Years (ending 31 March) to forecast after the last published.",
        ),
        click.option(
            "--settings",
            "settings_path",
            type=click.Path(exists=True),
            help="Model settings (YAML); default the shipped, back-tested ones.",
        ),
        click.option("--simulations", type=click.IntRange(0), help="Sample paths for the bands."),
        click.option("--seed", type=int, help="Random seed."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def load_area(path: str, la: str) -> tuple[Any, Any]:
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.needs.readers import read_path

    try:
        figures = read_path(path)
        area = figures.resolve(la)
    except (SeriesError, ValueError) as error:
        fail(str(error))
    for source in figures.sources:
        click.echo(f"Read {source.name}: {source.kind}, {source.rows:,} rows, sha256 "
                   f"{source.sha256[:12]}", err=True)  # fmt: skip
    return figures, area


def _options(settings_path: str | None, simulations: int | None, seed: int | None) -> Any:
    from csplan.demand.needs.model import NeedsModelError, load_options

    try:
        return load_options(settings_path, simulations=simulations, seed=seed)
    except NeedsModelError as error:
        fail(str(error))


@click.group()
def needs() -> None:
    """Levels of need, referral to care: forecast, scenarios, back-test."""


@needs.command()
@click.argument("path", type=click.Path(exists=True))
@_model_options
@output_options
def forecast(
    path: str,
    la: str,
    years: int,
    settings_path: str | None,
    simulations: int | None,
    seed: int | None,
    fmt: str,
    output: str | None,
) -> None:
    """Referrals, children in need, child protection plans and children looked after, with
    80% bands and rates per 10,000 children."""
    from csplan.demand.needs.model import NeedsModelError, fit_needs, forecast_needs
    from csplan.demand.needs.reports import flows_table

    _, area = load_area(path, la)
    try:
        result = forecast_needs(fit_needs(area, options=_options(settings_path, simulations,
                                                                  seed)), years)  # fmt: skip
    except NeedsModelError as error:
        fail(str(error))
    emit_tables([flows_table(result)], fmt, output)


@needs.command()
@click.argument("path", type=click.Path(exists=True))
@click.argument("scenario_path", metavar="SCENARIO", type=click.Path(exists=True))
@click.option("--returns", "returns_path", type=click.Path(exists=True),
              help="The council's SSDA903 returns: the children-looked-after model costs the "
              "change in children entering care (else an average weekly cost).")  # fmt: skip
@click.option(
    "--costs",
    "costs_path",
    type=click.Path(exists=True),
    help="Average weekly cost per child looked after (dated YAML), without returns.",
)
@click.option("--attach", "reference", help="Attach the saving to this savings line.")
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
    returns_path: str | None,
    costs_path: str | None,
    reference: str | None,
    plan_name: str | None,
    la: str,
    years: int,
    settings_path: str | None,
    simulations: int | None,
    seed: int | None,
    fmt: str,
    output: str | None,
) -> None:
    """Earlier help, step-down or fewer escalations: children kept out of care and the
    placement saving by financial year."""
    from csplan.core.params import ParameterError
    from csplan.demand.needs.model import NeedsModelError
    from csplan.demand.needs.reports import needs_scenario_table
    from csplan.demand.needs.scenarios import (
        NeedsScenario,
        NeedsScenarioError,
        load_costs,
        run_needs_scenario,
    )

    figures, area = load_area(path, la)
    returns = _returns(returns_path) if returns_path else None
    try:
        chosen = NeedsScenario.load(scenario_path)
        run = run_needs_scenario(area, chosen, options=_options(settings_path, simulations, seed),
                                 horizon=years, returns=returns,
                                 costs=load_costs(costs_path) if costs_path else None,
                                 data_hash=figures.hash)  # fmt: skip
    except (NeedsScenarioError, NeedsModelError, ParameterError, ValueError) as error:
        fail(str(error))
    emit_tables([needs_scenario_table(run, chosen.name)], fmt, output)
    if reference:
        _attach(reference, plan_name, lambda line: _attach_needs(line, run))


def _returns(path: str) -> Any:
    """The returns, refused (naming file, column, count and share) when more than 5% of a
    file's rows cannot be used: no children-looked-after forecast is made on the rest."""
    from csplan.demand.episodes import InputError, check_usable, load_returns

    try:
        returns = load_returns(path)
        returns.warnings = check_usable(returns)
    except (InputError, ValueError) as error:
        fail(str(error))
    for warning in returns.warnings:
        click.echo(f"Warning: {warning}", err=True)
    return returns


def _attach_needs(line: Any, run: Any) -> Any:
    from csplan.forecasts.system import attach_needs

    return attach_needs(line, run)


@needs.command()
@click.argument("path", type=click.Path(exists=True))
@click.option("--la", "las", multiple=True, help="Only these LAs (default: every LA).")
@click.option("--horizon", default=3, show_default=True, type=click.IntRange(1, 6))
@click.option("--first-origin", default=2016, show_default=True,
              help="The first year (ending 31 March) fitted.")  # fmt: skip
@click.option("--settings", "settings_path", type=click.Path(exists=True))
@click.option("--simulations", default=300, show_default=True, type=click.IntRange(1))
@output_options
def backtest(
    path: str,
    las: tuple[str, ...],
    horizon: int,
    first_origin: int,
    settings_path: str | None,
    simulations: int,
    fmt: str,
    output: str | None,
) -> None:
    """Fit at each published year, forecast the later ones, report error and band coverage
    (and a naive rival: the last year held)."""
    from csplan.demand.annual.scores import summarise
    from csplan.demand.annual.series import SeriesError
    from csplan.demand.needs.backtest import MEASURES, backtest_all
    from csplan.demand.needs.model import load_options
    from csplan.demand.needs.readers import read_path
    from csplan.demand.send.reports import backtest_table

    try:
        figures = read_path(path)
        areas = ([figures.resolve(code) for code in las] if las
                 else [figures.area(code) for code in figures.la_codes()])  # fmt: skip
        result = backtest_all(areas, load_options(settings_path, simulations=simulations),
                              horizon=horizon, first_origin=first_origin)  # fmt: skip
    except (SeriesError, ValueError) as error:
        fail(str(error))
    title = f"Levels-of-need model back-test: {len(areas)} LA(s), published years"
    emit_tables([backtest_table(summarise(result.scores, MEASURES), title, "needs_backtest"),
                 backtest_table(summarise(result.naive, MEASURES), "Naive rival: the last "
                                "year held", "naive")], fmt, output)  # fmt: skip


@needs.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--first", default=2011, show_default=True, help="First year ending 31 March.")
@click.option("--last", default=2016, show_default=True, help="Last year ending 31 March.")
@click.option("--seed", default=16, show_default=True)
def generate(folder: Path, first: int, last: int, seed: int) -> None:
    """Write synthetic children-in-need, child protection, looked-after and population files
    in DfE's layout (a fictional LA)."""
    from csplan.demand.needs.synthetic import synthetic_files

    folder.mkdir(parents=True, exist_ok=True)
    for name, body in synthetic_files(first, last, seed).items():
        (folder / name).write_bytes(body)
        click.echo(f"Wrote {folder / name}")
