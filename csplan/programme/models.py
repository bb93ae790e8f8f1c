"""The store for the savings programme.

Money is integer pence. Phasing is stored in one canonical form: the incremental change to the
base budget in each financial year (``PhasingEntry``); cumulative and full-year views are
derived in ``csplan.programme.phasing``. Every model keeps its change history
(django-simple-history: who, when, and the row before and after).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.core.history import EffectiveDated
from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import DEFAULT_RAG_KEY


def default_rag_key() -> list[dict[str, str]]:
    return [dict(entry) for entry in DEFAULT_RAG_KEY]


class Council(models.Model):
    class SignConvention(models.TextChoices):
        POSITIVE = "positive", "Savings shown as positive numbers"
        NEGATIVE = "negative", "Savings shown as negative numbers (reductions to budget)"

    class PercentBasis(models.TextChoices):
        DISPLAYED = "displayed", "From the figures as displayed (rounded)"
        EXACT = "exact", "From the exact figures"

    name = models.CharField(max_length=200, unique=True)
    la_code = models.CharField("LA code", max_length=9, blank=True)
    sign_convention = models.CharField(
        max_length=10, choices=SignConvention.choices, default=SignConvention.POSITIVE
    )
    percent_basis = models.CharField(
        max_length=10,
        choices=PercentBasis.choices,
        default=PercentBasis.EXACT,
        help_text="Whether percentages of budget are computed from the published rounded figures.",
    )
    rag_key = models.JSONField(default=default_rag_key)
    history = HistoricalRecords(bases=[EffectiveDated])

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A medium-term savings programme of one department (e.g. Transformation to 2017)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=200)
    department = models.CharField(max_length=200, default="Children's Services")
    first_year = models.PositiveSmallIntegerField(
        help_text="Start year of the first financial year."
    )
    year_count = models.PositiveSmallIntegerField(default=3)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="The plan's name in web addresses and --plan."
    )
    archived = models.BooleanField(
        default=False, help_text="Out of use: still readable and printable, not offered first."
    )
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["council__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "name"], name="unique_plan_name_per_council")
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.name}"

    @property
    def years(self) -> list[FinancialYear]:
        first = FinancialYear(self.first_year)
        return [first + offset for offset in range(self.year_count)]


class TargetEntry(models.Model):
    """The department's savings target: the incremental requirement in one financial year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year.")
    amount_pence = models.BigIntegerField()
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="unique_target_year_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}: £{from_pence(self.amount_pence)}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)


class Workstream(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="workstreams")
    name = models.CharField(max_length=300)
    budget_pence = models.BigIntegerField(help_text="Baseline budget of the activities in scope.")
    is_workstream = models.BooleanField(
        default=True,
        help_text="False for budgets outside the workstreams that still count in the department "
        "total (e.g. mainstream home to school transport).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["-is_workstream", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="unique_workstream_name_per_plan")
        ]

    def __str__(self) -> str:
        return self.name


class SavingsLine(models.Model):
    class Lifecycle(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        CONSULTED = "consulted", "Consulted"
        APPROVED = "approved", "Approved"
        IN_DELIVERY = "in_delivery", "In delivery"
        DELIVERED = "delivered", "Delivered"
        WITHDRAWN = "withdrawn", "Withdrawn"
        WRITTEN_OFF = "written_off", "Written off"

    class Recurrence(models.TextChoices):
        RECURRENT = "recurrent", "Recurrent"
        ONE_OFF = "one_off", "One-off"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    workstream = models.ForeignKey(Workstream, on_delete=models.PROTECT, related_name="lines")
    reference = models.CharField(max_length=40, help_text="As the council writes it: C3, A/R.6.253")
    title = models.CharField(max_length=300)
    service_activity = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    sro_role = models.CharField("senior responsible officer (role)", max_length=200, blank=True)
    lifecycle = models.CharField(
        max_length=20, choices=Lifecycle.choices, default=Lifecycle.PROPOSED
    )
    rag = models.CharField("delivery confidence (RAG)", max_length=10, blank=True)
    key_decision = models.BooleanField(null=True)
    public_consultation = models.BooleanField(null=True)
    staff_consultation = models.BooleanField(null=True)
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.RECURRENT
    )
    fte = models.DecimalField("FTE change", max_digits=9, decimal_places=2, null=True, blank=True)
    fte_note = models.CharField(max_length=40, blank=True, help_text="e.g. TBC when FTE is unknown")
    baseline_budget_pence = models.BigIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised on every edit, so two people cannot overwrite each other."
    )
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="unique_reference_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class PhasingEntry(models.Model):
    """The incremental saving of a line in one financial year (canonical form)."""

    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="phasing")
    year = models.PositiveSmallIntegerField(help_text="Start year of the financial year.")
    amount_pence = models.BigIntegerField()
    history = HistoricalRecords(bases=[EffectiveDated])

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="unique_phasing_year_per_line")
        ]

    def __str__(self) -> str:
        return f"{self.financial_year}: £{from_pence(self.amount_pence)}"

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.year)


class ImportMapping(models.Model):
    """How a plan's council lays out its own tracker (``csplan.programme.io.mapped``'s
    ``ColumnMapping`` as data), remembered for the next upload."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="import_mapping")
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Import mapping of {self.plan}"
