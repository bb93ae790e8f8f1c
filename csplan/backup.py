"""Backup and restore of the whole csplan database, consistent while the app is running.

A backup is a zip file holding ``data.json`` (every csplan table, users and change history
included, in Django's serialisation but with timestamps to the microsecond) and
``manifest.json`` (format version, csplan version, time, database engine, the schema as the
migrations applied per app, row counts per model and the sha256 of data.json). The dump runs
in one read transaction (REPEATABLE READ on PostgreSQL), so edits made meanwhile are either
wholly in it or not at all.

Restore first checks the whole file without touching the database: the format version, the
schema (it must be the database's own), every model present with the manifest's row count,
every row carrying exactly the fields of its model, every reference pointing at a row of the
backup, and at least one active admin. Only then does it replace everything, in one
transaction: a bad or damaged file changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time
from itertools import chain
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from csplan import __version__
from csplan.core.cache import forget_everything

FORMAT = "csplan-backup"
FORMAT_VERSION = 2
# Rebuilt by Django itself or meaningless in another database (log-in throttling's counts).
_EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "admin.logentry",
    "accounts.loginthrottle",
]
_ADMIN_ROLE = "admin"


class BackupError(ValueError):
    """A backup file that cannot be restored; nothing has been changed."""


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (Django's cuts them to ms)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime | time):
            if isinstance(o, time) and o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _excluded(model: type[models.Model]) -> bool:
    return model._meta.app_label in _EXCLUDED or model._meta.label_lower in _EXCLUDED


def _models_to_dump() -> list[type[models.Model]]:
    """Every stored model, each after the models its natural keys refer to."""
    by_app: dict[Any, list[type[models.Model]]] = defaultdict(list)
    for model in apps.get_models():
        if not _excluded(model) and model._meta.managed and not model._meta.proxy:
            by_app[apps.get_app_config(model._meta.app_label)].append(model)
    return serializers.sort_dependencies(by_app.items(), allow_cycles=True)


def model_labels() -> list[str]:
    return [model._meta.label_lower for model in _models_to_dump()]


def schema() -> dict[str, list[str]]:
    """The migrations applied to the database, per app (Django's MigrationRecorder)."""
    applied: dict[str, list[str]] = defaultdict(list)
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied[app_label].append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def _rows() -> Iterator[models.Model]:
    return chain.from_iterable(
        model._base_manager.order_by(model._meta.pk.name).iterator() for model in _models_to_dump()
    )


def _dump() -> tuple[str, dict[str, list[str]]]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Reading a row takes SQLite's shared lock for the rest of the transaction.
                cursor.execute("SELECT count(*) FROM sqlite_master")
        output = io.StringIO()
        JSONSerializer().serialize(
            _rows(),
            stream=output,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=False,
            cls=ExactJSONEncoder,
        )
        return output.getvalue(), schema()


def backup(path: Path) -> dict[str, object]:
    """Write a backup to ``path`` (a .zip) and return its manifest."""
    data, applied = _dump()
    counts = Counter(record["model"] for record in json.loads(data))
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "csplan_version": __version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "schema": applied,
        "rows": {label: counts.get(label, 0) for label in sorted(model_labels())},
        "sha256": hashlib.sha256(data.encode("utf-8")).hexdigest(),
    }
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("data.json", data)
    temporary.replace(path)  # a crash mid-write never leaves a half backup under the name
    return manifest


def read_backup(path: Path) -> tuple[dict[str, Any], str]:
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
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: manifest.json does not describe a csplan backup")
    if hashlib.sha256(data.encode("utf-8")).hexdigest() != manifest.get("sha256"):
        raise BackupError(f"{path}: data.json is damaged (its sha256 does not match the manifest)")
    _check_version(path, manifest)
    return manifest, data


def _check_version(path: Path, manifest: dict[str, Any]) -> None:
    version = manifest.get("version")
    if version == FORMAT_VERSION:
        return
    made_by = manifest.get("csplan_version", "an unknown version")
    if isinstance(version, int) and not isinstance(version, bool) and version < FORMAT_VERSION:
        reason = "it records no schema, so it cannot be checked against this database"
    else:
        reason = "this csplan does not know that format"
    raise BackupError(
        f"{path}: backup format version {version!r} (made by csplan {made_by}) cannot be "
        f"restored by csplan {__version__}, which reads version {FORMAT_VERSION}: {reason}"
    )


