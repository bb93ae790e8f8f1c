"""The demand pages' demo: the demo council's synthetic returns, two saved scenarios and a
stored baseline forecast (so the pages, and the committee pack's fan chart, have content).

The returns are the ones the monitoring demo re-runs C6's evidence on
(``csplan.monitoring.demo.demo_return_files``); no real child is in them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from csplan.forecasts import services
from csplan.forecasts.models import Dataset, Scenario
from csplan.forecasts.uploads import Blob

DATASET_NAME = "Demo council SSDA903 returns, 2011-12 to 2016-17 (synthetic)"
SCENARIOS = {
    "More in-house fostering": (
        "Half of the children who would go to agency foster carers go to the council's own "
        "carers, reached over a year from April 2017.",
        {"adjustments": [{"kind": "in_house_share", "share": 0.5, "start": "2017-04-01",
                          "ramp_months": 12}]},
    ),
    "Edge of care: fewer entries": (
        "Edge-of-care support: 10% fewer children entering care, reached over six months.",
        {"adjustments": [{"kind": "entry_rate", "multiply": 0.9, "start": "2017-04-01",
                          "ramp_months": 6}]},
    ),
    "Step-down from residential": (
        "A fifth of children in residential care a year step down to in-house foster carers.",
        {"adjustments": [{"kind": "step_down", "add": 0.2, "start": "2017-04-01",
                          "ramp_months": 12}]},
    ),
}  # fmt: skip


@transaction.atomic
def load_demand_demo(*, user: Any = None) -> Dataset:
    """Store the demo returns (once), the scenarios and the baseline forecast (idempotent)."""
    from csplan.monitoring.demo import demo_return_files

    dataset = Dataset.objects.filter(name=DATASET_NAME).first()
    if dataset is None:
        blobs = [Blob(name, content) for name, content in demo_return_files().items()]
        dataset = services.create_dataset(DATASET_NAME, blobs, user=user)
    for name, (description, definition) in SCENARIOS.items():
        if not Scenario.objects.filter(name=name).exists():
            services.save_scenario(name, definition, description=description, user=user)
    services.forecast_run(dataset, None, user=user)
    return dataset
