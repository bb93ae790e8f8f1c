"""The monitoring, invest-to-save and pack pages, with their CSV/JSON/XLSX twins."""

import io
import json
import sys
import types
from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import include, path
from openpyxl import load_workbook

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.money import format_amount
from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.investment.demo import load_investment_demo
from csplan.monitoring.demo import load_monitoring_demo
from csplan.monitoring.models import MonitoringRecord
from csplan.pack.models import PublishedPack

pytestmark = pytest.mark.django_db

FALLBACK_BASE = """<!DOCTYPE html><html lang="en"><head><title>{% block title %}{% endblock %}
</title></head><body><main>{% block content %}{% endblock %}</main></body></html>"""


FALLBACK_URLCONF = "csplan_monitoring_test_urls"
COVER = {
    "committee": "Cabinet", "meeting_day": "14", "meeting_month": "3", "meeting_year": "2017",
    "author_role": "Director of Children's Services", "purpose": "To report savings delivery.",
    "recommendations": "Note the position.",
}  # fmt: skip


def _use_fallback_urls(settings, monkeypatch) -> None:
    """While csplan.web (base template, log-in) is not on this branch: my three apps only."""
    module = types.ModuleType(FALLBACK_URLCONF)
    module.urlpatterns = [
        path("login/", lambda request: HttpResponse("log in"), name="login"),
        path("monitoring/", include("csplan.monitoring.urls")),
        path("investment/", include("csplan.investment.urls")),
        path("pack/", include("csplan.pack.urls")),
    ]
    monkeypatch.setitem(sys.modules, FALLBACK_URLCONF, module)
    settings.ROOT_URLCONF = FALLBACK_URLCONF


def _web_ready() -> bool:
    try:
        get_template("web/base.html")
        import csplan.web.urls  # noqa: F401
    except (TemplateDoesNotExist, ImportError):
        return False
    return True


@pytest.fixture
def web(client, settings, tmp_path, django_user_model, monkeypatch):
    if not _web_ready():
        (tmp_path / "web").mkdir()
        (tmp_path / "web" / "base.html").write_text(FALLBACK_BASE)
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
        _use_fallback_urls(settings, monkeypatch)
    user = with_role(
        django_user_model.objects.create_user("officer", password="a-long-password-1"), "finance"
    )
    client.force_login(user)
    return client


@pytest.fixture
def plan():
    return load_monitoring_demo(load_hampshire_demo())


