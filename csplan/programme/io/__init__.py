"""Import and export of the savings programme: Excel workbook, appendix CSV and JSON.

Every reader produces ``ProgrammeFigures`` (or, for the appendix CSV, an ``AppendixFile``
merged into an existing programme) and raises ``ProgrammeImportError`` listing every problem
with its file, sheet, row and column; nothing is written until a whole file has been read.
Writing to the database goes through ``csplan.programme.store.save_programme`` (one
transaction), in ``csplan.programme.io.importing``.

Pure functions (no database):
    ``file_type(path) -> str``                          ".xlsx", ".csv" or ".json"
    ``read_programme_file(path, *, phasing=None, unit=None, base=None,
    remove_missing=False) -> ProgrammeFigures``
    ``programme_file_bytes(programme, kind, form=None, unit=Unit.THOUSANDS) -> bytes``
    ``default_form(kind) -> PhasingForm``               cumulative for CSV, else incremental
    ``workbook.workbook_bytes / template_bytes / read_workbook``
    ``appendix_csv.appendix_to_csv / read_appendix_csv / apply_appendix``
    ``json_file.json_bytes / read_json``
With the database (``csplan.programme.io.importing``):
    ``import_programme_file(path, *, phasing=None, unit=None, plan=None, user=None,
    remove_missing=False) -> ImportSummary``         (added / updated / removed lines)
"""

from __future__ import annotations

from pathlib import Path

from csplan.core.money import Unit
from csplan.programme.errors import Problem, ProgrammeImportError
from csplan.programme.figures import ProgrammeFigures
from csplan.programme.io import appendix_csv, json_file, workbook
from csplan.programme.phasing import PhasingForm

FILE_TYPES = (".xlsx", ".csv", ".json")


def file_type(path: Path) -> str:
    """The file's type from its extension, or an import error naming the types we read."""
    suffix = Path(path).suffix.lower()
    if suffix not in FILE_TYPES:
        shown = suffix or "no extension"
        raise ProgrammeImportError(
            [
                Problem(
                    Path(path).name,
                    f"unknown file type ({shown}): use .xlsx (the workbook), "
                    ".csv (the appendix layout) or .json (the exchange format)",
                )
            ]
        )
    return suffix


def default_form(kind: str) -> PhasingForm:
    """CSV follows the published appendix (cumulative); the workbook and JSON the store."""
    return PhasingForm.CUMULATIVE if kind == ".csv" else PhasingForm.INCREMENTAL


def read_programme_file(
    path: Path,
    *,
    phasing: PhasingForm | None = None,
    unit: Unit | None = None,
    base: ProgrammeFigures | None = None,
    remove_missing: bool = False,
    workstream: str = "",
) -> ProgrammeFigures:
    """The programme in ``path``. An appendix CSV needs ``phasing`` (the file cannot say) and
    the programme it updates (``base``); the workbook and JSON name their own form and unit."""
    path = Path(path)
    kind = file_type(path)
    name = path.name
    if kind == ".csv":
        problems = []
        if phasing is None:
            problems.append(
                Problem(
                    name,
                    "say whether the year columns are incremental or cumulative "
                    "(--phasing incremental or --phasing cumulative): a CSV cannot say itself",
                )
            )
        if base is None:
            problems.append(
                Problem(
                    name,
                    "there is no plan to update: a CSV adds to or updates the lines of an "
                    "existing plan (create one with csplan plan new, or import a workbook or JSON)",
                )
            )
        if problems:
            raise ProgrammeImportError(problems)
        assert phasing is not None and base is not None
        appendix = appendix_csv.read_appendix_csv(path, form=phasing, unit=unit, file=name)
        return appendix_csv.apply_appendix(
            base, appendix, remove_missing=remove_missing, workstream=workstream
        )
    if phasing is not None or unit is not None:
        raise ProgrammeImportError(
            [
                Problem(
                    name,
                    f"a {kind} file names its own phasing form and unit: "
                    "leave out --phasing and --unit",
                )
            ]
        )
    if kind == ".xlsx":
        return workbook.read_workbook(path, file=name)
    return json_file.read_json(path, file=name)


def programme_file_bytes(
    programme: ProgrammeFigures,
    kind: str,
    form: PhasingForm | None = None,
    unit: Unit = Unit.THOUSANDS,
) -> bytes:
    """The programme as a ``kind`` (".xlsx", ".csv", ".json") file."""
    form = form or default_form(kind)
    if kind == ".xlsx":
        return workbook.workbook_bytes(programme, form, unit)
    if kind == ".csv":
        return appendix_csv.appendix_to_csv(programme, form, unit).encode("utf-8")
    if kind == ".json":
        return json_file.json_bytes(programme, form, unit)
    raise ValueError(f"unknown file type {kind!r}: use one of {', '.join(FILE_TYPES)}")
