"""The programme as a plain dictionary: csplan's JSON exchange format (version 1).

The dictionary names its unit (£, £'000 or £m) and its phasing form (incremental or
cumulative) so a reader never guesses. Amounts are strings or integers, never floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from csplan.core.money import MoneyError, Unit, check_size, from_unit, in_unit, to_decimal
from csplan.core.periods import FinancialYear, PeriodError, parse_years
from csplan.programme.errors import ProblemCollector
from csplan.programme.figures import (
    DEFAULT_RAG_KEY,
    LIFECYCLE_STATES,
    RECURRENCES,
    LineFigures,
    ProgrammeFigures,
    WorkstreamFigures,
)
from csplan.programme.phasing import PhasingForm, from_form, in_form

FORMAT_NAME = "csplan-programme"
FORMAT_VERSION = 1
_OPTIONAL_FLAGS = ("key_decision", "public_consultation", "staff_consultation")
_TEXT_FIELDS = ("service_activity", "description", "impact", "sro_role", "rag", "fte_note")


def _plain(amount: Decimal) -> str:
    text = format(amount.normalize(), "f")
    return text if text != "-0" else "0"


def programme_to_dict(
    programme: ProgrammeFigures,
    form: PhasingForm = PhasingForm.INCREMENTAL,
    unit: Unit = Unit.THOUSANDS,
) -> dict[str, Any]:
    years = programme.years

    def amounts(
        values: Mapping[FinancialYear, Decimal], recurrence: str = "recurrent"
    ) -> dict[str, str]:
        shown = in_form(values, years, form, recurrence)
        return {str(year): _plain(in_unit(shown[year], unit)) for year in years}

    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "council": {
            "name": programme.council,
            "sign_convention": programme.sign_convention,
            "percent_basis": programme.percent_basis,
            **(
                {"rag_key": [dict(entry) for entry in programme.rag_key]}
                if programme.rag_key
                else {}
            ),
        },
        "plan": {
            "name": programme.plan,
            "department": programme.department,
            "years": [str(year) for year in years],
            "unit": unit.label,
            "phasing": form.value,
            "targets": amounts(programme.targets),
        },
        "workstreams": [
            {
                "name": workstream.name,
                "budget": _plain(in_unit(workstream.budget, unit)),
                "is_workstream": workstream.is_workstream,
            }
            for workstream in programme.workstreams
        ],
        "lines": [_line_to_dict(line, amounts, unit) for line in programme.lines],
    }


def _line_to_dict(line: LineFigures, amounts: Any, unit: Unit) -> dict[str, Any]:
    data: dict[str, Any] = {
        "reference": line.reference,
        "title": line.title,
        "workstream": line.workstream,
    }
    for name in _TEXT_FIELDS:
        data[name] = getattr(line, name)
    data.update(
        lifecycle=line.lifecycle,
        recurrence=line.recurrence,
        phasing=amounts(line.phasing, line.recurrence),
        fte=None if line.fte is None else _plain(line.fte),
        baseline_budget=None
        if line.baseline_budget is None
        else _plain(in_unit(line.baseline_budget, unit)),
    )
    for name in _OPTIONAL_FLAGS:
        data[name] = getattr(line, name)
    return data


def programme_from_dict(data: Any, file: str = "<data>") -> ProgrammeFigures:
    """Read the exchange dictionary, reporting every problem with where it is."""
    problems = ProblemCollector(file)
    if not isinstance(data, Mapping):
        problems.add("the file must hold one JSON object")
        problems.raise_if_any()
    if data.get("format") != FORMAT_NAME:
        problems.add(f"'format' must be {FORMAT_NAME!r}", column="format")
    if data.get("version") != FORMAT_VERSION:
        problems.add(f"'version' must be {FORMAT_VERSION}", column="version")
    council = _mapping(data, "council", problems)
    plan = _mapping(data, "plan", problems)
    problems.raise_if_any()

    unit = _unit(plan, problems)
    form = _form(plan, problems)
    years = _years(plan, problems)
    problems.raise_if_any()

    targets = _amounts(plan.get("targets"), years, unit, problems, "plan.targets")
    workstreams = _workstreams(data.get("workstreams"), unit, problems)
    names = {w.name for w in workstreams}
    lines = _lines(data.get("lines"), years, unit, names, problems)
    problems.raise_if_any()
    return ProgrammeFigures(
        council=_text(council, "name", problems, "council.name", required=True),
        plan=_text(plan, "name", problems, "plan.name", required=True),
        department=_text(plan, "department", problems, "plan.department") or "Children's Services",
        years=tuple(years),
        targets=from_form(targets, years, form),
        workstreams=tuple(workstreams),
        lines=tuple(
            _with_phasing(line, from_form(line.phasing, years, form, line.recurrence))
            for line in lines
        ),
        percent_basis=str(council.get("percent_basis") or "exact"),
        sign_convention=str(council.get("sign_convention") or "positive"),
        rag_key=tuple(council.get("rag_key") or DEFAULT_RAG_KEY),
    )


def _with_phasing(line: LineFigures, phasing: dict[FinancialYear, Decimal]) -> LineFigures:
    from dataclasses import replace

    return replace(line, phasing=phasing)


def _mapping(data: Mapping[str, Any], key: str, problems: ProblemCollector) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        problems.add(f"{key!r} must be an object", column=key)
        return {}
    return value


def _text(
    data: Mapping[str, Any],
    key: str,
    problems: ProblemCollector,
    where: str,
    required: bool = False,
) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            problems.add("is required", column=where)
        return ""
    if not isinstance(value, str):
        problems.add(f"must be text, not {value!r}", column=where)
        return ""
    return value.strip()


def _unit(plan: Mapping[str, Any], problems: ProblemCollector) -> Unit:
    try:
        return Unit.from_label(str(plan.get("unit", "")))
    except MoneyError as error:
        problems.add(str(error), column="plan.unit")
        return Unit.THOUSANDS


def _form(plan: Mapping[str, Any], problems: ProblemCollector) -> PhasingForm:
    try:
        return PhasingForm(plan.get("phasing"))
    except ValueError:
        problems.add("'phasing' must be 'incremental' or 'cumulative'", column="plan.phasing")
        return PhasingForm.INCREMENTAL


def _years(plan: Mapping[str, Any], problems: ProblemCollector) -> list[FinancialYear]:
    texts = plan.get("years")
    if not isinstance(texts, list) or not texts:
        problems.add("'years' must be a list of financial years like 2016/17", column="plan.years")
        return []
    try:
        return parse_years(texts)
    except PeriodError as error:
        problems.add(str(error), column="plan.years")
        return []


def _amount(
    value: Any, unit: Unit, problems: ProblemCollector, where: str, row: int | None = None
) -> Decimal | None:
    if isinstance(value, float):
        problems.add(
            f"{value!r}: write amounts as strings or integers, not decimals", row=row, column=where
        )
        return None
    try:
        pounds = from_unit(value, unit)
    except (MoneyError, TypeError):
        problems.add(f"{value!r} is not an amount in {unit.label}", row=row, column=where)
        return None
    try:
        return check_size(pounds)
    except MoneyError as error:
        problems.add(f"{value!r} {unit.label}: {error}", row=row, column=where)
        return None


def _amounts(
    values: Any,
    years: list[FinancialYear],
    unit: Unit,
    problems: ProblemCollector,
    where: str,
    row: int | None = None,
) -> dict[FinancialYear, Decimal]:
    if not isinstance(values, Mapping):
        problems.add("must be an object of financial year to amount", row=row, column=where)
        return {}
    result: dict[FinancialYear, Decimal] = {}
    for key, value in values.items():
        try:
            year = FinancialYear.parse(key)
        except PeriodError as error:
            problems.add(str(error), row=row, column=f"{where}.{key}")
            continue
        if year not in years:
            problems.add(f"{year} is not one of the plan's years", row=row, column=f"{where}.{key}")
            continue
        amount = _amount(value, unit, problems, f"{where}.{key}", row)
        if amount is not None:
            result[year] = amount
    return result


def _workstreams(items: Any, unit: Unit, problems: ProblemCollector) -> list[WorkstreamFigures]:
    if not isinstance(items, list):
        problems.add("'workstreams' must be a list", column="workstreams")
        return []
    result: list[WorkstreamFigures] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.add("must be an object", row=index, column="workstreams")
            continue
        name = _text(item, "name", problems, "workstreams.name", required=True)
        if name in seen:
            problems.add(
                f"workstream {name!r} is listed twice", row=index, column="workstreams.name"
            )
        seen.add(name)
        budget = _amount(item.get("budget"), unit, problems, "workstreams.budget", index)
        flag = item.get("is_workstream", True)
        if not isinstance(flag, bool):
            problems.add(
                "'is_workstream' must be true or false",
                row=index,
                column="workstreams.is_workstream",
            )
            flag = True
        if name and budget is not None:
            result.append(WorkstreamFigures(name, budget, flag))
    return result


def _lines(
    items: Any,
    years: list[FinancialYear],
    unit: Unit,
    workstreams: set[str],
    problems: ProblemCollector,
) -> list[LineFigures]:
    if not isinstance(items, list):
        problems.add("'lines' must be a list", column="lines")
        return []
    result: list[LineFigures] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            problems.add("must be an object", row=index, column="lines")
            continue
        line = _line(item, index, years, unit, workstreams, problems)
        if line is None:
            continue
        if line.reference in seen:
            problems.add(
                f"reference {line.reference!r} is used by more than one line",
                row=index,
                column="lines.reference",
            )
        seen.add(line.reference)
        result.append(line)
    return result


def _line(
    item: Mapping[str, Any],
    row: int,
    years: list[FinancialYear],
    unit: Unit,
    workstreams: set[str],
    problems: ProblemCollector,
) -> LineFigures | None:
    before = len(problems.problems)
    reference = _text(item, "reference", problems, "lines.reference", required=True)
    workstream = _text(item, "workstream", problems, "lines.workstream", required=True)
    if workstream and workstream not in workstreams:
        problems.add(f"unknown workstream {workstream!r}", row=row, column="lines.workstream")
    lifecycle = item.get("lifecycle") or "proposed"
    if lifecycle not in LIFECYCLE_STATES:
        problems.add(
            f"lifecycle must be one of {', '.join(LIFECYCLE_STATES)}",
            row=row,
            column="lines.lifecycle",
        )
    recurrence = item.get("recurrence") or "recurrent"
    if recurrence not in RECURRENCES:
        problems.add(
            "recurrence must be 'recurrent' or 'one_off'", row=row, column="lines.recurrence"
        )
    phasing = _amounts(item.get("phasing"), years, unit, problems, "lines.phasing", row)
    fte = _optional_decimal(item.get("fte"), problems, "lines.fte", row)
    baseline = item.get("baseline_budget")
    baseline_budget = (
        None
        if baseline is None
        else _amount(baseline, unit, problems, "lines.baseline_budget", row)
    )
    flags = {}
    for name in _OPTIONAL_FLAGS:
        value = item.get(name)
        if value is not None and not isinstance(value, bool):
            problems.add(f"{name} must be true, false or null", row=row, column=f"lines.{name}")
        flags[name] = value if isinstance(value, bool) else None
    texts = {name: _text(item, name, problems, f"lines.{name}") for name in _TEXT_FIELDS}
    if len(problems.problems) > before:
        return None
    return LineFigures(
        reference=reference,
        title=_text(item, "title", problems, "lines.title") or reference,
        workstream=workstream,
        phasing=phasing,
        lifecycle=lifecycle,
        recurrence=recurrence,
        fte=fte,
        baseline_budget=baseline_budget,
        **flags,
        **texts,
    )


def _optional_decimal(
    value: Any, problems: ProblemCollector, where: str, row: int
) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        problems.add(f"{value!r}: write numbers as strings or integers", row=row, column=where)
        return None
    try:
        return to_decimal(value)
    except (MoneyError, TypeError):
        problems.add(f"{value!r} is not a number", row=row, column=where)
        return None
