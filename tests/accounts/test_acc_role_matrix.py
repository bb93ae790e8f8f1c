"""The role matrix: every URL of the project, every role, GET and POST.

The URLs come from ``django.urls.get_resolver()``, so a new page is checked as soon as it is
routed. Each view declares its access (``csplan.accounts.access``); a view that declares none,
or a URL whose arguments this test cannot build from the demo data, fails the test. What each
rule should allow is written out here independently of ``csplan.accounts.access.RULES``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, path, resolve, reverse

from csplan.accounts import access as guards
from csplan.accounts.access import access_of
from csplan.accounts.models import LineOwner
from csplan.benchmark.demo import DEMO_LA
from csplan.cases.models import Consultation
from csplan.cases.store import CaseFigures, create_business_case
from csplan.demo import load_demo
from csplan.evidence.models import Evidence
from csplan.forecasts.models import Dataset, Scenario
from csplan.investment.models import InvestmentCase
from csplan.pack.models import PublishedPack
from csplan.programme.models import Plan

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "viewer", "sro_owner", "sro_other", "finance", "admin")
SIGNED_IN = ROLES[1:]
OK, LOGIN, FORBIDDEN, NOT_ALLOWED = "ok", "login", "forbidden", "not allowed"
MISSING = 987_654  # an id no demo object has: allowed roles then get 404 from the view

EXPECTED: dict[str | None, dict[str, str]] = {
    guards.PUBLIC: dict.fromkeys(ROLES, OK),
    guards.VIEW: {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, OK)},
    guards.PROGRAMME: {
        "anonymous": LOGIN, "viewer": FORBIDDEN, "sro_owner": FORBIDDEN, "sro_other": FORBIDDEN,
        "finance": OK, "admin": OK,
    },
    guards.LINE: {
        "anonymous": LOGIN, "viewer": FORBIDDEN, "sro_owner": OK, "sro_other": FORBIDDEN,
        "finance": OK, "admin": OK,
    },
    guards.SIGN_OFF: {
        "anonymous": LOGIN, "viewer": FORBIDDEN, "sro_owner": FORBIDDEN, "sro_other": FORBIDDEN,
        "finance": OK, "admin": OK,
    },
    guards.ADMIN: {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, FORBIDDEN), "admin": OK},
    None: {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, NOT_ALLOWED)},
}  # fmt: skip


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    callback: Any


def routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    """Every URL pattern of the project, with its full name (``namespace:name``)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Route(name, prefix + str(entry.pattern), entry.callback)


def unclassified(found: list[Route]) -> list[str]:
    return [f"/{r.pattern} ({r.name})" for r in found if access_of(r.callback) is None]


@dataclass
class Demo:
    plan: Any
    owned: Any
    other: Any
    case: InvestmentCase
    pack: PublishedPack
    consultation: Consultation
    demand_evidence: Evidence
    owned_pks: set[int]
    dataset: Dataset
    scenario: Scenario


@dataclass(frozen=True)
class Args:
    """A route's URL arguments, query string, and the GET status an allowed role gets."""

    kwargs: dict[str, Any]
    ok: int = 200
    query: str = ""


GAP_QUERY = "?target=neighbours&by=2027/28&weekly_cost=1000"


