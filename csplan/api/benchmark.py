"""Benchmarks from the published DfE, ONS and MHCLG files: an LA against its statistical
neighbours, and the cost of closing the gap to them by a year. The published figures belong
to no plan (``/api/benchmark/``); a gap attached as evidence belongs to a line, under its plan.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import PROGRAMME, VIEW
from csplan.api.access import allow, line_of
from csplan.api.demand import EvidenceOut, evidence_out
from csplan.api.errors import answers, invalid, not_found
from csplan.api.lines import LINE_PATH
from csplan.api.types import Choice, Input, Output, TableOut, TableRow, YearIn, year_of
from csplan.benchmark.calculations import BenchmarkData, BenchmarkError, resolve_la
from csplan.benchmark.gap import RO3_COST, TARGETS, GapError, GapPlan, gap_from_benchmark
from csplan.benchmark.report import Report, benchmark_report, gap_report
from csplan.benchmark.store import attach_gap_evidence, datasets, load_benchmark_data
from csplan.core.render import table_to_dict

router = Router(tags=["benchmark"])


class SourceFile(Output):
    slot: str
    kind: str
    source_name: str
    sha256: str
    imported_at: datetime
    row_count: int


class Authority(Output):
    code: str = Field(examples=["E10000015"])
    name: str


class BenchmarkIndex(Output):
    sources: list[SourceFile] = Field(description="The published files imported")
    authorities: list[Authority]
    years: list[int] = Field(description="Years ending 31 March with figures")


class NotedRow(TableRow):
    notes: list[str | None] | None = Field(
        None,
        description="Each cell's note (why a published figure is missing, how a published "
        "rate was rounded), null where a cell has none; absent when no cell has one",
    )


class NotedTable(TableOut):
    rows: list[NotedRow]


class BenchmarkReport(Output):
    title: str
    la_code: str
    la_name: str
    year: int = Field(description="The year ending 31 March")
    tables: list[NotedTable] = Field(
        description="Report tables as every table of the API gives them (csplan.core.table)"
    )


def report_out(report: Report) -> BenchmarkReport:
    return BenchmarkReport(
        title=report.title,
        la_code=report.la_code,
        la_name=report.la_name,
        year=report.year,
        tables=[NotedTable.model_validate(table_to_dict(table)) for table in report.tables],
    )


@router.get(
    "/benchmark",
    response=answers(BenchmarkIndex),
    auth=allow(VIEW),
    operation_id="getBenchmarkIndex",
    url_name="benchmark",
    summary="What the benchmark can compare: the files imported, the LAs and the years",
)
def index(request: HttpRequest) -> BenchmarkIndex:
    data = load_benchmark_data()
    return BenchmarkIndex(
        sources=[
            SourceFile(
                slot=d.slot,
                kind=d.kind,
                source_name=d.source_name,
                sha256=d.sha256,
                imported_at=d.imported_at,
                row_count=d.row_count,
            )
            for d in datasets()
        ],  # fmt: skip
        authorities=sorted(
            (Authority(code=code, name=data.areas[code].name) for code in data.la_codes()),
            key=lambda authority: authority.name,
        ),
        years=data.years,
    )


def _la(data: BenchmarkData, la: str) -> str:
    try:
        return resolve_la(data, la)
    except BenchmarkError as error:
        raise not_found("la", str(error)) from None


@router.get(
    "/benchmark/{la}/{id:year}",
    response=answers(BenchmarkReport),
    auth=allow(VIEW),
    operation_id="getBenchmark",
    url_name="benchmark_report",
    summary="An LA against its statistical neighbours and England, 31 March of a year",
)
def get_benchmark(request: HttpRequest, la: str, year: int) -> BenchmarkReport:
    data = load_benchmark_data()
    try:
        return report_out(benchmark_report(data, _la(data, la), year))
    except BenchmarkError as error:
        raise not_found("year", str(error)) from None


class GapChoice(Choice):
    by: YearIn = Field(description="The financial year by which to close the gap")
    weekly_cost: str = Field(
        max_length=20,
        description=f'A child\'s weekly cost in pounds ("893"), or "{RO3_COST}": the LA\'s own '
        "RO3 spend per child looked after",
    )
    target: str = Field(
        "neighbours",
        max_length=20,
        description=f"{', '.join(TARGETS)}, or a rate per 10,000 children",
    )


def gap_plan(la: str, year: int, choice: GapChoice | GapEvidenceIn) -> GapPlan:
    data = load_benchmark_data()
    code = _la(data, la)
    try:
        weekly: Decimal | str = (
            RO3_COST
            if choice.weekly_cost.strip().lower() == RO3_COST
            else _number(choice.weekly_cost)
        )
    except (InvalidOperation, ValueError):
        raise invalid({"weekly_cost": f"Send a weekly cost in pounds or {RO3_COST!r}"}) from None
    try:
        target: str | Decimal = (
            choice.target if choice.target in TARGETS else _number(choice.target)
        )
    except (InvalidOperation, ValueError):
        choices = ", ".join(TARGETS)
        raise invalid({"target": f"Choose {choices} or a rate per 10,000"}) from None
    try:
        return gap_from_benchmark(data, code, year, target, year_of(choice.by), weekly)
    except (GapError, BenchmarkError) as error:
        raise invalid({"gap": str(error)}) from None


def _number(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").replace("£", "").strip())
    if not value.is_finite() or not 0 <= value < 1_000_000:
        raise ValueError(text)
    return value


@router.get(
    "/benchmark/{la}/{id:year}/gap",
    response=answers(BenchmarkReport),
    auth=allow(VIEW),
    operation_id="getBenchmarkGap",
    url_name="benchmark_gap",
    summary="Close the gap to the neighbours (or England, or a rate) by a year, costed",
)
def get_gap(request: HttpRequest, la: str, year: int, choice: Query[GapChoice]) -> BenchmarkReport:
    return report_out(gap_report(gap_plan(la, year, choice)))


class GapEvidenceIn(Input):
    by: YearIn = Field(description="The financial year by which to close the gap")
    weekly_cost: str = Field(
        max_length=20, description=GapChoice.model_fields["weekly_cost"].description
    )
    target: str = Field(
        "neighbours", max_length=20, description=GapChoice.model_fields["target"].description
    )
    la: str = Field(max_length=20, description="The LA's code", examples=["E10000015"])
    year: int = Field(ge=1900, le=2200, description="The year ending 31 March of the figures")


@router.post(
    LINE_PATH + "/benchmark-evidence",
    response=answers(EvidenceOut, status=201),
    auth=allow(PROGRAMME, line="line"),
    operation_id="attachGapEvidence",
    url_name="gap_evidence",
    summary="Attach a close-the-gap plan to the line as evidence (finance, admin)",
)
def attach_gap(
    request: HttpRequest, plan: str, line: int, payload: GapEvidenceIn
) -> Status[EvidenceOut]:
    gap = gap_plan(payload.la, payload.year, payload)
    item = attach_gap_evidence(line_of(request), gap, user=request.user)
    return Status(201, evidence_out(item))
