"""Creating users, giving roles and line ownership: the rules the CLI and demo call."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from csplan.accounts.audit import record_change
from csplan.accounts.models import ApiToken, LineOwner, Profile, Role
from csplan.accounts.permissions import forget_role, role_of
from csplan.programme.models import Plan, SavingsLine

LAST_ADMIN_MESSAGE = (
    "{name} is the last active admin: make another user an admin first, so that someone can "
    "still manage users"
)


class AccountError(ValueError):
    """A user that cannot be saved; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


@dataclass(frozen=True)
class UserSummary:
    username: str
    role: str
    active: bool
    lines: tuple[str, ...]
    tokens: int


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise AccountError({"role": f"Choose a role: {choices} (not {text!r})"}) from None


def check_password(password: str, username: str) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), as an AccountError."""
    try:
        password_validation.validate_password(password, get_user_model()(username=username))
    except ValidationError as error:
        raise AccountError({"password": " ".join(error.messages)}) from None


@transaction.atomic
def add_user(username: str, role: str, password: str, *, by: Any = None) -> Any:
    """Create a user with ``role``; the password must pass the validators."""
    username = username.strip()
    model = get_user_model()
    if not username:
        raise AccountError({"username": "Enter a user name"})
    if model.objects.filter(username__iexact=username).exists():
        raise AccountError({"username": f"A user called {username} already exists"})
    chosen = parse_role(role)
    check_password(password, username)
    user = model.objects.create_user(username=username, password=password)
    record_change(user, "added", after="active", by=by)
    set_role(user, chosen, by=by)
    return user


def _stored_role(user: Any) -> str:
    return Profile.objects.filter(user=user).values_list("role", flat=True).first() or ""


def active_admins() -> Any:
    """The active users whose role is admin (a queryset)."""
    admins = Profile.objects.filter(role=Role.ADMIN.value).values("user_id")
    return get_user_model().objects.filter(is_active=True, pk__in=admins)


def is_last_active_admin(user: Any) -> bool:
    """Whether ``user`` is the only active admin left (so must stay one)."""
    admins = active_admins()
    return admins.filter(pk=user.pk).exists() and admins.count() == 1


def _keep_an_admin(user: Any, field: str) -> None:
    if is_last_active_admin(user):
        raise AccountError({field: LAST_ADMIN_MESSAGE.format(name=user.get_username())})


@transaction.atomic
def set_role(user: Any, role: Role | str, *, by: Any = None) -> Profile:
    """Give ``user`` a role; the last active admin keeps theirs (someone must manage users)."""
    chosen = role if isinstance(role, Role) else parse_role(role)
    before = _stored_role(user)
    if chosen is not Role.ADMIN:
        _keep_an_admin(user, "role")
    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    profile.role = chosen.value
    profile._history_user = by
    profile.save()
    forget_role(user)
    if before != chosen.value:
        record_change(user, "role", before or "none", chosen.value, by=by)
    return profile


@transaction.atomic
def set_active(user: Any, active: bool, *, by: Any = None) -> None:
    """Deactivate (remove) or reactivate a user; the last active admin cannot be deactivated.

    A deactivated user keeps their history but cannot sign in, and their API tokens stop
    working; removing is deactivating, so the change history keeps naming them.
    """
    if user.is_active == active:
        return
    if not active:
        _keep_an_admin(user, "active")
    user.is_active = active
    user.save(update_fields=["is_active"])
    forget_role(user)
    states = ("inactive", "active") if active else ("active", "inactive")
    record_change(user, "activated" if active else "deactivated", *states, by=by)


@transaction.atomic
def set_password(user: Any, password: str, *, by: Any = None, own: bool = False) -> None:
    """A new password for ``user`` (it must pass the validators); recorded, never its value."""
    check_password(password, user.get_username())
    user.set_password(password)
    user.save(update_fields=["password"])
    record_change(user, "password changed" if own else "password reset", by=by)


def owned_references(user: Any, plan: Plan | None = None) -> list[str]:
    links = LineOwner.objects.filter(user=user)
    if plan is not None:
        links = links.filter(line__plan=plan)
    return list(
        links.order_by("line__plan_id", "line__position").values_list("line__reference", flat=True)
    )


@transaction.atomic
def set_owned_lines(
    user: Any, lines: Iterable[SavingsLine], *, by: Any = None, plan: Plan | None = None
) -> None:
    """Make ``lines`` exactly the lines ``user`` owns (history records each link).

    With ``plan``, only that plan's lines change; the user keeps the lines of other plans.
    """
    wanted = {line.pk: line for line in lines}
    before = owned_references(user, plan)
    current = LineOwner.objects.filter(user=user)
    if plan is not None:
        current = current.filter(line__plan=plan)
    for link in current:
        if link.line_id not in wanted:
            link._history_user = by
            link.delete()
    have = set(LineOwner.objects.filter(user=user).values_list("line_id", flat=True))
    for pk, line in wanted.items():
        if pk not in have:
            link = LineOwner(user=user, line=line)
            link._history_user = by
            link.save()
    after = owned_references(user, plan)
    if before != after:
        action = f"lines owned in {plan.name}" if plan is not None else "lines owned"
        record_change(user, action, ", ".join(before) or "none", ", ".join(after) or "none", by=by)


def lines_by_reference(plan: Plan, references: Iterable[str]) -> list[SavingsLine]:
    found = {line.reference: line for line in plan.lines.all()}
    missing = [ref for ref in references if ref not in found]
    if missing:
        raise AccountError({"line": f"No savings line {', '.join(missing)} in {plan.name}"})
    return [found[ref] for ref in references]


def find_user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise AccountError({"username": f"No user called {username}"})
    return user


def user_summaries() -> list[UserSummary]:
    users = get_user_model().objects.order_by("username")
    result = []
    for user in users:
        role = role_of(user)
        references = LineOwner.objects.filter(user=user).order_by("line__position")
        result.append(
            UserSummary(
                username=user.get_username(),
                role=role.value if role else "none (inactive)",
                active=user.is_active,
                lines=tuple(link.line.reference for link in references.select_related("line")),
                tokens=ApiToken.objects.filter(user=user, revoked=False).count(),
            )
        )
    return result


def with_role(user: Any, role: Role | str, *, by: Any = None) -> Any:
    """``user``, given ``role`` (for callers that create the user themselves)."""
    set_role(user, role, by=by)
    return user
