"""The benchmark web page and its CSV/JSON/XLSX twins (Django test client)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from csplan.accounts.users import with_role
from csplan.benchmark.demo import DEMO_LA, load_demo_benchmark
from csplan.benchmark.store import import_parsed
from csplan.core.charts.benchmark import Series, trend_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    """The benchmark pages as the web app serves them (csplan.urls)."""
    return None


@pytest.fixture
def officer(client, django_user_model):
    user = with_role(
        django_user_model.objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    client.force_login(user)
    return user


@pytest.mark.usefixtures("site")
def test_page_requires_log_in(client):
    response = client.get("/benchmark/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.get(f"/benchmark/{DEMO_LA}/2025.csv").status_code == 302


@pytest.mark.usefixtures("site", "officer")
def test_page_without_data_explains_the_import(client):
    response = client.get("/benchmark/")
    assert response.status_code == 200
    assert b"csplan benchmark import PATH..." in response.content


@pytest.mark.usefixtures("site", "officer")
def test_demo_page_has_pickers_table_chart_and_twins(client):
    load_demo_benchmark()
    response = client.get("/benchmark/", {"la": DEMO_LA, "year": "2025"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<select class="govuk-select" id="la" name="la">' in html
    assert f'<option value="{DEMO_LA}" selected>Demoshire ({DEMO_LA})</option>' in html
    assert '<option value="2025" selected>2025</option>' in html
    assert 'class="govuk-table csplan-report"' in html and "govuk-table__cell--numeric" in html
    assert "<svg" in html and "Neighbours (weighted)" in html
    for fmt in ("csv", "json", "xlsx"):
        assert f'href="/benchmark/{DEMO_LA}/2025.{fmt}"' in html
    assert "demo-cla-2025" in html  # sources listed


@pytest.mark.usefixtures("site", "officer")
def test_bad_choice_is_a_clear_error(client):
    load_demo_benchmark()
    response = client.get("/benchmark/", {"la": "E10000099", "year": "2025"})
    assert response.status_code == 400
    assert b"no published figures for LA E10000099" in response.content


@pytest.mark.usefixtures("site", "officer")
def test_twins(client):
    load_demo_benchmark()
    csv_response = client.get(f"/benchmark/{DEMO_LA}/2025.csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == (
        f'attachment; filename="benchmark-{DEMO_LA}-2025.csv"'
    )
    header = next(csv.reader(io.StringIO(csv_response.content.decode())))
    assert header[:3] == ["Measure", "LA count", "LA rate per 10,000"]
    spend = client.get(f"/benchmark/{DEMO_LA}/2025.csv", {"table": "spend"}).content.decode()
    assert next(csv.reader(io.StringIO(spend)))[:3] == [
        "Measure",
        "LA spend (£)",
        "LA spend per child (£)",
    ]
    data = json.loads(client.get(f"/benchmark/{DEMO_LA}/2025.json").content)
    assert data["meta"]["la_code"] == DEMO_LA and data["meta"]["year"] == "2025"
    assert [t["name"] for t in data["tables"]] == ["comparison", "spend", "neighbours", "trend"]
    from openpyxl import load_workbook

    xlsx = client.get(f"/benchmark/{DEMO_LA}/2025.xlsx").content
    assert load_workbook(io.BytesIO(xlsx)).sheetnames == [
        "comparison",
        "spend",
        "neighbours",
        "trend",
    ]
    assert client.get(f"/benchmark/{DEMO_LA}/2025.pdf").status_code == 404
    assert client.get(f"/benchmark/{DEMO_LA}/2019.csv").status_code == 404


@pytest.mark.reference
@pytest.mark.usefixtures("site", "officer")
def test_hertfordshire_page(client, reference_files):
    import_parsed(reference_files.values())
    html = client.get("/benchmark/", {"la": "919"}).content.decode()
    assert "Hertfordshire (E10000015) against its statistical neighbours, 31 March 2025" in html
    assert ">999<" in html and ">52.2<" in html


def test_svg_escapes_labels_and_skips_missing_points():
    svg = trend_svg("A <b> title", [Series("X & Y", [(2021, None), (2022, 10), (2023, 20)])])
    assert "A &lt;b&gt; title" in svg and "X &amp; Y" in svg
    assert svg.count("<circle") == 2
    assert trend_svg("empty", []) == ""


@pytest.mark.usefixtures("site", "officer")
def test_close_the_gap_on_the_page_and_its_twins(client):
    load_demo_benchmark()
    query = {
        "la": DEMO_LA,
        "year": "2025",
        "target": "neighbours",
        "by": "2027/28",
        "weekly_cost": "1,000",
    }
    html = client.get("/benchmark/", query).content.decode()
    assert 'id="table-gap"' in html
    assert html.count('<th scope="row" class="govuk-table__cell">2025/26</th>') == 1
    assert "Full-year effect after 2027/28" in html
    twin = f"/benchmark/{DEMO_LA}/2025/gap.csv?target=neighbours&amp;by=2027%2F28"
    assert twin in html
    csv_text = client.get(
        f"/benchmark/{DEMO_LA}/2025/gap.csv", {"by": "2027/28", "weekly_cost": "1000"}
    ).content.decode()
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == [
        "Financial year",
        "Rate per 10,000 at 31 March",
        "Children looked after at 31 March",
        "Fewer than the base (31 March)",
        "Fewer on average in the year",
        "Saving in the year against the base budget (£)",
        "Incremental saving (£)",
    ]
    assert len(rows) == 4
    assert rows[-1][0] == "2027/28" and rows[-1][-2:] == ["19520825.69", "7840331.63"]
    bad = client.get("/benchmark/", {**query, "by": "2019/20"}).content.decode()
    assert "There is a problem with the gap" in bad
    assert "the target year 2019/20 is not after the base year 2024/25" in bad
    assert client.get(f"/benchmark/{DEMO_LA}/2025/gap.csv").status_code == 404


def test_mounted_at_benchmark_in_the_project_urls():
    from django.urls import clear_url_caches, reverse

    clear_url_caches()
    try:
        page = reverse("benchmark:page")
    except ImportError as error:  # another app's URLs not built yet on this branch
        pytest.skip(f"the project URLconf cannot be imported yet: {error}")
    assert page == "/benchmark/"
    assert reverse("benchmark:export", args=["E10000015", 2025, "csv"]) == (
        "/benchmark/E10000015/2025.csv"
    )
