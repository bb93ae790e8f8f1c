"""A savings line's change history, from django-simple-history: who, when recorded, from when
it takes effect, before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from csplan.core.cache import cached
from csplan.core.money import Unit, format_amount, from_pence
from csplan.core.periods import FinancialYear
from csplan.programme.models import PhasingEntry, SavingsLine

_HIDDEN_FIELDS = {"position", "version", "uid"}
_ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    field: str
    before: str
    after: str
    reason: str
    effective: date | None = None  # the business date the change takes effect


def _who(record: Any) -> str:
    return record.history_user.get_username() if record.history_user else "system"


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.endswith("_pence"):
        return f"£{format_amount(from_pence(value), Unit.POUNDS, 2)}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _line_entries(line: SavingsLine) -> list[HistoryEntry]:
    entries = []
    records = list(line.history.order_by("history_date", "history_id"))
    for previous, record in zip([None, *records], records, strict=False):
        base = (record.history_date, _who(record), _ACTIONS[record.history_type])
        reason = record.history_change_reason or ""
        if previous is None or record.history_type != "~":
            entries.append(
                HistoryEntry(*base, "line", "", record.reference, reason, record.effective)
            )
            continue
        for change in record.diff_against(previous).changes:
            if change.field in _HIDDEN_FIELDS:
                continue
            label = SavingsLine._meta.get_field(change.field).verbose_name
            entries.append(
                HistoryEntry(
                    *base,
                    str(label),
                    _shown(change.field, change.old),
                    _shown(change.field, change.new),
                    reason,
                    record.effective,
                )
            )
    return entries


def _phasing_entries(line: SavingsLine) -> list[HistoryEntry]:
    entries = []
    records = PhasingEntry.history.filter(line_id=line.pk).order_by("history_date", "history_id")
    last_amount: dict[int, int] = {}
    for record in records:
        year = FinancialYear(record.year)
        before = last_amount.get(record.year)
        after = None if record.history_type == "-" else record.amount_pence
        last_amount[record.year] = after if after is not None else 0
        entries.append(
            HistoryEntry(
                record.history_date,
                _who(record),
                _ACTIONS[record.history_type],
                f"{year} saving (incremental)",
                _shown("amount_pence", before),
                _shown("amount_pence", after),
                record.history_change_reason or "",
                record.effective,
            )
        )
    return entries


@cached("line_history")
def line_history(line: SavingsLine) -> list[HistoryEntry]:
    """Every recorded change to the line and its phasing, newest first."""
    entries = _line_entries(line) + _phasing_entries(line)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