def check_backup(path: Path, manifest: dict[str, Any], data: str) -> list[dict[str, Any]]:
    """The backup's records, once every check passes; raises BackupError naming the first
    problem. Reads the database's migration table only."""
    _check_schema(path, manifest)
    records = _parse_records(path, data)
    _check_rows(path, manifest, records)
    _check_fields(path, records)
    _check_references(path, records)
    _check_admin(path, records)
    return records


def _check_schema(path: Path, manifest: dict[str, Any]) -> None:
    recorded = manifest.get("schema")
    if not isinstance(recorded, dict):
        raise BackupError(f"{path}: the manifest records no schema (migrations per app)")
    current = schema()
    recorded_set = {(app, name) for app, names in recorded.items() for name in names or []}
    current_set = {(app, name) for app, names in current.items() for name in names}
    if recorded_set == current_set:
        return
    only_backup = sorted(f"{app}.{name}" for app, name in recorded_set - current_set)
    only_here = sorted(f"{app}.{name}" for app, name in current_set - recorded_set)
    parts = []
    if only_backup:
        parts.append(f"in the backup but not applied here: {', '.join(only_backup[:5])}")
    if only_here:
        parts.append(f"applied here but not in the backup: {', '.join(only_here[:5])}")
    raise BackupError(
        f"{path}: the backup was made with a different schema (migrations "
        f"{'; '.join(parts)}). Restore it with the csplan version that made it "
        f"({manifest.get('csplan_version', 'unknown')}), or bring both to the same version."
    )


def _parse_records(path: Path, data: str) -> list[dict[str, Any]]:
    try:
        records = json.loads(data)
    except json.JSONDecodeError as error:
        raise BackupError(f"{path}: data.json is not JSON ({error})") from None
    if not isinstance(records, list) or not records:
        raise BackupError(f"{path}: data.json holds no rows; restoring it would wipe everything")
    for number, record in enumerate(records, start=1):
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("model"), str)
            or not isinstance(record.get("fields"), dict)
        ):
            raise BackupError(f"{path}: data.json row {number} is not a stored row")
    return records


def _check_rows(path: Path, manifest: dict[str, Any], records: list[dict[str, Any]]) -> None:
    expected = set(model_labels())
    recorded = manifest.get("rows")
    if not isinstance(recorded, dict):
        raise BackupError(f"{path}: the manifest records no row counts")
    missing = sorted(expected - set(recorded))
    if missing:
        raise BackupError(f"{path}: the backup lacks these models: {', '.join(missing)}")
    unknown = sorted(set(recorded) - expected | {r["model"] for r in records} - expected)
    if unknown:
        raise BackupError(f"{path}: the backup holds models this csplan does not have: {unknown}")
    counts = Counter(record["model"] for record in records)
    for label in sorted(expected):
        if counts.get(label, 0) != recorded[label]:
            raise BackupError(
                f"{path}: data.json has {counts.get(label, 0)} rows of {label}, "
                f"the manifest {recorded[label]}"
            )


def _stored_fields(model: type[models.Model]) -> set[str]:
    """The fields Django's serialiser writes for a row of ``model`` (the key aside)."""
    local = {
        field.name
        for field in model._meta.local_fields
        if field.serialize and not field.primary_key
    }
    many = {
        field.name
        for field in model._meta.local_many_to_many
        if field.serialize and field.remote_field.through._meta.auto_created
    }
    return local | many


def _check_fields(path: Path, records: list[dict[str, Any]]) -> None:
    expected = {label: _stored_fields(apps.get_model(label)) for label in model_labels()}
    for number, record in enumerate(records, start=1):
        label, fields = record["model"], set(record["fields"])
        missing, unknown = expected[label] - fields, fields - expected[label]
        if missing or unknown or "pk" not in record:
            details = []
            if "pk" not in record:
                details.append("no key (pk)")
            if missing:
                details.append(f"missing fields {', '.join(sorted(missing))}")
            if unknown:
                details.append(f"fields the model does not have: {', '.join(sorted(unknown))}")
            raise BackupError(
                f"{path}: data.json row {number} ({label} {record.get('pk')}) does not match "
                f"this csplan's model: {'; '.join(details)}"
            )


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, cls=ExactJSONEncoder)


def _natural_key(model: type[models.Model], record: dict[str, Any]) -> str | None:
    if not hasattr(model, "natural_key"):
        return None
    plain = {
        field.attname: record["fields"][field.name]
        for field in model._meta.local_fields
        if not field.is_relation and field.name in record["fields"]
    }
    try:
        return _key(list(model(**plain).natural_key()))
    except (AttributeError, TypeError, ValueError, ObjectDoesNotExist):
        return None


