"""The as-at view: the programme and its tables as they stood at a past moment, exactly."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.utils import timezone

from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.programme import reports
from csplan.programme.asat import AsAtError, line_as_at, programme_as_at
from csplan.programme.store import line_figures, programme_figures, save_programme, update_line

pytestmark = pytest.mark.django_db


def _tables(figures):
    return [reports.workstream_report(figures), reports.proposals_report(figures),
            reports.targets_report(figures)]  # fmt: skip


def test_the_programme_as_it_stood_is_reproduced_exactly_after_edits():
    plan = load_hampshire_demo()
    before = programme_figures(plan)
    tables = _tables(before)
    told_cabinet = timezone.now()

    line = plan.lines.get(reference="C6")
    edited = dataclasses.replace(
        line_figures(line), title="Placements (revised)",
        phasing={**line_figures(line).phasing, FinancialYear(2016): Decimal("100000")},
    )  # fmt: skip
    update_line(line, edited, expected_version=line.version)
    figures = programme_figures(plan)
    renamed = tuple(
        dataclasses.replace(w, name=w.name + " (renamed)") if i == 0 else w
        for i, w in enumerate(figures.workstreams)
    )
    first = figures.workstreams[0].name
    lines = tuple(
        dataclasses.replace(x, workstream=x.workstream + " (renamed)") if x.workstream == first
        else x
        for x in figures.lines if x.reference != "C1/7"
    )  # fmt: skip
    save_programme(dataclasses.replace(figures, workstreams=renamed, lines=lines))
    now = programme_figures(plan)
    assert now != before and "C1/7" not in [x.reference for x in now.lines]

    again = programme_as_at(plan.pk, told_cabinet)
    assert again == before
    assert _tables(again) == tables
    assert line_as_at(line.pk, told_cabinet) == line_figures_at(before, "C6")
    assert line_as_at(line.pk, timezone.now()).title == "Placements (revised)"


def line_figures_at(figures, reference):
    return next(x for x in figures.lines if x.reference == reference)


def test_before_the_plan_existed_is_a_clear_error():
    moment = timezone.now()
    plan = load_hampshire_demo()
    with pytest.raises(AsAtError, match="the plan did not exist on"):
        programme_as_at(plan.pk, moment)
