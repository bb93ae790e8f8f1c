"""The demand model's stored data: SSDA903 data sets (upload, validation), forecasts with their
placement costs, scenarios, and demand evidence attached to a savings line.

Data sets and scenarios are shared by every plan, so they live under ``/api/demand/``; the
evidence belongs to a line, under its plan. Thin: ``csplan.forecasts.services`` does the work.
Children counts are the model's numbers (not money); costs are money, exact to the penny.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import PROGRAMME, VIEW
from csplan.api.access import allow, line_of
from csplan.api.errors import answers, invalid, not_found
from csplan.api.lines import LINE_PATH
from csplan.api.types import (
    ByYear,
    Choice,
    Id,
    Input,
    Money,
    Output,
    ShortText,
    Text,
    Year,
    by_year,
    one_of,
)
from csplan.evidence.models import Evidence
from csplan.forecasts import services
from csplan.forecasts.models import Dataset, Scenario
from csplan.forecasts.uploads import UploadRefused, describe_size, max_upload_bytes, read_upload
from csplan.programme.models import Council

router = Router(tags=["demand"])

EvidenceKind = one_of(Evidence.Kind.values)

#: Room for the form's other fields and the multipart boundaries on top of the files.
FORM_OVERHEAD = 64 * 1024


# --- data sets ---------------------------------------------------------------------------------


class DatasetOut(Output):
    id: int
    name: str
    uploaded_at: datetime
    data_hash: str = Field(description="sha256 of the returns as read: every result names it")
    last_date: date | None = Field(description="The last date the data covers")
    episode_count: int
    child_count: int
    total_size: int = Field(description="Bytes of all the files")
    council: str | None = Field(
        default=None, description="Whose returns: its unit costs price the forecasts"
    )
    url: str


class DatasetList(Output):
    datasets: list[DatasetOut]


class FileOut(Output):
    name: str
    size: int
    sha256: str


class Issue(Output):
    file: str | None = None
    row: int | str | None = None
    column: str | None = None
    child: str | None = None
    rule: str | None = None
    message: str | None = None
    action: str | None = None
    severity: str | None = None


class Finding(Output):
    rule: str | None = None
    file: str | None = None
    row: int | str | None = None
    child: str | None = None
    message: str | None = None
    false_positive: bool = False


class DfeValidation(Output):
    status: str = Field(description="Whether the DfE validator ran, and how")
    ran_at: datetime | None
    message: str
    findings: list[Finding]


class DatasetDetail(Output):
    dataset: DatasetOut
    files: list[FileOut]
    input_issues: list[Issue] = Field(description="Problems found reading the files")
    dfe: DfeValidation | None


def dataset_out(dataset: Dataset) -> DatasetOut:
    return DatasetOut(
        id=dataset.pk,
        name=dataset.name,
        uploaded_at=dataset.uploaded_at,
        data_hash=dataset.data_hash,
        last_date=dataset.last_date,
        episode_count=dataset.episode_count,
        child_count=dataset.child_count,
        total_size=dataset.total_size,
        council=dataset.council.name if dataset.council else None,
        url=f"/api/demand/datasets/{dataset.pk}",
    )


def _picked(item: dict[str, Any], model: type[Output]) -> dict[str, Any]:
    return {key: item.get(key) for key in model.model_fields if item.get(key) is not None}


def dataset_detail(dataset: Dataset) -> DatasetDetail:
    report = getattr(dataset, "report", None)
    dfe = None
    if report is not None:
        dfe = DfeValidation(
            status=report.dfe_status,
            ran_at=report.dfe_ran_at,
            message=report.dfe_message,
            findings=[Finding(**_picked(f, Finding)) for f in report.dfe_findings],
        )
    return DatasetDetail(
        dataset=dataset_out(dataset),
        files=[
            FileOut(name=f.name, size=f.size, sha256=f.sha256)
            for f in dataset.files.defer("content")
        ],
        input_issues=[Issue(**_picked(i, Issue)) for i in (report.input_issues if report else [])],
        dfe=dfe,
    )


def _dataset(pk: int) -> Dataset:
    found = Dataset.objects.filter(pk=pk).first()
    if found is None:
        raise not_found("dataset", f"There is no data set {pk}")
    return found


@router.get(
    "/demand/datasets",
    response=answers(DatasetList),
    auth=allow(VIEW),
    operation_id="listDatasets",
    url_name="datasets",
    summary="The stored SSDA903 data sets",
)
def list_datasets(request: HttpRequest) -> DatasetList:
    return DatasetList(datasets=[dataset_out(d) for d in Dataset.objects.all()])


@router.post(
    "/demand/datasets",
    response=answers(DatasetDetail, status=201),
    auth=allow(PROGRAMME),
    operation_id="uploadDataset",
    url_name="datasets",
    summary="Upload SSDA903 returns (CSV, XLSX or XML files, or a zip of them) as a data set "
    "(finance, admin); problems in rows are kept as input issues",
)
def upload_dataset(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    name: Form[str] = "",
    council: Form[str] = "",
) -> Status[DatasetDetail]:
    limit = max_upload_bytes()
    size = sum(upload.size or 0 for upload in files)
    if size > limit + FORM_OVERHEAD:
        raise invalid(
            {"files": f"The upload is {describe_size(size)}: at most {describe_size(limit)}"}
        )
    if len(name) > 200:
        raise invalid({"name": "The text is too long"})
    owner = Council.objects.filter(name=council.strip()).first() if council.strip() else None
    if council.strip() and owner is None:
        raise invalid({"council": f"There is no council {council.strip()!r}"})
    try:
        blobs = read_upload((upload.name or "upload", upload.read()) for upload in files)
        dataset = services.create_dataset(
            name.strip() or "SSDA903 returns", blobs, user=request.user, council=owner
        )
    except UploadRefused as refused:
        raise invalid({"files": "; ".join(refused.messages)}) from None
    return Status(201, dataset_detail(dataset))


@router.get(
    "/demand/datasets/{id:dataset}",
    response=answers(DatasetDetail),
    auth=allow(VIEW),
    operation_id="getDataset",
    url_name="dataset",
    summary="A data set: its files, the problems found reading them, the DfE validator's findings",
)
def get_dataset(request: HttpRequest, dataset: int) -> DatasetDetail:
    return dataset_detail(_dataset(dataset))


# --- forecasts ---------------------------------------------------------------------------------


class Actual(Output):
    month: date = Field(description="Month end")
    children: float


class FanPointOut(Output):
    month: date = Field(description="Month end")
    p10: float = Field(description="10th percentile")
    p50: float = Field(description="Median")
    p90: float = Field(description="90th percentile")


class GroupForecast(Output):
    group: str
    label: str
    actuals: list[Actual]
    forecast: list[FanPointOut]


class CostYear(Output):
    year: Year
    by_group: dict[str, Money] = Field(description="Placement cost by group, £")
    total: Money


class ForecastOut(Output):
    dataset: int
    scenario: int | None
    data_hash: str
    parameters: dict[str, Any] = Field(description="Everything needed to reproduce the run")
    groups: list[GroupForecast] = Field(description="Children looked after by month and group")
    cost_groups: dict[str, str] = Field(description="Each cost group's label")
    costs: list[CostYear] = Field(description="Expected (mean) placement cost by year, £")


class ForecastChoice(Choice):
    scenario: Id | None = Field(None, description="A scenario's id (default: baseline)")


def forecast_out(dataset: Dataset, scenario: Scenario | None, user: Any) -> ForecastOut:
    try:
        run = services.forecast_run(dataset, scenario, user=user)
    except services.ForecastRefused as refused:
        raise invalid({"dataset": str(refused)}) from None
    costs = services.cost_table(run)
    return ForecastOut(
        dataset=dataset.pk,
        scenario=scenario.pk if scenario else None,
        data_hash=run.data_hash,
        parameters=run.parameters,
        groups=[
            GroupForecast(
                group=fan.group,
                label=fan.label,
                actuals=[Actual(month=m, children=v) for m, v in fan.actuals],
                forecast=[
                    FanPointOut(month=p.month, p10=p.p10, p50=p.p50, p90=p.p90)
                    for p in fan.forecast
                ],
            )
            for fan in services.fans(run)
        ],
        cost_groups={group: costs.labels.get(group, group) for group in costs.groups},
        costs=[
            CostYear(
                year=year.label,
                by_group={g: amounts[g] for g in costs.groups if g in amounts},
                total=amounts["total"],
            )
            for year, amounts in costs.rows.items()
        ],
    )


def _scenario(pk: int) -> Scenario:
    found = Scenario.objects.filter(pk=pk).first()
    if found is None:
        raise not_found("scenario", f"There is no scenario {pk}")
    return found


@router.get(
    "/demand/datasets/{id:dataset}/forecast",
    response=answers(ForecastOut),
    auth=allow(VIEW),
    operation_id="getForecast",
    url_name="forecast",
    summary="The forecast of children looked after (10th to 90th percentile) and the placement "
    "cost by year, baseline or under a scenario (stored and reused)",
)
def get_forecast(request: HttpRequest, dataset: int, choice: Query[ForecastChoice]) -> ForecastOut:
    found = _dataset(dataset)
    scenario = _scenario(choice.scenario) if choice.scenario else None
    return forecast_out(found, scenario, request.user)


# --- scenarios ---------------------------------------------------------------------------------


class ScenarioOut(Output):
    id: int
    name: str
    description: str
    definition: dict[str, Any] = Field(description="The adjustments, as csplan.demand reads them")
    adjustments: list[dict[str, str]] = Field(description="Each adjustment in words")
    updated_at: datetime
    url: str


class ScenarioList(Output):
    scenarios: list[ScenarioOut]


class ScenarioIn(Input):
    name: ShortText = Field(min_length=1, max_length=200)
    description: Text = ""
    definition: dict[str, Any] = Field(description="The adjustments (see GET of a scenario)")


def scenario_out(scenario: Scenario) -> ScenarioOut:
    return ScenarioOut(
        id=scenario.pk,
        name=scenario.name,
        description=scenario.description,
        definition=scenario.definition,
        adjustments=services.describe_scenario(scenario),
        updated_at=scenario.updated_at,
        url=f"/api/demand/scenarios/{scenario.pk}",
    )


@router.get(
    "/demand/scenarios",
    response=answers(ScenarioList),
    auth=allow(VIEW),
    operation_id="listScenarios",
    url_name="scenarios",
    summary="The demand scenarios",
)
def list_scenarios(request: HttpRequest) -> ScenarioList:
    return ScenarioList(scenarios=[scenario_out(s) for s in Scenario.objects.all()])


@router.post(
    "/demand/scenarios",
    response={**answers(ScenarioOut, status=201), 200: ScenarioOut},
    auth=allow(PROGRAMME),
    operation_id="saveScenario",
    url_name="scenarios",
    summary="Save a scenario (201), or replace the one of that name (200) (finance, admin)",
)
def save_scenario(request: HttpRequest, payload: ScenarioIn) -> Status[ScenarioOut]:
    problem = services.check_definition(payload.definition)
    if problem:
        raise invalid({"definition": problem})
    name = payload.name.strip()
    if not name:
        raise invalid({"name": "Enter the scenario's name"})
    existed = Scenario.objects.filter(name=name).exists()
    scenario = services.save_scenario(
        name, payload.definition, description=payload.description, user=request.user
    )
    return Status(200 if existed else 201, scenario_out(scenario))


@router.get(
    "/demand/scenarios/{id:scenario}",
    response=answers(ScenarioOut),
    auth=allow(VIEW),
    operation_id="getScenario",
    url_name="scenario",
    summary="A demand scenario",
)
def get_scenario(request: HttpRequest, scenario: int) -> ScenarioOut:
    return scenario_out(_scenario(scenario))


# --- evidence ----------------------------------------------------------------------------------


class EvidenceOut(Output):
    id: int
    line: int
    kind: EvidenceKind
    title: str
    summary: str
    savings: ByYear = Field(description="Saving against the baseline, in-year, by year, £")
    data_hash: str
    parameters: dict[str, Any] = Field(description="Everything needed to reproduce it")


class AttachIn(Input):
    dataset: Id = Field(description="The data set's id")
    scenario: Id = Field(description="The scenario's id")


def evidence_out(item: Evidence) -> EvidenceOut:
    return EvidenceOut(
        id=item.pk,
        line=item.line_id,
        kind=item.kind,
        title=item.title,
        summary=item.summary,
        savings=by_year(item.savings_by_year()),
        data_hash=item.data_hash,
        parameters=item.parameters,
    )


@router.post(
    LINE_PATH + "/demand-evidence",
    response=answers(EvidenceOut, status=201),
    auth=allow(PROGRAMME, line="line"),
    operation_id="attachDemandEvidence",
    url_name="demand_evidence",
    summary="Attach a scenario's saving on a data set to the line as evidence (finance, admin)",
)
def attach(request: HttpRequest, plan: str, line: int, payload: AttachIn) -> Status[EvidenceOut]:
    found = line_of(request)
    dataset = Dataset.objects.filter(pk=payload.dataset).first()
    scenario = Scenario.objects.filter(pk=payload.scenario).first()
    errors = {}
    if dataset is None:
        errors["dataset"] = f"There is no data set {payload.dataset}"
    if scenario is None:
        errors["scenario"] = f"There is no scenario {payload.scenario}"
    if errors:
        raise invalid(errors)
    try:
        item = services.attach_scenario(dataset, scenario, found, user=request.user)
    except (services.ForecastRefused, services.CouncilMismatch) as refused:
        raise invalid({"dataset": str(refused)}) from None
    return Status(201, evidence_out(item))
