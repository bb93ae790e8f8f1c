"""Reading and writing business cases, equality ratings, consultations and decisions.

Every write runs in one transaction and names the user, so the change history records who
changed what and when. Bad input raises ``CaseValidationError`` whose ``errors`` map each field
to its message. The lifecycle rules themselves are in ``csplan.cases.rules``;
``change_lifecycle`` gathers the facts from the store and applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from csplan.cases.models import (
    CASE_TEXT_FIELDS,
    BusinessCase,
    CaseDependency,
    CaseRisk,
    Characteristic,
    Consultation,
    ConsultationLine,
    Decision,
    DecisionAmount,
    DecisionLine,
    EqualityAssessment,
    FinanceSignOff,
    Rating,
)
from csplan.cases.rules import LABELS, LineFacts, lifecycle_refusal
from csplan.core.history import delete_recorded as _delete
from csplan.core.history import effective_on
from csplan.core.history import save_recorded as _save
from csplan.core.money import ZERO, from_pence, to_pence
from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import line_figures, update_line, year_amount_errors

RISK_SCALE = range(1, 6)


class CaseValidationError(ValueError):
    """Input that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class StaleCaseError(Exception):
    """The business case changed since the editor loaded it."""

    def __init__(self, case: BusinessCase, expected_version: int) -> None:
        self.case = case
        super().__init__(
            f"The business case for {case.line.reference} was changed by someone else "
            f"(version {case.version}, you edited version {expected_version}): reload it"
        )


# --- plain values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFigures:
    title: str
    likelihood: int
    impact: int
    owner_role: str = ""
    mitigation: str = ""

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


@dataclass(frozen=True)
class DependencyFigures:
    title: str
    line_reference: str = ""  # another line of the same plan, when it depends on one


@dataclass(frozen=True)
class CaseFigures:
    """A business case as plain values (the form, the API and the demo data produce these)."""

    title: str
    summary: str = ""
    sro_role: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)  # CASE_TEXT_FIELDS by name
    risks: tuple[RiskFigures, ...] = ()
    dependencies: tuple[DependencyFigures, ...] = ()

    def text(self, name: str) -> str:
        return self.texts.get(name, "")


@dataclass(frozen=True)
class ConsultationFigures:
    title: str
    audience: str
    start_date: date | None
    end_date: date | None
    line_ids: tuple[int, ...]
    outcome: str = ""
    outcome_note: str = ""


@dataclass(frozen=True)
class DecisionFigures:
    body: str
    date: date | None
    reference: str
    amounts: Mapping[int, Mapping[FinancialYear, Decimal]]  # line id → amount approved by year
    kind: str = Decision.Kind.APPROVAL
    body_name: str = ""
    summary: str = ""


# --- business cases ----------------------------------------------------------------------------


def business_case_figures(case: BusinessCase) -> CaseFigures:
    return CaseFigures(
        title=case.title,
        summary=case.summary,
        sro_role=case.sro_role,
        texts={name: getattr(case, name) for name in CASE_TEXT_FIELDS},
        risks=tuple(
            RiskFigures(r.title, r.likelihood, r.impact, r.owner_role, r.mitigation)
            for r in case.risks.all()
        ),
        dependencies=tuple(
            DependencyFigures(d.title, d.line.reference if d.line else "")
            for d in case.dependencies.select_related("line")
        ),
    )


