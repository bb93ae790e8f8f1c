from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csplan.demand.config import load_config
from csplan.demand.forecast import fit
from csplan.demand.rates import RateError, Window, _loglinear, read_population
from csplan.demand.states import segments

LAST = dt.date(2025, 3, 31)
CONFIG = load_config()
G = len(CONFIG.groups)
FOSTER_IN, IFA, KIN, RES_EXT = 0, 1, 2, 4
WINDOW = Window(dt.date(2023, 4, 1), LAST)  # 731 days (February 2024 has 29)


def _episodes(make_episodes):
    return make_episodes([
        # two children aged 10-15 in agency fostering, 365 days each, then home
        ("A", "2010-01-01", "2023-05-01", "2024-04-30", "U4", "PR4"),
        ("B", "2011-01-01", "2023-06-01", "2024-05-31", "U6", "PR5"),
        # 100 days in-house fostering, then a move to an external children's home
        ("C", "2012-02-01", "2023-07-01", "2023-10-09", "U4", "PR1"),
        ("C", "2012-02-01", "2023-10-09", None, "K2", "PR4"),
        # in kinship care since before the window: exposure clipped to the window
        ("D", "2016-01-01", "2022-01-01", None, "U1", "PR1"),
    ])  # fmt: skip


def test_rates_are_events_over_exposure(make_episodes):
    params = fit(_episodes(make_episodes), LAST, CONFIG, window=WINDOW)
    t = params.transitions
    assert t.exposure[3, IFA] == 730
    assert t.events[3, IFA, G] == 2
    assert t.hazards()[3, IFA, G] == pytest.approx(2 / 730)
    assert t.exposure[3, FOSTER_IN] == 100
    assert t.events[3, FOSTER_IN, RES_EXT] == 1
    assert t.hazards()[3, FOSTER_IN, RES_EXT] == pytest.approx(1 / 100)
    assert t.events[3, RES_EXT].sum() == 0  # censored, no event
    assert t.exposure[2, KIN] == 731
    assert t.events.sum() == 3
    # no exposure anywhere else, and no rate without exposure
    assert t.exposure.sum() == 730 + 100 + 731 + (dt.date(2025, 4, 1) - dt.date(2023, 10, 9)).days
    assert t.hazards()[0].sum() == 0


def test_events_outside_the_window_do_not_count(make_episodes):
    window = Window(dt.date(2023, 4, 1), dt.date(2024, 3, 31))
    params = fit(_episodes(make_episodes), LAST, CONFIG, window=window)
    t = params.transitions
    assert t.events[3, IFA, G] == 0  # both exits were after March 2024
    assert (
        t.exposure[3, IFA]
        == (dt.date(2024, 4, 1) - dt.date(2023, 5, 1)).days
        + (dt.date(2024, 4, 1) - dt.date(2023, 6, 1)).days
    )


def test_an_age_band_change_is_not_an_event(make_episodes):
    # 10th birthday on 1 June 2024 in the middle of the placement
    episodes = make_episodes([("E", "2014-06-01", "2024-01-01", "2024-12-01", "U4", "PR4")])
    params = fit(episodes, LAST, CONFIG, window=WINDOW)
    t = params.transitions
    assert t.exposure[2, IFA] == (dt.date(2024, 6, 1) - dt.date(2024, 1, 1)).days
    assert t.exposure[3, IFA] == (dt.date(2024, 12, 1) - dt.date(2024, 6, 1)).days
    assert t.events[2].sum() == 0 and t.events[3, IFA, G] == 1


def test_entrant_mix_and_age(make_episodes):
    params = fit(_episodes(make_episodes), LAST, CONFIG, window=WINDOW)
    entries = params.entries
    assert entries.mix_counts.sum() == 3  # D entered before the window
    assert entries.mix_counts[3, IFA] == 2 and entries.mix_counts[3, FOSTER_IN] == 1
    shares = entries.cell_shares()[0]
    assert shares.sum() == pytest.approx(1.0)
    assert shares[:, IFA].sum() == pytest.approx(2 / 3)
    assert entries.per_day(entries.origin_day) * 731 == pytest.approx(3, rel=0.3)


def test_loglinear_entries_recover_level_and_trend():
    days = np.full(24, 30.0)
    mid = np.arange(24) * 30.0 + 15
    origin = 24 * 30
    flat = pd.DataFrame({"entrants": np.full(24, 15), "days": days, "mid_day": mid})
    coef, cov, _ = _loglinear(flat, origin, True)
    assert np.exp(coef[0]) == pytest.approx(0.5)
    assert coef[1] == pytest.approx(0.0, abs=1e-9)
    assert cov[0, 0] > 0
    rising = flat.assign(entrants=np.round(15 * np.exp(0.05 * (mid - origin) / 365.25) * 100))
    coef, _, notes = _loglinear(rising, origin, True)
    assert coef[1] == pytest.approx(0.05, abs=0.001)
    assert np.exp(coef[0]) == pytest.approx(50, rel=0.01)  # 1500 a month at t = 0
    assert notes == []
    no_trend, _, _ = _loglinear(rising, origin, False)
    assert no_trend[1] == 0.0


