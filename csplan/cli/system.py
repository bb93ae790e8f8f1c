"""``csplan init`` and ``csplan serve``."""

from __future__ import annotations

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


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
def serve(host: str, port: int) -> None:
    """Start the web app (a threaded server for one team; use a WSGI server for many)."""
    setup_django()
    from django.core.management import call_command

    click.echo(f"csplan is running at http://{host}:{port}/  (Ctrl+C to stop)")
    call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
