"""Whose position a programme page shows: now, as approved, or as it stood on a day.

The overview, workstreams and proposals pages (and their twins) take ``?basis=approved`` (the
figures as the plan's approval decision approved them) or ``?as_at=2015-09-16`` (the changes in
effect by the end of that day); without either they show the current position. Every such page
says which it is, and the twins carry it in their metadata.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from csplan.programme.asat import AsAtError
from csplan.programme.baseline import (
    BaselineError,
    approval_decision,
    position_label,
    programme_on,
)
from csplan.programme.figures import ProgrammeFigures
from csplan.web.asat import parse_day


class PositionRefused(Exception):
    """The position asked for cannot be shown (the message says why)."""


@dataclass(frozen=True)
class Position:
    figures: ProgrammeFigures
    label: str
    basis: str = "current"
    meta: dict[str, str] = field(default_factory=dict)
    approved_available: bool = False

    @property
    def is_current(self) -> bool:
        return self.basis == "current"

    @property
    def query(self) -> str:
        """The address's choice, for links that change something else (``&phasing=``)."""
        return "" if self.is_current else urlencode(self.meta)


def chosen_position(request: HttpRequest) -> Position:
    """The position the address asks for; ``PositionRefused`` when there is none to show."""
    plan = request.plan
    as_at_text = request.GET.get("as_at", "").strip()
    basis = request.GET.get("basis", "current").strip() or "current"
    try:
        day = parse_day(as_at_text) if as_at_text else None
        figures = programme_on(plan, as_at=day, basis=basis)
    except (AsAtError, BaselineError, ValueError) as error:
        raise PositionRefused(str(error)) from None
    label = position_label(plan, as_at=day, basis=basis)
    if day is not None:
        return Position(figures, label, "as_at", {"as_at": day.isoformat()})
    if basis == "approved":
        return Position(figures, label, "approved", {"basis": "approved"})
    approved = approval_decision(plan) is not None
    return Position(figures, label, "current", {"basis": "current"}, approved)


def refused_page(request: HttpRequest, error: PositionRefused) -> HttpResponse:
    context = {"plan": request.plan, "error": str(error), "errors": [("position", str(error))]}
    return render(request, "web/position_refused.html", context, status=400)
