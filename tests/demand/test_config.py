from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csplan.demand.config import ConfigError, load_config, parse_config


def test_default_config_has_the_issue_groups_and_bands():
    config = load_config()
    assert config.band_keys == ["0", "1-4", "5-9", "10-15", "16-17"]
    assert config.group_keys == [
        "foster_in_house", "foster_ifa", "foster_kinship", "residential_in_house",
        "residential_external", "secure", "supported", "with_parents", "adoption", "other",
    ]  # fmt: skip
    assert list(config.band_edges_months) == [0, 12, 60, 120, 192, 216]
    assert len(config.hash) == 64


def test_groups_from_place_and_provider():
    config = load_config()
    place = pd.Series(["U4", "U6", "U1", "K2", "K2", "K1", "H5", "P1", "A4", "Z1", "??", "u5"])
    provider = pd.Series(["PR1", "PR4", "PR1", "PR1", "PR5", "PR4", "PR4", "PR0", "PR1", "PR1",
                          "PR1", "pr1"])  # fmt: skip
    keys = [config.group_keys[i] for i in config.assign_groups(place, provider)]
    assert keys == [
        "foster_in_house", "foster_ifa", "foster_kinship", "residential_in_house",
        "residential_external", "secure", "supported", "with_parents", "adoption", "other",
        "other", "foster_in_house",
    ]  # fmt: skip


def test_band_of_months():
    config = load_config()
    ages = np.array([0, 11, 12, 59, 60, 119, 120, 191, 192, 215, 216])
    assert list(config.band_of_months(ages)) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_a_user_config_is_read(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "age_bands:\n"
        "  - {key: young, from: 0, to: 10}\n"
        "  - {key: old, from: 10, to: 18}\n"
        "placement_groups:\n"
        "  - {key: foster, place: [U1, U2, U3, U4, U5, U6], provision: in_house}\n"
        "  - {key: rest, default: true}\n"
    )
    config = load_config(path)
    assert config.band_keys == ["young", "old"]
    assert config.group_keys == ["foster", "rest"]
    assert config.groups[1].provision == "external"


@pytest.mark.parametrize(
    "text, message",
    [
        ("age_bands: []\nplacement_groups: []", "age_bands"),
        ("age_bands:\n - {key: a, from: 0, to: 10}\n - {key: b, from: 11, to: 18}\n"
         "placement_groups:\n - {key: x, default: true}", "contiguous"),
        ("age_bands:\n - {key: a, from: 0, to: 17}\n"
         "placement_groups:\n - {key: x, default: true}", "0 to 18"),
        ("age_bands:\n - {key: a, from: 0, to: 18}\n"
         "placement_groups:\n - {key: x}", "default"),
    ],
)  # fmt: skip
def test_bad_configs_are_refused(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(text)
