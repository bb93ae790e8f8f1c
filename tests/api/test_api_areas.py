"""The rest of the product through the API: consultations and the equality annex,
invest-to-save, the demand model's data sets, forecasts, scenarios and evidence, benchmarks
and the gap, and committee packs. Each response is checked against its schema."""

import io
import zipfile
from decimal import Decimal

import pytest

from csplan.benchmark.demo import DEMO_LA, load_demo_benchmark
from csplan.cases.models import Consultation
from csplan.evidence.models import Evidence
from csplan.forecasts.demo import load_demand_demo
from csplan.forecasts.models import Dataset, Scenario
from csplan.investment.demo import load_investment_demo
from csplan.investment.models import ActualSaving
from csplan.pack.models import PublishedPack

pytestmark = pytest.mark.django_db


@pytest.fixture
def demand(settings, people):
    settings.CSPLAN_DEMAND_SIMULATIONS = 100
    return load_demand_demo(user=people["admin"])


# --- consultations and the equality annex -------------------------------------------------------


def test_finance_records_a_consultation_and_its_outcome(people, lines, api_as, slug):
    finance = api_as(people["finance"])
    body = {
        "title": "Short breaks consultation",
        "audience": "public",
        "start_date": "2016-01-04",
        "end_date": "2016-03-28",
        "lines": [lines["C5"].pk, lines["C3"].pk],
    }
    created = finance.call("POST", "/api/plans/{plan}/consultations", body, plan=slug)
    assert created.status_code == 201
    consultation = created.json()
    assert consultation["outcome"] == "" and consultation["lines"] == sorted(
        [lines["C5"].pk, lines["C3"].pk]
    )
    outcome = "/api/plans/{plan}/consultations/{consultation}/outcome"
    concluded = finance.call(
        "PUT", outcome, {"outcome": "amend", "note": "Keep the Saturday sessions"},
        plan=slug, consultation=consultation["id"],
    )  # fmt: skip
    assert concluded.json()["outcome"] == "amend"
    assert Consultation.objects.get().outcome_note == "Keep the Saturday sessions"
    listed = api_as(people["viewer"]).call("GET", "/api/plans/{plan}/consultations", plan=slug)
    assert [c["title"] for c in listed.json()["consultations"]] == ["Short breaks consultation"]
    backwards = finance.call(
        "POST", "/api/plans/{plan}/consultations",
        {**body, "start_date": "2016-04-01", "end_date": "2016-01-01"}, plan=slug,
    )  # fmt: skip
    assert backwards.status_code == 400 and "end_date" in backwards.json()["errors"]
    refused = api_as(people["sro"]).call(
        "PUT", outcome, {"outcome": "proceed"}, plan=slug, consultation=consultation["id"]
    )
    assert refused.status_code == 403


def test_the_equality_annex_is_the_pages_tables(people, lines, api_as, slug, client):
    api = api_as(people["sro"])
    api.call(
        "PUT", "/api/plans/{plan}/lines/{line}/equality",
        {"ratings": {"age": {"rating": "adverse", "mitigation": "Transition plans"}}},
        plan=slug, line=lines["C3"].pk,
    )  # fmt: skip
    body = api.call("GET", "/api/plans/{plan}/equality", plan=slug).json()
    workstreams, matrix = body["tables"]
    c3 = next(row for row in matrix["rows"] if row["cells"][0] == "C3")
    age = [column["heading"] for column in matrix["columns"]].index("Age")
    assert c3["cells"][age] == "Adverse"
    social_care = workstreams["rows"][0]["cells"]
    assert social_care[:3] == ["Social care transformation", "1", "1"]  # one line, one adverse
    client.force_login(people["viewer"])
    for name, table in (("workstreams", workstreams), ("matrix", matrix)):
        twin = client.get(f"/plans/{slug}/cases/equality/?format=json&table={name}").json()
        assert twin["rows"] == table["rows"]


# --- invest to save ----------------------------------------------------------------------------


def test_invest_to_save_cases_with_payback_and_the_strategy(people, api_as):
    load_investment_demo()
    api = api_as(people["viewer"])
    listed = api.call("GET", "/api/investment/cases").json()
    assert [(c["reference"], c["council"]) for c in listed["cases"]] == [
        ("BSF", "Bournemouth, Christchurch and Poole Council")
    ]
    assert listed["strategies"][0]["table"]["name"] == "capital_receipts"
    case = api.call("GET", "/api/investment/cases/{case}", case=listed["cases"][0]["id"]).json()
    assert case["expected"] == {
        "2024/25": "3900000.00", "2025/26": "5150000.00", "2026/27": "6400000.00",
    }  # fmt: skip
    assert case["total_investment"] == "4462000.00" and case["payback_year"] == "2025/26"
    spent = sum(Decimal(item["amount"]) for item in case["spend"])
    assert spent == Decimal(case["total_investment"])
    assert [t["name"] for t in case["tables"]] == ["case_BSF", "actuals_BSF"]
    missing = api.call("GET", "/api/investment/cases/{case}", case=99999)
    assert missing.status_code == 404


