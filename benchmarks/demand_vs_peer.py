"""csplan's demand model against the peer (``cs-demand-model`` 0.5.1): speed, memory, error.

    .venv/bin/python benchmarks/demand_vs_peer.py [--sizes 1000,10000,30000]
        [--seeds 11,12,13] [--repeats 3] [--peer-repeats 2] [--keep DIR] [--json FILE]

For each size (children in care on 31 March 2025) and each seed it generates synthetic
SSDA903 returns (``csplan.demand.synthetic``, five collection years to 31 March 2025) and:

- speed (first seed only): wall time, CPU time and peak resident memory of whole processes,
  from ``/usr/bin/time -v`` (``getrusage`` of a wrapper process where it is missing), runs
  interleaved: csplan ``load_returns`` + ``fit`` + ``run_forecast`` (12 months, 500
  simulations for the 80% bands), ``--repeats`` times; the peer ``demand-model predict
  SOURCE`` with its defaults, ``--peer-repeats`` times (it is installed into ``.venv-peer``
  on first use: it pins old pandas);
- back-test (every seed): both models fitted on the data as known on 31 March 2024 (the peer
  is given only the returns to 2023-24 and its default 6-month reference window; csplan its
  default 24 months) forecast 31 March 2025. The error is against the children actually in
  care that day, in the peer's four categories (fostering, residential, supported, other)
  and in total; csplan's ten placement groups are mapped onto the four by their PLACE codes.
  Each model is scored against the actual counted with its own codes: they differ only in
  R1, which the peer counts as residential and csplan's default configuration as other.
  csplan's own per-group errors and 80% band coverage come from
  ``csplan.demand.backtest.backtest``. Figures are means over the seeds.

Not a test: it takes several minutes and prints tables (Markdown).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PYTHON = ROOT / ".venv" / "bin" / "python"
PEER_VENV = ROOT / ".venv-peer"
PEER_PACKAGE = "cs-demand-model==0.5.1"
TIMER = Path("/usr/bin/time")
SIMULATIONS = 500
FIT_UNTIL = dt.date(2024, 3, 31)
PEER_WINDOW_START = dt.date(2023, 9, 30)  # the peer's default: 6 months before its end date
TARGET = dt.date(2025, 3, 31)

# The peer's categories (its standard-v1.yaml) and their PLACE codes; K3 (from 2024-25)
# replaces H5/P2 and is counted as supported because the peer predates it.
CATEGORIES = ("fostering", "residential", "supported", "other")
PEER_CODES = {
    "fostering": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "residential": ("K2", "R1"),
    "supported": ("H5", "P2", "K3"),
}
TARGETS = {"speed_up": 10.0, "coverage": (0.70, 0.90)}
COVERAGE_LABELS = {
    "occupied_cell": "occupied cells",
    "group_month": "group × month",
    "total_month": "total × month",
}

# Runs in csplan's environment, as a whole process: argv = folder, simulations.
CSPLAN_JOB = r"""
import json, sys
from csplan.demand.config import load_config
from csplan.demand.episodes import load_returns
from csplan.demand.forecast import fit, run_forecast
returns = load_returns(sys.argv[1])
params = fit(returns.episodes, returns.last_date, load_config(), data_hash=returns.data_hash)
result = run_forecast(params, 12, simulations=int(sys.argv[2]))
print(json.dumps({"episodes": len(returns.episodes), "expected": float(result.expected[-1].sum()),
                  "p10": float(result.total_percentiles[0, -1]),
                  "p90": float(result.total_percentiles[2, -1])}))
"""

# Runs in the peer's environment: argv = folder (returns up to the cut), start, end, target.
PEER_BACKTEST = r"""
import json, sys
from datetime import date
from cs_demand_model import ModelPredictor
from cs_demand_model.__main__ import CliSetup
start, end, target = (date.fromisoformat(a) for a in sys.argv[2:5])
setup = CliSetup(sys.argv[1], start, end)
predictor = ModelPredictor.from_model(setup.stats, start, end)
population = predictor.predict((target - end).days)
by_category = {}
for (bracket, category), value in population.iloc[-1].items():
    if category != "NOT_IN_CARE":
        by_category[category.lower()] = by_category.get(category.lower(), 0.0) + float(value)
