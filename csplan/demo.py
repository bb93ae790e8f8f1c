"""The demo: every part of csplan filled with published or synthetic content.

- Hampshire's Transformation to 2017 programme (published figures) with a generated year of
  monitoring (2016/17 Month 1 to 12), movements and demand re-runs;
- BCP Council's invest-to-save case (published figures);
- Cambridgeshire's thirteen People and Communities business cases (published text, officers by
  role) as a second plan, with synthetic equality ratings, consultations and decisions;
- benchmark data for a fictional LA and its statistical neighbours (synthetic, since csplan
  ships no copy of the DfE and ONS files);
- evidence from the EHC plan and levels-of-need models for C4 (SEN transport) and C1/7
  (integrated family support), on synthetic figures in DfE's layout.

The demo log-in is user ``demo``. Its password comes from CSPLAN_DEMO_PASSWORD, or is made up
once and kept in the data folder (readable by its owner only) so every start can print it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_USERNAME = "demo"
DEMO_PASSWORD_ENV = "CSPLAN_DEMO_PASSWORD"


@dataclass
class DemoSummary:
    username: str
    password: str
    loaded: list[str] = field(default_factory=list)


def _password_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "demo-login.txt"


def demo_password() -> str:
    """The demo password: from the environment, else the one kept in the data folder."""
    configured = os.environ.get(DEMO_PASSWORD_ENV)
    if configured:
        return configured
    path = _password_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def demo_user() -> Any:
    """The demo user, created or given the current demo password."""
    from django.contrib.auth import get_user_model

    password = demo_password()
    user, _ = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
    if not user.check_password(password):
        user.set_password(password)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    from csplan.accounts.models import Role
    from csplan.accounts.users import set_role

    set_role(user, Role.ADMIN)
    return user


def load_demo() -> DemoSummary:
    """Load every demo dataset (each loader is idempotent) and the demo log-in."""
    from csplan.benchmark.demo import load_demo_benchmark
    from csplan.cases.demo import load_cambridgeshire_plan, load_cases_demo, load_hampshire_demo
    from csplan.investment.demo import load_investment_demo
    from csplan.monitoring.demo import load_monitoring_demo

    user = demo_user()
    summary = DemoSummary(DEMO_USERNAME, demo_password())
    # Cambridgeshire's plan first, so Hampshire's (the newest) stays the plan the app shows.
    cambridgeshire = load_cambridgeshire_plan(user=user)
    plan = load_hampshire_demo(user=user)
    summary.loaded.append(f"{plan.council.name}: {plan.name}")
    from csplan.accounts.demo import load_role_users

    load_role_users(plan, summary.password, by=user)
    summary.loaded.append("Users finance, sro (owns C3, C5, C1/7) and viewer, demo password")
    load_monitoring_demo(plan, user=user)
    summary.loaded.append("2016/17 monitoring, Month 1 to 12, with movements")
    summary.loaded.append(_whole_system_demo(plan, user))
    case = load_investment_demo(user=user)
    summary.loaded.append(f"Invest-to-save case: {case}")
    load_demo_benchmark()
    summary.loaded.append("Benchmark data for a fictional demo LA and its neighbours (synthetic)")
    from csplan.forecasts.demo import load_demand_demo

    dataset = load_demand_demo(user=user)
    summary.loaded.append(f"Demand model: {dataset.name}, three scenarios and a forecast")
    summary.loaded.append(f"{cambridgeshire.council.name}: {cambridgeshire.name}")
    summary.loaded.extend(load_cases_demo([plan, cambridgeshire], user=user))
    return summary


def _whole_system_demo(plan: Any, user: Any) -> str:
    """C4's SEN transport and C1/7's levels-of-need evidence (synthetic figures)."""
    from csplan.forecasts.system_demo import load_whole_system_demo

    found = load_whole_system_demo(plan, user=user)
    return "Whole-system demand evidence (synthetic figures): " + "; ".join(
        f"{e.line.reference} {e.title}" for e in found
    )
