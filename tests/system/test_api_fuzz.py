"""Fuzzing the JSON API with schemathesis against csplan's own OpenAPI schema, on loopback.

Every operation of /api/openapi.json is called with generated data, valid (positive) and
not (negative), from a fixed seed, by an admin with a bearer token, on a live server at
127.0.0.1 holding the whole demo: no answer may be a server error, and every answer (status,
content type, body) must match the schema. The path names real records of the demo, so the
generated bodies reach the operations rather than stopping at a 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from csplan.accounts.tokens import issue_token
from csplan.api.schema import openapi

pytestmark = pytest.mark.django_db(transaction=True)

SEED = 20160401
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def demo(db, monkeypatch, settings):
    """The whole demo (each area has data), an admin's token and the records paths name."""
    from csplan.benchmark.demo import DEMO_LA
    from csplan.cases.models import Consultation
    from csplan.core.periods import FinancialYear, MonitoringPeriod
    from csplan.demo import demo_user, load_demo
    from csplan.forecasts.models import Dataset, Scenario
    from csplan.investment.models import InvestmentCase
    from csplan.pack.store import publish
    from csplan.programme.models import Plan

    settings.CSPLAN_DEMAND_SIMULATIONS = 50
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", "a-demo-password-for-fuzzing")
    load_demo()
    plan = Plan.objects.get(name="Transformation to 2017")
    pack = publish(plan, MonitoringPeriod(FinancialYear(2016), 6), ["monitoring_summary"])
    records = {
        "plan": plan.slug,
        "line": plan.lines.get(reference="C6").pk,
        "consultation": Consultation.objects.filter(plan=plan).values_list("pk", flat=True)[0],
        "case": InvestmentCase.objects.values_list("pk", flat=True)[0],
        "dataset": Dataset.objects.values_list("pk", flat=True)[0],
        "scenario": Scenario.objects.values_list("pk", flat=True)[0],
        "pack": pack.pk,
        "la": DEMO_LA,
        "year": 2025,
    }
    return issue_token(demo_user()), records


schema = schemathesis.openapi.from_dict(openapi())


def _fuzz(operation, mode, path, call) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path)

    @seed(SEED)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        call(case)

    run()


def test_no_server_errors_and_every_answer_matches_the_schema(demo, live_server):
    assert live_server.url.startswith(("http://localhost", "http://127.0.0.1"))
    token, records = demo
    headers = {"Authorization": f"Bearer {token}"}

    calls: list[str] = []

    def call(case) -> None:
        calls.append(case.operation.label)
        case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

    failures, fuzzed = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        path = {name: records[name] for name in names if name in records}
        for mode in EXAMPLES:
            try:
                _fuzz(operation, mode, path, call)
            except Unsatisfiable:  # no parameter or body to make invalid (negative mode)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as error:  # noqa: BLE001 - every operation is fuzzed, then reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
            fuzzed += 1
    assert not failures, "\n\n".join(failures)
    assert fuzzed == 2 * len(list(schema.get_all_operations())) >= 90
    labels = set(calls)
    assert len(labels) == len(list(schema.get_all_operations())), "every operation was called"
    print(f"{len(calls)} requests over {len(labels)} operations")
