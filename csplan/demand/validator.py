"""The DfE's SSDA903 validator (``csc-validator-be-903``) behind a small interface.

The validator pins pandas<2 and numpy<1.25, so it lives in its own environment
(``.venv-903``, made by ``scripts/setup.sh``) and runs as a subprocess: csplan writes the
year's tables as the DfE's CSV layout, sends a JSON request to ``_validator_runner.py`` and
reads JSON back. No pandas object crosses the boundary.

Known defects of version 0.1.17 are marked on the findings (``false_positive``) or on the
rules that crash (``known_defect``), so the user is told what to ignore.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csplan.core import limits
from csplan.demand import codes
from csplan.demand.readers import InputError, Table, find_tables
from csplan.demand.readers import local_authority as readers_local_authority

RUNNER = Path(__file__).with_name("_validator_runner.py")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON_ENV_VAR = "CSPLAN_VALIDATOR_PYTHON"

#: The DfE CSV layout: exactly these columns, in this order (the validator matches on them).
DFE_COLUMNS = {
    "header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "episodes": ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                 "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"],
    "uasc": ["CHILD", "SEX", "DOB", "DUC"],
}  # fmt: skip
_DATE_COLUMNS = {"DOB", "MC_DOB", "DECOM", "DEC", "DUC"}
_TABLE_NAMES = {"header": "Header", "episodes": "Episodes", "uasc": "UASC"}

#: Collection year (year ending 31 March) -> the validator's rule set.
RULESETS = {2023: "lac2022_23", 2024: "lac2023_24", 2025: "lac2024_25", 2026: "lac2025_26",
            2027: "lac2026_27"}  # fmt: skip

#: Findings of these rules are false positives in version 0.1.17 (see ``_is_false_positive``).
KNOWN_FALSE_POSITIVES = {
    "146": "validator defect: the 2024-25 rule lists 'k3' in lower case, so valid K3 "
    "placements are flagged",
    "241": "validator defect: out-of-area K3 placements are flagged",
    "202": "validator defect: a returning child is flagged when 2024-25 sex codes (M/F/U) "
    "meet 2023-24 codes (1/2) for the same sex",
}
#: Rules that crash on missing columns in version 0.1.17.
KNOWN_CRASHES = dict.fromkeys(
    ("231", "233", "709", "710"),
    "validator defect: this rule crashes on missing columns; it was not checked",
)


class ValidatorUnavailable(RuntimeError):
    """The validator's environment is missing."""


class ValidatorFailed(RuntimeError):
    """The validator ran but could not check these files (the message says why)."""


@dataclass(frozen=True)
class Finding:
    """One failed DfE rule on one row."""

    rule: str
    description: str
    file: str
    table: str
    row: int | None  # 1-based row in the file, header line = row 1
    child: str | None
    fields: tuple[str, ...] = ()
    false_positive: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        return "known false positive" if self.false_positive else "finding"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = list(self.fields)
        data["message"] = self.description
        data["status"] = self.status
        return data


@dataclass(frozen=True)
class RuleFailure:
    """A rule that crashed inside the validator, so it did not check anything."""

    code: str
    error: str
    known_defect: bool
    note: str = ""


@dataclass
class ValidationReport:
    collection_year: int
    ruleset: str
    validator_version: str
    findings: list[Finding] = field(default_factory=list)
    failed_rules: list[RuleFailure] = field(default_factory=list)
    skipped_rules: list[str] = field(default_factory=list)
    la_rules: list[str] = field(default_factory=list)  # not run: the LA code was not known
    rules_run: int = 0
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def real_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.false_positive]

    @property
    def false_positives(self) -> list[Finding]:
        return [f for f in self.findings if f.false_positive]

    def as_dict(self) -> dict[str, Any]:
        return {
            "collection_year": self.collection_year,
            "ruleset": self.ruleset,
            "validator_version": self.validator_version,
            "rules_run": self.rules_run,
            "files": self.files,
            "seconds": round(self.seconds, 2),
            "notes": self.notes,
            "findings": [f.as_dict() for f in self.findings],
            "failed_rules": [asdict(r) for r in self.failed_rules],
            "skipped_rules": self.skipped_rules,
            "la_rules": self.la_rules,
        }


def validator_python() -> Path:
    """The Python of the validator's environment; ``ValidatorUnavailable`` when missing."""
    configured = os.environ.get(PYTHON_ENV_VAR)
    python = Path(configured) if configured else PROJECT_ROOT / ".venv-903" / "bin" / "python"
    if not python.exists():
        raise ValidatorUnavailable(
            f"The DfE SSDA903 validator is not installed ({python} not found): run "
            "scripts/setup.sh, which creates .venv-903 from requirements-903.txt"
        )
    return python


def ruleset_for(collection_year: int) -> str:
    """The validator's rule set for a collection year (the nearest one it has)."""
    if collection_year in RULESETS:
        return RULESETS[collection_year]
    nearest = min(RULESETS, key=lambda y: abs(y - collection_year))
    return RULESETS[nearest]