print(json.dumps({"date": str(population.index[-1])[:10], "categories": by_category}))
"""


def main() -> None:
    args = _arguments()
    peer = ensure_peer()
    work = args.keep or Path(tempfile.mkdtemp(prefix="csplan-bench-"))
    started = time.perf_counter()
    machine = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
               "date": dt.date.today().isoformat()}  # fmt: skip
    results = []
    try:
        for size in args.sizes:
            results.append(run_size(size, args, work, peer))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    machine.update(load_after=os.getloadavg()[0], minutes=(time.perf_counter() - started) / 60)
    report = {"machine": machine, "seeds": args.seeds, "sizes": results}
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    print(render(report))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,30000",
        type=_ints,
        help="children in care on 31 March 2025, comma-separated",
    )
    parser.add_argument(
        "--seeds",
        default="11,12,13",
        type=_ints,
        help="synthetic data seeds for the back-test (the first is timed)",
    )
    parser.add_argument(
        "--repeats", default=3, type=int, help="how many times csplan is timed at each size"
    )
    parser.add_argument(
        "--peer-repeats", default=2, type=int, help="how many times the peer is timed at each size"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args()  # fmt: skip


def _ints(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = f"expected comma-separated whole numbers: {text!r}"
        raise argparse.ArgumentTypeError(message) from None


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


# -- one size -------------------------------------------------------------------------------


def run_size(size: int, args: argparse.Namespace, work: Path, peer: Path | None) -> dict:
    out: dict[str, Any] = {"size": size, "runs": []}
    for index, seed in enumerate(args.seeds):
        folder = work / f"cic_{size}_seed{seed}"
        data = generate(size, seed, folder)
        run = {"seed": seed, **data}
        if index == 0:
            run["speed"] = speed(folder, args.repeats, peer, args.peer_repeats)
        run["csplan"] = csplan_backtest(folder)
        run["peer"] = peer_backtest(folder) if peer else None
        out["runs"].append(run)
        _log(size, f"seed {seed}: back-test done")
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return out


def generate(size: int, seed: int, folder: Path) -> dict[str, float]:
    from csplan.demand.synthetic import generate as synthetic
    from csplan.demand.synthetic import write_returns

    started = time.perf_counter()
    data = synthetic(size, years=5, last_year=2025, seed=seed)
    seconds = time.perf_counter() - started
    write_returns(folder, returns=data)
    rows = sum(len(frame) for frame in data.episodes.values())
    _log(size, f"seed {seed}: generated {rows:,} episode rows in {seconds:.1f} s")
    return {"in_care": int((data.episodes[2025]["DEC"] == "").sum()), "episode_rows": rows,
            "generate_s": seconds}  # fmt: skip


def speed(folder: Path, repeats: int, peer: Path | None, peer_repeats: int) -> dict[str, Any]:
    """Whole-process wall time, CPU time and peak memory, csplan and peer runs interleaved."""
    out: dict[str, Any] = {"csplan": [], "peer": [], "timer": _timer_name()}
    commands = {"csplan": [str(PYTHON), "-c", CSPLAN_JOB, str(folder), str(SIMULATIONS)],
                "peer": [str(peer), "predict", str(folder)]}  # fmt: skip
    counts = {"csplan": max(1, repeats), "peer": max(1, peer_repeats) if peer else 0}
    for index in range(max(counts.values())):
        for side, command in commands.items():
            if index < counts[side]:
                run = measure(command)
                run["job"] = _last_json(run.pop("stdout"))
                out[side].append(run)
                _log(folder.name, f"{side} {run['wall']:.2f} s wall, {run['cpu']:.2f} s CPU, "
                     f"{run['peak_mb']:.0f} MB")  # fmt: skip
    return out


def _timer_name() -> str:
    return f"{TIMER} -v" if TIMER.exists() else "getrusage of a wrapper process"


def measure(command: list[str]) -> dict[str, Any]:
    """Wall seconds, CPU seconds (user + system), peak resident MB and stdout of a whole
    process."""
    if TIMER.exists():
        started = time.perf_counter()
        done = subprocess.run([str(TIMER), "-v", *command], capture_output=True, text=True,
                              cwd=tempfile.gettempdir())  # fmt: skip
        wall = time.perf_counter() - started
        peak = _time_field(done.stderr, r"Maximum resident set size \(kbytes\)") / 1024
        cpu = _time_field(done.stderr, r"User time \(seconds\)") + _time_field(
            done.stderr, r"System time \(seconds\)"
        )
    else:  # a fresh wrapper, so RUSAGE_CHILDREN is this command's usage alone
        wrapper = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
            "sys.stdout.write(p.stdout); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(time.perf_counter() - t, u.ru_maxrss, u.ru_utime + u.ru_stime, "
            "file=sys.stderr); sys.exit(p.returncode)"
        )
        done = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True,
                              text=True, cwd=tempfile.gettempdir())  # fmt: skip
        wall_text, peak_text, cpu_text = done.stderr.strip().splitlines()[-1].split()
        wall, peak, cpu = float(wall_text), int(peak_text) / 1024, float(cpu_text)
    if done.returncode != 0:
        print(f"  {command[0]} failed: {done.stderr[-800:]}", file=sys.stderr)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "returncode": done.returncode,
            "stdout": done.stdout}  # fmt: skip


def _time_field(text: str, label: str) -> float:
    match = re.search(label + r": ([\d.]+)", text)
    return float(match.group(1)) if match else float("nan")


# -- back-test ------------------------------------------------------------------------------


def category_of_groups(config: Any) -> list[str]:
    """The peer category of each csplan placement group, by its PLACE codes (a group whose
    codes are not all in one peer category, or the default group, is "other")."""
    out = []
    for group in config.groups:
        found = [name for name, codes in PEER_CODES.items()
                 if group.place and set(group.place) <= set(codes)]  # fmt: skip
        out.append(found[0] if found and not group.default else "other")
    return out


def peer_config() -> Any:
    """The peer's four categories as a csplan configuration, to count the actual the same way."""
    from csplan.demand.config import load_config, parse_config

    bands = load_config().to_dict()["age_bands"]
    groups = [{"key": name, "place": list(codes)} for name, codes in PEER_CODES.items()]
    groups.append({"key": "other", "default": True})
    return parse_config(json.dumps({"age_bands": bands, "placement_groups": groups}), "peer")


