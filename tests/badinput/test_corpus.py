"""Every file in the bad-input corpus is refused with a clear error and changes nothing.

Each case is its own test: the error must name the file (and the sheet, row and column where
there is one), and a dump of every table in the database must be identical afterwards. SSDA903
rows that the stated rules drop are reported as issues naming the file, row, child and column.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from pathlib import Path

import pytest
from badinput_corpus import (
    BENCHMARK_CASES,
    PROGRAMME_CASES,
    SSDA903_ERROR_CASES,
    SSDA903_ISSUE_CASES,
    UPLOAD_CASES,
    UPLOAD_LIMIT,
    Case,
    Files,
    good_cla,
)
from click.testing import CliRunner
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.core.money import Unit
from csplan.programme.errors import ProgrammeImportError
from csplan.programme.io.importing import import_programme_file
from csplan.programme.phasing import PhasingForm


def _write(folder: Path, files: Files) -> Path:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def _programme_options(case: Case) -> dict:
    options = dict(case.options)
    if isinstance(options.get("unit"), str):
        options["unit"] = Unit.from_label(options["unit"])
    return options


def _params(cases: list[Case]) -> list:
    """Each case as its own test; a case showing a known importer gap is a strict xfail."""
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=case.gap)])
        if case.gap
        else pytest.param(case, id=case.id)
        for case in cases
    ]


def _assert_says(message: str, case: Case) -> None:
    for text in case.expect:
        assert text in message, f"{text!r} not in:\n{message}"


def test_the_corpus_has_over_a_hundred_entries():
    cases = (
        PROGRAMME_CASES + SSDA903_ERROR_CASES + SSDA903_ISSUE_CASES + UPLOAD_CASES + BENCHMARK_CASES
    )
    assert len(cases) >= 100
    assert len({case.id for case in cases}) == len(cases)


# --- programme files: workbook, appendix CSV, JSON ----------------------------------------------


@pytest.mark.parametrize("case", _params(PROGRAMME_CASES))
def test_programme_file_is_refused_and_nothing_changes(case, loaded, tmp_path):
    path = tmp_path / case.name
    path.write_bytes(case.build())
    before = loaded()
    with pytest.raises(ProgrammeImportError) as raised:
        import_programme_file(path, **_programme_options(case))
    message = str(raised.value)
    assert message.startswith(case.name), message
    assert all(problem.file == case.name for problem in raised.value.problems)
    _assert_says(message, case)
    assert loaded() == before


@pytest.mark.parametrize(
    "case",
    [c for c in PROGRAMME_CASES if c.id in {
        "xlsx-truncated-zip", "xlsx-text-in-money-cell", "csv-utf16-le-with-bom",
        "csv-formula-cmd", "json-truncated", "xlsx-year-1899-00", "csv-no-phasing-given",
    }],
    ids=str,
)  # fmt: skip
def test_csplan_import_lists_the_problems_and_exits_1(case, loaded, tmp_path):
    from csplan.cli import cli

    path = tmp_path / case.name
    path.write_bytes(case.build())
    arguments = ["import", str(path)]
    options = case.options
    if options.get("phasing"):
        arguments += ["--phasing", options["phasing"].value]
    before = loaded()
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 1, result.output
    assert "Nothing was imported" in result.stderr
    _assert_says(result.stderr, case)
    assert loaded() == before


# --- SSDA903 returns --------------------------------------------------------------------------


@pytest.mark.parametrize("case", SSDA903_ERROR_CASES, ids=str)
def test_unusable_ssda903_input_is_refused_and_nothing_is_stored(case, loaded, tmp_path):
    from csplan.demand.episodes import InputError, load_returns
    from csplan.forecasts import services
    from csplan.forecasts.uploads import Blob, UploadRefused

    files = case.build()
    with pytest.raises(InputError) as raised:
        load_returns(_write(tmp_path / "returns", files))
    _assert_says(str(raised.value), case)
    before = loaded()
    with pytest.raises(UploadRefused) as refused:
        services.create_dataset("Bad returns", [Blob(n, d) for n, d in files.items()])
    _assert_says(" ".join(refused.value.messages), case)
    assert loaded() == before


@pytest.mark.parametrize("case", SSDA903_ISSUE_CASES, ids=str)
def test_bad_ssda903_rows_are_reported_with_file_row_child_and_column(case, tmp_path):
    from csplan.demand.episodes import load_returns

    result = load_returns(_write(tmp_path / "returns", case.build()))
    file, row, child, column, rule = case.options["issue"]
    found = [
        issue
        for issue in result.issues
        if (issue.file, issue.row, issue.child_id, issue.column, issue.rule)
        == (file, row, child, column, rule)
    ]
    assert found, "\n".join(map(repr, result.issues))
    assert case.expect[0] in found[0].message, found[0].message
    assert found[0].action
    # the good children are still there
    assert len(result.episodes) >= 1


# --- uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", UPLOAD_CASES, ids=str)
def test_bad_upload_is_refused_with_the_file_named(case, settings):
    from csplan.forecasts.uploads import UploadRefused, read_upload

    settings.CSPLAN_DEMAND_MAX_UPLOAD_BYTES = UPLOAD_LIMIT
    with pytest.raises(UploadRefused) as refused:
        read_upload(case.build().items())
    _assert_says("; ".join(refused.value.messages), case)


@pytest.fixture
def signed_in(client, loaded):
    user = with_role(
        get_user_model().objects.create_superuser("corpus-officer", password=None), "admin"
    )
    client.force_login(user)
    return client


def _upload_files(files: Files) -> list:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [SimpleUploadedFile(name, data) for name, data in files.items()]


@pytest.mark.parametrize(
    "case", [c for c in UPLOAD_CASES if c.id != "upload-same-name-twice"], ids=str
)
def test_bad_upload_through_the_page_stores_nothing(case, signed_in, loaded, settings):
    settings.CSPLAN_DEMAND_MAX_UPLOAD_BYTES = UPLOAD_LIMIT
    before = loaded()
    response = signed_in.post(
        "/demand/upload/", {"name": "Bad", "files": _upload_files(case.build())}
    )
    assert response.status_code == 400
    html = response.content.decode()
    for text in case.expect:
        assert escape(text) in html, text
    assert loaded() == before


def test_an_upload_over_the_limit_is_refused_before_it_is_read(signed_in, loaded, settings):
    settings.CSPLAN_DEMAND_MAX_UPLOAD_BYTES = UPLOAD_LIMIT
    before = loaded()
    big = {"episodes_2025.csv": b"CHILD,DECOM\n" + b"C1,01/04/2024\n" * 20_000}
    response = signed_in.post("/demand/upload/", {"name": "Big", "files": _upload_files(big)})
    assert response.status_code == 400
    assert "The upload is 274 KB: an upload may be at most 64 KB" in response.content.decode()
    assert loaded() == before


# --- benchmark files --------------------------------------------------------------------------


@pytest.mark.parametrize("case", BENCHMARK_CASES, ids=str)
def test_bad_benchmark_file_is_refused_and_nothing_changes(case, loaded, tmp_path):
    from csplan.benchmark.importers import parse_bytes
    from csplan.benchmark.store import import_parsed, import_paths
    from csplan.demand.annual.published import PublishedFileError

    import_parsed([parse_bytes("good-cla.csv", good_cla())])
    path = tmp_path / case.name
    path.write_bytes(case.build())
    before = loaded()
    with pytest.raises(PublishedFileError) as raised:
        import_paths([path])
    assert raised.value.file == case.name
    _assert_says(str(raised.value), case)
    assert loaded() == before


# --- files that look odd but are right --------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("latin-1", b""), ("cp1252", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
    ids=["latin-1", "windows-1252", "utf-8-with-bom", "utf-8"],
)
def test_appendix_in_an_older_encoding_is_read_exactly(encoding, bom, loaded, tmp_path):
    from badinput_corpus import appendix

    from csplan.core.periods import FinancialYear
    from csplan.programme.models import SavingsLine
    from csplan.programme.store import line_figures

    def change(records: list[list[str]]) -> None:
        records[2][4] = "Café-based family support: £5 a visit"  # C3's impact
        records[2][6] = "4,100"  # C3 2017/18, cumulative (was 4,000)
        records[-1][6] = "22,936"  # the Total row follows

    path = tmp_path / "appendix.csv"
    path.write_bytes(bom + appendix(change, encoding=encoding)())
    summary = import_programme_file(path, phasing=PhasingForm.CUMULATIVE)
    assert summary.updated == ("C3",)
    line = SavingsLine.objects.get(reference="C3")
    assert line.impact == "Café-based family support: £5 a visit"
    assert line_figures(line).phasing[FinancialYear(2017)] == Decimal("2600000")
