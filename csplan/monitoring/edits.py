"""Editing a savings line by the domain rules: what the web line form and the API call.

- A new line starts as proposed: it moves on only through the lifecycle rules
  (``csplan.cases.store.change_lifecycle``), for every role.
- An edit names the version it read (``StaleLineError`` if the line moved on since).
- An edit never changes the lifecycle (that is the rules' job, on the status page or
  ``POST .../status``).
- A change to the phasing needs a reason and is written to the movements journal, as
  re-profiling, slippage, increase or reduction (worked out by comparing the phasing before
  and after, or as the user chose when that is what the change is), in the same transaction
  as the change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from csplan.core.periods import MonitoringPeriod
from csplan.monitoring import movements
from csplan.monitoring.store import journal_entry
from csplan.programme.figures import LineFigures
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import (
    LineValidationError,
    StaleLineError,
    create_line,
    line_figures,
    update_line,
    validate_line,
)

NEW_LINE_LIFECYCLE = "proposed"
NEW_LINE_MESSAGE = (
    "A new line starts as proposed: move it on through its status page, where the lifecycle "
    "rules check decisions, consultations, evidence and finance sign-off"
)
LIFECYCLE_MESSAGE = (
    "The lifecycle changes only through the lifecycle rules (the line's status page, or "
    "POST .../status): they check decisions, consultations, evidence and finance sign-off"
)
VERSION_MESSAGE = "Send the version of the line you read, so no one's edit is overwritten"
REASON_MESSAGE = "Say why the phasing changes: it is recorded in the movements journal"


def new_line(plan: Plan, figures: LineFigures, *, user: Any, reason: str = "") -> SavingsLine:
    """Add a line to ``plan``; it must start as proposed."""
    if figures.lifecycle != NEW_LINE_LIFECYCLE:
        errors = validate_line(plan, figures)
        errors["lifecycle"] = NEW_LINE_MESSAGE
        raise LineValidationError(errors)
    return create_line(plan, figures, user=user, reason=reason)


def edit_period(day: date | None = None) -> MonitoringPeriod:
    """The monitoring period a plain edit belongs to: the one containing ``day`` (today)."""
    return MonitoringPeriod.containing(day or timezone.localdate())


@transaction.atomic
def edit_line(
    line: SavingsLine,
    figures: LineFigures,
    *,
    user: Any,
    expected_version: int | None,
    reason: str = "",
    movement_kind: str = "",
    period: MonitoringPeriod | None = None,
) -> SavingsLine:
    """Save an edit of ``line`` by the rules (see the module's description).

    ``movement_kind`` is one of ``movements.EDIT_KINDS`` or empty (work it out). Problems raise
    ``LineValidationError`` by field (``version``, ``lifecycle``, ``reason``,
    ``movement_kind`` and the line's own fields); a concurrent edit ``StaleLineError``.
    """
    if expected_version is None:
        raise LineValidationError({"version": VERSION_MESSAGE})
    current = (
        SavingsLine.objects.select_for_update().select_related("plan__council").get(pk=line.pk)
    )
    if current.version != expected_version:
        raise StaleLineError(current, expected_version)
    errors = validate_line(current.plan, figures, existing=current)
    if figures.lifecycle != current.lifecycle:
        errors["lifecycle"] = LIFECYCLE_MESSAGE
    if errors:
        raise LineValidationError(errors)
    years = current.plan.years
    before = dict(line_figures(current).phasing)
    specs = _recorded_as(movements.phasing_changes(before, figures.phasing, years), movement_kind)
    if specs and not reason.strip():
        raise LineValidationError({"reason": REASON_MESSAGE})
    if specs:
        when = period or edit_period()
        for spec, was, now in movements.step_through(specs, before, years):
            journal_entry(current, spec, when, was, now, reason=reason.strip(), user=user)
        reason = f"Phasing edited at {when} ({movements.describe(specs)}): {reason.strip()}"
    return update_line(
        current, figures, user=user, expected_version=expected_version, reason=reason
    )


def _recorded_as(specs: list[movements.MovementSpec], kind: str) -> list[movements.MovementSpec]:
    if not kind:
        return specs
    try:
        chosen = movements.MovementKind(kind)
    except ValueError:
        chosen = None
    if chosen not in movements.EDIT_KINDS:
        names = ", ".join(k.value for k in movements.EDIT_KINDS)
        raise LineValidationError({"movement_kind": f"Choose one of {names}, or leave it empty"})
    try:
        return movements.as_kind(specs, chosen)
    except movements.MovementError as error:
        raise LineValidationError({error.field: str(error)}) from None
