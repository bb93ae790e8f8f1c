"""Business cases, equality ratings, consultations, decisions and the approved total."""

from datetime import date
from decimal import Decimal

import pytest

from csplan.cases.equality import RatedLine, affected_by_every_workstream, rating_counts
from csplan.cases.models import BusinessCase, CaseRisk, Consultation, Decision
from csplan.cases.reports import equality_matrix, equality_workstreams, matrix_table
from csplan.cases.store import (
    CaseFigures,
    CaseValidationError,
    ConsultationFigures,
    DecisionFigures,
    DependencyFigures,
    RiskFigures,
    StaleCaseError,
    approved_total,
    business_case_figures,
    create_business_case,
    record_consultation,
    record_decision,
    set_equality_rating,
    update_business_case,
)
from csplan.core.periods import FinancialYear

pytestmark = pytest.mark.django_db
Y18, Y19, Y20 = FinancialYear(2018), FinancialYear(2019), FinancialYear(2020)


def _case(**extra):
    values = {
        "title": "Early help redesign",
        "summary": "Bring the early help teams together.",
        "sro_role": "Assistant Director, Early Help",
        "texts": {"why": "Demand is rising.", "scope_out": "Children's centres"},
        "risks": (
            RiskFigures("Saving not achieved", 3, 4, "Head of Early Help", "Monthly review"),
        ),
        "dependencies": (DependencyFigures("Transport review", "TR1"), DependencyFigures("ICT")),
    }
    return CaseFigures(**(values | extra))


def test_business_case_round_trip(plan, user):
    line = plan.lines.get(reference="EH1")
    case = create_business_case(line, _case(), user=user)
    stored = business_case_figures(BusinessCase.objects.get(pk=case.pk))
    assert stored.title == "Early help redesign"
    assert stored.text("why") == "Demand is rising."
    assert stored.text("scope_out") == "Children's centres"
    assert stored.risks == (
        RiskFigures("Saving not achieved", 3, 4, "Head of Early Help", "Monthly review"),
    )
    assert stored.risks[0].score == 12 and CaseRisk.objects.get().score == 12
    assert stored.dependencies == (
        DependencyFigures("Transport review", "TR1"),
        DependencyFigures("ICT", ""),
    )
    assert BusinessCase.history.get().history_user == user


def test_business_case_update_raises_the_version_and_refuses_a_stale_edit(plan, user):
    case = create_business_case(plan.lines.get(reference="EH1"), _case(), user=user)
    updated = update_business_case(
        case, _case(title="Early help, phase 2"), user=user, expected_version=1
    )
    assert (updated.title, updated.version) == ("Early help, phase 2", 2)
    same = update_business_case(updated, _case(title="Early help, phase 2"), user=user)
    assert same.version == 2  # nothing changed, nothing saved
    with pytest.raises(StaleCaseError):
        update_business_case(case, _case(title="Old edit"), user=user, expected_version=1)


def test_business_case_errors_name_the_fields(plan, user):
    line = plan.lines.get(reference="EH1")
    bad = _case(
        title=" ",
        risks=(RiskFigures("", 0, 6),),
        dependencies=(DependencyFigures("Itself", "EH1"), DependencyFigures("Gone", "ZZ9")),
    )
    with pytest.raises(CaseValidationError) as caught:
        create_business_case(line, bad, user=user)
    assert caught.value.errors == {
        "title": "Enter the project title",
        "risk_1_title": "Enter what risk 1 is",
        "risk_1_likelihood": "Risk 1: likelihood must be a whole number 1 to 5",
        "risk_1_impact": "Risk 1: impact must be a whole number 1 to 5",
        "dependency_1_line": "Dependency 1: a line cannot depend on itself",
        "dependency_2_line": "Dependency 2: ZZ9 is not a line of this plan",
    }
    assert not BusinessCase.objects.exists()
    create_business_case(line, _case(), user=user)
    with pytest.raises(CaseValidationError, match="already has a business case"):
        create_business_case(line, _case(), user=user)


