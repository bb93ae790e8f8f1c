"""The one plan resolver: every page reads ``request.plan``, set here from the address.

Pages of a plan live under ``/plans/<slug>/``. The middleware takes the plan from the address,
serves the rest of the path as if it were the whole address, and makes ``reverse()`` and
``{% url %}`` build addresses under the same prefix, so every link on the page stays in the
plan and a link shows a colleague the same thing.

An address without a plan (``/lines/``) is served directly when the database holds one plan in
use. With several plans it is redirected to the same page of the user's last plan, or to the
plan list when there is none: never "the newest".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_script_prefix, reverse, set_script_prefix
from django.utils.functional import SimpleLazyObject

from csplan.programme.models import Plan
from csplan.programme.plans import only_plan
from csplan.programme.slugs import RESERVED_SLUGS

_PLAN_PATH = re.compile(r"^/plans/(?P<slug>[-\w]+)(?P<rest>/.*)$")
SESSION_KEY = "csplan_plan"


class PlanNeeded(Exception):
    """The page needs a plan and the address does not name one (several plans in use)."""


class ElsewhereInPlan(Exception):
    """The thing asked for belongs to ``plan``: show it at that plan's address."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        super().__init__(plan.slug)


def check_in_plan(request: HttpRequest, owner: Plan | int) -> None:
    """Refuse (404) a line, case or record of another plan than the address names; an address
    without a plan is sent on to the owner's plan (unless it is the one plan in use)."""
    owner_id = owner if isinstance(owner, int) else owner.pk
    if request.plan_in_address:
        if request.plan.pk != owner_id:
            raise Http404("That belongs to another plan.")
        return
    single = only_plan()
    if single is not None and single.pk == owner_id:
        request.plan = single
        return
    raise ElsewhereInPlan(Plan.objects.get(pk=owner_id))


def _implicit(request: HttpRequest) -> Plan:
    plan = only_plan()
    if plan is None:
        raise PlanNeeded
    return plan


def peek_plan(request: HttpRequest) -> Plan | None:
    """The request's plan when it has one, without redirecting (for the masthead)."""
    try:
        plan = request.plan
        return plan if plan else None
    except (PlanNeeded, AttributeError):
        return None


class PlanMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        root = get_script_prefix()
        request.site_root = root
        match = _PLAN_PATH.match(request.path_info)
        if match is not None and match["slug"] in RESERVED_SLUGS:
            match = None
        if match is None:
            request.plan_in_address = False
            request.plan = SimpleLazyObject(lambda: _implicit(request))
            return self.get_response(request)
        plan = Plan.objects.select_related("council").filter(slug=match["slug"]).first()
        if plan is None:
            return _unknown_plan(request, match["slug"])
        request.plan_in_address = True
        request.plan = plan
        request.path_info = match["rest"]
        set_script_prefix(f"{root}plans/{plan.slug}/")
        try:
            response = self.get_response(request)
        finally:
            set_script_prefix(root)
        _remember(request, plan)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ElsewhereInPlan) and request.method in ("GET", "HEAD"):
            path = request.get_full_path()[1:]
            return HttpResponseRedirect(plan_address(exception.plan, path, request))
        if not isinstance(exception, PlanNeeded | ElsewhereInPlan):
            return None
        last = last_plan(request)
        if last is not None and request.method in ("GET", "HEAD"):
            return HttpResponseRedirect(plan_address(last, request.get_full_path()[1:], request))
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{site_url(request, 'plans')}?{query}")


def _unknown_plan(request: HttpRequest, slug: str) -> HttpResponse:
    request.plan = None
    request.plan_in_address = False
    return render(
        request, "web/unknown_plan.html", {"slug": slug, "plans_url": site_url(request, "plans")},
        status=404,
    )  # fmt: skip


def _remember(request: HttpRequest, plan: Plan) -> None:
    """Keep the plan as the user's last one (the default for addresses without a plan)."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or request.method not in ("GET", "HEAD"):
        return
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == plan.pk:
        return
    from csplan.accounts.models import Profile

    Profile.objects.filter(user=user).update(last_plan=plan)
    if session is not None:
        session[SESSION_KEY] = plan.pk


def last_plan(request: HttpRequest) -> Plan | None:
    """The plan the user last looked at (kept across sessions), if it is still in use."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return None
    from csplan.accounts.models import Profile

    plan_id = Profile.objects.filter(user=user).values_list("last_plan", flat=True).first()
    if plan_id is None:
        return None
    return Plan.objects.select_related("council").filter(pk=plan_id, archived=False).first()


def site_url(request: HttpRequest | None, name: str, *args: Any, **kwargs: Any) -> str:
    """The address of a page outside any plan (the plan list, sign-in, user pages)."""
    prefix = get_script_prefix()
    path = reverse(name, args=args, kwargs=kwargs)[len(prefix) :]
    root = getattr(request, "site_root", None) or _root(prefix)
    return f"{root}{path}"


def plan_url(plan: Plan, name: str, *args: Any, request: HttpRequest | None = None,
             **kwargs: Any) -> str:  # fmt: skip
    """The address of page ``name`` of ``plan`` (from anywhere, in any plan or none)."""
    prefix = get_script_prefix()
    path = reverse(name, args=args, kwargs=kwargs)[len(prefix) :]
    return plan_address(plan, path, request)


def plan_address(plan: Plan, path: str, request: HttpRequest | None = None) -> str:
    """``path`` (relative, without a leading slash) under ``plan``'s prefix."""
    root = getattr(request, "site_root", None) or _root(get_script_prefix())
    return f"{root}plans/{plan.slug}/{path}"


def _root(prefix: str) -> str:
    """The site's own prefix, without a plan's part."""
    match = re.match(r"^(?P<root>.*/)plans/[-\w]+/$", prefix)
    return match["root"] if match else prefix


def line_of_plan(request: HttpRequest, pk: int) -> Any:
    """The savings line ``pk`` of the address's plan (404 for another plan's line)."""
    from django.shortcuts import get_object_or_404

    from csplan.programme.models import SavingsLine

    line = get_object_or_404(
        SavingsLine.objects.select_related("plan__council", "workstream"), pk=pk
    )
    check_in_plan(request, line.plan_id)
    return line
