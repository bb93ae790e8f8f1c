"""Template filters: money and RAG tags, formatted only by csplan.core.money."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

from csplan.core.money import Unit, format_amount
from csplan.core.table import rag_tag as table_rag_tag

register = template.Library()

_RAG_CLASSES = {
    "blue": "govuk-tag--blue",
    "green": "govuk-tag--green",
    "yellow": "govuk-tag--yellow",
    "amber": "govuk-tag--orange",
    "orange": "govuk-tag--orange",
    "red": "govuk-tag--red",
    "grey": "govuk-tag--grey",
}


@register.filter
def thousands(amount: Decimal | None) -> str:
    """£'000 with separators and brackets for negatives."""
    return format_amount(amount, Unit.THOUSANDS)


@register.filter
def pounds(amount: Decimal | None) -> str:
    return format_amount(amount, Unit.POUNDS, 2)


@register.filter
def rag_class(colour: str) -> str:
    return _RAG_CLASSES.get((colour or "").lower(), "govuk-tag--grey")


@register.filter
def rag_tag(rating: str | None) -> str:
    """A rating (code or label) as a coloured GOV.UK tag with its word; blank: "not rated"."""
    if not rating:
        return "not rated"
    word, colour = table_rag_tag(rating)
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, word)
