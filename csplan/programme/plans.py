"""Plans as first-class things: finding, naming, creating and archiving them.

One database holds many councils and plans. A plan is always chosen, never guessed: by its
slug (in the web address, ``--plan`` or the API path) or its name. With one plan in use it is
the default; with several the caller must choose (``PlanChoiceError`` lists the choices).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from csplan.core.history import save_recorded
from csplan.core.money import to_pence
from csplan.core.periods import FinancialYear
from csplan.programme.models import Council, Plan, TargetEntry

SLUG_MAX = 100


class PlanChoiceError(LookupError):
    """No plan, an unknown plan, or several plans and no choice (the message says which)."""


def active_plans() -> Any:
    """The plans in use (not archived), by council then name."""
    return (
        Plan.objects.select_related("council")
        .filter(archived=False)
        .order_by("council__name", "name")
    )


def all_plans() -> Any:
    return Plan.objects.select_related("council").order_by("archived", "council__name", "name")


def describe(plan: Plan) -> str:
    """How a plan is named to a user: ``Hampshire County Council: Transformation to 2017``."""
    return f"{plan.council.name}: {plan.name}"


def _choices(plans: Sequence[Plan]) -> str:
    return "; ".join(f"{plan.slug} ({describe(plan)})" for plan in plans)


def find_plan(text: str) -> Plan:
    """The plan whose slug, name or ``council: name`` is ``text`` (archived plans included)."""
    wanted = text.strip()
    plans = list(all_plans())
    for test in (
        lambda p: p.slug == wanted,
        lambda p: describe(p).casefold() == wanted.casefold(),
        lambda p: p.name.casefold() == wanted.casefold(),
    ):
        found = [plan for plan in plans if test(plan)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise PlanChoiceError(
                f"more than one plan is called {wanted!r}: use its slug, one of {_choices(found)}"
            )
    if not plans:
        raise PlanChoiceError(f"there is no plan called {wanted!r}: the database holds no plan")
    raise PlanChoiceError(f"there is no plan called {wanted!r}: choose one of {_choices(plans)}")


def only_plan() -> Plan | None:
    """The one plan in use, when there is exactly one; otherwise None."""
    plans = list(active_plans()[:2])
    return plans[0] if len(plans) == 1 else None


def chosen_plan(text: str | None) -> Plan:
    """The plan ``text`` names, or the only plan in use when ``text`` is empty."""
    if text:
        return find_plan(text)
    plan = only_plan()
    if plan is not None:
        return plan
    plans = list(active_plans())
    if not plans:
        raise PlanChoiceError("there is no plan yet: create one or load the demo")
    raise PlanChoiceError(f"the database holds {len(plans)} plans: choose one of {_choices(plans)}")


def unique_slug(council: str, name: str, *, exclude: int | None = None) -> str:
    """A web-address name for a plan: its name, with the council's if another plan has it."""
    taken = set(Plan.objects.exclude(pk=exclude).values_list("slug", flat=True))
    for candidate in (slugify(name), slugify(f"{council} {name}")):
        candidate = candidate[:SLUG_MAX].strip("-") or "plan"
        if candidate not in taken:
            return candidate
    base = candidate[: SLUG_MAX - 4]
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def create_plan(
    name: str,
    council: str,
    years: Sequence[FinancialYear],
    *,
    targets: Mapping[FinancialYear, Decimal] | None = None,
    department: str = "Children's Services",
    la_code: str = "",
    user: Any = None,
) -> Plan:
    """A new, empty plan of ``council`` (created if new) over consecutive ``years``."""
    name, council = name.strip(), council.strip()
    if not name:
        raise PlanChoiceError("give the plan a name")
    if not council:
        raise PlanChoiceError("name the council whose plan it is")
    if not years:
        raise PlanChoiceError("give the plan's financial years, like 2024/25-2026/27")
    for earlier, later in zip(years, years[1:], strict=False):
        if later != earlier.next():
            raise PlanChoiceError(f"the plan's years must follow each other: {earlier}, {later}")
    owner = Council.objects.filter(name=council).first()
    if owner is None:
        owner = Council(name=council, la_code=la_code)
        save_recorded(owner, user, "New plan")
    if Plan.objects.filter(council=owner, name=name).exists():
        raise PlanChoiceError(f"{council} already has a plan called {name!r}")
    outside = [str(year) for year in (targets or {}) if year not in years]
    if outside:
        raise PlanChoiceError(f"targets for {', '.join(outside)}: not one of the plan's years")
    plan = Plan(
        council=owner,
        name=name,
        department=department,
        first_year=years[0].start,
        year_count=len(years),
        slug=unique_slug(council, name),
    )
    save_recorded(plan, user, "New plan")
    for year, amount in sorted((targets or {}).items()):
        save_recorded(
            TargetEntry(plan=plan, year=year.start, amount_pence=to_pence(amount)),
            user,
            "New plan",
        )
    return plan


@transaction.atomic
def archive_plan(plan: Plan, *, user: Any = None, archived: bool = True) -> Plan:
    """Take a plan out of use (it stays readable and printable) or bring it back."""
    if plan.archived != archived:
        plan.archived = archived
        save_recorded(plan, user, "Archived" if archived else "Brought back into use")
    return plan
