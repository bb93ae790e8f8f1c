"""``{% id_url %}`` gives the address ``{% url %}`` gives, under every plan's prefix."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix


@pytest.mark.parametrize("prefix", ["/", "/plans/one/", "/plans/other-plan/"])
@pytest.mark.parametrize("name", ["line", "monitoring:line", "monitoring:record", "cases:case"])
def test_id_url_matches_url(name, prefix):
    set_script_prefix(prefix)
    try:
        shown = Template("{% load access %}{% id_url name pk %}").render(
            Context({"name": name, "pk": 42})
        )
        assert shown == reverse(name, args=[42])
        assert shown.startswith(prefix) and "/42/" in shown
    finally:
        set_script_prefix("/")
