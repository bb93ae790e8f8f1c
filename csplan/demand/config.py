"""The model's states: age bands and placement groups, read from a YAML file.

The default file ships in the package (``csplan/demand/data/model.yaml``); a user can pass
their own with the same shape. Bands are ``[from, to)`` in whole years of current age and
must be contiguous from 0 to 18 (a child leaves care at 18 in this model).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from csplan.demand.codes import SHORT_BREAK_LS

MAX_AGE_YEARS = 18
#: ``exits:`` in a configuration (``durations.EXIT_VARIANTS`` says what each means).
EXIT_VARIANT_NAMES = ("constant", "duration", "duration+legal_status", "duration+uasc",
                      "duration+legal_status+uasc")  # fmt: skip


class ConfigError(ValueError):
    """A model configuration that cannot be used (the message says what to fix)."""


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    from_years: int
    to_years: int


@dataclass(frozen=True)
class PlacementGroup:
    key: str
    label: str
    provision: str  # "in_house" or "external": which unit cost applies
    place: tuple[str, ...] = ()
    place_provider: tuple[str, ...] = ()  # empty = any provider
    default: bool = False


@dataclass(frozen=True)
class ModelConfig:
    age_bands: tuple[AgeBand, ...]
    groups: tuple[PlacementGroup, ...]
    label: str = ""
    text: str = ""  # the YAML it was read from (hashed into evidence)
    # Episodes under a series of short-term breaks (legal status V3/V4) are left out, as the
    # DfE leaves them out of its figures, unless the configuration says ``short_breaks: include``.
    include_short_breaks: bool = False
    # How exits and moves depend on time in care (``durations.EXIT_VARIANTS``); a
    # configuration that does not say is the constant-hazard model it was made with.
    exits: str = "constant"

    @property
    def band_keys(self) -> list[str]:
        return [band.key for band in self.age_bands]

    @property
    def group_keys(self) -> list[str]:
        return [group.key for group in self.groups]

    @property
    def band_edges_months(self) -> np.ndarray:
        """Lower edge of each band in months, then 216 (18 years)."""
        edges = [band.from_years * 12 for band in self.age_bands]
        return np.array([*edges, MAX_AGE_YEARS * 12])

    def modelled(self, legal_status: pd.Series) -> np.ndarray:
        """True for the episodes the model counts: all, or all but short breaks."""
        if self.include_short_breaks:
            return np.ones(len(legal_status), dtype=bool)
        codes = legal_status.astype(str).str.strip().str.upper()
        return ~codes.isin(SHORT_BREAK_LS).to_numpy()

    def with_exits(self, variant: str) -> ModelConfig:
        """This configuration with another exit model, said in its text (so an evidence
        record made with it reproduces)."""
        if variant == self.exits:
            return self
        lines = [line for line in self.text.rstrip("\n").splitlines()
                 if not line.startswith("exits:")]  # fmt: skip
        return parse_config("\n".join([*lines, f"exits: {variant}"]) + "\n")

    def with_short_breaks(self) -> ModelConfig:
        """This configuration counting short breaks too, said in its text (so an evidence
        record made with it reproduces)."""
        if self.include_short_breaks:
            return self
        return parse_config(self.text.rstrip("\n") + "\nshort_breaks: include\n")

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def group_index(self, key: str) -> int:
        try:
            return self.group_keys.index(key)
        except ValueError:
            known = ", ".join(self.group_keys)
            raise ConfigError(f"unknown placement group {key!r}: one of {known}") from None

    def band_of_months(self, age_months: np.ndarray) -> np.ndarray:
        """Band index for ages in months (ages of 216 months or more give len(bands))."""
        return np.searchsorted(self.band_edges_months, age_months, side="right") - 1

    def assign_groups(self, place: pd.Series, provider: pd.Series) -> np.ndarray:
        """Placement-group index for each episode's PLACE and PLACE_PROVIDER."""
        # Decide once per distinct (PLACE, PLACE_PROVIDER) pair: there are only a few dozen.
        pairs = (
            place.astype(str).to_numpy(dtype=object)
            + "\t"
            + provider.astype(str).to_numpy(dtype=object)
        )
        codes, uniques = pd.factorize(pairs)
        split = [str(pair).split("\t") for pair in uniques]
        unique_place = np.array([p.strip().upper() for p, _ in split], dtype=object)
        unique_provider = np.array([q.strip().upper() for _, q in split], dtype=object)
        return self._groups_of(unique_place, unique_provider)[codes]

    def _groups_of(self, place: np.ndarray, provider: np.ndarray) -> np.ndarray:
        result = np.full(len(place), -1, dtype=np.int64)
        default = next(i for i, g in enumerate(self.groups) if g.default)
        for index, group in enumerate(self.groups):
            if not group.place:
                continue
            match = np.isin(place, _with_successors(group.place))
            if group.place_provider:
                match &= np.isin(provider, group.place_provider)
            result[(result < 0) & match] = index
        result[result < 0] = default
        return result

    def to_dict(self) -> dict[str, Any]:
        return yaml.safe_load(self.text) if self.text else {}


