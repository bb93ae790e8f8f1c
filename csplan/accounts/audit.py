"""The accounts' own audit trail: every change to a user account, with who made it."""

from __future__ import annotations

from typing import Any

from csplan.accounts.models import AccountChange
from csplan.core.history import recording_user


def record_change(
    subject: Any, action: str, before: str = "", after: str = "", *, by: Any = None
) -> AccountChange:
    """Record ``action`` on ``subject``'s account (``before`` and ``after`` as text)."""
    return AccountChange.objects.create(
        by=recording_user(by),
        subject=subject,
        username=subject.get_username(),
        action=action,
        before=before,
        after=after,
    )


def recent_changes(limit: int = 50) -> list[AccountChange]:
    return list(AccountChange.objects.select_related("by")[:limit])
