"""Backup and restore of the whole csplan database, consistent while the app is running.

A backup is a zip file holding ``data.json`` (Django's serialisation of every csplan table,
users and change history included) and ``manifest.json`` (csplan version, time, database engine,
row counts per model and the sha256 of data.json). The dump runs in one read transaction
(REPEATABLE READ on PostgreSQL), so edits made meanwhile are either wholly in it or not at all.
Restore replaces everything in one transaction: a bad or damaged file changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from csplan import __version__

# Rebuilt by Django itself or meaningless in another database.
_EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


class BackupError(ValueError):
    """A backup file that cannot be restored; nothing has been changed."""


def _models_to_dump() -> list[str]:
    labels = []
    for model in apps.get_models():
        label = model._meta.label_lower
        app_label = model._meta.app_label
        if app_label in _EXCLUDED or label in _EXCLUDED:
            continue
        labels.append(label)
    return labels


def _dump() -> str:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Reading a row takes SQLite's shared lock for the rest of the transaction.
                cursor.execute("SELECT count(*) FROM sqlite_master")
        output = io.StringIO()
        call_command(
            "dumpdata",
            *_models_to_dump(),
            natural_foreign=True,
            natural_primary=False,
            stdout=output,
            verbosity=0,
        )
        return output.getvalue()


def backup(path: Path) -> dict[str, object]:
    """Write a backup to ``path`` (a .zip) and return its manifest."""
    data = _dump()
    records = json.loads(data)
    manifest = {
        "format": "csplan-backup",
        "version": 1,
        "csplan_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "rows": dict(sorted(Counter(record["model"] for record in records).items())),
        "sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(),
    }
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("data.json", data)
    temporary.replace(path)  # a crash mid-write never leaves a half backup under the name
    return manifest


def read_backup(path: Path) -> tuple[dict[str, object], str]:
    """The manifest and data of a backup, checked; raises BackupError naming the problem."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            data = archive.read("data.json").decode("utf-8")
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path}: not a csplan backup ({error})") from None
    if manifest.get("format") != "csplan-backup":
        raise BackupError(f"{path}: manifest.json does not describe a csplan backup")
    if hashlib.sha256(data.encode("utf-8")).hexdigest() != manifest.get("sha256"):
        raise BackupError(f"{path}: data.json is damaged (its sha256 does not match the manifest)")
    return manifest, data


def _flush_programme_tables() -> None:
    # Empties every table; Django then recreates content types and permissions.
    call_command("flush", interactive=False, verbosity=0)


def restore(path: Path) -> dict[str, object]:
    """Replace the whole database with the backup at ``path``, in one transaction."""
    manifest, data = read_backup(path)
    with transaction.atomic():
        _flush_programme_tables()
        deferred = []
        try:
            # Save as we read: natural keys (users) must exist before later rows refer to them.
            for item in serializers.deserialize("json", data, handle_forward_references=True):
                _date_as_recorded(item.object)
                item.save()
                if item.deferred_fields:
                    deferred.append(item)
            for item in deferred:
                item.save_deferred_fields()
        except serializers.base.DeserializationError as error:
            raise BackupError(f"{path}: cannot be read ({error})") from None
        _reset_sequences()
    return manifest


def _date_as_recorded(row: object) -> None:
    """A change recorded before changes carried the date they take effect (an older backup)
    takes effect on the day it was recorded, as the migration that added the date does."""
    if hasattr(row, "effective") and row.effective is None and hasattr(row, "history_date"):
        row.effective = timezone.localdate(row.history_date)


def _reset_sequences() -> None:
    """After explicit ids are loaded, PostgreSQL's id sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    models = [apps.get_model(label) for label in _models_to_dump()]
    statements = connection.ops.sequence_reset_sql(_NoStyle(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class _NoStyle:
    def __getattr__(self, name: str):  # noqa: ANN204 - Django's style object protocol
        return lambda text: text
