"""Monthly monitoring and the movements journal through the API."""

from decimal import Decimal

import pytest

from csplan.core.money import format_amount
from csplan.monitoring.demo import load_monitoring_demo
from csplan.monitoring.models import MonitoringRecord, Movement

pytestmark = pytest.mark.django_db

MONITORING = "/api/plans/{plan}/monitoring"
LINE_MONITORING = "/api/plans/{plan}/lines/{line}/monitoring"
MOVEMENTS = "/api/plans/{plan}/movements"
MONTH_12 = "?year=2016/17&month=12"


@pytest.fixture
def monitored(plan, people):
    load_monitoring_demo(plan, user=people["admin"])
    return plan


def _plain(pounds: Decimal) -> str:
    """£'000 as the JSON shows it: rounded, no separators."""
    return format_amount(pounds).replace(",", "")


def test_the_position_at_a_month_line_by_line(monitored, people, api_as, slug):
    body = api_as(people["viewer"]).call("GET", MONITORING, plan=slug, query=MONTH_12).json()
    assert body["period"] == {"year": "2016/17", "month": 12, "label": "2016/17 Month 12"}
    positions = {p["reference"]: p for p in body["positions"]}
    assert list(positions) == ["C3", "C5", "C1/7", "C6", "C4", "C2", "C8", "C2R"]
    c2 = positions["C2"]
    assert (c2["rag"], c2["proposed"], c2["anticipated"]) == ("R", "709000.00", "567200.00")
    assert c2["net_at_risk"] == "141800.00" and c2["at_risk"] is True
    assert positions["C8"]["at_risk"] is False
    assert [t["name"] for t in body["tables"]] == [
        "monitoring_summary", "at_risk", "programme_summary", "demand_C6", "gross_offset_net",
    ]  # fmt: skip
    total = body["tables"][0]["rows"][-1]
    # C6 is demand-led: its forecast follows the stored Month 12 re-run (see the demo)
    c6 = Decimal(positions["C6"]["anticipated"])
    anticipated = Decimal("4332750.00") + c6
    at_risk = Decimal("514050.00") + max(Decimal("390000.00") - c6, Decimal(0))
    assert total == {
        "kind": "total",
        "cells": ["Total", "161400", "5036", *(_plain(a) for a in (anticipated,
                  Decimal("5036000.00") - anticipated)), "550", "349", _plain(at_risk), "0.3"],
    }  # fmt: skip


def test_the_tables_are_the_pages_tables(monitored, people, api_as, slug, client):
    body = api_as(people["viewer"]).call("GET", MONITORING, plan=slug, query=MONTH_12).json()
    client.force_login(people["viewer"])
    for name, table in (("summary", body["tables"][0]), ("at_risk", body["tables"][1])):
        twin = client.get(f"/plans/{slug}/monitoring/table/{name}.json{MONTH_12}").json()
        assert (twin["title"], twin["rows"]) == (table["title"], table["rows"])


def test_the_latest_month_is_the_default_and_a_half_period_is_refused(
    monitored, people, api_as, slug
):
    api = api_as(people["viewer"])
    assert api.call("GET", MONITORING, plan=slug).json()["period"]["month"] == 12
    half = api.call("GET", MONITORING, plan=slug, query="?year=2016/17")
    assert half.status_code == 400
    assert half.json() == {"errors": {"month": "Send the year and the month together"}}
    month = api.call("GET", MONITORING, plan=slug, query="?year=2016/17&month=13")
    assert month.json() == {"errors": {"month": "Give a number no more than 12"}}


def test_a_lines_records_month_by_month(monitored, people, lines, api_as, slug):
    body = (
        api_as(people["viewer"]).call("GET", LINE_MONITORING, plan=slug, line=lines["C3"].pk).json()
    )
    assert [r["period"]["month"] for r in body["records"]] == list(range(1, 13))
    last = body["records"][-1]
    assert last["target"] == "1500000.00" and last["achieved_to_date"] == "1440000.00"
    assert last["forecast"]["2016/17"] == "1440000.00"
    assert body["table"]["name"] and len(body["table"]["rows"]) >= 12


