"""Budgets for the files csplan reads from its users, checked before any parser sees them.

Every reader of an uploaded or imported file (SSDA903 returns, programme workbooks and CSV
files, benchmark files) calls these first, so that a hostile file is refused quickly, with a
message naming the file and the budget, and at little cost in memory:

- zip members are read in chunks against a running count of the bytes actually decompressed
  (a header's declared size is never trusted) and a cap on the number of members;
- a workbook (a zip of XML parts) is checked for the size of its parts, the cells its sheets
  declare (``<dimension ref=...>``) and the cells they really hold, before openpyxl opens it;
- a CSV file is checked for its rows, columns, cells and line length before pandas or ``csv``;
- a name stored inside an upload is cleaned and must stay inside its folder;
- temporary copies live in a folder csplan owns (``DATA_DIR/tmp``), one sub-folder per process,
  and those left by a process that died are removed at the next start.

Each budget is a named constant here; a Django setting ``CSPLAN_<NAME>`` overrides it.
No Django import at module level: the demand library uses this without Django.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path, PurePosixPath

MIB = 1024 * 1024

MAX_ZIP_MEMBERS = 1_000  # entries in one zip (a workbook's parts included)
MAX_UNZIPPED_BYTES = 256 * MIB  # all members of a zip read from disk, nested zips included
MAX_WORKBOOK_UNZIPPED_BYTES = 128 * MIB  # all parts of one XLSX/ODS workbook, unzipped
MAX_SHEET_XML_BYTES = 64 * MIB  # one part (a sheet's XML) of a workbook, unzipped
MAX_WORKBOOK_CELLS = 1_000_000  # cells declared by a sheet's dimension, or held by a workbook
MAX_PROGRAMME_WORKBOOK_CELLS = (
    200_000  # cells held by the programme workbook (openpyxl's full mode)
)
MAX_PROGRAMME_SHEET_RANGE = 500_000  # cells a programme sheet's range may declare
MAX_CSV_ROWS = 1_000_000
MAX_CSV_COLUMNS = 500
MAX_CSV_CELLS = 20_000_000  # rows x columns, counted as separators
MAX_CSV_LINE_BYTES = 256 * 1024
MAX_IMPORT_FILE_BYTES = 256 * MIB  # one file read from disk by an import
MAX_JSON_BYTES = 64 * MIB  # one programme JSON file
MAX_JSON_DEPTH = 64  # arrays and objects inside one another in a JSON file
CHUNK_BYTES = 1 * MIB  # how much of a zip member is decompressed at a time

_DEFAULTS = {
    name: value
    for name, value in globals().items()
    if name.startswith("MAX_") and isinstance(value, int)
}

TEMP_FOLDER = "tmp"  # under the data folder
_PROCESS_PREFIX = "p"
_STALE_SECONDS = 24 * 3600  # where a process cannot be asked whether it is alive (Windows)


class FileRefused(ValueError):
    """A file breaks a budget or cannot be read safely; the message names the file and why."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


def budget(name: str) -> int:
    """The budget ``name`` (e.g. "MAX_CSV_ROWS"): ``settings.CSPLAN_<NAME>`` or the constant."""
    default = _DEFAULTS[name]
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - the library without Django
        return default
    if not settings.configured:
        return default
    return int(getattr(settings, f"CSPLAN_{name}", default))


def describe_size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


# -- zips -------------------------------------------------------------------------------------


@dataclass
class ByteBudget:
    """A running count of decompressed bytes, shared by every member (and nested zip) read."""

    limit: int
    holder: str = "an upload"  # what the limit is for, in messages
    shown: int | None = None  # the whole budget, when ``limit`` is what is left of it
    used: int = 0

    def take(self, count: int, name: str) -> None:
        self.used += count
        if self.used > self.limit:
            raise FileRefused(
                name,
                f"unzipped, the files come to more than "
                f"{describe_size(self.shown or self.limit)}, "
                f"the most {self.holder} may hold",
            )


