"""Helpers shared by the command modules."""

from __future__ import annotations

import os
from typing import Any

import click


def setup_django() -> None:
    """Configure Django once, for commands that touch the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplan.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def fail(message: str) -> None:
    """Stop with a clear message on standard error and exit status 2."""
    raise click.ClickException(message)


PLAN_HELP = "The plan: its slug or name (see `csplan plan list`); needed when there are several."


def plan_option(function: Any) -> Any:
    """``--plan SLUG|NAME`` on a command that reads or writes a plan."""
    return click.option("--plan", "plan_name", metavar="PLAN", help=PLAN_HELP)(function)


def resolve_plan(plan_name: str | None) -> Any:
    """The plan ``--plan`` names, or the only plan in use; a clear error otherwise."""
    setup_django()
    from csplan.programme.plans import PlanChoiceError, chosen_plan

    try:
        return chosen_plan(plan_name)
    except PlanChoiceError as error:
        message = str(error)
        fail(message[:1].upper() + message[1:] + ".")


TABLE_FORMATS = ("text", "csv", "md", "json", "xlsx")


def output_options(command: Any) -> Any:
    """``--format`` (text, csv, md, json, xlsx) and ``--output`` for a command of tables."""
    command = click.option("--output", "-o", type=click.Path(dir_okay=False),
                           help="Write to FILE (needed for xlsx).")(command)  # fmt: skip
    return click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="text",
                        show_default=True)(command)  # fmt: skip


def emit_tables(tables: list, fmt: str, output: str | None = None) -> None:
    """Print report tables (``csplan.core.table.Table``) or write them to ``output``.

    text and md show every table; csv the first; json all, as a list; xlsx one sheet each
    (it needs ``output``).
    """
    import json
    from pathlib import Path

    from csplan.core.render import (
        add_table_sheet,
        render_csv,
        render_markdown,
        render_text,
        table_to_dict,
    )

    if fmt == "xlsx":
        if not output:
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
        text = json.dumps([table_to_dict(t) for t in tables], indent=2) + "\n"
    elif fmt == "csv":
        text = render_csv(tables[0])
    elif fmt == "md":
        text = "\n\n".join(render_markdown(t) for t in tables)
    else:
        text = "\n\n".join(render_text(t) for t in tables)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