def validate_business_case(line: SavingsLine, figures: CaseFigures) -> dict[str, str]:
    """Every problem with ``figures`` as the business case of ``line``, by field name."""
    errors: dict[str, str] = {}
    if not figures.title.strip():
        errors["title"] = "Enter the project title"
    unknown = set(figures.texts) - set(CASE_TEXT_FIELDS)
    if unknown:
        errors["texts"] = f"Unknown business case fields: {', '.join(sorted(unknown))}"
    for number, risk in enumerate(figures.risks, start=1):
        errors.update(_risk_errors(number, risk))
    references = set(line.plan.lines.values_list("reference", flat=True))
    for number, dependency in enumerate(figures.dependencies, start=1):
        if not dependency.title.strip():
            errors[f"dependency_{number}_title"] = f"Enter what dependency {number} is"
        elif dependency.line_reference and dependency.line_reference not in references:
            errors[f"dependency_{number}_line"] = (
                f"Dependency {number}: {dependency.line_reference} is not a line of this plan"
            )
        elif dependency.line_reference == line.reference:
            errors[f"dependency_{number}_line"] = (
                f"Dependency {number}: a line cannot depend on itself"
            )
    return errors


def _risk_errors(number: int, risk: RiskFigures) -> dict[str, str]:
    errors = {}
    if not risk.title.strip():
        errors[f"risk_{number}_title"] = f"Enter what risk {number} is"
    for name in ("likelihood", "impact"):
        value = getattr(risk, name)
        if not isinstance(value, int) or isinstance(value, bool) or value not in RISK_SCALE:
            errors[f"risk_{number}_{name}"] = f"Risk {number}: {name} must be a whole number 1 to 5"
    return errors


@transaction.atomic
def create_business_case(
    line: SavingsLine, figures: CaseFigures, *, user: Any = None, reason: str = ""
) -> BusinessCase:
    if BusinessCase.objects.filter(line=line).exists():
        raise CaseValidationError({"line": f"{line.reference} already has a business case"})
    return _write_case(BusinessCase(line=line), line, figures, user, reason)


@transaction.atomic
def update_business_case(
    case: BusinessCase,
    figures: CaseFigures,
    *,
    user: Any = None,
    expected_version: int | None = None,
    reason: str = "",
) -> BusinessCase:
    """Save an edit; with ``expected_version`` a concurrent edit raises ``StaleCaseError``."""
    current = BusinessCase.objects.select_for_update().select_related("line__plan").get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleCaseError(current, expected_version)
    if business_case_figures(current) == _tidied(figures):
        return current
    current.version += 1
    return _write_case(current, current.line, figures, user, reason)


@transaction.atomic
def save_business_case(
    line: SavingsLine, figures: CaseFigures, *, user: Any = None, reason: str = ""
) -> BusinessCase:
    """Create the line's case or make it equal ``figures`` (idempotent, for imports)."""
    case = BusinessCase.objects.filter(line=line).first()
    if case is None:
        return create_business_case(line, figures, user=user, reason=reason)
    return update_business_case(case, figures, user=user, reason=reason)


def _tidied(figures: CaseFigures) -> CaseFigures:
    texts = {name: figures.text(name).strip() for name in CASE_TEXT_FIELDS}
    return replace(
        figures,
        title=figures.title.strip(),
        summary=figures.summary.strip(),
        sro_role=figures.sro_role.strip(),
        texts=texts,
    )


def _write_case(
    case: BusinessCase, line: SavingsLine, figures: CaseFigures, user: Any, reason: str
) -> BusinessCase:
    errors = validate_business_case(line, figures)
    if errors:
        raise CaseValidationError(errors)
    figures = _tidied(figures)
    case.title, case.summary, case.sro_role = figures.title, figures.summary, figures.sro_role
    for name in CASE_TEXT_FIELDS:
        setattr(case, name, figures.text(name))
    _save(case, user, reason)
    for risk in case.risks.all():
        _delete(risk, user, reason)
    for position, risk in enumerate(figures.risks):
        _save(
            CaseRisk(
                case=case,
                title=risk.title.strip(),
                likelihood=risk.likelihood,
                impact=risk.impact,
                owner_role=risk.owner_role.strip(),
                mitigation=risk.mitigation.strip(),
                position=position,
            ),
            user,
            reason,
        )
    for dependency in case.dependencies.all():
        _delete(dependency, user, reason)
    lines = {other.reference: other for other in line.plan.lines.all()}
    for position, dependency in enumerate(figures.dependencies):
        _save(
            CaseDependency(
                case=case,
                title=dependency.title.strip(),
                line=lines.get(dependency.line_reference) if dependency.line_reference else None,
                position=position,
            ),
            user,
            reason,
        )
    return case