def _with_successors(place: tuple[str, ...]) -> list[str]:
    """The codes and the codes that replaced them (Z1 listed takes Z11-Z14 from 2025-26)."""
    from csplan.demand.codes import PLACE_SUCCESSOR_OF

    return [*place, *(new for new, old in PLACE_SUCCESSOR_OF.items() if old in place)]


def default_config_path() -> Path:
    return Path(str(resources.files("csplan.demand") / "data" / "model.yaml"))


def load_config(path: Path | str | None = None) -> ModelConfig:
    """Read a model configuration; the shipped default when ``path`` is None."""
    source = Path(path) if path is not None else default_config_path()
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read model configuration {source}: {error}") from error
    return parse_config(text, str(source))


def parse_config(text: str, name: str = "configuration") -> ModelConfig:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: expected a mapping with age_bands and placement_groups")
    bands = tuple(_band(item, name) for item in _list(data, "age_bands", name))
    groups = tuple(_group(item, name) for item in _list(data, "placement_groups", name))
    _check(bands, groups, name)
    short_breaks = str(data.get("short_breaks", "exclude"))
    if short_breaks not in ("exclude", "include"):
        raise ConfigError(f"{name}: short_breaks must be exclude or include, not {short_breaks!r}")
    exits = str(data.get("exits", "constant"))
    if exits not in EXIT_VARIANT_NAMES:
        raise ConfigError(f"{name}: exits must be one of {', '.join(EXIT_VARIANT_NAMES)}, "
                          f"not {exits!r}")  # fmt: skip
    return ModelConfig(bands, groups, str(data.get("label", "")), text,
                       include_short_breaks=short_breaks == "include", exits=exits)  # fmt: skip


def _list(data: dict[str, Any], key: str, name: str) -> list[dict[str, Any]]:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise ConfigError(f"{name}: {key} must be a non-empty list")
    return items


def _band(item: dict[str, Any], name: str) -> AgeBand:
    try:
        return AgeBand(str(item["key"]), str(item.get("label", item["key"])),
                       int(item["from"]), int(item["to"]))  # fmt: skip
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{name}: age band {item!r} needs key, from and to ({error})") from None


def _group(item: dict[str, Any], name: str) -> PlacementGroup:
    if not isinstance(item, dict) or "key" not in item:
        raise ConfigError(f"{name}: placement group {item!r} needs a key")
    provision = str(item.get("provision", "external"))
    if provision not in ("in_house", "external"):
        raise ConfigError(f"{name}: group {item['key']}: provision must be in_house or external")
    return PlacementGroup(
        key=str(item["key"]),
        label=str(item.get("label", item["key"])),
        provision=provision,
        place=tuple(str(c).upper() for c in item.get("place", []) or []),
        place_provider=tuple(str(c).upper() for c in item.get("place_provider", []) or []),
        default=bool(item.get("default", False)),
    )


def _check(bands: tuple[AgeBand, ...], groups: tuple[PlacementGroup, ...], name: str) -> None:
    if bands[0].from_years != 0 or bands[-1].to_years != MAX_AGE_YEARS:
        raise ConfigError(f"{name}: age bands must run from 0 to {MAX_AGE_YEARS}")
    for lower, upper in zip(bands, bands[1:], strict=False):
        if lower.to_years != upper.from_years:
            raise ConfigError(f"{name}: age bands {lower.key} and {upper.key} are not contiguous")
    if any(band.to_years <= band.from_years for band in bands):
        raise ConfigError(f"{name}: every age band needs to > from")
    for keys, what in (([b.key for b in bands], "age band"), ([g.key for g in groups], "group")):
        if len(set(keys)) != len(keys):
            raise ConfigError(f"{name}: duplicate {what} keys")
    if sum(group.default for group in groups) != 1:
        raise ConfigError(f"{name}: exactly one placement group must be the default")