def _arguments(demo: Demo) -> dict[str, Callable[[Any], Args]]:
    """How to build each parameterised route's arguments from the demo data, given the savings
    line the role should act on (owned by the SRO, or not)."""

    def line(chosen: Any) -> Args:
        return Args({"pk": chosen.pk})

    def line_pk(chosen: Any) -> Args:
        return Args({"line_pk": chosen.pk})

    def dataset(chosen: Any) -> Args:
        return Args({"pk": demo.dataset.pk})

    def missing(chosen: Any) -> Args:
        return Args({"pk": MISSING}, ok=404)

    def person(chosen: Any) -> Args:
        from django.contrib.auth import get_user_model

        return Args({"pk": get_user_model().objects.get(username="viewer").pk})

    benchmark = {"la": DEMO_LA, "year": 2025}
    twins = {
        route.name: (lambda name: lambda chosen: _twin_args(arguments, name, chosen))(route.name)
        for route in routes()
        if route.name.endswith("_twin")
    }
    arguments = {
        "line": line,
        "line_edit": line,
        "line_as_at": line,
        "monitoring:line": line,
        "monitoring:record": line,
        "monitoring:line_table": lambda chosen: Args({"pk": chosen.pk, "fmt": "csv"}),
        "monitoring:table": lambda chosen: Args({"name": "summary", "fmt": "csv"}),
        "investment:case_table": lambda chosen: Args({"pk": demo.case.pk, "fmt": "csv"}),
        "investment:actuals_table": lambda chosen: Args({"pk": demo.case.pk, "fmt": "json"}),
        "investment:record_actual": lambda chosen: Args({"pk": demo.case.pk}),
        "investment:case_edit": lambda chosen: Args({"pk": demo.case.pk}),
        "investment:strategy_table": lambda chosen: Args(
            {"pk": demo.case.council_id, "fmt": "xlsx"}
        ),
        "pack:published": lambda chosen: Args({"pk": demo.pack.pk, "fmt": "html"}),
        "benchmark:export": lambda chosen: Args({**benchmark, "fmt": "csv"}),
        "benchmark:gap_export": lambda chosen: Args({**benchmark, "fmt": "csv"}, query=GAP_QUERY),
        "benchmark:gap_use": lambda chosen: Args(benchmark, query=GAP_QUERY),
        "cases:case": line_pk,
        "cases:case_print": line_pk,
        "cases:case_pdf": line_pk,
        "cases:case_edit": line_pk,
        "cases:line_equality": line_pk,
        "cases:line_status": line_pk,
        "cases:consultation_outcome": lambda chosen: Args({"pk": demo.consultation.pk}),
        # The DfE validator and a re-run are slow model runs: those two get an id no object has, so
        # an allowed role gets 404 from the view, and the others the guard's answer.
        "demandweb:dataset": dataset,
        "demandweb:validation": dataset,
        "demandweb:run_validator": missing,
        "demandweb:forecast": dataset,
        "demandweb:costs": dataset,
        "demandweb:compare": dataset,
        "demandweb:attach": dataset,
        "demandweb:scenario": lambda chosen: Args({"pk": demo.scenario.pk}),
        "demandweb:evidence": lambda chosen: Args({"pk": demo.demand_evidence.pk}),
        "demandweb:rerun": missing,
        "demandweb:population": missing,
        "demandweb:unit_costs": lambda chosen: Args({"pk": demo.case.council_id}),
        **dict.fromkeys(
            (
                "people:person",
                "people:role",
                "people:lines",
                "people:password",
                "people:tokens",
                "people:active",
            ),
            person,
        ),
    }
    return {**arguments, **twins, **_api_arguments(demo)}


API_QUERIES = {"api:benchmark_gap": "?target=neighbours&by=2027/28&weekly_cost=1000"}


def _api_arguments(demo: Demo) -> dict[str, Callable[[Any], Args]]:
    """Each API route's arguments, by the names of its path parameters: the demo's plan, the
    savings line the role acts on, and the demo's other records. The demo's published pack is
    a stand-in without data, so the API reads a pack no one published (allowed roles: 404)."""

    def values(chosen: Any) -> dict[str, Any]:
        return {
            "plan": demo.plan.slug, "line": chosen.pk, "consultation": demo.consultation.pk,
            "case": demo.case.pk, "dataset": demo.dataset.pk, "scenario": demo.scenario.pk,
            "pack": MISSING, "la": DEMO_LA, "year": 2025, "name": "workstreams",
        }  # fmt: skip

    def build(route: Route) -> Callable[[Any], Args]:
        names = re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
        ok = 404 if "pack" in names else 200
        query = API_QUERIES.get(route.name, "")
        return lambda chosen: Args({n: values(chosen)[n] for n in names}, ok, query)

    return {
        route.name: build(route)
        for route in routes()
        if route.name.startswith("api:") and "<" in route.pattern
    }


