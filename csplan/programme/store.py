"""Reading and writing the programme in the database.

Every write runs in one transaction and names the user, so the change history
(django-simple-history) records who changed what, when, and the values before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from csplan.core.cache import cached
from csplan.core.history import delete_recorded as _delete
from csplan.core.history import save_recorded as _save
from csplan.core.money import ZERO, from_pence, to_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import (
    LIFECYCLE_STATES,
    RECURRENCES,
    LineFigures,
    ProgrammeFigures,
    WorkstreamFigures,
)
from csplan.programme.models import (
    Council,
    PhasingEntry,
    Plan,
    SavingsLine,
    TargetEntry,
    Workstream,
    default_rag_key,
)
from csplan.programme.slugs import unique_slug

_LINE_TEXT_FIELDS = (
    "title",
    "service_activity",
    "description",
    "impact",
    "sro_role",
    "rag",
    "fte_note",
)
_LINE_VALUE_FIELDS = (
    *_LINE_TEXT_FIELDS,
    "lifecycle",
    "recurrence",
    "fte",
    "key_decision",
    "public_consultation",
    "staff_consultation",
)


def _phasing(entries: Any) -> dict[FinancialYear, Decimal]:
    return {FinancialYear(entry.year): from_pence(entry.amount_pence) for entry in entries}


def line_figures(
    line: SavingsLine,
    phasing: Mapping[FinancialYear, Decimal] | None = None,
    workstream: str | None = None,
) -> LineFigures:
    """The line as plain values; ``phasing`` and ``workstream`` (its name) when already read."""
    return LineFigures(
        reference=line.reference,
        workstream=line.workstream.name if workstream is None else workstream,
        phasing=dict(phasing) if phasing is not None else _phasing(line.phasing.all()),
        baseline_budget=None
        if line.baseline_budget_pence is None
        else from_pence(line.baseline_budget_pence),
        **{name: getattr(line, name) for name in _LINE_VALUE_FIELDS},
    )


def _plan_phasing(plan: Plan) -> dict[int, dict[FinancialYear, Decimal]]:
    """Every line's phasing in one query, by line id (faster than a prefetch per line)."""
    by_line: dict[int, dict[FinancialYear, Decimal]] = {}
    entries = PhasingEntry.objects.filter(line__plan=plan).order_by("line_id", "year")
    for line_id, year, pence in entries.values_list("line_id", "year", "amount_pence"):
        by_line.setdefault(line_id, {})[FinancialYear(year)] = from_pence(pence)
    return by_line


@cached("programme_figures")
def programme_figures(plan: Plan) -> ProgrammeFigures:
    """The plan as plain values for calculations and reports (kept until the next recorded
    change, shared by every server process: every page reads the whole programme, and most
    requests change nothing)."""
    return _read_programme(plan)


def _read_programme(plan: Plan) -> ProgrammeFigures:
    plan = Plan.objects.select_related("council").get(pk=plan.pk)
    phasing = _plan_phasing(plan)
    lines = [
        line_figures(line, phasing.get(line.pk, {}))
        for line in plan.lines.select_related("workstream")
    ]
    return assemble_figures(plan.council, plan, plan.targets.all(), plan.workstreams.all(), lines)


def assemble_figures(
    council: Council,
    plan: Plan,
    targets: Any,
    workstreams: Any,
    lines: Any,
) -> ProgrammeFigures:
    """Plain values from the stored rows (current ones, or as they stood: see ``asat``)."""
    return ProgrammeFigures(
        council=council.name,
        plan=plan.name,
        department=plan.department,
        years=tuple(plan.years),
        targets=_phasing(targets),
        workstreams=tuple(
            WorkstreamFigures(w.name, from_pence(w.budget_pence), w.is_workstream)
            for w in workstreams
        ),
        lines=tuple(lines),
        percent_basis=council.percent_basis,
        sign_convention=council.sign_convention,
        rag_key=tuple(council.rag_key or ()),
    )


def _sync_phasing(
    owner_entries: Any, create: Any, values: Mapping[FinancialYear, Decimal], user: Any, reason: str
) -> None:
    """Make the stored incremental entries equal ``values`` (zero years are not stored)."""
    existing = {entry.year: entry for entry in owner_entries.all()}
    wanted = {year.start: to_pence(amount) for year, amount in values.items() if amount != ZERO}
    for year, entry in existing.items():
        if year not in wanted:
            _delete(entry, user, reason)
        elif entry.amount_pence != wanted[year]:
            entry.amount_pence = wanted[year]
            _save(entry, user, reason)
    for year, pence in wanted.items():
        if year not in existing:
            _save(create(year=year, amount_pence=pence), user, reason)


