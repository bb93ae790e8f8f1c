"""Gross savings, the demand growth they absorb and the net change in spend."""

from datetime import date
from decimal import Decimal

import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.history import effective_on
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.evidence.models import Evidence
from csplan.evidence.records import attach_evidence
from csplan.monitoring.movements import (
    DemandBaseline,
    MovementKind,
    MovementSpec,
    gross_offset_net_by_year,
)
from csplan.monitoring.offsets import demand_baselines, gross_by_year, gross_offset_net_for
from csplan.monitoring.reports import gross_offset_net_report
from csplan.monitoring.store import apply_movement

Y15, Y16, Y17, Y18 = (FinancialYear(y) for y in (2015, 2016, 2017, 2018))
M12 = MonitoringPeriod(Y16, 12)


def test_net_is_gross_less_each_baselines_growth_and_the_recorded_offsets():
    cla = DemandBaseline("a", "Placements", ("C6",), {Y16: Decimal(100), Y17: Decimal(130)},
                         Y15, Decimal(90))  # fmt: skip
    send = DemandBaseline("b", "Transport", ("C4",), {Y17: Decimal(55)}, Y17, Decimal(55))
    rows = gross_offset_net_by_year(
        [Y16, Y17, Y18], {Y16: Decimal(50), Y17: Decimal(80)}, [cla, send], {Y16: Decimal(5)}
    )
    assert [r.growth for r in rows] == [(Decimal(10), None), (Decimal(40), Decimal(0)),
                                        (None, None)]  # fmt: skip
    assert [r.result.offset for r in rows] == [Decimal(15), Decimal(40), Decimal(0)]
    assert [r.result.net for r in rows] == [Decimal(35), Decimal(40), Decimal(0)]
    assert [r.spend_change for r in rows] == [Decimal(-35), Decimal(-40), Decimal(0)]
    table = gross_offset_net_report(rows, [cla, send], M12)
    assert table.row_labelled("Net saving (gross less offset)").cells[1:] == (
        Decimal(35), Decimal(40), Decimal(0))  # fmt: skip
    assert table.displayed()[2][3] == "n/a"


def _evidence(line, kind, baseline, *, made=date(2016, 4, 1), **extra):
    parameters = {"baseline_cost": baseline, **extra}
    with effective_on(made):
        return attach_evidence(line, kind=kind, title=f"{kind} {line.reference}",
                               savings={Y16: Decimal(1)}, data_hash="d" * 64,
                               parameters=parameters)  # fmt: skip


@pytest.mark.django_db
def test_a_months_figures_use_only_the_evidence_in_effect_by_its_end():
    plan = load_hampshire_demo()
    lines = {line.reference: line for line in plan.lines.all()}
    costs = {"2016/17": "1000000.00", "2017/18": "1300000.00", "2018/19": "1500000.00"}
    _evidence(lines["C6"], Evidence.Kind.DEMAND_SCENARIO, costs, made=date(2016, 4, 30))
    _evidence(lines["C4"], Evidence.Kind.SEND_SCENARIO,
              {"2016/17": "200.00", "2017/18": "260.00", "2018/19": "300.00"},
              measure="transport", area={"name": "Testshire"}, base_year="2015/16",
              base_cost="150.00", made=date(2016, 10, 31))  # fmt: skip
    _evidence(lines["C3"], Evidence.Kind.DEMAND_SCENARIO, costs, made=date.today())

    def references(day):
        return sorted(r for b in demand_baselines(plan, day) for r in b.references)

    assert references(date(2016, 4, 29)) == []
    assert references(date(2016, 4, 30)) == ["C6"]
    assert references(MonitoringPeriod(Y16, 7).last_day) == ["C4", "C6"]
    assert references(None) == ["C3", "C4", "C6"]
    month_9 = gross_offset_net_for(plan, MonitoringPeriod(Y16, 9))[1]
    assert sorted(r for b in month_9 for r in b.references) == ["C4", "C6"]


@pytest.mark.django_db
def test_a_baseline_two_lines_share_is_counted_once_and_offsets_come_from_the_journal():
    plan = load_hampshire_demo()
    lines = {line.reference: line for line in plan.lines.all()}
    costs = {"2016/17": "1000000.00", "2017/18": "1300000.00", "2018/19": "1500000.00"}
    _evidence(lines["C6"], Evidence.Kind.DEMAND_SCENARIO, costs)
    _evidence(lines["C1/7"], Evidence.Kind.NEEDS_SCENARIO, costs, cla_data_hash="d" * 64,
              costing="cla_model", base_year="2015/16", base_cost="900000.00")  # fmt: skip
    _evidence(lines["C4"], Evidence.Kind.SEND_SCENARIO,
              {"2016/17": "200.00", "2017/18": "260.00", "2018/19": "300.00"},
              measure="transport", area={"name": "Testshire"}, base_year="2015/16",
              base_cost="150.00")  # fmt: skip
    apply_movement(lines["C3"], MovementSpec(MovementKind.DEMAND_OFFSET, Decimal(7), Y16),
                   MonitoringPeriod(Y16, 3), reason="test")  # fmt: skip
    baselines = demand_baselines(plan)
    assert len(baselines) == 2
    placements = next(b for b in baselines if "C6" in b.references)
    assert set(placements.references) == {"C6", "C1/7"}
    assert placements.base_year == Y15  # the base the needs evidence knows
    rows, found = gross_offset_net_for(plan, M12)
    gross = gross_by_year(plan, M12)
    # no monitoring yet: the planned in-year savings, Hampshire's Appendix 1 (5,536 / 22,836)
    assert (gross[Y16], gross[Y17]) == (Decimal("5536000"), Decimal("22836000"))
    growth_16 = Decimal(100000) + Decimal(50)
    assert rows[0].result.offset == growth_16 + Decimal(7)
    assert rows[0].result.net == gross[Y16] - growth_16 - Decimal(7)
    labels = [row.cells[0] for row in gross_offset_net_report(rows, found, M12).rows]
    assert any(label.endswith("(C1/7, C6)") for label in labels)
    assert (
        "Demand growth absorbed: SEN home-to-school transport (EHC plan model, Testshire) (C4)"
        in labels
    )