def test_finance_records_a_realised_saving(people, api_as):
    case = load_investment_demo()
    actuals = "/api/investment/cases/{case}/actuals"
    body = {"year": "2024/25", "amount": "3100000.00", "evidence": "Outturn report"}
    saved = api_as(people["finance"]).call("POST", actuals, body, case=case.pk)
    assert saved.status_code == 201 and saved.json()["amount"] == "3100000.00"
    assert ActualSaving.objects.get(case=case).amount_pence == 310_000_000
    read = api_as(people["viewer"]).call("GET", "/api/investment/cases/{case}", case=case.pk)
    assert read.json()["actual"] == {"2024/25": "3100000.00"}
    over = api_as(people["finance"]).call(
        "POST", actuals, {**body, "amount": "20000000000.00"}, case=case.pk
    )
    assert over.status_code == 400 and list(over.json()["errors"]) == ["amount"]
    refused = api_as(people["sro"]).call("POST", actuals, body, case=case.pk)
    assert refused.status_code == 403


# --- demand ------------------------------------------------------------------------------------


def test_data_sets_and_the_forecast_with_its_costs(demand, people, api_as):
    api = api_as(people["viewer"])
    listed = api.call("GET", "/api/demand/datasets").json()["datasets"]
    assert [(d["id"], d["episode_count"], d["last_date"]) for d in listed] == [
        (demand.pk, demand.episode_count, "2017-03-31")
    ]
    detail = api.call("GET", "/api/demand/datasets/{dataset}", dataset=demand.pk).json()
    assert len(detail["files"]) == demand.files.count() and detail["dfe"]["status"] == "not_run"
    forecast = api.call("GET", "/api/demand/datasets/{dataset}/forecast", dataset=demand.pk)
    body = forecast.json()
    assert body["data_hash"] == demand.data_hash and body["scenario"] is None
    groups = [group["group"] for group in body["groups"]]
    assert groups[0] == "all" and "foster_in_house" in groups
    point = body["groups"][0]["forecast"][0]
    assert point["p10"] <= point["p50"] <= point["p90"]
    for year in body["costs"]:
        assert sum(Decimal(v) for v in year["by_group"].values()) == Decimal(year["total"])
    scenario = Scenario.objects.get(name="Edge of care: fewer entries")
    cheaper = api.call(
        "GET", "/api/demand/datasets/{dataset}/forecast", dataset=demand.pk,
        query=f"?scenario={scenario.pk}",
    ).json()  # fmt: skip
    assert cheaper["scenario"] == scenario.pk
    assert Decimal(cheaper["costs"][-1]["total"]) < Decimal(body["costs"][-1]["total"])


