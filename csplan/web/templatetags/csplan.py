"""Template filters: money and RAG tags, formatted only by csplan.core.money."""

from __future__ import annotations

from decimal import Decimal

from django import template

from csplan.core.money import Unit, format_amount

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