def test_an_sro_records_their_lines_month(monitored, people, lines, api_as, slug):
    api = api_as(people["sro"])
    pk = lines["C5"].pk
    record = {
        "year": "2017/18",
        "month": 1,
        "rag": "G",
        "forecast": {"2017/18": "615000.00"},
        "achieved_to_date": "50000.00",
        "commentary": "On track",
    }
    saved = api.call("POST", LINE_MONITORING, record, plan=slug, line=pk)
    assert saved.status_code == 201
    assert saved.json()["period"]["label"] == "2017/18 Month 1"
    assert saved.json()["forecast"] == {"2017/18": "615000.00"}
    stored = MonitoringRecord.objects.get(line=pk, year=2017, month=1)
    assert stored.achieved_to_date_pence == 5_000_000 and stored.recorded_by == people["sro"]
    lines["C5"].refresh_from_db()
    assert lines["C5"].rag == "G"  # the latest record re-rates the line
    bad = api.call(
        "POST", LINE_MONITORING, {**record, "rag": "P", "forecast": {"2030/31": "1.00"}},
        plan=slug, line=pk,
    )  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"rag", "forecast.2030/31"}
    other = api.call("POST", LINE_MONITORING, record, plan=slug, line=lines["C6"].pk)
    assert other.status_code == 403


def test_the_movements_journal(monitored, people, api_as, slug):
    body = api_as(people["viewer"]).call("GET", MOVEMENTS, plan=slug).json()
    journal = [(m["reference"], m["kind"], m["from_year"], m["to_year"], m["amount"])
               for m in body["movements"]]  # fmt: skip
    assert journal == [
        ("C8", "reprofile", "2018/19", "2017/18", "200000.00"),
        ("C5", "slippage", "2016/17", "2017/18", "200000.00"),
        ("C2", "write_off", "2016/17", None, "300000.00"),
        ("C2", "mitigation", "2016/17", None, "300000.00"),
        ("C2R", "replacement", "2017/18", None, "300000.00"),
        ("C3", "demand_offset", "2016/17", None, "250000.00"),
    ]
    write_off = body["movements"][2]
    assert body["movements"][4]["replaces"] == write_off["id"]
    assert body["table"]["rows"][-1]["cells"][6] == "0"


def test_finance_records_a_reprofiling_and_the_phasing_follows(
    monitored, people, lines, api_as, slug
):
    api = api_as(people["finance"])
    pk = lines["C3"].pk
    before = api.call("GET", "/api/plans/{plan}/lines/{line}/phasing", plan=slug, line=pk).json()
    movement = {
        "line": pk, "kind": "reprofile", "amount": "100000.00", "year": "2016/17", "month": 12,
        "from_year": "2017/18", "to_year": "2018/19", "reason": "Recruitment later",
    }  # fmt: skip
    saved = api.call("POST", MOVEMENTS, movement, plan=slug)
    assert saved.status_code == 201
    assert saved.json()["phasing_before"] == before["phasing"]
    after = api.call("GET", "/api/plans/{plan}/lines/{line}/phasing", plan=slug, line=pk).json()
    assert after["phasing"]["2017/18"] == "2400000.00"
    assert after["phasing"]["2018/19"] == "100000.00"
    assert after["total"] == before["total"]  # re-profiling keeps the full-year saving
    too_much = api.call("POST", MOVEMENTS, {**movement, "amount": "9000000.00"}, plan=slug)
    assert too_much.status_code == 400
    elsewhere = api.call("POST", MOVEMENTS, {**movement, "line": 99999}, plan=slug)
    assert elsewhere.json() == {"errors": {"line": "Choose a savings line of this plan"}}
    refused = api_as(people["sro"]).call("POST", MOVEMENTS, movement, plan=slug)
    assert refused.status_code == 403
    assert Movement.objects.filter(line=pk, kind="reprofile").count() == 1
