"""Shared fixtures for the demand tests (data side: hand-made SSDA903 returns)."""

from __future__ import annotations

import copy
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip


def _h(child: str, sex: str, dob: str, ethnic: str = "WBRI") -> dict[str, str]:
    return {"CHILD": child, "SEX": sex, "DOB": dob, "ETHNIC": ethnic, "UPN": "UN1"}


def _e(child: str, decom: str, rne: str, ls: str, place: str, provider: str,
       dec: str = "", rec: str = "") -> dict[str, str]:  # fmt: skip
    return {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
            "PLACE_PROVIDER": provider, "DEC": dec, "REC": rec, "HOME_POST": "SG1 1AA",
            "PL_POST": "SG1 1AB", "URN": "XXXXXXX"}  # fmt: skip


# Two collection years, three children:
# C1 moves placement in 2022-23 and the second placement (open on 31 March 2023) ends in
#    2023-24 with a return home: the open episode appears in both returns.
# C2 enters in 2023-24 and is still looked after on 31 March 2024.
# C3 leaves in 2022-23 (not in the 2024 return).
BASE_RETURNS: dict[int, dict[str, list[dict[str, str]]]] = {
    2023: {
        "header": [_h("C1", "1", "01/02/2015"), _h("C3", "2", "10/10/2008", "BAFR")],
        "episodes": [
            _e("C1", "01/06/2022", "S", "C2", "U4", "PR1", "01/09/2022", "X1"),
            _e("C1", "01/09/2022", "P", "C2", "U6", "PR4"),
            _e("C3", "15/05/2022", "S", "V2", "K2", "PR4", "20/12/2022", "E4A"),
        ],
    },
    2024: {
        "header": [_h("C1", "1", "01/02/2015"), _h("C2", "2", "05/06/2010", "MWBC")],
        "episodes": [
            _e("C1", "01/09/2022", "P", "C2", "U6", "PR4", "05/05/2023", "E4A"),
            _e("C2", "01/01/2024", "S", "V2", "K2", "PR4"),
        ],
    },
}


@pytest.fixture
def base_returns() -> dict[int, dict[str, list[dict[str, str]]]]:
    """A fresh copy of the two-year hand-made returns (edit freely in a test)."""
    return copy.deepcopy(BASE_RETURNS)


def write_tables(
    root: Path,
    returns: dict[int, dict[str, list[dict[str, str]]]],
    *,
    fmt: str = "csv",
    layout: str = "folders",
    drop_columns: tuple[str, ...] = (),
) -> Path:
    """Write hand-made returns: ``folders`` (2023/header.csv) or ``flat`` (header_2023.csv)."""
    root.mkdir(parents=True, exist_ok=True)
    for year, tables in returns.items():
        for name, rows in tables.items():
            columns = {"header": HEADER_COLUMNS, "episodes": EPISODE_COLUMNS}.get(
                name, ["CHILD", "SEX", "DOB", "DUC"]
            )
            frame = pd.DataFrame(rows, columns=columns, dtype=object).fillna("")
            frame = frame.drop(columns=[c for c in drop_columns if c in frame.columns])
            if layout == "folders":
                path = root / str(year) / f"{name}.{fmt}"
            else:
                path = root / f"{name}_{year}.{fmt}"
            path.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "csv":
                frame.to_csv(path, index=False)
            else:
                frame.to_excel(path, index=False)
    return root


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


@pytest.fixture
def write_903() -> Callable[..., Path]:
    """``write_903(root, returns, fmt="csv", layout="folders", drop_columns=())``."""
    return write_tables


@pytest.fixture
def zip_903() -> Callable[[Path, Path], Path]:
    return zip_folder


# -- model side: hand-made canonical episodes ------------------------------------------------


def canonical_episodes(rows: list[tuple]) -> pd.DataFrame:
    """Canonical episodes from ``(child_id, dob, start, end or None, place, provider)`` rows
    (the table ``csplan.demand.episodes.load_returns`` returns)."""
    records = []
    for number, (child, dob, start, end, place, provider) in enumerate(rows):
        records.append({
            "child_id": child, "sex": "1", "dob": pd.Timestamp(dob), "ethnic": "WBRI",
            "uasc": False, "start": pd.Timestamp(start),
            "end": pd.Timestamp(end) if end else pd.NaT, "rne": "S", "ls": "C2", "cin": "N1",
            "place": place, "place_provider": provider, "rec": "E4A" if end else "",
            "source_file": "hand", "source_row": number + 2,
        })  # fmt: skip
    frame = pd.DataFrame(records)
    for column in ("dob", "start", "end"):
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame


@pytest.fixture
def make_episodes() -> Callable[[list[tuple]], pd.DataFrame]:
    return canonical_episodes


# Toy model parameters (hazards given per day) on the shipped configuration.
_IFA = 1
_BIG = 1e9  # exposure so large that parameter uncertainty is negligible


def toy_parameters(
    *, exit_rate: float = 0.0, entries_per_day: float = 0.0, initial: np.ndarray | None = None,
    moves: dict[tuple[int, int], float] | None = None, entry_group: int = _IFA, trend: float = 0.0,
) -> object:  # fmt: skip
    """Parameters with hazards given directly (per day) and entrants aged 1-4."""
    import datetime as dt

    from csplan.demand.config import load_config
    from csplan.demand.forecast import ModelParameters
    from csplan.demand.rates import Entries, Transitions, Window

    config = load_config()
    B, G = len(config.age_bands), len(config.groups)  # noqa: N806
    start = dt.date(2025, 3, 31)
    exposure = np.full((B, G), _BIG)
    events = np.zeros((B, G, G + 1))
    events[..., G] = exit_rate * _BIG
    for (source, target), rate in (moves or {}).items():
        events[:, source, target] = rate * _BIG
    band_of_age = config.band_of_months(np.arange(216))
    mix = np.zeros((B, G))
    mix[1, entry_group] = 1e9
    sizes = np.bincount(band_of_age)
    entries = Entries(
        mix_counts=mix, age_weights=1.0 / sizes[band_of_age], band_of_age=band_of_age,
        origin_day=0, coef=np.array([np.log(entries_per_day) if entries_per_day else -np.inf,
                                     np.log1p(trend)]),
        cov=np.zeros((2, 2)), monthly=pd.DataFrame(),
    )  # fmt: skip
    return ModelParameters(
        config=config, start=start, window=Window(dt.date(2023, 4, 1), start),
        transitions=Transitions(exposure, events), entries=entries,
        initial=np.zeros((216, G)) if initial is None else initial,
    )  # fmt: skip


@pytest.fixture
def toy() -> Callable[..., object]:
    """``toy(exit_rate=, entries_per_day=, initial=, moves=, entry_group=, trend=)``: model
    parameters with known hazards (per day) and entrants aged 1 to 4."""
    return toy_parameters
