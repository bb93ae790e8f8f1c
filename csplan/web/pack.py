"""The pack builder: choose a period and tables, download HTML, PDF or XLSX, or publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from csplan.accounts.access import PROGRAMME, guard
from csplan.core.periods import MonitoringPeriod, PeriodError
from csplan.monitoring.store import latest_period
from csplan.pack.builder import TABLES, PackError
from csplan.pack.models import PublishedPack
from csplan.pack.render import MEDIA_TYPES
from csplan.pack.render import render as render_pack
from csplan.pack.store import pack_for, publish
from csplan.programme.models import Plan
from csplan.web.forms.pack import PackCoverForm
from csplan.web.tables import attachment

FORMATS = ("html", "pdf", "xlsx")


def _plan(request: HttpRequest) -> Plan:
    return request.plan


def _choice(data, plan: Plan) -> tuple[MonitoringPeriod, list[str]]:
    year, month = data.get("year"), data.get("month")
    if year and month:
        period = MonitoringPeriod.parse(year, month)
    else:
        period = latest_period(plan) or MonitoringPeriod(plan.years[0], 1)
    return period, [name for name in data.getlist("tables") if name]


def _attachment(body: bytes, fmt: str, period: MonitoringPeriod) -> HttpResponse:
    return attachment(body, MEDIA_TYPES[fmt], f"pack-{period.year.start}-{period.number:02d}.{fmt}")


@guard()
@login_required
def builder(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    errors: list[str] = []
    try:
        period, tables = _choice(request.GET, plan)
    except PeriodError as error:
        period, tables, errors = MonitoringPeriod(plan.years[0], 1), [], [str(error)]
    fmt = request.GET.get("format")
    if fmt and not errors:
        if fmt not in FORMATS:
            errors.append("Choose HTML, PDF or XLSX")
        else:
            try:
                return _attachment(render_pack(pack_for(plan, period, tables), fmt), fmt, period)
            except PackError as error:
                errors.append(str(error))
    return _builder_page(request, plan, period, tables, errors, PackCoverForm())


def _builder_page(
    request: HttpRequest,
    plan: Plan,
    period: MonitoringPeriod,
    tables: list[str],
    errors: list[str],
    cover: PackCoverForm,
) -> HttpResponse:
    cover_errors = cover.error_list() if cover.is_bound else []
    context = {
        "plan": plan,
        "period": period,
        "years": [str(year) for year in plan.years],
        "months": range(1, 13),
        "choices": [(name, label, not tables or name in tables) for name, label in TABLES.items()],
        "errors": errors,
        "cover": cover,
        "cover_errors": cover_errors,
        "published": plan.published_packs.all()[:20],
    }
    status = 400 if cover_errors else 200
    return render(request, "pack/builder.html", context, status=status)


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def publish_pack(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    try:
        period, tables = _choice(request.POST, plan)
    except PeriodError as error:
        raise Http404(str(error)) from None
    cover = PackCoverForm(request.POST)
    if not cover.is_valid():
        return _builder_page(request, plan, period, tables, [], cover)
    try:
        publish(plan, period, tables or None, user=request.user, cover=cover.cover())
    except PackError as error:
        raise Http404(str(error)) from None
    messages.success(request, f"Published the {period.year} {period.label} pack.")
    return redirect("pack:builder")


@guard()
@login_required
def published_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(f"no format {fmt!r}")
    pack = get_object_or_404(PublishedPack, pk=pk)
    body = {"html": pack.html.encode("utf-8"), "pdf": bytes(pack.pdf), "xlsx": bytes(pack.xlsx)}
    return _attachment(body[fmt], fmt, pack.period)
