"""The demo council: Hampshire's Transformation to 2017 Children's Services programme.

The figures are published (decision report 6889, September 2015); officers appear by role.
The programme is dated as it happened: its lines take effect on 16 September 2015, the day
the Executive Member's recorded decision approved them (the plan's approved baseline). The
loader that stores it with that decision is ``csplan.cases.demo.load_hampshire_demo`` (a
decision is a case record, above the programme).
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from csplan.programme.exchange import programme_from_dict
from csplan.programme.figures import ProgrammeFigures

HAMPSHIRE_FILE = "hampshire_t17.json"
#: The Executive Member's decision (report 6889) that approved the programme.
APPROVAL_DATE = dt.date(2015, 9, 16)


def hampshire_figures() -> ProgrammeFigures:
    """The Hampshire programme as plain values (no database needed)."""
    text = resources.files("csplan.programme").joinpath("data", HAMPSHIRE_FILE).read_text("utf-8")
    return programme_from_dict(json.loads(text), HAMPSHIRE_FILE)
