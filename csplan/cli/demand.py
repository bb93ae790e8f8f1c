"""``csplan demand ...``: validate SSDA903 returns, forecast, back-test and cost scenarios."""

from __future__ import annotations

import click

from csplan.cli import demand_data, demand_model


@click.group()
def demand() -> None:
    """Children looked after: check SSDA903 returns, forecast demand and cost scenarios."""


for _command in [*demand_data.COMMANDS, *demand_model.COMMANDS]:
    demand.add_command(_command)
