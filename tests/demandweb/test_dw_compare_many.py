"""Comparing more than three saved scenarios: every one compared, headed S1, S2, ... with a key."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from dw_helpers import records, tables_of

from csplan.forecasts import services
from csplan.forecasts.models import Dataset, ForecastRun
from csplan.web.demand_pages import compared_headings

pytestmark = pytest.mark.django_db


def _entries(multiply: float) -> dict:
    return {"adjustments": [{"kind": "entry_rate", "multiply": multiply, "start": "2025-04-01"}]}


def test_three_scenarios_keep_their_names_and_more_are_keyed():
    assert compared_headings(["A", "B", "C"]) == (["Baseline", "A", "B", "C"], "")
    assert compared_headings(["A", "B", "C", "D"]) == (
        ["Baseline", "S1", "S2", "S3", "S4"],
        "Key: S1 = A; S2 = B; S3 = C; S4 = D.",
    )


def test_five_scenarios_are_compared_side_by_side(client_in, returns_zip):
    client_in.post(
        reverse("demandweb:upload"),
        {"name": "Returns", "files": [SimpleUploadedFile("returns.zip", returns_zip)]},
    )
    dataset = Dataset.objects.get()
    multiplies = [0.6, 0.8, 0.9, 1.1, 1.2]
    chosen = [services.save_scenario(f"Entries x {m}", _entries(m)) for m in multiplies]
    query = "?" + "&".join(f"scenario={s.pk}" for s in chosen)
    url = reverse("demandweb:compare", kwargs={"pk": dataset.pk})
    page = client_in.get(url + query)
    assert page.status_code == 200
    body = json.loads(client_in.get(url + query + "&format=json").content)
    tables = tables_of(body)
    key = "Key: " + "; ".join(f"S{n} = Entries x {m}" for n, m in enumerate(multiplies, 1)) + "."
    assert [c["heading"] for c in tables["cost"]["columns"]] == [
        "Financial year", "Baseline", "S1", "S2", "S3", "S4", "S5",
    ]  # fmt: skip
    assert tables["cost"]["notes"] == [key]
    assert tables["saving"]["notes"][-1].endswith(key)
    assert ForecastRun.objects.filter(dataset=dataset).count() == 6  # the baseline and five
    exact = {s.name: services.cost_by_year(services.forecast_run(dataset, s)) for s in chosen}
    baseline = services.cost_by_year(services.forecast_run(dataset, None))
    cost_rows = records(tables["cost"])
    saving_rows = records(tables["saving"])
    for cost_row, saving_row in zip(cost_rows, saving_rows, strict=True):
        year = next(y for y in baseline if str(y) == cost_row["Financial year"])
        for n, scenario in enumerate(chosen, 1):
            saving = baseline[year] - exact[scenario.name][year]
            assert Decimal(saving_row[f"S{n}"]) == (saving / 1000).quantize(
                Decimal(1), "ROUND_HALF_UP"
            )
    assert "Key: S1 = Entries x 0.6" in page.content.decode()