#: Public name of the same: the plan settings (``csplan.programme.plans``) write targets with it.
sync_year_amounts = _sync_phasing


@transaction.atomic
def save_programme(figures: ProgrammeFigures, *, user: Any = None, reason: str = "") -> Plan:
    """Create or update the council's plan to match ``figures`` exactly.

    Workstreams are matched by name and lines by reference, so a re-import keeps each line's
    identity and its history shows what changed. Lines and workstreams not in ``figures`` are
    removed.
    """
    council = Council.objects.filter(name=figures.council).first() or Council(name=figures.council)
    council_values = {
        "percent_basis": figures.percent_basis,
        "sign_convention": figures.sign_convention,
        "rag_key": [dict(entry) for entry in figures.rag_key]
        or council.rag_key
        or default_rag_key(),
    }
    if _assign(council, council_values):
        _save(council, user, reason)

    plan = Plan.objects.filter(council=council, name=figures.plan).first() or Plan(
        council=council, name=figures.plan, slug=unique_slug(figures.council, figures.plan)
    )
    plan_values = {
        "department": figures.department,
        "first_year": figures.years[0].start,
        "year_count": len(figures.years),
    }
    if _assign(plan, plan_values):
        _save(plan, user, reason)
    _sync_phasing(
        plan.targets,
        lambda **kw: TargetEntry(plan=plan, **kw),
        figures.targets,
        user,
        reason,
    )
    workstreams = _sync_workstreams(plan, figures.workstreams, user, reason)
    _sync_lines(plan, figures.lines, workstreams, user, reason)
    _remove_unwanted_workstreams(plan, workstreams, user, reason)
    return plan


def _sync_workstreams(
    plan: Plan, wanted: tuple[WorkstreamFigures, ...], user: Any, reason: str
) -> dict[str, Workstream]:
    existing = {w.name: w for w in plan.workstreams.all()}
    result = {}
    for position, figures in enumerate(wanted):
        workstream = existing.get(figures.name) or Workstream(plan=plan, name=figures.name)
        values = {
            "budget_pence": to_pence(figures.budget),
            "is_workstream": figures.is_workstream,
            "position": position,
        }
        if _assign(workstream, values):
            _save(workstream, user, reason)
        result[figures.name] = workstream
    return result


def _remove_unwanted_workstreams(
    plan: Plan, wanted: dict[str, Workstream], user: Any, reason: str
) -> None:
    for workstream in plan.workstreams.all():
        if workstream.name not in wanted:
            _delete(workstream, user, reason)


def _assign(instance: Any, values: Mapping[str, Any]) -> bool:
    """Set ``values`` on ``instance``; True when it is new or any value changed."""
    if instance.pk is None:
        for name, value in values.items():
            setattr(instance, name, value)
        return True
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _line_values(figures: LineFigures, workstream: Workstream, position: int) -> dict[str, Any]:
    values = {name: getattr(figures, name) for name in _LINE_VALUE_FIELDS}
    values.update(
        reference=figures.reference,
        workstream=workstream,
        position=position,
        baseline_budget_pence=None
        if figures.baseline_budget is None
        else to_pence(figures.baseline_budget),
    )
    return values


def _sync_lines(
    plan: Plan,
    wanted: tuple[LineFigures, ...],
    workstreams: dict[str, Workstream],
    user: Any,
    reason: str,
) -> None:
    existing = {line.reference: line for line in plan.lines.all()}
    keep = {figures.reference for figures in wanted}
    for reference, line in existing.items():
        if reference not in keep:
            _delete(line, user, reason)
    for position, figures in enumerate(wanted):
        line = existing.get(figures.reference) or SavingsLine(plan=plan)
        if _assign(line, _line_values(figures, workstreams[figures.workstream], position)):
            _save(line, user, reason)
        _sync_phasing(
            line.phasing,
            lambda line=line, **kw: PhasingEntry(line=line, **kw),
            figures.phasing,
            user,
            reason,
        )


