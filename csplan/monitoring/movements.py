"""The movements journal as pure functions over incremental phasing.

Phasing is the canonical incremental form (the change to the base budget in each financial
year). What each kind of movement conserves:

- **re-profiling** moves an amount between two years: the total over the years (the full-year
  effect) is unchanged;
- **slippage** is re-profiling into the next year, so it conserves the total too, and leaves an
  in-year pressure in the year it slipped from;
- **increase** adds to a line's saving in a year (its full-year effect rises by the amount);
- **reduction** takes an amount off a line's saving in a year without a write-off decision
  (an edit of the plan, with its reason): the full-year effect falls by the amount;
- **write-off** (a formal decision, so it needs a decision reference) removes an amount from a
  year onwards: the line's total falls by the amount and a recurrent pressure of the same
  amount appears, so savings plus pressure are unchanged;
- **replacement** adds a saving (to another line) that covers a write-off from a year onwards;
- **mitigation** covers a pressure without changing any line: one-off cover meets one year only
  and leaves the recurrent gap for the next year; recurrent cover meets every later year;
- **offset by demand**: a gross saving delivered is offset by rising demand or unit costs;
  gross = offset + net.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from csplan.core.money import ZERO
from csplan.core.periods import FinancialYear
from csplan.programme.phasing import to_cumulative

Phasing = Mapping[FinancialYear, Decimal]


class MovementKind(StrEnum):
    REPROFILE = "reprofile"
    SLIPPAGE = "slippage"
    WRITE_OFF = "write_off"
    REPLACEMENT = "replacement"
    MITIGATION = "mitigation"
    DEMAND_OFFSET = "demand_offset"
    INCREASE = "increase"
    REDUCTION = "reduction"

    @property
    def changes_phasing(self) -> bool:
        return self in _PHASING_KINDS

    @property
    def label(self) -> str:
        return _LABELS[self]


_PHASING_KINDS = {
    MovementKind.REPROFILE,
    MovementKind.SLIPPAGE,
    MovementKind.WRITE_OFF,
    MovementKind.REPLACEMENT,
    MovementKind.INCREASE,
    MovementKind.REDUCTION,
}
_LABELS = {
    MovementKind.REPROFILE: "a re-profile",
    MovementKind.SLIPPAGE: "slippage",
    MovementKind.WRITE_OFF: "a write-off",
    MovementKind.REPLACEMENT: "a replacement",
    MovementKind.MITIGATION: "a mitigation",
    MovementKind.DEMAND_OFFSET: "an offset by demand",
    MovementKind.INCREASE: "an increase",
    MovementKind.REDUCTION: "a reduction",
}
#: The kinds an edit of a line's phasing is recorded as (see ``phasing_changes``).
EDIT_KINDS = (
    MovementKind.REPROFILE,
    MovementKind.SLIPPAGE,
    MovementKind.INCREASE,
    MovementKind.REDUCTION,
)


class MovementError(ValueError):
    """A movement that cannot be applied; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class MovementSpec:
    kind: MovementKind
    amount: Decimal
    year: FinancialYear  # the year the amount is taken from, or applies from
    to_year: FinancialYear | None = None  # re-profiling only (slippage: the next year)
    recurrence: str = "recurrent"  # mitigation: "one_off" or "recurrent"
    decision_reference: str = ""

    @property
    def destination(self) -> FinancialYear | None:
        if self.kind is MovementKind.SLIPPAGE:
            return self.year.next()
        return self.to_year if self.kind is MovementKind.REPROFILE else None


def validate(spec: MovementSpec, phasing: Phasing, years: Sequence[FinancialYear]) -> None:
    """Raise ``MovementError`` unless ``spec`` can be applied to ``phasing`` over ``years``."""
    if spec.amount <= 0:
        raise MovementError("amount", "Enter an amount greater than zero")
    if spec.year not in years:
        raise MovementError("year", f"{spec.year} is not one of the programme's years")
    if spec.kind in (MovementKind.REPROFILE, MovementKind.SLIPPAGE):
        _validate_move(spec, phasing, years)
    elif spec.kind in (MovementKind.WRITE_OFF, MovementKind.REDUCTION):
        if spec.kind is MovementKind.WRITE_OFF and not spec.decision_reference.strip():
            raise MovementError(
                "decision_reference", "A write-off needs the reference of the decision record"
            )
        in_place = to_cumulative(phasing, years)[spec.year]
        if spec.amount > in_place:
            raise MovementError(
                "amount", f"Only £{in_place:,} of this saving is in place in {spec.year}"
            )
    elif spec.kind is MovementKind.MITIGATION and spec.recurrence not in ("one_off", "recurrent"):
        raise MovementError("recurrence", "Choose one-off or recurrent mitigation")


