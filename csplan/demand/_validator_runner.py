"""Run the DfE SSDA903 validator (csc-validator-be-903) and print its findings as JSON.

This script runs under ``.venv-903/bin/python`` (the validator pins pandas<2 and numpy<1.25),
never inside csplan's own environment, and imports nothing from csplan. csplan calls it as a
subprocess (``csplan.demand.validator``): the request is JSON on stdin, the answer JSON on
stdout, progress lines ``PROGRESS done total code`` on stderr.

Request::

    {"files": [{"path": "...", "description": "This year" | "Prev year"}],
     "collection_year": 2025, "local_authority": "E10000015" | null, "ruleset": "lac2024_25"}

Without a local authority (null) the rules that need it (those reading ``localAuthority`` or
the ``PL_LOCATION`` derived from it) are not run and are listed in ``la_rules``.

Answer::

    {"ruleset": "...", "validator_version": "...", "rules_run": 123,
     "failed_rules": [{"code": "231", "error": "KeyError: ..."}],
     "findings": [{"rule": "103", "description": "...", "fields": [...],
                   "table": "Episodes", "row_id": 0, "child": "C000001"}]}
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
import json
import logging
import sys


def _progress(done: int, total: int, code: str) -> None:
    print(f"PROGRESS {done} {total} {code}", file=sys.stderr, flush=True)


def run(request: dict) -> dict:
    from lac_validator.datastore import copy_datastore, create_datastore
    from lac_validator.ingress import read_from_text

    files = []
    for item in request["files"]:
        with open(item["path"], "rb") as handle:
            files.append({"name": item["path"], "description": item["description"],
                          "file_content": handle.read()})  # fmt: skip
    dfs, extras = read_from_text(raw_files=files)
    council = request.get("local_authority")
    metadata = {"collectionYear": str(request["collection_year"]),
                "localAuthority": council or ""}  # fmt: skip
    metadata.update(extras)
    store = create_datastore(dfs, metadata)
    registry = importlib.import_module(f"lac_validator.rules.{request['ruleset']}").registry
    findings, failed, skipped, la_rules = [], [], [], []
    rules = list(registry.items())
    for number, (code, rule) in enumerate(rules, start=1):
        _progress(number, len(rules), str(code))
        if not council and _needs_council(rule.func):
            la_rules.append(str(code))
            continue
        try:
            result = rule.func(copy_datastore(store))
        except Exception as error:  # a rule that crashes is reported, not fatal
            failed.append({"code": str(code), "error": f"{type(error).__name__}: {error}"})
            continue
        if result == {}:
            skipped.append(str(code))
            continue
        for table, locations in result.items():
            frame = store.get(table)
            for location in locations:
                if location is None or location != location:  # NaN from a rule
                    continue
                child = None
                if frame is not None and location in frame.index and "CHILD" in frame:
                    value = frame.at[location, "CHILD"]
                    child = None if value != value else str(value)
                findings.append({
                    "rule": str(code),
                    "description": str(rule.message),
                    "fields": [str(f) for f in (rule.affected_fields or [])],
                    "table": str(table),
                    "row_id": int(location) if str(location).lstrip("-").isdigit() else None,
                    "child": child,
                })  # fmt: skip
    return {
        "ruleset": request["ruleset"],
        "validator_version": _version(),
        "rules_run": len(rules) - len(failed) - len(skipped) - len(la_rules),
        "failed_rules": failed,
        "skipped_rules": skipped,
        "la_rules": la_rules,
        "findings": findings,
    }


def _needs_council(func) -> bool:
    """Whether a rule reads the local authority (directly or through PL_LOCATION)."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    return "localAuthority" in source or "PL_LOCATION" in source


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("csc-validator-be-903")
    except Exception:
        return "unknown"


def main() -> int:
    logging.disable(logging.CRITICAL)
    request = json.load(sys.stdin)
    captured = io.StringIO()
    try:
        with contextlib.redirect_stdout(captured):  # keep stdout for the JSON answer
            answer = run(request)
    except Exception as error:
        answer = {"error": f"{type(error).__name__}: {error}"}
        json.dump(answer, sys.stdout)
        return 1
    json.dump(answer, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
