"""``csplan init`` and ``csplan serve``."""

from __future__ import annotations

from pathlib import Path

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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--threads",
    default=SERVE_THREADS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Requests served at the same time.",
)
def serve(host: str, port: int, threads: int) -> None:
    """Start the web app with the waitress WSGI server (static files by WhiteNoise)."""
    setup_django()
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    application = get_wsgi_application()
    click.echo(f"csplan is running at http://{host}:{port}/  (Ctrl+C to stop)")
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="csplan",
        clear_untrusted_proxy_headers=True,
        _quiet=True,
    )


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
