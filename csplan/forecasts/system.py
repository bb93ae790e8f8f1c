"""The store side of the whole-system demand models (EHC plans and transport, levels of need):
attach a scenario's saving to a savings line as evidence, and find the line to attach to.

The models are plain libraries (``csplan.demand.send``, ``csplan.demand.needs``); each run
gives an evidence record (title, summary, savings by financial year, data hash and every
parameter needed to reproduce it), which is stored here through ``attach_evidence``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.evidence.records import attach_evidence
from csplan.programme.models import Plan, SavingsLine


class LineNotFound(LookupError):
    """No savings line, or more than one, answers to a reference."""


def find_line(reference: str, plan: Plan | None = None) -> SavingsLine:
    """The savings line with ``reference`` (in ``plan`` when given; it must be unique)."""
    lines = SavingsLine.objects.filter(reference=reference)
    if plan is not None:
        lines = lines.filter(plan=plan)
    found = list(lines.select_related("plan"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise LineNotFound(f"no savings line with reference {reference!r}")
    plans = ", ".join(sorted(line.plan.name for line in found))
    raise LineNotFound(
        f"{len(found)} savings lines have reference {reference!r} (in {plans}): choose the plan"
    )


def attach_record(
    line: SavingsLine, record: Mapping[str, Any], kind: str, *, user: Any = None
) -> Evidence:
    """Store a model's evidence record (``run.evidence``) against ``line``."""
    return attach_evidence(
        line,
        kind=kind,
        title=str(record["title"]),
        summary=str(record.get("summary", "")),
        savings={FinancialYear.parse(y): Decimal(v) for y, v in record["savings"].items()},
        data_hash=str(record.get("data_hash", "")),
        parameters=dict(record["parameters"]),
        user=user,
    )


def attach_send(line: SavingsLine, run: Any, *, user: Any = None) -> Evidence:
    """A SEND scenario run (``csplan.demand.send.scenarios.SendRun``) as evidence."""
    return attach_record(line, run.evidence, Evidence.Kind.SEND_SCENARIO, user=user)


def attach_needs(line: SavingsLine, run: Any, *, user: Any = None) -> Evidence:
    """A levels-of-need scenario run (``csplan.demand.needs.scenarios.NeedsRun``)."""
    return attach_record(line, run.evidence, Evidence.Kind.NEEDS_SCENARIO, user=user)
