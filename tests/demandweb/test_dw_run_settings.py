"""Entry trend and population projection for a forecast run, set on the pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from csplan.forecasts.models import Dataset, ForecastRun

pytestmark = pytest.mark.django_db

PROJECTION = "year,age,population\n" + "".join(f"2025,{age},1000\n" for age in range(18))


@pytest.fixture
def dataset(client_in, returns_zip) -> Dataset:
    client_in.post(
        reverse("demandweb:upload"),
        {"name": "Returns", "files": [SimpleUploadedFile("returns.zip", returns_zip)]},
    )
    return Dataset.objects.get()


def _keep(client, dataset: Dataset, name: str, content: str):
    url = reverse("demandweb:population", kwargs={"pk": dataset.pk})
    return client.post(url, {"population": SimpleUploadedFile(name, content.encode())})


def test_a_population_projection_is_read_as_the_cli_reads_it(client_in, dataset):
    response = _keep(client_in, dataset, "projection.csv", PROJECTION)
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.population_name == "projection.csv"
    # the bands: under 1, 1 to 4, 5 to 9, 10 to 15, 16 and 17
    assert dataset.population == [
        {"year": 2025, "band": 0, "population": 1000.0},
        {"year": 2025, "band": 1, "population": 4000.0},
        {"year": 2025, "band": 2, "population": 5000.0},
        {"year": 2025, "band": 3, "population": 6000.0},
        {"year": 2025, "band": 4, "population": 2000.0},
    ]


def test_a_projection_that_cannot_be_read_is_refused_naming_the_file(client_in, dataset):
    response = _keep(client_in, dataset, "people.csv", "year,people\n2025,10\n")
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "people.csv: population needs columns year, age (or age_band), population" in page
    dataset.refresh_from_db()
    assert dataset.population == [] and dataset.population_name == ""


def test_the_forecast_runs_with_the_settings_chosen(client_in, dataset):
    _keep(client_in, dataset, "projection.csv", PROJECTION)
    url = reverse("demandweb:costs", kwargs={"pk": dataset.pk}).rstrip("/") + ".json"
    client_in.get(url)
    client_in.get(url + "?trend=off")
    client_in.get(url + "?population=on")
    runs = list(ForecastRun.objects.order_by("id"))
    assert [
        (r.parameters["entry_trend"], r.parameters["population"] is not None) for r in runs
    ] == [
        (True, False),
        (False, False),
        (True, True),
    ]
    assert runs[2].parameters["population"][1] == {"year": 2025, "band": 1, "population": 4000.0}
    client_in.get(url + "?trend=off")  # the same inputs: the stored run
    assert ForecastRun.objects.count() == 3
    page = client_in.get(reverse("demandweb:forecast", kwargs={"pk": dataset.pk}) + "?trend=off")
    html = page.content.decode()
    assert 'id="trend" name="trend" type="checkbox" value="off" checked' in html
    assert "population projection (projection.csv)" in html
    body = json.loads(client_in.get(url + "?trend=off").content)
    assert body["meta"]["parameters"]["entry_trend"] is False
