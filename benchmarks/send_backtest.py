"""Back-test the EHC plan model (csplan.demand.send) on DfE's published years, every LA.

    .venv/bin/python benchmarks/send_backtest.py [--reference DIR] [--simulations 1000]

Fits at each January origin with at least two earlier Januaries (2021 to 2024), forecasts up
to three Januaries ahead, and compares with DfE's "Education, health and care plans" release
(reporting year 2025). Prints, by measure (all plans and each setting group) and years ahead:
the number of forecasts, the mean and median absolute percentage error, the bias and the
share of actuals inside the 80% band, for the origins the shipped settings were chosen on
(2021-2022) and the origins held back to check them (2023-2024); then a naive rival (the
last January grown at the last year's rate). Not a test: it reads the published files.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from csplan.demand.annual.scores import summarise, summary_lines
from csplan.demand.send.backtest import MEASURES, backtest_all
from csplan.demand.send.model import load_options
from csplan.demand.send.readers import read_path

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
    figures = read_path(args.reference / "ehcp_2025")
    areas = [figures.area(code) for code in figures.la_codes()]
    read = time.perf_counter() - started
    result = backtest_all(areas, load_options(simulations=args.simulations))
    elapsed = time.perf_counter() - started
    print(
        f"EHC plan model back-test: {len(areas)} LAs, {len(result.scores):,} scores, "
        f"{args.simulations} paths each; read {read:.1f} s, all {elapsed:.1f} s"
    )
    if result.skipped:
        print(
            f"Skipped {len(result.skipped)} origins (too few years): "
            + "; ".join(f"{a} {o}" for a, o, _ in result.skipped[:5])
        )
    out = {}
    for label, chosen in (
        ("settings chosen on origins 2021-2022", lambda o: o <= 2022),
        ("held back: origins 2023-2024", lambda o: o >= 2023),
        ("all origins", lambda o: True),
    ):
        scores = [s for s in result.scores if chosen(s.origin)]
        summaries = summarise(scores, MEASURES)
        out[label] = [s.to_dict() for s in summaries]
        print(f"\n{label}")
        print("\n".join(summary_lines(summaries)))
    naive = summarise(result.naive, MEASURES)
    out["naive"] = [s.to_dict() for s in naive]
    print("\nnaive rival (last January grown at the last year's rate), all origins")
    print("\n".join(summary_lines(naive)))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
