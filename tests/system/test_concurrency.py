"""Many editors saving the same line at once: no lost update, conflicts reported, totals kept."""

import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import close_old_connections, connection

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.programme.models import SavingsLine
from csplan.programme.store import StaleLineError, line_figures, update_line

pytestmark = pytest.mark.django_db(transaction=True)
Y16 = FinancialYear(2016)
EDITORS = 6
EDITS_EACH = 5


def _add_one_thousand(line_id: int, conflicts: list[int], errors: list[BaseException]) -> None:
    try:
        for _ in range(EDITS_EACH):
            while True:
                line = SavingsLine.objects.get(pk=line_id)
                figures = line_figures(line)
                phasing = dict(figures.phasing)
                phasing[Y16] = phasing.get(Y16, Decimal(0)) + Decimal(1000)
                try:
                    update_line(
                        line, replace(figures, phasing=phasing), expected_version=line.version
                    )
                    break
                except StaleLineError:
                    conflicts.append(1)
    except BaseException as error:  # noqa: BLE001 - reported to the main thread
        errors.append(error)
    finally:
        close_old_connections()
        connection.close()


def test_concurrent_edits_lose_nothing():
    line = load_hampshire_demo().lines.get(reference="C3")
    start = line_figures(line).phasing[Y16]
    conflicts: list[int] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_add_one_thousand, args=(line.pk, conflicts, errors))
        for _ in range(EDITORS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    line.refresh_from_db()
    edits = EDITORS * EDITS_EACH
    assert line_figures(line).phasing[Y16] == start + Decimal(1000) * edits
    assert line.version == 1 + edits
    # Every successful edit is in the history; every failed attempt was told, not lost.
    assert line.history.filter(history_type="~").count() == edits
    # The programme total moved by exactly the edits made.
    assert line_figures(line).full_year_effect == Decimal("4000000") + Decimal(1000) * edits
