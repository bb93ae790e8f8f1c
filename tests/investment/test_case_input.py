"""Writing an invest-to-save case from plain values (``write_case``, the one path for the web,
the CLI and the API) and the capital-receipts test under the current direction."""

from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.investment.calculations import (
    CURRENT_DIRECTION,
    CaseFigures,
    Spend,
    capital_receipts_strategy,
    eligibility_problems,
)
from csplan.investment.case_input import CaseValidationError, case_data, read_case, write_case
from csplan.investment.demo import BCP_COUNCIL, load_investment_demo
from csplan.investment.models import InvestmentCase
from csplan.investment.reports import strategy_report
from csplan.investment.store import case_figures, expected_notes, record_actual_saving

Y24, Y25, Y30 = FinancialYear(2024), FinancialYear(2025), FinancialYear(2030)

CASE = {
    "reference": "EH1",
    "name": "Early help hubs",
    "council": BCP_COUNCIL,
    "stage": "full",
    "owner_role": "Director of Children's Services",
    "spend": [
        {"year": "2024/25", "category": "transformation", "funding": "capital_receipts",
         "amount": "250000.50", "designed_for_ongoing_savings": True},
        {"year": "2024/25", "category": "improvement", "funding": "grant", "amount": 100000,
         "funding_detail": "Families First grant"},
    ],
    "expected": [
        {"year": "2025/26", "amount": "400000"},
        {"year": "2026/27", "amount": Decimal("500000"), "note": "Straight line (assumption)"},
    ],
}  # fmt: skip


@pytest.mark.django_db
def test_a_case_is_written_exactly_with_its_funding_and_notes():
    council = load_investment_demo().council
    case = write_case(CASE)
    assert case.council == council and case.stage == "full"
    figures = case_figures(case)
    assert [(s.funding, s.amount, s.receipts_eligible) for s in figures.spend] == [
        ("grant", Decimal("100000.00"), False),
        ("capital_receipts", Decimal("250000.50"), True),
    ]
    assert figures.expected == {Y25: Decimal("400000.00"), FinancialYear(2026): Decimal("500000")}
    assert expected_notes(case) == {FinancialYear(2026): "Straight line (assumption)"}
    assert case.history.get().history_type == "+"


@pytest.mark.django_db
def test_an_edit_replaces_the_case_and_keeps_the_savings_realised(django_user_model):
    load_investment_demo()
    case = write_case(CASE)
    record_actual_saving(case, Y25, Decimal("380000"), evidence="Outturn 2025/26")
    officer = django_user_model.objects.create_user("finance")
    changed = {**case_data(case), "name": "Family hubs", "expected": [
        {"year": "2025/26", "amount": "450000"}]}  # fmt: skip
    write_case(changed, case=case, user=officer)
    case.refresh_from_db()
    assert case.name == "Family hubs"
    assert case_figures(case).expected == {Y25: Decimal("450000.00")}
    assert case.actual_savings.get().evidence == "Outturn 2025/26"
    assert case.history.order_by("-history_id").first().history_user == officer


@pytest.mark.django_db
def test_the_stored_case_reads_back_unchanged():
    load_investment_demo()
    case = write_case(CASE)
    again = case_data(case)
    write_case(again, case=case)
    assert case_data(InvestmentCase.objects.get(pk=case.pk)) == again


@pytest.mark.django_db
def test_bad_input_names_each_field():
    load_investment_demo()
    bad = {
        **CASE,
        "reference": "",
        "stage": "draft",
        "colour": "red",
        "spend": [{"year": "2024/26", "category": "capital", "funding": "",
                   "amount": "1.001", "designed_for_ongoing_savings": "yes"}],
        "expected": [{"year": "2025/26", "amount": 1.5}, {"year": "2025/26", "amount": "-3"}],
    }  # fmt: skip
    with pytest.raises(CaseValidationError) as raised:
        write_case(bad)
    errors = raised.value.errors
    assert errors["reference"] == "give the case a reference, like BSF"
    assert errors["colour"].startswith("unknown field")
    assert errors["stage"] == "'draft' is not one of outline, full, approved, closed"
    assert errors["spend.0.year"].endswith("write the financial year like 2024/25")
    assert errors["spend.0.category"] == "'capital' is not one of improvement, transformation"
    assert errors["spend.0.funding"] == (
        "choose one of reserve, revenue_budget, grant, capital_receipts"
    )
    assert errors["spend.0.amount"] == (
        "£1.001 has a fraction of a penny: write the amount in £, like 1500000"
    )
    assert errors["spend.0.designed_for_ongoing_savings"] == "write true or false"
    assert errors["expected.0.amount"] == "1.5 is a binary float: write the amount in quotes"
    assert errors["expected.1.amount"] == "an amount cannot be negative"
    assert not InvestmentCase.objects.filter(name="Early help hubs").exists()
    with pytest.raises(CaseValidationError) as raised:
        write_case({**CASE, "reference": "BSF"})
    assert raised.value.errors == {
        "reference": f"{BCP_COUNCIL} already has a case BSF: edit that one"
    }


def test_thousands_are_read_exactly_for_the_web():
    from csplan.core.money import Unit

    read = read_case({**CASE, "spend": [{**CASE["spend"][0], "amount": "1,346.0005"}]},
                     unit=Unit.THOUSANDS)  # fmt: skip
    assert read.figures.spend[0].amount == Decimal("1346000.50")


def test_capital_receipts_qualify_only_within_the_years_of_the_direction():
    assert (str(CURRENT_DIRECTION.first_year), str(CURRENT_DIRECTION.last_year)) == (
        "2016/17",
        "2029/30",
    )
    late = CaseFigures(
        "L", "Late project",
        (Spend(Y30, "transformation", "capital_receipts", Decimal(1000), True),
         Spend(Y24, "transformation", "capital_receipts", Decimal(2000), True)),
        {Y30: Decimal(5000)},
    )  # fmt: skip
    assert eligibility_problems(late) == [
        "2030/31: £1,000 of transformation spend is funded from capital receipts but 2030/31 "
        "is outside the years the direction allows (2016/17 to 2029/30)"
    ]
    years = [Y24, Y30]
    [row] = capital_receipts_strategy([late], years)
    assert row.qualifying_spend == {Y24: Decimal(2000), Y30: Decimal(0)}
    table = strategy_report([row], years)
    assert table.displayed()[0][0] == "L Late project"
    assert table.displayed()[0][-1] == "No: see the notes"
    assert table.notes[-1] == (
        "L does not qualify: 2030/31: £1,000 of transformation spend is funded from capital "
        "receipts but 2030/31 is outside the years the direction allows (2016/17 to 2029/30)."
    )