def open_zip(data: bytes, name: str, *, max_members: int | None = None) -> zipfile.ZipFile:
    """The zip in ``data``, refused before its directory is parsed if it lists too many members
    (``FileRefused``); ``zipfile.BadZipFile`` when it is not a zip that can be opened."""
    import io

    limit = budget("MAX_ZIP_MEMBERS") if max_members is None else max_members
    stream = io.BytesIO(data)
    try:
        end = zipfile._EndRecData(stream)  # noqa: SLF001 - the end record, not the directory
    except OSError:
        end = None
    if end is None:
        raise zipfile.BadZipFile("File is not a zip file")
    entries, directory_size = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # noqa: SLF001
    # Each directory entry takes at least 46 bytes: a directory too big for the cap is refused
    # even when the count in the end record is forged.
    if entries > limit or directory_size > limit * (46 + 1024):
        raise FileRefused(name, f"the zip has more than {limit:,} members, the most a zip may have")
    try:
        archive = zipfile.ZipFile(stream)
    except (OSError, ValueError, EOFError) as error:
        raise zipfile.BadZipFile(str(error)) from None
    if len(archive.infolist()) > limit:
        raise FileRefused(name, f"the zip has more than {limit:,} members, the most a zip may have")
    return archive


def check_declared(infos: list[zipfile.ZipInfo], zip_name: str, spend: ByteBudget) -> None:
    """Refuse at once when the sizes the members declare already break the budget (a header may
    understate a size, which the chunked read catches, but never overstates one usefully)."""
    declared = sum(info.file_size for info in infos)
    if spend.used + declared > spend.limit:
        raise FileRefused(
            zip_name,
            f"unzipped it is {describe_size(declared)}, more than the "
            f"{describe_size(spend.shown or spend.limit)} {spend.holder} may hold",
        )


def read_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    zip_name: str,
    spend: ByteBudget,
    *,
    member_limit: int | None = None,
) -> bytes:
    """A member's bytes, decompressed a chunk at a time and counted against ``spend`` (and
    ``member_limit`` for this member alone); refused as soon as either is exceeded."""
    return b"".join(stream_member(archive, info, zip_name, spend, member_limit=member_limit))


def stream_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    zip_name: str,
    spend: ByteBudget,
    *,
    member_limit: int | None = None,
) -> Iterator[bytes]:
    """A member's bytes in chunks, counted as in ``read_member``."""
    name = f"{zip_name}/{info.filename}"
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                read += len(chunk)
                if member_limit is not None and read > member_limit:
                    raise FileRefused(
                        name,
                        f"unzipped it is more than {describe_size(member_limit)}, "
                        "the most one part may hold",
                    )
                spend.take(len(chunk), name)
                yield chunk
    except FileRefused:
        raise
    except zipfile.BadZipFile as error:
        if "CRC" in str(error):  # zipfile stops at the declared size; the CRC then fails
            raise FileRefused(
                name,
                f"cannot be unzipped: it holds other data than its header declares "
                f"({describe_size(info.file_size)}; {error}): a damaged or forged zip",
            ) from None
        raise FileRefused(name, f"cannot be unzipped ({error})") from None
    except (RuntimeError, NotImplementedError, zlib.error, EOFError, OSError) as error:
        raise FileRefused(name, f"cannot be unzipped ({error})") from None


class MemberReader:
    """A file object over ``stream_member``'s chunks, for a streaming parser (iterparse)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def open_workbook_part(data: bytes, name: str, part: str) -> MemberReader:
    """One part of a workbook (e.g. an ODS file's ``content.xml``) as a file to stream,
    decompressed against the workbook budgets; ``KeyError`` when it has no such part."""
    archive = open_zip(data, name)
    info = archive.getinfo(part)
    spend = ByteBudget(budget("MAX_WORKBOOK_UNZIPPED_BYTES"), "a workbook")
    return MemberReader(
        stream_member(archive, info, name, spend, member_limit=budget("MAX_SHEET_XML_BYTES"))
    )


# -- workbooks --------------------------------------------------------------------------------

_DIMENSION = re.compile(
    rb"<(?:\w{1,16}:)?dimension\s+ref=\"([A-Z]{1,3})(\d{1,7})(?::([A-Z]{1,3})(\d{1,7}))?\""
)
_CELL_TAGS = (b"<c ", b"<c>", b"<c/", b":c ")  # "<x:c " for a prefixed namespace


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _declared_cells(head: bytes) -> tuple[str, int, int] | None:
    """(the ref, rows, columns) of a sheet's ``<dimension ref=...>``, if it has one."""
    found = _DIMENSION.search(head)
    if found is None:
        return None
    first_col, first_row, last_col, last_row = found.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col) - _column_number(first_col) + 1
    ref = found.group(0).split(b'"')[1].decode()
    return ref, max(rows, 1), max(columns, 1)


