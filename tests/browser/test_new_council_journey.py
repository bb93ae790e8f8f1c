"""A new council, from an empty database to its first published pack, in the browser only
(issue 13's done-when): an admin creates the plan, imports the council's own tracker (its own
headings, £ not £'000, years as columns), is shown a problem by sheet, row and column, fixes
the file and imports it; adds an SRO and gives them lines; writes an invest-to-save case; sets
the council's own unit costs; uploads the council's SSDA903 returns, forecasts, saves a
scenario and attaches it to a line; the SRO records the month's monitoring; the admin publishes
the Month 6 pack and downloads its PDF. Every page axe-checked, screenshots kept."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.benchmark.demo import load_demo_benchmark
from csplan.cases.demo import load_cases_demo, load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.demand import synthetic
from csplan.evidence.models import Evidence
from csplan.forecasts import services
from csplan.investment.models import InvestmentCase
from csplan.monitoring.demo import load_monitoring_demo
from csplan.pack.models import PublishedPack
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import programme_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ADMIN_PASSWORD = "a-long-admin-password-1"
SRO_PASSWORD = "Quartz-lantern-river-42"
COUNCIL = "Testshire Council"
PLAN = "Children's savings 2025-28"
SLUG = "childrens-savings-2025-28"
SHEET = "Savings 2025-28"
HEADINGS = [
    "Saving Ref",
    "Saving Title",
    "Theme",
    "Budget Holder",
    "FTE",
    "One-off / Recurrent",
    "2025/26 (£)",
    "2026/27 (£)",
    "2027/28 (£)",
]
# Incremental, in pounds: the change each year. TS-03's 2026/27 is the deliberate problem.
ROWS = [
    ["TS-01", "Fewer agency foster placements", "Placements", "Head of Fostering",
     2, "Recurrent", 400000, 300000, 200000],
    ["TS-02", "Edge of care team", "Early help", "Head of Early Help",
     1.5, "Recurrent", 250000, 150000, 0],
    ["TS-03", "Review of transport contracts", "Placements", "Head of Commissioning",
     None, "Recurrent", 120000, "tbc", 0],
]  # fmt: skip


def tracker_xlsx(fixed: bool) -> bytes:
    """The council's own tracker: a notes sheet first, a title row, then its headings."""
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["Testshire savings tracker: amounts in £, the change in each year"])
    sheet = workbook.create_sheet(SHEET)
    sheet.append(["Testshire Council: children's services savings (£)"])
    sheet.append([])
    sheet.append(HEADINGS)
    for row in ROWS:
        sheet.append([80000 if fixed and value == "tbc" else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def returns_zip(folder: Path) -> bytes:
    """Small synthetic SSDA903 returns (about 120 children in care, three years)."""
    synthetic.write_returns(folder, children_in_care=120, years=3, last_year=2025, seed=5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*.csv")):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _quick(settings, tmp_path):
    settings.CSPLAN_DEMAND_SIMULATIONS = 100
    settings.DATA_DIR = tmp_path / "data"
    services._RETURNS_CACHE.clear()


def sign_in(page, url: str, name: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def cells(page, label: str) -> list[str]:
    row = page.locator(f"xpath=//tr[th[starts-with(normalize-space(), '{label}')]]").first
    return row.locator("td").all_inner_texts()


WIDER_THAN_ITS_BOX = """() => [...document.querySelectorAll("main .csplan-wide")]
    .filter((box) => box.scrollWidth > box.clientWidth)
    .map((box) => `${box.getAttribute("aria-label") || box.id}: `
        + `${box.scrollWidth} px in ${box.clientWidth} px`)"""


def wider_than_the_page(page) -> list[str]:
    """The tables that would need sideways scrolling at 1280 px wide."""
    page.set_viewport_size({"width": 1280, "height": 800})
    return page.evaluate(WIDER_THAN_ITS_BOX)


def test_a_new_council_from_an_empty_database_to_its_first_published_pack(
    page, live_server, axe_violations, screenshot, tmp_path
):
    url = live_server.url
    plan_url = f"{url}/plans/{SLUG}"
    model = get_user_model()
    with_role(model.objects.create_user("admin", password=ADMIN_PASSWORD), "admin")
    assert not Plan.objects.exists()

    def looked_at(name: str) -> None:
        screenshot(f"council-{name}")
        assert axe_violations() == [], name

    # 1. The plan: council, years, targets per year, workstreams and budgets (in £'000).
    sign_in(page, url, "admin", ADMIN_PASSWORD)
    assert page.locator("h1").inner_text() == "Savings plans", page.url
    looked_at("01-no-plans")
    page.click("text=Create a plan")
    page.wait_for_url("**/plans/new/")
    page.fill("#id_name", PLAN)
    page.fill("#id_council", COUNCIL)
    page.fill("#id_years", "2025/26-2027/28")
    page.click("button[name=redraw]")
    page.wait_for_selector("#id_targets_2027")
    page.fill("#id_targets_2025", "800")
    page.fill("#id_targets_2026", "500")
    page.fill("#id_targets_2027", "300")
    page.fill("#id_workstream_0_name", "Placements")
    page.fill("#id_workstream_0_budget", "24,000")
    page.fill("#id_workstream_1_name", "Early help")
    page.fill("#id_workstream_1_budget", "6,500")
    looked_at("02-plan-new")
    page.click("text=Create the plan")
    page.wait_for_url(f"**/plans/{SLUG}/settings/")
    looked_at("03-plan-settings")
    assert page.input_value("#id_workstream_0_budget") == "24,000"
    figures = programme_figures(Plan.objects.get(slug=SLUG))
    assert figures.council == COUNCIL
    assert figures.years == tuple(FinancialYear(y) for y in (2025, 2026, 2027))
    assert figures.targets[FinancialYear(2025)] == Decimal("800000")
    assert [(w.name, w.budget) for w in figures.workstreams] == [
        ("Placements", Decimal("24000000")),
        ("Early help", Decimal("6500000")),
    ]

    # 2. The council's own tracker, with a problem: named by sheet, row and column.
    page.click("#next-step >> text=import your council's spreadsheet")
    page.wait_for_url(f"**/plans/{SLUG}/import/")
    looked_at("05-import-upload")
    first = tmp_path / "testshire-tracker.xlsx"
    first.write_bytes(tracker_xlsx(fixed=False))
    page.set_input_files("#id_file", str(first))
    page.click("text=Upload and continue")
    page.wait_for_url("**/import/mapping/")
    assert page.input_value("#sheet") == SHEET  # the notes sheet is passed over
    assert page.input_value("#header_row") == "3"
    page.select_option("#id_reference", "Saving Ref")
    page.select_option("#id_title", "Saving Title")
    page.select_option("#id_workstream", "Theme")
    page.select_option("#id_sro_role", "Budget Holder")
    page.select_option("#id_fte", "FTE")
    page.select_option("#id_recurrence", "One-off / Recurrent")
    for heading in ("2025/26 (£)", "2026/27 (£)", "2027/28 (£)"):
        page.check(f"input[name=year_columns][value='{heading}']")
    page.check("input[name=unit][value='£']")
    page.check("input[name=form][value=incremental]")
    looked_at("06-import-mapping")
    page.click("text=Preview the import")
    page.wait_for_url("**/import/preview/")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "1 problem in testshire-tracker.xlsx: nothing has been imported" in summary
    problem = page.locator("#problems tbody tr").first.locator("td").all_inner_texts()
    assert problem == [
        "testshire-tracker.xlsx",
        SHEET,
        "6",
        "2026/27 (£) (H)",
        "'tbc' is not an amount in £",
    ]
    looked_at("07-import-problem")
    assert not SavingsLine.objects.exists()

    page.click("text=Upload the corrected file")
    page.wait_for_url("**/import/")
    fixed = tmp_path / "testshire-tracker.xlsx"
    fixed.write_bytes(tracker_xlsx(fixed=True))
    page.set_input_files("#id_file", str(fixed))
    page.click("text=Upload and continue")
    page.wait_for_url("**/import/mapping/")
    assert page.input_value("#id_sro_role") == "Budget Holder"  # the columns just chosen
    page.click("text=Preview the import")
    page.wait_for_url("**/import/preview/")
    rows = page.locator("#lines tbody tr")
    assert rows.count() == 3
    assert rows.nth(2).locator("td").all_inner_texts()[:2] == ["Added", "TS-03"]
    assert rows.nth(2).locator("td").all_inner_texts()[5:8] == [
        "120,000.00",
        "80,000.00",
        "0.00",
    ]
    looked_at("08-import-preview")
    page.click("text=Import 3 lines")
    page.wait_for_url(f"**/plans/{SLUG}/lines/")
    assert (
        page.locator(".govuk-notification-banner")
        .inner_text()
        .endswith(
            "Lines added: 3: TS-01, TS-02, TS-03; Lines updated: 0; Lines removed: 0; "
            "Lines unchanged: 0."
        )
    )
    looked_at("09-lines-imported")
    assert list(SavingsLine.objects.order_by("position").values_list("reference", flat=True)) == [
        "TS-01",
        "TS-02",
        "TS-03",
    ]

    # The overview, in £'000: proposals by 2027/28 are 900 + 400 + 200 (full-year effect).
    page.goto(f"{plan_url}/")
    overview = page.locator("main .govuk-summary-list").inner_text()
    assert "£1,600k" in overview  # the target: 800 + 500 + 300
    assert "£1,500k" in overview
    looked_at("10-overview")

    # 3. People: an SRO who owns the two placements lines.
    page.click("header >> text=People")
    page.wait_for_selector("h1:text('People')")
    looked_at("11-people")
    page.click("text=Add a user")
    page.fill("#id_username", "sam")
    page.check("input[name=role][value=sro]")
    page.fill("#id_password", SRO_PASSWORD)
    page.fill("#id_password_again", SRO_PASSWORD)
    page.click("button[type=submit]:text('Add the user')")
    page.wait_for_selector("h1:text('sam')")
    page.check("input[name=lines][value=TS-01]")
    page.check("input[name=lines][value=TS-03]")
    page.click("text=Save the lines")
    page.wait_for_selector(".govuk-notification-banner")
    assert "sam owns TS-01, TS-03" in page.locator(".govuk-notification-banner").inner_text()
    looked_at("12-person")

    # 4. An invest-to-save case: £750k of capital receipts buying £500k + £900k of savings.
    page.goto(f"{plan_url}/")
    page.click("nav >> text=Invest to save")
    page.click("text=Add a case")
    page.wait_for_url("**/investment/new/")
    page.fill("#id_reference", "IS-1")
    page.fill("#id_name", "In-house fostering recruitment")
    page.fill("#id_spend_0_year", "2025/26")
    page.select_option("#id_spend_0_category", "transformation")
    page.select_option("#id_spend_0_funding", "capital_receipts")
    page.fill("#id_spend_0_amount", "750")
    page.check("#id_spend_0_designed_for_ongoing_savings")
    page.fill("#id_expected_0_year", "2026/27")
    page.fill("#id_expected_0_amount", "500")
    page.fill("#id_expected_1_year", "2027/28")
    page.fill("#id_expected_1_amount", "900")
    looked_at("13-case-new")
    page.click("text=Save the case")
    page.wait_for_selector("h2:text('IS-1: In-house fostering recruitment')")
    assert "Flexible use of capital receipts" in page.content()
    assert wider_than_the_page(page) == []  # the capital-receipts strategy table fits
    looked_at("14-cases")
    case = InvestmentCase.objects.get(reference="IS-1")
    assert case.plan.slug == SLUG

    # 5. The council's own unit costs, dated and with their source.
    page.click("nav >> text=Demand")
    page.click(f"text={COUNCIL}: unit costs of placements")
    page.wait_for_selector("h1:text('Unit costs of placements')")
    page.select_option("#id_group", "foster_ifa")
    page.fill("#id_weekly_cost", "1,050.00")
    page.fill("#id_effective_from", "01/04/2025")
    page.fill("#id_source", "Testshire budget book 2025/26, p. 31")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner")
    assert "1,050.00" in page.locator("main table").first.inner_text()
    looked_at("15-unit-costs")

    # 6. The council's SSDA903 returns: forecast, priced at its own costs; a scenario, attached.
    returns = tmp_path / "testshire-903.zip"
    returns.write_bytes(returns_zip(tmp_path / "returns"))
    page.click("nav >> text=Demand")
    page.click("text=Upload SSDA903 returns")
    page.fill("#name", "Testshire returns to March 2025")
    page.select_option("#council", label=COUNCIL)
    page.set_input_files("#files", str(returns))
    looked_at("16-903-upload")
    page.click("main button[type=submit]")
    page.wait_for_url("**/validation/")
    looked_at("17-903-validation")
    page.click("main >> a:text-is('Forecast')")
    page.wait_for_url("**/forecast/")
    looked_at("18-forecast")
    page.click("main >> a:text-is('Costs')")
    page.wait_for_url("**/costs/")
    used = page.locator("#unit-costs-used").inner_text()
    assert f"{COUNCIL}'s own" in used and "£1,050.00 a week from 1 April 2025" in used
    looked_at("19-costs")

    page.goto(f"{url}/demand/scenarios/new/")
    page.fill("#id_name", "Agency placements made in-house")
    page.fill("#id_start", "01/04/2025")
    page.fill("#id_ramp_months", "12")
    page.fill("#id_in_house_share", "30")
    looked_at("20-scenario-new")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Agency placements made in-house')")
    looked_at("21-scenario")

    page.click("#use-scenario >> text=attach it to a savings line")
    page.wait_for_url("**/attach/?scenario=*")
    assert page.locator("#id_scenario option:checked").inner_text() == (
        "Agency placements made in-house"
    )
    page.select_option("#id_line", label=f"{COUNCIL} – TS-01 Fewer agency foster placements")
    looked_at("22-attach")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:text('Evidence for TS-01 Fewer agency foster placements')")
    looked_at("23-evidence")
    evidence = Evidence.objects.get(kind="demand_scenario")
    assert evidence.line.reference == "TS-01"

    # The equality and benchmark tables a committee reads, at 1280 px without scrolling.
    page.click("nav >> text=Equality")
    page.wait_for_selector("main h1")
    wide = wider_than_the_page(page)
    looked_at("23a-equality")
    assert wide == []
    page.click("nav >> text=Benchmark")
    page.wait_for_selector("main h1")
    wide = wider_than_the_page(page)
    looked_at("23b-benchmark")
    assert wide == []

    # 7. The SRO records Month 6 for their own line.
    sign_in(page, url, "sam", SRO_PASSWORD)
    line = SavingsLine.objects.get(reference="TS-01")
    page.click("nav >> text=Monitoring")
    page.select_option("main #year", "2025/26")
    page.select_option("main #month", "6")
    page.click("main button:text('Show')")
    page.wait_for_url("**/monitoring/?year=2025%2F26&month=6")
    assert page.locator("text=record Month 6 for TS-02").count() == 0  # not sam's line
    page.click("text=record Month 6 for TS-01")
    page.wait_for_url(lambda address: f"/monitoring/lines/{line.pk}/record/" in address)
    assert page.url.endswith("month=6"), page.url
    assert page.input_value("#id_forecast_2026") == "700,000"  # the plan's in-year saving
    page.check("input[name=rag][value=A]")
    page.fill("#id_forecast_2025", "310,000")
    page.fill("#id_achieved_to_date", "150,000")
    page.fill("#id_explanation", "Fewer in-house carers recruited than planned by September")
    page.fill("#id_mitigation", "A second recruitment campaign from October")
    looked_at("24-monitoring-record")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/monitoring/lines/{line.pk}/")
    looked_at("25-monitoring-line")

    # 8. The admin publishes the Month 6 pack, with its cover, and downloads the PDF.
    sign_in(page, url, "admin", ADMIN_PASSWORD)
    page.goto(f"{plan_url}/monitoring/?year=2025/26&month=6")
    assert wider_than_the_page(page) == []
    assert page.locator("main .csplan-wide").count() >= 3
    looked_at("26-monitoring")
    page.click("nav >> text=Committee pack")
    page.select_option("#year", "2025/26")
    page.select_option("#month", "6")
    page.click("text=Use this period and these tables")
    page.wait_for_selector("button:text('Publish the 2025/26 Month 6 pack')")
    looked_at("27-pack-builder")
    page.fill("#id_committee", "Children's Services Select Committee")
    page.fill("#id_meeting_day", "12")
    page.fill("#id_meeting_month", "11")
    page.fill("#id_meeting_year", "2025")
    page.fill("#id_author_role", "Head of Finance, Children's Services")
    page.fill("#id_purpose", "To report the savings programme at Month 6 of 2025/26.")
    page.fill("#id_recommendations", "Note the savings position at Month 6.")
    page.click("text=Publish the 2025/26 Month 6 pack")
    page.wait_for_selector("main table >> text=Children's Services Select Committee")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Published the 2025/26 Month 6 pack." in banner
    looked_at("28-pack-published")
    pack = PublishedPack.objects.get()
    assert (pack.year, pack.month) == (2025, 6)
    with page.expect_download() as download:
        page.click("main table >> a:text-is('PDF')")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and pdf == bytes(pack.pdf)
    (screenshot("council-29-after-download").parent / "council-pack.pdf").write_bytes(pdf)
    if shutil.which("pdftotext"):  # poppler-utils, as tests/pack uses
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        lines = {" ".join(line.split()) for line in text.splitlines()}
        assert "Report to Children's Services Select Committee" in lines
        assert "1. Note the savings position at Month 6." in lines
        # The pack's figures (£'000): the programme, Month 6's monitoring, the case.
        assert {
            "Savings target (cumulative) 800 1,300 1,600",
            "Savings planned (in-year) 770 1,300 1,500",
            "Placements 24,000 520 430 90 0 0 90 0.4",
            "Total 30,500 770 680 90 0 0 90 0.3",
            "Total investment 750 0 0 750",
            "Expected savings 0 500 900 1,400",
        } <= lines


def test_the_committee_tables_fit_1280_px_on_the_demo_council(
    page, live_server, axe_violations, screenshot
):
    """Issue 13 item 6: the monitoring, benchmark, equality and capital-receipts tables of a
    programme with a year of monitoring read at 1280 px without sideways scrolling."""
    plan = load_hampshire_demo()
    load_monitoring_demo(plan)
    load_cases_demo([plan])
    load_demo_benchmark()
    with_role(get_user_model().objects.create_user("admin", password=ADMIN_PASSWORD), "admin")
    sign_in(page, live_server.url, "admin", ADMIN_PASSWORD)
    pages = {
        "monitoring": "/monitoring/?year=2016/17&month=9",
        "equality": "/cases/equality/",
        "benchmark": "/benchmark/",
    }  # (the capital-receipts strategy table is checked in the journey above)
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        wide = wider_than_the_page(page)
        screenshot(f"fit-1280-{name}")
        assert wide == [], name
        assert page.locator("main .csplan-wide").count() >= 1, name
        assert axe_violations() == [], name