def test_pages_need_a_log_in(client, settings, plan, monkeypatch):
    if not _web_ready():
        _use_fallback_urls(settings, monkeypatch)
    for url in ("/monitoring/", "/monitoring/movements/", "/investment/", "/pack/",
                "/monitoring/table/summary.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_monitoring_summary_for_a_chosen_period(web, plan):
    response = web.get("/monitoring/", {"year": "2016/17", "month": "9"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Savings monitoring, 2016/17 Month 9" in page
    assert "Savings monitoring summary, 2016/17 Month 9 (December)" in page
    # net at risk: 514k from the scripted lines, plus C6's shortfall from its stored re-run
    c6 = MonitoringRecord.objects.get(line__reference="C6", year=2016, month=9)
    c6_short = max(c6.target - c6.forecast_by_year()[FinancialYear(2016)], Decimal(0))
    assert "5,036" in page and format_amount(Decimal("514050.00") + c6_short) in page
    assert "/monitoring/table/summary.csv?year=2016%2F17&amp;month=9" in page


def test_summary_twins(web, plan):
    query = {"year": "2016/17", "month": "9"}
    csv_text = web.get("/monitoring/table/summary.csv", query).content.decode()
    assert csv_text.splitlines()[0].startswith("Workstream,Net budget (£'000)")
    assert csv_text.splitlines()[-1].startswith("Total,161400,5036,")
    data = json.loads(web.get("/monitoring/table/at_risk.json", query).content)
    assert data["rows"][0]["cells"][0] == "C3"
    workbook = load_workbook(io.BytesIO(web.get("/monitoring/table/movements.xlsx", query).content))
    assert workbook.sheetnames == ["movements"]
    demand = json.loads(web.get("/monitoring/table/demand_C6.json", query).content)
    assert len(demand["rows"]) == 9
    promised = Evidence.objects.get(kind="demand_scenario").savings["2016/17"]
    assert demand["rows"][0]["cells"][2] == str(round(Decimal(promised) / 1000))
    assert web.get("/monitoring/table/summary.doc", query).status_code == 404
    assert web.get("/monitoring/table/nothing.csv", query).status_code == 404


def test_line_history_and_movements_journal(web, plan):
    line = plan.lines.get(reference="C2")
    page = web.get(f"/monitoring/lines/{line.pk}/").content.decode()
    assert "Monitoring history" in page and "Write-off" in page
    csv_text = web.get(f"/monitoring/lines/{line.pk}/history.csv").content.decode()
    assert len(csv_text.splitlines()) == 13  # header + 12 months
    journal = web.get("/monitoring/movements/", {"year": "2016/17", "month": "12"})
    assert "Re-profiling between years" in journal.content.decode()


def test_recording_a_month_with_errors_then_success(web, plan):
    line = plan.lines.get(reference="C6")
    form = web.get(f"/monitoring/lines/{line.pk}/record/", {"year": "2017/18", "month": "1"})
    assert form.status_code == 200 and 'name="forecast_2017"' in form.content.decode()
    bad = web.post(
        f"/monitoring/lines/{line.pk}/record/",
        {
            "year": "2017/18",
            "month": "1",
            "forecast_2017": "lots",
            "mitigation_recurrence": "one_off",
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert 'href="#id_forecast_2017"' in page and 'href="#id_rag_0"' in page
    assert "Choose a delivery confidence (RAG) rating" in page
    good = web.post(
        f"/monitoring/lines/{line.pk}/record/",
        {
            "year": "2017/18",
            "month": "1",
            "rag": "A",
            "forecast_2017": "1,400,000",
            "achieved_to_date": "100000",
            "mitigation_amount": "",
            "mitigation_recurrence": "one_off",
            "explanation": "Carer recruitment slow",
        },
    )
    assert good.status_code == 302
    record = MonitoringRecord.objects.get(line=line, year=2017, month=1)
    assert record.forecast == {"2017/18": "1400000"}
    assert record.explanation == "Carer recruitment slow"


def test_invest_to_save_page_and_twins(web, plan):
    case = load_investment_demo()
    page = web.get("/investment/").content.decode()
    assert "Children&#x27;s Services Building Stronger Foundations Programme" in page
    assert "4,462" in page and "Payback year: 2025/26." in page
    assert "Flexible use of capital receipts strategy" in page
    csv_text = web.get(f"/investment/{case.pk}/case.csv").content.decode()
    assert "Total investment,3080,1382,0,0,4462" in csv_text
    strategy = web.get(f"/investment/strategy/{case.council.pk}.json")
    assert json.loads(strategy.content)["rows"][-1]["cells"][1] == "1346"


def test_pack_builder_downloads_and_publishes(web, plan):
    page = web.get("/pack/")
    assert page.status_code == 200 and "Download PDF" in page.content.decode()
    xlsx = web.get("/pack/", {"year": "2016/17", "month": "9", "tables": "movements",
                              "format": "xlsx"})  # fmt: skip
    assert xlsx["Content-Disposition"] == 'attachment; filename="pack-2016-09.xlsx"'
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "Contents",
        "movements",
        "movements_reconciliation",
    ]
    html = web.get("/pack/", {"year": "2016/17", "month": "9", "tables": "at_risk",
                              "format": "html"})  # fmt: skip
    assert b"Savings at risk, with mitigation" in html.content
    bad = web.get("/pack/", {"year": "2016/17", "month": "9", "tables": "equalities",
                             "format": "pdf"})  # fmt: skip
    assert bad.status_code == 200 and "unknown table equalities" in bad.content.decode()
    published = web.post("/pack/publish/", {"year": "2016/17", "month": "6",
                                            "tables": "monitoring_summary", **COVER})  # fmt: skip
    assert published.status_code == 302
    pack = PublishedPack.objects.get()
    pdf = web.get(f"/pack/published/{pack.pk}.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert "2016/17 Month 6" in web.get("/pack/").content.decode()


def test_recording_a_movement_on_the_journal_page(web, plan):
    line = plan.lines.get(reference="C6")
    url = "/monitoring/movements/?year=2016%2F17&month=12"
    fields = {"month": "12", "line": line.pk, "recurrence": "recurrent"}
    refused = web.post(url, {**fields, "kind": "write_off", "amount": "1000", "from_year": "2016"})
    page = refused.content.decode()
    assert refused.status_code == 200 and "There is a problem" in page
    assert "needs the reference of the decision record" in page
    moved = web.post(url, {"month": "12", "line": line.pk, "kind": "reprofile",
                           "amount": "100,000", "from_year": "2017", "to_year": "2018",
                           "recurrence": "recurrent", "reason": "Later start"})  # fmt: skip
    assert moved.status_code == 302
    line.refresh_from_db()
    assert {e.year: e.amount_pence for e in line.phasing.all()} == {
        2016: 39_000_000, 2017: 111_000_000, 2018: 10_000_000,
    }  # fmt: skip


def test_calibrating_from_the_summary_page(web, plan):
    response = web.post("/monitoring/calibrate/", {"year": "2016/17"}, follow=True)
    page = response.content.decode()
    assert "Delivery probabilities calibrated" in page
    assert "Calibrated from 2016/17 monitoring" in page  # the risk table now uses it
    refused = web.post("/monitoring/calibrate/", {"year": "2017/18"}, follow=True)
    assert "No Month 12 outturn recorded for 2017/18" in refused.content.decode()


def test_recording_an_actual_saving_for_a_case(web, plan):
    case = load_investment_demo()
    saved = web.post(f"/investment/{case.pk}/actual/", {"year": "2024/25", "amount": "3,100,000"})
    assert saved.status_code == 302
    page = web.get("/investment/").content.decode()
    assert "3,100" in page and "(800)" in page  # actual and variance, £'000
    web.post(f"/investment/{case.pk}/actual/", {"year": "2024/25", "amount": "lots"})
    page = web.get("/investment/").content.decode()
    assert "There is a problem" in page and "is not an amount" in page
    web.post(f"/investment/{case.pk}/actual/", {"year": "2024/25", "amount": "3,200,000"})
    assert case.actual_savings.get().amount_pence == 320_000_000  # corrected, not added


def test_monitoring_as_at_a_day_shows_the_month_in_effect_then(web, plan):
    """?as_at= a day: the last month whose monitoring had taken effect (at its end)."""
    mid_june = web.get("/monitoring/table/summary.json", {"as_at": "2016-06-15"})
    assert mid_june.status_code == 200
    assert "2016/17 Month 2 (May)" in json.loads(mid_june.content)["title"]
    end_of_june = json.loads(
        web.get("/monitoring/table/summary.json", {"as_at": "30/06/2016"}).content
    )
    assert "2016/17 Month 3 (June)" in end_of_june["title"]
    assert web.get("/monitoring/table/summary.json", {"as_at": "soon"}).status_code == 404


def test_period_in_effect_on_a_day():
    from datetime import date

    from csplan.core.periods import FinancialYear, MonitoringPeriod
    from csplan.web.monitoring import period_in_effect

    assert period_in_effect(date(2016, 4, 30)) == MonitoringPeriod(FinancialYear(2016), 1)
    assert period_in_effect(date(2016, 4, 29)) == MonitoringPeriod(FinancialYear(2015), 12)
    assert period_in_effect(date(2017, 3, 31)) == MonitoringPeriod(FinancialYear(2016), 12)
