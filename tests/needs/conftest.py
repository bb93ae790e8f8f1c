"""The published children-in-need files (read once a session), synthetic ones, and small
synthetic SSDA903 returns for the link to the children-looked-after model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csplan.demand.needs.readers import read_needs, read_path
from csplan.demand.needs.synthetic import synthetic_files
from csplan.demand.send.synthetic import AREA

REFERENCE = Path(
    os.environ.get("CSPLAN_REFERENCE_DIR")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
).resolve()


@pytest.fixture(scope="session")
def published():
    if not (REFERENCE / "b1_children_in_need_2013_to_2025.csv").exists():
        pytest.skip(f"the published children in need files are not in {REFERENCE}")
    return read_path(REFERENCE)


@pytest.fixture(scope="session")
def demo_figures():
    return read_needs(synthetic_files().items())


@pytest.fixture(scope="session")
def demo_area(demo_figures):
    return demo_figures.area(AREA[0])


@pytest.fixture(scope="session")
def small_returns(tmp_path_factory):
    """About 300 children looked after, returns 2013-14 to 2015-16 (synthetic)."""
    from csplan.demand.episodes import load_returns
    from csplan.demand.synthetic import returns_files

    folder = tmp_path_factory.mktemp("returns")
    for name, body in returns_files(300, years=3, last_year=2016, seed=4).items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return load_returns(folder)