def test_uploading_returns_and_refusing_what_cannot_be_read(demand, people, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from csplan.monitoring.demo import demo_return_files

    api = api_as(people["finance"])
    returns = io.BytesIO()
    with zipfile.ZipFile(returns, "w") as archive:
        for name, content in demo_return_files().items():
            archive.writestr(name, content)
    upload = SimpleUploadedFile("returns.zip", returns.getvalue())
    created = api.client.post("/api/demand/datasets", {"name": "Again", "files": [upload]})
    api.check("POST", "/api/demand/datasets", created)
    assert created.status_code == 201, created.json()
    assert created.json()["dataset"]["data_hash"] == demand.data_hash
    junk = SimpleUploadedFile("episodes.csv", b"not,an,ssda903\nfile,at,all\n")
    refused = api.client.post("/api/demand/datasets", {"files": [junk]})
    api.check("POST", "/api/demand/datasets", refused)
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["files"]
    assert Dataset.objects.count() == 2
    viewer = api_as(people["viewer"]).client.post("/api/demand/datasets", {"files": [junk]})
    assert viewer.status_code == 403


def test_scenarios_are_saved_by_name_and_checked(demand, people, api_as):
    api = api_as(people["finance"])
    listed = api.call("GET", "/api/demand/scenarios").json()["scenarios"]
    assert len(listed) == 3 and all(s["adjustments"] for s in listed)
    definition = {"adjustments": [{"kind": "entry_rate", "multiply": 0.8, "start": "2017-04-01",
                                   "ramp_months": 6}]}  # fmt: skip
    body = {"name": "Deeper edge of care", "description": "20% fewer", "definition": definition}
    created = api.call("POST", "/api/demand/scenarios", body)
    assert created.status_code == 201 and created.json()["definition"] == definition
    replaced = api.call("POST", "/api/demand/scenarios", {**body, "description": "Again"})
    assert replaced.status_code == 200 and replaced.json()["id"] == created.json()["id"]
    bad = api.call("POST", "/api/demand/scenarios", {**body, "definition": {"adjust": 1}})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["definition"]
    read = api.call("GET", "/api/demand/scenarios/{scenario}", scenario=created.json()["id"])
    assert read.json()["description"] == "Again"


def test_a_scenario_attached_to_a_line_as_evidence(demand, people, lines, api_as, slug):
    scenario = Scenario.objects.get(name="Edge of care: fewer entries")
    path = "/api/plans/{plan}/lines/{line}/demand-evidence"
    body = {"dataset": demand.pk, "scenario": scenario.pk}
    attached = api_as(people["finance"]).call("POST", path, body, plan=slug, line=lines["C6"].pk)
    assert attached.status_code == 201
    evidence = Evidence.objects.get(pk=attached.json()["id"])
    assert attached.json()["savings"] == {
        year.label: f"{amount:.2f}" for year, amount in sorted(evidence.savings_by_year().items())
    }
    assert attached.json()["data_hash"] == demand.data_hash
    missing = api_as(people["finance"]).call(
        "POST", path, {"dataset": demand.pk, "scenario": 99999}, plan=slug, line=lines["C6"].pk
    )
    assert missing.json() == {"errors": {"scenario": "There is no scenario 99999"}}
    refused = api_as(people["sro"]).call("POST", path, body, plan=slug, line=lines["C3"].pk)
    assert refused.status_code == 403


# --- benchmark ---------------------------------------------------------------------------------


def test_an_la_against_its_neighbours_and_the_gap(people, lines, api_as, slug):
    load_demo_benchmark()
    api = api_as(people["viewer"])
    index = api.call("GET", "/api/benchmark").json()
    assert index["years"] == [2021, 2022, 2023, 2024, 2025]
    assert DEMO_LA in {a["code"] for a in index["authorities"]}
    report = api.call("GET", "/api/benchmark/{la}/{year}", la=DEMO_LA, year=2025).json()
    names = [t["name"] for t in report["tables"]]
    assert names == ["comparison", "spend", "neighbours", "trend"]
    assert report["la_code"] == DEMO_LA and report["year"] == 2025
    looked_after = report["tables"][0]["rows"][0]["cells"]
    assert looked_after[1:3] == ["1549", "73.9"]  # children, and the rate per 10,000 as shown
    no_year = api.call("GET", "/api/benchmark/{la}/{year}", la=DEMO_LA, year=1999)
    assert no_year.status_code == 404 and "years available" in no_year.json()["errors"]["year"]
    gap_path = "/api/benchmark/{la}/{year}/gap"
    gap = api.call("GET", gap_path, la=DEMO_LA, year=2025, query="?by=2027/28&weekly_cost=1000")
    last = gap.json()["tables"][0]["rows"][-1]["cells"]
    assert last[0] == "2027/28" and last[5] == "19520825.69"
    bad = api.call("GET", gap_path, la=DEMO_LA, year=2025, query="?by=2027/28&weekly_cost=lots")
    assert bad.json() == {"errors": {"weekly_cost": "Send a weekly cost in pounds or 'ro3'"}}
    evidence = api_as(people["finance"]).call(
        "POST", "/api/plans/{plan}/lines/{line}/benchmark-evidence",
        {"la": DEMO_LA, "year": 2025, "by": "2027/28", "weekly_cost": "1000"},
        plan=slug, line=lines["C6"].pk,
    )  # fmt: skip
    assert evidence.status_code == 201 and evidence.json()["kind"] == "benchmark_gap"
    assert evidence.json()["savings"]["2027/28"] == "19520825.69"


# --- packs -------------------------------------------------------------------------------------


def test_the_pack_for_a_month_then_published_and_frozen(people, api_as, slug, plan):
    from csplan.monitoring.demo import load_monitoring_demo

    load_monitoring_demo(plan, user=people["admin"])
    query = "?year=2016/17&month=9&tables=monitoring_summary&tables=movements"
    viewer = api_as(people["viewer"])
    pack = viewer.call("GET", "/api/plans/{plan}/pack", plan=slug, query=query).json()
    assert pack["period"]["label"] == "2016/17 Month 9"
    # The movements come with the reconciliation of the headline figures they explain.
    names = ["monitoring_summary", "movements", "movements_reconciliation"]
    assert [t["name"] for t in pack["tables"]] == names
    body = {"year": "2016/17", "month": 9, "tables": ["monitoring_summary", "movements"]}
    published = api_as(people["finance"]).call("POST", "/api/plans/{plan}/packs", body, plan=slug)
    assert published.status_code == 201
    frozen = published.json()
    assert frozen["intact"] is True and frozen["pack"]["tables"] == pack["tables"]
    assert frozen["files"]["pdf"] == f"/plans/{slug}/pack/published/{frozen['id']}.pdf"
    listed = viewer.call("GET", "/api/plans/{plan}/packs", plan=slug).json()["packs"]
    assert [p["id"] for p in listed] == [frozen["id"]]
    stored = PublishedPack.objects.get()
    PublishedPack.objects.filter(pk=stored.pk).update(html=stored.html + "<p>changed</p>")
    again = viewer.call("GET", "/api/plans/{plan}/packs/{pack}", plan=slug, pack=stored.pk)
    assert again.json()["intact"] is False
    outside = api_as(people["finance"]).call(
        "POST", "/api/plans/{plan}/packs", {**body, "year": "2030/31"}, plan=slug
    )
    assert outside.json() == {"errors": {"year": "2030/31 is not one of the programme's years"}}
    refused = api_as(people["sro"]).call("POST", "/api/plans/{plan}/packs", body, plan=slug)
    assert refused.status_code == 403
