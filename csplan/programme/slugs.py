"""A plan's web-address name (its slug): unique, readable, never one of the plan list's own
words. Used when a plan is created by hand (``csplan.programme.plans``) or by an import
(``csplan.programme.store``)."""

from __future__ import annotations

from django.utils.text import slugify

from csplan.programme.models import Plan

SLUG_MAX = 100
#: Words of the plan list's own addresses (``/plans/new/``): never a plan's slug.
RESERVED_SLUGS = frozenset({"new"})


def unique_slug(council: str, name: str, *, exclude: int | None = None) -> str:
    """A web-address name for a plan: its name, with the council's if another plan has it."""
    taken = set(Plan.objects.exclude(pk=exclude).values_list("slug", flat=True)) | RESERVED_SLUGS
    for candidate in (slugify(name), slugify(f"{council} {name}")):
        candidate = candidate[:SLUG_MAX].strip("-") or "plan"
        if candidate not in taken:
            return candidate
    base = candidate[: SLUG_MAX - 4]
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