def csplan_backtest(folder: Path) -> dict[str, Any]:
    """csplan's 12-month back-test: per group, per peer category, and band coverage."""
    from csplan.demand.backtest import actual_stock, backtest
    from csplan.demand.config import load_config
    from csplan.demand.episodes import load_returns

    returns = load_returns(folder)
    config = load_config()
    result = backtest(returns.episodes, returns.last_date, FIT_UNTIL, config, horizons=(12,),
                      simulations=SIMULATIONS, seed=0)  # fmt: skip
    horizon = result.horizons[0]
    if horizon.date != TARGET:
        raise SystemExit(f"csplan back-test ended on {horizon.date}, expected {TARGET}")
    groups = {row.group: {"forecast": row.expected, "actual": row.actual, "p10": row.p10,
                          "p90": row.p90} for row in horizon.rows}  # fmt: skip
    categories = {name: {"forecast": 0.0, "actual": 0.0} for name in (*CATEGORIES, "total")}
    for key, name in zip(config.group_keys, category_of_groups(config), strict=True):
        for field in ("forecast", "actual"):
            categories[name][field] += groups[key][field]
    categories["total"] = {"forecast": groups["total"]["forecast"],
                           "actual": groups["total"]["actual"]}  # fmt: skip
    by_peer_codes = actual_stock(returns.episodes, returns.last_date, peer_config(), [TARGET])
    peer_actual = dict(zip(peer_config().group_keys, by_peer_codes[0].sum(axis=0), strict=True))
    return {"groups": groups, "categories": categories,
            "peer_actual": {k: float(v) for k, v in peer_actual.items()},
            "coverage": {"cell": horizon.cell_coverage,
                         "occupied_cell": horizon.occupied_cell_coverage,
                         "group_month": horizon.group_coverage,
                         "total_month": horizon.total_coverage}}  # fmt: skip


