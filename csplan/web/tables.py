"""The one table view: every page that shows tables has machine-readable twins.

A table page at ``.../workstreams/`` has its twins at the same path with an extension:
``.../workstreams.csv``, ``.json`` and ``.xlsx`` (``?format=csv`` is kept as an alias). A page
with several tables gives all of them in its JSON and XLSX twins and one of them in CSV
(``?table=NAME``, the first by default). Twins carry the page's query (the plan, the date,
filters) so they hold exactly what the page shows, and the plan and date in their metadata.

Views declare their routes with ``table_paths`` and answer with ``table_page``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, register_converter
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import get_valid_filename

from csplan.core import render as renderers
from csplan.core.cache import by_content
from csplan.core.table import Table
from csplan.web.plan_resolver import peek_plan

TWIN_FORMATS = ("csv", "json", "xlsx")
TWIN_LABELS = {"csv": "CSV", "json": "JSON", "xlsx": "Excel (XLSX)"}


class TwinConverter:
    regex = "|".join(TWIN_FORMATS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TwinConverter, "twin")


def table_paths(
    route: str, view: Callable[..., Any], name: str, *, stem: str = ""
) -> list[URLPattern]:
    """The page at ``route`` (ending in ``/`` or empty) and its twins at ``route.fmt``.

    ``stem`` names the twins of a page whose route is empty (the overview) or ends in a
    variable part."""
    base = route.rstrip("/")
    twin = f"{base}.<twin:fmt>" if base and not stem else f"{base}/{stem}.<twin:fmt>".lstrip("/")
    return [path(route, view, name=name), path(twin, view, name=f"{name}_twin")]


def twin_format(request: HttpRequest, fmt: str | None = None) -> str | None:
    """The twin asked for: the address's extension, else ``?format=``; None for the page."""
    chosen = fmt or request.GET.get("format")
    if chosen is None or chosen == "html":
        return None
    if chosen not in TWIN_FORMATS:
        raise Http404(f"no {chosen!r} version of this page: choose {', '.join(TWIN_FORMATS)}")
    return chosen


def _query_without(request: HttpRequest, *names: str) -> str:
    params = [(key, value) for key, value in request.GET.items() if key not in names]
    return urlencode(params)


def twin_links(
    request: HttpRequest,
    table: str | None = None,
    stem: str | None = None,
    page: str | None = None,
) -> list[dict[str, str]]:
    """Links to the page's twins (keeping its query), for the template. ``stem`` is the twins'
    name when the page's own address ends in ``/`` with no name (the overview); ``page`` is the
    page's address when a form posted elsewhere shows it again with its errors."""
    address = page or request.path
    base = f"{address}{stem}" if stem else re.sub(r"/$", "", address)
    query = _query_without(request, "format", "table")
    if table:
        query = f"{query}&table={table}" if query else f"table={table}"
    suffix = f"?{query}" if query else ""
    return [
        {"format": fmt, "label": TWIN_LABELS[fmt], "url": f"{base}.{fmt}{suffix}"}
        for fmt in TWIN_FORMATS
    ]


def attachment(
    body: bytes | str, media_type: str, filename: str, *, inline: bool = False
) -> HttpResponse:
    """Every download's response: the file name made safe (no path, quotes or CR/LF)."""
    response = HttpResponse(body, content_type=media_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{safe_filename(filename)}"'
    return response


def safe_filename(name: str) -> str:
    """A download file name with no path, quotes or control characters (CR/LF included)."""
    cleaned = get_valid_filename(re.sub(r"[\x00-\x1f\x7f/\\\"]+", "_", name)) or "download"
    return cleaned[:120]


def download(
    tables: Sequence[Table],
    fmt: str,
    *,
    table: str | None = None,
    meta: dict[str, str] | None = None,
    stem: str | None = None,
) -> HttpResponse:
    """The twin response of ``tables`` in ``fmt``, named ``stem`` (else by its table)."""
    if not tables:
        raise Http404("this page has no table")
    tables = [_with_meta(t, meta) for t in tables]
    if fmt == "csv" or len(tables) == 1:
        chosen = _pick(tables, table)
        body, media_type, filename = renderers.download(chosen, fmt)
        if stem:
            filename = f"{stem}.{filename.rsplit('.', 1)[-1]}"
        return attachment(body, media_type, filename, inline=fmt == "json")
    name = stem or tables[0].name
    if fmt == "json":
        content: dict[str, Any] = {"tables": [renderers.table_to_dict(t) for t in tables]}
        if meta:
            content["meta"] = meta
        body = json.dumps(content, indent=2, ensure_ascii=False)
        return attachment(body + "\n", renderers.MEDIA_TYPES["json"], f"{name}.json", inline=True)
    return attachment(_workbook(tables), renderers.MEDIA_TYPES["xlsx"], f"{name}.xlsx")


def _with_meta(table: Table, meta: dict[str, str] | None) -> Table:
    if not meta:
        return table
    from dataclasses import replace

    return replace(table, meta={**meta, **dict(table.meta)})


def _pick(tables: Sequence[Table], name: str | None) -> Table:
    if not name:
        return tables[0]
    for table in tables:
        if table.name == name:
            return table
    raise Http404(f"no table {name!r} on this page: {', '.join(t.name for t in tables)}")


def _workbook(tables: Sequence[Table]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        renderers.add_table_sheet(workbook, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_html(table: Table, **options: Any) -> str:
    """The GOV.UK table of ``table`` (every cell escaped by the renderer), kept by content."""
    html = by_content(
        "table_html", (table, options), lambda: renderers.render_html(table, **options)
    )
    return mark_safe(html)  # noqa: S308 - cells are escaped


def plan_meta(request: HttpRequest) -> dict[str, str]:
    """Whose plan: stamped on every twin (pages outside any plan have none)."""
    plan = peek_plan(request)
    if plan is None:
        return {}
    return {"council": plan.council.name, "plan": plan.name, "plan_slug": plan.slug}


def table_page(
    request: HttpRequest,
    tables: Table | Sequence[Table],
    template: str = "web/table_page.html",
    context: dict[str, Any] | None = None,
    *,
    fmt: str | None = None,
    meta: dict[str, str] | None = None,
    status: int = 200,
    stem: str | None = None,
) -> HttpResponse:
    """The page, or its twin when the address asks for one."""
    listed = [tables] if isinstance(tables, Table) else list(tables)
    chosen = twin_format(request, fmt)
    stamp = {**plan_meta(request), **(meta or {})}
    if chosen is not None:
        return download(listed, chosen, table=request.GET.get("table"), meta=stamp)
    shown = [{"table": t, "html": table_html(t, caption=len(listed) > 1)} for t in listed]
    page = {
        "heading": listed[0].title if listed else "",
        "tables": shown,
        "table_html": (
            shown[0]["html"] if len(listed) == 1 else table_html(listed[0], caption=False)
        )
        if listed
        else "",
        "twins": twin_links(request, stem=stem),
        **(context or {}),
    }
    return render(request, template, page, status=status)


def twin_response(
    request: HttpRequest, table: Table, fmt: str | None = None
) -> HttpResponse | None:
    """The twin of one table when the address asks for one; None for the page itself."""
    chosen = twin_format(request, fmt)
    return None if chosen is None else download([table], chosen, meta=plan_meta(request))
