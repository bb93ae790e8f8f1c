"""A finance officer signs in, reads the tables, edits a line and sees the change."""

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.programme.models import SavingsLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"


@pytest.fixture
def signed_in(page, live_server):
    load_hampshire_demo()
    with_role(get_user_model().objects.create_user("finance", password=PASSWORD), "finance")
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return live_server.url


def test_wrong_password_shows_the_error_summary(page, live_server, axe_violations, screenshot):
    load_hampshire_demo()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    screenshot("login-error")
    assert axe_violations() == []


def test_reading_the_tables(page, signed_in, axe_violations, screenshot):
    assert page.locator("h1").inner_text() == "Transformation to 2017"
    assert "Hampshire County Council" in page.locator("header").inner_text()
    assert "GOV.UK" not in page.locator("header").inner_text()
    screenshot("overview")
    assert axe_violations() == []

    page.click("nav >> text=Workstreams")
    page.wait_for_selector("h1:text('Department Workstreams and Savings Target')")
    row = page.locator("tr", has_text="Social care transformation")
    assert row.locator("td").all_inner_texts() == ["52.5", "4.0", "7.6"]
    total = page.locator("xpath=//tr[th[normalize-space()='TOTAL']]")
    assert total.locator("td").all_inner_texts() == ["161.4", "23.3", "14.4"]
    screenshot("workstreams")
    assert axe_violations() == []

    page.click("nav >> text=Proposals")
    page.wait_for_url("**/proposals/")
    total = page.locator("xpath=//tr[th[normalize-space()='Total']]")
    assert total.locator("td").all_inner_texts()[-4:] == ["5,536", "22,836", "23,300", "58.6"]
    screenshot("proposals")
    assert axe_violations() == []

    page.click("nav >> text=Lines")
    page.wait_for_url("**/lines/")
    page.fill("#filter-q", "psychology")
    page.click("main button[type=submit]")
    page.wait_for_url("**/lines/?**")
    assert f"1 of {SavingsLine.objects.count()} savings lines" in page.locator("main").inner_text()
    assert page.locator("main table a", has_text="C4").count() == 1
    screenshot("lines-search")
    assert axe_violations() == []


def test_editing_a_line_with_the_keyboard(page, signed_in, axe_violations, screenshot):
    page.click("nav >> text=Lines")
    page.click("a:text-is('C6')")
    page.wait_for_selector("text=Edit this line")
    assert "C6: Placements process review" in page.locator("h1").inner_text()
    page.click("text=Edit this line")
    page.fill("#id_phasing_2017", "1,5x")
    page.keyboard.press("Enter")
    page.wait_for_selector(".govuk-error-summary")
    summary = page.locator(".govuk-error-summary")
    assert "Enter the 2017/18 saving as a number in £'000, like 1,500" in summary.inner_text()
    screenshot("line-form-error")
    assert axe_violations() == []

    page.fill("#id_phasing_2017", "1,400")
    page.select_option("#id_rag", "A")
    page.fill("#id_reason", "Placements review re-phased after the Month 6 monitoring")
    page.click("button:text('Save')")
    page.wait_for_selector(".govuk-notification-banner")
    assert "C6 saved" in page.locator(".govuk-notification-banner").inner_text()
    history = page.locator("table").last
    assert "2017/18 saving (incremental)" in page.content()
    assert "£1,400,000.00" in page.content() and "finance" in history.inner_text()
    screenshot("line-after-edit")
    assert axe_violations() == []

    # The form edits the incremental phasing: C6's 2017/18 step goes from 1,210 to 1,400.
    page.goto(f"{signed_in}/proposals/")
    total = page.locator("xpath=//tr[th[normalize-space()='Total']]")
    assert total.locator("td").all_inner_texts()[-4:] == ["5,536", "23,026", "23,490", "58.6"]
    page.goto(f"{signed_in}/proposals/?phasing=incremental")
    c6 = page.locator("xpath=//tr[th[normalize-space()='C6']]")
    assert c6.locator("td").all_inner_texts()[-4:-1] == ["390", "1,400", "0"]
