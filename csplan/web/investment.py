"""Invest-to-save pages and their CSV/JSON/XLSX twins. Thin: read, lay out, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from csplan.accounts.access import PROGRAMME, guard
from csplan.core.money import MoneyError, to_decimal, to_pence
from csplan.core.periods import FinancialYear, PeriodError
from csplan.core.render import render_html
from csplan.core.table import Table
from csplan.investment import reports
from csplan.investment.calculations import eligibility_problems
from csplan.investment.models import InvestmentCase
from csplan.investment.store import case_figures, cases_for, record_actual_saving
from csplan.programme.models import Council
from csplan.web.tables import TWIN_FORMATS, download


def _twins(name: str, *args: object) -> list[tuple[str, str]]:
    return [(fmt.upper(), reverse(name, args=[*args, fmt])) for fmt in TWIN_FORMATS]


def _strategy(council: Council) -> Table | None:
    return reports.council_strategy_report(council)


@guard()
@login_required
def cases(request: HttpRequest) -> HttpResponse:
    sections = []
    councils: dict[int, Council] = {}
    for case in cases_for():
        figures = case_figures(case)
        councils[case.council_id] = case.council
        sections.append(
            {
                "case": case,
                "problems": eligibility_problems(figures),
                "table": mark_safe(
                    render_html(reports.case_report(figures, note=case.savings_note), caption=False)
                ),
                "twins": _twins("investment:case_table", case.pk),
                "actuals": mark_safe(render_html(reports.actuals_report(figures), caption=False)),
                "actual_twins": _twins("investment:actuals_table", case.pk),
                "years": [str(year) for year in figures.years],
            }
        )
    strategies = []
    for council in councils.values():
        table = _strategy(council)
        if table is not None:
            strategies.append(
                (
                    council,
                    mark_safe(render_html(table, caption=False)),
                    _twins("investment:strategy_table", council.pk),
                )
            )
    errors = request.session.pop("investment_errors", {})
    return render(
        request,
        "investment/cases.html",
        {"sections": sections, "strategies": strategies, "errors": errors},
    )


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def record_actual(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the saving a case realised in a year (the evidence auditors ask for)."""
    case = get_object_or_404(InvestmentCase, pk=pk)
    try:
        year = FinancialYear.parse(request.POST.get("year", ""))
        amount = to_decimal(request.POST.get("amount", ""))
        to_pence(amount)
    except (PeriodError, MoneyError) as error:
        request.session["investment_errors"] = {str(case.pk): f"{error}"}
    else:
        record_actual_saving(case, year, amount, evidence=request.POST.get("evidence", ""),
                             user=request.user)  # fmt: skip
    return redirect(f"{reverse('investment:cases')}#case-{case.pk}")


def _download(result: Table, fmt: str) -> HttpResponse:
    if fmt not in TWIN_FORMATS:
        raise Http404(f"no format {fmt!r}")
    return download([result], fmt)


@guard()
@login_required
def case_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = get_object_or_404(InvestmentCase, pk=pk)
    return _download(reports.case_report(case_figures(case), note=case.savings_note), fmt)


@guard()
@login_required
def actuals_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = get_object_or_404(InvestmentCase, pk=pk)
    return _download(reports.actuals_report(case_figures(case)), fmt)


@guard()
@login_required
def strategy_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    table = _strategy(get_object_or_404(Council, pk=pk))
    if table is None:
        raise Http404("no projects funded from capital receipts")
    return _download(table, fmt)
