"""``csplan plan list|new|archive`` and ``--plan`` on the commands that read or write a plan."""

from decimal import Decimal

import pytest
from click.testing import CliRunner

from csplan.cases.demo import load_cambridgeshire_plan, load_hampshire_demo
from csplan.cli import cli
from csplan.core.periods import FinancialYear
from csplan.programme.models import Plan
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db


def run(*args):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def test_new_plan_with_targets_then_list_and_archive():
    made = run(
        "plan", "new", "MTFS 2025-28", "--council", "Testshire Council",
        "--years", "2025/26-2027/28", "--target", "2025/26=1500000", "--target", "2026/27=750000",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "its slug is mtfs-2025-28" in made.output
    plan = Plan.objects.get(slug="mtfs-2025-28")
    assert [str(year) for year in plan.years] == ["2025/26", "2026/27", "2027/28"]
    figures = programme_figures(plan)
    assert figures.targets == {
        FinancialYear(2025): 1500000,
        FinancialYear(2026): 750000,
    }
    listed = run("plan", "list")
    assert (
        "mtfs-2025-28\tTestshire Council: MTFS 2025-28\t2025/26 to 2027/28\t0 lines"
        in listed.output
    )
    assert run("plan", "archive", "mtfs-2025-28").exit_code == 0
    assert "mtfs-2025-28" not in run("plan", "list").output
    assert "(archived)" in run("plan", "list", "--all").output
    assert plan.history.count() == 2  # created, then archived


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("2025/26-2024/25", "the last year comes before the first"),
        ("2025-2027", "is not a range of financial years"),
        ("2025/27", "2025/27"),
    ],
)
def test_new_plan_refuses_bad_years(years, message):
    result = run("plan", "new", "P", "--council", "C", "--years", years)
    assert result.exit_code == 2 and message in result.output
    assert not Plan.objects.exists()


def test_new_plan_refuses_a_target_outside_its_years():
    result = run(
        "plan", "new", "P", "--council", "C", "--years", "2025/26-2026/27",
        "--target", "2030/31=5",
    )  # fmt: skip
    assert result.exit_code == 2 and "2030/31 is not one of the plan's years" in result.output
    assert not Plan.objects.exists()


def test_with_several_plans_the_choice_is_explicit():
    load_hampshire_demo()
    load_cambridgeshire_plan()
    refused = run("table", "targets")
    assert refused.exit_code == 1
    assert "The database holds 2 plans: choose one of" in refused.output
    assert "transformation-to-2017 (Hampshire County Council: Transformation to 2017)" in (
        refused.output
    )
    chosen = run("table", "targets", "--plan", "transformation-to-2017")
    assert chosen.exit_code == 0 and "23,300" in chosen.output
    by_name = run("table", "targets", "--plan", "Transformation to 2017")
    assert by_name.output == chosen.output
    unknown = run("table", "targets", "--plan", "nope")
    assert unknown.exit_code == 1 and "There is no plan called 'nope'" in unknown.output


APPENDIX = (
    "Ref,Title,2025/26,2026/27\n"
    "F1,Edge of care team,100,250\n"
    "F2,In-house fostering recruitment,50,50\n"
)


def test_a_csv_starts_a_new_plan_with_the_workstream_given(tmp_path):
    run("plan", "new", "MTFS", "--council", "Testshire Council", "--years", "2025/26-2026/27")
    load_hampshire_demo()  # a second plan: --plan is needed
    path = tmp_path / "appendix.csv"
    path.write_text(APPENDIX, encoding="utf-8")
    refused = run("import", path, "--phasing", "cumulative", "--plan", "mtfs")
    assert refused.exit_code == 1
    assert "F1 is a new line and has no workstream" in refused.output
    assert "(--workstream NAME)" in refused.output
    plan = Plan.objects.get(slug="mtfs")
    assert not plan.lines.exists()
    done = run(
        "import", path, "--phasing", "cumulative", "--plan", "mtfs", "--workstream", "Early help"
    )
    assert done.exit_code == 0, done.output
    figures = programme_figures(plan)
    assert [line.reference for line in figures.lines] == ["F1", "F2"]
    assert {line.workstream for line in figures.lines} == {"Early help"}
    first = figures.lines[0]
    assert first.phasing == {FinancialYear(2025): 100000, FinancialYear(2026): 150000}
    assert [w.name for w in figures.workstreams] == ["Early help"]


def test_a_csv_without_workstreams_into_a_plan_that_has_them_names_the_option(tmp_path):
    load_hampshire_demo()
    path = tmp_path / "appendix.csv"
    path.write_text("Ref,Title,2016/17,2017/18,2018/19\nC9,New line,1,2,3\n", encoding="utf-8")
    refused = run("import", path, "--phasing", "cumulative")
    assert refused.exit_code == 1 and "(--workstream NAME)" in refused.output
    unknown = run("import", path, "--phasing", "cumulative", "--workstream", "Typo stream")
    assert unknown.exit_code == 0  # a named workstream for new lines is added to the plan
    plan = Plan.objects.get(slug="transformation-to-2017")
    assert plan.lines.get(reference="C9").workstream.name == "Typo stream"


def test_new_plan_with_workstreams_goes_through_the_same_rules_as_the_web():
    made = run(
        "plan", "new", "MTFS", "--council", "Testshire Council", "--years", "2025/26-2026/27",
        "--workstream", "Early help=12500000", "--workstream", "Placements=£3,000,000.50",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    figures = programme_figures(Plan.objects.get(slug="mtfs"))
    assert [(w.name, str(w.budget)) for w in figures.workstreams] == [
        ("Early help", "12500000.00"),
        ("Placements", "3000000.50"),
    ]
    twice = run(
        "plan", "new", "MTFS 2", "--council", "Testshire Council", "--years", "2025/26",
        "--workstream", "A=1", "--workstream", "a=2",
    )  # fmt: skip
    assert twice.exit_code == 1 and "There are two workstreams called a." in twice.output
    assert run("plan", "new", "P", "--council", "C", "--years", "2025/26",
               "--workstream", "no amount").exit_code == 2  # fmt: skip


def test_edit_a_plan_through_the_same_rules_as_the_web():
    run("plan", "new", "MTFS", "--council", "Testshire Council", "--years", "2025/26-2026/27",
        "--target", "2025/26=100", "--workstream", "Early help=1000")  # fmt: skip
    changed = run(
        "plan", "edit", "mtfs", "--rename", "MTFS 2025-28", "--years", "2025/26-2027/28",
        "--target", "2027/28=2500.50", "--workstream", "Early help=1200",
        "--workstream", "Placements=800",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert changed.output == "Changed Testshire Council: MTFS 2025-28 (2025/26 to 2027/28).\n"
    plan = Plan.objects.get(slug="mtfs")
    figures = programme_figures(plan)
    assert figures.targets == {FinancialYear(2027): Decimal("2500.50")}
    assert [(w.name, w.budget) for w in figures.workstreams] == [
        ("Early help", Decimal("1200")),
        ("Placements", Decimal("800")),
    ]
    assert plan.history.latest("history_id").history_change_reason == (
        "Changed with csplan plan edit"
    )
    refused = run("plan", "edit", "mtfs", "--workstream", "a=1", "--workstream", "A=2")
    assert refused.exit_code == 1 and "There are two workstreams called A." in refused.output
