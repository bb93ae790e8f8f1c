"""``csplan investment add|edit|show``: a council's invest-to-save case from a YAML or JSON
file, through the same function as the web and the API."""

import json
from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.investment.demo import BCP_COUNCIL, load_investment_demo
from csplan.investment.models import InvestmentCase
from csplan.investment.store import case_figures, expected_notes

pytestmark = pytest.mark.django_db

YAML_CASE = f"""
reference: EH1
name: Early help hubs
council: {BCP_COUNCIL}
stage: outline
spend:
  - year: 2024/25
    category: transformation
    funding: capital_receipts
    amount: 250000.50
    designed_for_ongoing_savings: true
  - {{year: 2025/26, category: improvement, funding: revenue_budget, amount: 75000}}
expected:
  - {{year: 2025/26, amount: 400000}}
  - {{year: 2026/27, amount: 500000, note: "Straight line between the years (assumption)"}}
"""


def test_add_a_case_from_yaml_then_edit_it_from_json(run, tmp_path):
    load_investment_demo()
    path = tmp_path / "eh1.yaml"
    path.write_text(YAML_CASE, encoding="utf-8")
    added = run("investment", "add", path)
    assert added.exit_code == 0, added.output
    assert added.output == (
        f"Added EH1 Early help hubs ({BCP_COUNCIL}): investment £325,000.50, "
        "expected savings £900,000.00.\n"
    )
    case = InvestmentCase.objects.get(reference="EH1")
    assert case_figures(case).spend[0].amount == Decimal("250000.50")  # exact, not a float
    assert expected_notes(case) == {
        FinancialYear(2026): "Straight line between the years (assumption)"
    }
    assert run("investment", "add", path).exit_code == 1  # already there: edit it

    shown = run("investment", "show", "EH1")
    assert "amount: '250000.5'" in shown.output
    edited = tmp_path / "eh1.json"
    edited.write_text(json.dumps({
        "reference": "EH1", "name": "Family hubs", "council": BCP_COUNCIL,
        "spend": [{"year": "2024/25", "category": "improvement", "funding": "capital_receipts",
                   "amount": "1000"}],
    }), encoding="utf-8")  # fmt: skip
    result = run("investment", "edit", edited)
    assert result.exit_code == 0, result.output
    assert (
        "Warning: 2024/25: £1,000.00 of improvement spend is funded from capital receipts but it "
        "is improvement spend, not transformation and it is not designed to generate ongoing "
        "savings." in result.output
    )
    case.refresh_from_db()
    assert case.name == "Family hubs" and case_figures(case).expected == {}


def test_a_bad_file_names_the_file_and_each_field(run, tmp_path):
    load_investment_demo()
    path = tmp_path / "bad.yaml"
    path.write_text(YAML_CASE.replace("2025/26, amount: 400000", "2025/27, amount: lots"))
    result = run("investment", "add", path)
    assert result.exit_code == 1
    assert f"{path}: the case was not saved:" in result.output
    assert "  expected.0.year: " in result.output
    assert "  expected.0.amount: " in result.output and "write the amount in £" in result.output
    missing = tmp_path / "missing.json"
    missing.write_text('{"reference": "X", "name": "Y", "council": "Nowhere"}')
    assert "there is no council called 'Nowhere'" in run("investment", "add", missing).output
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert f"{broken}: not valid JSON" in run("investment", "add", broken).output
    nothing = tmp_path / "nothing.yaml"
    nothing.write_text(YAML_CASE.replace("EH1", "ZZ9"))
    assert "has no case 'ZZ9': add it" in run("investment", "edit", nothing).output
    assert not InvestmentCase.objects.filter(reference__in=["EH1", "X", "ZZ9"]).exists()
