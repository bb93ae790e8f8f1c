"""The API's value types: exact money, financial years, tables, errors.

Money is a decimal string in pounds (£), never a JSON number (a binary float): an amount sent
as a number, with a fraction of a penny or beyond ``csplan.core.money.MAX_AMOUNT`` is a field
error. Financial years are written ``2016/17``; dates ``YYYY-MM-DD``. A table is the JSON shape
of ``csplan.core.render.table_to_dict``: its numbers are exact decimal strings in the unit its
column states (£, £'000, £m or %).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from csplan.core.money import MAX_AMOUNT, MoneyError, check_size, round_half_up, to_decimal
from csplan.core.periods import FinancialYear, MonitoringPeriod, PeriodError
from csplan.core.render import table_to_dict
from csplan.core.table import Table

YEAR_PATTERN = r"^[0-9]{4}/[0-9]{2}$"
MONEY_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
MONEY_IN_PATTERN = r"^-?[0-9]{1,11}(\.[0-9]{1,2})?$"
MONEY_HINT = 'Send the amount as a decimal string in pounds, like "1500.00"'


def one_of(choices: Iterable[str]) -> Any:
    """A string that must be one of ``choices`` (listed in the schema where it is used)."""
    return Literal[tuple(choices)]  # type: ignore[return-value]


class Input(BaseModel):
    """A request body: unknown fields are errors, and values are the JSON types the schema
    names (true is not "yes", 1 is not "1"); dates are ``DateIn``."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Choice(BaseModel):
    """A query string's values (read from text, so "7" is the month 7)."""


class Output(BaseModel):
    """A response body."""


# --- money -------------------------------------------------------------------------------------


def _pounds(value: Any) -> Decimal:
    """A decimal string in pounds, exact to the penny and within the cap."""
    if not isinstance(value, str):
        raise PydanticCustomError("money_type", MONEY_HINT)
    try:
        amount = check_size(to_decimal(value))
    except MoneyError as error:
        if "more than" in str(error):
            raise PydanticCustomError("money_size", str(error)) from None
        raise PydanticCustomError(
            "money", '{value} is not an amount in pounds, like "1500.00"', {"value": repr(value)}
        ) from None
    if amount != round_half_up(amount, 2):
        raise PydanticCustomError("money_penny", "Give the amount to the nearest penny")
    return amount


def money_text(amount: Decimal) -> str:
    """Pounds with pence, rounded once by the project's rule."""
    return f"{round_half_up(to_decimal(amount), 2):.2f}"


_MONEY_SCHEMA = {
    "type": "string",
    "pattern": MONEY_PATTERN,
    "description": "Pounds sterling (£) as an exact decimal string with pence, never a number",
    "examples": ["1500000.00"],
}
_MONEY_IN_SCHEMA = {
    "type": "string",
    "pattern": MONEY_IN_PATTERN,
    "description": f"Pounds sterling (£) as a decimal string (never a number), to the penny, "
    f"at most £{MAX_AMOUNT:,} either way",
    "examples": ["1500000.00"],
}

#: An amount the API answers with: pounds as a decimal string ("1500000.00").
Money = Annotated[
    Decimal,
    PlainSerializer(money_text, return_type=str),
    WithJsonSchema(_MONEY_SCHEMA),
]
#: An amount the API reads: pounds as a decimal string, to the penny, within the cap.
MoneyIn = Annotated[Decimal, BeforeValidator(_pounds), WithJsonSchema(_MONEY_IN_SCHEMA)]


def _decimal_text(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise PydanticCustomError("decimal_type", 'Send a decimal string, like "2.5"')
    try:
        number = to_decimal(value)
    except MoneyError:
        raise PydanticCustomError("decimal", 'Send a decimal string, like "2.5"') from None
    if abs(number) > 1_000_000:
        raise PydanticCustomError("decimal_size", "The number is too large")
    return number


#: A quantity that is not money (FTE): a decimal string.
DecimalIn = Annotated[
    Decimal,
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]{1,7}(\.[0-9]{1,2})?$"}),
]
#: A quantity that is not money, as the API answers: two decimal places ("2.50").
DecimalOut = Annotated[
    Decimal,
    PlainSerializer(money_text, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}),
]


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("day", "Send a date written YYYY-MM-DD")


