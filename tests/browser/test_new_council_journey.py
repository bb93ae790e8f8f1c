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
from csplan.core.periods import FinancialYear
from csplan.demand import synthetic
from csplan.evidence.models import Evidence
from csplan.forecasts import services
from csplan.investment.models import InvestmentCase
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
    figures = programme_figures(Plan.objects.get(slug=SLUG))
    assert figures.council == COUNCIL
    assert figures.years == tuple(FinancialYear(y) for y in (2025, 2026, 2027))
    assert figures.targets[FinancialYear(2025)] == Decimal("800000")
    assert [(w.name, w.budget) for w in figures.workstreams] == [
        ("Placements", Decimal("24000000")),
        ("Early help", Decimal("6500000")),
    ]

    # 2. The council's own tracker, with a problem: named by sheet, row and column.
    page.goto(f"{plan_url}/lines/")
    looked_at("04-no-lines")
    page.click("text=Import a spreadsheet")
    page.wait_for_url("**/import/")
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
