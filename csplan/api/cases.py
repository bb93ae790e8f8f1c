"""Business cases, equality impact, the lifecycle, decisions and consultations.

Thin: the rules live in ``csplan.cases.store``; these operations read typed bodies and answer
typed values.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status
from pydantic import Field

from csplan.accounts.access import LINE, PROGRAMME, VIEW
from csplan.accounts.permissions import can_set_lifecycle, can_sign_off
from csplan.api.access import allow, line_of, plan_of
from csplan.api.errors import ApiError, answers, conflict, invalid, not_found
from csplan.api.lines import LINE_PATH, Lifecycle, LineOut, line_out
from csplan.api.types import (
    ByYear,
    ByYearIn,
    DateIn,
    Id,
    Input,
    Label,
    Output,
    ShortText,
    Tables,
    Text,
    Version,
    by_year,
    one_of,
    tables_out,
    years_in,
)
from csplan.cases import reports
from csplan.cases.models import (
    CASE_TEXT_FIELDS,
    BusinessCase,
    Consultation,
    Decision,
)
from csplan.cases.models import Characteristic as CharacteristicChoices
from csplan.cases.models import Rating as RatingChoices
from csplan.cases.store import (
    CaseFigures,
    CaseValidationError,
    ConsultationFigures,
    DecisionFigures,
    DependencyFigures,
    RiskFigures,
    StaleCaseError,
    business_case_figures,
    change_lifecycle,
    create_business_case,
    decision_amounts,
    equality_ratings,
    record_consultation,
    record_consultation_outcome,
    record_decision,
    set_equality_rating,
    update_business_case,
)
from csplan.programme.models import SavingsLine
from csplan.programme.store import StaleLineError

router = Router(tags=["cases"])

CaseText = one_of(CASE_TEXT_FIELDS)
Characteristic = one_of(CharacteristicChoices.values)
Rating = one_of(RatingChoices.values)
Body = one_of(Decision.Body.values)
DecisionKind = one_of(Decision.Kind.values)
Audience = one_of(Consultation.Audience.values)
Outcome = one_of(Consultation.Outcome.values)
OutcomeOrOpen = one_of(["", *Consultation.Outcome.values])


# --- business cases ----------------------------------------------------------------------------


class Risk(Output):
    title: str
    likelihood: int = Field(description="1 (rare) to 5 (almost certain)")
    impact: int = Field(description="1 (negligible) to 5 (severe)")
    score: int = Field(description="Likelihood × impact")
    owner_role: str
    mitigation: str


class RiskIn(Input):
    title: ShortText
    likelihood: int = Field(ge=1, le=5, description="1 (rare) to 5 (almost certain)")
    impact: int = Field(ge=1, le=5, description="1 (negligible) to 5 (severe)")
    owner_role: Label = Field("", description="A role, never a name")
    mitigation: Text = ""


class Dependency(Input):
    title: str = Field(max_length=500)
    line_reference: str = Field("", max_length=40, description="The line depended on, if any")


class BusinessCaseOut(Output):
    line: int
    reference: str
    version: int
    title: str
    summary: str
    sro_role: str
    texts: dict[str, str] = Field(description="The template's sections, by name")
    risks: list[Risk]
    dependencies: list[Dependency]


class BusinessCaseIn(Input):
    version: Version | None = Field(None, description="The version you read (not for a new case)")
    title: ShortText
    summary: Text = ""
    sro_role: Label = Field("", description="A role, never a name")
    texts: dict[CaseText, Text] = Field(default_factory=dict)
    risks: list[RiskIn] = Field(default_factory=list, max_length=100)
    dependencies: list[Dependency] = Field(default_factory=list, max_length=100)

    def figures(self) -> CaseFigures:
        return CaseFigures(
            title=self.title,
            summary=self.summary,
            sro_role=self.sro_role,
            texts=dict(self.texts),
            risks=tuple(
                RiskFigures(r.title, r.likelihood, r.impact, r.owner_role, r.mitigation)
                for r in self.risks
            ),
            dependencies=tuple(
                DependencyFigures(d.title, d.line_reference) for d in self.dependencies
            ),
        )


def case_out(case: BusinessCase) -> BusinessCaseOut:
    figures = business_case_figures(case)
    return BusinessCaseOut(
        line=case.line_id,
        reference=case.line.reference,
        version=case.version,
        title=figures.title,
        summary=figures.summary,
        sro_role=figures.sro_role,
        texts={name: figures.text(name) for name in CASE_TEXT_FIELDS},
        risks=[
            Risk(
                title=r.title,
                likelihood=r.likelihood,
                impact=r.impact,
                score=r.score,
                owner_role=r.owner_role,
                mitigation=r.mitigation,
            )
            for r in figures.risks
        ],  # fmt: skip
        dependencies=[
            Dependency(title=d.title, line_reference=d.line_reference) for d in figures.dependencies
        ],
    )


def _case(line: SavingsLine) -> BusinessCase | None:
    return BusinessCase.objects.filter(line=line).select_related("line").first()


@router.get(
    LINE_PATH + "/case",
    response=answers(BusinessCaseOut),
    auth=allow(VIEW, line="line"),
    operation_id="getBusinessCase",
    url_name="case",
    summary="A line's business case",
)
def get_business_case(request: HttpRequest, plan: str, line: int) -> BusinessCaseOut:
    found = line_of(request)
    case = _case(found)
    if case is None:
        raise not_found("case", f"{found.reference} has no business case yet")
    return case_out(case)


@router.put(
    LINE_PATH + "/case",
    response={**answers(BusinessCaseOut, conflicts=True), 201: BusinessCaseOut},
    auth=allow(LINE, line="line"),
    operation_id="saveBusinessCase",
    url_name="case",
    summary="Write (201) or edit a line's business case (its SRO, finance, admin)",
)
def save_business_case(
    request: HttpRequest, plan: str, line: int, payload: BusinessCaseIn
) -> Status[BusinessCaseOut]:
    found = line_of(request)
    case = _case(found)
    try:
        if case is None:
            saved = create_business_case(found, payload.figures(), user=request.user, reason="API")
            return Status(201, case_out(saved))
        if payload.version is None:
            raise invalid({"version": "Send the case's version (from GET) to change it"})
        saved = update_business_case(
            case, payload.figures(), user=request.user, expected_version=payload.version,
            reason="API",
        )  # fmt: skip
    except StaleCaseError as error:
        raise conflict(str(error), error.case.version) from None
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return Status(200, case_out(saved))


# --- equality impact ---------------------------------------------------------------------------


class Assessment(Output):
    rating: Rating
    note: str
    mitigation: str


class AssessmentIn(Input):
    rating: Rating
    note: Text = ""
    mitigation: Text = Field("", description="Needed when the impact is adverse")


class EqualityOut(Output):
    line: int
    reference: str
    ratings: dict[Characteristic, Assessment | None] = Field(
        description="Each protected characteristic's assessment (null: not assessed)"
    )


class EqualityIn(Input):
    ratings: dict[Characteristic, AssessmentIn]


def equality_out(line: SavingsLine) -> EqualityOut:
    return EqualityOut(
        line=line.pk,
        reference=line.reference,
        ratings={
            code: None
            if found is None
            else Assessment(rating=found.rating, note=found.note, mitigation=found.mitigation)
            for code, found in equality_ratings(line).items()
        },
    )


@router.get(
    LINE_PATH + "/equality",
    response=answers(EqualityOut),
    auth=allow(VIEW, line="line"),
    operation_id="getEquality",
    url_name="equality",
    summary="A line's equality impact on the nine protected characteristics",
)
def get_equality(request: HttpRequest, plan: str, line: int) -> EqualityOut:
    return equality_out(line_of(request))


@router.put(
    LINE_PATH + "/equality",
    response=answers(EqualityOut),
    auth=allow(LINE, line="line"),
    operation_id="setEquality",
    url_name="equality",
    summary="Rate a line's impact on protected characteristics (its SRO, finance, admin)",
)
def set_equality(request: HttpRequest, plan: str, line: int, payload: EqualityIn) -> EqualityOut:
    found = line_of(request)
    _set_ratings(request, found, payload)
    return equality_out(found)


@transaction.atomic
def _set_ratings(request: HttpRequest, line: SavingsLine, payload: EqualityIn) -> None:
    for code, given in payload.ratings.items():
        try:
            set_equality_rating(
                line, code, given.rating, note=given.note, mitigation=given.mitigation,
                user=request.user, reason="API",
            )  # fmt: skip
        except CaseValidationError as error:
            raise invalid(
                {f"ratings.{code}.{name}": text for name, text in error.errors.items()}
            ) from None


@router.get(
    "/plans/{plan}/equality",
    response=answers(Tables),
    auth=allow(VIEW),
    operation_id="getEqualitySummary",
    url_name="equality_summary",
    summary="The programme's equality impact: by line and by workstream (the equality annex)",
)
def get_equality_summary(request: HttpRequest, plan: str) -> Tables:
    return tables_out(*reports.equality_annex(plan_of(request)))


# --- lifecycle ---------------------------------------------------------------------------------


class StatusChange(Input):
    version: Version
    lifecycle: Lifecycle
    signed_off_by_finance: bool = Field(
        False, description="Finance signs the saving off as delivered now (finance, admin)"
    )
    sign_off_note: Text = ""
    reason: Text = ""


@router.post(
    LINE_PATH + "/status",
    response=answers(LineOut, conflicts=True),
    auth=allow(LINE, line="line"),
    operation_id="changeLifecycle",
    url_name="status",
    summary="Move a line through its lifecycle by the rules (decisions, consultations, "
    "evidence, finance sign-off)",
)
def change_status(request: HttpRequest, plan: str, line: int, payload: StatusChange) -> LineOut:
    found = line_of(request)
    if not can_set_lifecycle(request.user, found, payload.lifecycle) or (
        payload.signed_off_by_finance and not can_sign_off(request.user)
    ):
        raise ApiError(403, {"lifecycle": "Only finance officers can give the finance sign-off"})
    try:
        moved = change_lifecycle(
            found,
            payload.lifecycle,
            user=request.user,
            expected_version=payload.version,
            signed_off_by_finance=payload.signed_off_by_finance,
            sign_off_note=payload.sign_off_note,
            reason=payload.reason,
        )
    except StaleLineError as error:
        raise conflict(str(error), error.line.version) from None
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return line_out(moved)


# --- decisions ---------------------------------------------------------------------------------


class DecidedLine(Output):
    line: int
    reference: str
    amounts: ByYear = Field(description="What was approved or written off, by year, £")


class DecisionOut(Output):
    id: int
    body: Body
    body_name: str
    kind: DecisionKind
    date: date
    reference: str
    summary: str
    lines: list[DecidedLine]


class DecisionList(Output):
    decisions: list[DecisionOut]


class DecidedLineIn(Input):
    line: Id = Field(description="The savings line's id")
    amounts: ByYearIn = Field(default_factory=dict, description="By financial year, £")


class DecisionIn(Input):
    body: Body
    body_name: Label = Field("", description="e.g. Children and Young People Committee")
    kind: DecisionKind = Decision.Kind.APPROVAL.value
    date: DateIn
    reference: str = Field(max_length=100, description="The decision or minute reference")
    summary: Text = ""
    lines: list[DecidedLineIn] = Field(max_length=500)

    def figures(self) -> DecisionFigures:
        return DecisionFigures(
            body=self.body,
            date=self.date,
            reference=self.reference,
            amounts={item.line: years_in(item.amounts) for item in self.lines},
            kind=self.kind,
            body_name=self.body_name,
            summary=self.summary,
        )


def decision_out(decision: Decision) -> DecisionOut:
    covered = decision.covered.select_related("line").prefetch_related("amounts")
    return DecisionOut(
        id=decision.pk,
        body=decision.body,
        body_name=decision.body_name,
        kind=decision.kind,
        date=decision.date,
        reference=decision.reference,
        summary=decision.summary,
        lines=[
            DecidedLine(
                line=c.line_id, reference=c.line.reference, amounts=by_year(decision_amounts(c))
            )
            for c in covered
        ],
    )


@router.get(
    "/plans/{plan}/decisions",
    response=answers(DecisionList),
    auth=allow(VIEW),
    operation_id="listDecisions",
    url_name="decisions",
    summary="The plan's decisions (approvals and write-offs), oldest first",
)
def list_decisions(request: HttpRequest, plan: str) -> DecisionList:
    chosen = Decision.objects.filter(plan=plan_of(request)).order_by("date", "id")
    return DecisionList(decisions=[decision_out(d) for d in chosen])


@router.post(
    "/plans/{plan}/decisions",
    response=answers(DecisionOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="recordDecision",
    url_name="decisions",
    summary="Record a decision and the amounts it approved or wrote off (finance, admin)",
)
def new_decision(request: HttpRequest, plan: str, payload: DecisionIn) -> Status[DecisionOut]:
    try:
        decision = record_decision(
            plan_of(request), payload.figures(), user=request.user, reason="API"
        )
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return Status(201, decision_out(decision))


# --- consultations -----------------------------------------------------------------------------


class ConsultationOut(Output):
    id: int
    title: str
    audience: Audience
    start_date: date
    end_date: date
    outcome: OutcomeOrOpen = Field(description="Empty while open")
    outcome_note: str
    lines: list[int] = Field(description="The ids of the savings lines it covered")


class ConsultationList(Output):
    consultations: list[ConsultationOut]


class ConsultationIn(Input):
    title: ShortText
    audience: Audience
    start_date: DateIn
    end_date: DateIn
    lines: list[Id] = Field(max_length=500, description="The ids of the lines it covers")
    outcome: OutcomeOrOpen = ""
    outcome_note: Text = ""

    def figures(self) -> ConsultationFigures:
        return ConsultationFigures(
            title=self.title,
            audience=self.audience,
            start_date=self.start_date,
            end_date=self.end_date,
            line_ids=tuple(self.lines),
            outcome=self.outcome,
            outcome_note=self.outcome_note,
        )


class OutcomeIn(Input):
    outcome: Outcome
    note: Text = ""


def consultation_out(consultation: Consultation) -> ConsultationOut:
    return ConsultationOut(
        id=consultation.pk,
        title=consultation.title,
        audience=consultation.audience,
        start_date=consultation.start_date,
        end_date=consultation.end_date,
        outcome=consultation.outcome,
        outcome_note=consultation.outcome_note,
        lines=sorted(consultation.covered.values_list("line_id", flat=True)),
    )


@router.get(
    "/plans/{plan}/consultations",
    response=answers(ConsultationList),
    auth=allow(VIEW),
    operation_id="listConsultations",
    url_name="consultations",
    summary="The plan's consultations, latest first",
)
def list_consultations(request: HttpRequest, plan: str) -> ConsultationList:
    chosen = Consultation.objects.filter(plan=plan_of(request))
    return ConsultationList(consultations=[consultation_out(c) for c in chosen])


@router.post(
    "/plans/{plan}/consultations",
    response=answers(ConsultationOut, status=201),
    auth=allow(PROGRAMME),
    operation_id="recordConsultation",
    url_name="consultations",
    summary="Record a consultation on savings lines (finance, admin)",
)
def new_consultation(
    request: HttpRequest, plan: str, payload: ConsultationIn
) -> Status[ConsultationOut]:
    try:
        consultation = record_consultation(
            plan_of(request), payload.figures(), user=request.user, reason="API"
        )
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return Status(201, consultation_out(consultation))


@router.put(
    "/plans/{plan}/consultations/{id:consultation}/outcome",
    response=answers(ConsultationOut),
    auth=allow(PROGRAMME),
    operation_id="recordConsultationOutcome",
    url_name="consultation_outcome",
    summary="Record (or correct) what a consultation concluded (finance, admin)",
)
def consultation_outcome(
    request: HttpRequest, plan: str, consultation: int, payload: OutcomeIn
) -> ConsultationOut:
    found = Consultation.objects.filter(pk=consultation, plan=plan_of(request)).first()
    if found is None:
        raise not_found("consultation", f"There is no consultation {consultation} in this plan")
    try:
        record_consultation_outcome(found, payload.outcome, note=payload.note, user=request.user)
    except CaseValidationError as error:
        raise invalid(error.errors) from None
    return consultation_out(found)