# --- equality ----------------------------------------------------------------------------------


def equality_ratings(line: SavingsLine) -> dict[str, EqualityAssessment | None]:
    """Each of the nine characteristics with the line's assessment (None: not assessed)."""
    stored = {a.characteristic: a for a in line.equality.all()}
    return {value: stored.get(value) for value in Characteristic.values}


@transaction.atomic
def set_equality_rating(
    line: SavingsLine,
    characteristic: str,
    rating: str,
    *,
    note: str = "",
    mitigation: str = "",
    user: Any = None,
    reason: str = "",
) -> EqualityAssessment:
    errors = {}
    if characteristic not in Characteristic.values:
        errors["characteristic"] = "Choose one of the nine protected characteristics"
    if rating not in Rating.values:
        errors["rating"] = "Choose adverse, neutral, positive or not assessed"
    elif rating == Rating.ADVERSE and not mitigation.strip():
        errors["mitigation"] = "An adverse impact needs its mitigation"
    if errors:
        raise CaseValidationError(errors)
    assessment = EqualityAssessment.objects.filter(
        line=line, characteristic=characteristic
    ).first() or EqualityAssessment(line=line, characteristic=characteristic)
    values = (rating, note.strip(), mitigation.strip())
    stored = (assessment.rating, assessment.note, assessment.mitigation)
    if assessment.pk is None or stored != values:
        assessment.rating, assessment.note, assessment.mitigation = values
        _save(assessment, user, reason)
    return assessment


# --- consultations -----------------------------------------------------------------------------


def _plan_lines(
    plan: Plan, ids: tuple[int, ...], field_name: str
) -> tuple[list[SavingsLine], dict[str, str]]:
    lines = list(plan.lines.filter(pk__in=ids))
    if not ids:
        return lines, {field_name: "Choose at least one savings line"}
    if len(lines) != len(set(ids)):
        return lines, {field_name: "Choose savings lines of this programme"}
    return lines, {}


def validate_consultation(plan: Plan, figures: ConsultationFigures) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not figures.title.strip():
        errors["title"] = "Enter what the consultation was about"
    if figures.audience not in Consultation.Audience.values:
        errors["audience"] = "Choose the audience: public, staff or partners"
    if figures.start_date is None:
        errors["start_date"] = "Enter the date the consultation started"
    if figures.end_date is None:
        errors["end_date"] = "Enter the date the consultation closed"
    elif figures.start_date is not None and figures.end_date < figures.start_date:
        errors["end_date"] = "The closing date must be on or after the start date"
    if figures.outcome and figures.outcome not in Consultation.Outcome.values:
        errors["outcome"] = "Choose the outcome: proceed, amend or reconsider"
    errors.update(_plan_lines(plan, figures.line_ids, "lines")[1])
    return errors


@transaction.atomic
def record_consultation(
    plan: Plan, figures: ConsultationFigures, *, user: Any = None, reason: str = ""
) -> Consultation:
    errors = validate_consultation(plan, figures)
    if errors:
        raise CaseValidationError(errors)
    consultation = Consultation(
        plan=plan,
        title=figures.title.strip(),
        audience=figures.audience,
        start_date=figures.start_date,
        end_date=figures.end_date,
        outcome=figures.outcome,
        outcome_note=figures.outcome_note.strip(),
    )
    _save(consultation, user, reason)
    for line in _plan_lines(plan, figures.line_ids, "lines")[0]:
        _save(ConsultationLine(consultation=consultation, line=line), user, reason)
    return consultation


