"""The EHC plan and levels-of-need pages, with their twins, on synthetic series in DfE's
layout imported like the published files; gross, offset and net on the monitoring page."""

from __future__ import annotations

import csv
import io
import json

import pytest

from csplan.accounts.users import with_role
from csplan.benchmark.demo import load_demo_benchmark
from csplan.benchmark.importers import parse_bytes
from csplan.benchmark.store import import_parsed
from csplan.demand.needs.synthetic import synthetic_files as needs_files
from csplan.demand.send.synthetic import synthetic_files as send_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client, django_user_model):
    user = django_user_model.objects.create_user("finance", password="a-long-password-1")
    client.force_login(with_role(user, "finance"))
    return user


@pytest.fixture
def imported():
    load_demo_benchmark()  # Demoshire's children looked after, population and neighbours
    files = {**send_files(), **needs_files()}
    wanted = [name for name in files if not name.startswith(("cla_", "ons_"))]
    import_parsed([parse_bytes(name, files[name]) for name in wanted])


@pytest.mark.usefixtures("officer")
def test_without_figures_the_pages_say_how_to_import(client):
    for url in ("/send/", "/needs/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "csplan benchmark import PATH..." in response.content.decode()


def test_the_pages_need_a_log_in(client):
    assert client.get("/send/").status_code == 302
    assert client.get("/needs/?table=levels_of_need&format=csv").status_code == 302


@pytest.mark.usefixtures("officer", "imported")
def test_the_send_page_forecasts_costs_and_benchmarks_with_twins(client):
    html = client.get("/send/?la=E10009999").content.decode()
    assert "EHC plans in January by setting: Demoshire" in html
    assert "SEN placement and transport cost: Demoshire" in html
    assert "EHC plans: Demoshire against its statistical neighbours" in html
    assert "<svg" in html and "published to 2016" in html
    assert "/send.csv?la=E10009999&amp;table=send_costs" in html
    response = client.get("/send.csv?la=E10009999&table=ehc_plans")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:2] == ["Setting", "Jan 2014 (actual)"]
    assert rows[-3][0] == "All EHC plans"
    data = json.loads(client.get("/send.json").content)
    costs = next(t for t in data["tables"] if t["name"] == "send_costs")
    assert costs["columns"][1]["heading"] == "2015/16 (base)"
    assert data["meta"]["la"] == "E10009999"
    assert client.get("/send.csv?table=nothing").status_code == 404
    assert client.get("/send/?la=nowhere").status_code == 400


@pytest.mark.usefixtures("officer", "imported")
def test_the_levels_of_need_page_shows_the_flow_into_care(client):
    html = client.get("/needs/?la=999").content.decode()
    assert "Levels of need, referral to care: Demoshire" in html
    assert "Children looked after on 31 March" in html and "80% band" in html
    workbook = client.get("/needs.xlsx?la=999")
    assert workbook.content[:2] == b"PK"


@pytest.mark.usefixtures("officer")
def test_the_benchmark_refuses_a_neighbour_model_not_imported(client):
    load_demo_benchmark()
    assert client.get("/benchmark/?neighbours=2025").status_code == 404
    assert client.get("/benchmark/").status_code == 200
