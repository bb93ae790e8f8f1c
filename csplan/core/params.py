"""Dated assumptions: parameters whose values change over time, each with a unit, a label and
a source (the way OpenFisca keeps its parameters).

A parameter file is YAML::

    label: "SEN unit costs per EHC plan by setting"
    illustrative: true          # say so when the figures are not a council's own
    source: "Where the figures as a whole come from"
    parameters:
      mainstream:
        label: "Mainstream schools (top-up funding)"
        unit: "£ per plan per year"
        source: "..."
        values:
          "2015-04-01": "6000"                      # a value from this date
          "2019-04-01": {value: "7500", source: "a later source for this value"}

A value holds from its date until the next one; asking for a date before the first value is
an error. Values are exact decimals (strings in the file; numbers are read through their text,
never as binary floats). Errors name the file, the parameter and the date at fault.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml


class ParameterError(ValueError):
    """A parameter file, or a look-up, that cannot be used (the message says where)."""


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Decimal
    source: str = ""


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str
    source: str
    values: tuple[DatedValue, ...]  # sorted by start date

    def entry_at(self, day: dt.date) -> DatedValue:
        """The value in effect on ``day`` (the latest one dated on or before it)."""
        found = None
        for entry in self.values:
            if entry.start <= day:
                found = entry
        if found is None:
            raise ParameterError(
                f"parameter {self.key!r} has no value on {day.isoformat()}: its first value is "
                f"from {self.values[0].start.isoformat()}"
            )
        return found

    def at(self, day: dt.date) -> Decimal:
        return self.entry_at(day).value

    def source_at(self, day: dt.date) -> str:
        return self.entry_at(day).source or self.source

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit": self.unit,
            "source": self.source,
            "values": {
                v.start.isoformat(): {"value": str(v.value), "source": v.source}
                for v in self.values
            },
        }


@dataclass(frozen=True)
class ParameterSet:
    """A file of dated parameters, with the text it was read from (hashed into evidence)."""

    label: str
    parameters: Mapping[str, Parameter]
    illustrative: bool = False
    source: str = ""
    name: str = "parameters"  # the file it came from, for messages
    text: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)  # other top-level entries

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def __contains__(self, key: str) -> bool:
        return key in self.parameters

    def get(self, key: str) -> Parameter:
        try:
            return self.parameters[key]
        except KeyError:
            known = ", ".join(self.parameters)
            raise ParameterError(f"{self.name}: no parameter {key!r} (it has {known})") from None

    def value(self, key: str, day: dt.date) -> Decimal:
        try:
            return self.get(key).at(day)
        except ParameterError as error:
            if str(error).startswith(self.name):
                raise
            raise ParameterError(f"{self.name}: {error}") from None

    def require(self, keys: Iterable[str], unit: str | None = None) -> None:
        """Raise unless every key is present (and, when given, in ``unit``)."""
        missing = [key for key in keys if key not in self.parameters]
        if missing:
            raise ParameterError(f"{self.name}: no value for {', '.join(missing)}")
        if unit is not None:
            wrong = [k for k in keys if self.parameters[k].unit != unit]
            if wrong:
                raise ParameterError(
                    f"{self.name}: {', '.join(wrong)} must be in {unit!r}, not "
                    f"{self.parameters[wrong[0]].unit!r}"
                )


def load_parameters(path: Path | str) -> ParameterSet:
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ParameterError(f"cannot read parameters {source}: {error}") from error
    return parse_parameters(text, str(source))


def parse_parameters(text: str, name: str = "parameters") -> ParameterSet:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ParameterError(f"{name}: not YAML ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise ParameterError(f"{name}: expected a mapping with 'parameters'")
    parameters = {
        str(key): _parameter(str(key), item, name) for key, item in data["parameters"].items()
    }
    if not parameters:
        raise ParameterError(f"{name}: 'parameters' is empty")
    known = {"label", "illustrative", "source", "parameters"}
    return ParameterSet(
        label=str(data.get("label", "")),
        parameters=parameters,
        illustrative=bool(data.get("illustrative", False)),
        source=str(data.get("source", "")),
        name=name,
        text=text,
        extra={k: v for k, v in data.items() if k not in known},
    )


def _parameter(key: str, item: Any, name: str) -> Parameter:
    if not isinstance(item, dict):
        raise ParameterError(f"{name}: parameter {key!r} must be a mapping")
    for needed in ("unit", "values"):
        if needed not in item:
            raise ParameterError(f"{name}: parameter {key!r} needs {needed!r}")
    values = item["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterError(f"{name}: parameter {key!r}: 'values' must map dates to values")
    dated = sorted(
        (_dated(key, day, entry, name) for day, entry in values.items()), key=lambda v: v.start
    )
    return Parameter(
        key,
        str(item.get("label", key)),
        str(item["unit"]),
        str(item.get("source", "")),
        tuple(dated),
    )


def _dated(key: str, day: Any, entry: Any, name: str) -> DatedValue:
    try:
        start = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    except ValueError:
        raise ParameterError(
            f"{name}: parameter {key!r}: {day!r} is not a date (YYYY-MM-DD)"
        ) from None
    source = ""
    if isinstance(entry, dict):
        if "value" not in entry:
            raise ParameterError(f"{name}: parameter {key!r} on {start}: needs a value")
        source = str(entry.get("source", ""))
        entry = entry["value"]
    if isinstance(entry, bool) or entry is None:
        raise ParameterError(f"{name}: parameter {key!r} on {start}: {entry!r} is not a number")
    try:
        value = Decimal(str(entry).replace(",", ""))
    except InvalidOperation:
        raise ParameterError(
            f"{name}: parameter {key!r} on {start}: {entry!r} is not a number"
        ) from None
    if not value.is_finite():
        raise ParameterError(f"{name}: parameter {key!r} on {start}: {entry!r} is not finite")
    return DatedValue(start, value, source)
