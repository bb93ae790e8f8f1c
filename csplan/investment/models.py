"""Invest-to-save cases: investment by year (improvement or transformation spend) with its
funding source, the savings the case expects by year (optionally against savings lines), and
the savings actually realised. Money is integer pence; every model keeps its history."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.models import Council, Plan, SavingsLine


class InvestmentCase(models.Model):
    class Stage(models.TextChoices):
        OUTLINE = "outline", "Outline business case"
        FULL = "full", "Full business case"
        APPROVED = "approved", "Approved"
        CLOSED = "closed", "Closed"

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="investment_cases")
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="investment_cases"
    )
    reference = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.OUTLINE)
    decision = models.CharField(max_length=300, blank=True, help_text="Decision body and date.")
    owner_role = models.CharField(max_length=200, blank=True)
    source = models.TextField(blank=True, help_text="Where the figures come from.")
    savings_note = models.TextField(blank=True, help_text="How firm the expected savings are.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "reference"], name="unique_investment_case_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"


class InvestmentSpend(models.Model):
    class Category(models.TextChoices):
        IMPROVEMENT = "improvement", "Improvement"
        TRANSFORMATION = "transformation", "Transformation"

    class Funding(models.TextChoices):
        RESERVE = "reserve", "Reserve"
        REVENUE_BUDGET = "revenue_budget", "Revenue budget (service pressure)"
        GRANT = "grant", "Grant"
        CAPITAL_RECEIPTS = "capital_receipts", "Flexible use of capital receipts"

    case = models.ForeignKey(InvestmentCase, on_delete=models.CASCADE, related_name="spend")
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year.")
    category = models.CharField(max_length=20, choices=Category.choices)
    funding = models.CharField(max_length=20, choices=Funding.choices)
    funding_detail = models.CharField(max_length=300, blank=True)
    amount_pence = models.BigIntegerField()
    designed_for_ongoing_savings = models.BooleanField(
        default=False,
        help_text="Spend specifically designed to generate an ongoing revenue saving (the test "
        "for the flexible use of capital receipts).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "category", "id"]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.category}: £{self.amount}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)

    @property
    def amount(self):
        return from_pence(self.amount_pence)


class ExpectedSaving(models.Model):
    """The in-year saving the case expects in a year (its cumulative, not incremental, form)."""

    case = models.ForeignKey(
        InvestmentCase, on_delete=models.CASCADE, related_name="expected_savings"
    )
    year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()
    line = models.ForeignKey(
        SavingsLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investment_savings",
    )
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return f"{FinancialYear(self.year)} expected: £{from_pence(self.amount_pence)}"


class ActualSaving(models.Model):
    """A saving realised in a year, for actual-against-expected and the auditor's evidence."""

    case = models.ForeignKey(
        InvestmentCase, on_delete=models.CASCADE, related_name="actual_savings"
    )
    year = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()
    evidence = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return f"{FinancialYear(self.year)} actual: £{from_pence(self.amount_pence)}"
