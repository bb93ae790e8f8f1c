import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from csplan.accounts.users import with_role
from csplan.backup import BackupError, backup, restore
from csplan.core.periods import FinancialYear
from csplan.programme.asat import programme_as_at
from csplan.programme.calculations import proposals_appendix, target_comparison, workstream_table
from csplan.programme.demo import load_hampshire_demo
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import line_figures, programme_figures, update_line

pytestmark = pytest.mark.django_db(transaction=True)


def _tables(plan):
    figures = programme_figures(plan)
    return workstream_table(figures), proposals_appendix(figures), target_comparison(figures)


def test_round_trip_reproduces_every_table_and_the_history(tmp_path):
    user = with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-1"), "finance"
    )
    plan = load_hampshire_demo(user=user)
    line = plan.lines.get(reference="C3")
    update_line(line, replace(line_figures(line), rag="A"), user=user)
    before = _tables(plan)
    history_before = SavingsLine.history.count()

    manifest = backup(tmp_path / "backup.zip")
    assert manifest["rows"]["programme.savingsline"] == 7

    line = plan.lines.get(reference="C3")
    update_line(
        line, replace(line_figures(line), phasing={FinancialYear(2016): Decimal("1")}), user=user
    )
    SavingsLine.objects.filter(reference="C8").delete()
    assert _tables(Plan.objects.get()) != before

    restore(tmp_path / "backup.zip")
    restored = Plan.objects.get()
    assert _tables(restored) == before
    assert SavingsLine.history.count() == history_before
    assert restored.lines.get(reference="C3").history.latest().history_user.username == "finance"


def test_damaged_backup_changes_nothing(tmp_path):
    plan = load_hampshire_demo()
    path = tmp_path / "backup.zip"
    backup(path)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(damaged, "w") as target:
        target.writestr("manifest.json", source.read("manifest.json"))
        target.writestr("data.json", source.read("data.json").replace(b"C3", b"C9"))
    with pytest.raises(BackupError, match="damaged"):
        restore(damaged)
    with pytest.raises(BackupError, match="not a csplan backup"):
        restore(_not_a_zip(tmp_path))
    assert plan.lines.filter(reference="C3").exists()


def _not_a_zip(tmp_path):
    path = tmp_path / "plain.zip"
    path.write_text("hello")
    return path


def test_a_backup_from_before_effective_dates_takes_effect_as_recorded(tmp_path):
    plan = load_hampshire_demo()
    backup(tmp_path / "new.zip")
    with zipfile.ZipFile(tmp_path / "new.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        rows = json.loads(archive.read("data.json"))
    for row in rows:
        row["fields"].pop("effective", None)  # as written before changes carried the date
        if row["model"] == "programme.historicalplan":
            row["fields"]["history_date"] = "2015-09-16T10:00:00Z"
    data = json.dumps(rows)
    manifest["sha256"] = hashlib.sha256(data.encode("utf-8")).hexdigest()
    with zipfile.ZipFile(tmp_path / "old.zip", "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("data.json", data)
    restore(tmp_path / "old.zip")
    dates = set(Plan.history.values_list("effective", flat=True))
    assert dates == {dt.date(2015, 9, 16)}
    assert programme_as_at(plan.pk, timezone.localdate()).plan == "Transformation to 2017"
