import hashlib
import json
import zipfile
from dataclasses import replace
from datetime import datetime, time
from decimal import Decimal

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.contrib.auth import get_user_model

from csplan.accounts.demo import load_role_users
from csplan.accounts.models import Profile
from csplan.accounts.users import with_role
from csplan.backup import BackupError, backup, model_labels, restore
from csplan.cases.demo import load_hampshire_demo
from csplan.cli import cli
from csplan.core.periods import FinancialYear
from csplan.demo import demo_user, load_demo
from csplan.programme.calculations import proposals_appendix, target_comparison, workstream_table
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
    demo_user()  # a restore must leave an active admin
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


PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def demo(monkeypatch, settings):
    """Every demo data set, the demo admin and a user of every role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", PASSWORD)
    load_demo()
    plan = load_hampshire_demo()
    load_role_users(plan, PASSWORD)
    demo_user()
    return plan


def all_rows() -> dict[str, list[dict]]:
    """Every stored row of every backed-up model, in key order."""
    return {
        label: list(apps.get_model(label)._base_manager.order_by("pk").values())
        for label in model_labels()
    }


def _sub_millisecond_times(rows: dict[str, list[dict]]) -> int:
    return sum(
        1
        for table in rows.values()
        for row in table
        for value in row.values()
        if isinstance(value, datetime | time) and value.microsecond % 1000
    )


def test_round_trip_of_the_demo_reproduces_every_row_to_the_microsecond(demo, tmp_path):
    before = all_rows()
    assert _sub_millisecond_times(before) > 0  # else the test could not see a cut
    manifest = backup(tmp_path / "backup.zip")
    assert manifest["version"] == 2
    assert manifest["schema"]["programme"][0] == "0001_initial"
    assert manifest["rows"]["programme.savingsline"] == sum(
        1 for _ in apps.get_model("programme.savingsline")._base_manager.all()
    )

    demo.lines.get(reference="C3").delete()
    get_user_model().objects.create_user("intruder", password="another-long-password")
    assert all_rows() != before

    restore(tmp_path / "backup.zip")
    after = all_rows()
    for label in before:
        assert after[label] == before[label], label


# Each case: a change to (manifest, records) and the message restore must give.
def _other_schema(manifest, records):
    manifest["schema"]["programme"].append("9999_a_field_removed")


def _older_schema(manifest, records):
    manifest["schema"]["programme"].pop()


def _old_format(manifest, records):
    manifest["version"] = 1


def _future_format(manifest, records):
    manifest["version"] = 99


def _empty(manifest, records):
    records.clear()


def _missing_model(manifest, records):
    del manifest["rows"]["programme.savingsline"]
    records[:] = [r for r in records if r["model"] != "programme.savingsline"]


def _counts_differ(manifest, records):
    records.remove(next(r for r in records if r["model"] == "programme.savingsline"))


def _line_without_title(manifest, records):
    for record in records:
        if record["model"] == "programme.savingsline":
            del record["fields"]["title"]


def _unknown_field(manifest, records):
    next(r for r in records if r["model"] == "programme.savingsline")["fields"]["colour"] = "red"


def _dangling_plan(manifest, records):
    next(r for r in records if r["model"] == "programme.savingsline")["fields"]["plan"] = 9999


def _dangling_user(manifest, records):
    profile = next(r for r in records if r["model"] == "accounts.profile")
    profile["fields"]["user"] = ["nobody-of-that-name"]


def _no_admin_role(manifest, records):
    for record in records:
        if record["model"] == "accounts.profile" and record["fields"]["role"] == "admin":
            record["fields"]["role"] = "viewer"


def _admin_inactive(manifest, records):
    admins = {
        tuple(r["fields"]["user"])
        for r in records
        if r["model"] == "accounts.profile" and r["fields"]["role"] == "admin"
    }
    for record in records:
        if record["model"] == "auth.user" and (record["fields"]["username"],) in admins:
            record["fields"]["is_active"] = False


REFUSALS = [
    (_other_schema, "different schema.*in the backup but not applied here: programme.9999"),
    (_older_schema, "different schema.*applied here but not in the backup: programme"),
    (_old_format, "format version 1 .*records no schema"),
    (_future_format, "format version 99 .*does not know that format"),
    (_empty, "holds no rows; restoring it would wipe everything"),
    (_missing_model, "lacks these models: programme.savingsline"),
    (_counts_differ, "data.json has 6 rows of programme.savingsline, the manifest 7"),
    (_line_without_title, r"programme.savingsline .*missing fields title"),
    (_unknown_field, "fields the model does not have: colour"),
    (_dangling_plan, "refers through plan to programme.plan 9999, which is not in the backup"),
    (_dangling_user, "refers through user to auth.user \\['nobody-of-that-name'\\]"),
    (_no_admin_role, "no active admin"),
    (_admin_inactive, "no active admin"),
]


@pytest.fixture
def hampshire_with_admin():
    plan = load_hampshire_demo()
    demo_user()
    return plan


def _tampered(source, target, change):
    """A copy of the backup at ``source`` changed by ``change``, with a matching sha256."""
    with zipfile.ZipFile(source) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        records = json.loads(archive.read("data.json"))
    change(manifest, records)
    data = json.dumps(records)
    manifest["sha256"] = hashlib.sha256(data.encode()).hexdigest()
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("data.json", data)
    return target


@pytest.mark.parametrize(("change", "message"), REFUSALS, ids=[c.__name__ for c, _ in REFUSALS])
def test_restore_refuses_and_changes_nothing(hampshire_with_admin, tmp_path, change, message):
    backup(tmp_path / "backup.zip")
    hampshire_with_admin.lines.filter(reference="C8").delete()  # the database now differs
    before = all_rows()
    bad = _tampered(tmp_path / "backup.zip", tmp_path / "bad.zip", change)
    with pytest.raises(BackupError, match=message):
        restore(bad)
    assert all_rows() == before


def test_the_command_refuses_a_dangling_reference_without_a_traceback(
    hampshire_with_admin, tmp_path
):
    backup(tmp_path / "backup.zip")
    bad = _tampered(tmp_path / "backup.zip", tmp_path / "bad.zip", _dangling_plan)
    result = CliRunner().invoke(cli, ["restore", "--yes", str(bad)])
    assert result.exit_code == 1
    assert "which is not in the backup" in result.output
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert hampshire_with_admin.lines.filter(reference="C8").exists()


def test_the_command_restores_a_good_backup(hampshire_with_admin, tmp_path):
    backup(tmp_path / "backup.zip")
    hampshire_with_admin.lines.filter(reference="C8").delete()
    result = CliRunner().invoke(cli, ["restore", "--yes", str(tmp_path / "backup.zip")])
    assert result.exit_code == 0, result.output
    assert "Restored the backup" in result.output
    assert Profile.objects.filter(role="admin").exists()
    assert hampshire_with_admin.lines.filter(reference="C8").exists()
