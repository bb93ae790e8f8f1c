"""A web scenario re-run, warm: seconds (wall and CPU) of what the page runs, in process.

    .venv/bin/python benchmarks/demand_scenario.py [--children 1000] [--seed 0]
        [--repeats 5] [--simulations 500] [--scenario in_house|entry|length|step_down|all]
        [--profile N]

It generates synthetic SSDA903 returns (``csplan.demand.synthetic``, five collection years to
31 March 2025, about ``--children`` in care at the end), reads them once (``load_returns``:
the page keeps the returns read, so this is the "warm" state), then times ``--repeats`` runs
of exactly what the web's evidence page runs (``csplan.forecasts.engine.evidence_record``):
``csplan.demand.scenarios.run_scenario`` with the web's options (60 months, seed 0, 500 sample
paths, monthly steps), the shipped model configuration and unit costs: fit, forecast the
baseline and the scenario (common random numbers), cost both, the saving and its band. One
run first is not timed (imports, caches). It prints the median, minimum and maximum of wall
and CPU (process time, all threads) seconds and the load average (the machine is shared:
read CPU beside wall). ``--profile N`` prints cProfile's top N functions of one more run.

Two sets of runs: the baseline remembered from the run before (``run_scenario`` remembers
the last few baselines, so another scenario on the same returns forecasts only the scenario:
the web's re-run) and forgotten before each run (both forecast, as on first use of the returns).

The scenarios are the demo's (``csplan.forecasts.demo``), starting a month after the data:
``in_house`` (half of agency-fostering entrants to in-house carers over 12 months, the
default), ``entry`` (10% fewer entries over six months), ``step_down`` (a fifth of
residential children a year to in-house fostering over 12 months), ``length`` (stays 10%
shorter over 12 months), ``all`` (the four together).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START = "2025-04-01"
ADJUSTMENTS = {
    "in_house": {"kind": "in_house_share", "share": 0.5, "start": START, "ramp_months": 12},
    "entry": {"kind": "entry_rate", "multiply": 0.9, "start": START, "ramp_months": 6},
    "step_down": {"kind": "step_down", "add": 0.2, "start": START, "ramp_months": 12},
    "length": {"kind": "length_of_stay", "multiply": 0.9, "start": START, "ramp_months": 12},
}


def scenario_definition(name: str) -> dict:
    """The web's scenario definition (a saved scenario's JSON) named ``name``."""
    if name == "all":
        return {"adjustments": list(ADJUSTMENTS.values())}
    return {"adjustments": [ADJUSTMENTS[name]]}


def read_returns(children: int, seed: int):
    from csplan.demand.episodes import load_returns
    from csplan.demand.synthetic import returns_files

    with tempfile.TemporaryDirectory(prefix="csplan-scenario-") as work:
        for name, content in returns_files(children, years=5, last_year=2025, seed=seed).items():
            target = Path(work) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        return load_returns(Path(work))


@functools.cache
def _config():
    from csplan.demand.config import load_config

    return load_config()  # read once, as csplan.forecasts.engine._config


@functools.cache
def _assumptions():
    from csplan.demand.costs import load_assumptions

    return load_assumptions()  # read once, as csplan.forecasts.engine._assumptions


def web_rerun(returns, definition: dict, simulations: int = 500):
    """What ``csplan.forecasts.engine.evidence_record`` runs, without Django's settings."""
    from csplan.demand.scenarios import RunOptions, Scenario, run_scenario

    return run_scenario(
        returns.episodes, returns.last_date, Scenario.from_dict({"name": "scenario", **definition}),
        config=_config(), assumptions=_assumptions(),
        options=RunOptions(months=60, seed=0, simulations=simulations),
        data_hash=returns.data_hash,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--simulations", type=int, default=500)
    parser.add_argument("--scenario", default="in_house", choices=[*ADJUSTMENTS, "all"])
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()

    returns = read_returns(args.children, args.seed)
    definition = scenario_definition(args.scenario)
    run = web_rerun(returns, definition, args.simulations)  # warm-up, not timed
    at_start = int(returns_children(returns))
    print(f"web scenario re-run: {at_start} children in care at {returns.last_date}, "
          f"scenario {args.scenario}, 60 months, {args.simulations} paths, "
          f"{args.repeats} warm runs each")  # fmt: skip
    for remembered in (True, False):
        walls, cpus = [], []
        for _ in range(args.repeats):
            if not remembered:
                forget_baselines()
            wall, cpu = time.perf_counter(), time.process_time()
            web_rerun(returns, definition, args.simulations)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            "- baseline remembered (another scenario on the same returns): the scenario forecast"
            if remembered
            else "- baseline forgotten: the baseline and the scenario forecast"
        )
        print(f"  wall: median {statistics.median(walls):.2f} s "
              f"(min {min(walls):.2f}, max {max(walls):.2f})")  # fmt: skip
        print(f"  CPU:  median {statistics.median(cpus):.2f} s "
              f"(min {min(cpus):.2f}, max {max(cpus):.2f})")  # fmt: skip
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    saving = {y.label: str(v) for y, v in sorted(run.saving.items())}
    print(f"  saving by year: {saving}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        web_rerun(returns, definition, args.simulations)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)


def forget_baselines() -> None:
    from csplan.demand import scenarios

    # Older checkouts remember no baselines.
    getattr(scenarios, "forget_baselines", lambda: None)()


def returns_children(returns) -> int:
    from csplan.demand.config import load_config
    from csplan.demand.states import initial_stock

    return int(initial_stock(returns.episodes, load_config(), returns.last_date).sum())


if __name__ == "__main__":
    main()