def peer_backtest(folder: Path) -> dict[str, Any] | None:
    """The peer fitted on the returns to 2023-24, forecasting 31 March 2025."""
    cut = folder.with_name(folder.name + "_to2024")
    shutil.rmtree(cut, ignore_errors=True)
    cut.mkdir()
    for year in folder.iterdir():
        if year.is_dir() and year.name.isdigit() and int(year.name) <= FIT_UNTIL.year:
            shutil.copytree(year, cut / year.name)
    script = folder.with_name("peer_backtest.py")
    script.write_text(PEER_BACKTEST)
    done = subprocess.run([str(PEER_VENV / "bin" / "python"), str(script), str(cut),
                           PEER_WINDOW_START.isoformat(), FIT_UNTIL.isoformat(),
                           TARGET.isoformat()], capture_output=True, text=True,
                          cwd=tempfile.gettempdir())  # fmt: skip
    shutil.rmtree(cut, ignore_errors=True)
    answer = _last_json(done.stdout)
    if answer.get("date") != TARGET.isoformat():
        print(f"  peer back-test failed: {done.stderr[-800:]}", file=sys.stderr)
        return None
    forecast = {name: answer["categories"].get(name, 0.0) for name in CATEGORIES}
    forecast["total"] = sum(forecast.values())
    return {"forecast": forecast}


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return {}
    return {}


def _log(where: object, message: str) -> None:
    print(f"[{where}] {message}", file=sys.stderr, flush=True)


# -- summaries ------------------------------------------------------------------------------


def percent_error(forecast: float, actual: float) -> float | None:
    return None if not actual else 100.0 * (forecast - actual) / actual


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def category_rows(size: dict) -> list[dict[str, Any]]:
    """Per category and total, means over the seeds: actual, forecasts, signed and absolute
    percentage errors of both models."""
    rows = []
    for name in (*CATEGORIES, "total"):
        c_err, p_err, c_fc, p_fc, c_act, p_act = [], [], [], [], [], []
        for run in size["runs"]:
            cell = run["csplan"]["categories"][name]
            c_fc.append(cell["forecast"])
            c_act.append(cell["actual"])
            c_err.append(percent_error(cell["forecast"], cell["actual"]))
            actual = (cell["actual"] if name == "total"
                      else run["csplan"]["peer_actual"][name])  # fmt: skip
            p_act.append(actual)
            if run["peer"]:
                p_fc.append(run["peer"]["forecast"][name])
                p_err.append(percent_error(run["peer"]["forecast"][name], actual))
        rows.append({
            "category": name, "csplan_actual": _mean(c_act), "peer_actual": _mean(p_act),
            "csplan_forecast": _mean(c_fc), "peer_forecast": _mean(p_fc),
            "csplan_error": _mean(c_err), "peer_error": _mean(p_err),
            "csplan_abs": _mean([abs(e) for e in c_err if e is not None]),
            "peer_abs": _mean([abs(e) for e in p_err if e is not None]),
        })  # fmt: skip
    return rows


def winner(row: dict[str, Any]) -> str:
    if row["peer_abs"] is None or row["csplan_abs"] is None:
        return "—"
    if abs(row["csplan_abs"] - row["peer_abs"]) < 0.05:
        return "tie"
    return "csplan" if row["csplan_abs"] < row["peer_abs"] else "**peer** (csplan loses)"


