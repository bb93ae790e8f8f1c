"""``csplan monitoring ...``: demo monitoring data and the risk-adjusted forecast."""

from __future__ import annotations

import click

from csplan.cli.common import (
    emit_tables,
    fail,
    output_options,
    plan_option,
    resolve_plan,
    setup_django,
)


@click.group()
def monitoring() -> None:
    """Monthly monitoring of the savings programme."""


@monitoring.command()
def demo() -> None:
    """Load the demo programme with a year of monitoring (Hampshire 2016/17) and the demo
    invest-to-save case (BCP Council, Building Stronger Foundations)."""
    setup_django()
    from csplan.cases.demo import load_hampshire_demo
    from csplan.investment.demo import load_investment_demo
    from csplan.monitoring.demo import load_monitoring_demo

    plan = load_monitoring_demo(load_hampshire_demo())
    case = load_investment_demo()
    click.echo(f"Monitoring demo loaded: {plan.council.name}: {plan.name}, 2016/17 Month 1-12.")
    click.echo(f"Invest-to-save demo loaded: {case.council.name}: {case.name}.")


@monitoring.command()
@click.option("--seed", default=None, type=int, help="Random seed of the simulation.")
@plan_option
def risk(seed: int | None, plan_name: str | None) -> None:
    """Print the plan's risk-adjusted forecast (expected and 10th-90th percentile range)."""
    setup_django()
    from csplan.core.render import render_text
    from csplan.monitoring.reports import risk_report
    from csplan.monitoring.risk import DEFAULT_DRAWS, DEFAULT_SEED
    from csplan.monitoring.store import risk_adjusted_for

    plan = resolve_plan(plan_name)
    seed = DEFAULT_SEED if seed is None else seed
    probabilities, rows = risk_adjusted_for(plan, seed=seed)
    click.echo(
        render_text(
            risk_report(
                rows,
                probabilities.described,
                probabilities.as_decimals(),
                draws=DEFAULT_DRAWS,
                seed=seed,
            )
        )
    )


@monitoring.command()
@click.option("--year", required=True, help="The financial year whose monitoring to learn from.")
@plan_option
def calibrate(year: str, plan_name: str | None) -> None:
    """Store delivery probabilities by RAG from the council's own delivery in YEAR."""
    setup_django()
    from csplan.core.periods import FinancialYear, PeriodError
    from csplan.monitoring.store import MonitoringValidationError, calibrate_probabilities

    plan = resolve_plan(plan_name)
    try:
        saved = calibrate_probabilities(plan, FinancialYear.parse(year))
    except (PeriodError, MonitoringValidationError) as error:
        fail(str(error))
    shown = ", ".join(f"{code} {value}" for code, value in sorted(saved.probabilities.items()))
    click.echo(f"{saved.label} (as of {saved.as_of}): {shown}")
    click.echo(saved.source)


@monitoring.command()
@click.argument("reference")
@click.argument("path", type=click.Path(exists=True))
@click.option("--year", required=True, help="Monitoring year, e.g. 2016/17.")
@click.option("--month", required=True, type=click.IntRange(1, 12), help="Month 1 (April) to 12.")
@click.option("--as-at", "as_at", help="The data's date (a month end); default the returns' last.")
def rerun(reference: str, path: str, year: str, month: int, as_at: str | None) -> None:
    """Re-run line REFERENCE's demand-model evidence on the SSDA903 returns in PATH."""
    import datetime as dt

    setup_django()
    from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError
    from csplan.demand.episodes import InputError, check_usable, load_returns
    from csplan.evidence.models import Evidence
    from csplan.monitoring.store import MonitoringValidationError, rerun_demand_evidence

    evidence = (
        Evidence.objects.filter(line__reference=reference, kind=Evidence.Kind.DEMAND_SCENARIO)
        .order_by("-created_at", "-id")
        .first()
    )
    if evidence is None:
        fail(f"No demand-model evidence for a line with reference {reference!r}")
    try:
        period = MonitoringPeriod(FinancialYear.parse(year), month)
        returns = load_returns(path)
        returns.warnings = check_usable(returns)  # refused when > 5% of a file's rows are unusable
        day = dt.date.fromisoformat(as_at) if as_at else returns.last_date
        stored = rerun_demand_evidence(evidence, period, returns.episodes, day)
    except (PeriodError, InputError, MonitoringValidationError, ValueError) as error:
        fail(str(error))
    for warning in returns.warnings:
        click.echo(f"Warning: {warning}", err=True)
    promised = evidence.savings_by_year().get(period.year)
    implied = stored.implied_by_year().get(period.year)
    click.echo(f"{reference} {period}: promised £{promised:,} in {period.year}, the returns as at "
               f"{day} imply £{implied:,} (data hash {stored.data_hash[:12]})")  # fmt: skip


@monitoring.command("gross-net")
@click.option("--year", required=True, help="Monitoring year, e.g. 2016/17.")
@click.option("--month", default="12", show_default=True, help="Monitoring month 1-12.")
@plan_option
@output_options
def gross_net(year: str, month: str, plan_name: str | None, fmt: str, output: str | None) -> None:
    """Gross savings, the demand growth they absorb (from the demand models' baselines in the
    lines' evidence) and the net change in spend, by year, as known at a monitoring month."""
    setup_django()
    from csplan.core.periods import MonitoringPeriod, PeriodError
    from csplan.monitoring.offsets import gross_offset_net_for
    from csplan.monitoring.reports import gross_offset_net_report

    plan = resolve_plan(plan_name)
    try:
        period = MonitoringPeriod.parse(year, month)
    except PeriodError as error:
        fail(str(error))
    rows, baselines = gross_offset_net_for(plan, period)
    table = gross_offset_net_report(rows, baselines, period, {"plan": plan.name})
    emit_tables([table], fmt, output)
