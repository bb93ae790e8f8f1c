"""The JSON exchange format (``csplan.programme.exchange``) as a file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from csplan.core import limits
from csplan.core.money import Unit
from csplan.programme.errors import ProblemCollector
from csplan.programme.exchange import programme_from_dict, programme_to_dict
from csplan.programme.figures import ProgrammeFigures
from csplan.programme.phasing import PhasingForm


def json_bytes(
    programme: ProgrammeFigures,
    form: PhasingForm = PhasingForm.INCREMENTAL,
    unit: Unit = Unit.THOUSANDS,
) -> bytes:
    data = programme_to_dict(programme, form, unit)
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_json(source: Path | bytes, *, file: str | None = None) -> ProgrammeFigures:
    """Read the exchange format; decimals in the file are read exactly (never as floats)."""
    name = file or (source.name if isinstance(source, Path) else "<json>")
    problems = ProblemCollector(name)
    try:
        data = limits.read_import_file(source) if isinstance(source, Path) else source
        limits.check_json(name, data)
    except limits.FileRefused as refused:
        problems.add(refused.reason)
        problems.raise_if_any()
    if not data.strip():
        problems.add("is empty")
        problems.raise_if_any()
    try:
        parsed = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError:
        problems.add("is not a JSON text file (it is not UTF-8 text)")
    except json.JSONDecodeError as error:
        problems.add(
            f"is not valid JSON: {error.msg}", row=error.lineno, column=f"character {error.colno}"
        )
    problems.raise_if_any()
    return programme_from_dict(parsed, name)
