"""The programme as it stood at a past moment, rebuilt from the change history.

Every programme model keeps its history (django-simple-history), so the council, plan,
targets, workstreams, lines and phasing as they were at any moment can be read back and
turned into the same plain values (``ProgrammeFigures``) the reports use: "what did we tell
Cabinet in September?" is the report built from ``programme_as_at(plan_id, when)``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.models import (
    Council,
    PhasingEntry,
    Plan,
    SavingsLine,
    TargetEntry,
    Workstream,
)
from csplan.programme.store import assemble_figures, line_figures


class AsAtError(ValueError):
    """Nothing to show at that moment (the message says why)."""


def programme_as_at(plan_id: int, when: dt.datetime) -> ProgrammeFigures:
    """The plan ``plan_id`` as it stood at ``when`` (an aware datetime)."""
    plan = Plan.history.as_of(when).filter(id=plan_id).first()
    if plan is None:
        raise AsAtError(f"the plan did not exist on {when:%d %B %Y at %H:%M}")
    council = Council.history.as_of(when).get(id=plan.council_id)
    workstreams = list(
        Workstream.history.as_of(when)
        .filter(plan_id=plan_id)
        .order_by("-is_workstream", "position", "id")
    )
    names = {w.id: w.name for w in workstreams}
    lines = list(SavingsLine.history.as_of(when).filter(plan_id=plan_id).order_by("position", "id"))
    targets = TargetEntry.history.as_of(when).filter(plan_id=plan_id)
    return assemble_figures(council, plan, targets, workstreams, _lines(lines, names, when))


def line_as_at(line_id: int, when: dt.datetime) -> LineFigures:
    """One savings line as it stood at ``when``."""
    line = SavingsLine.history.as_of(when).filter(id=line_id).first()
    if line is None:
        raise AsAtError(f"the line did not exist on {when:%d %B %Y at %H:%M}")
    stream = Workstream.history.as_of(when).filter(id=line.workstream_id).first()
    names = {line.workstream_id: stream.name if stream else ""}
    return _lines([line], names, when)[0]


def _lines(lines: list[SavingsLine], names: dict[int, str], when: dt.datetime) -> list:
    phasing: dict[int, dict[FinancialYear, Decimal]] = {}
    entries = PhasingEntry.history.as_of(when).filter(line_id__in=[line.id for line in lines])
    for entry in entries:
        phasing.setdefault(entry.line_id, {})[FinancialYear(entry.year)] = from_pence(
            entry.amount_pence
        )
    return [
        line_figures(line, phasing.get(line.id, {}), names.get(line.workstream_id, ""))
        for line in lines
    ]
