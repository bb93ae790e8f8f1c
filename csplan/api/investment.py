"""Invest-to-save cases: spend, expected and actual savings, net position and payback, and the
capital receipts strategy. A case belongs to a council (not to one plan), so these live under
``/api/investment/``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import PROGRAMME, VIEW
from csplan.api.access import allow
from csplan.api.errors import answers, invalid, not_found
from csplan.api.types import (
    ByYear,
    Input,
    Money,
    MoneyIn,
    Output,
    ShortText,
    TableOut,
    Year,
    YearIn,
    by_year,
    one_of,
    table_out,
    year_of,
)
from csplan.core.money import from_pence
from csplan.investment import reports
from csplan.investment.calculations import (
    capital_receipts_strategy,
    eligibility_problems,
    net_position,
    payback_year,
)
from csplan.investment.case_input import CaseValidationError, write_case
from csplan.investment.models import InvestmentCase, InvestmentSpend
from csplan.investment.store import (
    case_figures,
    cases_for,
    expected_notes,
    record_actual_saving,
)
from csplan.programme.models import Council

router = Router(tags=["investment"])

Category = one_of(InvestmentSpend.Category.values)
Funding = one_of(InvestmentSpend.Funding.values)
Stage = one_of(InvestmentCase.Stage.values)


class SpendOut(Output):
    year: Year
    category: Category
    funding: Funding
    funding_detail: str
    amount: Money
    designed_for_ongoing_savings: bool


class CaseSummary(Output):
    id: int
    reference: str
    name: str
    council: str
    stage: Stage
    url: str


class CaseOut(CaseSummary):
    summary: str
    decision: str
    owner_role: str
    source: str
    savings_note: str
    spend: list[SpendOut]
    expected: ByYear = Field(description="In-year savings expected, £")
    expected_notes: dict[Year, str] = Field(
        description="Notes on the expected savings by year (an assumption, an interpolated figure)"
    )
    actual: ByYear = Field(description="In-year savings realised so far, £")
    total_investment: Money
    payback_year: Year | None = Field(description="When the cumulative net reaches zero")
    problems: list[str] = Field(description="Capital receipts funding that does not qualify")
    tables: list[TableOut] = Field(description="The case's table and its actual savings")


class CouncilStrategy(Output):
    council: str
    table: TableOut


class CaseList(Output):
    cases: list[CaseSummary]
    strategies: list[CouncilStrategy] = Field(
        description="Each council's flexible use of capital receipts strategy"
    )


def case_summary(case: InvestmentCase) -> CaseSummary:
    return CaseSummary(
        id=case.pk,
        reference=case.reference,
        name=case.name,
        council=case.council.name,
        stage=case.stage,
        url=f"/api/investment/cases/{case.pk}",
    )


def case_out(case: InvestmentCase) -> CaseOut:
    figures = case_figures(case)
    notes = expected_notes(case)
    payback = payback_year(net_position(figures))
    return CaseOut(
        **case_summary(case).model_dump(),
        summary=case.summary,
        decision=case.decision,
        owner_role=case.owner_role,
        source=case.source,
        savings_note=case.savings_note,
        spend=[
            SpendOut(
                year=item.year.label,
                category=item.category,
                funding=item.funding,
                funding_detail=item.funding_detail,
                amount=item.amount,
                designed_for_ongoing_savings=item.designed_for_ongoing_savings,
            )
            for item in figures.spend
        ],  # fmt: skip
        expected=by_year(figures.expected),
        expected_notes={year.label: notes[year] for year in sorted(notes)},
        actual=by_year(figures.actual),
        total_investment=figures.total_investment,
        payback_year=payback.label if payback else None,
        problems=eligibility_problems(figures),
        tables=[
            table_out(reports.stored_case_report(case)),
            table_out(reports.actuals_report(figures)),
        ],
    )


def _strategy(council: Council) -> TableOut | None:
    figures = [case_figures(case) for case in cases_for(council)]
    years = sorted({year for f in figures for year in f.years})
    rows = capital_receipts_strategy(figures, years)
    return table_out(reports.strategy_report(rows, years)) if rows else None


@router.get(
    "/investment/cases",
    response=answers(CaseList),
    auth=allow(VIEW),
    operation_id="listInvestmentCases",
    url_name="investment_cases",
    summary="Every invest-to-save case, and each council's capital receipts strategy",
)
def list_cases(request: HttpRequest) -> CaseList:
    cases = cases_for()
    councils = {case.council_id: case.council for case in cases}
    strategies = []
    for council in councils.values():
        table = _strategy(council)
        if table is not None:
            strategies.append(CouncilStrategy(council=council.name, table=table))
    return CaseList(cases=[case_summary(case) for case in cases], strategies=strategies)


def _case(pk: int) -> InvestmentCase:
    found = InvestmentCase.objects.select_related("council").filter(pk=pk).first()
    if found is None:
        raise not_found("case", f"There is no invest-to-save case {pk}")
    return found


@router.get(
    "/investment/cases/{id:case}",
    response=answers(CaseOut),
    auth=allow(VIEW),
    operation_id="getInvestmentCase",
    url_name="investment_case",
    summary="An invest-to-save case: spend, savings, net position and payback",
)
def get_case(request: HttpRequest, case: int) -> CaseOut:
    return case_out(_case(case))


class ActualIn(Input):
    year: YearIn
    amount: MoneyIn = Field(description="The saving realised in the year, £")
    evidence: ShortText = Field("", description="Where the figure comes from")


class ActualOut(Output):
    case: int
    year: Year
    amount: Money
    evidence: str


@router.post(
    "/investment/cases/{id:case}/actuals",
    response=answers(ActualOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="recordActualSaving",
    url_name="investment_actuals",
    summary="Record (or correct) the saving a case realised in a year (finance, admin)",
)
def record_actual(request: HttpRequest, case: int, payload: ActualIn) -> Status[ActualOut]:
    found = _case(case)
    saving = record_actual_saving(
        found, year_of(payload.year), payload.amount, evidence=payload.evidence, user=request.user
    )
    return Status(
        201,
        ActualOut(
            case=found.pk,
            year=payload.year,
            amount=from_pence(saving.amount_pence),
            evidence=saving.evidence,
        ),
    )


class SpendIn(Input):
    year: YearIn
    category: Category
    funding: Funding = Field(
        description="reserve, revenue_budget (a budget pressure), grant or capital_receipts "
        "(the flexible use of capital receipts)"
    )
    amount: MoneyIn = Field(description="The spend in the year, £")
    designed_for_ongoing_savings: bool = Field(
        False, description="Designed to generate ongoing savings (the capital receipts test)"
    )
    funding_detail: ShortText = ""


class ExpectedIn(Input):
    year: YearIn
    amount: MoneyIn = Field(description="The in-year saving expected, £")
    note: ShortText = Field("", description="Where the figure comes from; an assumption says so")


class CaseIn(Input):
    """A whole case: what is sent replaces what was stored (realised savings stay)."""

    reference: str = Field(max_length=40, examples=["BSF"])
    name: ShortText
    council: str | None = Field(
        None, max_length=200, description="The council's name (or send plan); not for a change"
    )
    plan: str | None = Field(None, max_length=100, description="A plan's slug: its council")
    stage: Stage = "outline"
    summary: str = Field("", max_length=20_000)
    decision: ShortText = ""
    owner_role: str = Field("", max_length=200, description="A role, never a name")
    source: str = Field("", max_length=20_000)
    savings_note: str = Field("", max_length=20_000)
    spend: list[SpendIn] = Field(default_factory=list, max_length=200)
    expected: list[ExpectedIn] = Field(default_factory=list, max_length=100)

    def data(self) -> dict:
        return self.model_dump(exclude_none=True)


def _written(payload: CaseIn, request: HttpRequest, case: InvestmentCase | None) -> CaseOut:
    try:
        written = write_case(
            payload.data(),
            case=case,
            user=request.user,
            reason="Changed through the API" if case else "Created through the API",
        )
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return case_out(_case(written.pk))


@router.post(
    "/investment/cases",
    response=answers(CaseOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="createInvestmentCase",
    url_name="investment_cases",
    summary="Create an invest-to-save case: spend and its funding, expected savings (finance)",
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    return Status(201, _written(payload, request, None))


@router.put(
    "/investment/cases/{id:case}",
    response=answers(CaseOut),
    auth=allow(PROGRAMME),
    operation_id="replaceInvestmentCase",
    url_name="investment_case",
    summary="Replace a case's details, spend and expected savings (finance, admin)",
)
def replace_case(request: HttpRequest, case: int, payload: CaseIn) -> CaseOut:
    return _written(payload, request, _case(case))
