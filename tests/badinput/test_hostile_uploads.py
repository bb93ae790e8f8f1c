"""Hostile files, generated here, refused through csplan's real entry points before any parser
sees them: quickly, naming the file and the budget, within a bounded amount of memory, and
without writing anything outside csplan's temporary folder (which is emptied afterwards).

Memory is measured with ``tracemalloc`` (the peak of Python allocations while the file is read),
a bound, not a timing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tracemalloc
import uuid
import zipfile
from collections.abc import Callable, Iterator
from functools import cache
from html import escape
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from csplan.accounts.users import with_role
from csplan.core import limits

MIB = 1024 * 1024
MEMORY_BOUND = 50 * MIB
ESCAPE = f"csplan-escape-{uuid.uuid4().hex[:12]}"  # a name to look for anywhere afterwards


# --- the corpus ------------------------------------------------------------------------------


def _zip(members: dict[str, bytes | Iterator[bytes]]) -> bytes:
    """A zip of ``members``; a generator is written a chunk at a time (a bomb costs little)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, bytes):
                archive.writestr(name, content)
                continue
            with archive.open(name, "w") as member:
                for chunk in content:
                    member.write(chunk)
    return buffer.getvalue()


def _repeated(piece: bytes, total: int) -> Iterator[bytes]:
    chunk = piece * max(1, MIB // len(piece))
    written = 0
    while written < total:
        yield chunk
        written += len(chunk)


def _understate(data: bytes, size: int) -> bytes:
    """The zip with every member's declared size (local and central headers) set to ``size``."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = patched.find(signature)
        while start != -1:
            patched[start + offset : start + offset + 4] = size.to_bytes(4, "little")
            start = patched.find(signature, start + 4)
    return bytes(patched)


@cache
def zip_bomb_understated() -> bytes:
    """64 MB of episodes whose header says 1 KB (the attack: read() inflated all of it)."""
    return _understate(_zip({"2025/episodes.csv": _repeated(b"0", 64 * MIB)}), 1024)


@cache
def zip_bomb_declared() -> bytes:
    """A member that honestly declares 300 MB: more than any budget."""
    return _zip({"2025/episodes.csv": _repeated(b"0", 300 * MIB)})


@cache
def zip_many_members() -> bytes:
    return _zip({f"2025/part{i}.csv": b"" for i in range(limits.MAX_ZIP_MEMBERS + 1)})


def zip_named(name: str) -> bytes:
    return _zip({name: b"CHILD,SEX,DOB\nC1,1,01/01/2010\n"})


def _xlsx(sheet_xml: Callable[[], Iterator[bytes]]) -> bytes:
    """A minimal workbook whose one sheet's XML is ``sheet_xml``'s chunks."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["CHILD", "SEX", "DOB"])
    plain = io.BytesIO()
    book.save(plain)
    members: dict[str, bytes | Iterator[bytes]] = {}
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source:
        for info in source.infolist():
            members[info.filename] = source.read(info)
    members["xl/worksheets/sheet1.xml"] = sheet_xml()
    return _zip(members)


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@cache
def xlsx_huge_dimension() -> bytes:
    def sheet() -> Iterator[bytes]:
        yield _SHEET_HEAD + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>CHILD</t></is></c></row>'
        yield b"</sheetData></worksheet>"

    return _xlsx(sheet)


@cache
def xlsx_many_cells() -> bytes:
    """1.2 million cells behind a dimension that claims one (the 10M-cell attack, smaller)."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET_HEAD + b'<dimension ref="A1"/><sheetData><row r="1">'
        yield from _repeated(b'<c t="n"><v>1</v></c>', 1_200_000 * 20)
        yield b"</row></sheetData></worksheet>"

    return _xlsx(sheet)


@cache
def xlsx_oversized_sheet_xml() -> bytes:
    """A sheet of 70 MB of XML (blank space): more than a part may unzip to."""

    def sheet() -> Iterator[bytes]:
        yield _SHEET_HEAD + b'<dimension ref="A1"/>'
        yield from _repeated(b" ", 70 * MIB)
        yield b"<sheetData/></worksheet>"

    return _xlsx(sheet)


@cache
def csv_million_columns() -> bytes:
    return b"CHILD" + b",C" * 1_000_000 + b"\n"


@cache
def csv_too_many_rows() -> bytes:
    return b"CHILD\n" + b"C\n" * (limits.MAX_CSV_ROWS + 1)


# (id, upload file name, builder, what the refusal says besides the file's name)
HOSTILE_903 = [
    ("zip-bomb-understated", "returns.zip", zip_bomb_understated,
     ["2025/episodes.csv", "than its header declares (1 KB"]),
    ("zip-bomb-declared", "returns.zip", zip_bomb_declared, ["unzipped it is 300.0 MB"]),
    ("zip-too-many-members", "returns.zip", zip_many_members,
     [f"more than {limits.MAX_ZIP_MEMBERS:,} members"]),
    ("xlsx-huge-dimension", "episodes_2025.xlsx", xlsx_huge_dimension,
     ["A1:XFD1048576", "1,048,576 rows x 16,384 columns", "1,000,000 cells"]),
    ("xlsx-many-cells", "episodes_2025.xlsx", xlsx_many_cells,
     ["more than 1,000,000 cells"]),
    ("xlsx-oversized-sheet-xml", "episodes_2025.xlsx", xlsx_oversized_sheet_xml,
     ["xl/worksheets/sheet1.xml", "more than 64.0 MB"]),
    ("csv-million-columns", "episodes_2025.csv", csv_million_columns,
     [f"more than {limits.MAX_CSV_COLUMNS:,} columns"]),
    ("csv-too-many-rows", "episodes_2025.csv", csv_too_many_rows,
     [f"more than {limits.MAX_CSV_ROWS:,} rows"]),
]  # fmt: skip

TRAVERSAL_NAMES = [f"../{ESCAPE}.csv", f"/{ESCAPE}.csv", f"..\\{ESCAPE}.csv",
                   f"2025/../../../{ESCAPE}.csv"]  # fmt: skip


# --- measuring -------------------------------------------------------------------------------


def _peak(action: Callable[[], object]) -> tuple[BaseException | None, int]:
    """What ``action`` raised (None if nothing) and its peak of traced memory."""
    tracemalloc.start()
    raised = None
    try:
        action()
    except Exception as error:  # noqa: BLE001 - returned to the test to assert on
        raised = error
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return raised, peak


def _files_under(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "sqlite3" not in p.name
    }


def _nothing_escaped(data_dir: Path) -> None:
    for folder in (data_dir, Path(os.environ.get("TMPDIR", "/tmp")), limits.temp_root().parent):
        if folder.is_dir():
            assert not list(folder.rglob(f"*{ESCAPE}*")), folder
    assert not list(Path("/tmp").glob(f"*{ESCAPE}*"))


def _temp_is_empty() -> None:
    assert list(limits.process_temp_dir().iterdir()) == []


@pytest.fixture
def signed_in(client, db):
    user = with_role(
        get_user_model().objects.create_superuser("hostile-officer", password=None), "admin"
    )
    client.force_login(user)
    return client


# --- SSDA903 returns: the upload page and the library ---------------------------------------


@pytest.mark.parametrize(("name", "build", "says"), [c[1:] for c in HOSTILE_903],
                         ids=[c[0] for c in HOSTILE_903])  # fmt: skip
def test_a_hostile_upload_is_refused_by_the_page_within_bounded_memory(
    name, build, says, signed_in, settings
):
    from csplan.forecasts.models import Dataset

    data = build()
    data_dir = Path(settings.DATA_DIR)
    before = _files_under(data_dir)
    upload = SimpleUploadedFile(name, data)
    signed_in.get("/demand/upload/")  # the page's modules loaded before memory is measured
    answers = []
    raised, peak = _peak(
        lambda: answers.append(
            signed_in.post("/demand/upload/", {"name": "Hostile", "files": [upload]})
        )
    )
    assert raised is None, raised
    response = answers[0]
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(name) in html
    for text in says:
        assert escape(text) in html, (text, html[html.find("govuk-error-summary") :][:600])
    assert peak < MEMORY_BOUND + 3 * len(data), peak  # the request holds the upload itself
    assert not Dataset.objects.exists()
    assert _files_under(data_dir) == before
    _temp_is_empty()


@pytest.mark.parametrize(("name", "build", "says"), [c[1:] for c in HOSTILE_903],
                         ids=[c[0] for c in HOSTILE_903])  # fmt: skip
def test_a_hostile_file_is_refused_by_the_demand_library_within_bounded_memory(
    name, build, says, tmp_path
):
    from csplan.demand.episodes import InputError, load_returns

    path = tmp_path / "2025" / name
    path.parent.mkdir()
    path.write_bytes(build())
    raised, peak = _peak(lambda: load_returns(tmp_path))
    assert isinstance(raised, InputError), raised
    message = str(raised)
    assert f"2025/{name}" in message
    for text in says:
        if "unzipped it is 300.0 MB" in text:  # the library's budget is larger than an upload's
            text = "more than the 256.0 MB a zip may hold"
        assert text in message, message
    assert peak < MEMORY_BOUND, peak


@pytest.mark.parametrize("member", TRAVERSAL_NAMES)
def test_a_member_named_to_escape_is_refused_and_nothing_is_written(
    member, signed_in, settings, tmp_path
):
    from csplan.demand.episodes import InputError, load_returns
    from csplan.forecasts.models import Dataset

    data = zip_named(member)
    response = signed_in.post(
        "/demand/upload/", {"name": "Hostile", "files": [SimpleUploadedFile("returns.zip", data)]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert escape(f"returns.zip: {member}: a path inside the zip") in html
    assert escape("refused: it would be written outside the upload's folder") in html
    assert not Dataset.objects.exists()
    _temp_is_empty()
    _nothing_escaped(Path(settings.DATA_DIR))
    # The library reads zips in memory: a traversal name writes nothing, and is read as text.
    (tmp_path / "2025.zip").write_bytes(data)
    with pytest.raises(InputError):
        load_returns(tmp_path)
    _nothing_escaped(tmp_path)


def test_an_upload_named_to_escape_its_folder_is_refused(signed_in, settings):
    """``...zip``: its members would have gone under ``..`` (the temp root)."""
    data = zip_named("2025/header.csv")
    response = signed_in.post(
        "/demand/upload/", {"name": "Hostile", "files": [SimpleUploadedFile("...zip", data)]}
    )
    assert response.status_code == 400
    assert escape("...zip: ..: a path inside the zip goes outside it ('..')") in (
        response.content.decode()
    )
    _temp_is_empty()


def test_stored_files_with_escaping_names_are_not_written_out():
    from csplan.forecasts import services
    from csplan.forecasts.uploads import Blob, UploadRefused

    for name in TRAVERSAL_NAMES:
        blobs = [Blob("2025/header.csv", b"x"), Blob(name, b"x")]
        with pytest.raises(UploadRefused, match="outside"), services.materialised(blobs):
            pass
    _temp_is_empty()
    _nothing_escaped(limits.temp_root().parent)


def test_a_running_budget_stops_a_member_as_soon_as_it_is_exceeded():
    """Whatever the header says, decompression stops a chunk after the budget."""
    data = _zip({"a.csv": _repeated(b"0", 40 * MIB)})
    archive = zipfile.ZipFile(io.BytesIO(data))
    spend = limits.ByteBudget(4 * MIB, "an upload")
    raised, peak = _peak(lambda: limits.read_member(archive, archive.infolist()[0], "x.zip", spend))
    assert isinstance(raised, limits.FileRefused)
    assert str(raised) == (
        "x.zip/a.csv: unzipped, the files come to more than 4.0 MB, the most an upload may hold"
    )
    assert spend.used == 5 * MIB  # one chunk past the budget, not 40 MB
    assert peak < 12 * MIB, peak


# --- programme and benchmark imports ---------------------------------------------------------


def test_a_hostile_programme_workbook_or_csv_is_refused_before_parsing(tmp_path):
    from csplan.programme.errors import ProgrammeImportError
    from csplan.programme.io import appendix_csv, read_programme_file
    from csplan.programme.phasing import PhasingForm

    workbook = tmp_path / "programme.xlsx"
    workbook.write_bytes(xlsx_huge_dimension())
    raised, peak = _peak(lambda: read_programme_file(workbook))
    assert isinstance(raised, ProgrammeImportError)
    assert str(raised).startswith("programme.xlsx: the sheet xl/worksheets/sheet1.xml declares")
    assert "more than the 500,000 cells" in str(raised)
    assert peak < MEMORY_BOUND

    appendix = tmp_path / "appendix.csv"
    appendix.write_bytes(csv_million_columns())
    raised, peak = _peak(
        lambda: appendix_csv.read_appendix_csv(appendix, form=PhasingForm.CUMULATIVE)
    )
    assert isinstance(raised, ProgrammeImportError)
    assert str(raised) == (
        "appendix.csv: a row has more than 500 columns, the most a CSV file may have"
    )
    assert peak < MEMORY_BOUND


def test_hostile_benchmark_files_are_refused_before_parsing(tmp_path):
    from csplan.benchmark.importers import parse_path
    from csplan.demand.annual.published import PublishedFileError

    wide = tmp_path / "cla.csv"
    wide.write_bytes(csv_million_columns())
    raised, peak = _peak(lambda: parse_path(wide))
    assert isinstance(raised, PublishedFileError)
    assert str(raised) == (
        "file cla.csv: a row has more than 500 columns, the most a CSV file may have"
    )
    assert peak < MEMORY_BOUND

    ods = tmp_path / "RO3.ods"
    ods.write_bytes(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                          "content.xml": _repeated(b" ", 70 * MIB)}))  # fmt: skip
    raised, peak = _peak(lambda: parse_path(ods))
    assert isinstance(raised, PublishedFileError)
    assert str(raised) == (
        "file RO3.ods/content.xml: unzipped it is more than 64.0 MB, the most one part may hold"
    )
    assert peak < MEMORY_BOUND


# --- names and temporary folders -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "clean"),
    [("2025/header.csv", "2025/header.csv"), ("2025\\header.csv", "2025/header.csv"),
     ("./2025//header.csv", "2025/header.csv")],
)  # fmt: skip
def test_a_safe_name_is_cleaned_and_stays_inside_its_folder(name, clean, tmp_path):
    assert limits.safe_name(name, "up.zip") == clean
    assert limits.safe_path(tmp_path, name, "up.zip") == (tmp_path / clean).resolve()


@pytest.mark.parametrize("name", [*TRAVERSAL_NAMES, "C:\\x.csv", "a/\x00b.csv", "./"])
def test_an_unsafe_name_is_refused_naming_the_upload_and_member(name, tmp_path):
    with pytest.raises(limits.FileRefused) as refused:
        limits.safe_path(tmp_path, name, "up.zip")
    assert str(refused.value).startswith("up.zip: ")
    assert refused.value.file == "up.zip"


def test_a_link_inside_the_folder_cannot_lead_out(tmp_path):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "out").symlink_to(tmp_path)
    with pytest.raises(limits.FileRefused, match="leads outside it"):
        limits.safe_path(folder, "out/x.csv", "up.zip")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603 - our own interpreter
    child.wait()
    return child.pid


def test_temporary_copies_left_by_a_killed_process_are_removed_at_start(settings):
    from django.apps import apps

    root = limits.temp_root()
    assert root == Path(settings.DATA_DIR) / "tmp"
    dead = root / f"p{_dead_pid()}" / "903-left" / "2025"
    dead.mkdir(parents=True)
    (dead / "episodes.csv").write_bytes(b"CHILD\nC1\n")
    own = root / f"p{os.getpid()}" / "903-before-start"
    own.mkdir(parents=True)
    alive = root / f"p{os.getppid()}" / "903-in-use"
    alive.mkdir(parents=True)
    stray = root / "stray.upload"
    stray.write_bytes(b"x")

    apps.get_app_config("demandweb").ready()  # what runs when csplan starts

    assert not dead.parent.parent.exists()
    assert not own.exists()
    assert not stray.exists()
    assert alive.exists()  # another process still running: its copies are in use
    assert limits.process_temp_dir().is_dir()  # this process's folder, ready for uploads
    assert Path(settings.FILE_UPLOAD_TEMP_DIR).parent == root
    alive.rmdir()


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        (b"a,b\r1,2\r", None),  # old Mac line ends
        (b"CHILD,SEX\n" + b"C1,1\n" * 1000, None),
        (b"x" * (limits.MAX_CSV_LINE_BYTES + 1) + b"\n1\n",
         "a line is longer than 256 KB, the most a CSV line may be"),
        (b"," * limits.MAX_CSV_COLUMNS + b"\n", "a row has more than 500 columns"),
    ],
)  # fmt: skip
def test_csv_lines_are_measured_in_place(data, refusal):
    if refusal is None:
        limits.check_csv("ok.csv", data)
        return
    with pytest.raises(limits.FileRefused, match=refusal):
        limits.check_csv("bad.csv", data)