@transaction.atomic
def record_consultation_outcome(
    consultation: Consultation, outcome: str, *, note: str = "", user: Any = None
) -> Consultation:
    """Record (or correct) what a consultation concluded: proceed, amend or reconsider."""
    if outcome not in Consultation.Outcome.values:
        raise CaseValidationError({"outcome": "Choose the outcome: proceed, amend or reconsider"})
    consultation.outcome, consultation.outcome_note = outcome, note.strip()
    _save(consultation, user)
    return consultation


# --- decisions ---------------------------------------------------------------------------------


def validate_decision(plan: Plan, figures: DecisionFigures) -> dict[str, str]:
    errors: dict[str, str] = {}
    if figures.body not in Decision.Body.values:
        errors["body"] = "Choose the decision-making body"
    if figures.kind not in Decision.Kind.values:
        errors["kind"] = "Choose what was decided: approve or write off savings"
    if figures.date is None:
        errors["date"] = "Enter the date of the decision"
    if not figures.reference.strip():
        errors["reference"] = "Enter the decision or minute reference"
    errors.update(_plan_lines(plan, tuple(figures.amounts), "lines")[1])
    for amounts in figures.amounts.values():
        errors.update(year_amount_errors(plan, amounts, "amount", "amount"))
    return errors


@transaction.atomic
def record_decision(
    plan: Plan, figures: DecisionFigures, *, user: Any = None, reason: str = ""
) -> Decision:
    """Record a decision; it and what it covers take effect on the decision's date."""
    errors = validate_decision(plan, figures)
    if errors:
        raise CaseValidationError(errors)
    with effective_on(figures.date):
        return _record_decision(plan, figures, user, reason)


def _record_decision(plan: Plan, figures: DecisionFigures, user: Any, reason: str) -> Decision:
    decision = Decision(
        plan=plan,
        body=figures.body,
        body_name=figures.body_name.strip(),
        kind=figures.kind,
        date=figures.date,
        reference=figures.reference.strip(),
        summary=figures.summary.strip(),
    )
    _save(decision, user, reason)
    lines = {line.pk: line for line in plan.lines.filter(pk__in=list(figures.amounts))}
    for line_id, amounts in figures.amounts.items():
        covered = DecisionLine(decision=decision, line=lines[line_id])
        _save(covered, user, reason)
        for year, amount in sorted(amounts.items()):
            if amount != ZERO:
                entry = DecisionAmount(
                    decision_line=covered, year=year.start, amount_pence=to_pence(amount)
                )
                _save(entry, user, reason)
    return decision


def decision_amounts(covered: DecisionLine) -> dict[FinancialYear, Decimal]:
    return {FinancialYear(a.year): from_pence(a.amount_pence) for a in covered.amounts.all()}


def _latest_decision_line(line: SavingsLine) -> DecisionLine | None:
    return (
        DecisionLine.objects.filter(line=line)
        .select_related("decision")
        .order_by("-decision__date", "-decision__id")
        .first()
    )


def _latest_outcome(line: SavingsLine, audience: str | None = None) -> str:
    covered = ConsultationLine.objects.filter(line=line).exclude(consultation__outcome="")
    if audience:
        covered = covered.filter(consultation__audience=audience)
    latest = covered.order_by("-consultation__end_date", "-consultation__id").first()
    return latest.consultation.outcome if latest else ""


def approved_total(plan: Plan) -> dict[FinancialYear, Decimal]:
    """The savings approved in each year of ``plan``.

    Each line counts with the amounts of its latest decision when that decision approved it
    (a later write-off decision replaces the approval); a line whose latest completed
    consultation said "reconsider" is left out until it is consulted on again.
    """
    totals = dict.fromkeys(plan.years, ZERO)
    for line in plan.lines.all():
        covered = _latest_decision_line(line)
        if covered is None or covered.decision.kind != Decision.Kind.APPROVAL:
            continue
        if _latest_outcome(line) == Consultation.Outcome.RECONSIDER:
            continue
        for year, amount in decision_amounts(covered).items():
            totals[year] = totals.get(year, ZERO) + amount
    return dict(sorted(totals.items()))


