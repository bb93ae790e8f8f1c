"""The benchmark page and its CSV/JSON/XLSX twins. Thin: parse, call, render."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from csplan.accounts import permissions
from csplan.accounts.access import PROGRAMME, guard
from csplan.benchmark.calculations import BenchmarkData, BenchmarkError, resolve_la, trend
from csplan.benchmark.gap import RO3_COST, TARGETS, GapError, GapPlan, gap_from_benchmark
from csplan.benchmark.report import Report, benchmark_report, gap_report
from csplan.benchmark.store import (
    attach_gap_evidence,
    datasets,
    load_benchmark_data,
    neighbour_models,
    save_gap_scenario,
)
from csplan.core.charts.benchmark import Series, trend_svg
from csplan.core.money import round_half_up
from csplan.core.periods import FinancialYear, PeriodError
from csplan.programme.models import SavingsLine
from csplan.web.tables import TWIN_FORMATS, download, table_html

DEFAULT_LA = "E10000015"


def _choices(data: BenchmarkData) -> list[tuple[str, str]]:
    las = [(code, data.areas[code].name) for code in data.la_codes()]
    return sorted(las, key=lambda item: item[1])


def _chart(data: BenchmarkData, la: str, name: str) -> str:
    points = trend(data, la)
    series = [
        Series(name, [(p.year, p.la.rate) for p in points]),
        Series("Neighbours (weighted)", [(p.year, p.neighbours.weighted) for p in points]),
        Series("England", [(p.year, p.england.rate) for p in points]),
    ]
    return trend_svg(f"Children looked after per 10,000: {name}, neighbours and England", series)


def _selected(request: HttpRequest, data: BenchmarkData) -> tuple[str, int]:
    la = resolve_la(data, request.GET.get("la") or _default_la(data))
    year_text = request.GET.get("year") or str(data.years[-1])
    if not year_text.isdigit():
        raise BenchmarkError(f"{year_text!r} is not a year")
    return la, int(year_text)


def _default_la(data: BenchmarkData) -> str:
    codes = data.la_codes()
    return DEFAULT_LA if DEFAULT_LA in codes else codes[0]


def _gap_plan(request: HttpRequest, data: BenchmarkData, la: str, year: int) -> GapPlan | None:
    """The close-the-gap plan the form asks for, or None when the form is not filled in."""
    by, cost = request.GET.get("by", "").strip(), request.GET.get("weekly_cost", "").strip()
    if not by or not cost:
        return None
    target_text = request.GET.get("target", "neighbours").strip()
    try:
        weekly: Decimal | str = (
            RO3_COST
            if cost.lower() == RO3_COST
            else Decimal(cost.replace(",", "").replace("£", ""))
        )
        target: str | Decimal = target_text if target_text in TARGETS else Decimal(target_text)
    except InvalidOperation:
        raise GapError(f"{cost!r} or {target_text!r} is not a number") from None
    try:
        target_year = FinancialYear.parse(by)
    except PeriodError as error:
        raise GapError(str(error)) from None
    return gap_from_benchmark(data, la, year, target, target_year, weekly)


def _gap_query(request: HttpRequest) -> str:
    keys = ("target", "by", "weekly_cost", "neighbours")
    return urlencode({k: request.GET[k] for k in keys if request.GET.get(k)})


def _data(request: HttpRequest) -> BenchmarkData:
    """The benchmark data with the statistical-neighbour model asked for (``?neighbours=2021``
    or ``2025``; the April 2021 groupings by default, as DfE published first)."""
    chosen = request.GET.get("neighbours") or "2021"
    models = neighbour_models()
    if chosen not in ("2021", "2025") or (models and chosen not in models):
        raise Http404(f"the {chosen} statistical-neighbour model is not imported")
    return load_benchmark_data(chosen)


@guard()
@login_required
def benchmark_page(request: HttpRequest) -> HttpResponse:
    data = _data(request)
    context: dict[str, object] = {"datasets": datasets(), "has_data": bool(data.cla),
                                  "models": neighbour_models(),
                                  "neighbours": data.neighbour_model}  # fmt: skip
    if not data.cla:
        return render(request, "benchmark/page.html", context)
    try:
        la, year = _selected(request, data)
        report = benchmark_report(data, la, year)
    except BenchmarkError as error:
        context.update(error=str(error), las=_choices(data), years=data.years)
        return render(request, "benchmark/page.html", context, status=400)
    try:
        plan = _gap_plan(request, data, la, year)
    except (GapError, BenchmarkError) as error:
        plan, context["gap_error"] = None, str(error)
    if plan is not None:
        query = _gap_query(request)
        context["gap"] = _shown(gap_report(plan))
        context["gap_twins"] = [
            (fmt.upper(), reverse("benchmark:gap_export", args=[la, year, fmt]) + "?" + query)
            for fmt in TWIN_FORMATS
        ]
        if permissions.can_edit_programme(request.user):
            context["gap_use_url"] = reverse("benchmark:gap_use", args=[la, year]) + "?" + query
            context["gap_lines"] = SavingsLine.objects.select_related("plan").order_by(
                "plan_id", "position", "id"
            )
            context["gap_multiplier"] = round_half_up(plan.entry_rate_multiplier, 4)
    context.update(
        targets=TARGETS,
        gap_form={k: request.GET.get(k, "") for k in ("target", "by", "weekly_cost")},
        report=report,
        tables=_shown(report),
        las=_choices(data),
        years=data.years,
        selected_la=la,
        selected_year=year,
        chart=mark_safe(_chart(data, la, report.la_name)),  # built with html.escape()
        twins=[
            (
                fmt.upper(),
                reverse("benchmark:export", args=[la, year, fmt])
                + ("?neighbours=2025" if data.neighbour_model == "2025" else ""),
            )
            for fmt in TWIN_FORMATS
        ],
    )
    return render(request, "benchmark/page.html", context)


@guard()
@login_required
def benchmark_export(request: HttpRequest, la: str, year: int, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"unknown format {fmt}")
    data = _data(request)
    try:
        report: Report = benchmark_report(data, resolve_la(data, la), year)
    except BenchmarkError as error:
        raise Http404(str(error)) from None
    return _download(request, report, fmt, f"benchmark-{report.la_code}-{year}")


def _requested_gap(request: HttpRequest, la: str, year: int) -> tuple[str, GapPlan]:
    """The LA's code and the gap the query string asks for (404 when it cannot be planned)."""
    data = _data(request)
    try:
        code = resolve_la(data, la)
        plan = _gap_plan(request, data, code, year)
    except (BenchmarkError, GapError) as error:
        raise Http404(str(error)) from None
    if plan is None:
        raise Http404("give by (a financial year) and weekly_cost")
    return code, plan


