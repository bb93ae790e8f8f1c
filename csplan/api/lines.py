"""Savings lines and their phasing. Thin: read the typed body, call ``csplan.programme.store``.

The lifecycle changes only through ``POST .../status`` (the rules of ``csplan.cases``); the
phasing only through ``PUT .../phasing``, with a reason, recorded in the movements journal
(``csplan.monitoring.edits``). A new line starts as proposed. Every write sends the version it
read, so no one overwrites someone else's edit (409 otherwise).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema

from csplan.accounts.access import LINE, PROGRAMME, VIEW
from csplan.accounts.models import LineOwner
from csplan.api.access import allow, line_of, plan_of
from csplan.api.errors import answers, conflict, invalid, invalid_in_store
from csplan.api.types import (
    ByYear,
    ByYearIn,
    Choice,
    DecimalIn,
    DecimalOut,
    Input,
    Money,
    MoneyIn,
    Output,
    Text,
    Version,
    by_year,
    one_of,
    years_in,
)
from csplan.cases.models import Characteristic as CharacteristicChoices
from csplan.cases.store import lines_affecting
from csplan.monitoring.edits import edit_line, new_line
from csplan.monitoring.movements import EDIT_KINDS
from csplan.programme.calculations import matching_lines
from csplan.programme.figures import LineFigures
from csplan.programme.models import SavingsLine
from csplan.programme.store import (
    LineValidationError,
    StaleLineError,
    line_figures,
    programme_figures,
)

router = Router(tags=["lines"])

LINE_PATH = "/plans/{plan}/lines/{id:line}"
Lifecycle = one_of(SavingsLine.Lifecycle.values)
Recurrence = one_of(SavingsLine.Recurrence.values)
Characteristic = one_of(CharacteristicChoices.values)
PHASING_MEANING = (
    "Incremental saving per financial year, £ (a one-off line: what it saves in that year; "
    "it reverses the next)"
)
EditKind = one_of(["", *(kind.value for kind in EDIT_KINDS)])


class LineOut(Output):
    id: int
    uid: str
    url: str
    reference: str = Field(examples=["C3"])
    title: str
    workstream: str = Field(description="The workstream's name")
    service_activity: str
    description: str
    impact: str
    sro_role: str = Field(description="The senior responsible officer: a role, never a name")
    lifecycle: Lifecycle
    rag: str = Field(description="A code of the council's RAG key, or empty")
    key_decision: bool | None
    public_consultation: bool | None
    staff_consultation: bool | None
    recurrence: Recurrence
    fte: DecimalOut | None = Field(description="FTE change (posts reduced)")
    fte_note: str
    baseline_budget: Money | None = Field(description="The activity's baseline budget, £")
    version: int = Field(description="Send it back with a change (409 if it moved on)")
    phasing: ByYear = Field(description=PHASING_MEANING)
    full_year_effect: Money = Field(
        description="The saving left in the base budget: the sum of the phasing (none for a "
        "one-off saving, which reverses the next year), £"
    )
    owners: list[str] = Field(description="User names of the line's SROs")


class LineList(Output):
    lines: list[LineOut]


def line_url(line: SavingsLine) -> str:
    return reverse("api:line", kwargs={"plan": line.plan.slug, "line": line.pk})


def line_out(line: SavingsLine, figures: LineFigures | None = None) -> LineOut:
    figures = figures or line_figures(line)
    owners = LineOwner.objects.filter(line=line).order_by("user__username")
    return LineOut(
        id=line.pk,
        uid=str(line.uid),
        url=line_url(line),
        reference=line.reference,
        title=line.title,
        workstream=line.workstream.name,
        service_activity=line.service_activity,
        description=line.description,
        impact=line.impact,
        sro_role=line.sro_role,
        lifecycle=line.lifecycle,
        rag=line.rag,
        key_decision=line.key_decision,
        public_consultation=line.public_consultation,
        staff_consultation=line.staff_consultation,
        recurrence=line.recurrence,
        fte=line.fte,
        fte_note=line.fte_note,
        baseline_budget=figures.baseline_budget,
        version=line.version,
        phasing=by_year(figures.phasing),
        full_year_effect=figures.full_year_effect,
        owners=list(owners.values_list("user__username", flat=True)),
    )


class LineFilters(Choice):
    workstream: str = Field("", max_length=300, description="The workstream's name")
    lifecycle: str = Field("", max_length=20)
    rag: str = Field("", max_length=10)
    sro: str = Field("", max_length=200, description="The SRO's role")
    q: str = Field("", max_length=200, description="Words in the reference, title or text")
    affects: Characteristic | Literal[""] = Field(
        "", description="Lines rated adverse or positive for this protected characteristic"
    )


@router.get(
    "/plans/{plan}/lines",
    response=answers(LineList),
    auth=allow(VIEW),
    operation_id="listLines",
    url_name="lines",
    summary="The plan's savings lines, chosen by the same filters as the lines page",
)
def list_lines(request: HttpRequest, plan: str, filters: Query[LineFilters]) -> LineList:
    found = plan_of(request)
    figures = programme_figures(found)
    affecting = lines_affecting(found, filters.affects) if filters.affects else None
    matching = matching_lines(figures.lines, filters.model_dump(), affecting)
    chosen = {line.reference for line in matching}
    by_reference = {line.reference: line for line in figures.lines}
    stored = found.lines.select_related("workstream", "plan")
    return LineList(
        lines=[
            line_out(line, by_reference[line.reference])
            for line in stored
            if line.reference in chosen
        ]
    )


class LineFields(Input):
    """The editable fields of a savings line, each optional (their limits are the store's)."""

    title: str = Field(None, max_length=300)  # type: ignore[assignment]
    workstream: str = Field(None, max_length=300, description="The name of one of the plan's")  # type: ignore[assignment]
    service_activity: str = Field(None, max_length=300)  # type: ignore[assignment]
    description: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    impact: str = Field(None, max_length=20_000)  # type: ignore[assignment]
    sro_role: str = Field(None, max_length=200, description="A role, never a name")  # type: ignore[assignment]
    rag: str = Field(None, max_length=10, description="A code of the council's key")  # type: ignore[assignment]
    key_decision: bool | None = None
    public_consultation: bool | None = None
    staff_consultation: bool | None = None
    recurrence: Recurrence = None  # type: ignore[assignment]
    fte: DecimalIn | None = Field(None, description='FTE change, a decimal string like "2.5"')
    fte_note: str = Field(None, max_length=40, description="e.g. TBC")  # type: ignore[assignment]
    baseline_budget: MoneyIn | None = Field(None, description="The activity's budget, £")

    def changes(self) -> dict[str, Any]:
        """The fields sent, as ``LineFigures`` takes them."""
        return self.model_dump(exclude_unset=True, include=set(LineFields.model_fields))


class LineNew(LineFields):
    reference: str = Field(max_length=40, examples=["C9"])
    title: str = Field(max_length=300)
    workstream: str = Field(max_length=300, description="The name of one of the plan's")
    phasing: ByYearIn = Field(default_factory=dict, description=PHASING_MEANING)

    def changes(self) -> dict[str, Any]:
        return {
            **super().changes(),
            "reference": self.reference,
            "title": self.title,
            "workstream": self.workstream,
            "phasing": years_in(self.phasing),
        }


_MOVED = {
    "lifecycle": "Change the lifecycle with POST {path}/status: the rules check decisions, "
    "consultations and evidence",
    "phasing": "Change the phasing with PUT {path}/phasing",
}


class LineChange(LineFields):
    version: Version
    reference: str = Field(None, max_length=40)  # type: ignore[assignment]
    # Sent back unchanged from a GET they are ignored; changed, the answer says where to go.
    lifecycle: SkipJsonSchema[Any] = None
    phasing: SkipJsonSchema[Any] = None

    def changes(self) -> dict[str, Any]:
        values = super().changes()
        if "reference" in self.model_fields_set:
            values["reference"] = self.reference
        return values


@router.post(
    "/plans/{plan}/lines",
    response=answers(LineOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="createLine",
    url_name="lines",
    summary="Add a savings line (finance, admin); it starts as proposed",
)
def create(request: HttpRequest, plan: str, payload: LineNew) -> Status[LineOut]:
    found = plan_of(request)
    figures = LineFigures(**payload.changes())
    try:
        line = new_line(found, figures, user=request.user, reason="Created through the API")
    except LineValidationError as error:
        raise invalid_in_store(error.errors) from None
    body = line_out(line)
    return Status(201, body)


@router.get(
    LINE_PATH,
    response=answers(LineOut),
    auth=allow(VIEW, line="line"),
    operation_id="getLine",
    url_name="line",
    summary="A savings line",
)
def get_line(request: HttpRequest, plan: str, line: int) -> LineOut:
    return line_out(line_of(request))


def _moved_elsewhere(payload: LineChange, line: SavingsLine) -> None:
    path = line_url(line)
    sent = payload.model_fields_set
    errors = {
        name: message.format(path=path)
        for name, message in _MOVED.items()
        if name in sent
        and not (name == "lifecycle" and getattr(payload, name) == line.lifecycle)
        and not (name == "phasing" and _same_phasing(payload.phasing, line))
    }
    if errors:
        raise invalid(errors)


def _same_phasing(sent: Any, line: SavingsLine) -> bool:
    return sent == line_out(line).model_dump()["phasing"]


@router.patch(
    LINE_PATH,
    response=answers(LineOut, conflicts=True),
    auth=allow(LINE, line="line"),
    operation_id="updateLine",
    url_name="line",
    summary="Change a line's details (its SRO, finance, admin); send its version",
)
def update(request: HttpRequest, plan: str, line: int, payload: LineChange) -> LineOut:
    current = line_of(request)
    _moved_elsewhere(payload, current)
    figures = replace(line_figures(current), **payload.changes())
    saved = save_line(request, current, figures, payload.version, "Changed through the API")
    return line_out(saved)


def save_line(
    request: HttpRequest,
    line: SavingsLine,
    figures: LineFigures,
    expected: int,
    reason: str,
    movement_kind: str = "",
) -> SavingsLine:
    try:
        return edit_line(
            line,
            figures,
            user=request.user,
            expected_version=expected,
            reason=reason,
            movement_kind=movement_kind,
        )
    except StaleLineError as error:
        raise conflict(str(error), error.line.version) from None
    except LineValidationError as error:
        raise invalid_in_store(error.errors) from None


# --- phasing -----------------------------------------------------------------------------------


class PhasingOut(Output):
    line: int
    reference: str
    version: int
    form: Literal["incremental"] = Field(description="The change in each financial year")
    phasing: ByYear = Field(description=PHASING_MEANING)
    total: Money = Field(
        description="The full-year effect: the sum of the years (none for a one-off), £"
    )


def phasing_out(line: SavingsLine) -> PhasingOut:
    figures = line_figures(line)
    return PhasingOut(
        line=line.pk,
        reference=line.reference,
        version=line.version,
        form="incremental",
        phasing=by_year(figures.phasing),
        total=figures.full_year_effect,
    )


class PhasingChange(Input):
    version: Version
    form: Literal["incremental"] = Field(
        "incremental", description="Send the change in each year (incremental)"
    )
    phasing: ByYearIn = Field(description=PHASING_MEANING)
    reason: Text = Field(
        "", description="Why the phasing changes (needed for a change): kept in the journal"
    )
    movement_kind: EditKind = Field(
        "",
        description="What the change is; empty: worked out from the figures (slippage into "
        "the next year, re-profiling between years, increase, reduction)",
    )


@router.get(
    LINE_PATH + "/phasing",
    response=answers(PhasingOut),
    auth=allow(VIEW, line="line"),
    operation_id="getPhasing",
    url_name="phasing",
    summary="A line's phasing: the incremental saving in each financial year",
)
def get_phasing(request: HttpRequest, plan: str, line: int) -> PhasingOut:
    return phasing_out(line_of(request))


@router.put(
    LINE_PATH + "/phasing",
    response=answers(PhasingOut, conflicts=True),
    auth=allow(LINE, line="line"),
    operation_id="replacePhasing",
    url_name="phasing",
    summary="Replace a line's phasing (its SRO, finance, admin); send its version and a "
    "reason: the change is recorded in the movements journal",
)
def replace_phasing(
    request: HttpRequest, plan: str, line: int, payload: PhasingChange
) -> PhasingOut:
    current = line_of(request)
    figures = replace(line_figures(current), phasing=years_in(payload.phasing))
    saved = save_line(
        request, current, figures, payload.version, payload.reason, payload.movement_kind
    )
    return phasing_out(saved)
