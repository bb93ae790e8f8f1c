"""The whole-system demand demo: evidence for Hampshire's C4 (SEN transport) and C1/7
(integrated family support) from the EHC plan and levels-of-need models.

The figures are synthetic, in DfE's layout, for the benchmark demo's fictional "Demoshire",
sized like Hampshire (``csplan.demand.send.synthetic``, ``csplan.demand.needs.synthetic``):
csplan ships no copy of the published files. C1/7's money comes from the children-looked-after
model run on the demo's synthetic SSDA903 returns to 31 March 2016, the returns C6 uses.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from csplan.core.history import effective_on
from csplan.evidence.models import Evidence
from csplan.forecasts.system import attach_needs, attach_send, find_line
from csplan.programme.models import Plan

DATA_END = dt.date(2016, 3, 31)
#: The evidence, made on the published years to March 2016, takes effect at the end of 2016/17
#: Month 1 (as C6's does): every Month N pack of the year uses it.
EVIDENCE_MADE = dt.date(2016, 4, 30)
# Hampshire's four SEN transport measures (seed 000, 4.59) and its demand management work
# (4.58: fewer requests for statutory assessment), from 2016/17.
C4_SCENARIO = {
    "name": "SEN transport remodelling",
    "description": "Personal travel allowances, travel training, escorts in taxi contracts "
    "and route review; fewer requests for assessment through inclusion work.",
    "adjustments": [
        {
            "kind": "personal_budget",
            "start": "2016-04-01",
            "ramp_years": 2,
            "share": 0.15,
            "cost": "2500",
            "label": "Personal travel allowances (direct payments)",
        },
        {
            "kind": "travel_training",
            "start": "2016-09-01",
            "ramp_years": 2,
            "share": 0.10,
            "cost": "1200",
            "label": "Independent travel where appropriate",
        },
        {
            "kind": "route_optimisation",
            "start": "2016-09-01",
            "multiply": 0.93,
            "label": "Escorts in taxi contracts; route review at annual review",
        },
        {
            "kind": "new_plans",
            "start": "2016-04-01",
            "ramp_years": 3,
            "multiply": 0.92,
            "label": "Inclusion work with schools: fewer requests for assessment",
        },
    ],
}
# Hampshire's integrated family support service (seed 000, 4.32-4.45): Level 3 early help
# that stops cases escalating, and step-down from statutory services.
C17_SCENARIO = {
    "name": "Integrated family support (Level 3)",
    "description": "Earlier help at Level 3 so fewer families need statutory social care, "
    "and children stepped down to early help when risk reduces.",
    "adjustments": [
        {
            "kind": "earlier_help",
            "start": "2016-04-01",
            "ramp_years": 2,
            "fewer_referrals": 1000,
            "label": "Early Help Hubs: families helped before referral",
        },
        {
            "kind": "step_down",
            "start": "2016-04-01",
            "ramp_years": 2,
            "share": 0.04,
            "label": "Step-down from Level 4 to Level 3",
        },
        {
            "kind": "escalation",
            "start": "2017-04-01",
            "multiply": 0.95,
            "to": "care",
            "label": "Intensive family support on the edge of care",
        },
    ],
}
TITLES = (
    f"SEND demand model scenario: {C4_SCENARIO['name']}",
    f"Levels of need scenario: {C17_SCENARIO['name']}",
)


def send_demo_run() -> Any:
    """C4's run: transport saving on the synthetic EHC plan files to January 2016."""
    from csplan.demand.send.model import load_options
    from csplan.demand.send.readers import read_published
    from csplan.demand.send.scenarios import SendScenario, run_send_scenario
    from csplan.demand.send.synthetic import AREA, synthetic_files

    figures = read_published(synthetic_files().items())
    return run_send_scenario(
        figures.area(AREA[0]),
        SendScenario.from_dict(C4_SCENARIO),
        options=load_options(),
        horizon=3,
        measure="transport",
        data_hash=figures.hash,
    )


def needs_demo_run() -> Any:
    """C1/7's run: the synthetic flows to March 2016, costed by the CLA model on the returns."""
    from csplan.demand.needs.model import load_options
    from csplan.demand.needs.readers import read_needs
    from csplan.demand.needs.scenarios import NeedsScenario, run_needs_scenario
    from csplan.demand.needs.synthetic import synthetic_files
    from csplan.demand.send.synthetic import AREA
    from csplan.demand.states import truncate
    from csplan.monitoring.demo import demo_returns

    figures = read_needs(synthetic_files().items())
    known = SimpleNamespace(
        episodes=truncate(demo_returns().episodes, DATA_END), last_date=DATA_END
    )
    return run_needs_scenario(
        figures.area(AREA[0]),
        NeedsScenario.from_dict(C17_SCENARIO),
        options=load_options(),
        horizon=3,
        returns=known,
        data_hash=figures.hash,
    )


@transaction.atomic
def load_whole_system_demo(plan: Plan, *, user: Any = None) -> list[Evidence]:
    """Attach C4's and C1/7's evidence to the demo plan (replacing earlier demo evidence)."""
    c4, c17 = find_line("C4", plan), find_line("C1/7", plan)
    Evidence.objects.filter(line__in=[c4, c17], title__in=TITLES).delete()
    with effective_on(EVIDENCE_MADE):
        return [
            attach_send(c4, send_demo_run(), user=user),
            attach_needs(c17, needs_demo_run(), user=user),
        ]
