"""Programme data as JSON values: money as decimal strings in pounds, years as ``2016/17``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.urls import reverse

from csplan.accounts.models import LineOwner
from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import line_figures


def money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def by_year(amounts: Mapping[FinancialYear, Decimal]) -> dict[str, str | None]:
    return {year.label: money(amounts[year]) for year in sorted(amounts, key=lambda y: y.start)}


def programme_json(plan: Plan) -> dict[str, Any]:
    return {
        "council": {
            "name": plan.council.name,
            "la_code": plan.council.la_code,
            "sign_convention": plan.council.sign_convention,
            "rag_key": list(plan.council.rag_key or []),
        },
        "plan": {
            "id": plan.pk,
            "name": plan.name,
            "department": plan.department,
            "years": [year.label for year in plan.years],
        },
        "targets": {
            FinancialYear(entry.year).label: money(from_pence(entry.amount_pence))
            for entry in plan.targets.all()
        },
        "workstreams": [
            {
                "id": workstream.pk,
                "name": workstream.name,
                "budget": money(from_pence(workstream.budget_pence)),
                "is_workstream": workstream.is_workstream,
            }
            for workstream in plan.workstreams.all()
        ],
    }


def line_json(line: SavingsLine, figures: LineFigures | None = None) -> dict[str, Any]:
    figures = figures or line_figures(line)
    owners = LineOwner.objects.filter(line=line).select_related("user").order_by("user__username")
    return {
        "id": line.pk,
        "uid": str(line.uid),
        "url": reverse("api:line", args=[line.pk]),
        "reference": line.reference,
        "title": line.title,
        "workstream": line.workstream.name,
        "service_activity": line.service_activity,
        "description": line.description,
        "impact": line.impact,
        "sro_role": line.sro_role,
        "lifecycle": line.lifecycle,
        "rag": line.rag,
        "key_decision": line.key_decision,
        "public_consultation": line.public_consultation,
        "staff_consultation": line.staff_consultation,
        "recurrence": line.recurrence,
        "fte": None if line.fte is None else f"{line.fte:.2f}",
        "fte_note": line.fte_note,
        "baseline_budget": money(figures.baseline_budget),
        "version": line.version,
        "phasing": by_year(figures.phasing),
        "full_year_effect": money(figures.full_year_effect),
        "owners": [owner.user.get_username() for owner in owners],
    }


def phasing_json(line: SavingsLine) -> dict[str, Any]:
    figures = line_figures(line)
    return {
        "line": line.pk,
        "reference": line.reference,
        "version": line.version,
        "form": "incremental",
        "phasing": by_year(figures.phasing),
        "total": money(figures.full_year_effect),
    }
