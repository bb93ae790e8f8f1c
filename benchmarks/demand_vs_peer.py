"""csplan's demand model against the peer (``cs-demand-model`` 0.5.1): speed, memory, error.

    .venv/bin/python benchmarks/demand_vs_peer.py [--sizes 1000,10000,30000] [--keep DIR]

Generates synthetic SSDA903 returns (five collection years to 31 March 2025) at each size,
then measures, as whole processes (wall time and peak resident memory, from
``/usr/bin/time -v`` or ``getrusage`` of a wrapper):

- the peer: ``demand-model predict SOURCE`` with its defaults (installed into ``.venv-peer``
  on first use; it pins old pandas);
- csplan: ``load_returns`` + ``fit`` + ``run_forecast`` (12 months, default simulations).
  If ``csplan.demand.forecast`` cannot be imported, csplan's load + input checks are
  measured instead and the table says so (the hook is ``CSPLAN_JOB`` below).

Back-test (sizes up to 10,000 by default): each model is fitted on the data as known on
31 March 2024 (the peer gets only the returns up to 2023-24) and forecasts 31 March 2025;
the error is against the children actually in care that day, in total and as the mean
absolute percentage error over each model's own placement categories.

Not a test: it takes a few minutes and prints a table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
PEER_VENV = ROOT / ".venv-peer"
PEER_PACKAGE = "cs-demand-model==0.5.1"
SEED = 11

# Runs in csplan's environment: argv = folder, mode ("forecast" or "backtest").
CSPLAN_JOB = r"""
import datetime as dt, json, sys
from csplan.demand.episodes import load_returns
returns = load_returns(sys.argv[1])
out = {"episodes": len(returns.episodes), "issues": len(returns.issues), "what": "load"}
try:
    from csplan.demand.config import load_config
    from csplan.demand.forecast import fit, fit_until, run_forecast
    from csplan.demand.states import initial_stock
except ImportError as error:
    out["hook"] = f"forecast not available ({error}): measured load + input checks only"
    print(json.dumps(out)); sys.exit(0)
config = load_config()
if sys.argv[2] == "forecast":
    params = fit(returns.episodes, returns.last_date, config, data_hash=returns.data_hash)
    result = run_forecast(params, 12)
    out.update(what="load+fit+forecast", total=float(result.expected[-1].sum()))
else:
    cut = dt.date(returns.last_date.year - 1, 3, 31)
    params = fit_until(returns.episodes, cut, config)
    result = run_forecast(params, 12)
    actual = initial_stock(returns.episodes, config, returns.last_date).sum(axis=0)
    predicted = result.expected[-1].sum(axis=0)
    out.update(what="backtest", groups=config.group_keys,
               predicted=[float(x) for x in predicted], actual=[float(x) for x in actual])
print(json.dumps(out))
"""

# Runs in the peer's environment: argv = folder (returns up to the cut), start, end, target.
PEER_BACKTEST = r"""
import json, sys
from datetime import date
from cs_demand_model.__main__ import CliSetup
from cs_demand_model import ModelPredictor
start, end, target = (date.fromisoformat(a) for a in sys.argv[2:5])
setup = CliSetup(sys.argv[1], start, end)
predictor = ModelPredictor.from_model(setup.stats, start, end)
population = predictor.predict((target - end).days)
last = population.iloc[-1]
by_category = {}
for (bracket, category), value in last.items():
    if category != "NOT_IN_CARE":
        by_category[category] = by_category.get(category, 0.0) + float(value)
