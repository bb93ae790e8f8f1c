"""The published EHC plan files (read once a session) and synthetic ones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csplan.demand.send.readers import read_path, read_published
from csplan.demand.send.synthetic import AREA, synthetic_files

REFERENCE = Path(
    os.environ.get("CSPLAN_REFERENCE_DIR")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
).resolve()


@pytest.fixture(scope="session")
def ehcp():
    """DfE's EHC plan release (reporting year 2025); skips when it is not there."""
    folder = REFERENCE / "ehcp_2025"
    if not (folder / "caseload.csv").exists():
        pytest.skip(f"the published EHC plan files are not in {folder}")
    return read_path(folder)


@pytest.fixture(scope="session")
def hampshire(ehcp):
    return ehcp.resolve("E10000014")


@pytest.fixture(scope="session")
def demo_figures():
    return read_published(synthetic_files().items())


@pytest.fixture(scope="session")
def demo_area(demo_figures):
    return demo_figures.area(AREA[0])
