"""Shared fixtures: the published reference files, each parsed once per session.

The files are read from ../shared/reference next to the repository (CSPLAN_REFERENCE_DIR
overrides the place, e.g. a nonexistent folder to check that the tests skip cleanly).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csplan.benchmark import importers as imp
from csplan.benchmark.calculations import BenchmarkData, build_benchmark_data
from csplan.demand.annual import published as pub

REFERENCE = Path(
    os.environ.get("CSPLAN_REFERENCE_DIR")
    or Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
).resolve()
REFERENCE_NAMES = {
    pub.CLA: "cla_number_and_rate_per_10k_children.csv",
    pub.POPULATION: "ons_mid-year_population_estimates_2012_to_2024.csv",
    imp.NEIGHBOURS: "New_Statistical_Neighbour_Groupings_April_2021.csv",
    imp.LA_LOOKUP: "LTLA-UTLA_Apr23_Lookup_England-Wales.csv",
    imp.RO3: "RO3_LA_Data_2024-25_data_by_LA.ods",
}


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The folder of published files; skips the test when they are not there."""
    missing = [name for name in REFERENCE_NAMES.values() if not (REFERENCE / name).exists()]
    if missing:
        pytest.skip(
            f"the published reference files are not in {REFERENCE} (missing: "
            f"{', '.join(missing)}); they are not shipped with the project"
        )
    return REFERENCE


@pytest.fixture(scope="session")
def reference_paths(reference_dir: Path) -> dict[str, Path]:
    """The five files the benchmark imports, by kind, in import order."""
    return {kind: reference_dir / name for kind, name in REFERENCE_NAMES.items()}


@pytest.fixture(scope="session")
def reference_files(reference_paths: dict[str, Path]) -> dict[str, imp.ParsedFile]:
    return {kind: imp.parse_path(p) for kind, p in reference_paths.items()}


@pytest.fixture(scope="session")
def data(reference_files: dict[str, imp.ParsedFile]) -> BenchmarkData:
    return build_benchmark_data(
        cla=reference_files[pub.CLA].rows,
        population=reference_files[pub.POPULATION].rows,
        neighbours=reference_files[imp.NEIGHBOURS].rows,
        ro3=reference_files[imp.RO3].rows,
        lookup=reference_files[imp.LA_LOOKUP].rows,
    )
