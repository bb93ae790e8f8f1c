"""Deployment security: production settings, security headers, escaping, uploads kept private."""

from __future__ import annotations

import http.client
import io
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.programme.figures import LineFigures
from csplan.programme.models import SavingsLine
from csplan.programme.store import create_line
from csplan.web.security import script_hash

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert('owned')</script>"
MARKER = "RAWBYTES-7f3c9e1d"  # only ever in the uploaded file's own bytes


def _django(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after django.setup() in a fresh process with ``env`` (production settings
    are read once, when the settings module is imported)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CSPLAN_", "DJANGO_", "DATABASE_URL"))
    }
    environment.update(
        CSPLAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="csplan.settings", **env
    )
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_in_production(tmp_path):
    key = secrets.token_urlsafe(64)
    result = _django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print('deploy check passed')",
        tmp_path,
        CSPLAN_PRODUCTION="1",
        CSPLAN_SECRET_KEY=key,
    )
    assert result.returncode == 0, result.stderr
    assert "deploy check passed" in result.stdout
    assert "System check identified no issues" in result.stdout + result.stderr


def test_deploy_check_fails_with_the_development_settings(tmp_path):
    """The check above can fail: the development settings have no HSTS and a known key."""
    result = _django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')",
        tmp_path,
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS outside production
    assert "security.W009" in result.stderr  # the local-only secret key


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _django("print('started')", tmp_path, CSPLAN_PRODUCTION="1")
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured: Set CSPLAN_SECRET_KEY" in result.stderr


