"""``{% load access %}``: ``{% if line|editable_by:user %}`` hides edit buttons."""

from __future__ import annotations

from typing import Any

from django import template

from csplan.accounts import permissions

register = template.Library()


@register.filter
def editable_by(line: Any, user: Any) -> bool:
    return permissions.can_edit_line(user, line)
