"""Importing a programme file into the database, and saying what changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csplan.core.money import Unit
from csplan.programme.errors import Problem, ProgrammeImportError
from csplan.programme.figures import ProgrammeFigures
from csplan.programme.io import file_type, read_programme_file
from csplan.programme.phasing import PhasingForm


@dataclass(frozen=True)
class ImportSummary:
    file: str
    council: str
    plan: str
    created: bool  # a new plan
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    workstreams_changed: bool
    targets_changed: bool

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.added
            or self.updated
            or self.removed
            or self.workstreams_changed
            or self.targets_changed
        )

    def describe(self) -> list[str]:
        """What the import did, for people."""
        verb = "Created" if self.created else "Updated"
        if not self.changed:
            return [f"{self.file}: nothing changed in {self.council}: {self.plan}."]
        lines = [f"{self.file}: {verb} {self.council}: {self.plan}."]
        for label, references in (
            ("added", self.added),
            ("updated", self.updated),
            ("removed", self.removed),
        ):
            shown = f": {', '.join(references)}" if references else ""
            lines.append(f"  Lines {label}: {len(references)}{shown}")
        lines.append(f"  Lines unchanged: {self.unchanged}")
        if self.workstreams_changed:
            lines.append("  Workstreams changed.")
        if self.targets_changed:
            lines.append("  Targets changed.")
        return lines


def compare(
    before: ProgrammeFigures | None, after: ProgrammeFigures, file: str = ""
) -> ImportSummary:
    """The lines added, updated and removed between two versions of a programme."""
    old = {line.reference: line for line in before.lines} if before else {}
    new = {line.reference: line for line in after.lines}
    return ImportSummary(
        file=file,
        council=after.council,
        plan=after.plan,
        created=before is None,
        added=tuple(ref for ref in new if ref not in old),
        updated=tuple(ref for ref in new if ref in old and old[ref] != new[ref]),
        removed=tuple(ref for ref in old if ref not in new),
        unchanged=sum(1 for ref in new if ref in old and old[ref] == new[ref]),
        workstreams_changed=before is not None and before.workstreams != after.workstreams,
        targets_changed=before is not None
        and (before.targets != after.targets or before.years != after.years),
    )


def find_plan(name: str | None, file: str) -> Any:
    """The plan ``name`` (slug or name), or the only plan in use; None when there is no plan."""
    from csplan.programme.plans import PlanChoiceError, active_plans, chosen_plan

    if not name and not active_plans().exists():
        return None
    try:
        return chosen_plan(name)
    except PlanChoiceError as error:
        raise ProgrammeImportError([Problem(file, f"{error} (--plan)")]) from None


def import_programme_file(
    path: Path,
    *,
    phasing: PhasingForm | None = None,
    unit: Unit | None = None,
    plan: str | None = None,
    user: Any = None,
    remove_missing: bool = False,
    workstream: str = "",
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Read ``path`` completely, then save it in one transaction (a bad file changes nothing).

    A CSV adds to and updates the lines of ``plan`` (needed when several plans are in use; new
    lines without a Workstream column go to ``workstream``); the workbook and JSON create or
    update the plan they name. ``progress`` is told each stage: "read", "compared", "saved".
    """
    step = progress or (lambda stage: None)
    from csplan.programme.models import Plan
    from csplan.programme.store import programme_figures, save_programme

    path = Path(path)
    kind = file_type(path)
    base = None
    if kind == ".csv":
        target = find_plan(plan, path.name)
        base = programme_figures(target) if target is not None else None
    figures = read_programme_file(
        path,
        phasing=phasing,
        unit=unit,
        base=base,
        remove_missing=remove_missing,
        workstream=workstream,
    )
    if kind != ".csv" and plan and plan != figures.plan and not _is_slug_of(plan, figures):
        raise ProgrammeImportError(
            [Problem(path.name, f"the file is the plan {figures.plan!r}, not {plan!r}")]
        )
    step("read")
    existing = Plan.objects.filter(council__name=figures.council, name=figures.plan).first()
    before = programme_figures(existing) if existing is not None else None
    step("compared")
    save_programme(figures, user=user, reason=f"Imported {path.name}")
    step("saved")
    return compare(before, figures, path.name)


def _is_slug_of(text: str, figures: ProgrammeFigures) -> bool:
    from csplan.programme.models import Plan

    return Plan.objects.filter(slug=text, council__name=figures.council, name=figures.plan).exists()
