"""The demo invest-to-save case: BCP Council's Children's Services Building Stronger
Foundations programme (Cabinet, 26 July 2023). The figures are published facts; officers
appear by role.

The report states the savings for 2024/25 (up to £3.9m) and 2026/27 (£6.4m a year); it does
not state 2025/26, which the demo fills with the straight line between them (£5.15m) and marks
as an assumption.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from csplan.core.periods import FinancialYear
from csplan.investment.calculations import CAPITAL_RECEIPTS, CaseFigures, Spend
from csplan.investment.models import InvestmentCase
from csplan.investment.store import save_case
from csplan.programme.models import Council

BCP_COUNCIL = "Bournemouth, Christchurch and Poole Council"
BCP_LA_CODE = "E06000058"
Y23, Y24, Y25, Y26 = (FinancialYear(year) for year in (2023, 2024, 2025, 2026))
M = Decimal(1_000_000)


def bcp_figures() -> CaseFigures:
    return CaseFigures(
        reference="BSF",
        name="Children's Services Building Stronger Foundations Programme",
        spend=(
            Spend(
                Y23,
                "improvement",
                "reserve",
                Decimal("1.734") * M,
                funding_detail="Draw-down of the £1.903m added to the Unearmarked Reserve at the "
                "2022/23 outturn",
            ),
            Spend(
                Y24,
                "improvement",
                "revenue_budget",
                Decimal("1.022") * M,
                funding_detail="Additional service pressure in the 2024/25 budget (adds to the "
                "£44.4m funding gap)",
            ),
            Spend(
                Y23,
                "transformation",
                CAPITAL_RECEIPTS,
                Decimal("1.346") * M,
                designed_for_ongoing_savings=True,
                funding_detail="Flexible use of capital receipts (available to 31 March 2025)",
            ),
            Spend(
                Y24,
                "transformation",
                CAPITAL_RECEIPTS,
                Decimal("0.360") * M,
                designed_for_ongoing_savings=True,
                funding_detail="Flexible use of capital receipts (available to 31 March 2025)",
            ),
        ),
        expected={Y24: Decimal("3.9") * M, Y25: Decimal("5.15") * M, Y26: Decimal("6.4") * M},
    )


EXPECTED_NOTES = {
    Y24: "Up to £3.9m (report 1.22)",
    Y25: "Not stated in the report: straight line between 2024/25 and 2026/27 (assumption)",
    Y26: "£6.4m a year by 2026/27 (report 1.22)",
}

DETAILS = {
    "summary": "One-off investment of £4.462m to establish the structures and capacity for "
    "improvement and transformation of children's services: a programme management office, "
    "workforce improvement (less agency spend), commissioning transformation, targeted "
    "service delivery, cultural change, partnerships and a reimagined early help model. It is "
    "in addition to the £14.6m ongoing investment in the approved 2023/24 revenue budget and "
    "the £1.7m one-off investment in the improvement journey in 2022/23, and excludes the "
    "one-off allocations approved since the 2023/24 budget was set (£189k children's "
    "commissioning, £784k special educational needs and disability service).",
    "stage": InvestmentCase.Stage.OUTLINE,
    "decision": "Cabinet, 26 July 2023 (recommendation to Council); full business case to "
    "Cabinet in December 2023",
    "owner_role": "Director of Children's Services, with the Chief Financial Officer",
    "source": "BCP Council Cabinet report 'Children's Services Building Stronger Foundations "
    "Programme', 26 July 2023, paragraphs 1.19-1.22.",
    "savings_note": "Indicative only at Outline Business Case stage (report 1.22). The council "
    "expects about £7m of annual savings within the MTFP cycle overall. The auditor will need "
    "evidence of expected and actual expenditure and of actual savings against plan (1.21).",
}


def load_investment_demo(user: Any = None) -> InvestmentCase:
    """Store the BCP case (idempotent) and return it."""
    council = Council.objects.filter(name=BCP_COUNCIL).first()
    if council is None:
        council = Council(name=BCP_COUNCIL, la_code=BCP_LA_CODE)
        council._history_user = user if getattr(user, "is_authenticated", False) else None
        council.save()
    return save_case(
        council,
        bcp_figures(),
        details=DETAILS,
        expected_notes=EXPECTED_NOTES,
        user=user,
        reason="Demo invest-to-save case loaded",
    )