def check_workbook(
    name: str, data: bytes, *, max_cells: int | None = None, max_range: int | None = None
) -> None:
    """Refuse an XLSX whose parts, declared dimensions or cells break the budgets, reading
    its XML a chunk at a time (nothing is parsed: the cells are counted by their tags).
    Bytes that are not a zip at all pass: the workbook's reader refuses them in its words."""
    cell_limit = budget("MAX_WORKBOOK_CELLS") if max_cells is None else max_cells
    range_limit = budget("MAX_WORKBOOK_CELLS") if max_range is None else max_range
    part_limit = budget("MAX_SHEET_XML_BYTES")
    try:
        archive = open_zip(data, name)
    except zipfile.BadZipFile:
        return  # not a workbook at all: its reader says so
    spend = ByteBudget(budget("MAX_WORKBOOK_UNZIPPED_BYTES"), "a workbook")
    cells = 0
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            xml = info.filename.lower().endswith((".xml", ".rels"))
            tail = b""
            for number, chunk in enumerate(
                stream_member(archive, info, name, spend, member_limit=part_limit)
            ):
                if not xml:
                    continue
                if number == 0:
                    _check_dimension(name, info.filename, chunk[:65536], range_limit)
                joined = tail + chunk
                cells += sum(joined.count(tag) for tag in _CELL_TAGS)
                tail = joined[-2:]
                if cells > cell_limit:
                    raise FileRefused(
                        name,
                        f"the workbook holds more than {cell_limit:,} cells, the most a "
                        "workbook may hold",
                    )


def _check_dimension(name: str, part: str, head: bytes, cell_limit: int) -> None:
    declared = _declared_cells(head)
    if declared is None:
        return
    ref, rows, columns = declared
    if rows * columns > cell_limit:
        raise FileRefused(
            name,
            f"the sheet {part} declares the range {ref} ({rows:,} rows x {columns:,} "
            f"columns), more than the {cell_limit:,} cells a workbook may hold",
        )


# -- CSV --------------------------------------------------------------------------------------


def check_csv(name: str, data: bytes) -> None:
    """Refuse a CSV file with too many rows, columns or cells, or too long a line, counting
    separators in the bytes (quoted commas count too: the caps are far above real files)."""
    rows = max(data.count(b"\n"), data.count(b"\r")) + 1
    row_limit = budget("MAX_CSV_ROWS")
    if rows > row_limit + 1:  # the heading row on top
        raise FileRefused(
            name, f"the file has more than {row_limit:,} rows, the most a CSV file may have"
        )
    cell_limit = budget("MAX_CSV_CELLS")
    if data.count(b",") + rows > cell_limit:
        raise FileRefused(
            name, f"the file has more than {cell_limit:,} cells, the most a CSV file may have"
        )
    _check_lines(name, data, budget("MAX_CSV_COLUMNS"), budget("MAX_CSV_LINE_BYTES"))


def _check_lines(name: str, data: bytes, column_limit: int, line_limit: int) -> None:
    """Each line's separators and length, a block of about a megabyte of lines at a time."""
    newline = b"\n" if b"\n" in data else b"\r"
    start = 0
    while start < len(data):
        end = data.find(newline, min(start + CHUNK_BYTES, len(data)))
        end = len(data) if end == -1 else end
        lines = data[start:end].split(newline)
        if max(map(bytes.count, lines, repeat(b","))) >= column_limit:
            raise FileRefused(
                name, f"a row has more than {column_limit:,} columns, the most a CSV file may have"
            )
        if max(map(len, lines)) > line_limit:
            raise FileRefused(
                name,
                f"a line is longer than {describe_size(line_limit)}, the most a CSV line may be",
            )
        start = end + 1


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def check_json(name: str, data: bytes) -> None:
    """Refuse a JSON file over ``MAX_JSON_BYTES`` or nested deeper than ``MAX_JSON_DEPTH``
    (checked before parsing: a deep file would exhaust the parser's stack)."""
    size_limit = budget("MAX_JSON_BYTES")
    if len(data) > size_limit:
        raise FileRefused(
            name,
            f"is {describe_size(len(data))}: "
            f"a JSON file may be at most {describe_size(size_limit)}",
        )
    depth_limit = budget("MAX_JSON_DEPTH")
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > depth_limit:
            raise FileRefused(
                name,
                f"nests arrays or objects more than {depth_limit} deep: "
                "a programme file needs only a few levels",
            )


