"""Writes that tell the change history (django-simple-history) who made them and why.

Every store saves and deletes programme data through these, so each history record names the
signed-in user (or nobody, for the command line and the demo) and the reason given.
"""

from __future__ import annotations

from typing import Any


def recording_user(user: Any) -> Any:
    """The user to record: a signed-in user, else None (anonymous users are not stored)."""
    return user if getattr(user, "is_authenticated", False) else None


def save_recorded(instance: Any, user: Any = None, reason: str = "") -> None:
    instance._history_user = recording_user(user)
    instance._change_reason = reason or None
    instance.save()


def delete_recorded(instance: Any, user: Any = None, reason: str = "") -> None:
    instance._history_user = recording_user(user)
    instance._change_reason = reason or None
    instance.delete()
