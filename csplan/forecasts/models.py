"""The store of the demand model: uploaded SSDA903 returns, their validation, scenarios, runs.

Uploaded files are kept in the database as blobs (name, size, sha256) and never sent anywhere;
to read them the service module writes them back to a temporary folder. The demand library
(``csplan.demand``) stays free of Django: these models only hold its inputs and outputs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.programme.models import Council


class Dataset(models.Model):
    """A set of SSDA903 returns uploaded together (one or more years)."""

    name = models.CharField(max_length=200)
    council = models.ForeignKey(
        Council,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demand_datasets",
        help_text="Whose returns these are: their unit costs price the forecasts, and their "
        "evidence may only be attached to this council's lines",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_hash = models.CharField(
        max_length=64, blank=True, help_text="The data hash of the episodes, from load_returns"
    )
    last_date = models.DateField(null=True, blank=True, help_text="The last date the data covers")
    episode_count = models.PositiveIntegerField(default=0)
    child_count = models.PositiveIntegerField(default=0)
    total_size = models.PositiveBigIntegerField(default=0, help_text="Bytes of all files")
    note = models.TextField(blank=True)
    population_name = models.CharField(
        max_length=300, blank=True, help_text="The population projection file as uploaded"
    )
    population = models.JSONField(
        default=list,
        blank=True,
        help_text="The projection as the demand library reads it: rows of year, age band index "
        "and population; a forecast may make entries a rate per 10,000 children of it",
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class DatasetFile(models.Model):
    """One uploaded file, kept in the database exactly as it was received."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=300, help_text="Path as uploaded (inside a zip: its path)")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="unique_file_name_per_dataset")
        ]

    def __str__(self) -> str:
        return self.name


class ValidationReport(models.Model):
    """What was found in a dataset: csplan's input issues and the DfE validator's findings."""

    class DfeStatus(models.TextChoices):
        NOT_RUN = "not_run", "Not run"
        RAN = "ran", "Ran"
        UNAVAILABLE = "unavailable", "Validator not available"
        FAILED = "failed", "Validator failed"

    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="report")
    created_at = models.DateTimeField(auto_now_add=True)
    input_issues = models.JSONField(
        default=list, help_text="Issues found reading the files: file, row, child, rule, message"
    )
    dfe_status = models.CharField(
        max_length=12, choices=DfeStatus.choices, default=DfeStatus.NOT_RUN
    )
    dfe_ran_at = models.DateTimeField(null=True, blank=True)
    dfe_message = models.TextField(blank=True)
    dfe_findings = models.JSONField(
        default=list, help_text="The DfE validator's findings, known false positives marked"
    )

    def __str__(self) -> str:
        return f"Validation of {self.dataset}"


class Scenario(models.Model):
    """A named scenario as the demand library serialises it (composable adjustments)."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    definition = models.JSONField(help_text="The scenario as csplan.demand.scenarios writes it")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ForecastRun(models.Model):
    """A forecast (and its costs) made from a dataset, stored so its numbers can be traced."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="runs")
    scenario = models.ForeignKey(
        Scenario, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_hash = models.CharField(max_length=64)
    parameters = models.JSONField(default=dict, help_text="Everything needed to reproduce the run")
    results = models.JSONField(
        default=dict, help_text="Summary: children by group and date, cost by financial year"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Forecast of {self.dataset} ({self.created_at:%Y-%m-%d %H:%M})"


class UnitCost(models.Model):
    """A council's own weekly unit cost of a placement group, from a date, with its source.

    A new cost from a later date does not replace the earlier one: the costs in force are, for
    each group, the one with the latest ``effective_from`` on or before the day asked about."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="unit_costs")
    group = models.CharField(max_length=40, help_text="The placement group's key")
    weekly_cost = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="£ per child per week"
    )
    effective_from = models.DateField()
    source = models.TextField(help_text="Where the figure comes from")
    history = HistoricalRecords()

    class Meta:
        ordering = ["council", "group", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "group", "effective_from"],
                name="one_unit_cost_per_group_and_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.council}: {self.group} £{self.weekly_cost} from {self.effective_from}"
