"""Lifecycle moves: every refusal and every success, through ``change_lifecycle``."""

from datetime import date
from decimal import Decimal

import pytest

from csplan.cases.models import Consultation, Decision, FinanceSignOff
from csplan.cases.rules import LineFacts, allowed_moves, lifecycle_refusal
from csplan.cases.store import (
    ConsultationFigures,
    DecisionFigures,
    LifecycleError,
    change_lifecycle,
    record_consultation,
    record_decision,
    record_finance_sign_off,
)
from csplan.core.periods import FinancialYear
from csplan.evidence.models import Evidence
from csplan.programme.models import SavingsLine
from csplan.programme.store import StaleLineError

pytestmark = pytest.mark.django_db
Y18 = FinancialYear(2018)


def _decide(plan, line, kind=Decision.Kind.APPROVAL, amount="100000", day=date(2018, 2, 6)):
    return record_decision(
        plan,
        DecisionFigures(
            body=Decision.Body.FULL_COUNCIL,
            date=day,
            reference=f"FC-{kind}-{line.reference}",
            amounts={line.pk: {Y18: Decimal(amount)}},
            kind=kind,
        ),
    )


def _consult(plan, line, outcome, audience=Consultation.Audience.PUBLIC, end=date(2017, 9, 22)):
    return record_consultation(
        plan,
        ConsultationFigures(
            title=f"Consultation on {line.reference}",
            audience=audience,
            start_date=date(2017, 7, 1),
            end_date=end,
            line_ids=(line.pk,),
            outcome=outcome,
        ),
    )


def _move(line, status, user, **extra):
    line.refresh_from_db()
    return change_lifecycle(line, status, user=user, expected_version=line.version, **extra)


def _refusal(line, status, user, **extra):
    with pytest.raises(LifecycleError) as caught:
        _move(line, status, user, **extra)
    return caught.value.errors["lifecycle"]


def test_illegal_move_proposed_to_delivered_is_refused_with_the_allowed_moves(plan, user):
    line = plan.lines.get(reference="EH1")
    message = _refusal(line, "delivered", user)
    assert message == (
        "A line cannot move from proposed to delivered; from proposed it can move to: "
        "consulted, approved, withdrawn"
    )
    line.refresh_from_db()
    assert line.lifecycle == "proposed" and line.version == 1


def test_unknown_status_and_same_status_are_refused(plan, user):
    line = plan.lines.get(reference="EH1")
    assert "is not a lifecycle status" in _refusal(line, "finished", user)
    assert _refusal(line, "proposed", user) == "The line is already proposed"


def test_final_states_have_no_moves():
    assert allowed_moves("delivered") == ()
    message = lifecycle_refusal("delivered", "proposed", LineFacts())
    assert message == "A line cannot move from delivered to proposed: delivered is final"


def test_consulted_needs_a_completed_consultation(plan, user):
    line = plan.lines.get(reference="EH1")
    _consult(plan, line, outcome="")  # still open
    assert _refusal(line, "consulted", user).startswith("Consulted needs a completed consultation")
    _consult(plan, line, outcome=Consultation.Outcome.PROCEED)
    assert _move(line, "consulted", user).lifecycle == "consulted"


def test_approved_needs_a_decision(plan, user):
    line = plan.lines.get(reference="EH1")
    assert _refusal(line, "approved", user).startswith("Approved needs a decision record")
    _decide(plan, line, kind=Decision.Kind.WRITE_OFF)  # a write-off is not an approval
    assert _refusal(line, "approved", user).startswith("Approved needs a decision record")
    _decide(plan, line)
    moved = _move(line, "approved", user)
    assert moved.lifecycle == "approved" and moved.version == 2
    entry = SavingsLine.history.filter(id=line.pk).latest()
    assert entry.history_user == user
    assert entry.history_change_reason == "Lifecycle: Proposed to Approved"


def test_approved_with_public_consultation_needs_a_completed_public_consultation(plan, user):
    line = plan.lines.get(reference="EH2")  # public_consultation is true
    _decide(plan, line)
    assert "completed public consultation" in _refusal(line, "approved", user)
    _consult(plan, line, Consultation.Outcome.PROCEED, audience=Consultation.Audience.STAFF)
    assert "completed public consultation" in _refusal(line, "approved", user)
    _consult(plan, line, Consultation.Outcome.RECONSIDER)
    assert _refusal(line, "approved", user) == (
        "The public consultation's outcome was reconsider: the line cannot be approved"
    )
    _consult(plan, line, Consultation.Outcome.AMEND, end=date(2017, 12, 1))
    assert _move(line, "approved", user).lifecycle == "approved"


def test_delivered_needs_evidence_and_finance_sign_off(plan, user, finance):
    line = plan.lines.get(reference="TR1")
    _decide(plan, line)
    _move(line, "approved", user)
    _move(line, "in_delivery", user)
    assert _refusal(line, "delivered", user) == (
        "Delivered needs at least one evidence record attached to the line"
    )
    Evidence.objects.create(line=line, kind=Evidence.Kind.DOCUMENT, title="Outturn 2018/19")
    assert _refusal(line, "delivered", user) == (
        "Delivered needs the chief finance officer's (s151) sign-off"
    )
    moved = _move(line, "delivered", finance, signed_off_by_finance=True, sign_off_note="Outturn")
    assert moved.lifecycle == "delivered"
    sign_off = FinanceSignOff.objects.get(line=line)
    assert (sign_off.signed_off_by, sign_off.note) == (finance, "Outturn")


def test_delivered_with_a_sign_off_recorded_earlier(plan, user, finance):
    line = plan.lines.get(reference="TR2")
    _decide(plan, line)
    _move(line, "approved", user)
    _move(line, "in_delivery", user)
    Evidence.objects.create(line=line, kind=Evidence.Kind.DOCUMENT, title="Contract savings")
    record_finance_sign_off(line, user=finance, note="Checked against the ledger")
    assert _move(line, "delivered", user).lifecycle == "delivered"
    assert FinanceSignOff.objects.filter(line=line).count() == 1


def test_written_off_needs_a_write_off_decision(plan, user):
    line = plan.lines.get(reference="TR1")
    _decide(plan, line)
    _move(line, "approved", user)
    assert _refusal(line, "written_off", user).startswith("Written off needs a write-off decision")
    _decide(plan, line, kind=Decision.Kind.WRITE_OFF, day=date(2018, 10, 1))
    assert _move(line, "written_off", user).lifecycle == "written_off"


def test_withdrawn_and_reinstated(plan, user):
    line = plan.lines.get(reference="EH1")
    assert _move(line, "withdrawn", user).lifecycle == "withdrawn"
    assert _move(line, "proposed", user).lifecycle == "proposed"


def test_a_stale_version_is_refused(plan, user):
    line = plan.lines.get(reference="EH1")
    with pytest.raises(StaleLineError):
        change_lifecycle(line, "withdrawn", user=user, expected_version=7)
