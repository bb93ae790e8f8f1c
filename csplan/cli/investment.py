"""``csplan investment add|edit|show``: invest-to-save cases from YAML or JSON files.

The file's shape is ``csplan.investment.case_input``'s (amounts in pounds); ``show`` writes a
stored case in the same shape, so a case can be shown, edited and written back.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import yaml

from csplan.cli.common import fail, setup_django


class _DecimalLoader(yaml.SafeLoader):
    """YAML whose decimals are read exactly (never as binary floats)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))  # type: ignore[arg-type]


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_case_file(path: Path) -> Any:
    """The case in a ``.yaml``/``.yml`` or ``.json`` file; a clear error naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: cannot read it ({error}).")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text, parse_float=Decimal)
        return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a safe loader
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        fail(f"{path}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}: {error}")


def _problems(path: Path, errors: dict[str, str]) -> str:
    lines = [f"{path}: the case was not saved:"]
    lines += [f"  {name}: {message}" for name, message in errors.items()]
    return "\n".join(lines)


@click.group()
def investment() -> None:
    """Invest-to-save cases: spend and its funding, expected savings, the capital-receipts test."""


def _write(path: Path, editing: bool) -> None:
    setup_django()
    from csplan.investment.case_input import CaseValidationError, council_of, write_case
    from csplan.investment.models import InvestmentCase

    data = read_case_file(path)
    try:
        council = council_of(data if isinstance(data, dict) else {})
        stored = InvestmentCase.objects.filter(
            council=council, reference=str(data.get("reference", "")).strip()
        ).first()
        if editing and stored is None:
            raise CaseValidationError(
                {"reference": f"{council.name} has no case {data.get('reference')!r}: add it"}
            )
        if not editing and stored is not None:
            raise CaseValidationError(
                {"reference": f"{council.name} already has a case {stored.reference}: edit it"}
            )
        case = write_case(data, council=council, case=stored, reason=f"From {path.name}")
    except CaseValidationError as error:
        fail(_problems(path, error.errors))
    _report(case, "Changed" if editing else "Added")


def _report(case: Any, verb: str) -> None:
    from csplan.investment.calculations import eligibility_problems
    from csplan.investment.store import case_figures

    figures = case_figures(case)
    click.echo(
        f"{verb} {case.reference} {case.name} ({case.council.name}): investment "
        f"£{figures.total_investment:,}, expected savings £{sum(figures.expected.values()):,}."
    )
    for problem in eligibility_problems(figures):
        click.echo(f"Warning: {problem}.")


@investment.command("add")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def add(path: Path) -> None:
    """Add the invest-to-save case in PATH (YAML or JSON; its reference must be new)."""
    _write(path, editing=False)


@investment.command("edit")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def edit(path: Path) -> None:
    """Replace the case PATH names (by council and reference); realised savings stay."""
    _write(path, editing=True)


@investment.command("show")
@click.argument("reference")
@click.option("--council", help="The council, when several have a case with this reference.")
def show(reference: str, council: str | None) -> None:
    """Print case REFERENCE as YAML, ready to edit and write back with `investment edit`."""
    setup_django()
    from csplan.investment.case_input import case_data
    from csplan.investment.models import InvestmentCase

    cases = InvestmentCase.objects.select_related("council").filter(reference=reference)
    if council:
        cases = cases.filter(council__name=council)
    found = list(cases)
    if len(found) != 1:
        fail(
            f"No case {reference}."
            if not found
            else f"Several councils have a case {reference}: give --council."
        )
    click.echo(yaml.safe_dump(case_data(found[0]), sort_keys=False, allow_unicode=True))
