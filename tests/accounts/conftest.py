"""Demo users of every role over the Hampshire programme."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from csplan.accounts.demo import load_role_users
from csplan.cases.demo import load_hampshire_demo
from csplan.demo import demo_user

PASSWORD = "a-demo-password-for-tests"


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plan():
    return load_hampshire_demo()


@pytest.fixture
def people(plan, monkeypatch):
    """admin (the demo user), finance, sro (owns C3, C5, C1/7), viewer."""
    monkeypatch.setenv("CSPLAN_DEMO_PASSWORD", PASSWORD)
    users = load_role_users(plan, PASSWORD)
    users["admin"] = demo_user()
    return users


@pytest.fixture
def lines(plan):
    return {line.reference: line for line in plan.lines.all()}
