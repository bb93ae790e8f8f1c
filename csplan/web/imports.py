"""Importing a council's own spreadsheet into its plan (admin and finance only).

Upload (XLSX or CSV) → choose the sheet and map its columns (remembered per plan) → a preview
of every line and every problem → import, all or nothing, recorded (who, when, before, after)
by ``csplan.programme.store.save_programme``, the writer ``csplan import`` uses. csplan's own
exported workbook needs no mapping: it is read as ``csplan import`` reads it.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from csplan.accounts.access import PROGRAMME, guard
from csplan.core import limits
from csplan.programme.errors import Problem, ProgrammeImportError
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.io import workbook
from csplan.programme.io.importing import ImportSummary, compare
from csplan.programme.io.mapped import (
    ColumnMapping,
    Sheets,
    guess_mapping,
    headings,
    is_csplan_workbook,
    mapped_programme,
    read_sheets,
)
from csplan.programme.models import ImportMapping, Plan
from csplan.programme.store import programme_figures, save_programme
from csplan.web.forms.imports import MappingForm, UploadForm

SESSION_KEY = "csplan_import"
UPLOAD_FOLDER = "imports"  # under the data folder, shared by every worker process
ABANDONED_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Prepared:
    """An upload read against the plan: the programme it would make, or its problems."""

    figures: ProgrammeFigures | None
    summary: ImportSummary | None
    problems: list[Problem]


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / UPLOAD_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_abandoned(now: float | None = None) -> None:
    """Uploads left by imports nobody finished, after a day."""
    cutoff = (now or time.time()) - ABANDONED_SECONDS
    for entry in _folder().iterdir():
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)


def _state(request: HttpRequest, plan: Plan) -> dict[str, Any] | None:
    state = request.session.get(SESSION_KEY)
    if not state or state.get("plan") != plan.pk:
        return None
    if not (_folder() / state["token"]).is_file():
        return None
    return state


def _data(state: dict[str, Any]) -> bytes:
    return limits.read_import_file(_folder() / state["token"])


def _remembered(plan: Plan) -> tuple[ColumnMapping | None, str]:
    stored = ImportMapping.objects.filter(plan=plan).first()
    if stored is None or not stored.mapping:
        return None, ""
    return ColumnMapping.from_dict(stored.mapping), str(stored.mapping.get("workstream", ""))


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    return {"plan": request.plan, **values}  # type: ignore[attr-defined]


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    plan = request.plan  # type: ignore[attr-defined]
    limit = limits.budget("MAX_IMPORT_FILE_BYTES")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        name = Path(upload_file.name).name
        if upload_file.size > limit:
            form.add_error(
                "file",
                f"{name} is {limits.describe_size(upload_file.size)}: "
                f"an upload may be at most {limits.describe_size(limit)}",
            )
        else:
            data = upload_file.read()
            try:
                sheets = read_sheets(data, name)
            except ProgrammeImportError as error:
                for problem in error.problems:
                    form.add_error("file", str(problem))
            else:
                return _stored(request, plan, name, data, sheets)
    return _upload_page(request, form)


def _upload_page(request: HttpRequest, form: UploadForm) -> HttpResponse:
    """The upload form (also where the later steps send someone with no upload under way)."""
    limit = limits.budget("MAX_IMPORT_FILE_BYTES")
    status = 400 if form.errors else 200
    context = _context(
        request, form=form, errors=form.error_list(), max_size=limits.describe_size(limit)
    )
    return render(request, "imports/upload.html", context, status=status)


def _stored(
    request: HttpRequest, plan: Plan, name: str, data: bytes, sheets: Sheets
) -> HttpResponse:
    earlier = _state(request, plan) or {}  # a corrected file keeps the columns just chosen
    _discard(request)
    _remove_abandoned()
    suffix = ".csv" if name.lower().endswith(".csv") else ".xlsx"
    token = secrets.token_hex(16) + suffix
    (_folder() / token).write_bytes(data)
    kind = "workbook" if is_csplan_workbook(sheets) else "mapped"
    request.session[SESSION_KEY] = {
        "plan": plan.pk,
        "token": token,
        "name": name,
        "kind": kind,
        **{key: earlier[key] for key in ("mapping", "workstream") if key in earlier},
    }
    if kind == "workbook":
        return redirect("imports:preview")
    return redirect("imports:mapping")


def _discard(request: HttpRequest) -> None:
    state = request.session.pop(SESSION_KEY, None)
    if state:
        (_folder() / state["token"]).unlink(missing_ok=True)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def mapping(request: HttpRequest) -> HttpResponse:
    plan = request.plan  # type: ignore[attr-defined]
    state = _state(request, plan)
    if state is None or state["kind"] != "mapped":
        return _upload_page(request, UploadForm())
    sheets = read_sheets(_data(state), state["name"])
    remembered, workstream = _remembered(plan)
    stored = ColumnMapping.from_dict(state["mapping"]) if state.get("mapping") else None
    chosen = stored or remembered
    source = request.POST if request.method == "POST" else request.GET
    sheet = source.get("sheet") or (chosen.sheet if chosen and chosen.sheet in sheets else "")
    sheet = sheet if sheet in sheets else _first_filled(sheets)
    guessed = guess_mapping(sheets, sheet, chosen)
    header_row = _header_row(source.get("header_row"), guessed.header_row)
    guessed = guess_mapping(sheets, sheet, chosen, header_row)
    found = headings(sheets, sheet, header_row)
    names = [w.name for w in plan.workstreams.all()]
    if request.method == "POST":
        form = MappingForm(found, names, request.POST)
        if form.is_valid():
            chosen_mapping = form.mapping(sheet, header_row)
            state["mapping"] = chosen_mapping.to_dict()
            state["workstream"] = form.cleaned_data["new_line_workstream"]
            request.session[SESSION_KEY] = state
            return redirect("imports:preview")
    else:
        form = MappingForm(
            found,
            names,
            initial=MappingForm.initial_for(guessed, state.get("workstream", workstream)),
        )
    context = _context(
        request,
        form=form,
        errors=form.error_list() if form.is_bound else [],
        name=state["name"],
        sheets=list(sheets),
        sheet=sheet,
        header_row=header_row,
        sample=_sample(sheets[sheet], header_row),
        remembered=remembered is not None,
    )
    return render(request, "imports/mapping.html", context, status=400 if form.errors else 200)


def _first_filled(sheets: Sheets) -> str:
    """The first sheet with three or more filled cells in a row (a notes sheet may come first)."""
    for name, rows in sheets.items():
        if any(sum(1 for v in row if v not in (None, "")) >= 3 for row in rows[:20]):
            return name
    return next(iter(sheets))


def _header_row(value: str | None, default: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return number if number >= 1 else default


def _sample(rows: list[list[Any]], header_row: int) -> list[tuple[int, list[str]]]:
    """The heading row and the first few rows, so the council sees what it is mapping."""
    shown = rows[header_row - 1 : header_row + 4]
    return [
        (header_row + offset, ["" if value is None else str(value) for value in row])
        for offset, row in enumerate(shown)
    ]


def prepare(plan: Plan, state: dict[str, Any]) -> Prepared:
    """The programme the upload would make, and what changes; or every problem."""
    name = state["name"]
    data = _data(state)
    before = programme_figures(plan)
    try:
        if state["kind"] == "workbook":
            figures = workbook.read_workbook(data, file=name)
            if (figures.council, figures.plan) != (plan.council.name, plan.name):
                raise ProgrammeImportError(
                    [
                        Problem(
                            name,
                            f"the workbook is the plan {figures.council}: {figures.plan}, "
                            f"not {plan.council.name}: {plan.name}",
                        )
                    ]
                )
        else:
            chosen = ColumnMapping.from_dict(state["mapping"])
            figures = mapped_programme(
                before,
                read_sheets(data, name),
                chosen,
                name,
                workstream=state.get("workstream", ""),
            )
    except ProgrammeImportError as error:
        return Prepared(None, None, error.problems)
    return Prepared(figures, compare(before, figures, name), [])


def _preview_rows(prepared: Prepared) -> list[dict[str, Any]]:
    summary, figures = prepared.summary, prepared.figures
    if summary is None or figures is None:
        return []
    status = dict.fromkeys(summary.added, "Added") | dict.fromkeys(summary.updated, "Updated")
    return [
        {
            "line": line,
            "status": status.get(line.reference, "Unchanged"),
            "amounts": _amounts(line, figures),
        }
        for line in figures.lines
    ]


def _rows_with_problems(
    state: dict[str, Any], problems: list[Problem]
) -> list[tuple[int, list[str], list[str]]]:
    """Every row of the mapped sheet below its headings, with that row's problems (shown when
    the upload has any, so each line can be checked against the file)."""
    if not problems or state["kind"] != "mapped" or not state.get("mapping"):
        return []
    chosen = ColumnMapping.from_dict(state["mapping"])
    rows = read_sheets(_data(state), state["name"]).get(chosen.sheet, [])
    by_row: dict[int, list[str]] = {}
    for problem in problems:
        if problem.row is not None:
            by_row.setdefault(problem.row, []).append(
                f"{problem.column}: {problem.message}" if problem.column else problem.message
            )
    shown = []
    for number, values in enumerate(rows[chosen.header_row :], start=chosen.header_row + 1):
        texts = ["" if value is None else str(value) for value in values]
        if any(texts):
            shown.append((number, texts, by_row.get(number, [])))
    return shown


def _amounts(line: LineFigures, figures: ProgrammeFigures) -> list[str]:
    """Each year's amount in pounds, exactly (to the penny)."""
    return [f"{line.amount(year):,.2f}" for year in figures.years]


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def preview(request: HttpRequest) -> HttpResponse:
    plan = request.plan  # type: ignore[attr-defined]
    state = _state(request, plan)
    if state is None:
        return _upload_page(request, UploadForm())
    if state["kind"] == "mapped" and not state.get("mapping"):
        return redirect("imports:mapping")
    prepared = prepare(plan, state)
    if request.method == "POST" and not prepared.problems and prepared.figures is not None:
        return _import(request, plan, state, prepared)
    context = _context(
        request,
        sheet_rows=_rows_with_problems(state, prepared.problems),
        name=state["name"],
        kind=state["kind"],
        problems=prepared.problems,
        errors=[("problems", str(problem)) for problem in prepared.problems],
        rows=_preview_rows(prepared),
        years=prepared.figures.years if prepared.figures else (),
        summary=prepared.summary,
    )
    return render(
        request, "imports/preview.html", context, status=400 if prepared.problems else 200
    )


def _import(
    request: HttpRequest, plan: Plan, state: dict[str, Any], prepared: Prepared
) -> HttpResponse:
    assert prepared.figures is not None and prepared.summary is not None
    save_programme(
        prepared.figures, user=request.user, reason=f"Imported {state['name']} in the browser"
    )
    if state["kind"] == "mapped":
        remember(plan, state["mapping"], state.get("workstream", ""), request.user)
    _discard(request)
    first, *rest = (text.strip().rstrip(".") for text in prepared.summary.describe())
    messages.success(request, f"{first}. {'; '.join(rest)}." if rest else f"{first}.")
    return redirect("lines")


def remember(plan: Plan, mapping_data: dict[str, Any], workstream: str, user: Any) -> None:
    """Keep the mapping (and the default workstream) for the plan's next upload."""
    stored = ImportMapping.objects.filter(plan=plan).first() or ImportMapping(plan=plan)
    stored.mapping = {**mapping_data, "workstream": workstream}
    stored.updated_by = user if getattr(user, "is_authenticated", False) else None
    stored.save()
