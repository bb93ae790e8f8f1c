"""The approved baseline: the plan as its budget was approved, and what has moved it since.

A plan's budget is approved by a recorded decision (``csplan.cases``: the plan's first
approval decision). The approved figures are the plan as at that decision's date, read from
the change history (``csplan.programme.asat``), so nothing is copied: every change after it is
dated later. The movements journal (``csplan.monitoring``) says what moved each line since;
``csplan.programme.reports.reconciliation_report`` shows approved + each movement = current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures, ProgrammeFigures


class BaselineError(ValueError):
    """The plan has no approved baseline (the message says why)."""


@dataclass(frozen=True)
class Approval:
    """The recorded decision that approved the plan's budget."""

    reference: str
    body: str
    date: dt.date
    summary: str = ""

    @property
    def label(self) -> str:
        return f"{self.body}, {self.date:%-d %B %Y} ({self.reference})"


@dataclass(frozen=True)
class MovementEffect:
    """One journal entry that changed a line's phasing: the line (for its recurrence) and
    its incremental phasing before and after."""

    label: str
    line: LineFigures
    before: Mapping[FinancialYear, Decimal]
    after: Mapping[FinancialYear, Decimal]
    effective: dt.date


@dataclass(frozen=True)
class Baseline:
    approval: Approval
    approved: ProgrammeFigures
    current: ProgrammeFigures
    movements: tuple[MovementEffect, ...]


def approval_decision(plan: Any) -> Any:
    """The recorded decision that approved ``plan``'s budget: its first approval, or None."""
    from csplan.cases.models import Decision

    return (
        Decision.objects.filter(plan=plan, kind=Decision.Kind.APPROVAL)
        .order_by("date", "id")
        .first()
    )


def _approval(plan: Any) -> Approval:
    decision = approval_decision(plan)
    if decision is None:
        raise BaselineError(
            f"{plan.name} has no approved baseline: record the decision that approved its "
            "budget (Decisions page)"
        )
    return Approval(
        reference=decision.reference,
        body=decision.body_name or decision.get_body_display(),
        date=decision.date,
        summary=decision.summary,
    )


def approved_figures(plan: Any) -> ProgrammeFigures:
    """The plan as approved: as it stood on its approval decision's date."""
    return plan_baseline(plan).approved


#: The figures a table may be built from: as they are now, or as approved.
BASES = ("current", "approved")


def programme_on(plan: Any, *, as_at: dt.date | None = None, basis: str = "current") -> Any:
    """The plan's figures as at the day ``as_at`` (its changes effective by then), as
    approved (``basis="approved"``), or as they are now. Raises ``AsAtError`` or
    ``BaselineError`` when there is nothing to show, ``ValueError`` for a bad choice."""
    from csplan.programme.asat import programme_as_at
    from csplan.programme.store import programme_figures

    if basis not in BASES:
        raise ValueError(f"Choose the basis {' or '.join(BASES)}, not {basis!r}.")
    if as_at is not None and basis != "current":
        raise ValueError("Give a day (as at) or the approved basis, not both.")
    if as_at is not None:
        return programme_as_at(plan.pk, as_at)
    if basis == "approved":
        return approved_figures(plan)
    return programme_figures(plan)


def plan_baseline(plan: Any, *, as_at: dt.date | None = None) -> Baseline:
    """The approved figures, the current ones and the movements between them; with ``as_at``
    "current" is the plan as it stood that day, and the movements are those effective by
    then."""
    from csplan.programme.asat import AsAtError, programme_as_at
    from csplan.programme.store import programme_figures

    approval = _approval(plan)
    try:
        approved = programme_as_at(plan.pk, approval.date)
    except AsAtError as error:
        raise BaselineError(
            f"{plan.name} was approved on {approval.date:%d %B %Y} but {error}: its figures "
            "are dated later than the decision"
        ) from None
    current = programme_figures(plan) if as_at is None else programme_as_at(plan.pk, as_at)
    moved = movements_between_days(plan, approval.date, as_at, current)
    return Baseline(approval, approved, current, tuple(moved))


def movements_between_days(
    plan: Any, day: dt.date, upto: dt.date | None, current: ProgrammeFigures
) -> list[MovementEffect]:
    """Journal entries that changed phasing and take effect after ``day`` and by ``upto``
    (None: any day since), in order; ``current`` gives each line's recurrence."""
    from csplan.monitoring.models import Movement, amounts_from_json
    from csplan.monitoring.movements import MovementKind

    phasing_kinds = [kind.value for kind in MovementKind if kind.changes_phasing]
    lines = {line.reference: line for line in current.lines}
    entries = (
        Movement.objects.filter(line__plan=plan, kind__in=phasing_kinds)
        .select_related("line__workstream")
        .order_by("year", "month", "id")
    )
    result = []
    for entry in entries:
        effective = entry.period.last_day
        if effective <= day or (upto is not None and effective > upto):
            continue
        reference = entry.line.reference
        line = lines.get(reference) or LineFigures(
            reference, entry.line.title, entry.line.workstream.name, {}
        )
        label = f"{reference} {entry.get_kind_display().lower()}, {entry.period}"
        if entry.reason:
            label += f": {entry.reason}"
        before = amounts_from_json(entry.phasing_before)
        after = amounts_from_json(entry.phasing_after)
        result.append(MovementEffect(label, line, before, after, effective))
    return result


def _approval_label(plan: Any) -> str:
    decision = approval_decision(plan)
    if decision is None:
        return ""
    body = decision.body_name or decision.get_body_display()
    return f"{body}, {decision.date:%-d %B %Y} ({decision.reference})"


def position_label(plan: Any, *, as_at: dt.date | None = None, basis: str = "current") -> str:
    """Whose position a table of ``plan`` shows, in words: as it stood on a day, as approved
    (by which decision), or the current position (since which approval)."""
    if as_at is not None:
        return f"As it stood on {as_at:%-d %B %Y}: the changes in effect by the end of that day."
    approved = _approval_label(plan)
    if basis == "approved":
        return f"As approved by {approved}."
    label = "Current position: every change recorded to date"
    return label + (f", since the budget approved by {approved}." if approved else ".")
