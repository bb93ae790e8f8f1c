"""Which exit model forecasts best: rolling-origin back-tests of every variant, by size.

    .venv/bin/python benchmarks/demand_exits.py [--sizes 1000,10000,30000] [--seeds 11,12,13]
        [--months 24] [--origins 12] [--spacing 2] [--json /tmp/exits.json]

For each size (children in care on 31 March 2025) and seed it writes synthetic SSDA903 returns
(``csplan.demand.synthetic``, five collection years, with the UASC table) and runs
``csplan.demand.backtest.compare_exits``: the rolling back-test (fits at ``--origins`` month
ends ``--spacing`` months apart, none with less than a year of returns before it, each
forecasting ``--months`` ahead, expected values) once per exit model in
``csplan.demand.durations.EXIT_VARIANTS``. It prints, pooled over the seeds, each variant's
mean absolute percentage error of the placement groups and of the total (means over the
months ahead and the origins), the same at 12 and 24 months ahead, and each group's error for
the constant model and the best by time in care. Not a test: 10-20 minutes at the default
sizes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    args = _arguments()
    from csplan.demand.backtest import compare_exits
    from csplan.demand.config import load_config
    from csplan.demand.episodes import load_returns
    from csplan.demand.forecast import collection_start
    from csplan.demand.synthetic import write_returns

    config = load_config()
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="csplan-exits-") as work:
        for size in args.sizes:
            runs, begin = [], time.perf_counter()
            for seed in args.seeds:
                folder = Path(work) / f"{size}-{seed}"
                write_returns(folder, size, 5, 2025, seed, uasc=True)
                returns = load_returns(folder)
                runs.append(compare_exits(
                    returns.episodes, returns.last_date, config, months=args.months,
                    origins=args.origins, spacing=args.spacing, simulations=0,
                    data_start=collection_start(returns.years),
                ))  # fmt: skip
            seconds = time.perf_counter() - begin
            report[str(size)] = _print_size(size, runs, seconds, config.group_keys)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


def _print_size(size: int, runs: list, seconds: float, group_keys: list[str]) -> dict:
    """Pooled over the seeds: every variant's errors, best first."""
    variants = [c.variant for c in runs[0]]
    pooled = {v: _pooled(v, runs, group_keys) for v in variants}
    ranked = sorted(variants, key=lambda v: (round(pooled[v]["groups"], 6),
                                             round(pooled[v]["total"], 6)))  # fmt: skip
    forecasts = sum(len(r[0].rolling.origins) for r in runs)
    print(f"\n~{size:,} children in care: {forecasts} forecasts ({len(runs)} seeds), "
          f"{seconds:.0f} s; mean absolute % error, means over the months ahead")  # fmt: skip
    print(
        "| exit model | groups | total | groups 12 months ahead | groups 24 | total 12 | total 24 |"
    )
    print("|---|---|---|---|---|---|---|", flush=True)
    for v in ranked:
        p = pooled[v]
        print(f"| {v} | {p['groups']:.2f}% | {p['total']:.2f}% | {p['groups_12']:.2f}% | "
              f"{p['groups_24']:.2f}% | {p['total_12']:.2f}% | {p['total_24']:.2f}% |")  # fmt: skip
    best = next(v for v in ranked if v != "constant")
    print(f"\nBy group (mean absolute % error over the months ahead): constant and the best "
          f"by time in care, {best}")  # fmt: skip
    print("| group | constant | " + best + " |")
    print("|---|---|---|")
    for key in group_keys:
        a, b = pooled["constant"]["by_group"][key], pooled[best]["by_group"][key]
        if a is not None:
            print(f"| {key} | {a:.2f}% | {b:.2f}% |")
    return {"ranked": ranked, "pooled": pooled, "forecasts": forecasts, "seconds": seconds}


def _pooled(variant: str, runs: list, group_keys: list[str]) -> dict:
    chosen = [next(c for c in run if c.variant == variant) for run in runs]

    def groups_at(months: int | None) -> float:
        values = [v for c in chosen for h in c.rolling.horizons
                  if months is None or h.months == months
                  for v in h.group_mape.values() if v is not None]  # fmt: skip
        return float(np.mean(values))

    def total_at(months: int | None) -> float:
        values = [h.total_mape for c in chosen for h in c.rolling.horizons
                  if months is None or h.months == months]  # fmt: skip
        values = [v for v in values if v is not None]
        return float(np.mean(values))

    by_group = {}
    for key in group_keys:
        values = [c.group_mape[key] for c in chosen if c.group_mape[key] is not None]
        by_group[key] = float(np.mean(values)) if values else None
    return {"groups": groups_at(None), "total": total_at(None), "groups_12": groups_at(12),
            "groups_24": groups_at(24), "total_12": total_at(12), "total_24": total_at(24),
            "by_group": by_group}  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_numbers, default=[1000, 10000, 30000])
    parser.add_argument("--seeds", type=_numbers, default=[11, 12, 13])
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--origins", type=int, default=12)
    parser.add_argument("--spacing", type=int, default=2)
    parser.add_argument("--json", help="Also write the figures to this file.")
    return parser.parse_args()


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


if __name__ == "__main__":
    main()
