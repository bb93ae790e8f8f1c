"""The migration that adds effective dates: changes recorded before it take effect on the day
they were recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("programme", "0003_plan_slug_archived")]
AFTER = [("programme", "0005_history_effective_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_history_takes_effect_on_the_day_it_was_recorded():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    recorded = timezone.make_aware(dt.datetime(2015, 9, 16, 14, 30))
    history = old.get_model("programme", "HistoricalCouncil")
    history.objects.create(
        id=1, name="A council", la_code="", sign_convention="positive", percent_basis="exact",
        rag_key=[], history_date=recorded, history_type="+",
    )  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    record = new.get_model("programme", "HistoricalCouncil").objects.get()
    assert record.effective == dt.date(2015, 9, 16)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