def _known_rows(records: list[dict[str, Any]], columns: set[str]) -> dict[str, set[str]]:
    """Per model, the keys a reference may use: the pk, the natural key and ``columns``
    (``label.field`` of the fields that references point at other than the pk)."""
    known: dict[str, set[str]] = defaultdict(set)
    for record in records:
        label = record["model"]
        known[label].add(_key(record["pk"]))
        for name, value in record["fields"].items():
            if f"{label}.{name}" in columns:
                known[f"{label}.{name}"].add(_key(value))
        natural = _natural_key(apps.get_model(label), record)
        if natural is not None:
            known[f"{label}#natural"].add(natural)
    return known


def _target_column(field: models.Field) -> str:
    target = field.related_model._meta.label_lower
    target_field = field.target_field
    return target if target_field.primary_key else f"{target}.{target_field.name}"


def _reference_found(field: models.Field, value: Any, known: dict[str, set[str]]) -> bool:
    if isinstance(value, list):  # a natural key
        return _key(value) in known[f"{field.related_model._meta.label_lower}#natural"]
    return _key(value) in known[_target_column(field)]


def _checked_relations(model: type[models.Model]) -> list[models.Field]:
    """Relations the database enforces, to models the backup holds."""
    return [
        field
        for field in [*model._meta.local_fields, *model._meta.local_many_to_many]
        if field.is_relation
        and field.related_model is not None
        and not _excluded(field.related_model)
        and getattr(field, "db_constraint", True)
        and field.name in _stored_fields(model)
    ]


def _check_references(path: Path, records: list[dict[str, Any]]) -> None:
    relations = {label: _checked_relations(apps.get_model(label)) for label in model_labels()}
    columns = {_target_column(field) for fields in relations.values() for field in fields}
    known = _known_rows(records, columns)
    for number, record in enumerate(records, start=1):
        for field in relations[record["model"]]:
            value = record["fields"][field.name]
            values = value if field.many_to_many else [value]
            for target in values or []:
                if target is None or _reference_found(field, target, known):
                    continue
                raise BackupError(
                    f"{path}: data.json row {number} ({record['model']} {record['pk']}) refers "
                    f"through {field.name} to {field.related_model._meta.label_lower} "
                    f"{target!r}, which is not in the backup"
                )


def _check_admin(path: Path, records: list[dict[str, Any]]) -> None:
    from django.contrib.auth import get_user_model

    user_label = get_user_model()._meta.label_lower
    active = {
        key
        for record in records
        if record["model"] == user_label and record["fields"].get("is_active")
        for key in (_key(record["pk"]), _key([record["fields"].get("username")]))
    }
    admins = [
        record
        for record in records
        if record["model"] == "accounts.profile"
        and record["fields"].get("role") == _ADMIN_ROLE
        and _key(record["fields"].get("user")) in active
    ]
    if not admins:
        raise BackupError(
            f"{path}: the backup has no active admin; restoring it would lock everyone "
            "out of managing users"
        )


def _flush_programme_tables() -> None:
    # Empties every table; Django then recreates content types and permissions.
    call_command("flush", interactive=False, verbosity=0)


def restore(path: Path) -> dict[str, object]:
    """Replace the whole database with the backup at ``path``, in one transaction."""
    manifest, data = read_backup(path)
    check_backup(path, manifest, data)
    try:
        with transaction.atomic():
            _flush_programme_tables()
            _load(data)
            _reset_sequences()
    except (
        serializers.base.DeserializationError,
        DatabaseError,
        ObjectDoesNotExist,
        ValidationError,
    ) as error:
        raise BackupError(f"{path}: cannot be restored, nothing was changed ({error})") from None
    forget_everything()  # restored rows are written without history: no revision moves
    return manifest


def _load(data: str) -> None:
    deferred = []
    # Save as we read: natural keys (users) must exist before later rows refer to them.
    for item in serializers.deserialize("json", data, handle_forward_references=True):
        item.save()
        if item.deferred_fields:
            deferred.append(item)
    for item in deferred:
        item.save_deferred_fields()


def _reset_sequences() -> None:
    """After explicit ids are loaded, PostgreSQL's id sequences must move past them."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(_NoStyle(), _models_to_dump())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class _NoStyle:
    def __getattr__(self, name: str):  # noqa: ANN204 - Django's style object protocol
        return lambda text: text
