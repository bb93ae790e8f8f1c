"""The demo's whole-system evidence (C4 and C1/7), and the gross, offset and net view of it
in the pack and on the command line."""

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.cli import cli
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.demand.needs.scenarios import reproduce as reproduce_needs
from csplan.demand.send.scenarios import reproduce as reproduce_send
from csplan.demand.states import truncate
from csplan.evidence.models import Evidence
from csplan.evidence.records import compare_with_line
from csplan.forecasts.system_demo import DATA_END, load_whole_system_demo
from csplan.monitoring.demo import demo_returns, load_monitoring_demo
from csplan.monitoring.offsets import demand_baselines
from csplan.pack.builder import build_pack

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


def test_the_demo_evidences_c4_and_c1_7_and_the_pack_shows_gross_offset_and_net(
    client, django_user_model
):
    plan = load_monitoring_demo(load_hampshire_demo())
    c4, c17 = load_whole_system_demo(plan)
    assert load_whole_system_demo(plan)  # idempotent: replaces its own evidence
    assert (
        Evidence.objects.filter(
            line__plan=plan, kind__in=["send_scenario", "needs_scenario"]
        ).count()
        == 2
    )

    assert (c4.line.reference, c4.kind) == ("C4", Evidence.Kind.SEND_SCENARIO)
    transport = c4.savings_by_year()
    assert sorted(transport) == [Y16, Y17, Y18] and all(v > 0 for v in transport.values())
    assert (
        reproduce_send(
            {"savings": c4.savings, "parameters": c4.parameters, "data_hash": c4.data_hash}
        ).evidence["savings"]
        == c4.savings
    )
    assert c4.parameters["base_year"] == "2015/16" and c4.parameters["measure"] == "transport"

    assert (c17.line.reference, c17.kind) == ("C1/7", Evidence.Kind.NEEDS_SCENARIO)
    placements = c17.savings_by_year()
    assert placements[Y16] < placements[Y17] < placements[Y18]
    assert c17.parameters["costing"] == "cla_model" and c17.parameters["base_year"] == "2015/16"
    returns = SimpleNamespace(episodes=truncate(demo_returns().episodes, DATA_END),
                              last_date=DATA_END)  # fmt: skip
    record = {"savings": c17.savings, "parameters": c17.parameters}
    assert reproduce_needs(record, returns).evidence["savings"] == c17.savings
    gap = compare_with_line(c17.line, c17)
    assert gap[1].planned == Decimal("8400000") and gap[1].evidenced == placements[Y17]

    # the demo's evidence is dated as made (end of 2016/17 Month 1), so a month's figures
    # have it from then on and never before
    def references(day):
        return sorted(r for b in demand_baselines(plan, day) for r in b.references)

    assert references(MonitoringPeriod(Y16, 1).first_day) == []
    assert references(MonitoringPeriod(Y16, 1).last_day) == ["C1/7", "C4", "C6"]

    pack = build_pack(plan, MonitoringPeriod(Y16, 9), ["gross_offset_net"])
    table = pack.table("gross_offset_net")
    labels = [row.cells[0] for row in table.rows]
    placements_row = next(label for label in labels if "Children looked after" in label)
    assert placements_row.endswith("(C1/7, C6)")  # one baseline, counted once
    assert any("(C4)" in label for label in labels)
    gross = table.row_labelled("Gross savings delivered (achieved or forecast)").cells[1:]
    offset = table.row_labelled("Total offset").cells[1:]
    net = table.row_labelled("Net saving (gross less offset)").cells[1:]
    assert [g - o for g, o in zip(gross, offset, strict=True)] == list(net)
    recorded = table.row_labelled("Offsets recorded in monitoring (offset by demand)").cells[1]
    assert recorded == Decimal("250000")  # C3, Month 9
    chart = next(c for c in pack.charts if c.name == "gross_offset_net")
    assert "<svg" in chart.svg and "2017/18: gross" in chart.description

    result = CliRunner().invoke(
        cli,
        [
            "monitoring",
            "gross-net",
            "--year",
            "2016/17",
            "--month",
            "9",
            "--plan",
            plan.name,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)[0]
    assert data["name"] == "gross_offset_net"
    assert data["rows"][-2]["cells"][1] == str(round(net[0] / 1000))

    user = django_user_model.objects.create_user("finance", password="a-long-pw-1")
    client.force_login(with_role(user, "finance"))
    page = client.get("/monitoring/?year=2016/17&month=9").content.decode()
    assert "Gross savings, demand growth absorbed and net change in spend" in page
    twin = client.get("/monitoring/table/gross_offset_net.csv?year=2016/17&month=9")
    assert twin.status_code == 200 and "Total offset" in twin.content.decode()
