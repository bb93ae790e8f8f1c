"""Reading an upload of SSDA903 returns: several files, or zips of them, within a size limit.

Nothing here touches the database: the files are checked and unpacked in memory, and the
caller stores them only when everything is acceptable.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings

from csplan.core import limits

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


def _safe_name(name: str, upload: str | None = None) -> str:
    """A relative path without '..', absolute parts or backslashes (refused otherwise)."""
    try:
        return limits.safe_name(name, upload or name)
    except limits.FileRefused as refused:
        raise UploadRefused([str(refused)]) from None


def _unzip(name: str, content: bytes, budget: int) -> list[Blob]:
    """The zip's members, each read a chunk at a time against the upload's remaining budget
    (the sizes its header declares are not trusted)."""
    spend = limits.ByteBudget(budget, "an upload", shown=max_upload_bytes())
    folder = _safe_name(PurePosixPath(name).stem, name)
    blobs: list[Blob] = []
    try:
        archive = limits.open_zip(content, name)
        with archive:
            named = [
                (info, _safe_name(info.filename, name))  # every name, hidden ones too
                for info in archive.infolist()
                if not info.is_dir()
            ]
            members = [
                (info, inner)
                for info, inner in named
                if not inner.startswith("__MACOSX/")
                and not PurePosixPath(inner).name.startswith(".")
            ]
            declared = sum(info.file_size for info, _ in members)
            if declared > budget:  # a header may understate, never overstate, a size
                raise UploadRefused(
                    [
                        f"{name}: unzipped it is {describe_size(declared)}, more than the "
                        f"{describe_size(max_upload_bytes())} an upload may hold"
                    ]
                )
            for info, inner in members:
                if not inner.lower().endswith(ALLOWED_SUFFIXES):
                    raise UploadRefused(
                        [f"{name}: {inner} is not a CSV, XLSX or XML file (SSDA903 returns are)"]
                    )
                data = limits.read_member(archive, info, name, spend)
                blobs.append(Blob(f"{folder}/{inner}", data))
    except zipfile.BadZipFile:
        raise UploadRefused([f"{name}: this is not a zip file that can be opened"]) from None
    except limits.FileRefused as refused:
        raise UploadRefused([str(refused)]) from None
    return blobs


def _check_table(blob: Blob) -> None:
    """Refuse a CSV or XLSX file whose dimensions break the budgets, before anything parses it."""
    lowered = blob.name.lower()
    try:
        if lowered.endswith(".csv"):
            limits.check_csv(blob.name, blob.content)
        elif lowered.endswith(".xlsx"):
            limits.check_workbook(blob.name, blob.content)
    except limits.FileRefused as refused:
        raise UploadRefused([str(refused)]) from None


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
    for blob in blobs:
        _check_table(blob)
    names = [b.name for b in blobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UploadRefused([f"{n}: two files have this name" for n in duplicates])
    return blobs
