"""Invest-to-save pages and their CSV/JSON/XLSX twins. Thin: read, lay out, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from csplan.accounts.access import PROGRAMME, guard
from csplan.core.money import MoneyError, Unit, in_unit, to_decimal, to_pence
from csplan.core.periods import FinancialYear, PeriodError
from csplan.core.render import render_html
from csplan.core.table import Table
from csplan.investment import reports
from csplan.investment.calculations import CURRENT_DIRECTION, eligibility_problems
from csplan.investment.case_input import FUNDING_SOURCES, CaseValidationError, write_case
from csplan.investment.models import InvestmentCase
from csplan.investment.store import (
    case_figures,
    case_shown_on,
    cases_for_plan,
    record_actual_saving,
)
from csplan.programme.models import Council
from csplan.web.forms.investment import CaseForm
from csplan.web.plan_resolver import peek_plan
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
    plan = peek_plan(request)
    for case in cases_for_plan(plan):
        figures = case_figures(case)
        councils[case.council_id] = case.council
        sections.append(
            {
                "case": case,
                "problems": eligibility_problems(figures),
                "table": mark_safe(render_html(reports.stored_case_report(case), caption=False)),
                "funding": _funding(figures),
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
        {
            "sections": sections,
            "strategies": strategies,
            "errors": errors,
            "direction": CURRENT_DIRECTION,
            "scope_council": plan.council.name if plan is not None else "",
        },
    )


def _case(request: HttpRequest, pk: int) -> InvestmentCase:
    """The case ``pk`` if the address's plan shows it (404 for another council's case)."""
    case = get_object_or_404(InvestmentCase.objects.select_related("council"), pk=pk)
    if not case_shown_on(case, peek_plan(request)):
        raise Http404("That case belongs to another council.")
    return case


def _funding(figures: object) -> list[dict[str, object]]:
    """Each spend item with its funding source and whether capital receipts may fund it."""
    return [
        {
            "year": str(item.year),
            "category": item.category.capitalize(),
            "funding": FUNDING_SOURCES.get(item.funding, item.funding),
            "detail": item.funding_detail,
            "amount": f"{in_unit(item.amount, Unit.THOUSANDS).normalize():,f}",
            "qualifies": "Yes" if item.receipts_eligible else "No",
        }
        for item in figures.spend  # type: ignore[attr-defined]
    ]


def _case_page(request: HttpRequest, form: CaseForm, case: InvestmentCase | None) -> HttpResponse:
    return render(
        request,
        "investment/case_form.html",
        {
            "form": form,
            "case": case,
            "errors": form.error_list() if form.is_bound else [],
            "direction": CURRENT_DIRECTION,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _bound(request: HttpRequest) -> CaseForm:
    def count(name: str) -> int:
        text = request.POST.get(name, "")
        return min(int(text), 200) if text.isdigit() else 0

    return CaseForm(
        request.POST, spend_rows=count("spend_rows"), expected_rows=count("expected_rows")
    )


def _save_case(request: HttpRequest, case: InvestmentCase | None) -> HttpResponse:
    form = _bound(request)
    if form.is_valid():
        try:
            saved = write_case(
                form.case_data(),
                plan=None if case else request.plan,
                case=case,
                unit=Unit.THOUSANDS,
                user=request.user,
                reason="Changed in the web" if case else "Created in the web",
            )
        except CaseValidationError as error:
            form.add_store_errors(error)
        else:
            messages.success(request, f"{saved.reference} saved")
            return redirect(f"{reverse('investment:cases')}#case-{saved.pk}")
    return _case_page(request, form, case)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """A new invest-to-save case of the plan's council."""
    if request.method == "POST":
        return _save_case(request, None)
    return _case_page(request, CaseForm(initial={"stage": "outline"}), None)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a case: its details, spend and funding, expected savings (realised ones stay)."""
    case = _case(request, pk)
    if request.method == "POST":
        return _save_case(request, case)
    return _case_page(request, CaseForm.for_case(case), case)


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def record_actual(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the saving a case realised in a year (the evidence auditors ask for)."""
    case = _case(request, pk)
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
    case = _case(request, pk)
    return _download(reports.stored_case_report(case), fmt)


@guard()
@login_required
def actuals_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    case = _case(request, pk)
    return _download(reports.actuals_report(case_figures(case)), fmt)


@guard()
@login_required
def strategy_table(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    table = _strategy(get_object_or_404(Council, pk=pk))
    if table is None:
        raise Http404("no projects funded from capital receipts")
    return _download(table, fmt)
