"""Back-test the levels-of-need model (csplan.demand.needs) on DfE's published years, every LA.

    .venv/bin/python benchmarks/needs_backtest.py [--reference DIR] [--simulations 1000]

Fits at each year ending 31 March from 2016 to 2024, forecasts up to three years ahead, and
compares with DfE's children in need (b1), referrals (c1), child protection (d5, d3) and
children looked after files (2021-2025 only, so the flow into care is scored from the 2022
origin). Prints, by measure and years ahead, error, bias and 80% band coverage for the origins
the shipped settings were chosen on (2016-2020) and those held back (2021-2024), then the
naive rival (the last year held). Not a test: it reads the published files.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from csplan.demand.annual.scores import summarise, summary_lines
from csplan.demand.needs.backtest import MEASURES, backtest_all
from csplan.demand.needs.model import load_options
from csplan.demand.needs.readers import read_path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reference",
        type=Path,
        default=Path(
            os.environ.get("CSPLAN_REFERENCE_DIR") or ROOT / ".." / "shared" / "reference"
        ),
    )
    parser.add_argument("--simulations", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="Also write the summaries as JSON.")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = read_path(args.reference)
    areas = [figures.area(code) for code in figures.la_codes()]
    read = time.perf_counter() - started
    result = backtest_all(areas, load_options(simulations=args.simulations))
    elapsed = time.perf_counter() - started
    print(
        f"Levels-of-need model back-test: {len(areas)} LAs, {len(result.scores):,} scores, "
        f"{args.simulations} paths each; read {read:.1f} s, all {elapsed:.1f} s"
    )
    if result.skipped:
        print(
            f"Skipped {len(result.skipped)} origins (too few years): "
            + "; ".join(f"{a} {o}" for a, o, _ in result.skipped[:5])
        )
    out = {}
    for label, chosen in (
        ("settings chosen on origins 2016-2020", lambda o: o <= 2020),
        ("held back: origins 2021-2024", lambda o: o >= 2021),
        ("all origins", lambda o: True),
    ):
        scores = [s for s in result.scores if chosen(s.origin)]
        summaries = summarise(scores, MEASURES)
        out[label] = [s.to_dict() for s in summaries]
        print(f"\n{label}")
        print("\n".join(summary_lines(summaries)))
    naive = summarise(result.naive, MEASURES)
    out["naive"] = [s.to_dict() for s in naive]
    print("\nnaive rival (the last year held), all origins")
    print("\n".join(summary_lines(naive)))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
