"""Business case, equality, consultation and decision pages. Thin: parse, call the store, render.

Tables with numbers have CSV/JSON/XLSX twins (``?format=``; ``&table=`` picks one of a page's
tables). Role checks are added by csplan.accounts; here every page needs a log-in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from csplan.accounts.access import LINE, PROGRAMME, forbidden, guard
from csplan.accounts.permissions import can_set_lifecycle, can_sign_off
from csplan.cases import reports
from csplan.cases.equality import CHARACTERISTICS
from csplan.cases.models import (
    CASE_TEXT_FIELDS,
    BusinessCase,
    Consultation,
    Decision,
    FinanceSignOff,
)
from csplan.cases.rules import LABELS, allowed_moves
from csplan.cases.store import (
    CaseValidationError,
    StaleCaseError,
    business_case_figures,
    change_lifecycle,
    create_business_case,
    equality_ratings,
    line_facts,
    record_consultation,
    record_consultation_outcome,
    record_decision,
    set_equality_rating,
    update_business_case,
)
from csplan.core.money import Unit, format_amount
from csplan.core.render import render_html
from csplan.core.table import Table
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import StaleLineError, line_figures
from csplan.web.forms.cases import (
    BusinessCaseForm,
    ConsultationForm,
    DecisionForm,
    EqualityForm,
    OutcomeForm,
    StatusForm,
)
from csplan.web.plan_resolver import line_of_plan
from csplan.web.tables import attachment, twin_response


def _plan(request: HttpRequest) -> Plan:
    return request.plan


def _plans(plan: Plan) -> list[dict[str, Any]]:
    return [
        {"pk": other.pk, "label": f"{other.council.name}: {other.name}", "current": other == plan}
        for other in Plan.objects.select_related("council").order_by("council__name", "name")
    ]


def _html(table: Table) -> str:
    return mark_safe(render_html(table, caption=False))  # noqa: S308 - cells are escaped


# Where the characteristics' long words may break (a soft hyphen), and "Ref" for "Reference",
# so the matrix's twelve columns fit a 1280 px screen without sideways scrolling.
_WORD_BREAKS = {
    "Reference": "Ref",
    "Disability": "Disa\u00adbility",
    "reassignment": "reassign\u00adment",
    "partnership": "partner\u00adship",
    "Pregnancy": "Preg\u00adnancy",
    "maternity": "mater\u00adnity",
    "Religion": "Reli\u00adgion",
    "orientation": "orien\u00adtation",
}


def _breakable_headings(table: Table) -> Table:
    """The table with soft hyphens in its long headings (the page only; not its twins)."""
    columns = tuple(
        replace(column, heading=" ".join(_WORD_BREAKS.get(w, w) for w in column.heading.split()))
        for column in table.columns
    )
    return replace(table, columns=columns)


def _line(request: HttpRequest, pk: int) -> SavingsLine:
    return line_of_plan(request, pk)


def _twin(request: HttpRequest, tables: dict[str, Table]) -> HttpResponse | None:
    """The twin of the table named by ``?table=`` (the first table when not given)."""
    if request.GET.get("format") is None:
        return None
    name = request.GET.get("table") or next(iter(tables))
    if name not in tables:
        raise Http404(f"no table {name!r} on this page")
    return twin_response(request, tables[name])


# --- business cases ----------------------------------------------------------------------------


@guard()
@login_required
def index(request: HttpRequest) -> HttpResponse:
    plans = []
    for plan in Plan.objects.select_related("council").order_by("council__name", "name"):
        lines = plan.lines.select_related("business_case", "workstream")
        rows = [{"line": line, "case": getattr(line, "business_case", None)} for line in lines]
        plans.append({"plan": plan, "rows": rows, "count": sum(1 for r in rows if r["case"])})
    return render(request, "cases/index.html", {"plans": plans})


def _case_sections(case: BusinessCase) -> list[tuple[str, list[tuple[str, str]]]]:
    label = {name: BusinessCase._meta.get_field(name).verbose_name for name in CASE_TEXT_FIELDS}

    def rows(*names: str) -> list[tuple[str, str]]:
        return [(label[n][:1].upper() + label[n][1:], getattr(case, n) or "Not given")
                for n in names]  # fmt: skip

    return [
        ("Background", rows("why", "if_not")),
        ("Approach", rows("aims", "what_we_are_doing", "assumptions", "constraints",
                          "delivery_options")),  # fmt: skip
        ("Scope", rows("scope_in", "scope_out")),
        ("Cost, savings and benefits", rows("cost_and_savings", "non_financial_benefits")),
        ("Community impact assessment", rows("affected", "positive_impacts", "negative_impacts",
                                             "neutral_impacts", "disproportionate_impacts")),
    ]  # fmt: skip


def _case_context(line: SavingsLine, case: BusinessCase) -> dict[str, Any]:
    figures = line_figures(line)
    effect = figures.budget_effect(line.plan.years)  # a one-off reverses the next year
    saving = figures.full_year_effect
    return {
        "line": line,
        "case": case,
        "overview": [
            ("Project title", case.title),
            ("Reference", line.reference),
            ("Saving (full year effect)", f"£{format_amount(saving, Unit.POUNDS)}"),
            ("Brief description", case.summary or "Not given"),
            ("Senior responsible officer", case.sro_role or "Not given"),
            ("Workstream", line.workstream.name),
            ("Lifecycle status", line.get_lifecycle_display()),
        ],
        "sections": _case_sections(case),
        "savings": list(effect.items()),
        "risks": case.risks.all(),
        "dependencies": case.dependencies.select_related("line"),
    }


@guard()
@login_required
def case_detail(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = _line(request, line_pk)
    case = BusinessCase.objects.filter(line=line).first()
    if case is None:
        return render(request, "cases/no_case.html", {"line": line}, status=404)
    twin = _twin(
        request, {"risks": reports.risk_register(case), "savings": reports.case_savings(line)}
    )
    if twin is not None:
        return twin
    history = case.history.select_related("history_user").order_by("-history_date")[:20]
    return render(request, "cases/case.html", {**_case_context(line, case), "history": history})


def _document(line: SavingsLine, case: BusinessCase) -> str:
    return render_to_string("cases/case_print.html", _case_context(line, case))


@guard()
@login_required
def case_print(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = _line(request, line_pk)
    case = get_object_or_404(BusinessCase, line=line)
    return HttpResponse(_document(line, case))


@guard()
@login_required
def case_pdf(request: HttpRequest, line_pk: int) -> HttpResponse:
    from weasyprint import HTML

    line = _line(request, line_pk)
    case = get_object_or_404(BusinessCase, line=line)
    filename = "business-case-" + line.reference.replace("/", "-").replace(".", "-") + ".pdf"
    pdf = HTML(string=_document(line, case)).write_pdf()
    return attachment(pdf, "application/pdf", filename, inline=True)


def _case_form_page(
    request: HttpRequest, form: BusinessCaseForm, line: SavingsLine, case: BusinessCase | None
) -> HttpResponse:
    return render(
        request,
        "cases/case_form.html",
        {"form": form, "line": line, "case": case, "errors": form.error_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _posted_rows(request: HttpRequest) -> tuple[int, int]:
    """How many risk and dependency rows the submitted form had (less the spare rows)."""
    counts = []
    for name in ("risk_rows", "dependency_rows"):
        text = request.POST.get(name, "")
        counts.append(min(int(text), 50) if text.isdigit() else 0)
    return counts[0], counts[1]


@guard(read=LINE, write=LINE, line_arg="line_pk")
@login_required
def case_edit(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = _line(request, line_pk)
    case = BusinessCase.objects.filter(line=line).first()
    figures = business_case_figures(case) if case else None
    rows = (len(figures.risks), len(figures.dependencies)) if figures else (0, 0)
    if request.method != "POST":
        initial = (
            BusinessCaseForm.initial_for(case, figures)
            if case and figures
            else {"title": line.title, "summary": line.description, "sro_role": line.sro_role}
        )
        form = BusinessCaseForm(line, initial=initial, rows=rows)
        return _case_form_page(request, form, line, case)
    form = BusinessCaseForm(line, request.POST, rows=_posted_rows(request))
    if not form.is_valid():
        return _case_form_page(request, form, line, case)
    try:
        if case is None:
            create_business_case(line, form.figures(), user=request.user)
        else:
            update_business_case(
                case,
                form.figures(),
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
    except CaseValidationError as error:
        form.add_store_errors(error.errors)
        return _case_form_page(request, form, line, case)
    except StaleCaseError as error:
        form.add_error(None, str(error))
        return _case_form_page(request, form, line, case)
    messages.success(request, f"Business case for {line.reference} saved")
    return redirect("cases:case", line_pk=line.pk)


# --- equality ----------------------------------------------------------------------------------


@guard()
@login_required
def equality(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    summary, matrix = reports.equality_annex(plan)
    twin = _twin(request, {"workstreams": summary, "matrix": matrix})
    if twin is not None:
        return twin
    lines = reports.rated_lines(plan)
    return render(
        request,
        "cases/equality.html",
        {
            "plan": plan,
            "plans": _plans(plan),
            "summary_html": _html(summary),
            "matrix_html": _html(_breakable_headings(matrix)),
            "headline": reports.every_workstream_sentence(lines),
            "lines": plan.lines.all(),
            "plan_query": f"plan={plan.pk}&",
        },
    )


@guard(write=LINE, line_arg="line_pk")
@login_required
def line_equality(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = _line(request, line_pk)
    if request.method == "POST":
        form = EqualityForm(request.POST)
        if form.is_valid() and _save_equality(request, form, line):
            messages.success(request, f"Equality impact for {line.reference} saved")
            return redirect("cases:line_equality", line_pk=line.pk)
    else:
        initial = {}
        for code, assessment in equality_ratings(line).items():
            initial[f"{code}_rating"] = assessment.rating if assessment else "not_assessed"
            initial[f"{code}_note"] = assessment.note if assessment else ""
            initial[f"{code}_mitigation"] = assessment.mitigation if assessment else ""
        form = EqualityForm(initial=initial)
    return render(
        request,
        "cases/line_equality.html",
        {"line": line, "form": form, "errors": form.error_list()},
        status=400 if form.is_bound and form.errors else 200,
    )


def _save_equality(request: HttpRequest, form: EqualityForm, line: SavingsLine) -> bool:
    """Save all nine ratings, or none of them when any is refused."""
    data = form.cleaned_data
    try:
        with transaction.atomic():
            errors: dict[str, str] = {}
            for code, _ in CHARACTERISTICS:
                try:
                    set_equality_rating(
                        line,
                        code,
                        data[f"{code}_rating"],
                        note=data[f"{code}_note"],
                        mitigation=data[f"{code}_mitigation"],
                        user=request.user,
                    )
                except CaseValidationError as error:
                    names = dict(CHARACTERISTICS)
                    for name, message in error.errors.items():
                        errors[f"{code}_{name}"] = f"{names[code]}: {message}"
            if errors:
                raise CaseValidationError(errors)
    except CaseValidationError as error:
        form.add_store_errors(error.errors)
        return False
    return True


# --- decisions and consultations ---------------------------------------------------------------


@guard()
@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    register = reports.decisions_register(plan)
    approved = reports.approved_report(plan)
    twin = _twin(request, {"decisions": register, "approved": approved})
    if twin is not None:
        return twin
    return render(
        request,
        "cases/decisions.html",
        {
            "plan": plan,
            "plans": _plans(plan),
            "register_html": _html(register),
            "approved_html": _html(approved),
            "decisions": Decision.objects.filter(plan=plan).prefetch_related("covered__line"),
            "consultations": Consultation.objects.filter(plan=plan).prefetch_related(
                "covered__line"
            ),
            "plan_query": f"plan={plan.pk}&",
        },
    )


def _plan_for_form(request: HttpRequest) -> Plan:
    return request.plan


def _record_page(
    request: HttpRequest, template: str, form: Any, plan: Plan, **extra: Any
) -> HttpResponse:
    return render(
        request,
        template,
        {"form": form, "plan": plan, "errors": form.error_list(), **extra},
        status=400 if form.is_bound and form.errors else 200,
    )


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    plan = _plan_for_form(request)
    form = DecisionForm(plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = record_decision(plan, form.figures(), user=request.user)
        except CaseValidationError as error:
            form.add_store_errors(error.errors)
        else:
            messages.success(request, f"Decision {decision.reference} recorded")
            return redirect(f"{reverse('cases:decisions')}?plan={plan.pk}")
    return _record_page(request, "cases/decision_form.html", form, plan)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    plan = _plan_for_form(request)
    form = ConsultationForm(plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = record_consultation(plan, form.figures(), user=request.user)
        except CaseValidationError as error:
            form.add_store_errors(error.errors)
        else:
            messages.success(request, f"Consultation recorded: {consultation.title}")
            return redirect(f"{reverse('cases:decisions')}?plan={plan.pk}")
    return _record_page(request, "cases/consultation_form.html", form, plan)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def consultation_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation.objects.select_related("plan__council"), pk=pk)
    initial = {"outcome": consultation.outcome, "outcome_note": consultation.outcome_note}
    form = OutcomeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record_consultation_outcome(
                consultation,
                form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
                user=request.user,
            )
        except CaseValidationError as error:
            form.add_store_errors(error.errors)
        else:
            messages.success(request, f"Outcome recorded: {consultation.title}")
            return redirect(f"{reverse('cases:decisions')}?plan={consultation.plan_id}")
    return _record_page(
        request,
        "cases/outcome_form.html",
        form,
        consultation.plan,
        consultation=consultation,
        lines=[covered.line for covered in consultation.covered.select_related("line")],
    )


# --- lifecycle ---------------------------------------------------------------------------------


def _status_page(request: HttpRequest, line: SavingsLine, form: StatusForm) -> HttpResponse:
    facts = line_facts(line)
    return render(
        request,
        "cases/status.html",
        {
            "line": line,
            "form": form,
            "errors": form.error_list(),
            "moves": [LABELS[move] for move in allowed_moves(line.lifecycle)],
            "facts": [
                ("Approval decisions", facts.approval_decisions),
                ("Write-off decisions", facts.write_off_decisions),
                ("Completed consultations", facts.completed_consultations),
                ("Latest public consultation outcome", facts.public_outcome or "None"),
                ("Evidence records", facts.evidence),
                ("Finance sign-offs", facts.finance_sign_offs),
            ],
            "sign_offs": FinanceSignOff.objects.filter(line=line).select_related("signed_off_by"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@guard(write=LINE, line_arg="line_pk")
@login_required
def line_status(request: HttpRequest, line_pk: int) -> HttpResponse:
    line = _line(request, line_pk)
    if request.method != "POST":
        return _status_page(request, line, StatusForm(line, initial={"version": line.version}))
    form = StatusForm(line, request.POST)
    if not form.is_valid():
        return _status_page(request, line, form)
    data = form.cleaned_data
    if not can_set_lifecycle(request.user, line, data["lifecycle"]) or (
        data["signed_off_by_finance"] and not can_sign_off(request.user)
    ):
        return forbidden(request, "Only finance officers can give the finance sign-off.")
    try:
        moved = change_lifecycle(
            line,
            data["lifecycle"],
            user=request.user,
            expected_version=data["version"],
            signed_off_by_finance=data["signed_off_by_finance"],
            sign_off_note=data["sign_off_note"],
            reason=data["reason"],
        )
    except CaseValidationError as error:
        form.add_store_errors(error.errors)
        return _status_page(request, line, form)
    except StaleLineError as error:
        form.add_error(None, str(error))
        return _status_page(request, line, form)
    messages.success(request, f"{moved.reference} is now {moved.get_lifecycle_display().lower()}")
    return redirect("line", pk=moved.pk)
