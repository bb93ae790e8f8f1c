"""``{% table_with_twins table %}``: a core Table as a GOV.UK table with links to its twins.

For pages with several tables (the demand pages): each table is followed by links to its
CSV (``?table=NAME``), JSON and XLSX twins at the page's own address (the one table view,
``csplan.web.tables``). A page whose address ends in ``/`` with no name of its own puts the
twins' name in ``twin_stem``; a page shown again by a form posted elsewhere puts its own
address in ``twin_page``.
"""

from __future__ import annotations

from typing import Any

from django import template

from csplan.core.table import Table
from csplan.web.tables import table_html, twin_links

register = template.Library()


@register.inclusion_tag("web/_table_with_twins.html", takes_context=True)
def table_with_twins(context: template.Context, table: Table) -> dict[str, Any]:
    request = context["request"]
    return {
        "table": table,
        "html": table_html(table),
        "twins": _links(request, table, context),
    }


@register.inclusion_tag("web/_twins.html", takes_context=True)
def table_twins(context: template.Context, table: Table) -> dict[str, Any]:
    """Only the links, for a table the page lays out by hand (links or tags in its cells)."""
    return {"twins": _links(context["request"], table, context)}


def _links(request: Any, table: Table, context: template.Context) -> list[dict[str, str]]:
    return twin_links(
        request, table=table.name, stem=context.get("twin_stem"), page=context.get("twin_page")
    )
