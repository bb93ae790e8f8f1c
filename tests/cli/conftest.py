"""A Hampshire demo with users of every role, and the command line run in-process."""

import pytest
from click.testing import CliRunner

from csplan.accounts.demo import load_role_users
from csplan.cases.demo import load_hampshire_demo
from csplan.cli import cli
from csplan.demo import demo_user

PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def run():
    """``run("table", "lines")`` runs ``csplan table lines`` and gives its result."""

    def invoke(*args):
        return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def demo_plan(monkeypatch, settings):
    """Hampshire's plan, the demo admin and the role users (viewer, sro, finance)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", PASSWORD)
    plan = load_hampshire_demo()
    load_role_users(plan, PASSWORD)
    demo_user()
    return plan
