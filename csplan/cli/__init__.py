"""The ``csplan`` command line. Thin: each command parses input, calls domain functions and prints.

Command groups live in their own modules (one per domain noun) and are registered here.
"""

from __future__ import annotations

import importlib

import click

from csplan import __version__
from csplan.cli.common import setup_django

# (module, attribute) of each command or group added to the top-level ``csplan`` group.
_COMMANDS = [
    ("csplan.cli.system", "init"),
    ("csplan.cli.system", "serve"),
    ("csplan.cli.system", "backup"),
    ("csplan.cli.system", "restore"),
    ("csplan.cli.plans", "plan"),
    ("csplan.cli.programme", "demo"),
    ("csplan.cli.programme", "import_programme"),
    ("csplan.cli.programme", "export_programme"),
    ("csplan.cli.programme", "table"),
    ("csplan.cli.get", "get"),
    ("csplan.cli.benchmark", "benchmark"),
    ("csplan.cli.demand", "demand"),
    ("csplan.cli.send", "send"),
    ("csplan.cli.needs", "needs"),
    ("csplan.cli.pack", "pack"),
    ("csplan.cli.monitoring", "monitoring"),
    ("csplan.cli.investment", "investment"),
    ("csplan.cli.users", "user"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="csplan")
def cli() -> None:
    """csplan: plan, evidence and monitor a children's services savings programme."""


def _register() -> None:
    for module_name, attribute in _COMMANDS:
        cli.add_command(getattr(importlib.import_module(module_name), attribute))


_register()


def main() -> None:
    cli(prog_name="csplan")


__all__ = ["cli", "main", "setup_django"]
