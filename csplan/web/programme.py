"""The ledger's pages. Thin: read the request, call csplan.programme and csplan.reports, render.

Every table page has machine-readable twins: ``?format=csv``, ``json`` or ``xlsx``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from csplan.accounts.access import LINE, PROGRAMME, forbidden, guard
from csplan.accounts.forms import ThrottledAuthenticationForm
from csplan.accounts.permissions import can_set_lifecycle
from csplan.core import render as renderers
from csplan.core.charts.target import target_chart
from csplan.evidence.models import Evidence
from csplan.monitoring.edits import edit_line, new_line
from csplan.programme import reports
from csplan.programme.calculations import LINE_FILTERS, matching_lines, target_comparison
from csplan.programme.history import line_history
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.phasing import PhasingForm
from csplan.programme.store import (
    LineValidationError,
    StaleLineError,
    line_figures,
    programme_figures,
)
from csplan.web.forms.line import EDIT_ONLY_FIELDS, LineForm
from csplan.web.plan_resolver import line_of_plan, peek_plan, site_url
from csplan.web.position import PositionRefused, chosen_position, refused_page
from csplan.web.tables import (
    download,
    plan_meta,
    table_page,
    twin_format,
    twin_links,
)

TWIN_FORMATS = ("csv", "json", "xlsx")
_NAVIGATION = (
    ("Overview", "overview"),
    ("Workstreams", "workstreams"),
    ("Proposals", "proposals"),
    ("Lines", "lines"),
    ("Monitoring", "monitoring:summary"),
    ("Invest to save", "investment:cases"),
    ("Business cases", "cases:index"),
    ("Equality", "cases:equality"),
    ("Decisions", "cases:decisions"),
    ("Demand", "demandweb:index"),
    ("SEND", "send"),
    ("Levels of need", "needs"),
    ("Benchmark", "benchmark:page"),
    ("Committee pack", "pack:builder"),
)


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The menu of the plan's pages (none outside a plan)."""
    if peek_plan(request) is None:
        return []
    root = reverse("overview")
    items = []
    for label, name in _NAVIGATION:
        url = reverse(name)
        active = request.path == url if url == root else request.path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return items


def page_context(request: HttpRequest) -> dict[str, Any]:
    """What every page's header needs: whose plan it is, the way to another, and the menu."""
    plan = peek_plan(request)
    signed_in = request.user.is_authenticated
    return {
        "current_plan": plan,
        "council_name": plan.council.name if plan else "",
        "plans_url": site_url(request, "plans"),
        "navigation": navigation(request) if signed_in else [],
    }