def _validate_move(spec: MovementSpec, phasing: Phasing, years: Sequence[FinancialYear]) -> None:
    destination = spec.destination
    if destination is None:
        raise MovementError("to_year", "Choose the year the saving moves to")
    if destination not in years:
        raise MovementError(
            "to_year", f"{destination} is outside the programme: extend the plan's years first"
        )
    if destination == spec.year:
        raise MovementError("to_year", "Choose a different year to move the saving to")
    available = phasing.get(spec.year, ZERO)
    if spec.amount > available:
        raise MovementError(
            "amount", f"Only £{available:,} of this saving is phased in {spec.year}"
        )


def apply(spec: MovementSpec, phasing: Phasing, years: Sequence[FinancialYear]) -> dict:
    """The line's incremental phasing after ``spec`` (years with no change are left out)."""
    validate(spec, phasing, years)
    return _step(spec, phasing, years)


def _step(spec: MovementSpec, phasing: Phasing, years: Sequence[FinancialYear]) -> dict:
    """``spec`` applied to ``phasing`` without the checks (an edit already made is recorded)."""
    result = {year: phasing.get(year, ZERO) for year in years}
    if spec.kind in (MovementKind.REPROFILE, MovementKind.SLIPPAGE):
        destination = spec.destination
        assert destination is not None
        result[spec.year] -= spec.amount
        result[destination] += spec.amount
    elif spec.kind in (MovementKind.WRITE_OFF, MovementKind.REDUCTION):
        result[spec.year] -= spec.amount
    elif spec.kind in (MovementKind.REPLACEMENT, MovementKind.INCREASE):
        result[spec.year] += spec.amount
    return {year: amount for year, amount in result.items() if amount != ZERO}


def phasing_changes(
    before: Phasing, after: Phasing, years: Sequence[FinancialYear]
) -> list[MovementSpec]:
    """The movements that turn ``before`` into ``after``, applied in order: amounts taken out
    of a year and put into a later or earlier one are re-profiling (slippage when into the
    next year), what is left over is an increase or a reduction in its year."""
    change = {year: after.get(year, ZERO) - before.get(year, ZERO) for year in years}
    taken = [[year, -amount] for year, amount in change.items() if amount < ZERO]
    added = [[year, amount] for year, amount in change.items() if amount > ZERO]
    specs: list[MovementSpec] = []
    for source in taken:
        for destination in added:
            moved = min(source[1], destination[1])
            if moved <= ZERO:
                continue
            kind = (
                MovementKind.SLIPPAGE
                if destination[0] == source[0].next()
                else MovementKind.REPROFILE
            )
            to_year = destination[0] if kind is MovementKind.REPROFILE else None
            specs.append(MovementSpec(kind, moved, source[0], to_year=to_year))
            source[1] -= moved
            destination[1] -= moved
    specs += [MovementSpec(MovementKind.REDUCTION, left, year) for year, left in taken if left]
    specs += [MovementSpec(MovementKind.INCREASE, left, year) for year, left in added if left]
    return specs


def as_kind(specs: Sequence[MovementSpec], kind: MovementKind | None) -> list[MovementSpec]:
    """``specs`` recorded as the ``kind`` the user chose (None: as worked out). Slippage is
    re-profiling into the next year, so a re-profile may be chosen for it; otherwise the chosen
    kind must be what the change is, or ``MovementError`` says what it is."""
    if kind is None:
        return list(specs)
    fits = {kind, MovementKind.SLIPPAGE} if kind is MovementKind.REPROFILE else {kind}
    if any(spec.kind not in fits for spec in specs):
        raise MovementError(
            "movement_kind",
            f"This change is {describe(specs)}, not only {kind.label}: "
            "choose what it is, or let csplan work it out",
        )
    if kind is MovementKind.REPROFILE:
        return [
            MovementSpec(MovementKind.REPROFILE, spec.amount, spec.year, spec.destination)
            for spec in specs
        ]
    return list(specs)


def describe(specs: Sequence[MovementSpec]) -> str:
    """``specs`` in words: "slippage of £50 from 2016/17; an increase of £10 in 2018/19"."""
    parts = []
    for spec in specs:
        if spec.destination is not None:
            parts.append(f"{spec.kind.label} of £{spec.amount:,} from {spec.year} to "
                         f"{spec.destination}")  # fmt: skip
        else:
            parts.append(f"{spec.kind.label} of £{spec.amount:,} in {spec.year}")
    return "; ".join(parts)


def step_through(
    specs: Sequence[MovementSpec], before: Phasing, years: Sequence[FinancialYear]
) -> list[tuple[MovementSpec, dict, dict]]:
    """Each spec with the phasing before and after it, applied in turn from ``before``."""
    result = []
    current = {year: amount for year, amount in before.items() if amount != ZERO}
    for spec in specs:
        following = _step(spec, current, years)
        result.append((spec, current, following))
        current = following
    return result


