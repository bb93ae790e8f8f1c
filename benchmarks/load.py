"""Load: many officers using csplan at once through `csplan serve` (waitress). Prints figures.

Run: .venv/bin/python benchmarks/load.py [--clients 20 50] [--seconds 30] [--requests 2000]

It builds a 500-line, 6-year synthetic programme (csplan.programme.synthetic) in a temporary
data folder, starts `csplan serve` on a free loopback port, signs each client in, then drives a
realistic mix of pages from N concurrent clients (threads, one keep-alive connection and one
session each) for a bounded time and number of requests: overview, workstreams, proposals, the
lines list, a line page, a line edit (the form, then a POST with its CSRF token and version),
and CSV/XLSX downloads. Only 127.0.0.1 is contacted. For each request kind and overall it prints
p50/p95/p99 latency, and the throughput and error count of each run. ``--think`` makes each
client pause (uniformly up to twice the mean) between requests, as an officer reading a page.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
USERNAME, PASSWORD = "load-officer", "load-test-password-1"
# (kind, weight): how often each kind of request is made.
MIX = (
    ("overview", 12),
    ("workstreams", 10),
    ("proposals", 10),
    ("lines list", 14),
    ("line page", 20),
    ("line edit form", 8),
    ("line edit save", 8),
    ("csv export", 10),
    ("xlsx export", 8),
)
PATHS = {
    "overview": "/",
    "workstreams": "/workstreams/",
    "proposals": "/proposals/",
    "lines list": "/lines/",
    "csv export": "/lines/?format=csv",
    "xlsx export": "/proposals/?format=xlsx",
}


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("CSPLAN_", "DATABASE_URL"))
    }
    environment.update(CSPLAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="csplan.settings")
    return environment


def _python(data_dir: Path, code: str) -> None:
    subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
    )


def prepare(data_dir: Path, lines: int, years: int) -> None:
    """Migrate, store the synthetic programme and create the officer who signs in."""
    subprocess.run(
        [sys.executable, "-c", "from csplan.cli import main; main()", "init"],
        cwd=ROOT,
        env=_environment(data_dir),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _python(
        data_dir,
        "from django.contrib.auth import get_user_model\n"
        "from csplan.programme.store import save_programme\n"
        "from csplan.programme.synthetic import synthetic_programme\n"
        f"save_programme(synthetic_programme(lines={lines}, years={years}))\n"
        f"get_user_model().objects.create_superuser({USERNAME!r}, password={PASSWORD!r})\n",
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(data_dir: Path, port: int, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-c", "from csplan.cli import main; main()", "serve", "--host", HOST,
         "--port", str(port), "--threads", str(threads)],
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


class _Form(HTMLParser):
    """The fields of the first POST form on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        name = named.get("name")
        if tag == "input" and name and named.get("type") not in {"submit", "button"}:
            self.values[name] = named.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in named:
            self.values[self._select] = named.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    conflicts: int = 0
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


def line_ids(client: Client) -> list[int]:
    status, page = client.request("GET", "/lines/")
    assert status == 200
    return sorted({int(pk) for pk in re.findall(rb'href="/lines/(\d+)/"', page)})


def _edit(client: Client, line: int, results: Results) -> None:
    started = time.perf_counter()
    status, page = client.request("GET", f"/lines/{line}/edit/")
    results.record("line edit form", time.perf_counter() - started, status == 200)
    if status != 200:
        return
    parser = _Form()
    parser.feed(page.decode("utf-8"))
    form = parser.values
    years = sorted(name for name in form if name.startswith("phasing_"))
    year = random.choice(years)
    current = form[year].replace(",", "") or "0"
    form[year] = str(int(float(current) * 1000 + random.choice((-100, 100))) / 1000)
    started = time.perf_counter()
    status, body = client.request("POST", f"/lines/{line}/edit/", form)
    conflict = status == 400 and b"changed by someone else" in body
    results.record("line edit save", time.perf_counter() - started, status == 302 or conflict)
    if conflict:
        with results.lock:
            results.conflicts += 1


def drive(client: Client, lines: list[int], results: Results, stop: threading.Event,
          budget: threading.Semaphore, think: float) -> None:  # fmt: skip
    kinds = [kind for kind, weight in MIX for _ in range(weight) if kind != "line edit save"]
    while not stop.is_set() and budget.acquire(blocking=False):
        if think:
            stop.wait(random.uniform(0, 2 * think))  # an officer reading the page
        kind = random.choice(kinds)
        try:
            if kind == "line edit form":
                _edit(client, random.choice(lines), results)
                continue
            path = f"/lines/{random.choice(lines)}/" if kind == "line page" else PATHS[kind]
            started = time.perf_counter()
            status, _ = client.request("GET", path)
            results.record(kind, time.perf_counter() - started, status == 200)
        except (http.client.HTTPException, OSError):
            results.record(kind, 0.0, False)


def run(
    port: int, clients: int, seconds: float, requests: int, think: float = 0.0
) -> tuple[Results, float]:
    officers = [Client(port) for _ in range(clients)]
    signing_in = [threading.Thread(target=officer.sign_in) for officer in officers]
    for thread in signing_in:
        thread.start()
    for thread in signing_in:
        thread.join()
    if not all("sessionid" in officer.cookies for officer in officers):
        raise SystemExit("not every client could sign in")
    lines = line_ids(officers[0])
    results = Results()
    stop = threading.Event()
    budget = threading.Semaphore(requests)
    threads = [
        threading.Thread(target=drive, args=(officer, lines, results, stop, budget, think))
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
    print(f"\n{clients} concurrent clients: {results.count} requests in {elapsed:.1f} s, "
          f"{results.count / elapsed:.1f} requests/s, {sum(results.errors.values())} errors, "
          f"{results.conflicts} edit conflicts (reported to the officer, not errors)")  # fmt: skip
    print(f"| request | count | p50 ms | p95 ms | p99 ms | errors |\n|{'---|' * 6}")
    everything = [value for values in results.latencies.values() for value in values]
    for kind, _ in (*MIX, ("overall", 0)):
        values = everything if kind == "overall" else results.latencies.get(kind, [])
        if not values:
            continue
        errors = sum(results.errors.values()) if kind == "overall" else results.errors[kind]
        shown = [f"{percentile(values, p) * 1000:.0f}" for p in (0.50, 0.95, 0.99)]
        print(f"| {kind} | {len(values)} | {' | '.join(shown)} | {errors} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=30, help="at most, per run")
    parser.add_argument("--requests", type=int, default=2000, help="at most, per run")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--years", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between a client's requests (s)"
    )
    options = parser.parse_args()
    random.seed(options.seed)
    with tempfile.TemporaryDirectory(prefix="csplan-load-") as folder:
        data_dir = Path(folder)
        prepare(data_dir, options.lines, options.years)
        port = free_port()
        server = start_server(data_dir, port, options.threads)
        try:
            print(f"csplan serve on {HOST}:{port} ({options.threads} threads), "
                  f"{options.lines} lines x {options.years} years, "
                  f"think time {options.think:g} s")  # fmt: skip
            for clients in options.clients:
                results, elapsed = run(
                    port, clients, options.seconds, options.requests, options.think
                )
                report(clients, results, elapsed)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
