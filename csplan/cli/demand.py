"""``csplan demand ...``: validate SSDA903 returns, forecast, back-test and cost scenarios."""

from __future__ import annotations

import importlib

import click


@click.group()
def demand() -> None:
    """Children looked after: validate SSDA903 returns, forecast demand and cost scenarios."""


# The data commands (validate) and the model commands (forecast, backtest, scenario) live in
# their own modules; each exposes COMMANDS, a list of click commands.
for _module_name in ("csplan.cli.demand_data", "csplan.cli.demand_model"):
    try:
        _module = importlib.import_module(_module_name)
    except ModuleNotFoundError as error:
        if error.name != _module_name:
            raise
        continue
    for _command in _module.COMMANDS:
        demand.add_command(_command)
