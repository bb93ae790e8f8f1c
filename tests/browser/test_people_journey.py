"""An admin manages people in the browser; a finance officer sees RAG tags on monitoring."""

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.models import Profile
from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.monitoring.demo import load_monitoring_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"
NEW_PASSWORD = "Quartz-lantern-river-42"


def _sign_in(page, url: str, name: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_an_admin_adds_an_sro_and_gives_them_lines(page, live_server, axe_violations, screenshot):
    load_hampshire_demo()
    model = get_user_model()
    with_role(model.objects.create_user("admin", password=PASSWORD), "admin")
    with_role(model.objects.create_user("finance", password=PASSWORD), "finance")
    _sign_in(page, live_server.url, "admin")
    page.click("header >> text=People")
    page.wait_for_selector("h1:text('People')")
    assert axe_violations() == []
    page.click("text=Add a user")
    page.click("button[type=submit]:text('Add the user')")
    page.wait_for_selector(".govuk-error-summary")
    screenshot("people-add-errors")
    assert axe_violations() == []
    page.fill("#id_username", "jo")
    page.check("input[name=role][value=sro]")
    page.fill("#id_password", NEW_PASSWORD)
    page.fill("#id_password_again", NEW_PASSWORD)
    page.click("button[type=submit]:text('Add the user')")
    page.wait_for_selector("h1:text('jo')")
    page.check("input[name=lines][value=C3]")
    page.click("text=Save the lines")
    page.wait_for_selector(".govuk-notification-banner")
    assert "jo owns C3" in page.locator(".govuk-notification-banner").inner_text()
    screenshot("people-person")
    assert axe_violations() == []
    admin_pk = model.objects.get(username="admin").pk
    page.goto(f"{live_server.url}/people/{admin_pk}/")
    page.check("input[name=role][value=viewer]")
    page.click("text=Save the role")
    page.wait_for_selector(".govuk-error-summary")
    assert "last active admin" in page.locator(".govuk-error-summary").inner_text()
    assert Profile.objects.get(user__username="admin").role == "admin"
    page.click("header >> text=People")
    page.wait_for_selector("h1:text('People')")
    row = page.locator("xpath=//tbody/tr[th/a[starts-with(normalize-space(), 'jo')]]")
    assert "C3" in row.inner_text()
    screenshot("people")


def test_monitoring_tables_show_rag_tags(page, live_server, axe_violations, screenshot):
    load_monitoring_demo(load_hampshire_demo())
    with_role(get_user_model().objects.create_user("finance", password=PASSWORD), "finance")
    _sign_in(page, live_server.url, "finance")
    page.goto(f"{live_server.url}/monitoring/?year=2016/17&month=9")
    tags = page.locator("table .govuk-tag")
    assert tags.count() > 0
    assert set(tags.all_inner_texts()) <= {"AMBER", "RED", "Amber", "Red"}
    screenshot("monitoring-rag-tags")
    assert axe_violations() == []
    assert "People" not in page.locator("header").inner_text()
