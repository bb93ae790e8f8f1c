"""Plans as first-class things: finding, naming, creating and archiving them.

One database holds many councils and plans. A plan is always chosen, never guessed: by its
slug (in the web address, ``--plan`` or the API path) or its name. With one plan in use it is
the default; with several the caller must choose (``PlanChoiceError`` lists the choices).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from csplan.core.history import delete_recorded, save_recorded
from csplan.core.money import MoneyError, from_pence, to_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import WorkstreamFigures
from csplan.programme.models import Council, Plan, TargetEntry, Workstream
from csplan.programme.slugs import unique_slug
from csplan.programme.store import sync_year_amounts


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


class PlanValidationError(PlanChoiceError):
    """A plan's settings that cannot be saved; ``errors`` maps each field to its message
    (``targets_2024`` is the 2024/25 target, ``workstream_0_name`` the first workstream's)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class StalePlanError(PlanChoiceError):
    """The plan's settings changed since the editor read them (their save would overwrite)."""

    def __init__(self, plan: Plan, expected: int) -> None:
        self.plan = plan
        self.current = settings_version(plan)
        super().__init__(
            f"the settings of {plan.name} were changed by someone else (version {self.current}, "
            f"you edited version {expected}): reload them and make your change again"
        )


def settings_version(plan: Plan) -> int:
    """A number that grows with every recorded change to the plan, its targets or its
    workstreams (the sum of their latest history ids): what an editor read, to send back."""
    from django.db.models import Max

    total = 0
    for history in (
        Plan.history.filter(id=plan.pk),
        TargetEntry.history.filter(plan_id=plan.pk),
        Workstream.history.filter(plan_id=plan.pk),
    ):
        total += history.aggregate(latest=Max("history_id"))["latest"] or 0
    return total


def target_field(year: FinancialYear) -> str:
    return f"targets_{year.start}"


def workstream_field(position: int, part: str) -> str:
    return f"workstream_{position}_{part}"


def _money_problem(amount: Decimal, what: str) -> str | None:
    """Why ``amount`` cannot be stored as ``what`` (None when it can)."""
    try:
        to_pence(amount)
    except MoneyError as error:
        return f"{what}: {error}"
    if amount < 0:
        return f"{what} cannot be negative"
    return None


_YEAR_RANGE = re.compile(
    r"^\s*(?P<first>\d{4}/\d{2})\s*(?:(?:-|–|to)\s*(?P<last>\d{4}/\d{2}))?\s*$"
)


def parse_year_range(text: str) -> list[FinancialYear]:
    """The financial years ``FIRST-LAST`` names (``2024/25-2027/28``; one year alone too);
    ``PlanValidationError`` on ``years`` when it names none."""
    from csplan.core.periods import PeriodError, year_range

    match = _YEAR_RANGE.match(text or "")
    hint = "give the years as FIRST-LAST, like 2024/25-2027/28"
    try:
        if match is None:
            raise PeriodError(f"{text!r} is not a range of financial years")
        first = FinancialYear.parse(match["first"])
        last = FinancialYear.parse(match["last"] or match["first"])
    except PeriodError as error:
        raise PlanValidationError({"years": f"{error}: {hint}"}) from None
    if last.start < first.start:
        raise PlanValidationError({"years": f"the last year comes before the first: {hint}"})
    return year_range(first, last.start - first.start + 1)


def _years_errors(years: Sequence[FinancialYear]) -> dict[str, str]:
    if not years:
        return {"years": "give the plan's financial years, like 2024/25-2026/27"}
    for earlier, later in zip(years, years[1:], strict=False):
        if later != earlier.next():
            return {"years": f"the plan's years must follow each other: {earlier}, {later}"}
    return {}


def _targets_errors(
    targets: Mapping[FinancialYear, Decimal], years: Sequence[FinancialYear]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    outside = [str(year) for year in targets if year not in years]
    if outside:
        errors["targets"] = f"targets for {', '.join(outside)}: not one of the plan's years"
    for year, amount in targets.items():
        problem = _money_problem(amount, f"the {year} target")
        if problem and year in years:
            errors[target_field(year)] = problem
    return errors


def _workstreams_errors(workstreams: Sequence[WorkstreamFigures]) -> dict[str, str]:
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for position, workstream in enumerate(workstreams):
        name = workstream.name.strip()
        if not name:
            errors[workstream_field(position, "name")] = "give the workstream a name"
        elif name.casefold() in seen:
            errors[workstream_field(position, "name")] = f"there are two workstreams called {name}"
        seen.add(name.casefold())
        problem = _money_problem(workstream.budget, f"the budget of {name or 'the workstream'}")
        if problem:
            errors[workstream_field(position, "budget")] = problem
    return errors


def _save_targets(
    plan: Plan, targets: Mapping[FinancialYear, Decimal], user: Any, reason: str
) -> None:
    """Make the plan's stored targets equal ``targets`` (a zero target is not stored)."""
    sync_year_amounts(
        plan.targets, lambda **kw: TargetEntry(plan=plan, **kw), targets, user, reason
    )


def _save_workstreams(
    plan: Plan,
    workstreams: Sequence[WorkstreamFigures],
    user: Any,
    reason: str,
    ids: Sequence[int | None] = (),
) -> None:
    """Make the plan's workstreams equal ``workstreams``, in order. ``ids`` (the stored ids,
    None for a new one) lets a workstream be renamed; without them names match. A workstream
    left out is removed, unless savings lines belong to it."""
    existing = {w.pk: w for w in plan.workstreams.all()}
    by_name = {w.name: w for w in existing.values()}
    kept: set[int] = set()
    errors: dict[str, str] = {}
    for position, figures in enumerate(workstreams):
        known = ids[position] if position < len(ids) else None
        if known is not None and known not in existing:
            errors[workstream_field(position, "name")] = "that workstream is not the plan's"
            continue
        stored = existing[known] if known is not None else by_name.get(figures.name.strip())
        if stored is not None:
            kept.add(stored.pk)
    for workstream in existing.values():
        if workstream.pk not in kept and workstream.lines.exists():
            errors["workstreams"] = (
                f"{workstream.name} has savings lines: move them to another workstream "
                "before removing it"
            )
    if errors:
        raise PlanValidationError(errors)
    for workstream in existing.values():
        if workstream.pk not in kept:
            delete_recorded(workstream, user, reason)
    try:
        with transaction.atomic():
            _write_workstreams(plan, workstreams, ids, existing, by_name, user, reason)
    except IntegrityError:
        raise PlanValidationError(
            {"workstreams": "two workstreams cannot swap names in one change: rename one, "
             "save, then the other"}
        ) from None  # fmt: skip


def _write_workstreams(
    plan: Plan,
    workstreams: Sequence[WorkstreamFigures],
    ids: Sequence[int | None],
    existing: Mapping[int, Workstream],
    by_name: Mapping[str, Workstream],
    user: Any,
    reason: str,
) -> None:
    for position, figures in enumerate(workstreams):
        known = ids[position] if position < len(ids) else None
        name = figures.name.strip()
        stored = existing.get(known) if known is not None else by_name.get(name)
        stored = stored or Workstream(plan=plan)
        values = {
            "name": name,
            "budget_pence": to_pence(figures.budget),
            "is_workstream": figures.is_workstream,
            "position": position,
        }
        changed = stored.pk is None
        for field, value in values.items():
            if getattr(stored, field) != value:
                setattr(stored, field, value)
                changed = True
        if changed:
            save_recorded(stored, user, reason)


@transaction.atomic
def create_plan(
    name: str,
    council: str,
    years: Sequence[FinancialYear],
    *,
    targets: Mapping[FinancialYear, Decimal] | None = None,
    workstreams: Sequence[WorkstreamFigures] = (),
    department: str = "Children's Services",
    la_code: str = "",
    user: Any = None,
) -> Plan:
    """A new plan of ``council`` (created if new) over consecutive ``years``, with its
    targets by year and its workstreams and their budgets (the CLI, API and web all call this).
    """
    name, council = name.strip(), council.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "give the plan a name"
    if not council:
        errors["council"] = "name the council whose plan it is"
    errors.update(_years_errors(years))
    owner = Council.objects.filter(name=council).first() if council else None
    if owner is not None and name and Plan.objects.filter(council=owner, name=name).exists():
        errors["name"] = f"{council} already has a plan called {name!r}"
    errors.update(_targets_errors(targets or {}, years))
    errors.update(_workstreams_errors(workstreams))
    if errors:
        raise PlanValidationError(errors)
    if owner is None:
        owner = Council(name=council, la_code=la_code)
        save_recorded(owner, user, "New plan")
    plan = Plan(
        council=owner,
        name=name,
        department=department.strip() or "Children's Services",
        first_year=years[0].start,
        year_count=len(years),
        slug=unique_slug(council, name),
    )
    save_recorded(plan, user, "New plan")
    _save_targets(plan, targets or {}, user, "New plan")
    _save_workstreams(plan, workstreams, user, "New plan")
    return plan


def _years_in_use(plan: Plan) -> set[FinancialYear]:
    """The years that hold a line's saving (a plan cannot lose them)."""
    from csplan.programme.models import PhasingEntry

    stored = PhasingEntry.objects.filter(line__plan=plan).values_list("year", flat=True)
    return {FinancialYear(year) for year in stored}


@transaction.atomic
def update_plan(
    plan: Plan,
    *,
    name: str | None = None,
    department: str | None = None,
    years: Sequence[FinancialYear] | None = None,
    targets: Mapping[FinancialYear, Decimal] | None = None,
    workstreams: Sequence[WorkstreamFigures] | None = None,
    workstream_ids: Sequence[int | None] = (),
    expected_version: int | None = None,
    user: Any = None,
    reason: str = "Plan settings changed",
) -> Plan:
    """Change a plan's name, department, years, targets (all of them: a year left out has
    none) or workstreams (all of them, in order; see ``_save_workstreams``). What is not given
    stays. Its slug stays too, so addresses keep working. Every change is recorded. With
    ``expected_version`` (``settings_version`` as the editor read it) a change made since
    raises ``StalePlanError``."""
    current = Plan.objects.select_for_update().select_related("council").get(pk=plan.pk)
    if expected_version is not None and settings_version(current) != expected_version:
        raise StalePlanError(current, expected_version)
    errors: dict[str, str] = {}
    new_name = current.name if name is None else name.strip()
    if not new_name:
        errors["name"] = "give the plan a name"
    elif Plan.objects.filter(council=current.council, name=new_name).exclude(pk=plan.pk).exists():
        errors["name"] = f"{current.council.name} already has a plan called {new_name!r}"
    new_years = list(current.years if years is None else years)
    errors.update(_years_errors(new_years))
    if years is not None and not errors.get("years"):
        lost = sorted(_years_in_use(current) - set(new_years))
        if lost:
            errors["years"] = (
                f"savings lines have savings in {', '.join(map(str, lost))}: keep those years"
            )
    if targets is None and years is not None:
        stored = {FinancialYear(t.year): from_pence(t.amount_pence) for t in current.targets.all()}
        targets = {year: amount for year, amount in stored.items() if year in new_years}
    errors.update(_targets_errors(targets or {}, new_years))
    if workstreams is not None:
        errors.update(_workstreams_errors(workstreams))
    if errors:
        raise PlanValidationError(errors)
    values = {
        "name": new_name,
        "department": current.department if department is None else department.strip(),
        "first_year": new_years[0].start,
        "year_count": len(new_years),
    }
    if any(getattr(current, field) != value for field, value in values.items()):
        for field, value in values.items():
            setattr(current, field, value)
        save_recorded(current, user, reason)
    if targets is not None:
        _save_targets(current, targets, user, reason)
    if workstreams is not None:
        _save_workstreams(current, workstreams, user, reason, workstream_ids)
    return current


@transaction.atomic
def archive_plan(plan: Plan, *, user: Any = None, archived: bool = True) -> Plan:
    """Take a plan out of use (it stays readable and printable) or bring it back."""
    if plan.archived != archived:
        plan.archived = archived
        save_recorded(plan, user, "Archived" if archived else "Brought back into use")
    return plan
