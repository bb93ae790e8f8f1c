"""Writes that tell the change history (django-simple-history) who made them, why, and from
when they take effect.

Every store saves and deletes programme data through these, so each history record names the
signed-in user (or nobody, for the command line and the demo) and the reason given.

Every recorded change also carries the business date it takes effect (``effective``) beside
the moment it was recorded (``history_date``): a decision's date, the end of the monitoring
month a movement belongs to, or today for a plain edit. Writers set it for everything they
save inside ``effective_on(day)``; ``correcting()`` dates a change as the record it replaces
(a correction of that record, as when the demo resets what it generated). "As at" a date reads
the records effective by then (``csplan.programme.asat``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

#: What the writes in progress are dated: a day, CORRECTION, or None for today.
CORRECTION = "correction"
_EFFECTIVE: ContextVar[dt.date | str | None] = ContextVar("csplan_effective", default=None)


class EffectiveDated(models.Model):
    """The base of every historical record: the business date the change takes effect."""

    effective = models.DateField(
        "takes effect",
        db_index=True,
        help_text="The business date the change takes effect (a decision's date, the end of "
        "a movement's monitoring month, or the day of a plain edit).",
    )

    class Meta:
        abstract = True


@contextmanager
def effective_on(day: dt.date) -> Iterator[dt.date]:
    """Date every change recorded inside the block ``day``."""
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise TypeError(f"an effective date is a date, not {day!r}")
    token = _EFFECTIVE.set(day)
    try:
        yield day
    finally:
        _EFFECTIVE.reset(token)


@contextmanager
def correcting() -> Iterator[None]:
    """Date every change recorded inside the block as the record it replaces: a correction
    of that record from its own effective date, not a new change from today."""
    token = _EFFECTIVE.set(CORRECTION)
    try:
        yield
    finally:
        _EFFECTIVE.reset(token)


def current_effective() -> dt.date | None:
    """The day writes are dated now (None: today, or as the record they correct)."""
    chosen = _EFFECTIVE.get()
    return chosen if isinstance(chosen, dt.date) else None


def _corrected_date(history_instance: Any, instance: Any) -> dt.date | None:
    """The effective date of the row's latest recorded change (None for a new row)."""
    return (
        type(history_instance)
        .objects.filter(**{instance._meta.pk.attname: instance.pk})
        .order_by("-history_date", "-history_id")
        .values_list("effective", flat=True)
        .first()
    )


@receiver(pre_create_historical_record)
def _date_the_record(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    if not hasattr(history_instance, "effective"):
        return
    chosen = getattr(instance, "_history_effective", None) or _EFFECTIVE.get()
    if chosen == CORRECTION:
        chosen = _corrected_date(history_instance, instance)
    history_instance.effective = chosen or timezone.localdate()


def recording_user(user: Any) -> Any:
    """The user to record: a signed-in user, else None (anonymous users are not stored)."""
    return user if getattr(user, "is_authenticated", False) else None


def save_recorded(
    instance: Any, user: Any = None, reason: str = "", effective: dt.date | None = None
) -> None:
    """Save ``instance``, recording who, why and (if given) the day it takes effect."""
    instance._history_user = recording_user(user)
    instance._change_reason = reason or None
    instance._history_effective = effective
    instance.save()


def delete_recorded(
    instance: Any, user: Any = None, reason: str = "", effective: dt.date | None = None
) -> None:
    instance._history_user = recording_user(user)
    instance._change_reason = reason or None
    instance._history_effective = effective
    instance.delete()
