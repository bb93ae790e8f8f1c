"""The demo council: Hampshire's Transformation to 2017 Children's Services programme.

The figures are published (decision report 6889, September 2015); officers appear by role.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from csplan.programme.exchange import programme_from_dict
from csplan.programme.figures import ProgrammeFigures

HAMPSHIRE_FILE = "hampshire_t17.json"


def hampshire_figures() -> ProgrammeFigures:
    """The Hampshire programme as plain values (no database needed)."""
    text = resources.files("csplan.programme").joinpath("data", HAMPSHIRE_FILE).read_text("utf-8")
    return programme_from_dict(json.loads(text), HAMPSHIRE_FILE)


def load_hampshire_demo(user: Any = None) -> Any:
    """Store the Hampshire programme (idempotent) and return its ``Plan``."""
    from csplan.programme.store import save_programme

    return save_programme(hampshire_figures(), user=user, reason="Demo council loaded")
