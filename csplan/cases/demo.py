"""Demo content: Cambridgeshire's published business cases, and synthetic equality ratings,
consultations and decisions for both demo plans.

- ``data/cambridgeshire_cases.yaml``: the thirteen People and Communities business cases of
  Cambridgeshire's 2018/19 Business Plan (transcribed; officers by role), stored as a second
  demo plan with one savings line per case;
- ``data/demo_records.yaml``: equality ratings, consultations and decisions (synthetic).

Every loader is idempotent: a second run changes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from csplan.cases.equality import CHARACTERISTICS
from csplan.cases.models import CASE_TEXT_FIELDS, Consultation, Decision
from csplan.cases.store import (
    CaseFigures,
    ConsultationFigures,
    DecisionFigures,
    DependencyFigures,
    RiskFigures,
    change_lifecycle,
    record_consultation,
    record_decision,
    save_business_case,
    set_equality_rating,
)
from csplan.core.history import effective_on
from csplan.core.periods import FinancialYear
from csplan.programme.demo import APPROVAL_DATE, hampshire_figures
from csplan.programme.figures import LineFigures, ProgrammeFigures, WorkstreamFigures
from csplan.programme.models import Plan
from csplan.programme.store import line_figures, save_programme

CASES_FILE = "cambridgeshire_cases.yaml"
RECORDS_FILE = "demo_records.yaml"
REASON = "Demo business cases and decisions loaded"


@cache
def _data(name: str) -> dict[str, Any]:
    text = resources.files("csplan.cases").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


def cambridgeshire_figures() -> ProgrammeFigures:
    """Cambridgeshire's lines as a programme: each case's saving falls in 2018/19."""
    data = _data(CASES_FILE)
    years = tuple(FinancialYear.parse(year) for year in data["years"])
    workstreams = list(dict.fromkeys(case["workstream"] for case in data["cases"]))
    lines = tuple(
        LineFigures(
            reference=case["reference"],
            title=case["title"],
            workstream=case["workstream"],
            phasing={years[0]: Decimal(case["saving_2018_19"])},
            description=case["summary"],
            sro_role=case["sro_role"],
            public_consultation=case.get("public_consultation"),
            staff_consultation=case.get("staff_consultation"),
        )
        for case in data["cases"]
    )
    return ProgrammeFigures(
        council=data["council"],
        plan=data["plan"],
        department=data["department"],
        years=years,
        targets={},
        workstreams=tuple(WorkstreamFigures(name, Decimal(0)) for name in workstreams),
        lines=lines,
    )


def case_figures_from_data(case: dict[str, Any]) -> CaseFigures:
    return CaseFigures(
        title=case["title"],
        summary=case.get("summary", ""),
        sro_role=case.get("sro_role", ""),
        texts={name: case[name] for name in CASE_TEXT_FIELDS if case.get(name)},
        risks=tuple(
            RiskFigures(
                risk["title"],
                risk["likelihood"],
                risk["impact"],
                risk.get("owner_role", ""),
                risk.get("mitigation", ""),
            )
            for risk in case.get("risks", ())
        ),
        dependencies=tuple(
            DependencyFigures(dependency["title"], dependency.get("line", ""))
            for dependency in case.get("dependencies", ())
        ),
    )


def demo_cases() -> list[dict[str, Any]]:
    return list(_data(CASES_FILE)["cases"])


def load_cambridgeshire_plan(user: Any = None) -> Plan:
    """The Cambridgeshire demo plan, created once (a later run leaves its lines alone)."""
    figures = cambridgeshire_figures()
    existing = Plan.objects.filter(council__name=figures.council, name=figures.plan).first()
    if existing:
        return existing
    with effective_on(_approval_date(figures.council, figures.plan)):  # as approved that day
        return save_programme(figures, user=user, reason="Demo council loaded")


def load_hampshire_demo(user: Any = None) -> Plan:
    """Store the Hampshire programme (idempotent) as approved on ``APPROVAL_DATE``, with the
    recorded decision that approved it, and return its ``Plan``."""
    with effective_on(APPROVAL_DATE):
        plan = save_programme(hampshire_figures(), user=user, reason="Demo council loaded")
    load_decisions(plan, user=user)
    return plan


def _approval_date(council: str, plan: str) -> Any:
    """The date of the demo's first approval decision on the plan."""
    for records in _data(RECORDS_FILE)["plans"]:
        if (records["council"], records["plan"]) == (council, plan):
            return min(d["date"] for d in records["decisions"] if d.get("kind", "approval")
                       == "approval")  # fmt: skip
    raise LookupError(f"no demo decision approves {council}: {plan}")


