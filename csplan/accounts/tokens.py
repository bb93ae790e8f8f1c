"""API tokens: a random secret shown once; only its SHA-256 digest is stored."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction

from csplan.accounts.audit import record_change
from csplan.accounts.models import ApiToken

TOKEN_PREFIX = "csp_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(user: Any, *, by: Any = None) -> str:
    """A new token for ``user`` (earlier tokens stay valid until revoked)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user=user, digest=digest(token), prefix=token[:12])
    record._history_user = by
    record.save()
    record_change(user, "token issued", after=f"{record.prefix}…", by=by)
    return token


def user_for_token(token: str) -> Any | None:
    """The active user a token belongs to, or ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    record = (
        ApiToken.objects.select_related("user").filter(digest=digest(token), revoked=False).first()
    )
    if record is None or not record.user.is_active:
        return None
    return record.user


@transaction.atomic
def revoke_tokens(user: Any, *, by: Any = None) -> int:
    """Revoke every token of ``user``; how many were revoked."""
    count = 0
    for record in ApiToken.objects.filter(user=user, revoked=False):
        record.revoked = True
        record._history_user = by
        record.save()
        count += 1
    if count:
        record_change(user, "tokens revoked", f"{count} active", "0 active", by=by)
    return count


def active_token_count(user: Any) -> int:
    return ApiToken.objects.filter(user=user, revoked=False).count()
