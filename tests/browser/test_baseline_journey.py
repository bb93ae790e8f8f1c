"""A finance officer opens the approved baseline from the overview and reads the programme as
approved on 16 September 2015, after the demo's year of monitoring."""

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.monitoring.demo import load_monitoring_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"


@pytest.fixture
def signed_in(page, live_server):
    load_monitoring_demo(load_hampshire_demo())
    with_role(get_user_model().objects.create_user("finance", password=PASSWORD), "finance")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "finance")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return live_server.url


def _cells(page, label):
    row = page.locator(f"xpath=//tr[th[starts-with(normalize-space(), '{label}')]]").first
    return row.locator("td").all_inner_texts()


def test_the_baseline_and_the_day_it_was_approved(page, signed_in, axe_violations, screenshot):
    page.click("text=compare it with the approved baseline")
    page.wait_for_selector("h1:text('Approved baseline')")
    assert _cells(page, "Current") == ["5,036", "23,036", "23,300"]
    assert _cells(page, "Approved (Executive Member")[-3:] == ["5,536", "22,836", "23,300"]
    screenshot("baseline")
    assert axe_violations() == []

    page.goto(f"{signed_in}/as-at/?as_at=2015-09-16")
    assert (
        "As it stood on 16 September 2015: 7 savings lines"
        in page.locator(".govuk-inset-text").inner_text()
    )
    screenshot("as-at-approval-day")
    assert axe_violations() == []
