"""Monitoring pages and their CSV/JSON/XLSX twins. Thin: parse, call the store, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from csplan.accounts.access import LINE, PROGRAMME, guard
from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError
from csplan.core.render import render_html
from csplan.core.table import Table
from csplan.monitoring import reports, store
from csplan.monitoring.models import Movement
from csplan.monitoring.movements import MovementKind, MovementSpec
from csplan.programme.asat import AsAtError
from csplan.programme.models import Plan, SavingsLine
from csplan.web.asat import parse_day
from csplan.web.forms.monitoring import MonitoringForm, MovementForm
from csplan.web.plan_resolver import line_of_plan
from csplan.web.tables import TWIN_FORMATS, download


def _plan(request: HttpRequest) -> Plan:
    return request.plan


def period_in_effect(day: date) -> MonitoringPeriod:
    """The last monitoring period in effect on ``day``: the month ending that day, else the
    month before (a month's monitoring takes effect at its end)."""
    period = MonitoringPeriod.containing(day)
    if period.last_day <= day:
        return period
    if period.number > 1:
        return MonitoringPeriod(period.year, period.number - 1)
    return MonitoringPeriod(period.year.previous(), 12)


def _period(request: HttpRequest, plan: Plan) -> MonitoringPeriod:
    """The period asked for (``?year=&month=``, or ``?as_at=`` a day: the month in effect
    then), else the latest with monitoring, else Month 1 of the first year."""
    as_at = request.GET.get("as_at", "").strip()
    if as_at:
        try:
            return period_in_effect(parse_day(as_at))
        except (AsAtError, PeriodError) as error:
            raise Http404(str(error)) from None
    year, month = request.GET.get("year"), request.GET.get("month")
    if year and month:
        try:
            return MonitoringPeriod.parse(year, month)
        except PeriodError as error:
            raise Http404(str(error)) from None
    return store.latest_period(plan) or MonitoringPeriod(plan.years[0], 1)


def _twins(name: str, query: dict[str, str]) -> list[tuple[str, str]]:
    base = {fmt: reverse("monitoring:table", args=[name, fmt]) for fmt in TWIN_FORMATS}
    suffix = f"?{urlencode(query)}" if query else ""
    return [(fmt.upper(), base[fmt] + suffix) for fmt in TWIN_FORMATS]


def _tables(plan: Plan, period: MonitoringPeriod) -> dict[str, Table]:
    return reports.monitoring_tables(plan, period)


@guard()
@login_required
def summary(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    period = _period(request, plan)
    tables = _tables(plan, period)
    query = {"year": str(period.year), "month": str(period.number)}
    lines = plan.lines.select_related("workstream")
    return render(
        request,
        "monitoring/summary.html",
        {
            "plan": plan,
            "period": period,
            "years": [str(year) for year in plan.years],
            "months": range(1, 13),
            "sections": [
                (table.title, mark_safe(render_html(table, caption=False)), _twins(name, query))
                for name, table in tables.items()
            ],
            "lines": lines,
        },
    )


def _table(plan: Plan, name: str, request: HttpRequest) -> Table:
    period = _period(request, plan)
    tables = _tables(plan, period)
    if name in tables:
        return tables[name]
    if name == "movements":
        return reports.movements_report(store.movements_between(plan, None, period), None, period)
    raise Http404(f"no table {name!r}")


@guard()
@login_required
def table(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"no format {fmt!r}")
    result = _table(_plan(request), name, request)
    return _download(result, fmt)


def _download(result: Table, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"no format {fmt!r}")
    return download([result], fmt)


def _line(request: HttpRequest, pk: int) -> SavingsLine:
    return line_of_plan(request, pk)


@guard()
@login_required
def line_history(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    result = reports.history_report(store.line_history(line), line.reference)
    return render(
        request,
        "monitoring/line.html",
        {
            "line": line,
            "table": mark_safe(render_html(result, caption=False)),
            "twins": [
                (fmt.upper(), reverse("monitoring:line_table", args=[line.pk, fmt]))
                for fmt in TWIN_FORMATS
            ],
            "movements": line.movements.all(),
        },
    )


@guard()
@login_required
def line_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"no format {fmt!r}")
    line = _line(request, pk)
    return _download(reports.history_report(store.line_history(line), line.reference), fmt)


def _initial(line: SavingsLine, period: MonitoringPeriod) -> dict:
    """The form starts from the latest record in the year, else from the plan."""
    latest = line.monitoring.filter(year=period.year.start).order_by("-month").first()
    initial = {"year": str(period.year), "month": period.number, "rag": line.rag}
    for year in line.plan.years:
        initial[f"forecast_{year.start}"] = store.planned_in_year(line, year)
    if latest is not None:
        initial.update(rag=latest.rag, achieved_to_date=latest.achieved_to_date)
        for year, amount in latest.forecast_by_year().items():
            initial[f"forecast_{year.start}"] = amount
    return initial


@guard(read=LINE, write=LINE, line_arg="pk")
@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    if request.method == "POST":
        form = MonitoringForm(request.POST, line=line)
        if form.is_valid():
            try:
                period = MonitoringPeriod(
                    FinancialYear.parse(form.cleaned_data["year"]), form.cleaned_data["month"]
                )
                store.record_monitoring(
                    line,
                    period,
                    rag=form.cleaned_data["rag"],
                    forecast=form.forecast(),
                    achieved_to_date=form.cleaned_data["achieved_to_date"] or ZERO,
                    mitigation_amount=form.cleaned_data["mitigation_amount"] or ZERO,
                    mitigation_recurrence=form.cleaned_data["mitigation_recurrence"],
                    commentary=form.cleaned_data["commentary"],
                    explanation=form.cleaned_data["explanation"],
                    mitigation=form.cleaned_data["mitigation"],
                    user=request.user,
                )
            except (PeriodError, store.MonitoringValidationError) as error:
                errors = getattr(error, "errors", {"year": str(error)})
                for field, message in errors.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                return redirect("monitoring:line", pk=line.pk)
    else:
        plan_period = _period(request, line.plan)
        form = MonitoringForm(initial=_initial(line, plan_period), line=line)
    return render(request, "monitoring/record.html", {"line": line, "form": form})


def _movement_form(plan: Plan, data=None) -> MovementForm:
    write_offs = Movement.objects.filter(line__plan=plan, kind=Movement.Kind.WRITE_OFF)
    return MovementForm(data, plan=plan, write_offs=write_offs.select_related("line"))


def _save_movement(plan: Plan, period: MonitoringPeriod, form: MovementForm, user) -> bool:
    """Apply the movement the form describes; False (with errors on the form) if refused."""
    data = form.cleaned_data
    line = get_object_or_404(SavingsLine, pk=data["line"], plan=plan)
    spec = MovementSpec(
        kind=MovementKind(data["kind"]),
        amount=data["amount"],
        year=FinancialYear(int(data["from_year"])),
        to_year=FinancialYear(int(data["to_year"])) if data["to_year"] else None,
        recurrence=data["recurrence"],
        decision_reference=data["decision_reference"],
    )
    replaces = Movement.objects.filter(pk=data["replaces"]).first() if data["replaces"] else None
    try:
        store.apply_movement(
            line,
            spec,
            MonitoringPeriod(period.year, data["month"]),
            reason=data["reason"],
            replaces=replaces,
            user=user,
        )
    except store.MonitoringValidationError as error:
        for field, message in error.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return False
    return True


@guard(write=PROGRAMME)
@login_required
def movements(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    period = _period(request, plan)
    form = _movement_form(plan, request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid() and _save_movement(plan, period, form, request.user):
        query = urlencode({"year": str(period.year), "month": str(form.cleaned_data["month"])})
        return redirect(f"{reverse('monitoring:movements')}?{query}")
    if not form.is_bound:
        form.initial = {"month": period.number, "from_year": str(period.year.start)}
    result = reports.movements_report(store.movements_between(plan, None, period), None, period)
    query = {"year": str(period.year), "month": str(period.number)}
    return render(
        request,
        "monitoring/movements.html",
        {
            "plan": plan,
            "period": period,
            "title": result.title,
            "table": mark_safe(render_html(result, caption=False)),
            "twins": _twins("movements", query),
            "form": form,
        },
    )


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def calibrate(request: HttpRequest) -> HttpResponse:
    """Store delivery probabilities learnt from a year's monitoring, then show the summary."""
    plan = _plan(request)
    try:
        store.calibrate_probabilities(
            plan, FinancialYear.parse(request.POST.get("year", "")), user=request.user
        )
    except (PeriodError, store.MonitoringValidationError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Delivery probabilities calibrated from the council's own record")
    return redirect("monitoring:summary")
