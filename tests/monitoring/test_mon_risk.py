from decimal import Decimal

from csplan.core.periods import FinancialYear
from csplan.monitoring.risk import (
    Observation,
    RiskLine,
    calibrate,
    expected_delivery,
    risk_adjusted,
    simulate,
)

Y16, Y17 = FinancialYear(2016), FinancialYear(2017)
PROBS = {"B": Decimal("1.0"), "G": Decimal("0.95"), "A": Decimal("0.7"), "R": Decimal("0.3")}
HALF = {"H": Decimal("0.5"), "C": Decimal("1.0")}


def test_expected_delivery_hand_computed():
    # 200 @ 0.5 and 100 @ 1.0 -> 100 + 100 = 200; 100 @ 0.5 and 200 @ 1.0 -> 50 + 200 = 250
    lines = [RiskLine("a", "H", {Y16: Decimal(200)}), RiskLine("b", "C", {Y16: Decimal(100)})]
    assert expected_delivery(lines, HALF, [Y16]) == {Y16: Decimal("200.00")}
    lines = [RiskLine("a", "H", {Y16: Decimal(100)}), RiskLine("b", "C", {Y16: Decimal(200)})]
    assert expected_delivery(lines, HALF, [Y16]) == {Y16: Decimal("250.00")}


def test_expected_delivery_uses_the_rag_probabilities_and_rounds_once():
    lines = [
        RiskLine("g", "G", {Y16: Decimal("1000.01")}),
        RiskLine("r", "R", {Y16: Decimal("333.33"), Y17: Decimal(10)}),
    ]
    # 950.0095 + 99.999 = 1050.0085 -> 1050.01 (half up, once)
    assert expected_delivery(lines, PROBS, [Y16, Y17]) == {
        Y16: Decimal("1050.01"),
        Y17: Decimal("3.00"),
    }


def test_bernoulli_percentiles_are_exact_outcomes():
    lines = [RiskLine("a", "H", {Y16: Decimal(100)}), RiskLine("b", "C", {Y16: Decimal(200)})]
    result = simulate(lines, HALF, [Y16], draws=4000, seed=7)[Y16]
    assert result.p10 == Decimal("200.00")  # line a fails in half the draws
    assert result.p90 == Decimal("300.00")
    assert result.p50 in (Decimal("200.00"), Decimal("300.00"))


def test_certain_and_impossible_lines_have_no_spread():
    lines = [RiskLine("a", "B", {Y16: Decimal("123.45")}), RiskLine("z", "Z", {Y16: Decimal(9)})]
    probs = {"B": Decimal(1), "Z": Decimal(0)}
    result = simulate(lines, probs, [Y16], draws=500, seed=1)[Y16]
    assert result.p10 == result.p50 == result.p90 == Decimal("123.45")


def test_simulation_is_reproducible_with_a_seed():
    lines = [RiskLine(str(i), "A", {Y16: Decimal(100 * i)}) for i in range(1, 9)]
    assert simulate(lines, PROBS, [Y16], seed=3) == simulate(lines, PROBS, [Y16], seed=3)


def test_unrated_lines_count_at_the_lowest_probability():
    lines = [RiskLine("x", "", {Y16: Decimal(100)})]
    assert expected_delivery(lines, PROBS, [Y16]) == {Y16: Decimal("30.00")}


def test_calibration_is_the_share_delivered_by_rag_at_the_time():
    result = calibrate(
        [
            Observation("G", Decimal(100), Decimal(90)),
            Observation("G", Decimal(100), Decimal(100)),
            Observation("A", Decimal(200), Decimal(100)),
            Observation("R", Decimal(100), Decimal(0)),
            Observation("B", Decimal(50), Decimal(60)),  # over-delivery caps at 1
            Observation("X", Decimal(0), Decimal(5)),  # nothing planned: no evidence
        ]
    )
    assert result == {
        "A": Decimal("0.50"),
        "B": Decimal("1"),
        "G": Decimal("0.95"),
        "R": Decimal("0.00"),
    }


def test_risk_adjusted_rows_compare_with_the_target():
    lines = [RiskLine("a", "H", {Y16: Decimal(100)}), RiskLine("b", "C", {Y16: Decimal(200)})]
    [row] = risk_adjusted(lines, HALF, [Y16], {Y16: Decimal(280)}, draws=1000, seed=2)
    assert (row.target, row.planned, row.expected) == (280, 300, Decimal("250.00"))
    assert row.expected_gap == Decimal("30.00")
