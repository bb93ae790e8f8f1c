"""The plan list: every plan in the database, the way into each, and the default's choice."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from csplan.accounts.access import guard
from csplan.programme.plans import all_plans
from csplan.programme.reports import plans_report
from csplan.programme.store import programme_figures
from csplan.web.plan_resolver import last_plan, plan_address
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
        }
        for plan in plans
    ]
    context = {
        "choices": [c for c in choices if not c["plan"].archived],
        "archived": [c for c in choices if c["plan"].archived],
        "last": last_plan(request),
        "next": rest,
        "summary_html": table_html(table, caption=False),
    }
    return table_page(request, table, "web/plans.html", context, fmt=fmt)