print(json.dumps(by_category))
"""

PEER_CATEGORIES = {
    "FOSTERING": {"U1", "U2", "U3", "U4", "U5", "U6"},
    "RESIDENTIAL": {"K2", "R1"},
    "SUPPORTED": {"H5", "P2", "K3"},  # K3 (2024-25 on) replaces H5/P2; the peer predates it
}
# The peer models a category only from an age: residential from 5, supported from 16.
PEER_BRACKET_MIN_AGE = {"FOSTERING": 0, "RESIDENTIAL": 5, "SUPPORTED": 16}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--backtest-max", type=int, default=10000,
                        help="back-test sizes up to this many children")  # fmt: skip
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    peer = ensure_peer()
    work = args.keep or Path(tempfile.mkdtemp(prefix="csplan-bench-"))
    rows = []
    try:
        for size in sizes:
            rows.append(run_size(size, work / f"cic_{size}", peer, size <= args.backtest_max))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)


def ensure_peer() -> Path | None:
    """``.venv-peer/bin/demand-model``, installing the peer on first use."""
    command = PEER_VENV / "bin" / "demand-model"
    if command.exists():
        return command
    print(f"installing {PEER_PACKAGE} into {PEER_VENV} ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(PEER_VENV / "bin" / "pip"), "install", "-q", PEER_PACKAGE],
                       check=True)  # fmt: skip
    except subprocess.CalledProcessError as error:
        print(f"could not install the peer ({error}); measuring csplan only", file=sys.stderr)
        return None
    return command


def run_size(size: int, folder: Path, peer: Path | None, backtest: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from csplan.demand.synthetic import generate, write_returns

    started = time.perf_counter()
    data = generate(size, years=5, last_year=2025, seed=SEED)
    generate_seconds = time.perf_counter() - started
    write_returns(folder, returns=data)
    row = {
        "size": size,
        "in_care": int((data.episodes[2025]["DEC"] == "").sum()),
        "episode_rows": sum(len(e) for e in data.episodes.values()),
        "generate_s": generate_seconds,
    }
    print(f"[{size}] generated {row['episode_rows']:,} episode rows", file=sys.stderr)
    wall, peak, output = measure([str(PYTHON), "-c", CSPLAN_JOB, str(folder), "forecast"])
    job = _last_json(output)
    row.update(csplan_wall=wall, csplan_mb=peak, csplan_what=job.get("what", "failed"),
               csplan_hook=job.get("hook", ""))  # fmt: skip
    print(f"[{size}] csplan {wall:.1f} s {peak:.0f} MB", file=sys.stderr)
    if peer:
        wall, peak, _ = measure([str(peer), "predict", str(folder)])
        row.update(peer_wall=wall, peer_mb=peak)
        print(f"[{size}] peer {wall:.1f} s {peak:.0f} MB", file=sys.stderr)
    if backtest:
        row.update(backtest_errors(folder, peer))
    return row


def measure(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident MB and stdout of a whole process."""
    timer = Path("/usr/bin/time")
    if timer.exists():
        started = time.perf_counter()
        done = subprocess.run([str(timer), "-v", *command], capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        wall = time.perf_counter() - started
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
        peak = int(match.group(1)) / 1024 if match else float("nan")
    else:  # a fresh wrapper, so RUSAGE_CHILDREN is this command's peak alone
        wrapper = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "sys.stdout.write(p.stdout); print(time.perf_counter() - t, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)"
        )
        done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                              text=True)  # fmt: skip
        wall_text, peak_text = done.stderr.strip().splitlines()[-1].split()
        wall, peak = float(wall_text), int(peak_text) / 1024
    if done.returncode != 0:
        print(f"  {command[0]} failed: {done.stderr[-800:]}", file=sys.stderr)
    return wall, peak, done.stdout


