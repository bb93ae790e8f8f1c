"""80% band coverage of csplan's demand model in rolling-origin back-tests, by months ahead.

    .venv/bin/python benchmarks/demand_coverage.py [--sizes 1000,10000] [--seeds 11,12,13]
        [--months 24] [--origins 6] [--spacing 2] [--simulations 300]
        [--group-mix-error 0,0.05,0.1] [--level-error 0,0.02,0.04]
        [--exits constant,duration]

For each size (children in care on 31 March 2025) it generates synthetic SSDA903 returns
(``csplan.demand.synthetic``, five collection years) and runs
``csplan.demand.backtest.rolling_backtest``: fits at ``--origins`` month ends ``--spacing``
months apart, forecasts ``--months`` ahead, and prints, for several months ahead, the share of
forecasts whose actual total fell inside the 80% band and the mean share over the placement
groups (groups with children), once per exit model (``--exits``, default the shipped
configuration's) and pair of values of the group-mix and the level model errors (default
``csplan.demand.forecast.GROUP_MIX_ERROR`` and ``LEVEL_ERROR``). Not a test: it takes a
minute or more a size.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHOWN = (1, 3, 6, 12, 18, 24, 36, 48, 60)

from csplan.demand.forecast import GROUP_MIX_ERROR, LEVEL_ERROR  # noqa: E402


def main() -> None:
    args = _arguments()
    from csplan.demand import backtest as bt
    from csplan.demand.config import load_config
    from csplan.demand.episodes import load_returns
    from csplan.demand.forecast import collection_start, run_forecast
    from csplan.demand.synthetic import returns_files

    with tempfile.TemporaryDirectory(prefix="csplan-coverage-") as work:
        for size in args.sizes:
            results: dict[tuple[str, float, float], list] = {}
            seconds = 0.0
            for seed in args.seeds:
                folder = Path(work) / f"{size}-{seed}"
                for name, content in returns_files(size, years=5, last_year=2025,
                                                   seed=seed).items():  # fmt: skip
                    (folder / name).parent.mkdir(parents=True, exist_ok=True)
                    (folder / name).write_bytes(content)
                returns = load_returns(folder)
                combos = itertools.product(args.exits or [load_config().exits],
                                           args.group_mix_error, args.level_error)  # fmt: skip
                for exits, error, level in combos:
                    bt.run_forecast = functools.partial(run_forecast, group_mix_error=error,
                                                        level_error=level)  # fmt: skip
                    begin = time.perf_counter()
                    results.setdefault((exits, error, level), []).append(bt.rolling_backtest(
                        returns.episodes, returns.last_date, load_config().with_exits(exits),
                        months=args.months,
                        origins=args.origins, spacing=args.spacing,
                        simulations=args.simulations,
                        data_start=collection_start(returns.years),
                    ))  # fmt: skip
                    seconds += time.perf_counter() - begin
            for (exits, error, level), found in results.items():
                print(_line(size, f"{exits}: {error} / {level}", found), flush=True)
            print(f"({size:,} children: {seconds:.0f} s of back-tests)", flush=True)


def _line(size: int, error: str, results: list) -> str:
    """Coverage by months ahead pooled over the seeds (each seed has as many origins)."""
    cells = []
    for index, h in enumerate(results[0].horizons):
        if h.months in SHOWN:
            total = np.mean([r.horizons[index].total for r in results])
            groups = np.mean([v for r in results for v in r.horizons[index].groups.values()
                              if v is not None])  # fmt: skip
            cells.append(f"{h.months}: {total:.0%} / {groups:.0%}")
    forecasts = sum(len(r.origins) for r in results)
    return f"| ~{size:,} | {error} | {forecasts} | " + " | ".join(cells) + " |"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_numbers(int), default=[1000, 10000])
    parser.add_argument(
        "--seeds",
        type=_numbers(int),
        default=[11],
        help="Synthetic returns of each seed; coverage pooled over them.",
    )
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--origins", type=int, default=6)
    parser.add_argument("--spacing", type=int, default=2)
    parser.add_argument("--simulations", type=int, default=300)
    parser.add_argument("--group-mix-error", type=_numbers(float), default=[GROUP_MIX_ERROR])
    parser.add_argument("--level-error", type=_numbers(float), default=[LEVEL_ERROR])
    parser.add_argument(
        "--exits",
        type=_names,
        default=[],
        help="Exit models (durations.EXIT_VARIANTS), comma-separated.",
    )
    return parser.parse_args()


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _numbers(kind):
    return lambda text: [kind(part) for part in text.split(",") if part.strip()]


if __name__ == "__main__":
    main()
