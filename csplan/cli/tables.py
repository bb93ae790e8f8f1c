"""The tables ``csplan table NAME`` prints: each one built by the same report function as the
page that shows it (``csplan get`` reaches the page's own twins; this renders them as text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from csplan.core.periods import MonitoringPeriod
from csplan.core.table import Table
from csplan.programme.phasing import PhasingForm

#: The tables that can be built as at a day or on the approved basis.
DATED_TABLES = ("workstreams", "proposals", "targets", "lines")


class TableChoiceError(ValueError):
    """A table asked for with options it cannot take, or figures that do not exist."""


@dataclass(frozen=True)
class Choice:
    """What a table may depend on besides the plan: the phasing form, the month, the day the
    programme stood (``as_at``) and the basis (approved or current figures)."""

    phasing: PhasingForm = PhasingForm.CUMULATIVE
    period: MonitoringPeriod | None = None
    as_at: dt.date | None = None
    basis: str = "current"


Builder = Callable[[Any, Choice], Table]


def figures_for(plan: Any, choice: Choice) -> Any:
    """The programme as at ``choice.as_at``, as approved, or as it is now."""
    from csplan.programme.asat import AsAtError
    from csplan.programme.baseline import BaselineError, programme_on

    try:
        return programme_on(plan, as_at=choice.as_at, basis=choice.basis)
    except (AsAtError, BaselineError, ValueError) as error:
        raise TableChoiceError(str(error)) from None


def _programme(name: str) -> Builder:
    def build(plan: Any, choice: Choice) -> Table:
        from csplan.programme.reports import build_report

        return build_report(name, figures_for(plan, choice), choice.phasing)

    return build


def _lines(plan: Any, choice: Choice) -> Table:
    from csplan.programme.reports import lines_report

    return lines_report(figures_for(plan, choice))


def _baseline(name: str) -> Builder:
    def build(plan: Any, choice: Choice) -> Table:
        from csplan.programme.baseline import BaselineError, plan_baseline
        from csplan.programme.reports import baseline_report, reconciliation_report

        try:
            baseline = plan_baseline(plan)
        except BaselineError as error:
            raise TableChoiceError(str(error)) from None
        report = baseline_report if name == "baseline" else reconciliation_report
        return report(baseline, choice.phasing)

    return build


def period_of(plan: Any, choice: Choice) -> MonitoringPeriod:
    """The month asked for, else the latest with monitoring, else Month 1 (as the pages)."""
    from csplan.monitoring.store import latest_period

    return choice.period or latest_period(plan) or MonitoringPeriod(plan.years[0], 1)


def _monitoring(name: str) -> Builder:
    def build(plan: Any, choice: Choice) -> Table:
        from csplan.monitoring.reports import monitoring_tables

        return monitoring_tables(plan, period_of(plan, choice))[name]

    return build


def _movements(plan: Any, choice: Choice) -> Table:
    from csplan.monitoring import reports, store

    period = period_of(plan, choice)
    return reports.movements_report(store.movements_between(plan, None, period), None, period)


def _cases(name: str) -> Builder:
    def build(plan: Any, choice: Choice) -> Table:
        from csplan.cases import reports

        summary, matrix = reports.equality_annex(plan)
        return {
            "equality": summary,
            "equality-matrix": matrix,
            "decisions": reports.decisions_register(plan),
            "approved": reports.approved_report(plan),
        }[name]

    return build


#: Each table's name, what it is (the page it is on) and how it is built.
TABLES: dict[str, tuple[str, Builder]] = {
    "workstreams": ("Table I.1: workstreams, budgets and savings (Workstreams page)",
                    _programme("workstreams")),
    "proposals": ("Appendix 1: proposed savings by year (Proposals page)",
                  _programme("proposals")),
    "targets": ("Target against proposals by year (Overview page)", _programme("targets")),
    "lines": ("The savings lines (Lines page)", _lines),
    "monitoring": ("Monitoring summary by workstream (Monitoring page)",
                   _monitoring("summary")),
    "at-risk": ("Lines at risk, with explanation and mitigation (Monitoring page)",
                _monitoring("at_risk")),
    "risk": ("Risk-adjusted delivery against the target (Monitoring page)", _monitoring("risk")),
    "gross-offset-net": ("Gross savings, demand growth absorbed and net (Monitoring page)",
                         _monitoring("gross_offset_net")),
    "movements": ("The movements journal (Movements page)", _movements),
    "equality": ("Equality impact by workstream (Equality page)", _cases("equality")),
    "equality-matrix": ("Equality impact by line (Equality page)", _cases("equality-matrix")),
    "decisions": ("Decisions register (Decisions page)", _cases("decisions")),
    "approved": ("Savings approved by year (Decisions page)", _cases("approved")),
    "baseline": ("Approved and current savings by line and year (Baseline page)",
                 _baseline("baseline")),
    "reconciliation": ("Approved + each movement = current, by year (Baseline page)",
                       _baseline("reconciliation")),
}  # fmt: skip


def build_table(name: str, plan: Any, choice: Choice) -> Table:
    """The table ``name``; ``TableChoiceError`` when it cannot be built as chosen."""
    dated = choice.as_at is not None or choice.basis != "current"
    if dated and name not in DATED_TABLES:
        raise TableChoiceError(
            f"--as-at and --basis apply to the {', '.join(DATED_TABLES)} tables, not {name}."
        )
    if choice.as_at is not None and choice.basis != "current":
        raise TableChoiceError("Give --as-at or --basis approved, not both.")
    table = TABLES[name][1](plan, choice)
    return replace(table, meta={**table.meta, **whose(name, plan, choice)})


def whose(name: str, plan: Any, choice: Choice) -> dict[str, str]:
    """The council and plan a table belongs to and, for the programme's own tables, whose
    position it shows (now, as approved, or on a day): printed above it and kept in its
    metadata, so a copied table still says what it is."""
    from csplan.programme.baseline import position_label

    said = {"council": plan.council.name, "plan": plan.name}
    if name in DATED_TABLES:
        said["position"] = position_label(plan, as_at=choice.as_at, basis=choice.basis)
    return said