def test_equality_rating_needs_a_mitigation_when_adverse(plan, user):
    line = plan.lines.get(reference="EH1")
    with pytest.raises(CaseValidationError) as caught:
        set_equality_rating(line, "age", "adverse", user=user)
    assert caught.value.errors == {"mitigation": "An adverse impact needs its mitigation"}
    with pytest.raises(CaseValidationError) as caught:
        set_equality_rating(line, "height", "bad", user=user)
    assert set(caught.value.errors) == {"characteristic", "rating"}
    set_equality_rating(line, "age", "adverse", mitigation="Outreach", user=user)
    assessment = set_equality_rating(line, "age", "adverse", mitigation="Outreach", user=user)
    assert assessment.history.count() == 1  # the same rating again writes nothing


def _rate(plan, reference, user, **ratings):
    line = plan.lines.get(reference=reference)
    for code, rating in ratings.items():
        set_equality_rating(line, code, rating, mitigation="Mitigated", user=user)


def test_matrix_counts_on_a_hand_built_programme(plan, user):
    _rate(plan, "EH1", user, age="adverse", sex="adverse", race="neutral")
    _rate(plan, "EH2", user, age="positive", disability="adverse")
    _rate(plan, "TR1", user, age="adverse", disability="positive")
    _rate(plan, "TR2", user, age="neutral", race="neutral")
    matrix = equality_matrix(plan)
    assert [row.cells[0] for row in matrix.rows][:4] == ["EH1", "EH2", "TR1", "TR2"]
    age, disability, sex = (matrix.column_index(n) for n in ("Age", "Disability", "Sex"))
    assert matrix.rows[0].cells[age] == "Adverse"
    assert matrix.rows[3].cells[disability] == "Not assessed"
    adverse = matrix.row_labelled("Adverse (lines)")
    assert (adverse.cells[age], adverse.cells[disability], adverse.cells[sex]) == (2, 1, 1)
    assert matrix.row_labelled("Not assessed (lines)").cells[disability] == 2
    assert matrix.row_labelled("Neutral (lines)").cells[matrix.column_index("Race")] == 2

    summary = equality_workstreams(plan)
    early = summary.row_labelled("Early help")
    assert early.cells[1:4] == (Decimal(2), Decimal(2), Decimal(1))  # lines, age, disability
    transport = summary.row_labelled("Transport")
    assert transport.cells[1:4] == (Decimal(2), Decimal(1), Decimal(1))
    total = summary.row_labelled("Workstreams affecting")
    assert total.cells[2:4] == (Decimal(2), Decimal(2))
    assert total.cells[summary.column_index("Sex")] == Decimal(1)
    assert summary.notes[-1] == "Every workstream affects: Age, Disability."


def test_matrix_from_plain_values():
    lines = [
        RatedLine("A1", "A", "W1", {"age": "adverse"}),
        RatedLine("B1", "B", "W2", {"age": "positive", "race": "adverse"}),
    ]
    assert affected_by_every_workstream(lines) == ["age"]
    assert rating_counts(lines)["race"] == {
        "adverse": 1,
        "positive": 0,
        "neutral": 0,
        "not_assessed": 1,
    }
    table = matrix_table(lines)
    assert table.displayed()[-1][:4] == ["Not assessed (lines)", "", "", "0"]


def _decision(plan, amounts, kind=Decision.Kind.APPROVAL, day=date(2018, 2, 6), ref="FC1"):
    return record_decision(
        plan,
        DecisionFigures(
            body=Decision.Body.CABINET, date=day, reference=ref, amounts=amounts, kind=kind
        ),
    )