def validate_returns(
    paths: Path | str | Sequence[Path | str],
    collection_year: int,
    *,
    local_authority: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    timeout: float = 1800,
) -> ValidationReport:
    """Run the DfE rules for ``collection_year`` over the returns in ``paths``.

    The previous year's return, when present, is passed as the validator's "previous year"
    so the rules comparing years run too. ``progress(done, total)`` is called per rule.
    ``local_authority`` is the council's code (long form, e.g. E10000015), for the rules on
    where children are placed; when None it is taken from the files (``readers.
    local_authority``), and when they do not say, those rules are not run (a note says so).
    Raises ``InputError`` when the year's tables are missing, ``ValidatorUnavailable`` when
    ``.venv-903`` is missing and ``ValidatorFailed`` when the validator cannot run.
    """
    python = validator_python()
    tables, _ = find_tables(paths)
    this_year = {t.kind: t for t in tables if t.year == collection_year}
    last_year = {t.kind: t for t in tables if t.year == collection_year - 1}
    if "header" not in this_year or "episodes" not in this_year:
        missing = [k for k in ("header", "episodes") if k not in this_year]
        raise InputError(f"collection year {collection_year}: no {' or '.join(missing)} table")
    ruleset = ruleset_for(collection_year)
    council = local_authority or readers_local_authority(tables)
    started = time.perf_counter()
    with limits.temporary_folder("903-dfe") as folder:
        written = _write_dfe_csvs(Path(folder), this_year, "This year")
        written += _write_dfe_csvs(Path(folder), last_year, "Prev year")
        request = {
            "files": [{"path": str(path), "description": description}
                      for path, description, _ in written],
            "collection_year": collection_year,
            "local_authority": council,
            "ruleset": ruleset,
        }  # fmt: skip
        answer = _run(python, request, progress, timeout)
    report = _report(answer, collection_year, this_year, last_year)
    report.seconds = time.perf_counter() - started
    report.files = [t.name for t in [*this_year.values(), *last_year.values()]]
    if council is None:
        report.notes.append(
            "the council's LA code is not in the files and was not given (--la): the rules "
            f"on where children are placed were not run ({', '.join(report.la_rules) or '-'})"
        )
    elif local_authority is None:
        report.notes.append(f"LA code {council}, from the file names or LA column")
    if ruleset != RULESETS.get(collection_year):
        report.notes.append(f"the validator has no rules for {collection_year}; {ruleset} used")
    if any(_has_iso_dates(t) for t in [*this_year.values(), *last_year.values()]):
        report.notes.append("ISO dates were written as dd/mm/YYYY for the validator")
    return report


# -- the boundary -----------------------------------------------------------------------------


def _write_dfe_csvs(
    folder: Path, tables: dict[str, Table], description: str
) -> list[tuple[Path, str, Table]]:
    written = []
    from csplan.demand.dates import column_orders

    for kind, table in tables.items():
        frame = table.frame.copy()
        orders = column_orders(frame, sorted(_DATE_COLUMNS), table.name)
        for column in DFE_COLUMNS[kind]:
            if column not in frame.columns:
                frame[column] = ""
            elif column in _DATE_COLUMNS:
                frame[column] = _dmy(frame[column], orders[column], table.year)
        path = folder / f"{description.replace(' ', '_')}_{kind}.csv"
        frame[DFE_COLUMNS[kind]].to_csv(path, index=False)
        written.append((path, description, table))
    return written


def _dmy(values: pd.Series, order: str, year: int) -> pd.Series:
    from csplan.demand.dates import parse_dates

    parsed = parse_dates(values, order=order, pivot=year)
    text = parsed.dt.strftime("%d/%m/%Y").astype(object)
    return text.where(parsed.notna(), values.astype(object))


def _has_iso_dates(table: Table) -> bool:
    for column in _DATE_COLUMNS & set(table.frame.columns):
        if table.frame[column].astype(str).str.match(r"\d{4}-\d\d-\d\d").any():
            return True
    return False


def _run(
    python: Path, request: dict[str, Any], progress: Callable[[int, int], None] | None,
    timeout: float,
) -> dict[str, Any]:  # fmt: skip
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryFile(mode="w+b") as out:
        process = subprocess.Popen(
            [str(python), str(RUNNER)], stdin=subprocess.PIPE, stdout=out,
            stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir(),
        )  # fmt: skip
        errors: list[str] = []
        reader = threading.Thread(target=_read_stderr, args=(process, progress, errors))
        reader.start()
        assert process.stdin is not None
        process.stdin.write(json.dumps(request).encode())
        process.stdin.close()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            process.kill()
            raise ValidatorFailed(f"the DfE validator took longer than {timeout:.0f} s") from error
        reader.join()
        out.seek(0)
        raw = out.read().decode("utf-8", errors="replace")
    try:
        answer = json.loads(raw)
    except json.JSONDecodeError as error:
        tail = "".join(errors[-20:]).strip()
        raise ValidatorFailed(f"the DfE validator stopped (exit {code}): {tail[-2000:]}") from error
    if "error" in answer:
        raise ValidatorFailed(f"the DfE validator could not read the files: {answer['error']}")
    return answer


