"""Using a close-the-gap plan: as a demand-model scenario on a council's own returns, as
evidence attached to a savings line (page, CLI), with Cambridgeshire's A/R.6.253 as the case."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from csplan.accounts.users import with_role
from csplan.benchmark.calculations import compare_measure, spend_per_child
from csplan.benchmark.demo import DEMO_LA, load_demo_benchmark
from csplan.benchmark.gap import (
    GapError,
    close_the_gap,
    gap_evidence,
    gap_from_benchmark,
    plan_from_inputs,
    to_scenario,
)
from csplan.benchmark.store import attach_gap_evidence, benchmark_data_hash, load_benchmark_data
from csplan.cases.demo import load_hampshire_demo
from csplan.cli import cli
from csplan.core.periods import FinancialYear
from csplan.demand import synthetic
from csplan.demand.config import load_config
from csplan.demand.episodes import load_returns
from csplan.demand.scenarios import RunOptions, Scenario, run_scenario
from csplan.evidence.models import Evidence
from csplan.evidence.records import attach_evidence, compare_with_line
from csplan.programme.models import Council, Plan, SavingsLine, Workstream

CAMBS = "E10000003"
WEEKLY = Decimal("893")  # Hertfordshire's 2015/16 average weekly cost per child (seed 004)


def _plan(base_count: int = 400, population: int = 80000, target: str = "40"):
    return close_the_gap(
        la_code="E10009999", la_name="Demoshire", base_year=FinancialYear(2024),
        base_count=base_count, population=population, target_rate=Decimal(target),
        target_year=FinancialYear(2027), weekly_unit_cost=WEEKLY,
    )  # fmt: skip


def test_the_gap_runs_as_a_demand_scenario_and_reduces_children_and_cost(tmp_path):
    synthetic.write_returns(tmp_path, children_in_care=400, years=3, last_year=2025, seed=3)
    returns = load_returns(tmp_path)
    plan = _plan(base_count=400)  # 50 per 10,000 to 40: 80 fewer children, 20%
    assert plan.entry_rate_multiplier == Decimal("0.8")
    run = run_scenario(
        returns.episodes,
        returns.last_date,
        to_scenario(plan),
        config=load_config(),
        options=RunOptions(months=48, simulations=0),
    )
    baseline = run.baseline.result.expected.sum(axis=(1, 2))
    scenario = run.scenario.result.expected.sum(axis=(1, 2))
    assert scenario[-1] < 0.9 * baseline[-1]  # fewer entries take years to work through
    assert all(run.saving[y] > 0 for y in run.saving)
    years = sorted(run.saving)
    assert run.saving[years[2]] > run.saving[years[0]]  # the ramp


def test_gap_evidence_holds_what_recomputes_it():
    plan = _plan()
    record = gap_evidence(plan)
    assert record["savings"] == {y.financial_year: y.saving for y in plan.years}
    again = plan_from_inputs(record["parameters"]["inputs"])
    assert [y.saving for y in again.years] == [y.saving for y in plan.years]
    assert record["parameters"]["demand_scenario"]["adjustments"][0]["multiply"] == "0.8000"
    Scenario.from_dict(record["parameters"]["demand_scenario"])  # reads as a scenario


@pytest.mark.django_db
def test_attach_the_demo_gap_to_a_line_with_the_data_hash():
    load_demo_benchmark()
    plan_line = load_hampshire_demo().lines.get(reference="C6")
    data = load_benchmark_data()
    plan = gap_from_benchmark(data, DEMO_LA, 2025, "neighbours", FinancialYear(2027), WEEKLY)
    evidence = attach_gap_evidence(plan_line, plan)
    assert evidence.kind == Evidence.Kind.BENCHMARK_GAP
    assert evidence.data_hash == benchmark_data_hash() and len(evidence.data_hash) == 64
    assert evidence.savings == {str(y.financial_year): format(y.saving, "f") for y in plan.years}
    assert set(evidence.parameters["sources"]) == set(data.sources)


@pytest.mark.django_db
def test_the_page_attaches_the_gap_and_saves_it_as_a_scenario(client, django_user_model):
    from csplan.forecasts.models import Scenario as SavedScenario

    client.force_login(
        with_role(django_user_model.objects.create_user("admin1", is_staff=True), "admin")
    )
    load_demo_benchmark()
    line = load_hampshire_demo().lines.get(reference="C6")
    query = "?target=neighbours&by=2027/28&weekly_cost=893"
    page = client.get(f"/benchmark/?la={DEMO_LA}&year=2025&target=neighbours&by=2027/28"
                      "&weekly_cost=893")  # fmt: skip
    assert "Attach to the line as evidence" in page.content.decode()
    url = f"/benchmark/{DEMO_LA}/2025/gap/use/{query}"
    response = client.post(url, {"action": "attach", "line": line.pk})
    assert response.status_code == 302 and response["Location"] == f"/lines/{line.pk}/"
    evidence = Evidence.objects.get(line=line)
    assert evidence.title.startswith("Close the gap: Demoshire")
    assert client.post(url, {"action": "attach"}).status_code == 302  # no line: told, not stored
    assert Evidence.objects.count() == 1
    response = client.post(url, {"action": "scenario"})
    saved = SavedScenario.objects.get()
    assert response["Location"] == f"/demand/scenarios/{saved.pk}/"
    assert saved.definition["adjustments"][0]["kind"] == "entry_rate"
    assert client.get(url).status_code == 405


@pytest.mark.django_db
def test_the_cli_writes_the_scenario_and_attaches_the_gap(tmp_path):
    load_demo_benchmark()
    load_hampshire_demo()
    target = tmp_path / "gap.yaml"
    result = CliRunner().invoke(cli, ["benchmark", "gap", DEMO_LA, "--by", "2027/28",
                                      "--weekly-cost", "893", "--scenario-out", str(target),
                                      "--attach", "C6"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Attached the gap to C6" in result.output
    scenario = Scenario.load(target)
    assert scenario.adjustments[0].kind == "entry_rate"
    assert Evidence.objects.get().line.reference == "C6"
    missing = CliRunner().invoke(cli, ["benchmark", "gap", DEMO_LA, "--by", "2027/28",
                                       "--weekly-cost", "893", "--attach", "ZZ9"])  # fmt: skip
    assert missing.exit_code != 0 and "no savings lines with reference 'ZZ9'" in missing.output


@pytest.mark.reference
@pytest.mark.django_db
def test_cambridgeshire_a_r_6_253_cannot_be_evidenced_by_its_neighbours(data):
    """The seed's line: "bring children looked after in line with our statistical neighbours
    by 2020", £1.5m. The published figures start in 2021, and from then on Cambridgeshire is
    already below its neighbours' average, so the benchmark evidences none of the saving."""
    with pytest.raises(GapError, match="not after the base year"):
        gap_from_benchmark(data, CAMBS, 2021, "neighbours", FinancialYear(2019), WEEKLY)
    plan = gap_from_benchmark(data, CAMBS, 2025, "neighbours", FinancialYear(2027), WEEKLY)
    assert plan.gap_children == 0
    neighbours = compare_measure(data, CAMBS, 2025, "looked_after").neighbours.weighted
    assert plan.target_rate == neighbours
    council = Council.objects.create(name="Cambridgeshire County Council", la_code=CAMBS)
    programme = Plan.objects.create(council=council, name="Business plan", first_year=2025)
    stream = Workstream.objects.create(plan=programme, name="Children", budget_pence=0)
    line = SavingsLine.objects.create(
        plan=programme, workstream=stream, reference="A/R.6.253",
        title="Children looked after in line with statistical neighbours",
    )  # fmt: skip
    line.phasing.create(year=2025, amount_pence=150_000_000)
    record = gap_evidence(plan)
    evidence = attach_evidence(
        line,
        kind=Evidence.Kind.BENCHMARK_GAP,
        title=record["title"],
        savings=record["savings"],
        parameters=record["parameters"],
    )
    rows = {str(row.year): row for row in compare_with_line(line, evidence)}
    assert rows["2026/27"].planned == Decimal("1500000")
    assert rows["2026/27"].evidenced == 0 and rows["2026/27"].gap == Decimal("1500000")
    assert "already at or below the target" in json.dumps(record["parameters"]["notes"])


@pytest.mark.reference
def test_hertfordshire_costed_with_its_own_ro3_spend(data):
    """Hertfordshire's RO3 net spend per child looked after in 2024/25 is £120,939 (checked
    in the benchmark tests): £2,319.38 a week over the year's 365 days."""
    herts = "E10000015"
    plan = gap_from_benchmark(data, herts, 2025, Decimal(30), FinancialYear(2026), "ro3")
    _, count, per_child, _ = spend_per_child(data, 2025, herts, "net")
    assert count == 999
    assert plan.weekly_unit_cost == (per_child * 7 / 365).quantize(Decimal("0.01"))
    assert plan.weekly_unit_cost == Decimal("2319.38")
    assert "RO3 net spend" in plan.notes[-1]
