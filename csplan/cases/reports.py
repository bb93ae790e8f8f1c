"""Business case, equality and decision tables as report data (``csplan.core.table.Table``).

- ``equality_matrix``: lines × the nine protected characteristics, with counts per rating;
- ``equality_workstreams``: per workstream, how many lines affect each characteristic, and
  which characteristics every workstream affects (the committee pack's equality annex);
- ``risk_register``: a business case's risks with likelihood, impact and score;
- ``decisions_register`` and ``approved_report``: what was decided, and the approved total.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

from csplan.cases import equality
from csplan.cases.equality import CHARACTERISTICS, RATINGS, RatedLine
from csplan.cases.models import BusinessCase, Decision, EqualityAssessment
from csplan.cases.store import approved_total, decision_amounts, reconsidered_lines
from csplan.core.cache import cached
from csplan.core.money import Unit
from csplan.core.table import Column, ColumnKind, Row, RowKind, Table
from csplan.programme.models import Plan, SavingsLine
from csplan.programme.store import line_figures

ROUNDING_NOTE = "Totals may not add because of rounding."
_THOUSANDS = {"kind": ColumnKind.MONEY, "unit": Unit.THOUSANDS}


def _meta(plan: Plan) -> dict[str, str]:
    return {"council": plan.council.name, "plan": plan.name, "department": plan.department}


def rated_lines(plan: Plan) -> list[RatedLine]:
    """The plan's lines with their equality ratings, as plain values."""
    stored: dict[int, dict[str, str]] = {}
    for assessment in EqualityAssessment.objects.filter(line__plan=plan):
        stored.setdefault(assessment.line_id, {})[assessment.characteristic] = assessment.rating
    return [
        RatedLine(line.reference, line.title, line.workstream.name, stored.get(line.pk, {}))
        for line in plan.lines.select_related("workstream")
    ]


def matrix_table(lines: Sequence[RatedLine], meta: dict[str, str] | None = None) -> Table:
    """Lines × characteristics with a count row per rating (from plain values)."""
    columns = (
        Column("Reference"),
        Column("Line"),
        Column("Workstream"),
        *(Column(name) for _, name in CHARACTERISTICS),
    )
    rows = [
        Row(
            (
                line.reference,
                line.title,
                line.workstream,
                *(equality.rating_label(line.rating(code)) for code, _ in CHARACTERISTICS),
            )
        )
        for line in lines
    ]
    counts = equality.rating_counts(lines)
    for rating, rating_name in RATINGS:
        rows.append(
            Row(
                (
                    f"{rating_name} (lines)",
                    "",
                    "",
                    *(Decimal(counts[code][rating]) for code, _ in CHARACTERISTICS),
                ),
                RowKind.TOTAL if rating == "adverse" else RowKind.SUBTOTAL,
            )
        )
    return Table(
        name="equality_matrix",
        title="Equality impact by savings line and protected characteristic",
        columns=columns,
        rows=tuple(rows),
        notes=(
            "Ratings under the Public Sector Equality Duty: adverse, neutral, positive or "
            "not assessed.",
        ),
        meta=meta or {},
    )


def workstream_table(lines: Sequence[RatedLine], meta: dict[str, str] | None = None) -> Table:
    """Per workstream, the lines that affect each characteristic (adverse or positive)."""
    by_workstream = equality.affected_by_workstream(lines)
    line_counts = dict.fromkeys(by_workstream, 0)
    for line in lines:
        line_counts[line.workstream] += 1
    columns = (
        Column("Workstream"),
        Column("Lines", ColumnKind.NUMBER),
        *(Column(name, ColumnKind.NUMBER) for _, name in CHARACTERISTICS),
    )
    rows = [
        Row(
            (
                name,
                Decimal(line_counts[name]),
                *(Decimal(counts[code]) for code, _ in CHARACTERISTICS),
            )
        )
        for name, counts in by_workstream.items()
    ]
    affecting = equality.workstreams_affecting(lines)
    rows.append(
        Row(
            (
                "Workstreams affecting",
                Decimal(len(by_workstream)),
                *(Decimal(affecting[code]) for code, _ in CHARACTERISTICS),
            ),
            RowKind.TOTAL,
        )
    )
    return Table(
        name="equality_workstreams",
        title="Equality impact by workstream",
        columns=columns,
        rows=tuple(rows),
        notes=(
            "Each cell counts the workstream's lines rated adverse or positive for the "
            "characteristic.",
            every_workstream_sentence(lines),
        ),
        meta=meta or {},
    )


