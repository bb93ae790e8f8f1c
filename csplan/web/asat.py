"""The as-at pages: the programme, its tables and a line as they stood on a past day.

Thin: parse the day (``?as_at=2015-09-16`` or ``?date=16/09/2015``: the changes effective by
its end; with ``&time=17:30``, only those recorded by then), call ``csplan.programme.asat``,
render the same report tables as today's pages (with their CSV/JSON/XLSX twins:
``?as_at=2015-09-16&table=workstreams&format=csv``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

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


def parse_day(date_text: str) -> dt.date:
    """The day ``date_text`` (dd/mm/YYYY or YYYY-MM-DD)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(date_text.strip(), pattern).date()
        except ValueError:
            continue
    raise AsAtError("Enter a date, for example 30/09/2016")


def parse_moment(date_text: str, time_text: str = "") -> dt.datetime:
    """The end of the day ``date_text`` (dd/mm/YYYY or YYYY-MM-DD), or that day at
    ``time_text`` (HH:MM), in the council's time zone."""
    day = parse_day(date_text)
    if time_text.strip():
        try:
            clock = dt.datetime.strptime(time_text.strip(), "%H:%M").time()
        except ValueError:
            raise AsAtError("Enter a time as HH:MM, for example 17:30") from None
    else:
        clock = dt.time(23, 59, 59, 999999)
    return timezone.make_aware(dt.datetime.combine(day, clock))


@dataclass(frozen=True)
class Moment:
    """The day asked for (changes effective by its end) and, with a time, the moment the
    records were read as recorded by."""

    day: dt.date
    recorded_by: dt.datetime | None = None


def _date_text(request: HttpRequest) -> str:
    return request.GET.get("as_at", "") or request.GET.get("date", "")


def _moment(request: HttpRequest) -> Moment | None:
    date_text = _date_text(request)
    if not date_text:
        return None
    time_text = request.GET.get("time", "")
    day = parse_day(date_text)
    return Moment(day, parse_moment(date_text, time_text) if time_text.strip() else None)


@guard()
@login_required
def programme_as_at_page(request: HttpRequest) -> HttpResponse:
    plan = request.plan
    form = {**request.GET.dict(), "date": _date_text(request)}
    context: dict[str, Any] = {"plan": plan, "form": form, "tables": []}
    try:
        moment = _moment(request)
        if moment is not None:
            figures = programme_as_at(plan.pk, moment.day, recorded_by=moment.recorded_by)
            tables = [build(figures) for build in _TABLES.values()]
            wanted = request.GET.get("table")
            if wanted in _TABLES:
                twin = twin_response(request, tables[list(_TABLES).index(wanted)])
                if twin is not None:
                    return twin
            query = urlencode({"as_at": f"{moment.day:%Y-%m-%d}", "time": form.get("time", "")})
            context.update(moment=moment, line_count=len(figures.lines), query=query, tables=[
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
        moment = _moment(request) or Moment(timezone.localdate())
        figures = line_as_at(line.pk, moment.day, recorded_by=moment.recorded_by)
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
