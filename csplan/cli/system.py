"""``csplan init`` and ``csplan serve``."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from csplan.cli.common import setup_django


@click.command()
def init() -> None:
    """Create or upgrade the database (runs the migrations)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    database = settings.DATABASES["default"]
    click.echo(f"Database ready: {database.get('NAME')} ({database['ENGINE'].rsplit('.', 1)[-1]})")


SERVE_THREADS = 8
_LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
_LOCAL_ONLY_KEY = "csplan-local-only-not-for-production"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this computer only."""
    name = host.strip().strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def production_warnings(host: str, settings: Any) -> list[str]:
    """What is unsafe about serving on ``host`` with ``settings`` (nothing on loopback)."""
    if is_loopback(host):
        return []
    problems = []
    if not getattr(settings, "PRODUCTION", False):
        problems.append("CSPLAN_PRODUCTION=1 is not set (no secure cookies, HSTS or HTTPS)")
    if settings.DEBUG:
        problems.append("DEBUG is on (CSPLAN_DEBUG=1 shows code and settings on errors)")
    if settings.SECRET_KEY == _LOCAL_ONLY_KEY:
        problems.append("CSPLAN_SECRET_KEY is not set (the built-in key is public)")
    if not problems:
        return []
    return [
        f"Warning: csplan is serving beyond this computer ({host}) without production settings:",
        *(f"  - {problem}" for problem in problems),
        "  See README.md, 'Using your council's PostgreSQL server'.",
    ]


@dataclass(frozen=True)
class ServerPlan:
    """How ``csplan serve`` runs: which WSGI server, where, and its own options."""

    server: str
    host: str
    port: int
    options: dict[str, Any] = field(default_factory=dict)


def default_server() -> str:
    """gunicorn (several worker processes) on Linux and macOS; waitress elsewhere (Windows)."""
    has_gunicorn = importlib.util.find_spec("gunicorn") is not None
    return "gunicorn" if os.name == "posix" and has_gunicorn else "waitress"


def default_workers() -> int:
    """Worker processes for gunicorn: two per core plus one, at most 9."""
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def _close_connections_before_fork(server: Any, worker: Any) -> None:
    """Worker processes open their own database connections, never share the parent's."""
    from django.db import connections

    connections.close_all()


def server_plan(
    host: str,
    port: int,
    *,
    threads: int = SERVE_THREADS,
    workers: int | None = None,
    server: str | None = None,
    trusted_proxy_header: str = "",
) -> ServerPlan:
    """The server ``csplan serve`` starts for these options (nothing is started)."""
    server = server or default_server()
    if server == "gunicorn":
        bind = f"[{host.strip('[]')}]:{port}" if ":" in host else f"{host}:{port}"
        return ServerPlan(
            server,
            host,
            port,
            {
                "bind": [bind],
                "workers": workers or default_workers(),
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 120,  # the committee pack's PDF takes seconds, not minutes
                "graceful_timeout": 30,
                "proc_name": "csplan",
                "accesslog": None,
                "pre_fork": _close_connections_before_fork,
            },
        )
    if server == "waitress":
        return ServerPlan(
            server,
            host,
            port,
            {
                "host": host,
                "port": port,
                "threads": threads,
                "ident": "csplan",
                # Forwarded headers are dropped unless one is configured as trusted.
                "clear_untrusted_proxy_headers": not trusted_proxy_header,
                "_quiet": True,
            },
        )
    raise click.BadParameter(f"unknown server {server!r}: choose gunicorn or waitress")


def gunicorn_application(plan: ServerPlan, application: Any) -> Any:
    """A gunicorn application serving ``application`` with ``plan``'s options (not started)."""
    from gunicorn.app.base import BaseApplication

    class CsplanGunicorn(BaseApplication):
        def load_config(self) -> None:
            for name, value in plan.options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    return CsplanGunicorn()


def run_server(plan: ServerPlan, application: Any) -> None:
    if plan.server == "gunicorn":
        gunicorn_application(plan, application).run()
    else:
        from waitress import serve as waitress_serve

        waitress_serve(application, **plan.options)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads",
    default=SERVE_THREADS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at the same time (per worker process with gunicorn).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="gunicorn worker processes  [default: 2 per core + 1, at most 9]",
)
@click.option(
    "--server",
    type=click.Choice(["gunicorn", "waitress"]),
    default=None,
    help="WSGI server  [default: gunicorn on Linux and macOS, waitress on Windows]",
)
def serve(host: str, port: int, threads: int, workers: int | None, server: str | None) -> None:
    """Start the web app (gunicorn with several processes, or waitress; static files by
    WhiteNoise)."""
    setup_django()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    for line in production_warnings(host, settings):
        click.echo(line, err=True)
    plan = server_plan(
        host,
        port,
        threads=threads,
        workers=workers,
        server=server,
        trusted_proxy_header=settings.CSPLAN_TRUSTED_PROXY_HEADER,
    )
    application = get_wsgi_application()
    click.echo(f"csplan is running at http://{host}:{port}/ with {plan.server}  (Ctrl+C to stop)")
    run_server(plan, application)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """Write a consistent backup of the whole database to PATH (a .zip), even while in use."""
    setup_django()
    from csplan.backup import backup as write_backup

    manifest = write_backup(Path(path))
    rows = sum(manifest["rows"].values())
    click.echo(f"Backed up {rows:,} rows to {path} (sha256 {manifest['sha256'][:12]}…)")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(path: str, yes: bool) -> None:
    """Replace the whole database with the backup at PATH (all or nothing)."""
    setup_django()
    from csplan.backup import BackupError, check_backup, read_backup
    from csplan.backup import restore as restore_backup

    try:  # every check runs before the question, and again inside restore
        manifest, data = read_backup(Path(path))
        check_backup(Path(path), manifest, data)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(
            f"Replace everything in the database with the backup of {manifest['created_at']}?",
            abort=True,
        )
    try:
        restore_backup(Path(path))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {manifest['created_at']} from {path}")
