"""The lifecycle rules of a savings line, as plain functions over plain values.

A line moves proposed → consulted → approved → in delivery → delivered, or is withdrawn or
written off. What each move needs:

- consulted: a completed consultation covering the line;
- approved: an approval decision covering the line and, when the line needs a public
  consultation, a completed public consultation whose outcome is not "reconsider";
- delivered: at least one evidence record and the chief finance officer's (s151) sign-off;
- written off: a write-off decision covering the line.
"""

from __future__ import annotations

from dataclasses import dataclass

LABELS = {
    "proposed": "Proposed",
    "consulted": "Consulted",
    "approved": "Approved",
    "in_delivery": "In delivery",
    "delivered": "Delivered",
    "withdrawn": "Withdrawn",
    "written_off": "Written off",
}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("consulted", "approved", "withdrawn"),
    "consulted": ("approved", "withdrawn"),
    "approved": ("in_delivery", "withdrawn", "written_off"),
    "in_delivery": ("delivered", "written_off"),
    "delivered": (),
    "withdrawn": ("proposed",),
    "written_off": (),
}


@dataclass(frozen=True)
class LineFacts:
    """What the lifecycle rules look at, read from the store for one line."""

    public_consultation: bool | None = None
    completed_consultations: int = 0
    public_outcome: str = ""  # outcome of the latest completed public consultation
    approval_decisions: int = 0
    write_off_decisions: int = 0
    evidence: int = 0
    finance_sign_offs: int = 0


def allowed_moves(current: str) -> tuple[str, ...]:
    return TRANSITIONS.get(current, ())


def lifecycle_refusal(current: str, new: str, facts: LineFacts) -> str | None:
    """Why the line cannot move from ``current`` to ``new``, or None when it can."""
    if new not in LABELS:
        return f"{new!r} is not a lifecycle status: choose one of {', '.join(LABELS)}"
    if new == current:
        return f"The line is already {LABELS[new].lower()}"
    if new not in allowed_moves(current):
        allowed = ", ".join(LABELS[move].lower() for move in allowed_moves(current))
        then = f"; from {LABELS[current].lower()} it can move to: {allowed}" if allowed else ""
        return f"A line cannot move from {LABELS[current].lower()} to {LABELS[new].lower()}" + (
            then or f": {LABELS[current].lower()} is final"
        )
    return _requirement_missing(new, facts)


def _requirement_missing(new: str, facts: LineFacts) -> str | None:
    if new == "consulted" and not facts.completed_consultations:
        return "Consulted needs a completed consultation (with its outcome) covering the line"
    if new == "approved":
        return _approval_missing(facts)
    if new == "delivered":
        if not facts.evidence:
            return "Delivered needs at least one evidence record attached to the line"
        if not facts.finance_sign_offs:
            return "Delivered needs the chief finance officer's (s151) sign-off"
    if new == "written_off" and not facts.write_off_decisions:
        return "Written off needs a write-off decision (e.g. by Cabinet) covering the line"
    return None


def _approval_missing(facts: LineFacts) -> str | None:
    if not facts.approval_decisions:
        return "Approved needs a decision record (e.g. Cabinet or Full Council) covering the line"
    if facts.public_consultation:
        if not facts.public_outcome:
            return (
                "Approved needs a completed public consultation covering the line: "
                "its decision route includes public consultation"
            )
        if facts.public_outcome == "reconsider":
            return "The public consultation's outcome was reconsider: the line cannot be approved"
    return None
