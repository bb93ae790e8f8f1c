import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear, MonitoringPeriod
from csplan.monitoring.demo import load_monitoring_demo

Y16 = FinancialYear(2016)


@pytest.fixture
def plan(db):
    return load_monitoring_demo(load_hampshire_demo())


@pytest.fixture
def month9():
    return MonitoringPeriod(Y16, 9)
