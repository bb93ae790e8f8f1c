"""Enforcing the permission rules on pages: one decorator per view, read by the role matrix.

``@guard(read=..., write=..., line_arg=...)`` names the rule for reading (GET, HEAD) and the
rule for writing (POST and other unsafe methods). ``read=None`` answers GET with 405 (a
POST-only action), ``write=None`` answers POST with 405 (a read-only page). With ``line_arg``
the rules are applied to the savings line whose id is that URL argument.

Every view carries its ``Access`` as ``csplan_access``, so a test can walk every URL of the
project and check that each one is guarded (see ``access_of``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render

from csplan.accounts import permissions
from csplan.programme.models import SavingsLine

PUBLIC = "public"
VIEW = "view"
PROGRAMME = "programme"
LINE = "line"
SIGN_OFF = "sign_off"
ADMIN = "admin"

Rule = Callable[[Any, SavingsLine | None], bool]
RULES: dict[str, Rule] = {
    PUBLIC: lambda user, line: True,
    VIEW: lambda user, line: permissions.can_view(user),
    PROGRAMME: lambda user, line: permissions.can_edit_programme(user),
    LINE: lambda user, line: line is not None and permissions.can_edit_line(user, line),
    SIGN_OFF: lambda user, line: permissions.can_sign_off(user),
    ADMIN: lambda user, line: permissions.can_manage_users(user),
}
MESSAGES = {
    VIEW: "Your account has no role in csplan. Ask an admin to give you one.",
    PROGRAMME: "Only finance officers and admins can change this.",
    LINE: "Only the line's senior responsible officer, finance officers and admins can "
    "change this savings line.",
    SIGN_OFF: "Only finance officers and admins can sign this off.",
    ADMIN: "Only admins can do this.",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Access:
    """Which rule guards reading and which guards writing a view."""

    read: str | None
    write: str | None
    line_arg: str | None = None
    api: bool = False
    write_methods: tuple[str, ...] = ("POST",)

    def rule_for(self, method: str) -> str | None:
        return self.read if method in SAFE_METHODS else self.write


PUBLIC_ACCESS = Access(read=PUBLIC, write=PUBLIC)
_PUBLIC_VIEW_CLASSES = (LoginView, LogoutView)


def access_of(callback: Any) -> Access | None:
    """The access a URL's view declares; ``None`` when it declares none (an unguarded view)."""
    declared = getattr(callback, "csplan_access", None)
    if declared is not None:
        return declared
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        declared = getattr(view_class, "csplan_access", None)
        if declared is None and issubclass(view_class, _PUBLIC_VIEW_CLASSES):
            declared = PUBLIC_ACCESS
    return declared


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """The GOV.UK-styled 403 page."""
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def _not_allowed(access: Access) -> HttpResponse:
    allowed = [m for m, rule in (("GET", access.read), ("POST", access.write)) if rule]
    return HttpResponseNotAllowed(allowed)


def guard(
    read: str | None = VIEW, write: str | None = None, line_arg: str | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Sign-in required, then the rule for the request's method (see the module notes)."""
    access = Access(read=read, write=write, line_arg=line_arg)
    for rule in (read, write):
        if rule is not None and rule not in RULES:
            raise ValueError(f"unknown permission rule {rule!r}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            rule = access.rule_for(request.method or "GET")
            if rule != PUBLIC and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if rule is None:
                return _not_allowed(access)
            line = None
            if line_arg is not None:
                line = get_object_or_404(SavingsLine, pk=kwargs[line_arg])
            if not RULES[rule](request.user, line):
                return forbidden(request, MESSAGES[rule])
            return view(request, *args, **kwargs)

        guarded.csplan_access = access  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a view that anyone may open (sign-in page, API schema)."""
    view.csplan_access = PUBLIC_ACCESS  # type: ignore[attr-defined]
    return view
