"""Log-in throttling with Django's cache.

After ``LIMIT`` failed attempts for one user name, or from one IP address, within ``WINDOW``
seconds, further attempts for that name or from that address are refused for ``LOCKOUT``
seconds, whatever password they carry. A successful sign-in clears the name's failures.

The default cache is per process (enough for ``csplan serve``); a deployment with several
processes sets a shared cache (database or Redis) in ``CACHES``.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

LIMIT = 5
WINDOW = 15 * 60
LOCKOUT = 15 * 60
_PREFIX = "csplan-login"


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in: the user name typed and the client's address."""

    username: str
    ip: str

    def cache_keys(self) -> list[str]:
        name = hashlib.sha256(self.username.strip().casefold().encode()).hexdigest()
        keys = [f"{_PREFIX}:user:{name}"]
        if self.ip:
            keys.append(f"{_PREFIX}:ip:{self.ip}")
        return keys


def seconds_locked(attempt: Attempt, now: float | None = None) -> int:
    """How long further attempts are refused (0 when they are allowed)."""
    now = time.time() if now is None else now
    until = max((cache.get(f"{key}:lock", 0.0) for key in attempt.cache_keys()), default=0.0)
    return max(0, math.ceil(until - now))


def record_failure(attempt: Attempt, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for key in attempt.cache_keys():
        recent = [t for t in cache.get(key, []) if t > now - WINDOW] + [now]
        cache.set(key, recent, timeout=WINDOW)
        if len(recent) >= LIMIT:
            cache.set(f"{key}:lock", now + LOCKOUT, timeout=LOCKOUT)


def record_success(attempt: Attempt) -> None:
    """Forget the user name's failures (the address keeps its own count)."""
    key = attempt.cache_keys()[0]
    cache.delete_many([key, f"{key}:lock"])


def refusal_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-in attempts. Wait {minutes} {unit}, then try again. "
        "If you have forgotten your password, ask an admin to reset it."
    )