def test_a_steep_trend_is_capped_at_ten_percent_a_year():
    days = np.full(24, 30.0)
    mid = np.arange(24) * 30.0 + 15
    steep = pd.DataFrame({"entrants": np.round(100 * np.exp(0.5 * (mid - 720) / 365.25)),
                          "days": days, "mid_day": mid})  # fmt: skip
    coef, _, notes = _loglinear(steep, 720, True)
    assert np.expm1(coef[1]) == pytest.approx(0.10)
    assert "capped" in notes[0]
    # the level is refitted with the capped trend: the window's total is kept
    fitted = days * np.exp(coef[0] + coef[1] * (mid - 720) / 365.25)
    assert fitted.sum() == pytest.approx(steep["entrants"].sum())


def test_population_gives_a_rate_per_child(make_episodes, tmp_path):
    path = tmp_path / "population.csv"
    rows = [f"{year},{age},1000" for year in (2023, 2024, 2025, 2026) for age in range(18)]
    path.write_text("year,age,population\n" + "\n".join(rows) + "\n")
    population = read_population(path, CONFIG)
    params = fit(_episodes(make_episodes), LAST, CONFIG, window=WINDOW, population=population)
    entries = params.entries
    assert entries.rate_per_child_day[3] == pytest.approx(3 / (6000 * 731))
    # band 10-15 has 6 single years of age
    assert entries.cell_rates(entries.origin_day)[0].sum() == pytest.approx(3 / 731)


def test_population_by_band_and_errors(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text('Year,age_band,Population\n2025,0,100\n2025,16-17,"2,000"\n')
    frame = read_population(path, CONFIG)
    assert frame.set_index("band")["population"].to_dict() == {0: 100, 4: 2000}
    path.write_text("year,age_band,population\n2025,old,1\n")
    with pytest.raises(RateError, match="unknown age bands"):
        read_population(path, CONFIG)


def test_window_parsing():
    assert Window.parse("12", LAST) == Window(dt.date(2024, 4, 1), LAST)
    assert Window.parse("2022-04-01:2024-03-31", LAST).last == dt.date(2024, 3, 31)
    with pytest.raises(RateError):
        Window.parse("2022-04-01:2026-03-31", LAST)


def test_segments_and_rates_on_a_long_stay_are_consistent(make_episodes):
    episodes = make_episodes([("F", "2009-01-01", "2015-01-01", None, "U4", "PR1")])
    segs = segments(episodes, CONFIG, LAST)
    assert (
        segs["end"].max() - segs["start"].min() == (dt.date(2025, 4, 1) - dt.date(2015, 1, 1)).days
    )


def _monthly(entrants) -> pd.DataFrame:
    return pd.DataFrame({"entrants": np.asarray(entrants, dtype=float),
                         "days": np.full(len(entrants), 30.0),
                         "mid_day": np.arange(len(entrants)) * 30.0 + 15})  # fmt: skip


def _information(frame: pd.DataFrame, coef: np.ndarray, origin: int) -> np.ndarray:
    t = (frame["mid_day"].to_numpy() - origin) / 365.25
    x = np.column_stack([np.ones_like(t), t])
    mu = frame["days"].to_numpy() * np.exp(x @ coef)
    return x.T @ (mu[:, None] * x)


def test_a_capped_trend_has_the_covariance_of_the_capped_fit():
    mid = np.arange(24) * 30.0 + 15
    steep = _monthly(np.round(100 * np.exp(0.5 * (mid - 720) / 365.25)))
    coef, cov, notes = _loglinear(steep, 720, True)
    assert "capped" in notes[0]
    np.testing.assert_allclose(cov, np.linalg.inv(_information(steep, coef, 720)), rtol=1e-9)


def test_an_uncapped_trend_has_the_covariance_of_its_own_fit():
    mid = np.arange(24) * 30.0 + 15
    gentle = _monthly(np.round(1500 * np.exp(0.05 * (mid - 720) / 365.25)))
    coef, cov, notes = _loglinear(gentle, 720, True)
    assert notes == []
    np.testing.assert_allclose(cov, np.linalg.inv(_information(gentle, coef, 720)), rtol=1e-6)


@pytest.mark.parametrize(
    ("entrants", "direction"),
    [([0] * 23 + [100], 1), ([100] + [0] * 23, -1), ([0] * 12 + [60] * 12, 1)],
)
def test_a_trend_too_steep_to_converge_is_capped_not_a_crash(entrants, direction):
    frame = _monthly(entrants)
    coef, cov, notes = _loglinear(frame, 720, True)
    assert np.expm1(coef[1]) == pytest.approx(0.10 if direction > 0 else 1 / 1.1 - 1)
    assert "capped" in notes[0]
    assert np.all(np.isfinite(coef)) and np.all(np.isfinite(cov))
    t = (frame["mid_day"].to_numpy() - 720) / 365.25
    assert np.sum(30.0 * np.exp(coef[0] + coef[1] * t)) == pytest.approx(sum(entrants))
