"""Plans: list them, then read one's programme (council, years, targets, workstreams) and its
committee tables. Every other plan's data lives under ``/api/plans/{plan}/``."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from csplan.accounts.access import VIEW
from csplan.api.access import allow, plan_of
from csplan.api.errors import answers, invalid, not_found
from csplan.api.types import (
    ByYear,
    Choice,
    Money,
    Output,
    TableOut,
    Year,
    by_year,
    one_of,
    table_out,
)
from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.asat import AsAtError
from csplan.programme.baseline import BaselineError, plan_baseline, programme_on
from csplan.programme.models import Plan
from csplan.programme.phasing import PhasingForm
from csplan.programme.plans import active_plans, all_plans
from csplan.programme.reports import (
    REPORTS,
    baseline_report,
    build_report,
    reconciliation_report,
)

router = Router(tags=["plans"])

PlanSlug = str


class PlanSummary(Output):
    slug: str = Field(description="The plan's name in addresses: /api/plans/{slug}/...")
    name: str
    council: str
    department: str
    years: list[Year]
    archived: bool
    url: str


class PlanList(Output):
    plans: list[PlanSummary]


class Council(Output):
    name: str
    la_code: str
    sign_convention: str = Field(description="Whether the council writes savings as positive")
    rag_key: list[dict[str, str]] = Field(description="The council's delivery-confidence key")


class Workstream(Output):
    id: int
    name: str
    budget: Money = Field(description="The workstream's budget, £")
    is_workstream: bool


class Programme(Output):
    plan: PlanSummary
    council: Council
    targets: ByYear = Field(description="The savings target by financial year, £")
    workstreams: list[Workstream]


def plan_summary(plan: Plan) -> PlanSummary:
    return PlanSummary(
        slug=plan.slug,
        name=plan.name,
        council=plan.council.name,
        department=plan.department,
        years=[year.label for year in plan.years],
        archived=plan.archived,
        url=f"/api/plans/{plan.slug}",
    )


class PlanFilter(Choice):
    archived: bool = Field(False, description="Include archived plans")


@router.get(
    "/plans",
    response=answers(PlanList),
    auth=allow(VIEW),
    operation_id="listPlans",
    url_name="plans",
    summary="The plans: each one's slug names it in every other address",
)
def list_plans(request: HttpRequest, filters: Query[PlanFilter]) -> PlanList:
    chosen = all_plans() if filters.archived else active_plans()
    return PlanList(plans=[plan_summary(plan) for plan in chosen])


@router.get(
    "/plans/{plan}",
    response=answers(Programme),
    auth=allow(VIEW),
    operation_id="getPlan",
    url_name="plan",
    summary="A plan's programme: council, years, targets and workstreams",
)
def get_plan(request: HttpRequest, plan: PlanSlug) -> Programme:
    found = plan_of(request)
    council = found.council
    return Programme(
        plan=plan_summary(found),
        council=Council(
            name=council.name,
            la_code=council.la_code,
            sign_convention=council.sign_convention,
            rag_key=[dict(entry) for entry in council.rag_key or ()],
        ),
        targets=by_year(
            {FinancialYear(t.year): from_pence(t.amount_pence) for t in found.targets.all()}
        ),
        workstreams=[
            Workstream(
                id=w.pk,
                name=w.name,
                budget=from_pence(w.budget_pence),
                is_workstream=w.is_workstream,
            )
            for w in found.workstreams.all()
        ],
    )


Form = one_of(form.value for form in PhasingForm)
TableName = Literal["workstreams", "proposals", "targets", "baseline", "reconciliation"]
BASELINE_TABLES = ("baseline", "reconciliation")


class TableChoice(Choice):
    phasing: Form = Field(
        PhasingForm.CUMULATIVE.value,
        description="For the proposals, baseline and reconciliation tables: the form of years",
    )
    as_at: dt.date | None = Field(
        None,
        description="The programme as it stood that day (YYYY-MM-DD): its changes in effect by "
        "then (workstreams, proposals, targets)",
    )
    basis: Literal["current", "approved"] = Field(
        "current",
        description="The figures now, or as approved by the plan's approval decision "
        "(workstreams, proposals, targets)",
    )


@router.get(
    "/plans/{plan}/tables/{name}",
    response=answers(TableOut),
    auth=allow(VIEW),
    operation_id="getPlanTable",
    url_name="plan_table",
    summary=f"A committee table of the plan: {', '.join((*REPORTS, *BASELINE_TABLES))} (as the "
    "pages show them; as at a day or as approved)",
)
def get_plan_table(
    request: HttpRequest, plan: PlanSlug, name: TableName, choice: Query[TableChoice]
) -> TableOut:
    found, form = plan_of(request), PhasingForm(choice.phasing)
    dated = choice.as_at is not None or choice.basis != "current"
    try:
        if name in BASELINE_TABLES:
            if dated:
                raise invalid({"name": f"The {name} table is not dated: leave out as_at and basis"})
            baseline = plan_baseline(found)
            report = baseline_report if name == "baseline" else reconciliation_report
            return table_out(report(baseline, form))
        figures = programme_on(found, as_at=choice.as_at, basis=choice.basis)
    except AsAtError as error:
        raise not_found("as_at", str(error)) from None
    except BaselineError as error:
        raise not_found("basis", str(error)) from None
    except ValueError as error:
        raise invalid({"basis": str(error)}) from None
    return table_out(build_report(name, figures, form))
