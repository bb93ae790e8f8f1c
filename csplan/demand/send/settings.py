"""The settings an EHC plan leads to, in the six groups the model forecasts, and age bands.

DfE's files have about fifty setting columns; the model groups them:

- ``mainstream``: mainstream schools (LA maintained, academies, free schools, independent);
- ``resourced``: resourced provision and SEN units in mainstream schools;
- ``special_maintained``: state-funded special schools (LA maintained, academies, free);
- ``special_independent``: independent and non-maintained special schools;
- ``further_education``: FE and sixth-form colleges, specialist post-16 institutions, other
  post-16 providers;
- ``other``: everything else (early years, alternative provision, educated elsewhere, not in
  education, awaiting provision, not recorded): the total less the five groups above, so the
  groups always add to DfE's total.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SettingGroup:
    key: str
    label: str
    columns: tuple[str, ...]  # DfE columns summed (empty: the rest of the total)
    placement_labels: tuple[str, ...] = ()  # DfE's "Type of placement" labels


GROUPS: tuple[SettingGroup, ...] = (
    SettingGroup(
        "mainstream",
        "Mainstream schools",
        (
            "mainstream_la_maintained",
            "mainstream_academy",
            "mainstream_free_school",
            "mainstream_independent",
        ),
        (
            "Mainstream - LA maintained",
            "Mainstream - academy",
            "Mainstream - free school",
            "Mainstream - independent",
        ),
    ),
    SettingGroup(
        "resourced",
        "Resourced provision and SEN units",
        (
            "mainstream_la_maintained_resourced_provision",
            "mainstream_la_maintained_senunit",
            "mainstream_academy_resourced_provision",
            "mainstream_academy_senunit",
            "mainstream_free_school_resourced_provision",
            "mainstream_free_school_senunit",
        ),
        (
            "Mainstream - LA maintained (resourced provision)",
            "Mainstream - LA maintained (SEN unit)",
            "Mainstream - academy (resourced provision)",
            "Mainstream - academy (SEN unit)",
            "Mainstream - free school (resourced provision)",
            "Mainstream - free school (SEN unit)",
        ),
    ),
    SettingGroup(
        "special_maintained",
        "Special schools: LA maintained, academies and free schools",
        ("special_la_maintained", "special_academy_free"),
        (
            "Special - LA maintained",
            "Special - academy/free school",
            "Special - Academy/free schools",
        ),
    ),
    SettingGroup(
        "special_independent",
        "Special schools: independent and non-maintained",
        ("special_independent", "special_non_maintained"),
        ("Special - independent", "Special - non-maintained"),
    ),
    SettingGroup(
        "further_education",
        "Further education and post-16",
        ("general_fe_tertiary_colleges", "specialist_post_16_institutions", "ukrlp_provider"),
        (
            "FE - general FE and tertiary colleges",
            "FE - specialist post-16 institutions",
            "FE - UKRLP provider",
        ),
    ),
    SettingGroup(
        "other",
        "Other: early years, alternative provision, elsewhere, not recorded",
        (),
    ),
)
GROUP_KEYS: tuple[str, ...] = tuple(g.key for g in GROUPS)
LABELS: dict[str, str] = {g.key: g.label for g in GROUPS}


@dataclass(frozen=True)
class AgeBand:
    key: str
    label: str
    ages: tuple[str, ...]  # DfE's breakdown labels ("under 3", "age 3", …)


AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("0-4", "Under 5", ("under 3", "age 3", "age 4")),
    AgeBand("5-10", "5 to 10 (primary)", tuple(f"age {a}" for a in range(5, 11))),
    AgeBand("11-15", "11 to 15 (secondary)", tuple(f"age {a}" for a in range(11, 16))),
    AgeBand("16-19", "16 to 19", tuple(f"age {a}" for a in range(16, 20))),
    AgeBand("20-25", "20 to 25", tuple(f"age {a}" for a in range(20, 26))),
)
BAND_KEYS: tuple[str, ...] = tuple(b.key for b in AGE_BANDS)
_BAND_OF_LABEL = {label: band.key for band in AGE_BANDS for label in band.ages}


def band_of_label(label: str) -> str | None:
    """The age band of DfE's breakdown label ("age 7" → "5-10"); None if not an age."""
    return _BAND_OF_LABEL.get(label.strip().lower())


def band_of_age(age: int) -> str | None:
    for band in AGE_BANDS:
        if f"age {age}" in band.ages or (age < 3 and band.key == "0-4"):
            return band.key
    return None


_BY_NAME: dict[str, str] = {}
for _group in GROUPS:
    _BY_NAME[_group.key] = _group.key
    for _name in (*_group.columns, *_group.placement_labels):
        _BY_NAME[_name.lower()] = _group.key


def group_of(name: str) -> str | None:
    """The group of a setting written as a group key, a DfE column or a placement label."""
    cleaned = " ".join(name.strip().lower().split())
    if cleaned in _BY_NAME:
        return _BY_NAME[cleaned]
    return None


def accepted_names() -> list[str]:
    return sorted({*GROUP_KEYS, *(c for g in GROUPS for c in g.columns)})


def plans(group: str = "", band: str = "") -> str:
    """The measure name of plans at January: ``plans``, ``plans:mainstream``,
    ``plans:mainstream:5-10``, ``plans:all:5-10``."""
    if band:
        return f"plans:{group or 'all'}:{band}"
    return f"plans:{group}" if group else "plans"


def new_plans(group: str = "") -> str:
    return f"new_plans:{group}" if group else "new_plans"
