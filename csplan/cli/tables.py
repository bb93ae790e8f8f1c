"""The tables ``csplan table NAME`` prints: each one built by the same report function as the
page that shows it (``csplan get`` reaches the page's own twins; this renders them as text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from csplan.core.periods import MonitoringPeriod
from csplan.core.table import Table
from csplan.programme.phasing import PhasingForm


@dataclass(frozen=True)
class Choice:
    """What a table may depend on besides the plan: the phasing form and the month."""

    phasing: PhasingForm = PhasingForm.CUMULATIVE
    period: MonitoringPeriod | None = None


Builder = Callable[[Any, Choice], Table]


def _programme(name: str) -> Builder:
    def build(plan: Any, choice: Choice) -> Table:
        from csplan.programme.reports import build_report
        from csplan.programme.store import programme_figures

        return build_report(name, programme_figures(plan), choice.phasing)

    return build


def _lines(plan: Any, choice: Choice) -> Table:
    from csplan.programme.reports import lines_report
    from csplan.programme.store import programme_figures

    return lines_report(programme_figures(plan))


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
}  # fmt: skip


def build_table(name: str, plan: Any, choice: Choice) -> Table:
    return TABLES[name][1](plan, choice)