def reconsidered_lines(plan: Plan) -> list[SavingsLine]:
    """Lines whose latest completed consultation said reconsider (out of the approved total)."""
    return [
        line
        for line in plan.lines.all()
        if _latest_outcome(line) == Consultation.Outcome.RECONSIDER
    ]


# --- sign-off and lifecycle ---------------------------------------------------------------------


@transaction.atomic
def record_finance_sign_off(
    line: SavingsLine,
    *,
    user: Any,
    note: str = "",
    role: str = "Chief Finance Officer (s151)",
) -> FinanceSignOff:
    """Record that the chief finance officer signed off the line's saving as delivered.

    The caller checks that ``user`` acts in the finance role (csplan.accounts)."""
    if user is None:
        raise CaseValidationError({"signed_off_by": "A sign-off must name who signed off"})
    sign_off = FinanceSignOff(line=line, signed_off_by=user, note=note.strip(), role=role)
    _save(sign_off, user)
    return sign_off


def line_facts(line: SavingsLine) -> LineFacts:
    decisions = Decision.objects.filter(covered__line=line)
    return LineFacts(
        public_consultation=line.public_consultation,
        completed_consultations=Consultation.objects.filter(covered__line=line)
        .exclude(outcome="")
        .count(),
        public_outcome=_latest_outcome(line, Consultation.Audience.PUBLIC),
        approval_decisions=decisions.filter(kind=Decision.Kind.APPROVAL).count(),
        write_off_decisions=decisions.filter(kind=Decision.Kind.WRITE_OFF).count(),
        evidence=Evidence.objects.filter(line=line).count(),
        finance_sign_offs=FinanceSignOff.objects.filter(line=line).count(),
    )


class LifecycleError(CaseValidationError):
    """A lifecycle move the rules refuse; ``errors["lifecycle"]`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__({"lifecycle": message})


@transaction.atomic
def change_lifecycle(
    line: SavingsLine,
    new_status: str,
    *,
    user: Any,
    expected_version: int | None,
    signed_off_by_finance: bool = False,
    sign_off_note: str = "",
    reason: str = "",
) -> SavingsLine:
    """Move ``line`` to ``new_status`` if the rules allow it (see ``csplan.cases.rules``).

    ``signed_off_by_finance`` says that ``user`` acts in the finance role and signs the saving
    off now: a ``FinanceSignOff`` is recorded in the same transaction. A refusal raises
    ``LifecycleError``; an edit by someone else since ``expected_version`` raises
    ``csplan.programme.store.StaleLineError``.
    """
    current = SavingsLine.objects.select_for_update().get(pk=line.pk)
    facts = line_facts(current)
    if new_status == "delivered" and signed_off_by_finance and not facts.finance_sign_offs:
        facts = replace(facts, finance_sign_offs=1)
    refusal = lifecycle_refusal(current.lifecycle, new_status, facts)
    if refusal:
        raise LifecycleError(refusal)
    before = LABELS[current.lifecycle]
    updated = update_line(
        current,
        replace(line_figures(current), lifecycle=new_status),
        user=user,
        expected_version=expected_version,
        reason=reason or f"Lifecycle: {before} to {LABELS[new_status]}",
    )
    if new_status == "delivered" and signed_off_by_finance:
        record_finance_sign_off(updated, user=user, note=sign_off_note)
    return updated


def lines_affecting(plan: Plan, characteristic: str) -> set[str]:
    """References of the plan's lines rated adverse or positive for ``characteristic``."""
    return set(
        EqualityAssessment.objects.filter(
            line__plan=plan, characteristic=characteristic, rating__in=("adverse", "positive")
        ).values_list("line__reference", flat=True)
    )
