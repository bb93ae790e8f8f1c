"""Log-in throttling, shared by every server process through the database.

After ``LIMIT`` attempts that did not succeed for one user name, or from one client address,
within ``WINDOW`` seconds, further attempts for that name or from that address are refused for
``LOCKOUT`` seconds, whatever password they carry. A successful sign-in clears the name's count.

An attempt is counted *before* its password is checked, under a row lock (SELECT ... FOR
UPDATE on PostgreSQL; SQLite's write lock, taken when csplan's transactions begin), so
parallel attempts cannot check more than ``LIMIT`` passwords between them; a success then
takes its own attempt back. The counts live in ``LoginThrottle`` rows, so a restart forgets
nothing.

The user name is the one Django authenticates: stripped and NFKC-normalised (``ｆｉｎａｎｃｅ`` is
``finance``), and compared regardless of case, as csplan keeps user names unique regardless
of case.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from csplan.accounts.models import LoginThrottle

LIMIT = 5
WINDOW = 15 * 60
LOCKOUT = 15 * 60


def normalised_username(username: str) -> str:
    """The user name as Django's sign-in form and backend see it, case folded."""
    return get_user_model().normalize_username(username.strip()).casefold()


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in: the user name typed and the client's address."""

    username: str
    ip: str

    def user_key(self) -> str:
        digest = hashlib.sha256(normalised_username(self.username).encode()).hexdigest()
        return f"user:{digest}"

    def keys(self) -> list[str]:
        return [self.user_key(), *([f"ip:{self.ip}"] if self.ip else [])]


def now() -> float:
    return time.time()


def seconds_locked(attempt: Attempt, at: float | None = None) -> int:
    """How long further attempts are refused (0 when they are allowed)."""
    at = now() if at is None else at
    until = max(
        LoginThrottle.objects.filter(key__in=attempt.keys()).values_list("locked_until", flat=True),
        default=0.0,
    )
    return max(0, math.ceil(until - at))


def _locked_rows(attempt: Attempt) -> list[LoginThrottle]:
    keys = attempt.keys()
    LoginThrottle.objects.bulk_create(
        [LoginThrottle(key=key) for key in keys], ignore_conflicts=True
    )
    return list(LoginThrottle.objects.select_for_update().filter(key__in=keys).order_by("key"))


def _count(row: LoginThrottle, at: float) -> None:
    row.attempts = [t for t in row.attempts if t > at - WINDOW] + [at]
    row.last_attempt = at
    if len(row.attempts) >= LIMIT:
        row.locked_until = at + LOCKOUT
    row.save(update_fields=["attempts", "locked_until", "last_attempt"])


def forget_stale(at: float) -> int:
    """Delete the counts that no longer matter (no attempt in the window, no lock running),
    so names tried at random do not pile up; returns how many."""
    stale = LoginThrottle.objects.filter(last_attempt__lt=at - WINDOW, locked_until__lt=at).delete()
    return stale[0]


def try_attempt(attempt: Attempt, at: float | None = None) -> int:
    """Seconds the attempt must wait, or 0 after counting it as failed until it succeeds.

    Atomic: of any number of parallel attempts at most ``LIMIT`` get 0 (a password check).
    """
    at = now() if at is None else at
    with transaction.atomic():
        forget_stale(at)
        rows = _locked_rows(attempt)
        until = max((row.locked_until for row in rows), default=0.0)
        if until > at:
            return math.ceil(until - at)
        for row in rows:
            _count(row, at)
    return 0


def record_failure(attempt: Attempt, at: float | None = None) -> None:
    """Count a failed attempt (``try_attempt`` already counts the attempts it allows)."""
    at = now() if at is None else at
    with transaction.atomic():
        for row in _locked_rows(attempt):
            _count(row, at)


def release(attempt: Attempt, at: float) -> None:
    """Take back the attempt counted at ``at`` (no password was checked, or it was right)."""
    with transaction.atomic():
        for row in _locked_rows(attempt):
            if at in row.attempts:
                row.attempts.remove(at)
                if row.locked_until == at + LOCKOUT and len(row.attempts) < LIMIT:
                    row.locked_until = 0.0
                row.save(update_fields=["attempts", "locked_until"])


def record_success(attempt: Attempt, at: float | None = None) -> None:
    """Forget the user name's failures; the address keeps its count, less this attempt."""
    with transaction.atomic():
        if at is not None:
            release(attempt, at)
        LoginThrottle.objects.filter(key=attempt.user_key()).delete()


def refusal_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-in attempts. Wait {minutes} {unit}, then try again. "
        "If you have forgotten your password, ask an admin to reset it."
    )