def test_production_takes_the_secret_key_from_the_environment(tmp_path):
    key = secrets.token_urlsafe(64)
    result = _django(
        "from django.conf import settings\n"
        "print(settings.SECRET_KEY, settings.DEBUG, settings.SESSION_COOKIE_SECURE,"
        " settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)",
        tmp_path,
        CSPLAN_PRODUCTION="1",
        CSPLAN_SECRET_KEY=key,
        CSPLAN_DEBUG="1",  # ignored in production
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [key, "False", "True", "True", "31536000"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(("server", "ident"), [("waitress", "csplan"), ("gunicorn", "gunicorn")])
def test_csplan_serve_runs_with_the_security_headers(tmp_path, server, ident):
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CSPLAN_")}
    environment.update(CSPLAN_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="csplan.settings")
    command = [sys.executable, "-c", "from csplan.cli import main; main()"]
    subprocess.run([*command, "init"], cwd=ROOT, env=environment, check=True, timeout=120)
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--threads", "4", "--server", server],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout.readline().startswith(f"csplan is running at http://127.0.0.1:{port}/")
        response = None
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/login/")
                response = connection.getresponse()
                break
            except OSError:
                time.sleep(0.1)
        assert response is not None and response.status == 200
        assert response.getheader("Server").startswith(ident)  # not runserver
        assert "no-store" in response.getheader("Cache-Control")
        assert response.getheader("X-Frame-Options") == "DENY"
        assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- headers -----------------------------------------------------------------------------------


@pytest.fixture
def officer(client, db):
    user = with_role(
        get_user_model().objects.create_superuser("security-officer", password=None), "admin"
    )
    client.force_login(user)
    return user


@pytest.fixture
def plan(db):
    return load_hampshire_demo()


def _inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.DOTALL)


def _directive(policy: str, name: str) -> list[str]:
    for part in policy.split(";"):
        words = part.split()
        if words and words[0] == name:
            return words[1:]
    raise AssertionError(f"no {name} in {policy!r}")


@pytest.mark.parametrize(
    "url", ["/", "/workstreams/", "/lines/", "/lines/?format=csv", "/proposals/?format=xlsx"]
)
def test_pages_carry_the_security_headers(client, officer, plan, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert _directive(policy, "default-src") == ["'self'"]
    assert _directive(policy, "frame-ancestors") == ["'none'"]
    assert _directive(policy, "object-src") == ["'none'"]
    assert "'unsafe-inline'" not in _directive(policy, "script-src")
    assert "camera=()" in response["Permissions-Policy"]


def test_the_login_page_has_the_headers_before_anyone_signs_in(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "script-src 'self' 'sha256-" in response["Content-Security-Policy"]


def test_every_inline_script_on_a_page_is_allowed_by_its_hash(client, officer, plan):
    html = client.get("/").content.decode()
    scripts = _inline_scripts(html)
    # the govuk-frontend "js-enabled" snippet and the module that calls initAll()
    assert any("document.body.className" in body for body in scripts)
    assert any("initAll()" in body for body in scripts)
    allowed = _directive(client.get("/").headers["Content-Security-Policy"], "script-src")
    for body in scripts:
        assert script_hash(body) in allowed, body
    # A script someone managed to inject would not be allowed.
    assert script_hash("alert('owned')") not in allowed


def test_govuk_frontend_script_is_served_as_javascript(client, db):
    response = client.get("/static/govuk/govuk-frontend.min.js")
    if response.status_code == 404:
        pytest.skip("govuk-frontend is not installed (run scripts/setup.sh)")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(("text/javascript", "application/javascript"))
    assert response["X-Content-Type-Options"] == "nosniff"


# --- escaping ----------------------------------------------------------------------------------


@pytest.fixture
def hostile_line(plan):
    return create_line(
        plan,
        LineFigures(
            reference="X<b>1",
            title=HOSTILE,
            workstream=plan.workstreams.first().name,
            phasing={plan.years[0]: Decimal(1000)},
            description=f"Description {HOSTILE}",
            sro_role="Director of Children's Services \"><img src=x onerror=alert(1)>",
        ),
    )


def test_script_in_a_line_is_shown_escaped_on_the_line_page(client, officer, hostile_line):
    response = client.get(f"/lines/{hostile_line.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert HOSTILE not in html
    assert "<img src=x" not in html and "X<b>1" not in html
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in html
    assert "Description &lt;script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_script_in_a_line_is_shown_escaped_on_the_lines_list(client, officer, hostile_line):
    html = client.get("/lines/").content.decode()
    assert HOSTILE not in html and "X<b>1" not in html
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in html
    # the reference still links to the line page, escaped
    assert f'href="/lines/{hostile_line.pk}/">X&lt;b&gt;1</a>' in html


def test_script_in_a_line_is_escaped_in_the_edit_form(client, officer, hostile_line):
    html = client.get(f"/lines/{hostile_line.pk}/edit/").content.decode()
    assert HOSTILE not in html
    assert 'value="&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;"' in html
    assert SavingsLine.objects.get(pk=hostile_line.pk).title == HOSTILE  # stored as typed


# --- uploads are never served back -------------------------------------------------------------

HEADER = (
    "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB,NOTE\n"
    f"C1,1,01/01/2010,WBRI,A123456789012,,,{MARKER}\n"
    "C2,2,02/02/2011,WBRI,A123456789013,,,\n"
).encode()
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,NOTE\n"
    f"C1,01/04/2024,S,C2,N1,U4,PR1,,,{MARKER}\n"
    "C2,01/05/2024,S,C2,N1,K2,PR1,,,\n"
).encode()


def _routes(patterns: list, prefix: str = "") -> list[str]:
    """Every URL route in the project, with ``<int:...>`` parts left to fill in."""
    found = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            found.append(prefix + route)
    return found


def _texts(content: bytes) -> list[bytes]:
    """The response body, and each member when it is a zip (an XLSX download)."""
    texts = [content]
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts += [archive.read(name) for name in archive.namelist()]
    return texts


@pytest.mark.django_db(transaction=True)
def test_no_url_returns_the_bytes_of_an_uploaded_file(client, officer, plan):

    from csplan.forecasts.models import DatasetFile

    upload = client.post(
        "/demand/upload/",
        {
            "name": "Returns to 31 March 2025",
            "files": [
                _named(HEADER, "header_2025.csv"),
                _named(EPISODES, "episodes_2025.csv"),
            ],
        },
    )
    assert upload.status_code == 302, upload.content.decode()[:2000]
    stored = list(DatasetFile.objects.all())
    assert sorted(f.name for f in stored) == ["episodes_2025.csv", "header_2025.csv"]
    assert all(MARKER.encode() in bytes(f.content) for f in stored)  # kept as received
    ids = sorted(
        {str(stored[0].dataset_id), str(stored[0].pk), str(stored[1].pk), "1", "2"}, key=int
    )
    client.raise_request_exception = False
    routes = _routes(get_resolver().url_patterns)
    assert any(route.startswith("demand/") for route in routes)
    checked = 0
    for route in routes:
        for number in ids if "<int:" in route else ["-"]:
            path = "/" + re.sub(r"<int:\w+>", number, route)
            if "<" in path:
                continue
            for query in ("", "?format=csv", "?format=json", "?format=xlsx"):
                response = client.get(path + query)
                body = b"".join(response) if response.streaming else response.content
                for text in _texts(body):
                    assert MARKER.encode() not in text, f"{path}{query} returned upload bytes"
                    assert HEADER not in text and EPISODES not in text, path + query
                checked += 1
    assert checked > 100


def _named(content: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.mark.django_db
def test_a_nul_character_is_refused_before_it_reaches_the_database(client, django_user_model):
    client.force_login(
        with_role(django_user_model.objects.create_user("nul-tester", is_staff=True), "admin")
    )
    page = client.get("/lines/", {"workstream": "Social\x00care"})
    assert page.status_code == 400 and b"NUL character" in page.content
    api = client.get("/api/plans/any/lines", {"workstream": "\x00"})
    assert api.status_code == 400 and "NUL" in api.json()["errors"]["request"]
    body = client.post(
        "/api/plans/any/lines", '{"title": "a\\u0000b"}', content_type="application/json"
    )
    assert body.status_code == 400
    no_plan_yet = client.get("/lines/", {"workstream": "Social care"})
    assert no_plan_yet.status_code == 302 and no_plan_yet["Location"].startswith("/plans/?next=")
