"""Helpers shared by the command modules."""

from __future__ import annotations

import os

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
