"""Figures and tables kept until the data changes, shared by every server process.

Pages rebuild the same programme figures and monitoring tables on every request although most
requests change nothing. ``cached`` keeps a result in Django's cache (a database table, so every
gunicorn worker shares it) and, in front of it, in this process's memory. The key names the
function, every argument (the plan, as-at dates, periods...) and the data revision.

The data revision is the latest change recorded in every history table (its id and time), read
in one query: every recorded write (a save, a delete, a bulk import with history) moves it, in
any process, so nothing needs to remember to invalidate. The time matters too: a rolled-back
write can give its ids out again. Writes made without history (restoring a backup) clear the
cache instead (``forget_everything``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Callable
from functools import cache as once
from functools import wraps
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, models

T = TypeVar("T")
CACHE_SECONDS = 24 * 60 * 60
_LOCAL_KEPT = 32
_local: dict[str, Any] = {}
_MISSING = object()


@once
def _history_tables() -> tuple[str, ...]:
    from simple_history.models import registered_models

    return tuple(sorted(model.history.model._meta.db_table for model in registered_models.values()))


def data_revision() -> str:
    """A short name for the state of all recorded data: it changes with every recorded write."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(table)}), (SELECT MAX(history_date) FROM "
        f"{quote(table)})"
        for table in _history_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:24]


def _argument_key(value: Any) -> str:
    """A stable text for an argument: a stored object by its table and id, dates by ISO date."""
    if isinstance(value, models.Model):
        return f"{value._meta.label}#{value.pk}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "(" + ",".join(_argument_key(item) for item in value) + ")"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={_argument_key(v)}" for k, v in sorted(value.items())) + "}"
    return repr(value)


def cache_key(name: str, revision: str, args: tuple, kwargs: dict[str, Any]) -> str:
    """The cache key of ``name`` called with ``args`` and ``kwargs`` at ``revision``."""
    # Today's date too: a few tables name it (a default probability set is "as of today").
    text = f"{name}|{_argument_key(args)}|{_argument_key(kwargs)}|{dt.date.today()}"
    return f"csplan:{name}:{revision}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def cached(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Keep the function's results per argument and data revision (see the module's note).

    A result is stored only when the revision did not move while it was computed, so a page
    read during a save never keeps a half-old answer under the new revision.
    """

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            revision = data_revision()
            key = cache_key(name, revision, args, kwargs)
            if key in _local:
                return _local[key]
            result = cache.get(key, _MISSING)
            if result is _MISSING:
                result = function(*args, **kwargs)
                if data_revision() != revision:  # written to meanwhile: keep nothing
                    return result
                cache.set(key, result, CACHE_SECONDS)
            _remember(key, result)
            return result

        wrapper.uncached = function  # type: ignore[attr-defined]
        return wrapper

    return decorate


def forget_local() -> None:
    """Empty this process's memory of results (as a freshly started worker)."""
    _local.clear()


def forget_everything() -> None:
    """Empty the shared cache and this process's memory (after writes made without history)."""
    cache.clear()
    forget_local()


def create_cache_table(**_: Any) -> None:
    """Create the shared cache's table if missing (run after every ``migrate``)."""
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)


def by_content(name: str, value: Any, compute: Callable[[], T]) -> T:
    """``compute()``, kept under a digest of ``value`` (its whole content, pickled): for what
    depends on nothing else, such as a table's HTML. No revision is needed: new content is a
    new key."""
    digest = hashlib.sha256(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)).hexdigest()[:40]
    key = f"csplan:{name}:content:{digest}"
    if key in _local:
        return _local[key]
    result = cache.get(key, _MISSING)
    if result is _MISSING:
        result = compute()
        cache.set(key, result, CACHE_SECONDS)
    _remember(key, result)
    return result


def _remember(key: str, result: Any) -> None:
    while len(_local) >= _LOCAL_KEPT:
        _local.pop(next(iter(_local)))
    _local[key] = result