#: A day the API reads: ``YYYY-MM-DD``.
DateIn = Annotated[
    date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})
]


# --- years and periods -------------------------------------------------------------------------


def _year_label(value: Any) -> str:
    try:
        return FinancialYear.parse(value).label
    except PeriodError as error:
        raise PydanticCustomError("year", str(error)) from None


_YEAR_SCHEMA = {"type": "string", "pattern": YEAR_PATTERN, "examples": ["2016/17"]}

#: A financial year as the API writes it: ``2016/17``.
Year = Annotated[str, WithJsonSchema({**_YEAR_SCHEMA, "description": "Financial year"})]
#: A financial year the API reads (``2016/17``; ``2016-17`` and ``2016/2017`` also work).
YearIn = Annotated[
    str, AfterValidator(_year_label), WithJsonSchema({**_YEAR_SCHEMA, "maxLength": 9})
]
MonthIn = Annotated[int, Field(ge=1, le=12, description="Monitoring month: 1 (April) to 12")]

#: A record's id (the database's ids are 64-bit).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: The version of a record that was read.
Version = Annotated[
    int, Field(ge=1, le=2**31 - 1, description="The version you read (409 if it moved on)")
]

#: Amounts by financial year, as the API answers.
ByYear = dict[Year, Money]
#: Amounts by financial year, as the API reads them.
ByYearIn = Annotated[dict[YearIn, MoneyIn], Field(max_length=50)]


def year_of(label: str) -> FinancialYear:
    return FinancialYear.parse(label)


def by_year(amounts: Any) -> dict[str, Decimal]:
    """``{FinancialYear: Decimal}`` as ``{"2016/17": Decimal}``, in year order."""
    return {year.label: amounts[year] for year in sorted(amounts, key=lambda y: y.start)}


def years_in(amounts: dict[str, Decimal]) -> dict[FinancialYear, Decimal]:
    return {year_of(label): amount for label, amount in amounts.items()}


def period_of(year: str, month: int) -> MonitoringPeriod:
    return MonitoringPeriod(year_of(year), month)


class Period(Output):
    year: Year
    month: int = Field(ge=1, le=12)
    label: str = Field(examples=["Month 7 2016/17"])


def period_out(period: MonitoringPeriod) -> Period:
    return Period(year=period.year.label, month=period.number, label=str(period))


def day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --- short texts -------------------------------------------------------------------------------

Text = Annotated[str, Field(max_length=20_000)]
ShortText = Annotated[str, Field(max_length=300)]
#: A role (never a person's name) or another short label the store keeps in 200 characters.
Label = Annotated[str, Field(max_length=200)]


# --- tables ------------------------------------------------------------------------------------


class TableColumn(Output):
    heading: str
    kind: str = Field(
        description="text, money, percent, number or rag (a delivery-confidence rating: its code)"
    )
    unit: str | None = Field(description="£, £'000, £m or % (money and percent columns)")
    places: int | None = Field(description="Decimal places the table shows (null: exact)")


class TableRow(Output):
    kind: str = Field(description="line, subtotal or total")
    cells: list[str | None] = Field(
        description="Each cell as text; numbers are exact decimals in the column's unit"
    )


class TableOut(Output):
    """A report table as data: the same rows as the page and its CSV/XLSX twins."""

    name: str
    title: str
    meta: dict[str, str]
    units: list[str]
    columns: list[TableColumn]
    rows: list[TableRow]
    notes: list[str]


def table_out(table: Table) -> TableOut:
    return TableOut.model_validate(table_to_dict(table))


class Tables(Output):
    tables: list[TableOut]


def tables_out(*tables: Table) -> Tables:
    return Tables(tables=[table_out(table) for table in tables])


# --- errors ------------------------------------------------------------------------------------


class Errors(Output):
    """What was wrong, field by field: ``{"errors": {"phasing.2016/17": "..."}}``."""

    errors: dict[str, str]


class Conflict(Errors):
    """Someone else changed the record since it was read: read it again, then send its version."""

    current_version: int
