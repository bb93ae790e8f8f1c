"""Demo users, one per role, sharing the demo password.

``finance``, ``sro`` and ``viewer`` join the ``demo`` user (who has no role and so counts as
admin). The SRO owns the lines whose senior responsible officer is the Assistant Director,
Children's Services (C3, C5 and C1/7 in the Hampshire demo).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from csplan.accounts.models import Role
from csplan.accounts.users import set_owned_lines, set_role
from csplan.programme.models import Plan

DEMO_ROLE_USERS = {"finance": Role.FINANCE, "sro": Role.SRO, "viewer": Role.VIEWER}
DEMO_SRO_ROLE = "Assistant Director, Children's Services"


def load_role_users(plan: Plan, password: str, *, by: Any = None) -> dict[str, Any]:
    """Create or refresh the demo users of each role (idempotent); returns them by name."""
    users = {}
    for username, role in DEMO_ROLE_USERS.items():
        user, _ = get_user_model().objects.get_or_create(username=username)
        if not user.check_password(password):
            user.set_password(password)
            user.save()
        set_role(user, role, by=by)
        users[username] = user
    owned = plan.lines.filter(sro_role=DEMO_SRO_ROLE).order_by("position")
    set_owned_lines(users["sro"], owned, by=by)
    return users