def _twin_args(arguments: dict[str, Callable[[Any], Args]], name: str, chosen: Any) -> Args:
    """A table page's JSON twin: the page's own arguments and ``fmt``."""
    page = name.removesuffix("_twin")
    base = arguments[page](chosen) if page in arguments else Args({})
    return Args({**base.kwargs, "fmt": "json"}, base.ok, base.query)


@pytest.fixture
def demo(monkeypatch, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CSPLAN_DEMAND_SIMULATIONS = 100
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", "matrix-demo-password")
    load_demo()
    plan = Plan.objects.get(name="Transformation to 2017")
    lines = {line.reference: line for line in plan.lines.all()}
    case = InvestmentCase.objects.order_by("id").first()
    pack = PublishedPack.objects.create(
        plan=plan, year=2016, month=12, data={}, html="<p>pack</p>", pdf=b"%PDF", xlsx=b"PK",
        sha256="0" * 64,
    )  # fmt: skip
    for reference in ("C3", "C6"):  # the Hampshire lines have no business case in the demo
        create_business_case(lines[reference], CaseFigures(title=f"Business case {reference}"))
    consultation = Consultation.objects.order_by("id").first()
    demand_evidence = Evidence.objects.filter(kind="demand_scenario").order_by("id").first()
    owned = set(LineOwner.objects.filter(user__username="sro").values_list("line_id", flat=True))
    dataset, scenario = Dataset.objects.order_by("id").first(), Scenario.objects.first()
    return Demo(
        plan, lines["C3"], lines["C6"], case, pack, consultation, demand_evidence, owned,
        dataset, scenario,
    )  # fmt: skip


LOGINS = {"viewer": "viewer", "sro_owner": "sro", "sro_other": "sro", "finance": "finance",
          "admin": "demo"}  # fmt: skip


def _client(role: str) -> Client:
    from django.contrib.auth import get_user_model

    client = Client()
    if role in LOGINS:
        client.force_login(get_user_model().objects.get(username=LOGINS[role]))
    return client


def _outcome(response: Any, api: bool, ok_status: int, method: str, rule: str | None) -> str:
    status = response.status_code
    if rule == guards.PUBLIC:  # sign-in and sign-out pages, the API schema: anything but an error
        return OK if status < 500 and status != 403 else f"status {status}"
    if status == 401 and api or status == 302 and "/login/" in response.get("Location", ""):
        return LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 405:
        return NOT_ALLOWED
    if method == "GET":
        return OK if status == ok_status else f"status {status}"
    return OK if status < 500 else f"status {status}"


def _request(client: Client, method: str, url: str) -> Any:
    """GET the page, or send an empty form (POST) or an empty JSON object (PUT, PATCH)."""
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, {})
    return getattr(client, method.lower())(url, data="{}", content_type="application/json")


_HREF = re.compile(r'href="(/[^"#?]*)')
_POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.IGNORECASE)
_ACTION = re.compile(r'action="([^"#?]*)')


_PLAN_PREFIX = re.compile(r"^/plans/[-\w]+(?=/)")


def _in_site(address: str) -> str:
    """The address without its plan's part, as the plan resolver serves it."""
    return _PLAN_PREFIX.sub("", address)


def _may(role: str, rule: str | None, line_pk: Any, owned: set[int]) -> bool:
    """Whether ``role`` may use a URL guarded by ``rule`` (for the line ``line_pk``)."""
    if rule == guards.LINE and role.startswith("sro"):
        return line_pk in owned
    return EXPECTED.get(rule, {}).get(role) == OK