def every_workstream_sentence(lines: Sequence[RatedLine]) -> str:
    codes = equality.affected_by_every_workstream(lines)
    if not codes:
        return "No characteristic is affected by every workstream."
    names = [equality.label(code) for code in codes]
    if len(names) == 1:
        return f"{names[0]} is the one characteristic every workstream affects."
    return f"Every workstream affects: {', '.join(names)}."


def equality_matrix(plan: Plan) -> Table:
    return matrix_table(rated_lines(plan), _meta(plan))


def equality_workstreams(plan: Plan) -> Table:
    return workstream_table(rated_lines(plan), _meta(plan))


def equality_annex(plan: Plan, references: Collection[str] | None = None) -> tuple[Table, Table]:
    """The committee pack's equality annex: the workstream summary, then the matrix (of the
    lines ``references``, when given: a pack's lines as they stood at its period)."""
    lines = [
        line for line in rated_lines(plan) if references is None or line.reference in references
    ]
    return workstream_table(lines, _meta(plan)), matrix_table(lines, _meta(plan))


def risk_register(case: BusinessCase) -> Table:
    columns = (
        Column("Risk"),
        Column("Likelihood", ColumnKind.NUMBER),
        Column("Impact", ColumnKind.NUMBER),
        Column("Score", ColumnKind.NUMBER),
        Column("Owner"),
        Column("Mitigation"),
    )
    rows = tuple(
        Row(
            (
                risk.title,
                Decimal(risk.likelihood),
                Decimal(risk.impact),
                Decimal(risk.score),
                risk.owner_role,
                risk.mitigation,
            )
        )
        for risk in case.risks.all()
    )
    return Table(
        name="risks",
        title=f"Risks: {case.line.reference} {case.title}",
        columns=columns,
        rows=rows,
        notes=("Likelihood and impact from 1 to 5; score = likelihood × impact.",),
        meta={**_meta(case.line.plan), "line": case.line.reference},
    )


def case_savings(line: SavingsLine) -> Table:
    """The line's incremental saving by year, as its business case shows it (£'000): the change
    to the budget each year (a one-off saving reverses the next year)."""
    years = line.plan.years
    effect = line_figures(line).budget_effect(years)
    return Table(
        name="savings",
        title=f"Savings by year: {line.reference}",
        columns=(Column("Savings"), *(Column(str(year), **_THOUSANDS) for year in years)),
        rows=(Row(("Incremental saving", *(effect[y] for y in years))),),
        notes=(ROUNDING_NOTE,),
        meta={**_meta(line.plan), "line": line.reference},
    )


@cached("decisions_register")
def decisions_register(plan: Plan) -> Table:
    """Every decision and the lines it covers, with the amounts by year (£'000)."""
    years = plan.years
    columns = (
        Column("Line"),
        Column("Date"),
        Column("Body"),
        Column("Reference"),
        Column("Decision"),
        *(Column(str(year), **_THOUSANDS) for year in years),
    )
    rows = []
    decisions = Decision.objects.filter(plan=plan).prefetch_related("covered__line")
    for decision in decisions:
        body = decision.body_name or decision.get_body_display()
        for covered in decision.covered.all():
            amounts = decision_amounts(covered)
            rows.append(
                Row(
                    (
                        covered.line.reference,
                        decision.date.isoformat(),
                        body,
                        decision.reference,
                        decision.get_kind_display(),
                        *(amounts.get(year) for year in years),
                    )
                )
            )
    return Table(
        name="decisions",
        title="Decisions register",
        columns=columns,
        rows=tuple(rows),
        notes=("Amounts are the incremental savings in each year that the decision covers.",),
        meta=_meta(plan),
    )


@cached("approved_report")
def approved_report(plan: Plan) -> Table:
    """The approved total by year (lines with an approval, less those to reconsider)."""
    totals = approved_total(plan)
    years = list(totals)
    columns = (
        Column("Savings"),
        *(Column(str(year), **_THOUSANDS) for year in years),
    )
    reconsidered = ", ".join(line.reference for line in reconsidered_lines(plan)) or "none"
    return Table(
        name="approved",
        title="Approved savings by year",
        columns=columns,
        rows=(Row(("Approved total", *(totals[year] for year in years)), RowKind.TOTAL),),
        notes=(
            ROUNDING_NOTE,
            f"Left out because their consultation said reconsider: {reconsidered}.",
        ),
        meta=_meta(plan),
    )