def _read_stderr(
    process: subprocess.Popen[bytes], progress: Callable[[int, int], None] | None,
    errors: list[str],
) -> None:  # fmt: skip
    assert process.stderr is not None
    for raw in process.stderr:
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("PROGRESS "):
            parts = line.split()
            if progress is not None and len(parts) >= 3:
                progress(int(parts[1]), int(parts[2]))
        else:
            errors.append(line)


# -- reading the answer -----------------------------------------------------------------------


def _report(
    answer: dict[str, Any], year: int, this_year: dict[str, Table], last_year: dict[str, Table]
) -> ValidationReport:
    by_table = {_TABLE_NAMES[k]: t for k, t in this_year.items()}
    by_table.update({_TABLE_NAMES[k] + "_last": t for k, t in last_year.items()})
    findings = []
    for item in answer["findings"]:
        table = by_table.get(item["table"])
        row_id = item.get("row_id")
        false_positive = _is_false_positive(
            item["rule"], answer["ruleset"], table, row_id, this_year, last_year
        )
        findings.append(Finding(
            rule=item["rule"],
            description=item["description"],
            file=table.name if table else item["table"],
            table=item["table"],
            row=_file_row(table, row_id),
            child=item.get("child"),
            fields=tuple(item.get("fields", [])),
            false_positive=false_positive,
            note=KNOWN_FALSE_POSITIVES.get(item["rule"], "") if false_positive else "",
        ))  # fmt: skip
    findings.sort(key=lambda f: (f.false_positive, _rule_key(f.rule), f.file, f.row or 0))
    failures = [
        RuleFailure(f["code"], f["error"], f["code"] in KNOWN_CRASHES,
                    KNOWN_CRASHES.get(f["code"], "the rule crashed; it was not checked"))
        for f in answer["failed_rules"]
    ]  # fmt: skip
    return ValidationReport(
        collection_year=year,
        ruleset=answer["ruleset"],
        validator_version=answer.get("validator_version", ""),
        findings=findings,
        failed_rules=failures,
        skipped_rules=list(answer.get("skipped_rules", [])),
        la_rules=list(answer.get("la_rules", [])),
        rules_run=int(answer.get("rules_run", 0)),
    )


def _file_row(table: Table | None, row_id: int | None) -> int | None:
    """The row in the user's file: the validator counts rows of the CSV csplan wrote."""
    if row_id is None:
        return None
    if table is not None and 0 <= row_id < len(table.frame):
        return int(table.frame.index[row_id]) + 2
    return row_id + 2


def _rule_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 10**6, code)


def _cell(table: Table | None, row_id: int | None, column: str) -> str | None:
    if table is None or row_id is None or column not in table.frame.columns:
        return None
    if not 0 <= row_id < len(table.frame):
        return None
    return str(table.frame.iloc[row_id][column]).strip().upper()


def _is_false_positive(
    rule: str, ruleset: str, table: Table | None, row_id: int | None,
    this_year: dict[str, Table], last_year: dict[str, Table],
) -> bool:  # fmt: skip
    if (rule == "146" and ruleset == "lac2024_25") or rule == "241":
        # K3 exists from 2024-25; before that a K3 placement is a real error.
        return _cell(table, row_id, "PLACE") in (None, "K3")
    if rule == "202":
        return _same_sex_other_coding(table, row_id, this_year, last_year)
    return False


def _same_sex_other_coding(
    table: Table | None, row_id: int | None,
    this_year: dict[str, Table], last_year: dict[str, Table],
) -> bool:  # fmt: skip
    """Rule 202's finding is false when only the coding of sex differs between years."""
    child = _cell(table, row_id, "CHILD")
    if child is None or "header" not in this_year or "header" not in last_year:
        return child is None
    sexes = []
    for header in (this_year["header"].frame, last_year["header"].frame):
        rows = header[header["CHILD"].astype(str).str.upper() == child]
        if rows.empty or "SEX" not in rows:
            return False
        sexes.append(str(rows["SEX"].iloc[-1]).strip().upper())
    this_sex, last_sex = sexes
    return this_sex != last_sex and codes.SEX_CANONICAL.get(this_sex) == codes.SEX_CANONICAL.get(
        last_sex
    )


def main() -> None:  # pragma: no cover - a developer's convenience
    """``python -m csplan.demand.validator PATH YEAR``: print the report as JSON."""
    report = validate_returns(sys.argv[1], int(sys.argv[2]))
    print(json.dumps(report.as_dict(), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