class SignInView(LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        messages_ = context["form"].non_field_errors() or ["Enter a correct user name and password"]
        context["login_errors"] = [("id_username", message) for message in messages_]
        return context


@guard()
@login_required
def overview(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plan = request.plan
    try:
        position = chosen_position(request)
    except PositionRefused as error:
        return refused_page(request, error)
    figures = position.figures
    comparison = target_comparison(figures)
    table = reports.targets_report(figures)
    context = {
        "plan": plan,
        "comparison": comparison,
        "last": comparison.years[-1],
        "line_count": len(figures.lines),
        "no_target": reports.NO_TARGET_WARNING if not any(figures.targets.values()) else "",
        "chart": mark_safe(target_chart(comparison)),  # noqa: S308 - built from numbers only
        "position": position,
    }
    return table_page(
        request, table, "web/overview.html", context, fmt=fmt, stem="overview", meta=position.meta
    )


@guard()
@login_required
def workstreams(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plan = request.plan
    try:
        position = chosen_position(request)
    except PositionRefused as error:
        return refused_page(request, error)
    table = reports.workstream_report(position.figures)
    context = {"plan": plan, "position": position}
    return table_page(request, table, context=context, fmt=fmt, meta=position.meta)


def _phasing_form(request: HttpRequest) -> PhasingForm:
    try:
        return PhasingForm(request.GET.get("phasing", PhasingForm.CUMULATIVE.value))
    except ValueError:
        return PhasingForm.CUMULATIVE


@guard()
@login_required
def proposals(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plan = request.plan
    form = _phasing_form(request)
    toggle = [
        {"value": option.value, "label": option.label, "current": option is form}
        for option in PhasingForm
    ]
    try:
        position = chosen_position(request)
    except PositionRefused as error:
        return refused_page(request, error)
    table = reports.proposals_report(position.figures, form)
    context = {"plan": plan, "form_toggle": toggle, "position": position}
    return table_page(request, table, context=context, fmt=fmt, meta=position.meta)


@guard()
@login_required
def lines(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plan = request.plan
    figures = programme_figures(plan)
    filters = {name: request.GET.get(name, "").strip() for name in (*LINE_FILTERS, "affects")}
    affecting = _lines_affecting(plan, filters["affects"])
    chosen = matching_lines(figures.lines, filters, affecting)
    table = reports.lines_report(figures, chosen)
    chosen_format = twin_format(request, fmt)
    if chosen_format is not None:
        return download([table], chosen_format, meta=plan_meta(request))
    links = {
        reference: reverse("line", args=[pk])
        for pk, reference in plan.lines.values_list("pk", "reference")
    }
    rows_html = renderers.render_html(table, caption=False, row_links=links)
    return render(
        request,
        "web/lines.html",
        {
            "plan": plan,
            "table_html": mark_safe(rows_html),  # noqa: S308 - escaped by the renderer
            "twins": twin_links(request),
            "filters": filters,
            "workstreams": plan.workstreams.all(),
            "lifecycles": SavingsLine.Lifecycle.choices,
            "rag_key": plan.council.rag_key,
            "sro_roles": sorted({line.sro_role for line in figures.lines if line.sro_role}),
            "characteristics": _characteristics(),
            "shown": len(chosen),
            "total": len(figures.lines),
        },
    )


def _characteristics() -> list[tuple[str, str]]:
    from csplan.cases.models import Characteristic

    return list(Characteristic.choices)


def _lines_affecting(plan: Plan, characteristic: str) -> set[str] | None:
    """The lines rated adverse or positive for a protected characteristic (None: no filter)."""
    if not characteristic or characteristic not in dict(_characteristics()):
        return None
    from csplan.cases.store import lines_affecting

    return lines_affecting(plan, characteristic)


def _summary(line: SavingsLine) -> list[tuple[str, str]]:
    def flag(value: bool | None) -> str:
        return "Not decided" if value is None else ("Yes" if value else "No")

    return [
        ("Service activity", line.service_activity),
        ("Description", line.description),
        ("Impact / issues", line.impact),
        ("Senior responsible officer", line.sro_role),
        ("Lifecycle status", line.get_lifecycle_display()),
        ("Recurrent or one-off", line.get_recurrence_display()),
        ("Key decision", flag(line.key_decision)),
        ("Public consultation", flag(line.public_consultation)),
        ("Staff consultation", flag(line.staff_consultation)),
        ("FTE change", line.fte_note if line.fte is None else f"{line.fte.normalize():f}"),
        ("Version", str(line.version)),
    ]


@guard()
@login_required
def line_detail(request: HttpRequest, pk: int) -> HttpResponse:
    line = line_of_plan(request, pk)
    figures = line_figures(line)
    years = line.plan.years
    incremental, cumulative = figures.budget_effect(years), figures.in_place(years)
    phasing = [
        {"year": year, "incremental": incremental[year], "cumulative": cumulative[year]}
        for year in years
    ]
    rag = next((e for e in line.plan.council.rag_key or () if e.get("code") == line.rag), None)
    return render(
        request,
        "web/line.html",
        {
            "line": line,
            "summary": _summary(line),
            "phasing": phasing,
            "rag": rag,
            "history": line_history(line),
            "evidence": Evidence.objects.filter(line=line),
        },
    )


def _form_page(request: HttpRequest, form: LineForm, line: SavingsLine | None) -> HttpResponse:
    phasing_names = {LineForm.year_field(year) for year in form.years}
    movement_names = set(EDIT_ONLY_FIELDS)
    return render(
        request,
        "web/line_form.html",
        {
            "form": form,
            "line": line,
            "errors": form.error_list(),
            "main_fields": [
                f for f in form if f.name not in phasing_names | movement_names | {"version"}
            ],
            "phasing_fields": [f for f in form if f.name in phasing_names],
            "movement_fields": [f for f in form if f.name in movement_names and line],
            "phasing_form_label": PhasingForm.INCREMENTAL.label.lower(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _save_line(request: HttpRequest, form: LineForm, line: SavingsLine | None) -> HttpResponse:
    try:
        if line is None:
            saved = new_line(form.plan, form.figures(), user=request.user)
        else:
            saved = edit_line(
                line,
                form.figures(),
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
                reason=form.cleaned_data.get("reason", ""),
                movement_kind=form.cleaned_data.get("movement_kind", ""),
            )
    except LineValidationError as error:
        for name, message in error.errors.items():
            form.add_error(name if name in form.fields else None, message)
        return _form_page(request, form, line)
    except StaleLineError as error:
        form.add_error(None, str(error))
        return _form_page(request, form, line)
    messages.success(request, f"{saved.reference} saved")
    return redirect("line", pk=saved.pk)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def line_new(request: HttpRequest) -> HttpResponse:
    plan = request.plan
    if request.method == "POST":
        form = LineForm(plan, request.POST)
        if form.is_valid():
            if not can_set_lifecycle(request.user, None, form.cleaned_data["lifecycle"]):
                return forbidden(request, "Only finance officers can sign a line off.")
            return _save_line(request, form, None)
        return _form_page(request, form, None)
    return _form_page(request, LineForm(plan, initial={"lifecycle": "proposed"}), None)


@guard(read=LINE, write=LINE, line_arg="pk")
@login_required
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = line_of_plan(request, pk)
    if request.method == "POST":
        form = LineForm(line.plan, request.POST)
        if form.is_valid():
            if not can_set_lifecycle(request.user, line, form.cleaned_data["lifecycle"]):
                return forbidden(request, "Only finance officers can sign a line off.")
            return _save_line(request, form, line)
        return _form_page(request, form, line)
    form = LineForm(line.plan, initial=LineForm.initial_for(line, line_figures(line)))
    return _form_page(request, form, line)
