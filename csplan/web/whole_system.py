"""The whole-system demand pages: EHC plans and SEN transport, and levels of need from referral
to care, for an LA, from the published files imported into the benchmark store. Each page has
its twins (``send.csv?table=NAME``, ``send.json``, ``send.xlsx``: the one table view).
Thin: parse, call the libraries, render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from csplan.accounts.access import guard
from csplan.benchmark.calculations import BenchmarkData, BenchmarkError
from csplan.benchmark.store import load_benchmark_data, load_series, neighbour_models
from csplan.benchmark.system import comparison_table, needs_comparisons, send_comparisons
from csplan.core.charts.fan import FanPoint, fan_chart_svg, legend_svg
from csplan.core.table import Table
from csplan.demand.annual.series import SeriesError, SeriesSet
from csplan.web.tables import table_html, table_page, twin_links

SEND_KINDS = ("ehcp_caseload", "ehcp_new_plans", "ehcp_requests", "ehcp_ceased", "ehcp_assessments")
NEEDS_KINDS = ("cin", "referrals", "cpp_at31", "cpp_started", "cla_placements")
YEARS = 5


def _neighbours(request: HttpRequest) -> tuple[str, list[str]]:
    models = neighbour_models()
    chosen = request.GET.get("neighbours") or (models[0] if models else "2021")
    if models and chosen not in models:
        raise Http404(f"the {chosen} statistical-neighbour model is not imported")
    return chosen, models


def _la_choices(series: SeriesSet, measure: str) -> list[tuple[str, str]]:
    found = [
        (code, series.area(code).name)
        for code in series.la_codes()
        if series.area(code).series(measure)
    ]
    return sorted(found, key=lambda item: item[1])


def _sections(request: HttpRequest, tables: list[Table]) -> list[tuple[str, Any, list]]:
    return [
        (t.title, table_html(t, caption=False), twin_links(request, table=t.name)) for t in tables
    ]


def _fan(
    chart_id: str,
    title: str,
    words: str,
    actuals: list[tuple[dt.date, float]],
    days: list[dt.date],
    bands: Any,
) -> str:
    """A yearly fan chart: one tick a year (every other year beyond eight), by year."""
    forecast = [
        FanPoint(day, float(bands[0, i]), float(bands[1, i]), float(bands[2, i]))
        for i, day in enumerate(days)
    ]
    every = [day for day, _ in actuals] + days
    step = 1 if len(every) <= 8 else 2
    return fan_chart_svg(
        chart_id=chart_id,
        title=title,
        description=words,
        actuals=actuals,
        forecast=forecast,
        ticks=[(day, str(day.year)) for day in every[::step]],
    )


def _benchmark(
    data: BenchmarkData,
    series: SeriesSet,
    la: str,
    year: int,
    build: Callable,
    name: str,
    subject: str,
) -> Table | None:
    """The LA against its neighbours (None when the neighbours are not imported)."""
    if not data.neighbours.get(la):
        return None
    try:
        return comparison_table(data, la, year, build(data, series, la, year), name, subject)
    except BenchmarkError:
        return None


def _page(
    request: HttpRequest,
    fmt: str | None,
    *,
    kinds: tuple[str, ...],
    measure: str,
    heading: str,
    intro: str,
    build: Callable[[Any, SeriesSet, str], tuple[list[Table], str, str, str]],
) -> HttpResponse:
    series = load_series(kinds)
    choices = _la_choices(series, measure)
    context: dict[str, Any] = {"heading": heading, "intro": intro, "las": choices}
    if not choices:
        return render(request, "whole_system/page.html", context)
    neighbours, models = _neighbours(request)
    la = request.GET.get("la") or choices[0][0]
    try:
        area = series.resolve(la)
        tables, chart, chart_words, note = build(area, series, neighbours)
    except SeriesError as error:
        context.update(error=str(error), selected_la=la)
        return render(request, "whole_system/page.html", context, status=400)
    context.update(
        selected_la=area.code,
        area=area,
        models=models,
        neighbours=neighbours,
        chart=mark_safe(chart),  # noqa: S308 - the chart escapes its text
        legend=mark_safe(legend_svg()),  # noqa: S308 - fixed markup
        chart_words=chart_words,
        note=note,
        sections=_sections(request, tables),
        sources=[f"{s.name} (sha256 {s.sha256[:12]})" for s in series.sources],
    )
    return table_page(
        request,
        tables,
        "whole_system/page.html",
        context,
        fmt=fmt,
        meta={"la": area.code, "neighbours": neighbours},
    )


# --------------------------------------------------------------------------- SEND


def _send_tables(
    area: Any, series: SeriesSet, neighbours: str
) -> tuple[list[Table], str, str, str]:
    from csplan.demand.send import reports
    from csplan.demand.send.costs import cost_send
    from csplan.demand.send.model import fit_send, forecast_send, load_options

    result = forecast_send(fit_send(area, options=load_options()), YEARS)
    tables = [reports.plans_table(result)]
    by_age = reports.ages_table(result)
    if by_age is not None:
        tables.append(by_age)
    tables.append(reports.costs_table(cost_send(result)))
    comparison = _benchmark(
        load_benchmark_data(neighbours),
        series,
        area.code,
        result.fit.origin,
        send_comparisons,
        "send_benchmark",
        "EHC plans",
    )
    if comparison is not None:
        tables.append(comparison)
    bands = result.bands()
    history = sorted(result.fit.history.items())
    words = (
        f"EHC plans in January, published to {result.fit.origin}, then the forecast to January "
        f"{result.years[-1]}: {result.total_expected[-1]:,.0f} expected, {bands[0, -1]:,.0f} "
        f"to {bands[2, -1]:,.0f} (10th to 90th percentile)."
    )
    chart = _fan(
        "ehc-plans",
        f"EHC plans in January: {area.name}",
        words,
        [(dt.date(y, 1, 1), float(sum(g.values()))) for y, g in history],
        [dt.date(y, 1, 1) for y in result.years],
        bands,
    )
    note = (
        "Costs use csplan's illustrative unit costs and transport figures; `csplan send "
        "forecast PATH --unit-costs FILE --transport FILE` takes the council's own, and "
        "`csplan send scenario` costs a scenario and attaches it to a savings line."
    )
    return tables, chart, words, note


@guard()
@login_required
def send_page(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    return _page(
        request,
        fmt,
        kinds=SEND_KINDS,
        measure="plans",
        build=_send_tables,
        heading="EHC plans and SEN transport",
        intro="EHC plans in January by setting, forecast with 80% bands from DfE's published "
        "figures, their placement and home-to-school transport cost by financial year, "
        "and the LA against its statistical neighbours.",
    )


# --------------------------------------------------------------------------- needs


def _needs_tables(
    area: Any, series: SeriesSet, neighbours: str
) -> tuple[list[Table], str, str, str]:
    from csplan.demand.needs.model import fit_needs, forecast_needs, load_options
    from csplan.demand.needs.reports import flows_table

    data = load_benchmark_data(neighbours)
    _add_care(area, data)
    result = forecast_needs(fit_needs(area, options=load_options()), YEARS)
    tables = [flows_table(result)]
    comparison = _benchmark(
        data,
        series,
        area.code,
        result.fit.origin,
        needs_comparisons,
        "needs_benchmark",
        "Levels of need",
    )
    if comparison is not None:
        tables.append(comparison)
    measure = "cla_at31" if "cla_at31" in result.expected else "cin_at31"
    bands = result.bands(measure)
    label = "Children looked after" if measure == "cla_at31" else "Children in need"
    history = sorted(result.fit.history.get(measure, {}).items())
    words = (
        f"{label} on 31 March, published to {result.fit.origin}, then the forecast to "
        f"{result.years[-1]}: {result.expected[measure][-1]:,.0f} expected, "
        f"{bands[0, -1]:,.0f} to {bands[2, -1]:,.0f} (10th to 90th percentile)."
    )
    chart = _fan(
        "needs",
        f"{label} on 31 March: {area.name}",
        words,
        [(dt.date(y, 3, 31), float(v)) for y, v in history],
        [dt.date(y, 3, 31) for y in result.years],
        bands,
    )
    note = (
        "`csplan needs scenario PATH SCENARIO --la CODE --returns SSDA903 --attach REF` "
        "turns earlier help, step-down or fewer escalations into fewer children entering "
        "care and the placement money that follows (the children-looked-after model)."
    )
    return tables, chart, words, note


def _add_care(area: Any, data: BenchmarkData) -> None:
    """Children looked after from the benchmark's DfE file, beside the children-in-need
    figures (the flow into care needs both)."""
    names = {"looked_after": "cla_at31", "starts": "cla_started", "ceased": "cla_ceased"}
    for (year, code, measure), row in data.cla.items():
        if code == area.code and row.count is not None:
            area.put(names[measure], year, row.count)
    for (year, code), people in data.population.items():
        if code == area.code:
            area.put("population", year, people)


@guard()
@login_required
def needs_page(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    return _page(
        request,
        fmt,
        kinds=NEEDS_KINDS,
        measure="cin_at31",
        build=_needs_tables,
        heading="Levels of need: referral to care",
        intro="Referrals, children in need, child protection plans and children looked after as "
        "one flow, forecast with 80% bands from DfE's published figures, with rates per "
        "10,000 children and the LA against its statistical neighbours.",
    )
