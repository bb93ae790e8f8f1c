"""What the yearly models' scenarios share: reading them from YAML or JSON, dates and numbers
in their fields, the effect of an adjustment by financial year, and model settings files.

An adjustment has no effect before the financial year containing its ``start``; from that
year it reaches ``1 / ramp_years`` of its full effect, and all of it ``ramp_years`` years on
(0: at once).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

import yaml

from csplan.core.periods import FinancialYear


def as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def as_float(value: object) -> float | None:
    return None if value is None or value == "" else float(str(value))


def ramped(start: dt.date, ramp_years: int, year: FinancialYear) -> float:
    """Share of an adjustment's full effect in financial ``year`` (0 to 1)."""
    elapsed = year - FinancialYear.containing(start)
    if elapsed < 0:
        return 0.0
    return 1.0 if ramp_years == 0 else min(1.0, (elapsed + 1) / ramp_years)


def read_mapping(path: Path | str, error: type[Exception]) -> Any:
    """A YAML file (or JSON, by its suffix), or ``error`` saying why it cannot be read."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
        return json.loads(text) if source.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as problem:
        raise error(f"cannot read {source}: {problem}") from None


def check_fields(kind: type, data: Any, error: type[Exception]) -> None:
    """Refuse a mapping with fields the dataclass ``kind`` does not have."""
    if not isinstance(data, dict):
        raise error(f"an adjustment must be a mapping, not {data!r}")
    known = {f.name for f in fields(kind)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise error(f"unknown adjustment fields {unknown}: use {sorted(known)}")


def settings_file(
    path: Path | str, overrides: Mapping[str, object], error: type[Exception]
) -> dict[str, object]:
    """The ``settings`` mapping of a model settings file, with ``overrides`` (not None)."""
    data = read_mapping(path, error) or {}
    settings = data.get("settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        raise error(f"{path}: expected a mapping with 'settings'")
    return {**settings, **{k: v for k, v in overrides.items() if v is not None}}


@dataclass(frozen=True)
class YearlyScenario:
    """A named list of adjustments (the subclass says which adjustment class reads them)."""

    name: str
    adjustments: tuple = ()
    description: str = ""

    ADJUSTMENT: ClassVar[Any]
    ERROR: ClassVar[type[Exception]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "adjustments": [a.to_dict() for a in self.adjustments],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "name" not in data:
            raise cls.ERROR("a scenario needs a name and a list of adjustments")
        items = data.get("adjustments") or []
        if not isinstance(items, list):
            raise cls.ERROR("adjustments must be a list")
        return cls(
            str(data["name"]),
            tuple(cls.ADJUSTMENT.from_dict(i) for i in items),
            str(data.get("description", "") or ""),
        )

    @classmethod
    def load(cls, path: Path | str) -> Any:
        return cls.from_dict(read_mapping(path, cls.ERROR))
