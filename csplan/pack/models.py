"""A published committee pack: a frozen snapshot of its report data and rendered files."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.programme.models import Plan


class FrozenPackError(Exception):
    """A published pack cannot be changed."""


class PublishedPack(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="published_packs")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    tables = models.JSONField(default=list, help_text="The table choices, by name.")
    data = models.JSONField(help_text="The pack's report data, exact (csplan.pack.builder).")
    html = models.TextField()
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    sha256 = models.CharField(max_length=64, help_text="Hash of the data and the three files.")
    committee = models.CharField(max_length=200, blank=True, help_text="The cover: to whom.")
    meeting_date = models.DateField(null=True, blank=True)
    author_role = models.CharField(
        "report author (role)", max_length=200, blank=True, help_text="A role, not a name."
    )
    purpose = models.TextField(blank=True)
    recommendations = models.TextField(blank=True, help_text="One recommendation a line.")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-year", "-month", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} pack {self.period} ({self.sha256[:12]})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and PublishedPack.objects.filter(pk=self.pk).exists():
            raise FrozenPackError("a published pack is frozen: publish a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenPackError("a published pack is part of the record and cannot be deleted")

    @property
    def period(self) -> MonitoringPeriod:
        return MonitoringPeriod(FinancialYear(self.year), self.month)
