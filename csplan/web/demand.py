"""The demand model's pages: thin views over ``csplan.forecasts.services``.

Every page that shows a table has its twins through the one table view (``csplan.web.tables``):
``.../forecast.csv``, ``.json`` and ``.xlsx`` (``?format=`` is kept as an alias; ``?table=NAME``
picks the CSV's table).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from csplan.accounts.access import PROGRAMME, guard
from csplan.evidence.models import Evidence
from csplan.forecasts import services
from csplan.forecasts.models import Dataset, Scenario
from csplan.forecasts.uploads import (
    Blob,
    UploadRefused,
    describe_size,
    max_upload_bytes,
    read_upload,
)
from csplan.monitoring.store import MonitoringValidationError
from csplan.programme.models import Council
from csplan.web import demand_pages as pages
from csplan.web.tables import table_page

# Room for the form's other fields and the multipart boundaries on top of the files.
_FORM_OVERHEAD = 64 * 1024


def _render_or_twin(
    request: HttpRequest,
    template: str,
    context: dict,
    fmt: str | None,
    *,
    stem: str | None = None,
) -> HttpResponse:
    """The page, or its twin (``fmt`` from the address's extension, else ``?format=``)."""
    return table_page(
        request,
        context["page_tables"],
        template,
        {**context, "twin_stem": stem},
        fmt=fmt,
        meta=context.get("meta"),
        stem=stem,
    )


def _refused(
    request: HttpRequest, refused: services.ForecastRefused, active: str = ""
) -> HttpResponse:
    """The GOV.UK error summary naming each file, column, count and share: no forecast."""
    from csplan.demand.episodes import MAX_UNREADABLE_SHARE  # loaded already: the returns were

    context = {
        "dataset": refused.dataset,
        "errors": refused.problems,
        "limit": f"{MAX_UNREADABLE_SHARE:.0%}",
        "active": active,
    }
    return render(request, "demandweb/refused.html", context, status=400)


@guard()
@login_required
def index(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    context = pages.index_page()
    return _render_or_twin(request, "demandweb/index.html", context, fmt, stem="datasets")


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    limit = max_upload_bytes()
    context = {
        "max_size": describe_size(limit),
        "name": "",
        "errors": [],
        "councils": list(Council.objects.order_by("name")),
        "council_id": "",
    }
    if request.method == "POST":
        context["name"] = request.POST.get("name", "").strip()
        context["council_id"] = request.POST.get("council", "").strip()
        council = (
            Council.objects.filter(pk=context["council_id"]).first()
            if context["council_id"].isdigit()
            else None
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        try:
            if length > limit + _FORM_OVERHEAD:
                raise UploadRefused(
                    [
                        f"The upload is {describe_size(length)}: an upload may be at most "
                        f"{describe_size(limit)}"
                    ]
                )
            blobs = read_upload((f.name, f.read()) for f in request.FILES.getlist("files"))
            dataset = services.create_dataset(
                context["name"] or "SSDA903 returns", blobs, user=request.user, council=council
            )
        except UploadRefused as refused:
            context["errors"] = refused.messages
            return render(request, "demandweb/upload.html", context, status=400)
        return redirect("demandweb:validation", pk=dataset.pk)
    return render(request, "demandweb/upload.html", context)


@guard()
@login_required
def dataset_detail(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    context = pages.dataset_page(dataset)
    return _render_or_twin(request, "demandweb/dataset.html", context, fmt)


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def population(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep a population projection CSV with the data set (read as the CLI's --population)."""
    dataset = get_object_or_404(Dataset, pk=pk)
    uploads = request.FILES.getlist("population")
    try:
        if len(uploads) != 1:
            raise UploadRefused(["Choose one population projection CSV file"])
        upload = uploads[0]
        services.set_population(dataset, Blob(upload.name, upload.read()))
    except UploadRefused as refused:
        context = {**pages.dataset_page(dataset), "population_errors": refused.messages}
        return render(request, "demandweb/dataset.html", context, status=400)
    messages.success(request, f"Kept the population projection {dataset.population_name}.")
    return redirect("demandweb:dataset", pk=dataset.pk)


@guard()
@login_required
def validation(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    context = pages.validation_page(dataset)
    return _render_or_twin(request, "demandweb/validation.html", context, fmt)


@guard(read=None, write=PROGRAMME)
@login_required
@require_POST
def run_validator(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    services.run_dfe_validator(dataset)
    return redirect(reverse("demandweb:validation", kwargs={"pk": dataset.pk}) + "#dfe")


@guard()
@login_required
def forecast(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    scenario = _scenario_from(request)
    try:
        context = pages.forecast_page(
            dataset,
            scenario,
            user=request.user,
            settings=services.RunSettings.from_query(request.GET),
        )
    except services.ForecastRefused as refused:
        return _refused(request, refused, "forecast")
    return _render_or_twin(request, "demandweb/forecast.html", context, fmt)


@guard()
@login_required
def costs(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    scenario = _scenario_from(request)
    try:
        context = pages.costs_page(
            dataset,
            scenario,
            user=request.user,
            settings=services.RunSettings.from_query(request.GET),
        )
    except services.ForecastRefused as refused:
        return _refused(request, refused, "costs")
    return _render_or_twin(request, "demandweb/costs.html", context, fmt)


@guard()
@login_required
def compare(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    try:
        context = pages.compare_page(
            dataset,
            scenario_ids=request.GET.getlist("scenario"),
            dates=request.GET.getlist("date"),
            user=request.user,
        )
    except services.ForecastRefused as refused:
        return _refused(request, refused, "compare")
    return _render_or_twin(request, "demandweb/compare.html", context, fmt)


@guard()
@login_required
def scenarios(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    context = pages.scenarios_page()
    return _render_or_twin(request, "demandweb/scenarios.html", context, fmt)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def scenario_new(request: HttpRequest) -> HttpResponse:
    form = pages.ScenarioForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        scenario = services.save_scenario(
            form.cleaned_data["name"],
            form.definition(),
            description=form.cleaned_data["description"],
            user=request.user,
        )
        return redirect("demandweb:scenario", pk=scenario.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "demandweb/scenario_new.html", {"form": form}, status=status)


@guard()
@login_required
def scenario_detail(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    scenario = get_object_or_404(Scenario, pk=pk)
    context = pages.scenario_page(scenario)
    return _render_or_twin(request, "demandweb/scenario.html", context, fmt)


@guard(read=PROGRAMME, write=PROGRAMME)
@login_required
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_object_or_404(Dataset, pk=pk)
    form = pages.AttachForm(
        request.POST if request.method == "POST" else None, initial=request.GET.dict()
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.attach_scenario(
                dataset,
                form.cleaned_data["scenario"],
                form.cleaned_data["line"],
                user=request.user,
            )
        except services.ForecastRefused as refused:
            return _refused(request, refused, "attach")
        except services.CouncilMismatch as mismatch:
            form.add_error("line", str(mismatch))
        else:
            return redirect("demandweb:evidence", pk=evidence.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "demandweb/attach.html", {"dataset": dataset, "form": form}, status=status
    )


@guard()
@login_required
def evidence(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    item = get_object_or_404(
        Evidence.objects.select_related("line__plan__council"), pk=pk, kind="demand_scenario"
    )
    context = {**pages.evidence_page(item), "rerun_form": pages.RerunForm()}
    return _render_or_twin(request, "demandweb/evidence.html", context, fmt)


@guard(read=None, write=PROGRAMME)
@login_required
def rerun(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Evidence, pk=pk, kind="demand_scenario")
    form = pages.RerunForm(request.POST)
    if form.is_valid():
        try:
            services.rerun_evidence(item, form.cleaned_data["dataset"], form.as_at_date(),
                                    form.period(), user=request.user)  # fmt: skip
        except services.ForecastRefused as refused:
            return _refused(request, refused)
        except services.CouncilMismatch as mismatch:
            form.add_error("dataset", str(mismatch))
        except MonitoringValidationError as error:
            for field, message in error.errors.items():
                form.add_error("as_at" if field in ("as_at", "evidence") else None, message)
        else:
            messages.success(request, f"Re-ran the evidence for {form.period()}.")
            return redirect("demandweb:evidence", pk=item.pk)
    page = reverse("demandweb:evidence", kwargs={"pk": item.pk})
    context = {**pages.evidence_page(item), "rerun_form": form, "twin_page": page}
    return render(request, "demandweb/evidence.html", context, status=400)


@guard(write=PROGRAMME)
@login_required
def unit_costs(request: HttpRequest, pk: int, fmt: str | None = None) -> HttpResponse:
    """The council's own weekly unit costs by placement group: the ones in force, every dated
    figure given, and a form to add or change one (recorded)."""
    council = get_object_or_404(Council, pk=pk)
    form = pages.UnitCostForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_unit_cost(council, data["group"], data["weekly_cost"],
                                    data["effective_from"], data["source"],
                                    user=request.user)  # fmt: skip
        except services.UnitCostRefused as refused:
            for field, message in refused.errors.items():
                form.add_error(field, message)
        else:
            messages.success(request, "Saved the unit cost.")
            return redirect("demandweb:unit_costs", pk=council.pk)
    context = {**pages.unit_costs_page(council), "form": form}
    if request.method == "POST":
        return render(request, "demandweb/unit_costs.html", context, status=400)
    return _render_or_twin(request, "demandweb/unit_costs.html", context, fmt, stem="unit_costs")


def _scenario_from(request: HttpRequest) -> Scenario | None:
    wanted = request.GET.get("scenario")
    if not wanted:
        return None
    return get_object_or_404(Scenario, pk=wanted)
