"""The plan list: every plan in the database, the way into each, and the default's choice."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from csplan.accounts.access import PROGRAMME, guard
from csplan.programme.models import Council, Plan
from csplan.programme.plans import (
    PlanValidationError,
    StalePlanError,
    all_plans,
    create_plan,
    update_plan,
)
from csplan.programme.reports import plans_report
from csplan.programme.store import programme_figures
from csplan.web.forms.plan import DEFAULT_YEARS, SPARE_ROWS, PlanForm
from csplan.web.plan_resolver import last_plan, plan_address, site_url
from csplan.web.tables import table_html, table_page, twin_format


@guard()
@login_required
def plan_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plans = list(all_plans())
    table = plans_report([(programme_figures(plan), plan.archived) for plan in plans])
    if twin_format(request, fmt) is not None:
        return table_page(request, table, fmt=fmt)
    wanted = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(wanted, None) or not wanted.startswith("/"):
        wanted = "/"
    rest = wanted.lstrip("/")
    choices = [
        {
            "plan": plan,
            "url": plan_address(plan, "", request),
            "continue_url": plan_address(plan, rest, request) if rest else "",
            "settings_url": plan_address(plan, "settings/", request),
        }
        for plan in plans
    ]
    context = {
        "choices": [c for c in choices if not c["plan"].archived],
        "archived": [c for c in choices if c["plan"].archived],
        "last": last_plan(request),
        "next": rest,
        "summary_html": table_html(table, caption=False),
        "new_plan_url": site_url(request, "plan_new"),
    }
    return table_page(request, table, "web/plans.html", context, fmt=fmt)


#: The button that redraws the form (the target boxes of the years typed, more workstream
#: rows) without saving: the form works without JavaScript.
REDRAW = "redraw"


def _form_page(request: HttpRequest, form: PlanForm) -> HttpResponse:
    return render(
        request,
        "web/plan_form.html",
        {
            "form": form,
            "plan": form.plan,
            "errors": form.error_list() if form.is_bound else [],
            "councils": Council.objects.order_by("name").values_list("name", flat=True),
            "redraw": REDRAW,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _rows(request: HttpRequest) -> int:
    """The workstream rows the form showed (a hidden field; at most 200)."""
    text = request.POST.get("rows", "")
    return min(int(text), 200) if text.isdigit() else 0


def _redrawn(request: HttpRequest, plan: Plan | None) -> PlanForm:
    return PlanForm(plan, initial=request.POST.dict(), rows=_rows(request) + SPARE_ROWS)


def _saved(request: HttpRequest, form: PlanForm) -> HttpResponse:
    data = form.cleaned_data
    try:
        if form.plan is None:
            plan = create_plan(
                data["name"], data["council"], data["year_list"], targets=data["targets"],
                workstreams=data["workstreams"], department=data["department"],
                la_code=data["la_code"], user=request.user,
            )  # fmt: skip
        else:
            plan = update_plan(
                form.plan, name=data["name"], department=data["department"],
                years=data["year_list"], targets=data["targets"],
                workstreams=data["workstreams"], workstream_ids=data["workstream_ids"],
                expected_version=data.get("version"), user=request.user,
                reason="Plan settings changed in the web",
            )  # fmt: skip
    except PlanValidationError as error:
        form.add_store_errors(error)
        return _form_page(request, form)
    except StalePlanError as error:
        form.add_error(None, str(error)[:1].upper() + str(error)[1:])
        return _form_page(request, form)
    messages.success(request, f"{plan.council.name}: {plan.name} saved")
    return HttpResponseRedirect(plan_address(plan, "settings/", request))


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    """Create a plan: its council (existing or new), years, targets and workstreams."""
    if request.method == "POST":
        if REDRAW in request.POST:
            return _form_page(request, _redrawn(request, None))
        form = PlanForm(None, request.POST, rows=_rows(request))
        return _saved(request, form) if form.is_valid() else _form_page(request, form)
    initial = {"years": DEFAULT_YEARS, "department": "Children's Services"}
    return _form_page(request, PlanForm(None, initial=initial))


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def plan_settings(request: HttpRequest) -> HttpResponse:
    """Change the address's plan: name, years, targets, workstreams and budgets."""
    plan = request.plan
    if request.method == "POST":
        if REDRAW in request.POST:
            return _form_page(request, _redrawn(request, plan))
        form = PlanForm(plan, request.POST, rows=_rows(request))
        return _saved(request, form) if form.is_valid() else _form_page(request, form)
    return _form_page(request, PlanForm(plan, initial=PlanForm.initial_for(plan)))
