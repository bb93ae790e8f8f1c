"""The as-at pages: the programme, its tables and a line as they stood at a past moment.

Thin: parse the moment, call ``csplan.programme.asat``, render the same report tables as
today's pages (with their CSV/JSON/XLSX twins: ``?table=workstreams&format=csv``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from csplan.accounts.access import guard
from csplan.core import render as renderers
from csplan.programme import reports
from csplan.programme.asat import AsAtError, line_as_at, programme_as_at
from csplan.web.plan_resolver import line_of_plan
from csplan.web.tables import twin_response

_TABLES = {
    "targets": reports.targets_report,
    "workstreams": reports.workstream_report,
    "proposals": reports.proposals_report,
}


def parse_moment(date_text: str, time_text: str = "") -> dt.datetime:
    """The end of the day ``date_text`` (dd/mm/YYYY or YYYY-MM-DD), or that day at
    ``time_text`` (HH:MM), in the council's time zone."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(date_text.strip(), pattern).date()
            break
        except ValueError:
            continue
    else:
        raise AsAtError("Enter a date, for example 30/09/2016")
    if time_text.strip():
        try:
            clock = dt.datetime.strptime(time_text.strip(), "%H:%M").time()
        except ValueError:
            raise AsAtError("Enter a time as HH:MM, for example 17:30") from None
    else:
        clock = dt.time(23, 59, 59, 999999)
    return timezone.make_aware(dt.datetime.combine(day, clock))


def _moment(request: HttpRequest) -> dt.datetime | None:
    date_text = request.GET.get("date", "")
    if not date_text:
        return None
    return parse_moment(date_text, request.GET.get("time", ""))


@guard()
@login_required
def programme_as_at_page(request: HttpRequest) -> HttpResponse:
    plan = request.plan
    context: dict[str, Any] = {"plan": plan, "form": request.GET.dict(), "tables": []}
    try:
        moment = _moment(request)
        if moment is not None:
            figures = programme_as_at(plan.pk, moment)
            tables = [build(figures) for build in _TABLES.values()]
            wanted = request.GET.get("table")
            if wanted in _TABLES:
                twin = twin_response(request, tables[list(_TABLES).index(wanted)])
                if twin is not None:
                    return twin
            context.update(moment=moment, line_count=len(figures.lines), tables=[
                {"key": key, "title": t.title, "html": mark_safe(renderers.render_html(t))}  # noqa: S308 - cells are escaped
                for key, t in zip(_TABLES, tables, strict=True)
            ])  # fmt: skip
    except AsAtError as error:
        context.update(error=str(error), errors=[("date", str(error))])
        return render(request, "web/as_at.html", context, status=400)
    return render(request, "web/as_at.html", context)


@guard()
@login_required
def line_as_at_page(request: HttpRequest, pk: int) -> HttpResponse:
    line = line_of_plan(request, pk)
    context: dict[str, Any] = {"plan": line.plan, "line": line, "form": request.GET.dict()}
    try:
        moment = _moment(request) or timezone.now()
        figures = line_as_at(line.pk, moment)
    except AsAtError as error:
        context.update(error=str(error), errors=[("date", str(error))])
        return render(request, "web/line_as_at.html", context, status=400)
    years = line.plan.years
    context.update(
        moment=moment,
        figures=figures,
        phasing=[(year, figures.amount(year)) for year in years],
        total=figures.full_year_effect,
    )
    return render(request, "web/line_as_at.html", context)
