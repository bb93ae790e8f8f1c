from decimal import Decimal

import pytest

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.evidence.records import attach_evidence, compare_with_line

pytestmark = pytest.mark.django_db
Y16, Y17, Y18 = FinancialYear(2016), FinancialYear(2017), FinancialYear(2018)


def test_evidence_is_compared_with_the_lines_in_year_saving():
    line = load_hampshire_demo().lines.get(reference="C6")  # 390 / 1,600 / 1,600 (£'000)
    evidence = attach_evidence(
        line,
        kind="demand_scenario",
        title="More in-house fostering",
        savings={Y16: Decimal("400000.00"), Y17: Decimal("1250000.50")},
        data_hash="abc123",
        parameters={"seed": 7},
    )
    assert evidence.savings == {"2016/17": "400000.00", "2017/18": "1250000.50"}
    rows = compare_with_line(line, evidence)
    assert [(str(r.year), r.planned, r.evidenced, r.gap) for r in rows] == [
        ("2016/17", Decimal("390000.00"), Decimal("400000.00"), Decimal("-10000.00")),
        ("2017/18", Decimal("1600000.00"), Decimal("1250000.50"), Decimal("349999.50")),
        ("2018/19", Decimal("1600000.00"), Decimal("0"), Decimal("1600000.00")),
    ]


def test_unknown_kind_is_refused():
    line = load_hampshire_demo().lines.get(reference="C6")
    with pytest.raises(ValueError, match="unknown evidence kind"):
        attach_evidence(line, kind="rumour", title="x", savings={})