def _controls(role: str, url: str, response: Any, owned: set[int]) -> list[str]:
    """Links and forms on a page that the role cannot use: it should not be shown them."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    html = response.content.decode()
    problems = []
    targets = [("link", href, "read") for href in set(_HREF.findall(html))]
    for form in _POST_FORM.findall(html):
        action = (_ACTION.findall(form) or [""])[0] or url.split("?")[0]
        targets.append(("form", action, "write"))
    for kind, target, use in targets:
        try:
            match = resolve(_in_site(target))
        except Resolver404:
            continue
        declared = access_of(match.func)
        if declared is None:
            continue
        line_pk = match.kwargs.get(declared.line_arg) if declared.line_arg else None
        if not _may(role, getattr(declared, use), line_pk, owned):
            problems.append(f"{url} shows {role} a {kind} to {target}, which they cannot use")
    return problems


def test_every_url_and_api_operation_against_every_role(demo):
    found = list(routes())
    assert not unclassified(found), f"views that declare no access: {unclassified(found)}"
    arguments = _arguments(demo)
    clients = {role: _client(role) for role in ROLES}
    problems, checked = [], 0
    for route in found:
        declared = access_of(route.callback)
        has_parameters = "<" in route.pattern
        if not route.name:
            problems.append(f"/{route.pattern}: give the URL pattern a name")
            continue
        if has_parameters and route.name not in arguments:
            problems.append(f"/{route.pattern} ({route.name}): no arguments from the demo data")
            continue
        for role in ROLES:
            line = demo.other if role == "sro_other" else demo.owned
            args = arguments[route.name](line) if has_parameters else Args({})
            ok_status = args.ok
            url = reverse(route.name, kwargs=args.kwargs) + args.query
            if not declared.api:
                url = f"/plans/{demo.plan.slug}{url}"
            methods = [("GET", declared.read)]
            methods += [(m, declared.write) for m in declared.write_methods]
            for method, rule in methods:
                if rule not in EXPECTED:
                    problems.append(f"{url}: unknown rule {rule!r}")
                    continue
                expected = EXPECTED[rule][role]
                client = _client(role) if route.name == "logout" else clients[role]
                response = _request(client, method, url)
                got = _outcome(response, declared.api, ok_status, method, rule)
                checked += 1
                if role != "anonymous" and method == "GET" and got == OK:
                    problems += _controls(role, url, response, demo.owned_pks)
                if got != expected:
                    problems.append(f"{method} {url} as {role}: expected {expected}, got {got}")
    assert not problems, "\n".join(problems)
    methods = sum(1 + len(access_of(route.callback).write_methods) for route in found)
    assert checked == methods * len(ROLES)
    assert sum(1 for route in found if access_of(route.callback).api) >= 33


def _unguarded(request):
    from django.http import HttpResponse

    return HttpResponse("open to all")


urlpatterns = [path("open/", _unguarded, name="open")]


def test_an_unguarded_view_fails_the_matrix(settings):
    settings.ROOT_URLCONF = __name__
    assert unclassified(list(routes())) == ["/open/ (open)"]


def test_the_matrix_spots_controls_a_role_cannot_use():
    from django.http import HttpResponse

    page = HttpResponse(
        f'<a href="{reverse("line_new")}">Add</a>'
        f'<a href="{reverse("line_edit", args=[7])}">Edit</a>'
        f'<form method="post" action="{reverse("monitoring:calibrate")}"></form>'
        f'<form method="post" action="{reverse("logout")}"></form>'
    )
    assert sorted(_controls("viewer", "/lines/", page, owned={7})) == [
        "/lines/ shows viewer a form to /monitoring/calibrate/, which they cannot use",
        "/lines/ shows viewer a link to /lines/7/edit/, which they cannot use",
        "/lines/ shows viewer a link to /lines/new/, which they cannot use",
    ]
    sro = _controls("sro_owner", "/lines/", page, owned={7})
    assert sorted(sro) == [
        "/lines/ shows sro_owner a form to /monitoring/calibrate/, which they cannot use",
        "/lines/ shows sro_owner a link to /lines/new/, which they cannot use",
    ]
    assert _controls("finance", "/lines/", page, owned=set()) == []


def test_every_rule_has_its_expected_outcomes():
    assert set(EXPECTED) - {None} == set(guards.RULES)
    assert all(set(outcomes) == set(ROLES) for outcomes in EXPECTED.values())
