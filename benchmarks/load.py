"""Load: officers using csplan at once through `csplan serve` (gunicorn). Prints figures.

Run: .venv/bin/python benchmarks/load.py [--clients 20] [--seconds 30] [--workers N]

Everything runs against the whole server: `csplan serve` (gunicorn, several worker processes,
the shared per-revision cache) on a free loopback port, in a temporary data folder. Only
127.0.0.1 is contacted.

1. Load, demo data (`csplan demo`): N signed-in clients (threads, one keep-alive connection and
   one session each) with no think time request the main pages of the Hampshire plan and their
   .csv/.json twins, chosen at random, for a bounded time and number of requests. Prints
   requests/s, p50/p95/p99 per page and overall, and errors (any status but 200).
2. Server time: one client requests every page in turn (``--repeats`` times after a first,
   uncounted round) and prints each page's median, at the demo's size and on a synthetic
   500-line, 6-year plan (csplan.programme.synthetic; it has no monitoring or cases data).
3. The Month 9 (2016/17) PDF committee pack of the demo plan: build and render time, in
   process (the first build, then the median of the next ones).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERNAME, PASSWORD = "load-officer", "load-test-password-1"
# (page, address inside the plan): the main pages and their twins; {line} is a line's id.
PAGES = (
    ("overview", ""),
    ("overview.json", "overview.json"),
    ("workstreams", "workstreams/"),
    ("workstreams.csv", "workstreams.csv"),
    ("proposals", "proposals/"),
    ("proposals.csv", "proposals.csv"),
    ("proposals.json", "proposals.json"),
    ("lines", "lines/"),
    ("lines.csv", "lines.csv"),
    ("line page", "lines/{line}/"),
    ("monitoring", "monitoring/"),
    ("monitoring summary.csv", "monitoring/table/summary.csv"),
    ("monitoring summary.json", "monitoring/table/summary.json"),
    ("decisions", "cases/decisions/"),
    ("decisions.csv", "cases/decisions/?format=csv"),
    ("business cases", "cases/business/"),
    ("investment", "investment/"),
    ("pack builder", "pack/"),
)


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("CSPLAN_", "DATABASE_URL"))
    }
    environment.update(CSPLAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="csplan.settings")
    return environment


def _csplan(data_dir: Path, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-c", "from csplan.cli import main; main()", *arguments],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _python(data_dir: Path, code: str) -> str:
    """Run ``code`` with Django set up in ``data_dir``; its printed output."""
    return subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
        capture_output=True,
        text=True,
    ).stdout


_OFFICER = (
    "from django.contrib.auth import get_user_model\n"
    "from csplan.accounts.models import Role\n"
    "from csplan.accounts.users import set_role\n"
    f"user = get_user_model().objects.create_superuser({USERNAME!r}, password={PASSWORD!r})\n"
    "set_role(user, Role.ADMIN)\n"
)
_SLUG = (
    "from csplan.programme.models import Plan\n"
    "plan = Plan.objects.filter(name={name!r}).first() or Plan.objects.latest('pk')\n"
    "print(plan.slug)\n"
)


def prepare_demo(data_dir: Path) -> str:
    """Migrate, load the demo and create the officer who signs in; the Hampshire plan's slug."""
    _csplan(data_dir, "init")
    _csplan(data_dir, "demo")
    return _python(data_dir, _OFFICER + _SLUG.format(name="Transformation to 2017")).strip()


