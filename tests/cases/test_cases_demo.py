"""The demo content: Cambridgeshire's thirteen business cases and the synthetic records."""

from decimal import Decimal

import pytest

from csplan.cases.demo import (
    cambridgeshire_figures,
    demo_cases,
    load_cambridgeshire_plan,
    load_cases_demo,
    load_hampshire_demo,
)
from csplan.cases.models import (
    BusinessCase,
    CaseDependency,
    CaseRisk,
    Consultation,
    Decision,
    EqualityAssessment,
)
from csplan.cases.reports import equality_workstreams, every_workstream_sentence, rated_lines
from csplan.cases.store import approved_total
from csplan.core.periods import FinancialYear

pytestmark = pytest.mark.django_db
Y18 = FinancialYear(2018)
SEED_REFERENCES = {
    "A/R.6.201", "A/R.6.204", "A/R.6.210", "A/R.6.214", "A/R.6.224", "A/R.6.227", "A/R.6.244",
    "A/R.6.248", "A/R.6.250", "A/R.6.251", "A/R.6.253", "A/R.6.254", "A/R.6.256",
}  # fmt: skip


def test_every_seed_case_is_transcribed_with_officers_by_role():
    cases = demo_cases()
    assert {case["reference"] for case in cases} == SEED_REFERENCES
    text = repr(cases)
    for surname in ("Williams", "Hayward", "Grimwade", "Belchamber", "Chapman", "Askham", "Smith"):
        assert surname not in text
    figures = cambridgeshire_figures()
    assert sum(line.full_year_effect for line in figures.lines) == Decimal("4717000")


@pytest.fixture
def loaded(db):
    cambridgeshire = load_cambridgeshire_plan()
    hampshire = load_hampshire_demo()
    load_cases_demo([hampshire, cambridgeshire])
    return hampshire, cambridgeshire


def test_demo_loads_thirteen_cases_with_their_fields(loaded):
    _, cambridgeshire = loaded
    assert BusinessCase.objects.count() == 13
    case = BusinessCase.objects.get(line__reference="A/R.6.204")
    assert case.title == "Children's Change (Later Phases)"
    assert case.sro_role == "Service Director, Children's Services"
    assert case.scope_out == "The review of Children's Centres will remain a separate project"
    dependency = CaseDependency.objects.get(case=case)
    assert dependency.title == "Children's Centre review"
    assert dependency.line.reference == "A/R.6.224"
    automation = BusinessCase.objects.get(line__reference="A/R.6.251")
    assert automation.risks.count() == 6
    assert CaseRisk.objects.count() == 24
    assert cambridgeshire.lines.get(reference="A/R.6.253").phasing.get().amount_pence == 150_000_000


def test_demo_records_and_approvals(loaded):
    hampshire, cambridgeshire = loaded
    assert EqualityAssessment.objects.count() == (7 + 13) * 9
    assert Consultation.objects.count() == 4 and Decision.objects.count() == 2
    assert set(cambridgeshire.lines.values_list("lifecycle", flat=True)) == {"approved"}
    assert approved_total(cambridgeshire) == {
        Y18: Decimal("4717000"),
        FinancialYear(2019): Decimal(0),
        FinancialYear(2020): Decimal(0),
    }
    assert approved_total(hampshire) == {  # the published phasing: 23,300 by 2018/19
        FinancialYear(2016): Decimal("5536000"),
        FinancialYear(2017): Decimal("17300000"),
        FinancialYear(2018): Decimal("464000"),
    }
    assert set(hampshire.lines.values_list("lifecycle", flat=True)) == {"proposed"}


def test_hampshire_age_is_the_one_characteristic_every_workstream_affects(loaded):
    hampshire, _ = loaded
    lines = rated_lines(hampshire)
    assert every_workstream_sentence(lines) == (
        "Age is the one characteristic every workstream affects."
    )
    table = equality_workstreams(hampshire)
    total = table.row_labelled("Workstreams affecting")
    assert table.displayed()[-1][:4] == ["Workstreams affecting", "7", "7", "2"]
    assert total.cells[2] == Decimal(7)


def test_loading_the_demo_twice_changes_nothing(loaded):
    hampshire, cambridgeshire = loaded
    counts = [m.history.count() for m in (BusinessCase, CaseRisk, EqualityAssessment, Decision)]
    load_cases_demo([load_hampshire_demo(), load_cambridgeshire_plan()])
    assert [m.history.count() for m in (BusinessCase, CaseRisk, EqualityAssessment, Decision)] == (
        counts
    )
