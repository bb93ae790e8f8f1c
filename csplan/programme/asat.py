"""The programme as it stood on a past day, rebuilt from the change history.

Every programme model keeps its history (django-simple-history), and every recorded change
carries the business date it takes effect (``effective``: a decision's date, the end of the
monitoring month of a movement, or the day of a plain edit) as well as when it was recorded.
"As at" a day reads, for each row, its latest change effective by the end of that day, so the
programme approved on 16 September 2015 is ``programme_as_at(plan_id, date(2015, 9, 16))``
however much later its figures were typed in. ``recorded_by`` limits it further to what had
been recorded by a moment ("what did we know at 17:30?").

The result is the same plain values (``ProgrammeFigures``) the reports use.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from csplan.core.money import from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.figures import LineFigures, ProgrammeFigures
from csplan.programme.models import (
    Council,
    PhasingEntry,
    Plan,
    SavingsLine,
    TargetEntry,
    Workstream,
)
from csplan.programme.store import assemble_figures, line_figures


class AsAtError(ValueError):
    """Nothing to show at that moment (the message says why)."""


def _moment(on: dt.date, recorded_by: dt.datetime | None) -> tuple[dt.date, dt.datetime | None]:
    """A datetime ``on`` means that day as recorded by that moment."""
    if isinstance(on, dt.datetime):
        return timezone.localdate(on), recorded_by or on
    return on, recorded_by


def _described(on: dt.date, recorded_by: dt.datetime | None) -> str:
    text = f"{on:%d %B %Y}"
    if recorded_by is not None:
        text += f" as recorded at {timezone.localtime(recorded_by):%H:%M}"
    return text


def rows_as_at(
    model: Any, on: dt.date, recorded_by: dt.datetime | None = None, **filters: Any
) -> list[Any]:
    """The rows of ``model`` matching ``filters`` as they stood on ``on``: each row's latest
    change effective by then (ties by when recorded), deleted rows left out."""
    records = model.history.filter(effective__lte=on, **filters)
    if recorded_by is not None:
        records = records.filter(history_date__lte=recorded_by)
    latest: dict[int, Any] = {}
    for record in records.order_by("effective", "history_date", "history_id"):
        latest[record.id] = record
    return [record.instance for record in latest.values() if record.history_type != "-"]


def programme_as_at(
    plan_id: int, on: dt.date, *, recorded_by: dt.datetime | None = None
) -> ProgrammeFigures:
    """The plan ``plan_id`` as it stood on the day ``on`` (a datetime: that day as recorded
    by that moment)."""
    on, recorded_by = _moment(on, recorded_by)
    plans = rows_as_at(Plan, on, recorded_by, id=plan_id)
    if not plans:
        raise AsAtError(f"the plan did not exist on {_described(on, recorded_by)}")
    plan = plans[0]
    councils = rows_as_at(Council, on, recorded_by, id=plan.council_id)
    if not councils:
        raise AsAtError(f"the plan's council did not exist on {_described(on, recorded_by)}")
    workstreams = sorted(
        rows_as_at(Workstream, on, recorded_by, plan_id=plan_id),
        key=lambda w: (not w.is_workstream, w.position, w.id),
    )
    names = {w.id: w.name for w in workstreams}
    lines = sorted(
        rows_as_at(SavingsLine, on, recorded_by, plan_id=plan_id), key=lambda x: (x.position, x.id)
    )
    targets = sorted(rows_as_at(TargetEntry, on, recorded_by, plan_id=plan_id), key=_year)
    figures = _lines(lines, names, on, recorded_by)
    return assemble_figures(councils[0], plan, targets, workstreams, figures)


def line_as_at(line_id: int, on: dt.date, *, recorded_by: dt.datetime | None = None) -> LineFigures:
    """One savings line as it stood on ``on``."""
    on, recorded_by = _moment(on, recorded_by)
    lines = rows_as_at(SavingsLine, on, recorded_by, id=line_id)
    if not lines:
        raise AsAtError(f"the line did not exist on {_described(on, recorded_by)}")
    line = lines[0]
    streams = rows_as_at(Workstream, on, recorded_by, id=line.workstream_id)
    names = {line.workstream_id: streams[0].name if streams else ""}
    return _lines([line], names, on, recorded_by)[0]


def _year(entry: Any) -> int:
    return entry.year


def _lines(
    lines: list[SavingsLine],
    names: dict[int, str],
    on: dt.date,
    recorded_by: dt.datetime | None,
) -> list[LineFigures]:
    phasing: dict[int, dict[FinancialYear, Decimal]] = {}
    entries = rows_as_at(PhasingEntry, on, recorded_by, line_id__in=[line.id for line in lines])
    for entry in sorted(entries, key=_year):
        phasing.setdefault(entry.line_id, {})[FinancialYear(entry.year)] = from_pence(
            entry.amount_pence
        )
    return [
        line_figures(line, phasing.get(line.id, {}), names.get(line.workstream_id, ""))
        for line in lines
    ]
