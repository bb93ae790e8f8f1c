"""``{% load access %}``: ``{% if line|editable_by:user %}`` hides edit buttons."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

from csplan.accounts import permissions

register = template.Library()


@register.filter
def editable_by(line: Any, user: Any) -> bool:
    return permissions.can_edit_line(user, line)


_MARK = 987654321987654321  # an id no table reaches, replaced by the real one


@lru_cache(maxsize=256)
def _address_pattern(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[_MARK], urlconf=urlconf)


@register.simple_tag
def id_url(name: str, pk: int) -> str:
    """``{% url name pk %}`` for a page addressed by one id, reversed once per prefix (lists of
    hundreds of lines reversed every link: a quarter of a second at 500 lines)."""
    pattern = _address_pattern(name, get_script_prefix(), get_urlconf())
    return pattern.replace(str(_MARK), str(int(pk)), 1)
