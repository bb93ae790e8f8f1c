"""Attach evidence to a line, and compare what it supports with what the line promises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from csplan.core.history import recording_user, save_recorded
from csplan.core.money import ZERO, to_decimal
from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.programme.models import SavingsLine
from csplan.programme.store import line_figures


def _plain(amount: Decimal) -> str:
    return format(to_decimal(amount), "f")


@transaction.atomic
def attach_evidence(
    line: SavingsLine,
    *,
    kind: str,
    title: str,
    savings: Mapping[FinancialYear, Decimal],
    summary: str = "",
    data_hash: str = "",
    parameters: Mapping[str, Any] | None = None,
    user: Any = None,
) -> Evidence:
    """Record evidence for ``line``; ``savings`` is the in-year saving against the baseline."""
    if kind not in Evidence.Kind.values:
        raise ValueError(f"unknown evidence kind {kind!r}")
    evidence = Evidence(
        line=line,
        kind=kind,
        title=title,
        summary=summary,
        savings={str(year): _plain(amount) for year, amount in sorted(savings.items())},
        data_hash=data_hash,
        parameters=dict(parameters or {}),
        created_by=recording_user(user),
    )
    save_recorded(evidence, user)
    return evidence


@dataclass(frozen=True)
class EvidenceYear:
    year: FinancialYear
    planned: Decimal  # the line's saving in place in the year (cumulative phasing)
    evidenced: Decimal  # what the evidence supports in the year
    gap: Decimal  # planned less evidenced: positive means the plan is not fully evidenced


def compare_with_line(line: SavingsLine, evidence: Evidence) -> list[EvidenceYear]:
    """The line's planned saving against what the evidence supports, year by year."""
    years = line.plan.years
    planned = line_figures(line).in_place(years)
    evidenced = evidence.savings_by_year()
    return [
        EvidenceYear(
            year,
            planned[year],
            evidenced.get(year, ZERO),
            planned[year] - evidenced.get(year, ZERO),
        )
        for year in years
    ]
