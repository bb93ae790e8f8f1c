"""govuk-frontend runs under the content security policy, and an injected script does not."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_govuk_frontend_runs_under_the_content_security_policy(browser, live_server):
    context = browser.new_context()  # the policy applies here (the other tests bypass it)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{live_server.url}/login/")
    classes = page.evaluate("document.body.className").split()
    skip_link_ready = page.get_attribute(".govuk-skip-link", "data-govuk-skip-link-init")
    before_injection = list(messages)
    blocked = page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s);"
        " return window.injected === undefined; }"
    )
    context.close()
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes
    assert skip_link_ready == ""  # initAll() ran: govuk-frontend marks what it has set up
    assert blocked  # an inline script that is not in the policy does not run
    assert not [m for m in before_injection if "Content Security Policy" in m], before_injection
    assert any("Content Security Policy" in m for m in messages[len(before_injection) :])
