"""The store for monthly monitoring: records per line and period, the movements journal,
the council's delivery probabilities by RAG and the monthly re-runs of demand evidence.

Money is integer pence; amounts by year are JSON objects of exact decimal strings keyed by
financial year (``{"2016/17": "1500000.00"}``), in-year (cumulative) form. Every model keeps
its change history (django-simple-history).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.core.history import EffectiveDated
from csplan.core.money import from_pence, to_decimal
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.evidence.models import Evidence
from csplan.programme.models import Council, SavingsLine

MONTH_CHOICES = [(number, f"Month {number}") for number in range(1, 13)]


def amounts_from_json(values: dict[str, str]) -> dict[FinancialYear, Decimal]:
    return {FinancialYear.parse(year): to_decimal(amount) for year, amount in values.items()}


def amounts_to_json(values: dict[FinancialYear, Decimal]) -> dict[str, str]:
    return {str(year): format(to_decimal(amount), "f") for year, amount in sorted(values.items())}


class Recurrence(models.TextChoices):
    ONE_OFF = "one_off", "One-off"
    RECURRENT = "recurrent", "Recurrent"


class MonitoringRecord(models.Model):
    """One line's position in one monitoring period (Month 1-12 of a financial year)."""

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="monitoring")
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year.")
    month = models.PositiveSmallIntegerField(choices=MONTH_CHOICES)
    rag = models.CharField("delivery confidence (RAG)", max_length=10)
    target_pence = models.BigIntegerField(
        help_text="The line's planned in-year saving for the year when this was recorded."
    )
    forecast = models.JSONField(
        default=dict,
        help_text="Forecast in-year saving by financial year (achieved or anticipated).",
    )
    achieved_to_date_pence = models.BigIntegerField(default=0)
    mitigation_pence = models.BigIntegerField(default=0)
    mitigation_recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.ONE_OFF
    )
    commentary = models.TextField(blank=True)
    explanation = models.TextField(blank=True, help_text="Why the saving is at risk.")
    mitigation = models.TextField(blank=True, help_text="What is being done about it.")
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["year", "month", "line__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "year", "month"], name="unique_monitoring_per_line_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line.reference} {self.period}"

    @property
    def period(self) -> MonitoringPeriod:
        return MonitoringPeriod(FinancialYear(self.year), self.month)

    def forecast_by_year(self) -> dict[FinancialYear, Decimal]:
        return amounts_from_json(self.forecast)

    @property
    def target(self) -> Decimal:
        return from_pence(self.target_pence)

    @property
    def achieved_to_date(self) -> Decimal:
        return from_pence(self.achieved_to_date_pence)

    @property
    def mitigation_amount(self) -> Decimal:
        return from_pence(self.mitigation_pence)


class Movement(models.Model):
    """One entry in the movements journal. Entries that change a line's phasing store the
    phasing before and after, and are applied in the same transaction as the change."""

    class Kind(models.TextChoices):
        REPROFILE = "reprofile", "Re-profiling between years"
        SLIPPAGE = "slippage", "Slippage into the next year"
        WRITE_OFF = "write_off", "Write-off"
        REPLACEMENT = "replacement", "Replacement saving"
        MITIGATION = "mitigation", "Mitigation"
        DEMAND_OFFSET = "demand_offset", "Offset by demand"
        INCREASE = "increase", "Increase"
        REDUCTION = "reduction", "Reduction"

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(help_text="Monitoring period: financial year start.")
    month = models.PositiveSmallIntegerField(choices=MONTH_CHOICES)
    from_year = models.PositiveSmallIntegerField(help_text="The financial year the amount is in.")
    to_year = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_pence = models.BigIntegerField()
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.RECURRENT
    )
    decision_reference = models.CharField(max_length=200, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replacements",
        help_text="For a replacement or mitigation: the write-off it covers.",
    )
    reason = models.TextField(blank=True)
    phasing_before = models.JSONField(default=dict)
    phasing_after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["year", "month", "id"]

    def __str__(self) -> str:
        return f"{self.line.reference} {self.get_kind_display()} £{self.amount}"

    @property
    def period(self) -> MonitoringPeriod:
        return MonitoringPeriod(FinancialYear(self.year), self.month)

    @property
    def amount(self) -> Decimal:
        return from_pence(self.amount_pence)


class RagProbabilitySet(models.Model):
    """A council's delivery probability for each RAG rating, dated and labelled."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="rag_probability_sets"
    )
    label = models.CharField(max_length=200)
    as_of = models.DateField()
    source = models.TextField(blank=True)
    probabilities = models.JSONField(help_text='Share delivered by RAG: {"G": "0.95"}.')
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.described

    @property
    def described(self) -> str:
        """The label and the day the set is in force from (the starting values: the label)."""
        from csplan.monitoring.risk import DEFAULT_LABEL

        if self.label == DEFAULT_LABEL:
            return self.label
        return f"{self.label}, {self.as_of:%-d %B %Y}"

    def as_decimals(self) -> dict[str, Decimal]:
        return {code: to_decimal(value) for code, value in self.probabilities.items()}


class DemandRerun(models.Model):
    """A month's re-run of the demand model behind a line's demand-scenario evidence."""

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="demand_reruns")
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="reruns")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(choices=MONTH_CHOICES)
    data_hash = models.CharField(max_length=64)
    parameters = models.JSONField(default=dict)
    implied = models.JSONField(
        default=dict, help_text="In-year saving by financial year the re-run now implies."
    )
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "year", "month"], name="unique_rerun_per_evidence_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line.reference} demand re-run {self.period}"

    @property
    def period(self) -> MonitoringPeriod:
        return MonitoringPeriod(FinancialYear(self.year), self.month)

    def implied_by_year(self) -> dict[FinancialYear, Decimal]:
        return amounts_from_json(self.implied)
