"""The programme as a team uses it, in the browser: an SRO writes the business case and rates
the equality impact of their own line, a finance officer records the decision and approves the
line, and a scrutiny member reads everything and changes nothing; each refusal is shown."""

import pytest

from csplan.accounts.demo import load_role_users
from csplan.cases.demo import load_hampshire_demo
from csplan.cases.models import DecisionLine
from csplan.programme.models import SavingsLine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-for-the-journey"


@pytest.fixture
def site(live_server):
    plan = load_hampshire_demo()
    load_role_users(plan, PASSWORD)
    # The journey is of a line no decision covers yet (the demo's 16/09/2015 decision covers
    # every Hampshire line): C3 is taken out of it, as if proposed after that meeting.
    DecisionLine.objects.filter(decision__plan=plan, line__reference="C3").delete()
    return live_server.url, plan


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")  # (the header's sign-out is a button too)
    page.wait_for_url(f"{url}/")


def sign_out(page, url: str) -> None:
    page.context.clear_cookies()


def test_case_equality_decision_and_approval_as_each_role(page, site, axe_violations, screenshot):
    url, plan = site
    own = plan.lines.get(reference="C3")  # the demo SRO's line
    other = plan.lines.get(reference="C6")  # not theirs

    # The SRO writes the business case of their own line...
    sign_in(page, url, "sro")
    page.goto(f"{url}/lines/{own.pk}/")
    page.click("a:has-text('Write')")
    page.wait_for_url(f"**/cases/business/{own.pk}/edit/")
    page.fill("#id_title", "")
    page.fill("#id_risk_1_title", "A risk with a likelihood of nine")
    page.fill("#id_risk_1_likelihood", "9")
    page.click("main button[type=submit]")  # no title, a bad score: the GOV.UK error summary
    page.wait_for_selector(".govuk-error-summary")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Enter the project title" in summary and "Risk 1" in summary
    screenshot("journey-case-errors")
    assert axe_violations() == []
    page.fill("#id_title", "Review of placements: fewer agency placements")
    page.fill("#id_why", "Agency fostering costs twice what our own carers cost.")
    page.fill("#id_risk_1_title", "Not enough in-house carers are recruited")
    page.fill("#id_risk_1_likelihood", "3")
    page.fill("#id_risk_1_impact", "4")
    page.fill("#id_risk_1_owner_role", "Head of Fostering")
    page.fill("#id_risk_1_mitigation", "A recruitment campaign from April")
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/cases/business/{own.pk}/")
    text = page.locator("main").inner_text()
    assert "Review of placements: fewer agency placements" in text
    assert "Not enough in-house carers are recruited" in text and "12" in text  # 3 × 4
    screenshot("journey-case")
    assert axe_violations() == []

    # ... and rates its equality impact, but cannot touch another officer's line.
    page.goto(f"{url}/cases/equality/{own.pk}/")
    page.select_option("#id_age_rating", "adverse")
    page.fill("#id_age_note", "Fewer placements for teenagers with agencies.")
    page.fill("#id_age_mitigation", "Specialist in-house carers for teenagers.")
    page.click("main button[type=submit]")
    page.goto(f"{url}/cases/equality/")
    row = page.locator("tr", has_text="C3").first
    assert "Adverse" in row.inner_text()
    screenshot("journey-equality")
    assert axe_violations() == []
    response = page.goto(f"{url}/cases/business/{other.pk}/edit/")
    assert response.status == 403
    assert "Only the line's senior responsible officer" in page.locator("main").inner_text()
    response = page.goto(f"{url}/cases/decisions/new/?plan={plan.pk}")
    assert response.status == 403

    # Approving without a decision is refused, with the reason.
    page.goto(f"{url}/cases/decisions/status/{own.pk}/")
    page.select_option("#id_lifecycle", "approved")
    page.click("main button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert "decision" in page.locator(".govuk-error-summary").inner_text().lower()
    screenshot("journey-approval-refused")
    sign_out(page, url)

    # The finance officer records Cabinet's decision and approves the line.
    sign_in(page, url, "finance")
    page.goto(f"{url}/cases/decisions/new/?plan={plan.pk}")
    page.select_option("#id_body", "cabinet")
    page.select_option("#id_kind", "approval")
    page.fill("#id_date", "14/03/2016")
    page.fill("#id_reference", "CAB-2016-03-14/7")
    page.check(f"#id_line_{own.pk}")
    page.click("main button[type=submit]")
    page.wait_for_url("**/cases/decisions/**")
    assert "CAB-2016-03-14/7" in page.locator("main").inner_text()
    screenshot("journey-decisions")
    assert axe_violations() == []
    page.goto(f"{url}/cases/decisions/status/{own.pk}/")
    page.select_option("#id_lifecycle", "approved")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert SavingsLine.objects.get(pk=own.pk).lifecycle == "approved"
    page.goto(f"{url}/lines/{own.pk}/")
    assert "Approved" in page.locator("main").inner_text()
    sign_out(page, url)

    # The scrutiny member reads everything and can change nothing.
    sign_in(page, url, "viewer")
    page.goto(f"{url}/cases/business/{own.pk}/")
    assert "Review of placements" in page.locator("main").inner_text()
    assert page.locator("main a:has-text('Change'), main a:has-text('Edit')").count() == 0
    screenshot("journey-viewer-case")
    assert axe_violations() == []
    for path in (f"/cases/business/{own.pk}/edit/", f"/lines/{own.pk}/edit/"):
        assert page.goto(f"{url}{path}").status == 403, path
    page.goto(f"{url}/cases/decisions/status/{own.pk}/")  # readable, with nothing to press
    assert page.locator("main button[type=submit]").count() == 0
    posted = page.evaluate(
        """async (target) => {
            const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
            const response = await fetch(target, {method: "POST", body: "lifecycle=withdrawn",
                headers: {"X-CSRFToken": token.split("=")[1],
                          "Content-Type": "application/x-www-form-urlencoded"}});
            return response.status;
        }""",
        f"{url}/cases/decisions/status/{own.pk}/",
    )
    assert posted == 403
    assert SavingsLine.objects.get(pk=own.pk).lifecycle == "approved"
    page.goto(f"{url}/as-at/?date=01/01/2030")
    assert "savings lines" in page.locator(".govuk-inset-text").inner_text()
