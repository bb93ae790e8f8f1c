"""``csplan demand forecast|backtest|scenario``: the model side of the demand commands.

Thin: the model lives in ``csplan.demand`` (fit, forecast, costs, scenarios, back-test) and
its tables in ``csplan.demand.tables``; these commands parse options, show a progress bar on
standard error and render the tables. No database is needed, except to attach a scenario's
saving to a savings line (``scenario --attach``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

FORMATS = ("text", "csv", "xlsx", "json")


#: ``config.EXIT_VARIANT_NAMES``, written out so the command line starts without pandas.
EXIT_MODELS = ("constant", "duration", "duration+legal_status", "duration+uasc",
               "duration+legal_status+uasc")  # fmt: skip


def _model_options(command: Callable) -> Callable:
    options = [
        click.option("--window", default="24", show_default=True,
                     help="Reference window: months before the last date, or FIRST:LAST dates "
                          "(2022-04-01:2024-03-31)."),
        click.option("--simulations", default=1000, show_default=True, type=click.IntRange(0),
                     help="Joint sample paths for the 10th-90th percentile bands of children, "
                          "costs and savings (0: expected only)."),
        click.option("--seed", default=0, show_default=True, help="Random seed."),
        click.option("--population", type=click.Path(exists=True, path_type=Path),
                     help="Population projection CSV (year, age, population): entries become a "
                          "rate per 10,000 children."),
        click.option("--no-trend", is_flag=True, help="Entries constant, without a trend."),
        click.option("--trend-damping", default=1.0, show_default=True,
                     type=click.FloatRange(min=0),
                     help="Years over which the entry trend is damped after the reference "
                          "window: it moves the rate by at most that many years' worth "
                          "(0: extrapolated undamped)."),
        click.option("--config", "config_path", type=click.Path(exists=True, path_type=Path),
                     help="Age bands and placement groups (YAML); default the shipped one."),
        click.option("--include-short-breaks", is_flag=True,
                     help="Count children looked after under a series of short-term breaks "
                          "(legal status V3/V4), which the DfE's figures leave out (and so "
                          "does csplan by default)."),
        click.option("--exits", type=click.Choice(EXIT_MODELS),
                     help="Exit model: constant rates, or rates by time in care (with legal "
                          "status and UASC strata); default the configuration's `exits:` "
                          "(constant when it does not say). `backtest --compare-exits` ranks "
                          "them on these returns."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
                     show_default=True),
        click.option("--output", "-o", type=click.Path(path_type=Path),
                     help="Write to this file (needed for xlsx)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


def _load(
    path: Path, config_path: Path | None, population: Path | None, short_breaks: bool = False,
    exits: str | None = None,
) -> tuple:  # fmt: skip
    """The returns (refused when too many rows cannot be used), the model configuration and
    the population; the warnings on rows dropped are on ``returns.warnings``."""
    from csplan.demand.config import ConfigError, load_config
    from csplan.demand.episodes import InputError, check_usable, load_returns
    from csplan.demand.rates import RateError, read_population

    try:
        config = load_config(config_path)
        if short_breaks:
            config = config.with_short_breaks()
        if exits:
            config = config.with_exits(exits)
        returns = load_returns(path)
        returns.warnings = check_usable(returns)
        people = read_population(population, config) if population else None
    except (InputError, ConfigError, RateError, ValueError) as error:
        raise _fail(error) from error
    if returns.issues:
        click.echo(f"{len(returns.issues)} input issues were handled by their rules; "
                   f"`csplan demand validate {path}` lists them.", err=True)  # fmt: skip
    for warning in returns.warnings:
        click.echo(f"Warning: {warning}", err=True)
    return returns, config, people


def _with_warnings(data: dict[str, Any], returns: Any) -> dict[str, Any]:
    return {**data, "warnings": list(returns.warnings)}


def _window(text: str, last_date: dt.date) -> Any:
    from csplan.demand.rates import RateError, Window

    try:
        return Window.parse(text, last_date)
    except (RateError, ValueError) as error:
        raise click.BadParameter(str(error), param_hint="--window") from error


@contextmanager
def _progress(label: str, months: int, runs: int = 1) -> Iterator[Callable[[int], None]]:
    with click.progressbar(length=months * runs, label=label, file=sys.stderr,
                           show_eta=False) as bar:  # fmt: skip
        yield bar.update


def _emit(
    tables: list[Any], fmt: str, output: Path | None, data: dict[str, Any],
    warnings: list[str] | None = None,
) -> None:  # fmt: skip
    from csplan.core.render import add_table_sheet, render_text

    if fmt == "xlsx":
        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        from openpyxl import Workbook

        workbook = Workbook()
        workbook.remove(workbook.active)
        for table in tables:
            add_table_sheet(workbook, table)
        workbook.save(output)
        click.echo(f"Wrote {output} ({', '.join(t.name for t in tables)})", err=True)
        return
    if fmt == "json":
        text = json.dumps(data, indent=2, default=str)
    elif fmt == "csv":
        from csplan.core.render import render_csv

        text = render_csv(tables[0])
    else:
        text = "\n\n".join(render_text(t) for t in tables)
        if warnings:
            text += "\n\nWarnings (input rows dropped or misread):\n" + "\n".join(
                f"  {w}" for w in warnings
            )
    _write_text(text, output)


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


@click.command("forecast")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--months", default=24, show_default=True, type=click.IntRange(1, 60),
              help="Month ends to forecast after the last date in the data.")  # fmt: skip
@click.option("--assumptions", type=click.Path(exists=True, path_type=Path),
              help="Unit costs and inflation (YAML); default the shipped, dated file.")  # fmt: skip
@_model_options
def forecast(
    path: Path, months: int, assumptions: Path | None, window: str, simulations: int, seed: int,
    population: Path | None, no_trend: bool, trend_damping: float, config_path: Path | None,
    include_short_breaks: bool, exits: str | None, fmt: str, output: Path | None,
) -> None:  # fmt: skip
    """Forecast children looked after from the SSDA903 returns in PATH, with costs.

    --format csv writes one row per month end x age band x placement group (date, age_band,
    placement_group, p10, p50, p90), starting at the first month end after the data, then the
    aggregates: each placement group over all age bands (age_band `all`), each age band over
    all groups (placement_group `all`) and the total (`all`, `all`). Every level's percentiles
    come from the same sample paths (summed), so they are coherent.

    Refused when more than 5% of a file's rows cannot be used in one column (dates or codes
    that cannot be read): `csplan demand validate PATH` lists them. Smaller shares are
    forecast, with a warning.
    """
    from csplan.demand import tables
    from csplan.demand.costs import CostError, forecast_costs, load_assumptions
    from csplan.demand.forecast import ForecastError, collection_start, fit, run_forecast

    returns, config, people = _load(path, config_path, population, include_short_breaks, exits)
    try:
        params = fit(returns.episodes, returns.last_date, config,
                     window=_window(window, returns.last_date), population=people,
                     trend=not no_trend, trend_damping=_damping(trend_damping),
                     data_hash=returns.data_hash,
                     data_start=collection_start(returns.years))  # fmt: skip
        with _progress("Forecast", months) as step:
            result = run_forecast(params, months, simulations=simulations, seed=seed,
                                  progress=step)  # fmt: skip
        costs = forecast_costs(result, load_assumptions(assumptions))
    except (ForecastError, CostError, ValueError) as error:
        raise _fail(error) from error
    if fmt == "csv":
        _write_text(_forecast_csv(result), output)
        return
    labels = {g.key: g.label for g in config.groups}
    cells = tables.forecast_cells(result)
    groups = tables.forecast_groups(result)
    cost_table = tables.costs(costs, labels)
    data = {
        "data_hash": returns.data_hash,
        "start": returns.last_date.isoformat(),
        "parameters": params.describe(),
        "forecast": result.to_frame().drop(columns="expected").to_dict("records"),
        "totals": result.totals_frame().to_dict("records"),
        "costs": {y.label: c.to_dict() for y, c in sorted(costs.items())},
    }
    chosen = [groups, cost_table] if fmt == "text" else [cells, groups, cost_table]
    _emit(chosen, fmt, output, _with_warnings(data, returns), returns.warnings)


def _forecast_csv(result: Any) -> str:
    from csplan.demand.tables import FORECAST_CSV_COLUMNS

    frame = result.to_frame(aggregates=True)[list(FORECAST_CSV_COLUMNS)].round(3)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


@click.command("backtest")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--until", "until_text",
              help="Fit on the data known on this date (a month end); default 24 months before "
                   "the last date, or as many as the data allow.")  # fmt: skip
@click.option("--horizon", "horizons", type=int, multiple=True,
              help="Months ahead to compare (default 12 and 24).")  # fmt: skip
@click.option("--origins", default=0, show_default=True, type=click.IntRange(0, 24),
              help="Also a rolling back-test from this many origins (month ends), reporting "
                   "80% band coverage by months ahead (1 to the longest horizon).")  # fmt: skip
@click.option("--spacing", default=3, show_default=True, type=click.IntRange(1, 24),
              help="Months between the rolling back-test's origins.")  # fmt: skip
@click.option("--compare-exits", is_flag=True,
              help="Also compare the exit models (constant; by time in care; with legal "
                   "status and UASC strata) by the rolling back-test's errors (--origins, "
                   "default 6).")  # fmt: skip
@_model_options
def backtest(
    path: Path, until_text: str | None, horizons: tuple[int, ...], origins: int, spacing: int,
    compare_exits: bool,
    window: str, simulations: int, seed: int, population: Path | None, no_trend: bool,
    trend_damping: float, config_path: Path | None, include_short_breaks: bool,
    exits: str | None, fmt: str, output: Path | None,
) -> None:  # fmt: skip
    """Fit on earlier data, forecast, and compare with what the later returns show.

    With --origins N, also fit at N month ends SPACING months apart (the latest the longest
    horizon before the data end) and report how often the actual total and each placement
    group fell inside the 80% band, by months ahead.

    With --compare-exits, also run that rolling back-test (expected values) once per exit
    model and rank them by the placement groups' mean absolute error: the first is the one
    to name in the configuration's `exits:`.

    Refused, as forecast is, when more than 5% of a file's rows cannot be used.
    """
    from csplan.demand import tables
    from csplan.demand.backtest import BacktestError
    from csplan.demand.backtest import backtest as run_backtest
    from csplan.demand.forecast import collection_start

    returns, config, _ = _load(path, config_path, population, include_short_breaks, exits)
    wanted = tuple(sorted(set(horizons))) or (12, 24)
    until = _until(until_text, returns, max(wanted))
    window_months = _window_months(window)
    months = min(max(wanted), (returns.last_date.year - until.year) * 12
                 + returns.last_date.month - until.month)  # fmt: skip
    try:
        with _progress("Back-test", max(months, 1)) as step:
            result = run_backtest(returns.episodes, returns.last_date, until, config,
                                  horizons=wanted, window_months=window_months,
                                  simulations=simulations, seed=seed, trend=not no_trend,
                                  trend_damping=_damping(trend_damping), progress=step,
                                  data_start=collection_start(returns.years))  # fmt: skip
    except (BacktestError, ValueError) as error:
        raise _fail(error) from error
    chosen = [tables.backtest(result)]
    data = {"data_hash": returns.data_hash, **result.to_dict()}
    if origins:
        rolling = _rolling(returns, config, max(wanted), origins, spacing, window_months,
                           simulations, seed, not no_trend, _damping(trend_damping))  # fmt: skip
        labels = {g.key: g.label for g in config.groups}
        chosen.append(tables.rolling_backtest(rolling, labels))
        data["rolling"] = rolling.to_dict()
    if compare_exits:
        compared = _compare_exits(returns, config, max(wanted), origins or 6, spacing,
                                  window_months, seed, not no_trend,
                                  _damping(trend_damping))  # fmt: skip
        chosen.append(tables.exit_models(compared, {g.key: g.label for g in config.groups}))
        data["exit_models"] = [c.to_dict() for c in compared]
    _emit(chosen, fmt, output, _with_warnings(data, returns), returns.warnings)


def _rolling(
    returns: Any, config: Any, months: int, origins: int, spacing: int, window_months: int,
    simulations: int, seed: int, trend: bool, trend_damping: float | None,
) -> Any:  # fmt: skip
    from csplan.demand.backtest import BacktestError, rolling_backtest
    from csplan.demand.forecast import collection_start

    try:
        with _progress("Rolling back-test", origins) as step:
            return rolling_backtest(returns.episodes, returns.last_date, config, months=months,
                                    origins=origins, spacing=spacing,
                                    window_months=window_months, simulations=simulations,
                                    seed=seed, trend=trend, trend_damping=trend_damping,
                                    progress=step,
                                    data_start=collection_start(returns.years))  # fmt: skip
    except (BacktestError, ValueError) as error:
        raise _fail(error) from error


def _compare_exits(
    returns: Any, config: Any, months: int, origins: int, spacing: int, window_months: int,
    seed: int, trend: bool, trend_damping: float | None,
) -> Any:  # fmt: skip
    from csplan.demand.backtest import BacktestError, compare_exits
    from csplan.demand.config import EXIT_VARIANT_NAMES
    from csplan.demand.forecast import collection_start

    try:
        with _progress("Exit models", origins, len(EXIT_VARIANT_NAMES)) as step:
            return compare_exits(returns.episodes, returns.last_date, config, months=months,
                                 origins=origins, spacing=spacing, window_months=window_months,
                                 simulations=0, seed=seed, trend=trend,
                                 trend_damping=trend_damping, progress=step,
                                 data_start=collection_start(returns.years))  # fmt: skip
    except (BacktestError, ValueError) as error:
        raise _fail(error) from error


def _damping(years: float) -> float | None:
    """``--trend-damping``: 0 is an undamped trend."""
    return years or None


def _until(text: str | None, returns: Any, months: int) -> dt.date:
    import pandas as pd

    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError as error:
            raise click.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)",
                                     param_hint="--until") from error  # fmt: skip
    first = returns.episodes["start"].min()
    last = pd.Timestamp(returns.last_date)
    earliest = (first + pd.offsets.MonthEnd(12)).date()  # a year of history to fit on
    wanted = (last + pd.offsets.MonthEnd(-months)).date()
    return max(wanted, min(earliest, (last + pd.offsets.MonthEnd(-1)).date()))


def _window_months(text: str) -> int:
    try:
        return int(text)
    except ValueError as error:
        raise click.BadParameter("the back-test takes the window as a number of months",
                                 param_hint="--window") from error  # fmt: skip


@click.command("scenario")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.argument("scenario_files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))  # fmt: skip
@click.option("--months", default=60, show_default=True, type=click.IntRange(1, 60))
@click.option("--assumptions", type=click.Path(exists=True, path_type=Path),
              help="Unit costs and inflation (YAML); default the shipped, dated file.")  # fmt: skip
@click.option(
    "--evidence",
    "evidence_path",
    type=click.Path(path_type=Path),
    help="Write the evidence record (saving, data hash, every parameter) as JSON.",
)
@click.option(
    "--attach",
    "line_reference",
    help="Attach the saving as evidence to the savings line with this reference.",
)
@_model_options
def scenario(
    path: Path, scenario_files: tuple[Path, ...], months: int, assumptions: Path | None,
    evidence_path: Path | None, line_reference: str | None, window: str, simulations: int,
    seed: int, population: Path | None, no_trend: bool, trend_damping: float,
    config_path: Path | None, include_short_breaks: bool, exits: str | None, fmt: str,
    output: Path | None,
) -> None:  # fmt: skip
    """Cost scenario(s) in SCENARIO_FILES (YAML or JSON) against the baseline forecast.

    Several files compose into one scenario (each applies to the others' result).
    """
    from csplan.demand import tables
    from csplan.demand.config import ConfigError
    from csplan.demand.costs import CostError, load_assumptions
    from csplan.demand.scenarios import RunOptions, Scenario, ScenarioError, run_scenario

    returns, config, people = _load(path, config_path, population, include_short_breaks, exits)
    try:
        loaded = [Scenario.load(p) for p in scenario_files]
        combined = loaded[0]
        for other in loaded[1:]:
            combined = combined.combine(other)
        options = RunOptions(months=months, window=_window(window, returns.last_date),
                             seed=seed, simulations=simulations, trend=not no_trend,
                             trend_damping=_damping(trend_damping))  # fmt: skip
        with _progress(f"Scenario {combined.name}", months, runs=2) as step:
            run = run_scenario(returns.episodes, returns.last_date, combined, config=config,
                               assumptions=load_assumptions(assumptions), options=options,
                               population=people, data_hash=returns.data_hash,
                               progress=step)  # fmt: skip
    except (ScenarioError, ConfigError, CostError, ValueError, KeyError) as error:
        raise _fail(error) from error
    if evidence_path:
        evidence_path.write_text(json.dumps(run.evidence, indent=2, default=str), "utf-8")
        click.echo(f"Wrote the evidence record to {evidence_path}", err=True)
    if line_reference:
        _attach(line_reference, run)
    table = tables.saving(run.baseline.costs, run.scenario.costs, run.saving, combined.name)
    labels = {g.key: g.label for g in config.groups}
    extra = [tables.costs(run.baseline.costs, labels), tables.costs(run.scenario.costs, labels)]
    if fmt == "xlsx":
        extra = [_renamed(extra[0], "baseline_costs"), _renamed(extra[1], "scenario_costs")]
    _emit([table, *extra] if fmt == "xlsx" else [table], fmt, output, run.evidence,
          returns.warnings)  # fmt: skip


def _renamed(table: Any, name: str) -> Any:
    from dataclasses import replace

    return replace(table, name=name)


def _attach(reference: str, run: Any) -> None:
    from csplan.cli.common import setup_django

    setup_django()
    from csplan.core.periods import FinancialYear
    from csplan.evidence.records import attach_evidence
    from csplan.programme.models import SavingsLine

    lines = list(SavingsLine.objects.filter(reference=reference))
    if len(lines) != 1:
        found = "no savings line" if not lines else f"{len(lines)} savings lines"
        raise click.ClickException(f"{found} with reference {reference!r}")
    evidence = attach_evidence(
        lines[0], kind="demand_scenario", title=run.evidence["title"],
        summary=run.evidence["summary"],
        savings={FinancialYear.parse(y): _decimal(v) for y, v in run.evidence["savings"].items()},
        data_hash=run.evidence["data_hash"], parameters=run.evidence["parameters"],
    )  # fmt: skip
    click.echo(f"Attached evidence {evidence.pk} to {reference}", err=True)


def _decimal(text: str) -> Any:
    from decimal import Decimal

    return Decimal(text)


COMMANDS = [forecast, backtest, scenario]