def speed_row(size: dict) -> dict[str, Any]:
    """Medians of each side's runs at one size (speed-ups are peer / csplan)."""
    first = size["runs"][0]
    timing = first["speed"]
    row: dict[str, Any] = {"size": size["size"], "in_care": first["in_care"],
                           "rows": first["episode_rows"]}  # fmt: skip
    for side in ("csplan", "peer"):
        runs = timing[side]
        if not runs:
            continue
        walls = [r["wall"] for r in runs]
        row.update({f"{side}_wall": statistics.median(walls), f"{side}_min": min(walls),
                    f"{side}_max": max(walls), f"{side}_n": len(runs),
                    f"{side}_cpu": statistics.median(r["cpu"] for r in runs),
                    f"{side}_mb": max(r["peak_mb"] for r in runs)})  # fmt: skip
    if "peer_wall" in row:
        row["speed_up"] = row["peer_wall"] / row["csplan_wall"]
        row["cpu_speed_up"] = row["peer_cpu"] / row["csplan_cpu"]
    return row


def _f(value: float | None, fmt: str, suffix: str = "") -> str:
    return "—" if value is None else format(value, fmt) + suffix


def render(report: dict) -> str:
    sizes = report["sizes"]
    return "\n\n".join([
        _machine_text(report), _speed_table(sizes), *(_category_table(s) for s in sizes),
        _group_table(sizes), _coverage_table(sizes), _targets_text(sizes),
    ])  # fmt: skip


def _machine_text(report: dict) -> str:
    m = report["machine"]
    return (f"Run on {m['date']}: {m['cpus']} cores, load average {m['load_before']:.1f} at the "
            f"start and {m['load_after']:.1f} at the end (above 1 on 2 cores, the timings "
            "competed with other work), "
            f"{m['minutes']:.1f} minutes in all; back-test seeds "
            f"{', '.join(str(s) for s in report['seeds'])}.")  # fmt: skip


