"""What templates need to show or hide edit buttons: the user's role and what it may change."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from csplan.accounts import permissions


def access(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "csplan_role": permissions.role_of(user),
        "can_edit_programme": permissions.can_edit_programme(user),
        "can_sign_off": permissions.can_sign_off(user),
        "can_manage_users": permissions.can_manage_users(user),
    }
