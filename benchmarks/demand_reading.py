"""Reading and cleaning SSDA903 returns: seconds and peak memory of whole processes.

    .venv/bin/python benchmarks/demand_reading.py [--sizes 10000,180000] [--xlsx 10000]
        [--keep DIR]

For each size (children in care on 31 March 2025) it writes synthetic returns
(``csplan.demand.synthetic``, five collection years, seed 11) and times a whole process
that runs ``load_returns`` on them (reading, decoding, the file limits, date parsing, every
cleaning rule, stitching the years, the data hash), once, with ``/usr/bin/time -v``: wall,
CPU (user + system) and peak resident memory. About 180,000 children give 2.2 million
episode rows. For the ``--xlsx`` size the same returns are also written as XLSX and read
the same way, so the two formats are compared on the same data. The load average is
printed with each run: the machine is shared, so read CPU beside wall.

Not a test: big sizes take minutes (generating 2 million rows takes about 2 minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from demand_vs_peer import PYTHON, measure  # noqa: E402

# The whole processes import this checkout's csplan, whatever is installed in .venv.
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

# Runs in csplan's environment, as a whole process: argv = folder.
LOAD_JOB = r"""
import json, sys, time
started = time.perf_counter()
from csplan.demand.episodes import load_returns
returns = load_returns(sys.argv[1])
print(json.dumps({"rows": sum(returns.file_rows[n] for n in returns.file_rows
                              if "episodes" in n),
                  "seconds": time.perf_counter() - started}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,180000", help="children in care, commas")
    parser.add_argument("--xlsx", type=int, default=10000, help="size also read as XLSX")
    parser.add_argument("--keep", type=Path, help="write the returns here (kept)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="csplan-reading-"))
    sizes = [int(s) for s in args.sizes.split(",") if s]
    print("| returns | format | episode rows | wall | CPU | peak memory | load average |")
    print("|---|---|---|---|---|---|---|")
    for size in sorted(set(sizes) | {args.xlsx}):
        formats = (["csv"] if size in sizes or size == args.xlsx else []) + (
            ["xlsx"] if size == args.xlsx else []
        )
        for fmt in formats:
            folder = work / f"{size}-{fmt}"
            if not folder.exists():
                write(size, fmt, folder)
            load = os.getloadavg()[0]
            run = measure([str(PYTHON), "-c", LOAD_JOB, str(folder)])
            job = _last_json(run["stdout"])
            print(
                f"| ~{size:,} children | {fmt.upper()} | {job.get('rows', 0):,} | "
                f"{run['wall']:.2f} s | {run['cpu']:.2f} s | {run['peak_mb']:.0f} MB | "
                f"{load:.1f} |",
                flush=True,
            )


def write(size: int, fmt: str, folder: Path) -> None:
    from csplan.demand.synthetic import generate, write_returns

    write_returns(folder, returns=generate(size, years=5, last_year=2025, seed=11), fmt=fmt)


def _last_json(text: str) -> dict:
    import json

    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


if __name__ == "__main__":
    main()
