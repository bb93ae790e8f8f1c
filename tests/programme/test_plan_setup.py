"""Setting a plan up and changing it later: one set of rules (``create_plan``,
``update_plan``) for the CLI, the API and the web; every change is recorded."""

from decimal import Decimal

import pytest

from csplan.core.periods import FinancialYear
from csplan.programme.figures import WorkstreamFigures
from csplan.programme.models import Workstream
from csplan.programme.plans import PlanValidationError, create_plan, update_plan
from csplan.programme.store import programme_figures

pytestmark = pytest.mark.django_db

Y24, Y25, Y26, Y27 = (FinancialYear(year) for year in (2024, 2025, 2026, 2027))


def _plan():
    return create_plan(
        "MTFS 2024-28",
        "Testshire Council",
        [Y24, Y25, Y26, Y27],
        targets={Y24: Decimal("1500000"), Y25: Decimal("750000.50")},
        workstreams=[
            WorkstreamFigures("Early help", Decimal("12500000")),
            WorkstreamFigures("Home to school transport", Decimal("4000000"), False),
        ],
    )


def test_a_new_plan_keeps_its_targets_and_workstreams_exactly():
    figures = programme_figures(_plan())
    assert figures.targets == {Y24: Decimal("1500000"), Y25: Decimal("750000.50")}
    assert [(w.name, w.budget, w.is_workstream) for w in figures.workstreams] == [
        ("Early help", Decimal("12500000"), True),
        ("Home to school transport", Decimal("4000000"), False),
    ]


def test_bad_settings_are_refused_field_by_field_and_nothing_is_written():
    with pytest.raises(PlanValidationError) as raised:
        create_plan(
            "",
            "Testshire Council",
            [Y24, Y26],
            targets={Y24: Decimal("-5")},
            workstreams=[WorkstreamFigures("A", Decimal("1.234")), WorkstreamFigures("a", 0)],
        )
    errors = raised.value.errors
    assert errors["name"] == "give the plan a name"
    assert errors["years"] == "the plan's years must follow each other: 2024/25, 2026/27"
    assert errors["targets_2024"] == "the 2024/25 target cannot be negative"
    assert errors["workstream_0_budget"] == "the budget of A: £1.234 has a fraction of a penny"
    assert errors["workstream_1_name"] == "there are two workstreams called a"
    assert not Workstream.objects.exists()


def test_an_edit_renames_rebudgets_and_retargets_and_is_recorded(django_user_model):
    plan = _plan()
    officer = django_user_model.objects.create_user("finance")
    early_help = plan.workstreams.get(name="Early help")
    update_plan(
        plan,
        name="MTFS 2024-29",
        years=[Y24, Y25, Y26, Y27, FinancialYear(2028)],
        targets={Y25: Decimal("800000"), FinancialYear(2028): Decimal("99.99")},
        workstreams=[WorkstreamFigures("Early help and prevention", Decimal("13000000"))],
        workstream_ids=[early_help.pk],
        user=officer,
    )
    plan.refresh_from_db()
    figures = programme_figures(plan)
    assert plan.name == "MTFS 2024-29" and plan.slug == "mtfs-2024-28"
    assert figures.years[-1] == FinancialYear(2028)
    assert figures.targets == {Y25: Decimal("800000"), FinancialYear(2028): Decimal("99.99")}
    assert [(w.name, w.budget) for w in figures.workstreams] == [
        ("Early help and prevention", Decimal("13000000"))
    ]
    renamed = early_help.history.order_by("-history_id").first()
    assert renamed.history_user == officer
    assert (renamed.prev_record.name, renamed.name) == ("Early help", "Early help and prevention")
    budgets = (renamed.prev_record.budget_pence, renamed.budget_pence)
    assert budgets == (1_250_000_000, 1_300_000_000)
    removed = Workstream.history.filter(name="Home to school transport", history_type="-").get()
    assert removed.history_user == officer


def test_an_edit_cannot_drop_a_year_or_workstream_that_holds_savings():
    from csplan.programme.figures import LineFigures
    from csplan.programme.store import create_line

    plan = _plan()
    create_line(
        plan, LineFigures(reference="E1", title="Family hubs", workstream="Early help",
                          phasing={Y27: Decimal("1000")}),
    )  # fmt: skip
    with pytest.raises(PlanValidationError) as raised:
        update_plan(plan, years=[Y24, Y25, Y26], workstreams=[])
    assert raised.value.errors == {
        "years": "savings lines have savings in 2027/28: keep those years",
    }
    with pytest.raises(PlanValidationError) as raised:
        update_plan(plan, workstreams=[WorkstreamFigures("Other", Decimal(0))])
    assert raised.value.errors["workstreams"].startswith("Early help has savings lines")
    assert plan.workstreams.count() == 2


def test_two_workstreams_cannot_swap_names_in_one_change():
    plan = _plan()
    first, second = plan.workstreams.all()
    with pytest.raises(PlanValidationError) as raised:
        update_plan(
            plan,
            workstreams=[
                WorkstreamFigures(second.name, Decimal(1)),
                WorkstreamFigures(first.name, Decimal(2)),
            ],
            workstream_ids=[first.pk, second.pk],
        )
    assert raised.value.errors["workstreams"].startswith("two workstreams cannot swap names")
    assert [w.name for w in plan.workstreams.all()] == ["Early help", "Home to school transport"]
