"""The synthetic SSDA903 generator: realistic, valid codes, the right files, fast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csplan.demand import codes
from csplan.demand.episodes import load_returns
from csplan.demand.synthetic import EPISODE_COLUMNS, HEADER_COLUMNS, generate, write_returns


@pytest.fixture(scope="module")
def data():
    return generate(1000, years=5, last_year=2025, seed=0)


@pytest.fixture(scope="module")
def loaded(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen")
    write_returns(folder, returns=data)
    return load_returns(folder)


def _stock(episodes: pd.DataFrame, day: str) -> pd.DataFrame:
    on = pd.Timestamp(day)
    return episodes[(episodes["start"] <= on) & (episodes["end"].isna() | (episodes["end"] > on))]


def test_years_and_columns_as_the_dfe_publishes_them(data):
    assert data.years == [2021, 2022, 2023, 2024, 2025]
    for year in data.years:
        assert list(data.header[year].columns) == HEADER_COLUMNS
        assert list(data.episodes[year].columns) == EPISODE_COLUMNS
        assert data.episodes[year]["DECOM"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
        assert set(data.episodes[year]["CHILD"]) <= set(data.header[year]["CHILD"])
    assert set(data.header[2024]["SEX"]) == {"1", "2"}
    assert set(data.header[2025]["SEX"]) == {"M", "F"}
    assert data.header[2025]["CHILD"].str.fullmatch(r"C\d{6}").all()


def test_children_in_care_on_the_last_day_is_near_the_target(loaded):
    stock = _stock(loaded.episodes, "2025-03-31")
    assert 900 <= stock["child_id"].nunique() <= 1100
    assert stock["child_id"].is_unique


def test_every_code_is_a_real_code(data):
    for year in data.years:
        eps = data.episodes[year]
        assert set(eps["PLACE"]) <= codes.PLACE
        assert set(eps["LS"]) <= codes.LS
        assert set(eps["RNE"]) <= codes.RNE
        assert set(eps["REC"]) - {""} <= codes.REC
        assert set(eps["PLACE_PROVIDER"]) - {""} <= codes.PLACE_PROVIDER
        assert set(eps["CIN"]) <= codes.CIN
        assert set(data.header[year]["ETHNIC"]) <= codes.ETHNIC
    all_places = set(pd.concat(data.episodes.values())["PLACE"])
    assert {"U4", "U6", "U1", "U3", "K2", "A6", "S1", "H5", "K3"} <= all_places


def test_about_sixty_percent_of_foster_placements_are_in_house(loaded):
    stock = _stock(loaded.episodes, "2025-03-31")
    foster = stock[stock["place"].isin(["U4", "U5", "U6"])]
    share = (foster["place_provider"] == "PR1").mean()
    assert 0.52 <= share <= 0.68


def test_age_profile_at_entry_and_ageing_out(loaded):
    eps = loaded.episodes
    starts = eps[eps["rne"] == "S"]
    age = (starts["start"] - starts["dob"]).dt.days / 365.25
    under_one = (age < 1).mean()
    ten_to_fifteen = ((age >= 10) & (age < 16)).mean()
    assert 0.12 <= under_one <= 0.26
    assert 0.28 <= ten_to_fifteen <= 0.44
    eighteenth = eps["dob"] + pd.DateOffset(years=18)
    assert (eps["start"] < eighteenth).all()
    assert (eps["end"].isna() | (eps["end"] <= eighteenth)).all()
    aged_out = eps[eps["end"] == eighteenth]
    assert len(aged_out) > 20
    assert set(aged_out["rec"]) <= {"E17", "E5", "E6", "E8"}


def test_events_are_consistent(loaded):
    eps = loaded.episodes
    # Adoption only from a placement for adoption under a placement order.
    adopted = eps[eps["rec"].isin(["E11", "E12"])]
    assert len(adopted) > 5
    assert set(adopted["place"]) <= {"A5", "A6"} and set(adopted["ls"]) == {"E1"}
    # A legal-status-only change keeps the placement and provider.
    previous = eps.groupby("child_id").shift(1)
    legal_only = (eps["rne"] == "L") & previous["place"].notna()
    assert legal_only.sum() > 50
    assert (eps.loc[legal_only, "place"] == previous.loc[legal_only, "place"]).all()
    assert (eps.loc[legal_only, "ls"] != previous.loc[legal_only, "ls"]).all()
    # Re-entries: some children start a second period of care.
    assert (eps[eps["rne"] == "S"].groupby("child_id").size() > 1).sum() > 5
    # Step-downs from residential to foster care happen.
    step_down = (previous["place"] == "K2") & eps["place"].isin(["U4", "U6"])
    assert step_down.sum() > 0
    # Episodes within a period are continuous.
    continuing = previous["rec"] == "X1"
    assert (previous.loc[continuing, "end"] == eps.loc[continuing, "start"]).all()


def test_entries_trend_upwards(loaded):
    starts = loaded.episodes[loaded.episodes["rne"] == "S"]["start"]
    first = ((starts >= "2020-04-01") & (starts < "2021-04-01")).sum()
    last = ((starts >= "2024-04-01") & (starts < "2025-04-01")).sum()
    assert last > first


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = generate(200, 2, seed=5), generate(200, 2, seed=5), generate(200, 2, seed=6)
    pd.testing.assert_frame_equal(a.episodes[2025], b.episodes[2025])
    assert not a.episodes[2025].equals(c.episodes[2025])


@pytest.mark.parametrize(("fmt", "layout"), [("xlsx", "folders"), ("csv", "flat")])
def test_write_formats_and_layouts_read_back_the_same(tmp_path, fmt, layout):
    data = generate(150, years=2, seed=3)
    reference = tmp_path / "ref"
    write_returns(reference, returns=data)
    written = write_returns(tmp_path / "out", returns=data, fmt=fmt, layout=layout)
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in written)
    if layout == "flat":
        assert names == ["episodes_2024.csv", "episodes_2025.csv", "header_2024.csv",
                         "header_2025.csv"]  # fmt: skip
    else:
        assert names == [f"{y}/{t}.{fmt}" for y in (2024, 2025) for t in ("episodes", "header")]
    assert load_returns(tmp_path / "out").data_hash == load_returns(reference).data_hash


def test_uasc_table_is_written_on_request(tmp_path):
    data = generate(600, years=2, seed=1)
    write_returns(tmp_path / "out", returns=data, uasc=True)
    returns = load_returns(tmp_path / "out")
    uasc_children = set(pd.concat(data.uasc.values())["CHILD"])
    assert uasc_children
    flagged = set(returns.episodes.loc[returns.episodes["uasc"], "child_id"])
    assert flagged == uasc_children


def test_the_number_in_care_on_the_last_day_is_the_size_asked_for():
    # The generation time at 30,000 children is a benchmark figure (benchmarks/), not a test.
    data = generate(3000, years=5, seed=7)
    open_on_last_day = (data.episodes[2025]["DEC"] == "").sum()
    assert 2700 <= open_on_last_day <= 3300
    assert np.all(data.episodes[2025]["CHILD"].str.len() == 7)
