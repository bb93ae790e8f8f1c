"""The approved baseline page: approved and current side by side, and the reconciliation
(approved + each movement = current). Thin: read the baseline, lay out the report tables, with
CSV/JSON/XLSX twins (``baseline.csv?table=reconciliation``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from csplan.accounts.access import guard
from csplan.programme import reports
from csplan.programme.baseline import BaselineError, plan_baseline
from csplan.programme.phasing import PhasingForm
from csplan.web.tables import table_html, table_page, twin_links

BASELINE_TABLES = ("baseline", "reconciliation")


def _phasing_form(request: HttpRequest) -> PhasingForm:
    try:
        return PhasingForm(request.GET.get("phasing", PhasingForm.CUMULATIVE.value))
    except ValueError:
        return PhasingForm.CUMULATIVE


@guard()
@login_required
def baseline(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    plan = request.plan
    try:
        found = plan_baseline(plan)
    except BaselineError as error:
        context = {"plan": plan, "error": str(error), "errors": [("baseline", str(error))]}
        return render(request, "web/baseline.html", context, status=404 if fmt else 200)
    form = _phasing_form(request)
    tables = [reports.baseline_report(found, form), reports.reconciliation_report(found, form)]
    wanted = request.GET.get("table")
    if wanted:
        if wanted not in BASELINE_TABLES:
            raise Http404(f"no table {wanted!r} on this page: {', '.join(BASELINE_TABLES)}")
        tables = [table for table in tables if table.name == wanted]
    context = {
        "plan": plan,
        "approval": found.approval,
        "form_toggle": [
            {"value": option.value, "label": option.label, "current": option is form}
            for option in PhasingForm
        ],
        "sections": [
            {"table": table, "html": table_html(table, caption=False),
             "twins": twin_links(request, table=table.name)}
            for table in tables
        ],
    }  # fmt: skip
    return table_page(request, tables, "web/baseline.html", context, fmt=fmt)
