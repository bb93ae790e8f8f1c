"""Monthly monitoring: each line's position for a period, its records, and the movements
journal. Thin: ``csplan.monitoring.store`` holds the rules; its reports lay out the tables."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import LINE, PROGRAMME, VIEW
from csplan.api.access import allow, line_of, plan_of
from csplan.api.errors import answers, invalid, invalid_in_store
from csplan.api.lines import LINE_PATH
from csplan.api.types import (
    ByYear,
    ByYearIn,
    Choice,
    Id,
    Input,
    Label,
    Money,
    MoneyIn,
    MonthIn,
    Output,
    Period,
    TableOut,
    Text,
    YearIn,
    by_year,
    one_of,
    period_of,
    period_out,
    table_out,
    year_of,
    years_in,
)
from csplan.core.money import ZERO
from csplan.core.periods import MonitoringPeriod
from csplan.monitoring import reports, store
from csplan.monitoring.models import MonitoringRecord, Movement
from csplan.monitoring.models import Recurrence as RecurrenceChoices
from csplan.monitoring.movements import MovementKind, MovementSpec
from csplan.monitoring.summary import LinePosition
from csplan.programme.models import Plan

router = Router(tags=["monitoring"])

Recurrence = one_of(RecurrenceChoices.values)
MovementKindName = one_of(Movement.Kind.values)


class PeriodChoice(Choice):
    year: YearIn | None = Field(None, description="With month: the period (default: latest)")
    month: MonthIn | None = None


def chosen_period(plan: Plan, choice: PeriodChoice) -> MonitoringPeriod:
    """The period asked for, else the latest with monitoring, else Month 1 of the first year."""
    if (choice.year is None) != (choice.month is None):
        missing = "month" if choice.month is None else "year"
        raise invalid({missing: "Send the year and the month together"})
    if choice.year is not None and choice.month is not None:
        return period_of(choice.year, choice.month)
    return store.latest_period(plan) or MonitoringPeriod(plan.years[0], 1)


# --- the programme's position ------------------------------------------------------------------


class Position(Output):
    reference: str
    title: str
    workstream: str
    rag: str
    proposed: Money = Field(description="The in-year saving in the plan, £")
    anticipated: Money = Field(description="Achieved or anticipated in the year, £")
    achieved_to_date: Money
    pressures: Money = Field(description="Written off or offset by demand in the year, £")
    mitigation_amount: Money
    mitigation_recurrence: Recurrence
    net_at_risk: Money = Field(description="Shortfall plus pressures less mitigation, £")
    at_risk: bool
    commentary: str
    explanation: str
    mitigation: str
    month: int | None = Field(description="The month of the record it comes from (null: plan)")


class MonitoringOut(Output):
    period: Period
    positions: list[Position]
    tables: list[TableOut] = Field(
        description="The monitoring page's tables: summary, at risk, risk-adjusted, demand-led"
    )


def position_out(position: LinePosition) -> Position:
    return Position(
        reference=position.reference,
        title=position.title,
        workstream=position.workstream,
        rag=position.rag,
        proposed=position.proposed,
        anticipated=position.anticipated,
        achieved_to_date=position.achieved_to_date,
        pressures=position.pressures,
        mitigation_amount=position.mitigation_amount,
        mitigation_recurrence=position.mitigation_recurrence,
        net_at_risk=position.net_at_risk,
        at_risk=position.is_at_risk,
        commentary=position.commentary,
        explanation=position.explanation,
        mitigation=position.mitigation,
        month=position.month,
    )


@router.get(
    "/plans/{plan}/monitoring",
    response=answers(MonitoringOut),
    auth=allow(VIEW),
    operation_id="getMonitoring",
    url_name="monitoring",
    summary="The programme's monitoring position for a month (default: the latest)",
)
def get_monitoring(request: HttpRequest, plan: str, choice: Query[PeriodChoice]) -> MonitoringOut:
    found = plan_of(request)
    period = chosen_period(found, choice)
    tables = reports.monitoring_tables(found, period)
    return MonitoringOut(
        period=period_out(period),
        positions=[position_out(p) for p in store.positions_for(found, period)],
        tables=[table_out(table) for table in tables.values()],
    )


# --- a line's records --------------------------------------------------------------------------


class RecordOut(Output):
    period: Period
    rag: str
    target: Money = Field(description="The in-year saving planned when recorded, £")
    forecast: ByYear = Field(description="The forecast in-year saving by year, £")
    achieved_to_date: Money
    mitigation_amount: Money
    mitigation_recurrence: Recurrence
    commentary: str
    explanation: str
    mitigation: str


class LineMonitoring(Output):
    line: int
    reference: str
    records: list[RecordOut]
    table: TableOut


class RecordIn(Input):
    year: YearIn
    month: MonthIn
    rag: str = Field(max_length=10, description="A code of the council's RAG key")
    forecast: ByYearIn = Field(description="The forecast in-year saving by year, £")
    achieved_to_date: MoneyIn = ZERO
    mitigation_amount: MoneyIn = ZERO
    mitigation_recurrence: Recurrence = RecurrenceChoices.ONE_OFF.value
    commentary: Text = ""
    explanation: Text = Field("", description="Why the saving is at risk")
    mitigation: Text = Field("", description="What is being done about it")


def record_out(record: MonitoringRecord) -> RecordOut:
    return RecordOut(
        period=period_out(record.period),
        rag=record.rag,
        target=record.target,
        forecast=by_year(record.forecast_by_year()),
        achieved_to_date=record.achieved_to_date,
        mitigation_amount=record.mitigation_amount,
        mitigation_recurrence=record.mitigation_recurrence,
        commentary=record.commentary,
        explanation=record.explanation,
        mitigation=record.mitigation,
    )


@router.get(
    LINE_PATH + "/monitoring",
    response=answers(LineMonitoring),
    auth=allow(VIEW, line="line"),
    operation_id="getLineMonitoring",
    url_name="line_monitoring",
    summary="A line's monitoring records, month by month",
)
def get_line_monitoring(request: HttpRequest, plan: str, line: int) -> LineMonitoring:
    found = line_of(request)
    records = store.line_history(found)
    return LineMonitoring(
        line=found.pk,
        reference=found.reference,
        records=[record_out(record) for record in records],
        table=table_out(reports.history_report(records, found.reference)),
    )


@router.post(
    LINE_PATH + "/monitoring",
    response=answers(RecordOut, status=201),
    auth=allow(LINE, line="line"),
    operation_id="recordMonitoring",
    url_name="line_monitoring",
    summary="Record (or correct) a line's position for a month (its SRO, finance, admin)",
)
def record_monitoring(
    request: HttpRequest, plan: str, line: int, payload: RecordIn
) -> Status[RecordOut]:
    try:
        record = store.record_monitoring(
            line_of(request),
            period_of(payload.year, payload.month),
            rag=payload.rag,
            forecast=years_in(payload.forecast),
            achieved_to_date=payload.achieved_to_date,
            mitigation_amount=payload.mitigation_amount,
            mitigation_recurrence=payload.mitigation_recurrence,
            commentary=payload.commentary,
            explanation=payload.explanation,
            mitigation=payload.mitigation,
            user=request.user,
        )
    except store.MonitoringValidationError as error:
        raise invalid_in_store(error.errors) from None
    return Status(201, record_out(record))


# --- movements ---------------------------------------------------------------------------------


class MovementOut(Output):
    id: int
    line: int
    reference: str
    kind: MovementKindName
    period: Period = Field(description="The monitoring period it was recorded in")
    from_year: str = Field(description="The financial year the amount is in")
    to_year: str | None = Field(description="Where it moved to (re-profiling, slippage)")
    amount: Money
    recurrence: Recurrence
    decision_reference: str
    replaces: int | None = Field(description="The write-off it covers (replacement, mitigation)")
    reason: str
    phasing_before: ByYear
    phasing_after: ByYear


class MovementList(Output):
    period: Period
    movements: list[MovementOut]
    table: TableOut


class MovementIn(Input):
    line: Id = Field(description="The savings line's id")
    kind: MovementKindName
    amount: MoneyIn
    year: YearIn = Field(description="The monitoring period's financial year")
    month: MonthIn
    from_year: YearIn = Field(description="The year the amount is in (or applies from)")
    to_year: YearIn | None = Field(None, description="Re-profiling: the year it moves to")
    recurrence: Recurrence = Field("recurrent", description="Mitigation: one-off or recurrent")
    decision_reference: Label = ""
    replaces: Id | None = Field(None, description="The write-off it covers")
    reason: Text = ""


def _years_json(values: dict[str, str]) -> dict[str, object]:
    from csplan.monitoring.models import amounts_from_json

    return by_year(amounts_from_json(values))


def movement_out(entry: Movement) -> MovementOut:
    return MovementOut(
        id=entry.pk,
        line=entry.line_id,
        reference=entry.line.reference,
        kind=entry.kind,
        period=period_out(entry.period),
        from_year=period_of_start(entry.from_year),
        to_year=period_of_start(entry.to_year) if entry.to_year else None,
        amount=entry.amount,
        recurrence=entry.recurrence,
        decision_reference=entry.decision_reference,
        replaces=entry.replaces_id,
        reason=entry.reason,
        phasing_before=_years_json(entry.phasing_before),
        phasing_after=_years_json(entry.phasing_after),
    )


def period_of_start(start: int) -> str:
    from csplan.core.periods import FinancialYear

    return FinancialYear(start).label


@router.get(
    "/plans/{plan}/movements",
    response=answers(MovementList),
    auth=allow(VIEW),
    operation_id="listMovements",
    url_name="movements",
    summary="The movements journal up to a month (default: the latest with monitoring)",
)
def list_movements(request: HttpRequest, plan: str, choice: Query[PeriodChoice]) -> MovementList:
    found = plan_of(request)
    period = chosen_period(found, choice)
    entries = store.movements_between(found, None, period)
    return MovementList(
        period=period_out(period),
        movements=[movement_out(entry) for entry in entries],
        table=table_out(reports.movements_report(entries, None, period)),
    )


@router.post(
    "/plans/{plan}/movements",
    response=answers(MovementOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="recordMovement",
    url_name="movements",
    summary="Record a movement (re-profiling, slippage, write-off, replacement, mitigation, "
    "offset by demand, increase, reduction) and apply it to the line's phasing (finance, admin)",
)
def record_movement(request: HttpRequest, plan: str, payload: MovementIn) -> Status[MovementOut]:
    found = plan_of(request)
    line = found.lines.filter(pk=payload.line).first()
    if line is None:
        raise invalid({"line": "Choose a savings line of this plan"})
    replaces = None
    if payload.replaces is not None:
        replaces = Movement.objects.filter(pk=payload.replaces, line__plan=found).first()
        if replaces is None:
            raise invalid({"replaces": "Choose a write-off of this plan"})
    spec = MovementSpec(
        kind=MovementKind(payload.kind),
        amount=payload.amount,
        year=year_of(payload.from_year),
        to_year=year_of(payload.to_year) if payload.to_year else None,
        recurrence=payload.recurrence,
        decision_reference=payload.decision_reference,
    )
    try:
        entry = store.apply_movement(
            line, spec, period_of(payload.year, payload.month), reason=payload.reason,
            replaces=replaces, user=request.user,
        )  # fmt: skip
    except store.MonitoringValidationError as error:
        raise invalid_in_store(error.errors) from None
    return Status(201, movement_out(entry))