class LineValidationError(ValueError):
    """A savings line that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


class StaleLineError(Exception):
    """The line changed since the editor loaded it: their save would overwrite someone else's."""

    def __init__(self, line: SavingsLine, expected_version: int) -> None:
        self.line = line
        self.expected_version = expected_version
        super().__init__(
            f"{line.reference} was changed by someone else (version {line.version}, "
            f"you edited version {expected_version}): reload it and apply your change again"
        )


def validate_line(
    plan: Plan, figures: LineFigures, existing: SavingsLine | None = None
) -> dict[str, str]:
    """Every problem with ``figures`` as a line of ``plan``, by field name."""
    errors: dict[str, str] = {}
    reference = figures.reference.strip()
    if not reference:
        errors["reference"] = "Enter a reference, like C3"
    else:
        clash = plan.lines.filter(reference=reference)
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors["reference"] = f"Reference {reference} is already used by another line"
    if not figures.title.strip():
        errors["title"] = "Enter a title"
    if not plan.workstreams.filter(name=figures.workstream).exists():
        errors["workstream"] = "Choose a workstream of this programme"
    if figures.lifecycle not in LIFECYCLE_STATES:
        errors["lifecycle"] = "Choose a lifecycle status"
    if figures.recurrence not in RECURRENCES:
        errors["recurrence"] = "Choose recurrent or one-off"
    rag_codes = {entry.get("code") for entry in plan.council.rag_key or ()}
    if figures.rag and figures.rag not in rag_codes:
        errors["rag"] = (
            f"Choose a RAG rating from the council's key ({', '.join(sorted(rag_codes))})"
        )
    if figures.fte is not None and figures.fte < 0:
        errors["fte"] = "FTE change cannot be negative: enter the number of posts reduced"
    errors.update(year_amount_errors(plan, figures.phasing, "phasing", "saving"))
    return errors


def year_amount_errors(
    plan: Plan, amounts: Mapping[FinancialYear, Decimal], field: str, noun: str
) -> dict[str, str]:
    """Amounts by year that fall outside the plan's years or are not whole pence."""
    errors: dict[str, str] = {}
    plan_years = set(plan.years)
    for year, amount in amounts.items():
        if year not in plan_years:
            errors[f"{field}_{year.start}"] = f"{year} is not one of the programme's years"
        elif amount * 100 != (amount * 100).to_integral_value():
            errors[f"{field}_{year.start}"] = f"Enter the {year} {noun} to the nearest penny"
    return errors


@transaction.atomic
def create_line(
    plan: Plan, figures: LineFigures, *, user: Any = None, reason: str = ""
) -> SavingsLine:
    errors = validate_line(plan, figures)
    if errors:
        raise LineValidationError(errors)
    workstream = plan.workstreams.get(name=figures.workstream)
    position = (plan.lines.aggregate(models_max=Max("position"))["models_max"] or 0) + 1
    line = SavingsLine(plan=plan)
    _assign(line, _line_values(_tidied(figures), workstream, position))
    _save(line, user, reason)
    _sync_phasing(
        line.phasing, lambda **kw: PhasingEntry(line=line, **kw), figures.phasing, user, reason
    )
    return line


@transaction.atomic
def update_line(
    line: SavingsLine,
    figures: LineFigures,
    *,
    user: Any = None,
    expected_version: int | None = None,
    reason: str = "",
) -> SavingsLine:
    """Save an edit; with ``expected_version`` a concurrent edit raises ``StaleLineError``."""
    current = (
        SavingsLine.objects.select_for_update().select_related("plan__council").get(pk=line.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise StaleLineError(current, expected_version)
    errors = validate_line(current.plan, figures, existing=current)
    if errors:
        raise LineValidationError(errors)
    workstream = current.plan.workstreams.get(name=figures.workstream)
    values = _line_values(_tidied(figures), workstream, current.position)
    before = dict(_phasing(current.phasing.all()))
    changed = _assign(current, values)
    wanted = {year: amount for year, amount in figures.phasing.items() if amount != ZERO}
    if changed or before != wanted:
        current.version += 1
        _save(current, user, reason)
    _sync_phasing(
        current.phasing,
        lambda **kw: PhasingEntry(line=current, **kw),
        figures.phasing,
        user,
        reason,
    )
    return current


def _tidied(figures: LineFigures) -> LineFigures:
    """The figures with surrounding spaces trimmed from the reference and title."""
    return replace(figures, reference=figures.reference.strip(), title=figures.title.strip())