def read_import_file(path: Path) -> bytes:
    """A file's bytes for an import, refused without reading it when it is over the budget."""
    limit = budget("MAX_IMPORT_FILE_BYTES")
    size = path.stat().st_size
    if size > limit:
        raise FileRefused(
            f"{path.name}: the file is {describe_size(size)}, more than the "
            f"{describe_size(limit)} an import may read"
        )
    return path.read_bytes()


# -- names ------------------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def safe_name(name: str, upload: str) -> str:
    """``name`` (a member of ``upload``) as a clean relative path with forward slashes;
    refused when it is absolute or climbs out of its folder (``..``)."""
    text = name.replace("\\", "/")
    outside = "refused: it would be written outside the upload's folder"
    if any(ord(ch) < 32 for ch in text):
        raise FileRefused(upload, f"{name!r}: a name inside the zip has control characters")
    if text.startswith("/") or _DRIVE.match(text):
        raise FileRefused(upload, f"{name}: a path inside the zip is absolute; {outside}")
    parts = [p for p in PurePosixPath(text).parts if p not in {"", "."}]
    if ".." in parts:
        raise FileRefused(
            upload, f"{name}: a path inside the zip goes outside it ('..'); {outside}"
        )
    if not parts:
        raise FileRefused(upload, f"{name!r}: a member of the zip has no name")
    return "/".join(parts)


def safe_path(folder: Path, name: str, upload: str) -> Path:
    """Where ``name`` goes inside ``folder``: cleaned, and refused unless the resolved path
    stays inside the folder (a link inside it cannot lead out either)."""
    target = (folder / safe_name(name, upload)).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise FileRefused(
            upload,
            f"{name}: a path inside the zip leads outside it; refused: it would be "
            "written outside the upload's folder",
        )
    return target


# -- temporary copies -------------------------------------------------------------------------


def temp_root() -> Path:
    """The folder csplan owns for temporary copies: ``DATA_DIR/tmp`` (or one in the system's)."""
    try:
        from django.conf import settings

        configured = settings.configured and getattr(settings, "DATA_DIR", None)
    except ImportError:  # pragma: no cover
        configured = None
    if configured:
        return Path(configured) / TEMP_FOLDER
    return Path(tempfile.gettempdir()) / "csplan-tmp"


def process_temp_dir(root: Path | None = None) -> Path:
    """This process's temporary folder (created): removed at the next start once it has died."""
    folder = (root or temp_root()) / f"{_PROCESS_PREFIX}{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def temporary_folder(purpose: str) -> Iterator[Path]:
    """A new folder for temporary copies, removed when the block ends, however it ends."""
    with tempfile.TemporaryDirectory(prefix=f"{purpose}-", dir=process_temp_dir()) as folder:
        yield Path(folder)


def remove_stale_temp(root: Path | None = None) -> list[Path]:
    """Remove what processes that are no longer running left in the temporary folder (and
    anything left under this process's own id, from before it started); the paths removed."""
    root = root or temp_root()
    if not root.is_dir():
        return []
    removed = []
    for entry in sorted(root.iterdir()):
        if _in_use(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _in_use(entry: Path) -> bool:
    name = entry.name
    if not (name.startswith(_PROCESS_PREFIX) and name[1:].isdigit()):
        return False
    pid = int(name[1:])
    if pid == os.getpid():
        return False  # called at start: nothing of this process is in use yet
    if os.name == "nt":  # os.kill would end the process: go by age
        return time.time() - entry.stat().st_mtime < _STALE_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
