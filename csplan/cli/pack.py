"""``csplan pack``: the committee pack for a monitoring period as HTML, PDF or XLSX.

Thin: parses the options, calls ``csplan.pack`` and writes the file.
"""

from __future__ import annotations

from pathlib import Path

import click

from csplan.cli.common import fail, plan_option, resolve_plan, setup_django
from csplan.core.periods import MonitoringPeriod, PeriodError

FORMATS = ("html", "pdf", "xlsx")


def _period(year: str, month: str) -> MonitoringPeriod:
    try:
        return MonitoringPeriod.parse(year, month)
    except PeriodError as error:
        raise click.BadParameter(str(error)) from None


def _plan(name: str | None):
    return resolve_plan(name)


@click.command()
@click.option("--year", required=True, help="Financial year, e.g. 2016/17.")
@click.option("--month", required=True, help="Monitoring month 1-12 (Month 1 is April).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: from the file name).")  # fmt: skip
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--tables", multiple=True, metavar="NAME",
              help="Tables to include (repeat or comma-separate); default all.")  # fmt: skip
@plan_option
@click.option("--publish", is_flag=True, help="Freeze the pack as published (data, files, hash).")
def pack(
    year: str,
    month: str,
    fmt: str | None,
    output: str,
    tables: tuple[str, ...],
    plan_name: str | None,
    publish: bool,
) -> None:
    """Write the committee pack for a monitoring period (HTML, PDF or XLSX).

    Tables: programme_summary, targets, workstreams, proposals, monitoring_summary, at_risk,
    movements (since the last published pack), demand, gross_offset_net, equality, investment.
    """
    setup_django()
    from csplan.pack.builder import PackError, chosen
    from csplan.pack.render import render
    from csplan.pack.store import pack_for
    from csplan.pack.store import publish as publish_pack

    path = Path(output)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise click.BadParameter(f"choose --format {', '.join(FORMATS)}", param_hint="--format")
    names = [name.strip() for value in tables for name in value.split(",") if name.strip()]
    period = _period(year, month)
    plan = _plan(plan_name)
    try:
        chosen(names)
        if publish:
            published = publish_pack(plan, period, names or None)
            body = {"html": published.html.encode("utf-8"), "pdf": bytes(published.pdf),
                    "xlsx": bytes(published.xlsx)}[fmt]  # fmt: skip
        else:
            body = render(pack_for(plan, period, names or None), fmt)
    except PackError as error:
        fail(str(error))
    path.write_bytes(body)
    click.echo(f"Wrote the {period} pack ({fmt}, {len(body):,} bytes) to {path}")
    if publish:
        click.echo(f"Published and frozen: sha256 {published.sha256}")
