"""Fixtures for the bad-input corpus: a loaded database and a canonical dump of every table."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # the suite imports in importlib mode
    sys.path.insert(0, str(HERE))


def database_dump() -> list[tuple[str, list[str]]]:
    """Every row of every table but the shared cache's (results kept, not data), sorted: two
    dumps are equal only if nothing was written."""
    cache_table = settings.CACHES["default"]["LOCATION"]
    dump = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table == cache_table:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the schema
            dump.append((table, sorted(repr(row) for row in cursor.fetchall())))
    return dump


def dump_digest(dump: list[tuple[str, list[str]]]) -> str:
    return hashlib.sha256(repr(dump).encode()).hexdigest()


@pytest.fixture
def loaded(db) -> Callable[[], list[tuple[str, list[str]]]]:
    """The Hampshire demo programme in the database; returns the function that dumps it."""
    from csplan.cases.demo import load_hampshire_demo

    load_hampshire_demo()
    return database_dump
