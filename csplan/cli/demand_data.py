"""``csplan demand validate`` and ``csplan demand generate``: the data side of the demand model.

Thin: reading and checking live in ``csplan.demand.episodes`` and ``csplan.demand.validator``,
synthetic data in ``csplan.demand.synthetic``. No database is needed.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

COLUMNS = ["source", "rule", "message", "file", "row", "child", "column", "action", "status"]


@click.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "csv", "xlsx", "json"]), default="text",
    show_default=True, help="Output format.",
)  # fmt: skip
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write to this file (needed for xlsx).")  # fmt: skip
@click.option(
    "--year", "years", type=int, multiple=True,
    help="Collection year(s) to run the DfE rules for (e.g. 2025 for 2024-25); default all.",
)  # fmt: skip
@click.option("--no-dfe", is_flag=True, help="Only csplan's own input checks.")
@click.option(
    "--la", "local_authority",
    help="Your council's nine-character code (e.g. E10000015), for the DfE rules on where "
         "children are placed; needed for the DfE rules unless the file names or an LA "
         "column carry it. No council is assumed.",
)  # fmt: skip
def validate(
    path: Path, fmt: str, output: Path | None, years: tuple[int, ...], no_dfe: bool,
    local_authority: str | None,
) -> None:  # fmt: skip
    """Check SSDA903 returns in PATH (folder, zip or file): input issues and DfE rules."""
    from csplan.demand.episodes import InputError, load_returns

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    try:
        returns = load_returns(path)
    except InputError as error:
        raise click.ClickException(str(error)) from error
    rows = [_issue_row(issue) for issue in returns.issues]
    reports: list[Any] = []
    warning = ""
    if not no_dfe:
        wanted = list(years) or returns.years
        unknown = sorted(set(wanted) - set(returns.years))
        if unknown:
            raise click.ClickException(
                f"no returns for {', '.join(map(str, unknown))} in {path} "
                f"(found {', '.join(map(str, returns.years))})"
            )
        reports, warning = _run_dfe(path, wanted, _council(local_authority, returns))
        for report in reports:
            rows.extend(_finding_row(finding) for finding in report.findings)
            rows.extend(_failure_row(failure, report) for failure in report.failed_rules)
    if warning:
        click.echo(f"Warning: {warning}", err=True)
    if fmt == "xlsx":
        _write_xlsx(rows, output)
        click.echo(f"Wrote {len(rows)} issues and findings to {output}", err=True)
        return
    text = _render(fmt, rows, returns, reports)
    if output is None:
        click.echo(text, nl=fmt != "csv")
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


def _council(given: str | None, returns: Any) -> str:
    """The LA code for the DfE rules: ``--la``, else the one the files carry; else refused."""
    if given:
        code = given.strip().upper()
        if returns.local_authority and returns.local_authority != code:
            click.echo(f"Warning: --la {code}, but the files say {returns.local_authority}; "
                       f"{code} used", err=True)  # fmt: skip
        return code
    if returns.local_authority:
        click.echo(f"LA code {returns.local_authority}, from the files", err=True)
        return returns.local_authority
    raise click.UsageError(
        "the DfE rules need your council's LA code and the files do not say it (no code in "
        "their names or an LA column): give --la CODE (e.g. --la E10000015), or --no-dfe "
        "for csplan's own checks only"
    )


def _write_xlsx(rows: list[dict[str, Any]], output: Path) -> None:
    from openpyxl import Workbook

    from csplan.core.render import add_table_sheet
    from csplan.core.table import Column, Row, Table

    table = Table(
        "validation", "SSDA903 input issues and DfE validator findings",
        tuple(Column(name) for name in COLUMNS),
        tuple(Row(tuple("" if r[c] is None else str(r[c]) for c in COLUMNS)) for r in rows),
    )  # fmt: skip
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_table_sheet(workbook, table)
    workbook.save(output)


def _run_dfe(path: Path, years: list[int], local_authority: str) -> tuple[list[Any], str]:
    from csplan.demand.validator import ValidatorFailed, ValidatorUnavailable, validate_returns

    reports = []
    with click.progressbar(
        length=len(years) * 1000, label="DfE validator", file=sys.stderr,
        show_eta=False,
    ) as bar:  # fmt: skip
        for index, year in enumerate(years):
            done = [0]

            def step(finished: int, total: int, index: int = index, done: list = done) -> None:
                target = index * 1000 + int(1000 * finished / max(total, 1))
                bar.update(target - (index * 1000 + done[0]))
                done[0] = target - index * 1000

            try:
                reports.append(validate_returns(path, year, local_authority=local_authority,
                                                progress=step))  # fmt: skip
            except ValidatorUnavailable as error:
                return reports, str(error)
            except ValidatorFailed as error:
                return reports, f"{year}: {error}"
    return reports, ""


def _issue_row(issue: Any) -> dict[str, Any]:
    return {"source": "input", "rule": issue.rule, "message": issue.message, "file": issue.file,
            "row": issue.row, "child": issue.child_id, "column": issue.column,
            "action": issue.action, "status": "issue"}  # fmt: skip


def _finding_row(finding: Any) -> dict[str, Any]:
    return {"source": "dfe", "rule": finding.rule, "message": finding.description,
            "file": finding.file, "row": finding.row, "child": finding.child,
            "column": ", ".join(finding.fields), "action": finding.note,
            "status": finding.status}  # fmt: skip


def _failure_row(failure: Any, report: Any) -> dict[str, Any]:
    return {
        "source": "dfe",
        "rule": failure.code,
        "message": f"rule could not run ({failure.error})",
        "file": "",
        "row": None,
        "child": None,
        "column": "",
        "action": failure.note,
        "status": "known validator defect" if failure.known_defect else "rule failed",
    }


def _render(fmt: str, rows: list[dict[str, Any]], returns: Any, reports: list[Any]) -> str:
    if fmt == "json":
        return json.dumps({
            "years": returns.years,
            "episodes": len(returns.episodes),
            "data_hash": returns.data_hash,
            "input_issues": [r for r in rows if r["source"] == "input"],
            "dfe": [report.as_dict() for report in reports],
        }, indent=2, default=str)  # fmt: skip
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    return _text(rows, returns, reports)


def _text(rows: list[dict[str, Any]], returns: Any, reports: list[Any]) -> str:
    years = ", ".join(f"{y - 1}-{str(y)[2:]}" for y in returns.years)
    children = returns.episodes["child_id"].nunique()
    lines = [f"Read {len(returns.episodes):,} episodes for {children:,} children, "
             f"collection years {years}."]  # fmt: skip
    issues = [r for r in rows if r["source"] == "input"]
    lines.append(f"\nInput issues: {len(issues)}")
    lines.extend(_text_line(r) for r in issues)
    for report in reports:
        real, false = len(report.real_findings), len(report.false_positives)
        lines.append(
            f"\nDfE validator {report.validator_version} ({report.ruleset}), "
            f"{report.collection_year - 1}-{str(report.collection_year)[2:]}: {real} findings, "
            f"{false} known false positives, {report.rules_run} rules run in "
            f"{report.seconds:.1f} s"
        )
        lines.extend(f"  note: {note}" for note in report.notes)
        lines.extend(_text_line(_finding_row(f)) for f in report.real_findings)
        lines.extend(_false_positive_lines(report.false_positives))
        lines.extend(_text_line(_failure_row(f, report)) for f in report.failed_rules)
    return "\n".join(lines)


def _false_positive_lines(findings: list[Any]) -> list[str]:
    """Known false positives, one line per rule (the CSV and JSON list every row)."""
    by_rule: dict[str, list[Any]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    return [
        f"  {rule} [known false positive] on {len(items)} rows: {items[0].description} "
        f"-> {items[0].note}"
        for rule, items in by_rule.items()
    ]


def _text_line(row: dict[str, Any]) -> str:
    where = ", ".join(
        f"{label} {row[key]}"
        for key, label in (
            ("file", "file"),
            ("row", "row"),
            ("child", "child"),
            ("column", "column"),
        )  # fmt: skip
        if row.get(key) not in (None, "")
    )
    status = f" [{row['status']}]" if row["source"] == "dfe" else ""
    action = f" -> {row['action']}" if row.get("action") else ""
    return f"  {row['rule']}{status}: {row['message']} ({where}){action}"


@click.command("generate")
@click.argument("output", type=click.Path(path_type=Path))
@click.option(
    "--children",
    default=1000,
    show_default=True,
    help="Children looked after on 31 March of the last year (about).",
)
@click.option("--years", default=5, show_default=True, help="Number of collection years.")
@click.option(
    "--last-year",
    default=2025,
    show_default=True,
    help="Last collection year (2025 = the year ending 31 March 2025).",
)
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same data).")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "--layout",
    type=click.Choice(["folders", "flat"]),
    default="folders",
    show_default=True,
    help="One folder per year, or the year in the file names.",
)
@click.option("--uasc", is_flag=True, help="Also write the UASC table.")  # fmt: skip
def generate(
    output: Path, children: int, years: int, last_year: int, seed: int, fmt: str, layout: str,
    uasc: bool,
) -> None:  # fmt: skip
    """Write synthetic SSDA903 returns (no real children) to OUTPUT for demos and tests."""
    from csplan.demand.synthetic import generate as make
    from csplan.demand.synthetic import write_returns

    if children < 1 or years < 1:
        raise click.ClickException("--children and --years must be at least 1")
    data = make(children, years, last_year, seed)
    written = write_returns(output, fmt=fmt, layout=layout, uasc=uasc, returns=data)
    open_now = int((data.episodes[last_year]["DEC"] == "").sum())
    click.echo(
        f"Wrote {len(written)} files to {output}: collection years {data.years[0]}-"
        f"{data.years[-1]}, {open_now:,} children looked after on 31 March {last_year}."
    )


COMMANDS = [validate, generate]
