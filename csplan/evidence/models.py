"""Evidence for a savings line, stored with everything needed to reproduce its numbers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.core.history import EffectiveDated
from csplan.core.money import to_decimal
from csplan.core.periods import FinancialYear
from csplan.programme.models import SavingsLine


class Evidence(models.Model):
    class Kind(models.TextChoices):
        DEMAND_SCENARIO = "demand_scenario", "Demand model scenario"
        BENCHMARK_GAP = "benchmark_gap", "Close the gap to a benchmark"
        SEND_SCENARIO = "send_scenario", "SEND demand model scenario (EHC plans and transport)"
        NEEDS_SCENARIO = "needs_scenario", "Levels of need scenario (referral to care)"
        DOCUMENT = "document", "Document or calculation"

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    savings = models.JSONField(
        default=dict,
        help_text="Saving against the baseline in each financial year, in pounds as exact decimal "
        'strings: {"2025/26": "120000.00"}. This is the in-year effect (the cumulative form).',
    )
    data_hash = models.CharField(max_length=64, blank=True, help_text="sha256 of the input data")
    parameters = models.JSONField(
        default=dict,
        help_text="Everything needed to reproduce the numbers (model, scenario, seed).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Attaching evidence takes effect on a business date like any other change (the day the
    # evidence was made, or today), so a past month's pack uses only the evidence it had.
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.line.reference}: {self.title}"

    def savings_by_year(self) -> dict[FinancialYear, Decimal]:
        return {
            FinancialYear.parse(year): to_decimal(amount) for year, amount in self.savings.items()
        }
