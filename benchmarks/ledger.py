"""Ledger speed: store, load and calculate a 500-line, 6-year programme. Prints figures.

Run: .venv/bin/python benchmarks/ledger.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("CSPLAN_DATA_DIR", tempfile.mkdtemp(prefix="csplan-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplan.settings")


def _timed(label: str, function, repeat: int = 5):  # noqa: ANN001, ANN202 - tiny harness
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<48} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from csplan.programme.calculations import (
        proposals_appendix,
        target_comparison,
        workstream_table,
    )
    from csplan.programme.models import Plan
    from csplan.programme.store import programme_figures, save_programme
    from csplan.programme.synthetic import synthetic_programme

    call_command("migrate", verbosity=0)
    figures = synthetic_programme(lines=500, years=6)
    print(f"programme: {len(figures.lines)} lines, {len(figures.years)} years")
    _timed("save_programme (first import, with history)", lambda: save_programme(figures), 1)
    _timed("save_programme (re-import, nothing changed)", lambda: save_programme(figures), 3)
    plan = Plan.objects.get(name=figures.plan)
    loaded = _timed("programme_figures (load from database)", lambda: programme_figures(plan))
    _timed("workstream_table", lambda: workstream_table(loaded), 20)
    _timed("proposals_appendix", lambda: proposals_appendix(loaded), 20)
    _timed("target_comparison", lambda: target_comparison(loaded), 20)
    tracemalloc.start()
    programme_figures(plan)
    _, peak = tracemalloc.get_traced_memory()
    print(f"{'peak Python memory to load the programme':<48} {peak / 1e6:9.1f} MB")


if __name__ == "__main__":
    main()
