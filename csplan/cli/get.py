"""``csplan get PATH``: any page's data, or any API answer, without a server (as Datasette does).

The request runs in-process through the whole web app (Django's test client), signed in as a
chosen user, so it sees exactly what that user would see at that address, with the same
permission rules: ``csplan get /plans/<slug>/workstreams.json``, ``.../proposals.csv``,
``/api/plans/<slug>/lines``. A 4xx or 5xx answer is an error (exit status 1) naming it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click

from csplan.cli.common import fail, setup_django

#: Answers printed as text; anything else (XLSX, PDF) needs --output.
_TEXT_TYPES = ("text/", "application/json")


@click.command()
@click.argument("path")
@click.option(
    "--user",
    "username",
    metavar="NAME",
    help="Whose view to take (their role decides what they may see). Default: the only admin.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the body to this file (needed for .xlsx and .pdf).",
)
def get(path: str, username: str | None, output: Path | None) -> None:
    """Print what the web app answers at PATH, e.g. /plans/SLUG/workstreams.json.

    Every page's table has .csv, .json and .xlsx twins at the same address; the JSON API is
    under /api/ (its schema at /api/openapi.json). Runs in-process: no server is needed.
    """
    setup_django()
    user = _user(username)
    response = fetch(path, user)
    status = response.status_code
    if status >= 400:
        fail(f"GET {_address(path)} as {user.get_username()}: {status} {_reason(response)}")
    if output is not None:
        output.write_bytes(response.content)
        click.echo(f"Wrote {len(response.content):,} bytes to {output}.", err=True)
        return
    if not response.get("Content-Type", "").startswith(_TEXT_TYPES):
        fail(f"{_address(path)} is {response.get('Content-Type')}: write it with --output FILE.")
    body = response.content.decode(response.charset or "utf-8")
    click.echo(body, nl=not body.endswith("\n"))


def _address(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def fetch(path: str, user: Any) -> Any:
    """The web app's answer at ``path`` for ``user`` (redirects within the app are followed)."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=_host(settings.ALLOWED_HOSTS), raise_request_exception=False)
    _sign_in(client, user)
    try:
        secure = bool(getattr(settings, "SECURE_SSL_REDIRECT", False))
        response = client.get(_address(path), follow=True, secure=secure)
    finally:
        client.logout()  # the session row force_login made is removed
    chain = [url for url, _ in getattr(response, "redirect_chain", [])]
    if chain and chain[-1].split("?")[0].rstrip("/").endswith("/plans") and "next=" in chain[-1]:
        fail(
            f"{_address(path)} belongs to a plan and there are several: ask for "
            "/plans/SLUG/... (csplan plan list shows the slugs)."
        )
    return response


def _sign_in(client: Any, user: Any) -> None:
    """Sign ``user`` in for this request only: their last log-in time is left as it was."""
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in

    uid = "update_last_login"  # as django.contrib.auth connects it
    connected = user_logged_in.disconnect(dispatch_uid=uid)
    try:
        client.force_login(user)
    finally:
        if connected:
            user_logged_in.connect(update_last_login, dispatch_uid=uid)


def _host(allowed: list[str]) -> str:
    """A host name the app answers to (the first of ALLOWED_HOSTS that is a plain name)."""
    for host in allowed:
        name = host.lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def _user(username: str | None) -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    if username:
        found = users.filter(username=username).first()
        if found is None:
            fail(f"There is no active user {username!r} (csplan user list shows them).")
        return found
    admins = list(users.filter(csplan_profile__role="admin").order_by("username")[:2])
    if len(admins) == 1:
        return admins[0]
    if not admins:
        fail("There is no admin to act as: name a user with --user NAME.")
    fail("There are several admins: name the one to act as with --user NAME.")


def _reason(response: Any) -> str:
    """What went wrong, from the answer's body: the API's errors, or the page's heading."""
    text = response.content.decode(response.charset or "utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            errors = json.loads(text).get("errors")
        except (ValueError, AttributeError):
            errors = None
        if errors:
            return "; ".join(f"{field}: {message}" for field, message in errors.items())
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.DOTALL)
    if heading:
        after = text[heading.end() :]
        detail = re.search(r"<p[^>]*class=\"govuk-body[^\"]*\"[^>]*>(.*?)</p>", after, re.DOTALL)
        words = [_plain(heading.group(1)), _plain(detail.group(1)) if detail else ""]
        return ": ".join(word for word in words if word)
    return _plain(text)[:300] or response.reason_phrase


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