def in_year_effect(
    before: Phasing, after: Phasing, years: Sequence[FinancialYear]
) -> dict[FinancialYear, Decimal]:
    """The saving lost in each year (positive is a pressure): cumulative before less after."""
    was, now = to_cumulative(before, years), to_cumulative(after, years)
    return {year: was[year] - now[year] for year in years}


def pressure(spec: MovementSpec, years: Sequence[FinancialYear]) -> dict[FinancialYear, Decimal]:
    """The pressure a movement creates in each year (positive is a pressure)."""
    result = dict.fromkeys(years, ZERO)
    if spec.kind in (MovementKind.WRITE_OFF, MovementKind.REDUCTION):
        for year in years:
            if year >= spec.year:
                result[year] = spec.amount
    elif spec.kind in (MovementKind.DEMAND_OFFSET, MovementKind.SLIPPAGE):
        if spec.year in result:
            result[spec.year] = spec.amount
    elif spec.kind is MovementKind.REPROFILE:
        destination = spec.destination
        assert destination is not None
        sign = 1 if destination > spec.year else -1
        low, high = min(spec.year, destination), max(spec.year, destination)
        for year in years:
            if low <= year < high:
                result[year] = sign * spec.amount
    return result


def cover(spec: MovementSpec, years: Sequence[FinancialYear]) -> dict[FinancialYear, Decimal]:
    """What a replacement or mitigation covers in each year."""
    result = dict.fromkeys(years, ZERO)
    if spec.kind is MovementKind.REPLACEMENT or (
        spec.kind is MovementKind.MITIGATION and spec.recurrence == "recurrent"
    ):
        for year in years:
            if year >= spec.year:
                result[year] = spec.amount
    elif spec.kind is MovementKind.MITIGATION and spec.year in result:
        result[spec.year] = spec.amount
    return result


def remaining_gap(
    specs: Iterable[MovementSpec], years: Sequence[FinancialYear]
) -> dict[FinancialYear, Decimal]:
    """Pressures less cover, by year: what is still to find (negative is over-covered)."""
    gap = dict.fromkeys(years, ZERO)
    for spec in specs:
        for year, amount in pressure(spec, years).items():
            gap[year] += amount
        for year, amount in cover(spec, years).items():
            gap[year] -= amount
    return gap


@dataclass(frozen=True)
class GrossOffsetNet:
    gross: Decimal  # the saving delivered before demand
    offset: Decimal  # eaten by rising demand or unit costs
    net: Decimal  # what the budget actually sees


def gross_offset_net(gross: Decimal, offsets: Iterable[Decimal]) -> GrossOffsetNet:
    offset = sum(offsets, ZERO)
    return GrossOffsetNet(gross, offset, gross - offset)


def total(phasing: Phasing) -> Decimal:
    """The full-year effect: the sum of the incremental phasing."""
    return sum(phasing.values(), ZERO)


# --- gross, offset and net by year -----------------------------------------------------------


@dataclass(frozen=True)
class DemandBaseline:
    """A demand model's baseline cost by year, as evidence records it: the growth over its base
    year is demand the programme's savings have to absorb."""

    key: str  # the same baseline used by several lines' evidence is counted once
    label: str
    references: tuple[str, ...]  # the lines whose evidence uses it
    costs: Mapping[FinancialYear, Decimal]
    base_year: FinancialYear
    base_cost: Decimal

    def growth(self, year: FinancialYear) -> Decimal | None:
        """The baseline cost in ``year`` less the base year's (None if not forecast)."""
        if year == self.base_year:
            return ZERO
        cost = self.costs.get(year)
        return None if cost is None else cost - self.base_cost


@dataclass(frozen=True)
class GrossOffsetNetYear:
    year: FinancialYear
    result: GrossOffsetNet
    growth: tuple[Decimal | None, ...]  # by baseline, in the order given
    recorded: Decimal  # "offset by demand" movements in the journal for the year

    @property
    def spend_change(self) -> Decimal:
        """The net change in spend: negative when the savings outrun demand growth."""
        return -self.result.net


def gross_offset_net_by_year(
    years: Sequence[FinancialYear],
    gross: Mapping[FinancialYear, Decimal],
    baselines: Sequence[DemandBaseline],
    recorded: Mapping[FinancialYear, Decimal],
) -> list[GrossOffsetNetYear]:
    """Each year's gross savings, the demand growth they absorb (each baseline's growth and the
    offsets recorded in monitoring) and the net saving (gross less offset)."""
    rows = []
    for year in years:
        growth = tuple(baseline.growth(year) for baseline in baselines)
        offsets = [g for g in growth if g is not None] + [recorded.get(year, ZERO)]
        rows.append(
            GrossOffsetNetYear(
                year,
                gross_offset_net(gross.get(year, ZERO), offsets),
                growth,
                recorded.get(year, ZERO),
            )
        )
    return rows
