"""A new council sets itself up in the browser: from an empty database, a finance officer
creates the plan with its targets and workstreams, changes it, and writes an invest-to-save
case; every page axe-checked, screenshots kept."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.core.periods import FinancialYear
from csplan.investment.models import InvestmentCase
from csplan.investment.store import case_figures
from csplan.programme.models import Plan
from csplan.programme.store import programme_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"


@pytest.fixture
def signed_in(page, live_server):
    with_role(get_user_model().objects.create_user("finance", password=PASSWORD), "finance")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return live_server.url


def test_a_new_council_creates_its_plan_and_an_invest_to_save_case(
    page, signed_in, axe_violations, screenshot
):
    page.goto(f"{signed_in}/plans/")
    page.click("text=Create a plan")
    page.wait_for_url("**/plans/new/")
    assert axe_violations() == []
    page.fill("#id_name", "MTFS 2025-29")
    page.fill("#id_council", "Testshire Council")
    page.fill("#id_years", "2025/26-2028/29")
    page.click("button[name=redraw]")
    page.wait_for_selector("#id_targets_2028")
    page.fill("#id_targets_2025", "2,400")
    page.fill("#id_targets_2026", "abc")
    page.fill("#id_workstream_0_name", "Early help")
    page.fill("#id_workstream_0_budget", "12,500")
    page.fill("#id_workstream_1_name", "Home to school transport")
    page.fill("#id_workstream_1_budget", "4,000")
    page.check("#id_workstream_1_outside")
    page.click("text=Create the plan")
    page.wait_for_selector(".govuk-error-summary")
    screenshot("plan-new-error")
    assert axe_violations() == []
    page.click(".govuk-error-summary a")  # the summary links to the field
    page.fill("#id_targets_2026", "1,800.5")
    page.click("text=Create the plan")
    page.wait_for_url("**/plans/mtfs-2025-29/settings/")
    screenshot("plan-settings")
    assert axe_violations() == []
    figures = programme_figures(Plan.objects.get(slug="mtfs-2025-29"))
    assert figures.targets == {
        FinancialYear(2025): Decimal("2400000"),
        FinancialYear(2026): Decimal("1800500"),
    }
    assert [(w.name, w.is_workstream) for w in figures.workstreams] == [
        ("Early help", True),
        ("Home to school transport", False),
    ]

    page.fill("#id_workstream_0_name", "Early help and prevention")
    page.click("text=Save the plan")
    page.wait_for_selector("text=Testshire Council: MTFS 2025-29 saved")
    assert page.input_value("#id_workstream_0_name") == "Early help and prevention"

    page.goto(f"{signed_in}/plans/mtfs-2025-29/investment/")
    page.click("text=Add a case")
    page.wait_for_url("**/investment/new/")
    assert axe_violations() == []
    page.fill("#id_reference", "EH1")
    page.fill("#id_name", "Family hubs")
    page.fill("#id_spend_0_year", "2025/26")
    page.select_option("#id_spend_0_category", "transformation")
    page.select_option("#id_spend_0_funding", "capital_receipts")
    page.fill("#id_spend_0_amount", "750")
    page.check("#id_spend_0_designed_for_ongoing_savings")
    page.fill("#id_expected_0_year", "2026/27")
    page.fill("#id_expected_0_amount", "500")
    page.fill("#id_expected_1_year", "2027/28")
    page.fill("#id_expected_1_amount", "900")
    page.fill("#id_expected_1_note", "Not stated: straight line to 2028/29 (assumption)")
    page.click("text=Save the case")
    page.wait_for_selector("h2:text('EH1: Family hubs')")
    screenshot("investment-cases")
    assert axe_violations() == []
    html = page.content()
    assert "Flexible use of capital receipts" in html
    assert "Expected savings 2027/28: Not stated: straight line to 2028/29 (assumption)" in html
    case = InvestmentCase.objects.get(reference="EH1")
    assert case_figures(case).total_investment == Decimal("750000")
    assert case.plan.slug == "mtfs-2025-29"