def test_approved_total_less_reconsider(plan, user):
    eh1, eh2, tr1 = (plan.lines.get(reference=r) for r in ("EH1", "EH2", "TR1"))
    assert approved_total(plan) == {Y18: 0, Y19: 0, Y20: 0}
    _decision(
        plan,
        {
            eh1.pk: {Y18: Decimal("100000"), Y19: Decimal("50000")},
            eh2.pk: {Y18: Decimal("200000.50")},
            tr1.pk: {Y18: Decimal("30000"), Y19: Decimal("20000"), Y20: Decimal("10000")},
        },
    )
    assert approved_total(plan) == {
        Y18: Decimal("330000.50"),
        Y19: Decimal("70000"),
        Y20: Decimal("10000"),
    }
    record_consultation(
        plan,
        ConsultationFigures(
            "EH2 consultation", "public", date(2018, 3, 1), date(2018, 5, 31), (eh2.pk,),
            outcome=Consultation.Outcome.RECONSIDER,
        ),
    )  # fmt: skip
    assert approved_total(plan) == {
        Y18: Decimal("130000"),
        Y19: Decimal("70000"),
        Y20: Decimal("10000"),
    }
    _decision(plan, {tr1.pk: {Y18: Decimal("30000")}}, Decision.Kind.WRITE_OFF, date(2019, 1, 8))
    assert approved_total(plan)[Y20] == Decimal(0)
    assert approved_total(plan)[Y18] == Decimal("100000")


def test_decision_and_consultation_errors_name_the_fields(plan, user):
    with pytest.raises(CaseValidationError) as caught:
        record_decision(plan, DecisionFigures(body="mayor", date=None, reference="", amounts={}))
    assert caught.value.errors == {
        "body": "Choose the decision-making body",
        "date": "Enter the date of the decision",
        "reference": "Enter the decision or minute reference",
        "lines": "Choose at least one savings line",
    }
    line = plan.lines.get(reference="EH1")
    with pytest.raises(CaseValidationError) as caught:
        _decision(plan, {line.pk: {FinancialYear(2030): Decimal(1), Y18: Decimal("0.001")}})
    assert caught.value.errors == {
        "amount_2030": "2030/31 is not one of the programme's years",
        "amount_2018": "Enter the 2018/19 amount to the nearest penny",
    }
    with pytest.raises(CaseValidationError) as caught:
        record_consultation(
            plan,
            ConsultationFigures("", "press", date(2018, 5, 1), date(2018, 4, 1), (999,), "maybe"),
        )
    assert caught.value.errors == {
        "title": "Enter what the consultation was about",
        "audience": "Choose the audience: public, staff or partners",
        "end_date": "The closing date must be on or after the start date",
        "outcome": "Choose the outcome: proceed, amend or reconsider",
        "lines": "Choose savings lines of this programme",
    }
    assert not Decision.objects.exists() and not Consultation.objects.exists()


def test_recording_a_consultation_outcome_moves_the_line_out_of_the_approved_total(plan, user):
    from csplan.cases.store import record_consultation_outcome

    eh1 = plan.lines.get(reference="EH1")
    _decision(plan, {eh1.pk: {Y18: Decimal("100000")}})
    open_one = record_consultation(
        plan,
        ConsultationFigures("EH1 consultation", "public", date(2018, 3, 1), date(2018, 4, 1),
                            (eh1.pk,)),
    )  # fmt: skip
    assert approved_total(plan)[Y18] == Decimal("100000")
    with pytest.raises(CaseValidationError) as caught:
        record_consultation_outcome(open_one, "later", user=user)
    assert caught.value.errors == {"outcome": "Choose the outcome: proceed, amend or reconsider"}
    record_consultation_outcome(open_one, "reconsider", note="Strong opposition", user=user)
    assert approved_total(plan)[Y18] == Decimal(0)
    assert Consultation.history.filter(id=open_one.pk).latest().history_user == user


def test_case_text_renders_paragraphs_and_lists():
    from csplan.web.templatetags.cases import case_text

    html = case_text("The options:\n\n- Route <reviews>\n- Retendering\n\nLine one\nline two")
    assert html == (
        '<p class="govuk-body">The options:</p>'
        '<ul class="govuk-list govuk-list--bullet"><li>Route &lt;reviews&gt;</li>'
        "<li>Retendering</li></ul>"
        '<p class="govuk-body">Line one<br>line two</p>'
    )
