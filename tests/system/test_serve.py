"""``csplan serve``: warns when others can reach it without production settings (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from csplan.cli import cli, system

ROOT = Path(__file__).resolve().parents[2]


def _settings(**overrides):
    values = {"PRODUCTION": False, "DEBUG": False, "SECRET_KEY": system._LOCAL_ONLY_KEY}
    return SimpleNamespace(**{**values, **overrides})


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"])
def test_no_warning_on_loopback(host):
    assert system.production_warnings(host, _settings()) == []


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "csplan.example.internal"])
def test_a_warning_beyond_loopback_without_production_settings(host):
    warning = "\n".join(system.production_warnings(host, _settings(DEBUG=True)))
    assert f"serving beyond this computer ({host}) without production settings" in warning
    assert "CSPLAN_PRODUCTION=1 is not set" in warning
    assert "DEBUG is on" in warning
    assert "CSPLAN_SECRET_KEY is not set" in warning


def test_no_warning_with_production_settings():
    production = _settings(PRODUCTION=True, SECRET_KEY="x" * 60)
    assert system.production_warnings("0.0.0.0", production) == []


def test_the_command_prints_the_warning_on_stderr(monkeypatch):
    started = []
    monkeypatch.setattr(system, "run_server", lambda plan, application: started.append(plan))
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "without production settings" in result.stderr
    assert "without production settings" not in result.stdout
    assert len(started) == 1
    quiet = CliRunner().invoke(cli, ["serve", "--host", "127.0.0.1"])
    assert quiet.stderr == ""


def test_the_readme_server_example_sets_production_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Using your council's PostgreSQL server", 1)[1]
    example = section.split("```sh", 1)[1].split("```", 1)[0]
    exported = dict(re.findall(r"^export (\w+)=(\S+)", example, flags=re.MULTILINE))
    assert exported["CSPLAN_PRODUCTION"] == "1"
    assert exported["CSPLAN_SECRET_KEY"] and exported["CSPLAN_ALLOWED_HOSTS"]
    assert "CSPLAN_DEBUG" not in exported
    assert "serve --host 0.0.0.0" in example


def test_on_linux_serve_builds_gunicorn_with_several_workers(monkeypatch):
    started = []
    monkeypatch.setattr(system, "run_server", lambda plan, application: started.append(plan))
    result = CliRunner().invoke(cli, ["serve", "--port", "8123", "--threads", "4"])
    assert result.exit_code == 0, result.output
    (plan,) = started
    assert plan.server == "gunicorn"
    assert plan.options["bind"] == ["127.0.0.1:8123"]
    assert plan.options["workers"] == system.default_workers() >= 2
    assert plan.options["threads"] == 4
    assert plan.options["worker_class"] == "gthread"


def test_gunicorn_takes_the_configuration():
    plan = system.server_plan("::", 8000, threads=6, workers=3, server="gunicorn")
    assert plan.options["bind"] == ["[::]:8000"]
    configured = system.gunicorn_application(plan, application=object()).cfg
    assert configured.workers == 3
    assert configured.threads == 6
    assert configured.bind == ["[::]:8000"]
    assert configured.worker_class_str == "gthread"
    assert configured.timeout == 120
    assert configured.pre_fork is system._close_connections_before_fork


def test_waitress_stays_available(monkeypatch):
    started = []
    monkeypatch.setattr(system, "run_server", lambda plan, application: started.append(plan))
    result = CliRunner().invoke(cli, ["serve", "--server", "waitress", "--threads", "3"])
    assert result.exit_code == 0, result.output
    (plan,) = started
    assert plan.server == "waitress"
    assert plan.options["threads"] == 3 and plan.options["port"] == 8000
    assert plan.options["clear_untrusted_proxy_headers"] is True
    behind_proxy = system.server_plan(
        "0.0.0.0", 8000, server="waitress", trusted_proxy_header="X-Forwarded-For"
    )
    assert behind_proxy.options["clear_untrusted_proxy_headers"] is False


def test_without_gunicorn_serve_falls_back_to_waitress(monkeypatch):
    monkeypatch.setattr(system.importlib.util, "find_spec", lambda name: None)
    assert system.default_server() == "waitress"
    assert system.server_plan("127.0.0.1", 8000).server == "waitress"
