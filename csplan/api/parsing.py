"""Reading API request bodies into the values the programme store takes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from csplan.api.http import ApiError
from csplan.core.money import MoneyError, to_decimal
from csplan.core.periods import FinancialYear, PeriodError

TEXT_FIELDS = (
    "reference", "title", "workstream", "service_activity", "description", "impact",
    "sro_role", "lifecycle", "rag", "recurrence", "fte_note",
)  # fmt: skip
FLAG_FIELDS = ("key_decision", "public_consultation", "staff_consultation")
REQUIRED_ON_CREATE = ("reference", "title", "workstream")
# Fields a client may send back unchanged from a GET; they are not edited through the API.
READ_ONLY_FIELDS = frozenset({"id", "uid", "url", "owners", "full_year_effect"})


def amount(value: Any, field: str) -> Decimal:
    """A decimal string in pounds (numbers are refused: JSON numbers are binary floats)."""
    if not isinstance(value, str):
        raise ApiError(
            400, {field: 'Send the amount as a decimal string in pounds, like "1500.00"'}
        )
    try:
        return to_decimal(value)
    except MoneyError:
        raise ApiError(
            400, {field: f'{value!r} is not an amount in pounds, like "1500.00"'}
        ) from None


def phasing(value: Any, field: str = "phasing") -> dict[FinancialYear, Decimal]:
    if not isinstance(value, dict):
        raise ApiError(400, {field: 'Send an object of year to amount, like {"2016/17": "100.00"}'})
    result: dict[FinancialYear, Decimal] = {}
    for year_text, text in value.items():
        try:
            year = FinancialYear.parse(year_text)
        except PeriodError as error:
            raise ApiError(400, {f"{field}.{year_text}": str(error)}) from None
        result[year] = amount(text, f"{field}.{year.label}")
    return result


def _optional_amount(value: Any, field: str) -> Decimal | None:
    return None if value is None else amount(value, field)


def _fte(value: Any) -> Decimal:
    try:
        return to_decimal(value) if isinstance(value, str) else to_decimal(None)
    except MoneyError:
        raise ApiError(
            400, {"fte": 'Send the FTE change as a decimal string, like "2.5"'}
        ) from None


def _value(name: str, value: Any) -> Any:
    if name in TEXT_FIELDS:
        if not isinstance(value, str):
            raise ApiError(400, {name: "Send text"})
        return value
    if name in FLAG_FIELDS:
        if value is not None and not isinstance(value, bool):
            raise ApiError(400, {name: "Send true, false or null"})
        return value
    if name == "fte":
        return None if value is None else _fte(value)
    if name == "baseline_budget":
        return _optional_amount(value, name)
    if name == "phasing":
        return phasing(value)
    raise ApiError(400, {name: "Unknown field"})


def line_changes(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The fields of ``LineFigures`` that ``body`` sets, parsed and checked."""
    missing = [name for name in REQUIRED_ON_CREATE if creating and name not in body]
    if missing:
        raise ApiError(400, dict.fromkeys(missing, "This field is required"))
    return {
        name: _value(name, value)
        for name, value in body.items()
        if name not in READ_ONLY_FIELDS and name != "version"
    }


def version(body: dict[str, Any]) -> int:
    value = body.get("version")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ApiError(
            400,
            {"version": "Send the line's version (from GET) so no one else's edit is overwritten"},
        )
    return value


def store_errors(errors: dict[str, str]) -> dict[str, str]:
    """The store's field names in the API's terms (``phasing_2016`` is ``phasing.2016/17``)."""
    result = {}
    for name, message in errors.items():
        if name.startswith("phasing_") and name[8:].isdigit():
            name = f"phasing.{FinancialYear(int(name[8:])).label}"
        result[name] = message
    return result
