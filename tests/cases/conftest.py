"""A small hand-built programme: two workstreams, four lines, over 2018/19 to 2020/21."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from csplan.accounts.users import with_role
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures, ProgrammeFigures, WorkstreamFigures
from csplan.programme.store import save_programme

Y18, Y19, Y20 = FinancialYear(2018), FinancialYear(2019), FinancialYear(2020)


def _line(reference, workstream, amounts, **extra):
    years = (Y18, Y19, Y20)[: len(amounts)]
    phasing = {year: Decimal(amount) for year, amount in zip(years, amounts, strict=True)}
    return LineFigures(reference, f"Line {reference}", workstream, phasing, **extra)


def small_programme() -> ProgrammeFigures:
    return ProgrammeFigures(
        council="Testshire County Council",
        plan="Business Plan 2018-21",
        years=(Y18, Y19, Y20),
        targets={Y18: Decimal("500000"), Y19: Decimal("300000")},
        workstreams=(
            WorkstreamFigures("Early help", Decimal("2000000")),
            WorkstreamFigures("Transport", Decimal("1000000")),
        ),
        lines=(
            _line("EH1", "Early help", ("100000", "50000")),
            _line("EH2", "Early help", ("200000.50",), public_consultation=True),
            _line("TR1", "Transport", ("30000", "20000", "10000")),
            _line("TR2", "Transport", ("40000",)),
        ),
    )


@pytest.fixture
def plan(db):
    return save_programme(small_programme())


@pytest.fixture
def user(db):
    return with_role(
        get_user_model().objects.create_user("officer", password="a-long-password-1"), "finance"
    )


@pytest.fixture
def finance(db):
    return with_role(
        get_user_model().objects.create_user("finance", password="a-long-password-2"), "finance"
    )