def _speed_table(sizes: list[dict]) -> str:
    lines = [
        "Whole process: csplan load + fit + 12-month forecast with 80% bands "
        f"({SIMULATIONS} simulations); the peer's `demand-model predict` with its defaults "
        "(365 daily steps, no bands). Runs interleaved; medians, wall range in brackets; CPU "
        f"= user + system; measured with {sizes[0]['runs'][0]['speed']['timer']}.", "",
        "| children in care | episode rows | csplan wall | csplan CPU | csplan peak | "
        "peer wall | peer CPU | peer peak | speed-up wall / CPU |",
        "|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for size in sizes:
        r = speed_row(size)
        lines.append(
            f"| {r['in_care']:,} | {r['rows']:,} | {_timing(r, 'csplan')} | "
            f"{r['csplan_cpu']:.2f} s | {r['csplan_mb']:.0f} MB | {_timing(r, 'peer')} | "
            f"{_f(r.get('peer_cpu'), '.1f', ' s')} | {_f(r.get('peer_mb'), '.0f', ' MB')} | "
            f"{_f(r.get('speed_up'), '.1f', '×')} / {_f(r.get('cpu_speed_up'), '.1f', '×')} |"
        )
    return "\n".join(lines)


def _timing(row: dict[str, Any], side: str) -> str:
    if f"{side}_wall" not in row:
        return "—"
    text = f"{row[side + '_wall']:.2f} s"
    if row[f"{side}_n"] > 1:
        text += f" ({row[side + '_min']:.2f}-{row[side + '_max']:.2f}, {row[side + '_n']} runs)"
    return text


def _category_table(size: dict) -> str:
    in_care = statistics.fmean(run["in_care"] for run in size["runs"])
    lines = [
        f"Back-test at about {in_care:,.0f} children in care: fitted on data to {FIT_UNTIL}, "
        f"forecast {TARGET}; means over {len(size['runs'])} seeds. Error = forecast less "
        "actual, % of actual; abs. error = mean absolute percentage error. Actual csplan / "
        "peer: each counted with that model's codes (R1 is residential for the peer, other "
        "for csplan).", "",
        "| category | actual csplan / peer | csplan forecast | csplan error | csplan abs. error | "
        "peer forecast | peer error | peer abs. error | lower error |",
        "|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for r in category_rows(size):
        lines.append(
            f"| {r['category']} | {r['csplan_actual']:,.0f} / {r['peer_actual']:,.0f} | "
            f"{r['csplan_forecast']:,.0f} | {_f(r['csplan_error'], '+.1f', '%')} | "
            f"{_f(r['csplan_abs'], '.1f', '%')} | {_f(r['peer_forecast'], ',.0f')} | "
            f"{_f(r['peer_error'], '+.1f', '%')} | {_f(r['peer_abs'], '.1f', '%')} | "
            f"{winner(r)} |"
        )
    return "\n".join(lines)


def _group_table(sizes: list[dict]) -> str:
    keys = list(sizes[0]["runs"][0]["csplan"]["groups"])
    head = " | ".join(f"~{_in_care(s):,.0f}: error / abs. error" for s in sizes)
    lines = ["csplan's own placement groups, 12 months ahead (means over the seeds; n/a where "
             "the group is empty):", "", f"| group | {head} |",
             "|---|" + "---|" * len(sizes)]  # fmt: skip
    for key in keys:
        cells = []
        for size in sizes:
            errors = [percent_error(run["csplan"]["groups"][key]["forecast"],
                                    run["csplan"]["groups"][key]["actual"])
                      for run in size["runs"]]  # fmt: skip
            signed = _mean(errors)
            absolute = _mean([abs(e) for e in errors if e is not None])
            cells.append("n/a" if signed is None
                         else f"{signed:+.1f}% / {absolute:.1f}%")  # fmt: skip
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _in_care(size: dict) -> float:
    return statistics.fmean(run["in_care"] for run in size["runs"])


def _coverage_table(sizes: list[dict]) -> str:
    low, high = TARGETS["coverage"]
    lines = [f"csplan 80% bands: share of actuals inside p10-p90 over the 12 months (target "
             f"{low:.0%}-{high:.0%}), means over the seeds:", "",
             "| children in care | occupied cells | all cells | group × month | "
             "total × month |", "|---|---|---|---|---|"]  # fmt: skip
    for size in sizes:
        cov = {k: statistics.fmean(run["csplan"]["coverage"][k] for run in size["runs"])
               for k in ("occupied_cell", "cell", "group_month", "total_month")}  # fmt: skip
        lines.append(f"| ~{_in_care(size):,.0f} | {cov['occupied_cell']:.0%} | "
                     f"{cov['cell']:.0%} | {cov['group_month']:.0%} | "
                     f"{cov['total_month']:.0%} |")  # fmt: skip
    return "\n".join(lines)


def _targets_text(sizes: list[dict]) -> str:
    low, high = TARGETS["coverage"]
    lines = ["Targets:"]
    for size in sizes:
        r = speed_row(size)
        if size["size"] >= 10000 and "speed_up" in r:
            ok = "met" if r["speed_up"] >= TARGETS["speed_up"] else "NOT MET"
            lines.append(f"- speed-up at ~{r['in_care']:,}: {r['speed_up']:.1f}× wall, "
                         f"{r['cpu_speed_up']:.1f}× CPU (target {TARGETS['speed_up']:.0f}×, "
                         f"judged on wall): {ok}")  # fmt: skip
        lost = [row["category"] for row in category_rows(size)
                if winner(row).startswith("**peer")]  # fmt: skip
        if any(run["peer"] is None for run in size["runs"]):
            verdict = "no peer figures (its back-test failed or it is not installed)"
        elif lost:
            verdict = "NOT MET: the peer is more accurate in " + ", ".join(lost)
        else:
            verdict = "met: csplan's error is lower in every category and the total"
        lines.append(f"- error at ~{_in_care(size):,.0f}: {verdict}")
        for key, label in COVERAGE_LABELS.items():
            value = statistics.fmean(run["csplan"]["coverage"][key] for run in size["runs"])
            ok = "met" if low <= value <= high else "NOT MET"
            lines.append(f"- 80% band coverage ({label}) at ~{_in_care(size):,.0f}: "
                         f"{value:.0%}: {ok}")  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
