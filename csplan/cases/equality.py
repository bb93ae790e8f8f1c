"""The programme's cumulative equality view, as plain functions over plain values.

Under the Public Sector Equality Duty each line is rated against the nine protected
characteristics. A line *affects* a characteristic when its rating is adverse or positive;
a workstream affects it when any of its lines does (Hampshire 7.4: "age is the one
characteristic every workstream affects").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

CHARACTERISTICS: tuple[tuple[str, str], ...] = (
    ("age", "Age"),
    ("disability", "Disability"),
    ("gender_reassignment", "Gender reassignment"),
    ("marriage_civil_partnership", "Marriage and civil partnership"),
    ("pregnancy_maternity", "Pregnancy and maternity"),
    ("race", "Race"),
    ("religion_belief", "Religion or belief"),
    ("sex", "Sex"),
    ("sexual_orientation", "Sexual orientation"),
)
RATINGS: tuple[tuple[str, str], ...] = (
    ("adverse", "Adverse"),
    ("positive", "Positive"),
    ("neutral", "Neutral"),
    ("not_assessed", "Not assessed"),
)
AFFECTING = frozenset({"adverse", "positive"})
NOT_ASSESSED = "not_assessed"


@dataclass(frozen=True)
class RatedLine:
    reference: str
    title: str
    workstream: str
    ratings: Mapping[str, str]  # characteristic → rating; a missing one is not assessed

    def rating(self, characteristic: str) -> str:
        return self.ratings.get(characteristic, NOT_ASSESSED)

    def affects(self, characteristic: str) -> bool:
        return self.rating(characteristic) in AFFECTING


def rating_counts(lines: Sequence[RatedLine]) -> dict[str, dict[str, int]]:
    """For each characteristic, how many lines have each rating."""
    counts = {code: {rating: 0 for rating, _ in RATINGS} for code, _ in CHARACTERISTICS}
    for line in lines:
        for code, _ in CHARACTERISTICS:
            counts[code][line.rating(code)] += 1
    return counts


def workstreams_of(lines: Sequence[RatedLine]) -> list[str]:
    """The workstreams that have lines, in the order their first line appears."""
    return list(dict.fromkeys(line.workstream for line in lines))


def affected_by_workstream(lines: Sequence[RatedLine]) -> dict[str, dict[str, int]]:
    """For each workstream and characteristic, how many of its lines affect it."""
    result = {name: {code: 0 for code, _ in CHARACTERISTICS} for name in workstreams_of(lines)}
    for line in lines:
        for code, _ in CHARACTERISTICS:
            if line.affects(code):
                result[line.workstream][code] += 1
    return result


def workstreams_affecting(lines: Sequence[RatedLine]) -> dict[str, int]:
    """For each characteristic, how many workstreams affect it."""
    by_workstream = affected_by_workstream(lines)
    return {
        code: sum(1 for counts in by_workstream.values() if counts[code])
        for code, _ in CHARACTERISTICS
    }


def affected_by_every_workstream(lines: Sequence[RatedLine]) -> list[str]:
    """The characteristics (codes) every workstream with lines affects."""
    total = len(workstreams_of(lines))
    if not total:
        return []
    return [code for code, count in workstreams_affecting(lines).items() if count == total]


def label(code: str) -> str:
    return dict(CHARACTERISTICS)[code]


def rating_label(code: str) -> str:
    return dict(RATINGS)[code]
