"""The programme JSON import refuses a file too large or nested too deep, before parsing."""

import pytest

from csplan.core import limits
from csplan.programme.demo import hampshire_figures
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io.json_file import json_bytes, read_json


def _problems(data: bytes) -> list[str]:
    with pytest.raises(ProgrammeImportError) as caught:
        read_json(data, file="plan.json")
    return [str(problem) for problem in caught.value.problems]


def test_deep_nesting_is_refused_before_parsing():
    deep = b'{"council": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert _problems(deep) == [
        "plan.json: nests arrays or objects more than 64 deep: "
        "a programme file needs only a few levels"
    ]


def test_brackets_inside_strings_do_not_count():
    quoted = b'"' + b"[" * 200 + b'\\"' + b"{" * 200 + b'"'
    limits.check_json("plan.json", b'{"title": ' + quoted + b"}")


def test_a_file_over_the_size_cap_is_refused(settings):
    data = json_bytes(hampshire_figures())
    settings.CSPLAN_MAX_JSON_BYTES = len(data) - 1
    [problem] = _problems(data)
    assert problem.startswith("plan.json: is ")
    assert "a JSON file may be at most" in problem


def test_the_exported_programme_is_within_both_limits(settings):
    data = json_bytes(hampshire_figures())
    settings.CSPLAN_MAX_JSON_BYTES = len(data)
    assert read_json(data, file="plan.json") == hampshire_figures()
