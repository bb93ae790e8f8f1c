"""Reading an upload of SSDA903 returns: several files, or zips of them, within a size limit.

Nothing here touches the database: the files are checked and unpacked in memory, and the
caller stores them only when everything is acceptable.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings

# The largest upload (all files together, after unzipping). A setting can change it.
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx", ".xml")
ZIP_SUFFIX = ".zip"


def max_upload_bytes() -> int:
    return int(getattr(settings, "CSPLAN_DEMAND_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


@dataclass(frozen=True)
class Blob:
    name: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class UploadRefused(ValueError):
    """The upload cannot be accepted; ``messages`` say why, each naming the file."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def _safe_name(name: str) -> str:
    """A relative path without '..', absolute parts or backslashes."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in {"", ".", "/"}]
    if any(p == ".." for p in parts):
        raise UploadRefused([f"{name}: a path inside the zip goes outside it ('..')"])
    return "/".join(parts)


def _unzip(name: str, content: bytes, budget: int) -> list[Blob]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise UploadRefused([f"{name}: this is not a zip file that can be opened"]) from None
    blobs: list[Blob] = []
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith(".")
        ]
        unpacked = sum(info.file_size for info in members)
        if unpacked > budget:
            raise UploadRefused(
                [
                    f"{name}: unzipped it is {describe_size(unpacked)}, more than the "
                    f"{describe_size(max_upload_bytes())} an upload may hold"
                ]
            )
        for info in members:
            inner = _safe_name(info.filename)
            if not inner.lower().endswith(ALLOWED_SUFFIXES):
                raise UploadRefused(
                    [f"{name}: {inner} is not a CSV, XLSX or XML file (SSDA903 returns are)"]
                )
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError) as error:
                raise UploadRefused([f"{name}: {inner} cannot be unzipped ({error})"]) from None
            blobs.append(Blob(f"{PurePosixPath(name).stem}/{inner}", data))
    return blobs


def read_upload(files: Iterable[tuple[str, bytes]]) -> list[Blob]:
    """The files to store, zips unpacked (a file inside keeps its path under the zip's name).

    Raises ``UploadRefused`` when a file is of the wrong type, a zip is broken, the total is over
    the limit, two files share a name, or nothing was sent.
    """
    limit = max_upload_bytes()
    blobs: list[Blob] = []
    problems: list[str] = []
    for raw_name, content in files:
        name = _safe_name(PurePosixPath(raw_name.replace("\\", "/")).name or "upload")
        budget = limit - sum(b.size for b in blobs)
        if name.lower().endswith(ZIP_SUFFIX):
            try:
                blobs.extend(_unzip(name, content, budget))
            except UploadRefused as refused:
                problems.extend(refused.messages)
        elif name.lower().endswith(ALLOWED_SUFFIXES):
            blobs.append(Blob(name, content))
        else:
            problems.append(
                f"{name}: upload CSV, XLSX or XML files of the SSDA903 return, or a zip"
            )
    if problems:
        raise UploadRefused(problems)
    if not blobs:
        raise UploadRefused(["Select the SSDA903 files to upload (CSV files, or a zip of them)"])
    total = sum(b.size for b in blobs)
    if total > limit:
        raise UploadRefused(
            [
                f"The files come to {describe_size(total)}: an upload may be at most "
                f"{describe_size(limit)}"
            ]
        )
    names = [b.name for b in blobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UploadRefused([f"{n}: two files have this name" for n in duplicates])
    return blobs
