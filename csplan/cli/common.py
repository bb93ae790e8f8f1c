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
