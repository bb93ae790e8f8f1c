"""The DfE validator behind csplan's interface: clean synthetic data, a deliberate error."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from csplan.demand import validator
from csplan.demand.readers import InputError
from csplan.demand.synthetic import generate, write_returns
from csplan.demand.validator import (
    RUNNER,
    Finding,
    ValidatorUnavailable,
    ruleset_for,
    validate_returns,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("903")
    write_returns(folder, returns=generate(150, years=2, last_year=2025, seed=3))
    return folder


def test_missing_environment_says_to_run_setup(tmp_path, monkeypatch, generated):
    monkeypatch.setenv(validator.PYTHON_ENV_VAR, str(tmp_path / "no-such-python"))
    with pytest.raises(ValidatorUnavailable, match=r"run scripts/setup.sh"):
        validate_returns(generated, 2025)


def test_missing_year_is_an_input_error(generated):
    with pytest.raises(InputError, match=r"collection year 2023: no header or episodes table"):
        validate_returns(generated, 2023)


def test_rulesets_by_collection_year():
    assert ruleset_for(2025) == "lac2024_25"
    assert ruleset_for(2024) == "lac2023_24"
    assert ruleset_for(2019) == "lac2022_23"


def test_finding_as_dict_carries_status_and_message():
    finding = Finding("202", "Gender conflicts", "2025/header.csv", "Header", 5, "C000001",
                      ("SEX",), True, "validator defect")  # fmt: skip
    data = finding.as_dict()
    assert data["status"] == "known false positive"
    assert data["message"] == "Gender conflicts"
    assert data["fields"] == ["SEX"] and data["row"] == 5 and data["child"] == "C000001"


@pytest.mark.validator
def test_runner_reports_an_unreadable_request_as_json(tmp_path):
    python = validator.validator_python()
    bad = tmp_path / "nothing.csv"
    bad.write_text("A,B\n1,2\n")
    request = {"files": [{"path": str(bad), "description": "This year"}],
               "collection_year": 2025, "local_authority": "E10000015",
               "ruleset": "lac2024_25"}  # fmt: skip
    done = subprocess.run([str(python), str(RUNNER)], input=json.dumps(request), text=True,
                          capture_output=True, timeout=300)  # fmt: skip
    assert done.returncode == 1
    assert "Failed to match provided data" in json.loads(done.stdout)["error"]


@pytest.mark.validator
def test_generated_returns_pass_apart_from_known_false_positives(generated):
    steps = []
    report = validate_returns(generated, 2025, progress=lambda done, total: steps.append(done))
    assert report.ruleset == "lac2024_25"
    assert report.rules_run > 100
    assert report.real_findings == []
    assert {f.rule for f in report.false_positives} <= {"146", "202", "241"}
    assert report.false_positives, "2024-25 M/F meets 2023-24 1/2: rule 202 always fires"
    assert all(f.note.startswith("validator defect") for f in report.false_positives)
    assert all(r.known_defect for r in report.failed_rules)
    assert steps and steps[-1] == max(steps)
    assert sorted(report.files) == [
        "2024/episodes.csv", "2024/header.csv", "2025/episodes.csv", "2025/header.csv",
    ]  # fmt: skip


@pytest.mark.validator
def test_a_deliberate_error_is_reported_with_child_and_row(tmp_path):
    folder = tmp_path / "903"
    write_returns(folder, returns=generate(150, years=2, last_year=2025, seed=3))
    path = folder / "2024" / "episodes.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    child = frame.loc[4, "CHILD"]
    frame.loc[4, "PLACE"] = "Q7"  # not a placement code: DfE rule 146
    frame.to_csv(path, index=False)
    report = validate_returns(folder, 2024)
    assert report.ruleset == "lac2023_24"
    [finding] = [f for f in report.findings if f.rule == "146"]
    assert (finding.file, finding.row, finding.child) == ("2024/episodes.csv", 6, child)
    assert not finding.false_positive
    assert finding.fields == ("PLACE",)
    # Other rules may follow from the same change (e.g. 434 on the next episode): same child.
    assert {f.child for f in report.real_findings} == {child}
