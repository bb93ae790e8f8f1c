"""Fixtures for the demand pages: a logged-in client and small synthetic SSDA903 returns.

The pages run the real demand library; the returns are small (about 120 children in care,
three collection years) and the forecasts use 100 simulations so the tests stay quick.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest

from csplan.accounts.users import with_role
from csplan.demand import synthetic
from csplan.forecasts import services

HERE = Path(__file__).parent
if str(HERE) not in sys.path:  # the suite imports in importlib mode
    sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def _quick_runs(settings):
    settings.CSPLAN_DEMAND_SIMULATIONS = 100
    services._RETURNS_CACHE.clear()


@pytest.fixture(scope="session")
def returns_zip(tmp_path_factory) -> bytes:
    folder = tmp_path_factory.mktemp("returns")
    synthetic.write_returns(folder, children_in_care=120, years=3, last_year=2025, seed=5)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.rglob("*.csv")):
            archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@pytest.fixture
def user(django_user_model):
    return with_role(
        django_user_model.objects.create_user("analyst", password="a-long-password-1"), "finance"
    )


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client