def backtest_errors(folder: Path, peer: Path | None) -> dict:
    """Forecast 31 March 2025 from data to 31 March 2024: total and per-category errors."""
    out: dict = {}
    _, _, output = measure([str(PYTHON), "-c", CSPLAN_JOB, str(folder), "backtest"])
    job = _last_json(output)
    if job.get("what") == "backtest":
        out["csplan_total_err"] = _pct(sum(job["predicted"]), sum(job["actual"]))
        out["csplan_cat_err"] = _mape(job["predicted"], job["actual"])
    if peer is None:
        return out
    cut_folder = folder.with_name(folder.name + "_to2024")
    shutil.rmtree(cut_folder, ignore_errors=True)
    shutil.copytree(folder, cut_folder, ignore=shutil.ignore_patterns("2025"))
    script = folder.with_name("peer_backtest.py")
    script.write_text(PEER_BACKTEST)
    done = subprocess.run([str(PEER_VENV / "bin" / "python"), str(script), str(cut_folder),
                           "2023-09-30", "2024-03-31", "2025-03-31"], capture_output=True,
                          text=True, cwd=tempfile.gettempdir())  # fmt: skip
    predicted = _last_json(done.stdout)
    if not predicted:
        print(f"  peer back-test failed: {done.stderr[-800:]}", file=sys.stderr)
        return out
    actual = peer_actual(folder)
    categories = sorted(actual)
    out["peer_total_err"] = _pct(sum(predicted.values()), sum(actual.values()))
    out["peer_cat_err"] = _mape([predicted.get(c, 0.0) for c in categories],
                                [actual[c] for c in categories])  # fmt: skip
    return out


def peer_actual(folder: Path) -> dict[str, float]:
    """Children in care on 31 March 2025 in the peer's categories, from csplan's reading."""
    import pandas as pd

    from csplan.demand.episodes import load_returns

    returns = load_returns(folder)
    eps = returns.episodes
    day = pd.Timestamp(returns.last_date)
    on = eps[(eps["start"] <= day) & (eps["end"].isna() | (eps["end"] > day))]
    on = on[on["dob"] + pd.DateOffset(years=18) > day]
    counts = dict.fromkeys([*PEER_CATEGORIES, "OTHER"], 0.0)
    ages = (day - on["dob"]).dt.days / 365.25
    for place, age in zip(on["place"], ages, strict=True):
        allowed = [c for c, low in PEER_BRACKET_MIN_AGE.items() if age >= low]
        name = next((c for c in allowed if place in PEER_CATEGORIES[c]), "OTHER")
        counts[name] += 1
    return counts


def _pct(predicted: float, actual: float) -> float:
    return 100 * (predicted - actual) / actual if actual else float("nan")


def _mape(predicted: list[float], actual: list[float]) -> float:
    pairs = [(p, a) for p, a in zip(predicted, actual, strict=True) if a > 0]
    return sum(abs(p - a) / a for p, a in pairs) / len(pairs) * 100 if pairs else float("nan")


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}


def print_table(rows: list[dict]) -> None:
    def cell(row: dict, key: str, fmt: str) -> str:
        value = row.get(key)
        return "—" if value is None else format(value, fmt)

    header = ("| children in care | episode rows | generate | csplan wall | csplan peak | "
              "peer wall | peer peak | back-test total error csplan / peer | "
              "category error (MAPE) csplan / peer |")  # fmt: skip
    print(header)
    print("|" + "---|" * 9)
    for row in rows:
        print(
            f"| {row['in_care']:,} | {row['episode_rows']:,} | {row['generate_s']:.1f} s | "
            f"{cell(row, 'csplan_wall', '.1f')} s | {cell(row, 'csplan_mb', '.0f')} MB | "
            f"{cell(row, 'peer_wall', '.1f')} s | {cell(row, 'peer_mb', '.0f')} MB | "
            f"{cell(row, 'csplan_total_err', '+.1f')}% / {cell(row, 'peer_total_err', '+.1f')}% | "
            f"{cell(row, 'csplan_cat_err', '.1f')}% / {cell(row, 'peer_cat_err', '.1f')}% |"
        )
    whats = {row["csplan_what"] for row in rows}
    print(f"\ncsplan measured: {', '.join(sorted(whats))} (12-month forecast).")
    for row in rows:
        if row.get("csplan_hook"):
            print(f"note: {row['csplan_hook']}")
            break
    print("peer measured: `demand-model predict SOURCE` with its defaults (365 daily steps).")
    print("Categories: csplan's placement groups (config) and the peer's four; the error is "
          "each model against the same episodes, read by csplan.")  # fmt: skip


if __name__ == "__main__":
    main()
