"""Stored benchmark datasets: one row per imported file, and its figures.

A dataset fills a *slot* (one per kind of file; per financial year for RO3). Importing a
file into a slot that is already filled replaces the old figures (see ``store.py``).
"""

from __future__ import annotations

from django.db import models


class Dataset(models.Model):
    slot = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20)
    schema = models.CharField(max_length=20, blank=True, default="")
    source_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField()
    row_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["slot"]

    def __str__(self) -> str:
        return f"{self.slot}: {self.source_name}"


class ClaFigure(models.Model):
    """One area, year and measure from the DfE children looked after file."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="cla_figures")
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10)
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=120)
    old_la_code = models.CharField(max_length=3, blank=True, default="")
    region_code = models.CharField(max_length=9, blank=True, default="")
    region_name = models.CharField(max_length=60, blank=True, default="")
    measure = models.CharField(max_length=20)
    population = models.PositiveIntegerField(null=True)
    count = models.PositiveIntegerField(null=True)
    published_rate = models.PositiveIntegerField(null=True)
    note = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["area_code", "year"])]

    def __str__(self) -> str:
        return f"{self.area_name} {self.year} {self.measure}"


class PopulationEstimate(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10)
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=120)
    old_la_code = models.CharField(max_length=3, blank=True, default="")
    region_code = models.CharField(max_length=9, blank=True, default="")
    population = models.PositiveIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.area_name} {self.year}"


class NeighbourLink(models.Model):
    """One of an LA's statistical neighbours (position 1 is the closest)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="neighbours")
    la_number = models.CharField(max_length=3)
    la_name = models.CharField(max_length=120)
    region = models.CharField(max_length=60, blank=True, default="")
    position = models.PositiveSmallIntegerField()
    neighbour_number = models.CharField(max_length=3)
    closeness = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["la_number", "position"]

    def __str__(self) -> str:
        return f"{self.la_number} SN{self.position} {self.neighbour_number}"


class LaLookupEntry(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="lookups")
    ltla_code = models.CharField(max_length=9)
    ltla_name = models.CharField(max_length=120)
    utla_code = models.CharField(max_length=9)
    utla_name = models.CharField(max_length=120)

    def __str__(self) -> str:
        return f"{self.ltla_code} -> {self.utla_code}"


class Ro3Spend(models.Model):
    """Children looked after spend of one authority in one financial year, in pounds."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="spends")
    financial_year = models.PositiveSmallIntegerField()
    ecode = models.CharField(max_length=10)
    ons_code = models.CharField(max_length=9)
    name = models.CharField(max_length=160)
    la_class = models.CharField(max_length=10)
    total_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    total_income = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    net_current_expenditure = models.DecimalField(max_digits=16, decimal_places=2, null=True)
    note = models.CharField(max_length=255, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} {self.financial_year}"


class SeriesArea(models.Model):
    """One area's figures from a published series file (EHC plans, children in need, child
    protection, new placements): ``figures`` is ``csplan.demand.annual.series.AreaSeries``
    as a dict (values by measure and year, DfE's symbols as notes)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="series")
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=120)
    level = models.CharField(max_length=10)
    figures = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["area_code"])]

    def __str__(self) -> str:
        return f"{self.dataset.slot}: {self.area_name}"
