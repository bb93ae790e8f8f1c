"""Roles, line ownership and API tokens, each with its change history.

A user's role is stored in ``Profile``; a user with no profile has no role and may do nothing
until an admin gives them one. The profile also keeps the plan the user last looked at.
``LineOwner`` links a senior responsible officer to the savings lines they may edit.
``ApiToken`` keeps only the SHA-256 digest of a token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from csplan.programme.models import SavingsLine


class Role(models.TextChoices):
    ADMIN = "admin", "Admin (everything, including users)"
    FINANCE = "finance", "Finance (all money and finance sign-off)"
    SRO = "sro", "Senior responsible officer (edits the lines they own)"
    VIEWER = "viewer", "Viewer (read only: scrutiny, audit)"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="csplan_profile"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    last_plan = models.ForeignKey(
        "programme.Plan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The plan shown for addresses that name none (several plans in use).",
    )
    history = HistoricalRecords(excluded_fields=["last_plan"])

    def __str__(self) -> str:
        return f"{self.user}: {self.role}"


class LineOwner(models.Model):
    """The user may edit this savings line (the line's senior responsible officer)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_lines"
    )
    line = models.ForeignKey(SavingsLine, on_delete=models.CASCADE, related_name="owners")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "line"], name="unique_owner_per_line")
        ]

    def __str__(self) -> str:
        return f"{self.user} owns {self.line.reference}"


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(default=False)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user}: {self.prefix}…"


class LoginThrottle(models.Model):
    """Recent sign-in attempts not (yet) known to have succeeded, for one user name or address.

    Kept in the database so that every server process and thread shares it and it survives a
    restart; ``csplan.accounts.throttle`` reads and changes a row only under a row lock.
    """

    key = models.CharField(max_length=100, unique=True)
    attempts = models.JSONField(default=list, help_text="POSIX times of the attempts")
    locked_until = models.FloatField(default=0.0, help_text="POSIX time; 0 when not locked")
    last_attempt = models.FloatField(default=0.0, db_index=True, help_text="POSIX time")

    def __str__(self) -> str:
        return f"{self.key}: {len(self.attempts)} attempts"


class AccountChange(models.Model):
    """One change to a user account: who made it, when, and the account before and after.

    Roles, line ownership and tokens also keep their own history rows; this record is the
    account's own audit trail, and the only one for passwords (never their values) and for
    deactivating or reactivating a user.
    """

    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who made the change (blank: the command line or the demo).",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="account_changes",
    )
    username = models.CharField(max_length=150, help_text="The account changed, as it was named")
    action = models.CharField(
        max_length=250, help_text="What changed; may name a plan (up to 200 characters)"
    )
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username}: {self.action}"