def prepare_synthetic(data_dir: Path, lines: int, years: int) -> str:
    """Migrate, store a synthetic programme and create the officer; the plan's slug."""
    _csplan(data_dir, "init")
    return _python(
        data_dir,
        "from csplan.programme.store import save_programme\n"
        "from csplan.programme.synthetic import synthetic_programme\n"
        f"save_programme(synthetic_programme(lines={lines}, years={years}))\n"
        + _OFFICER
        + _SLUG.format(name=""),
    ).strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, port: int, workers: int | None) -> subprocess.Popen:
    more = ["--workers", str(workers)] if workers else []
    server = subprocess.Popen(
        [sys.executable, "-c", "from csplan.cli import main; main()", "serve", "--host", HOST,
         "--port", str(port), "--server", "gunicorn", *more],
        cwd=ROOT,
        env=_environment(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/login/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("csplan serve did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class Client:
    """One officer: a keep-alive connection, a session cookie and a CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        payload = None
        if body is not None:
            payload = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self) -> None:
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, "no log-in form"
        form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": USERNAME,
                "password": PASSWORD}  # fmt: skip
        status, _ = self.request("POST", "/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"could not sign in (status {status})")


def address(slug: str, page: str, lines: list[int]) -> str:
    path = dict(PAGES)[page]
    return f"/plans/{slug}/" + path.format(line=random.choice(lines) if lines else 0)


def line_ids(client: Client, slug: str) -> list[int]:
    status, page = client.request("GET", f"/plans/{slug}/lines/")
    assert status == 200, f"the lines page answered {status}"
    return sorted({int(pk) for pk in re.findall(rb'href="[^"]*/lines/(\d+)/"', page)})


def drive(client: Client, slug: str, lines: list[int], results: Results,
          stop: threading.Event, budget: threading.Semaphore) -> None:  # fmt: skip
    pages = [page for page, _ in PAGES]
    while not stop.is_set() and budget.acquire(blocking=False):
        page = random.choice(pages)
        started = time.perf_counter()
        try:
            status, _ = client.request("GET", address(slug, page, lines))
        except (http.client.HTTPException, OSError):
            status = 0
        results.record(page, time.perf_counter() - started, status == 200)


def signed_in(port: int, clients: int) -> list[Client]:
    """``clients`` signed-in officers, signed in one after another (parallel sign-ins count as
    attempts before their passwords are checked, and more than five lock the name a while)."""
    officers = [Client(port) for _ in range(clients)]
    for officer in officers:
        officer.sign_in()
    return officers


def run(port: int, slug: str, clients: int, seconds: float, requests: int) -> tuple[Results, float]:
    officers = signed_in(port, clients)
    lines = line_ids(officers[0], slug)
    results = Results()
    stop = threading.Event()
    budget = threading.Semaphore(requests)
    threads = [
        threading.Thread(target=drive, args=(officer, slug, lines, results, stop, budget))
        for officer in officers
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    for thread in threads:
        thread.join()
    timer.cancel()
    return results, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (seconds)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(clients: int, results: Results, elapsed: float) -> None:
    print(f"\n{clients} concurrent clients, no think time: {results.count} requests in "
          f"{elapsed:.1f} s, {results.count / elapsed:.1f} requests/s, "
          f"{sum(results.errors.values())} errors")  # fmt: skip
    print(f"| page | count | p50 ms | p95 ms | p99 ms | errors |\n|{'---|' * 6}")
    everything = [value for values in results.latencies.values() for value in values]
    for page in (*(name for name, _ in PAGES), "overall"):
        values = everything if page == "overall" else results.latencies.get(page, [])
        if not values:
            continue
        errors = sum(results.errors.values()) if page == "overall" else results.errors[page]
        shown = [f"{percentile(values, p) * 1000:.0f}" for p in (0.50, 0.95, 0.99)]
        print(f"| {page} | {len(values)} | {' | '.join(shown)} | {errors} |")


def server_times(port: int, slug: str, repeats: int) -> dict[str, tuple[float, int]]:
    """Each page's median time (s) from one client, one request at a time; the last status."""
    officer = signed_in(port, 1)[0]
    lines = line_ids(officer, slug)
    times: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, int] = {}
    for round_number in range(repeats + 1):
        for page, _ in PAGES:
            started = time.perf_counter()
            statuses[page], _ = officer.request("GET", address(slug, page, lines))
            if round_number:  # the first round fills the caches and is not counted
                times[page].append(time.perf_counter() - started)
    return {page: (statistics.median(times[page]), statuses[page]) for page, _ in PAGES}


def pack_times(data_dir: Path, slug: str, builds: int) -> list[float]:
    """Seconds to build and render the Month 9 2016/17 PDF pack, build after build."""
    output = _python(
        data_dir,
        "import time\n"
        "from csplan.core.periods import MonitoringPeriod\n"
        "from csplan.pack.render import render\n"
        "from csplan.pack.store import pack_for\n"
        "from csplan.programme.models import Plan\n"
        f"plan = Plan.objects.get(slug={slug!r})\n"
        "period = MonitoringPeriod.parse('2016/17', '9')\n"
        f"for _ in range({builds}):\n"
        "    started = time.perf_counter()\n"
        "    pdf = render(pack_for(plan, period, None), 'pdf')\n"
        "    assert pdf.startswith(b'%PDF')\n"
        "    print(time.perf_counter() - started)\n",
    )
    return [float(value) for value in output.split()]


def _server(data_dir: Path, workers: int | None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    return start_server(data_dir, port, workers), port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[20])
    parser.add_argument("--seconds", type=float, default=30, help="at most, per load run")
    parser.add_argument("--requests", type=int, default=3000, help="at most, per load run")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn worker processes")
    parser.add_argument("--repeats", type=int, default=9, help="requests per page, server time")
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--builds", type=int, default=4, help="Month 9 PDF pack builds")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    random.seed(options.seed)
    medians: dict[str, dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="csplan-load-") as folder:
        demo_dir = Path(folder) / "demo"
        demo_dir.mkdir()
        slug = prepare_demo(demo_dir)
        server, port = _server(demo_dir, options.workers)
        try:
            print(f"csplan serve (gunicorn, {options.workers or 'default'} workers) on "
                  f"{HOST}:{port}, demo data, plan {slug}")  # fmt: skip
            for clients in options.clients:
                report(clients, *run(port, slug, clients, options.seconds, options.requests))
            medians["demo"] = server_times(port, slug, options.repeats)
        finally:
            stop_server(server)
        pack = pack_times(demo_dir, slug, options.builds)
        large_dir = Path(folder) / "large"
        large_dir.mkdir()
        large_slug = prepare_synthetic(large_dir, options.lines, options.years)
        server, port = _server(large_dir, options.workers)
        try:
            medians["large"] = server_times(port, large_slug, options.repeats)
        finally:
            stop_server(server)
    size = f"{options.lines} lines x {options.years} years"
    print(f"\nServer time, one client, median of {options.repeats} after a first round (ms); "
          f"status when not 200\n| page | demo | {size} |\n|---|---|---|")  # fmt: skip
    for page, _ in PAGES:
        cells = []
        for name in ("demo", "large"):
            seconds, status = medians[name][page]
            cells.append(f"{seconds * 1000:.0f}" + ("" if status == 200 else f" ({status})"))
        print(f"| {page} | {' | '.join(cells)} |")
    warm = statistics.median(pack[1:]) if len(pack) > 1 else pack[0]
    print(f"\nMonth 9 2016/17 PDF pack (demo plan), build + render: first {pack[0]:.2f} s, "
          f"then median {warm:.2f} s ({', '.join(f'{t:.2f}' for t in pack)})")  # fmt: skip


if __name__ == "__main__":
    main()