def load_cases_demo(plans: list[Plan], user: Any = None) -> list[str]:
    """Business cases, equality ratings, consultations and decisions; what was loaded."""
    cambridgeshire = cambridgeshire_figures()
    loaded = []
    for plan in plans:
        if plan.council.name == cambridgeshire.council and plan.name == cambridgeshire.plan:
            for case in demo_cases():
                line = plan.lines.get(reference=case["reference"])
                save_business_case(line, case_figures_from_data(case), user=user, reason=REASON)
            loaded.append(f"{len(demo_cases())} business cases: {plan.council.name}")
        records = _records_for(plan)
        if records:
            _load_records(plan, records, user)
            loaded.append(f"Equality ratings, consultations and decisions: {plan.name}")
    return loaded


def _records_for(plan: Plan) -> dict[str, Any] | None:
    for records in _data(RECORDS_FILE)["plans"]:
        if records["council"] == plan.council.name and records["plan"] == plan.name:
            return records
    return None


def _load_records(plan: Plan, records: dict[str, Any], user: Any) -> None:
    lines = {line.reference: line for line in plan.lines.all()}
    for reference, ratings in records.get("equality", {}).items():
        for code, _ in CHARACTERISTICS:
            given = ratings.get(code) or {"rating": ratings.get("others", "not_assessed")}
            set_equality_rating(
                lines[reference],
                code,
                given["rating"],
                note=given.get("note", ""),
                mitigation=given.get("mitigation", ""),
                user=user,
                reason=REASON,
            )
    for consultation in records.get("consultations", ()):
        if not Consultation.objects.filter(plan=plan, title=consultation["title"]).exists():
            record_consultation(plan, _consultation(consultation, lines), user=user, reason=REASON)
    _record_decisions(plan, records, user)


def load_decisions(plan: Plan, user: Any = None) -> None:
    """The demo's recorded decisions on ``plan`` (idempotent): for Hampshire, the 16 September
    2015 decision that approved the programme."""
    records = _records_for(plan)
    if records:
        _record_decisions(plan, records, user)


def _record_decisions(plan: Plan, records: dict[str, Any], user: Any) -> None:
    lines = {line.reference: line for line in plan.lines.all()}
    for decision in records.get("decisions", ()):
        if not Decision.objects.filter(plan=plan, reference=decision["reference"]).exists():
            record_decision(plan, _decision(decision, lines), user=user, reason=REASON)
        if decision.get("approve_lines"):
            with effective_on(decision["date"]):
                _approve(plan, user)


def _consultation(data: dict[str, Any], lines: dict[str, Any]) -> ConsultationFigures:
    return ConsultationFigures(
        title=data["title"],
        audience=data["audience"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        line_ids=tuple(lines[reference].pk for reference in data["lines"]),
        outcome=data.get("outcome", ""),
        outcome_note=data.get("outcome_note", ""),
    )


def _decision(data: dict[str, Any], lines: dict[str, Any]) -> DecisionFigures:
    chosen = lines.values() if data["lines"] == "all" else [lines[r] for r in data["lines"]]
    return DecisionFigures(
        body=data["body"],
        body_name=data.get("body_name", ""),
        kind=data.get("kind", Decision.Kind.APPROVAL),
        date=data["date"],
        reference=data["reference"],
        summary=data.get("summary", ""),
        amounts={line.pk: _published_phasing(line) for line in chosen},
    )


def _published_phasing(line: Any) -> dict[FinancialYear, Decimal]:
    """The phasing the decision approved: the published figures, not later re-profiling."""
    for figures in (hampshire_figures(), cambridgeshire_figures()):
        if (figures.council, figures.plan) == (line.plan.council.name, line.plan.name):
            published = {entry.reference: entry for entry in figures.lines}
            if line.reference in published:
                return dict(published[line.reference].phasing)
    return dict(line_figures(line).phasing)


def _approve(plan: Plan, user: Any) -> None:
    for line in plan.lines.filter(lifecycle="proposed"):
        change_lifecycle(line, "approved", user=user, expected_version=line.version, reason=REASON)
