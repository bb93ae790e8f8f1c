"""The permission rules, as plain functions of a user (and a savings line).

- admin: everything, including users and tokens;
- finance: all money (every line, targets, monitoring, movements, invest-to-save, packs,
  demand models) and finance sign-off (marking a saving delivered);
- sro: reads everything, edits only the savings lines they own (and their monitoring);
- viewer: reads everything, changes nothing (scrutiny, audit).

A signed-in user with no role recorded may do nothing until an admin gives them one, like
anonymous and inactive users.
"""

from __future__ import annotations

from typing import Any

from csplan.accounts.models import LineOwner, Profile, Role
from csplan.programme.models import SavingsLine

# Lifecycle states that need finance sign-off (the s151 officer's) to enter.
SIGN_OFF_STATES = frozenset({SavingsLine.Lifecycle.DELIVERED.value})
_MONEY_ROLES = frozenset({Role.ADMIN, Role.FINANCE})


def role_of(user: Any) -> Role | None:
    """The user's role; ``None`` for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_csplan_role", None)
    if cached is not None:
        return cached
    stored = Profile.objects.filter(user=user).values_list("role", flat=True).first()
    if not stored:
        return None
    role = Role(stored)
    user._csplan_role = role
    return role


def forget_role(user: Any) -> None:
    """Drop the role cached on this user object (after it changed)."""
    if hasattr(user, "_csplan_role"):
        del user._csplan_role


def can_view(user: Any) -> bool:
    return role_of(user) is not None


def can_edit_programme(user: Any) -> bool:
    """Create lines and change programme-wide data: monitoring journal, cases, packs, models."""
    return role_of(user) in _MONEY_ROLES


def owns_line(user: Any, line: SavingsLine) -> bool:
    return role_of(user) is not None and LineOwner.objects.filter(user=user, line=line).exists()


def can_edit_line(user: Any, line: SavingsLine) -> bool:
    role = role_of(user)
    if role in _MONEY_ROLES:
        return True
    return role == Role.SRO and owns_line(user, line)


def can_sign_off(user: Any) -> bool:
    """Finance sign-off: mark a saving delivered."""
    return role_of(user) in _MONEY_ROLES


def can_set_lifecycle(user: Any, line: SavingsLine | None, lifecycle: str) -> bool:
    """Moving a line into a sign-off state (delivered) needs finance sign-off."""
    unchanged = line is not None and line.lifecycle == lifecycle
    return unchanged or lifecycle not in SIGN_OFF_STATES or can_sign_off(user)


def can_manage_users(user: Any) -> bool:
    return role_of(user) == Role.ADMIN
