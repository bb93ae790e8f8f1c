"""A `csplan import` killed (SIGKILL) while it writes leaves the previous programme intact.

The import runs in its own process on a temporary SQLite database. The test waits until the
import holds SQLite's write lock (it is inside ``save_programme``'s transaction), lets it write
for a moment, kills it, and checks the database passes ``PRAGMA integrity_check`` and every
report is byte-for-byte what it was before.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from csplan.programme.io.workbook import workbook_bytes
from csplan.programme.synthetic import synthetic_programme

ROOT = Path(__file__).resolve().parents[2]
BASE_LINES, BIG_LINES = 300, 3000
REPORTS = ("workstreams", "proposals", "targets")


def _environment(data_dir: Path) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CSPLAN_", "DJANGO_", "DATABASE_URL"))
    }
    environment.update(CSPLAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="csplan.settings")
    return environment


def _command(*arguments: str) -> list[str]:
    return [sys.executable, "-c", "from csplan.cli import main; main()", *arguments]


def _csplan(data_dir: Path, *arguments: str) -> str:
    result = subprocess.run(
        _command(*arguments),
        cwd=ROOT,
        env=_environment(data_dir),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _reports(data_dir: Path) -> dict[str, bytes]:
    """Every committee table as CSV, and the whole programme as the exact JSON export."""
    found = {name: _csplan(data_dir, "table", name, "--format", "csv").encode() for name in REPORTS}
    export = data_dir / "export.json"
    _csplan(data_dir, "export", str(export))
    found["export.json"] = export.read_bytes()
    return found


def _holds_write_lock(database: Path) -> bool:
    """True while another process is inside a write transaction on ``database``."""
    connection = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            return True
        raise
    else:
        connection.execute("ROLLBACK")
        return False
    finally:
        connection.close()


def _query(database: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def programme_dir(tmp_path: Path) -> Path:
    """A data folder whose database holds a 300-line programme, and the big update to it."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    base = synthetic_programme(lines=BASE_LINES, years=6)
    big = replace(synthetic_programme(lines=BIG_LINES, years=6, seed=1), plan=base.plan)
    (tmp_path / "base.xlsx").write_bytes(workbook_bytes(base))
    (tmp_path / "big.xlsx").write_bytes(workbook_bytes(big))
    _csplan(data_dir, "init")
    _csplan(data_dir, "import", str(tmp_path / "base.xlsx"))
    return data_dir


def test_import_killed_mid_write_leaves_the_previous_programme(programme_dir, tmp_path):
    database = programme_dir / "csplan.sqlite3"
    before = _reports(programme_dir)
    lines_before = _query(database, "SELECT COUNT(*) FROM programme_savingsline")
    assert lines_before == [(BASE_LINES,)]
    history_before = _query(database, "SELECT COUNT(*) FROM programme_historicalsavingsline")

    importing = subprocess.Popen(
        _command("import", str(tmp_path / "big.xlsx")),
        cwd=ROOT,
        env=_environment(programme_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _holds_write_lock(database):
            assert importing.poll() is None, "the import finished before it was seen writing"
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.02)
        time.sleep(1.0)  # well inside the transaction: saving 3,000 lines takes several seconds
        assert importing.poll() is None, "the import committed before it could be killed"
        assert _holds_write_lock(database)
        os.kill(importing.pid, signal.SIGKILL)
        assert importing.wait(timeout=30) == -signal.SIGKILL
    finally:
        if importing.poll() is None:
            importing.kill()
            importing.wait()

    assert _query(database, "PRAGMA integrity_check") == [("ok",)]
    assert _query(database, "PRAGMA foreign_key_check") == []
    assert _query(database, "SELECT COUNT(*) FROM programme_savingsline") == lines_before
    assert (
        _query(database, "SELECT COUNT(*) FROM programme_historicalsavingsline") == history_before
    )
    assert _reports(programme_dir) == before
    # The lock died with the process: the next import goes through.
    update = replace(synthetic_programme(lines=BASE_LINES, years=6, seed=2))
    (tmp_path / "update.xlsx").write_bytes(workbook_bytes(update))
    _csplan(programme_dir, "import", str(tmp_path / "update.xlsx"))
    assert _reports(programme_dir) != before