@guard()
@login_required
def gap_export(request: HttpRequest, la: str, year: int, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"unknown format {fmt}")
    code, plan = _requested_gap(request, la, year)
    return _download(request, gap_report(plan), fmt, f"gap-{code}-{year}")


@guard(read=None, write=PROGRAMME)
def gap_use(request: HttpRequest, la: str, year: int) -> HttpResponse:
    """Attach the planned gap to a savings line as evidence, or save it as a demand scenario.

    The plan's inputs come in the query string (as on the page); the action in the form.
    """
    code, plan = _requested_gap(request, la, year)
    back = reverse("benchmark:page") + "?" + urlencode({"la": code, "year": year}) + "&"
    back += _gap_query(request) + "#gap"
    if request.POST.get("action") == "scenario":
        scenario = save_gap_scenario(plan, user=request.user)
        messages.success(request, f"Saved the demand scenario \u201c{scenario.name}\u201d.")
        return redirect(reverse("demandweb:scenario", kwargs={"pk": scenario.pk}))
    line = SavingsLine.objects.filter(pk=request.POST.get("line") or 0).first()
    if line is None:
        messages.error(request, "Choose the savings line to attach the gap to.")
        return redirect(back)
    attach_gap_evidence(line, plan, user=request.user)
    messages.success(request, f"Attached the gap to {line.reference} as evidence.")
    return redirect(reverse("line", kwargs={"pk": line.pk}))


def _shown(report: Report) -> list[dict[str, object]]:
    """Each table with its GOV.UK HTML (the core renderer's), for the page."""
    return [{"table": table, "html": table_html(table)} for table in report.tables]


def _download(request: HttpRequest, report: Report, fmt: str, stem: str) -> HttpResponse:
    """The report's twin: every table in JSON and XLSX, one (``?table=``) in CSV."""
    meta = {"report": report.title, "la_code": report.la_code, "la_name": report.la_name,
            "year": str(report.year)}  # fmt: skip
    return download(report.tables, fmt, table=request.GET.get("table"), meta=meta, stem=stem)
