"""Presentation a committee accepts: RAG ratings as coloured GOV.UK tags with their word in HTML
(the code stays in CSV and JSON), and a shortfall never shown as a bracketed figure."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest

from csplan.accounts.users import with_role
from csplan.cases.demo import load_hampshire_demo
from csplan.core.periods import FinancialYear
from csplan.core.render import render_csv, render_html, render_json
from csplan.core.table import Column, ColumnKind, Row, Table
from csplan.monitoring.demo import load_monitoring_demo
from csplan.monitoring.reports import EXPECTED_ABOVE_TARGET, EXPECTED_SHORTFALL, risk_report
from csplan.monitoring.risk import Range, RiskYear

QUERY = {"year": "2016/17", "month": "9"}


def _rag_table() -> Table:
    return Table(
        name="ratings",
        title="Ratings",
        columns=(Column("Ref"), Column("RAG", ColumnKind.RAG)),
        rows=(
            Row(("C1", "G")),
            Row(("C2", "A")),
            Row(("C3", "R")),
            Row(("C4", "B")),
            Row(("C5", "Green")),
            Row(("C6", "X")),
            Row(("C7", None)),
        ),
    )


def test_a_rag_column_is_a_tag_with_its_word_in_html_and_the_code_in_csv_and_json():
    table = _rag_table()
    page = render_html(table)
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--yellow">Amber</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page
    assert '<strong class="govuk-tag govuk-tag--blue">Blue</strong>' in page
    assert page.count("govuk-tag--green") == 2  # by code and by label
    assert '<strong class="govuk-tag govuk-tag--grey">X</strong>' in page  # unknown: its text
    assert page.count('<strong class="govuk-tag ') == 6  # no tag for a blank rating
    assert "govuk-table__cell--numeric" not in page
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert [row[1] for row in rows] == ["RAG", "G", "A", "R", "B", "Green", "X", ""]
    data = json.loads(render_json(table))
    assert [row["cells"][1] for row in data["rows"]][:4] == ["G", "A", "R", "B"]
    assert data["columns"][1]["kind"] == "rag"


@pytest.mark.django_db
def test_the_monitoring_page_shows_tags_and_its_twins_keep_the_codes(client, django_user_model):
    plan = load_monitoring_demo(load_hampshire_demo())
    user = django_user_model.objects.create_user("officer", password="a-long-password-1")
    client.force_login(with_role(user, "finance"))
    page = client.get("/monitoring/", QUERY).content.decode()
    at_risk = json.loads(client.get("/monitoring/table/at_risk.json", QUERY).content)
    codes = [row["cells"][2] for row in at_risk["rows"] if row["kind"] == "line"]
    assert codes and set(codes) <= {"A", "R"}
    words = {"A": "Amber", "R": "Red"}
    colours = {"A": "yellow", "R": "red"}
    for code in set(codes):
        assert (
            f'<strong class="govuk-tag govuk-tag--{colours[code]}">{words[code]}</strong>' in page
        )
    text = client.get("/monitoring/table/at_risk.csv", QUERY).content.decode()
    assert "govuk-tag" not in text
    assert [row[2] for row in csv.reader(io.StringIO(text))][1 : len(codes) + 1] == codes
    c3 = plan.lines.get(reference="C3")
    line_page = client.get(f"/monitoring/lines/{c3.pk}/").content.decode()
    assert (
        f'(RAG): <strong class="govuk-tag govuk-tag--{colours[c3.rag]}">{words[c3.rag]}'
        in line_page
    )
    lines_page = client.get("/lines/").content.decode()
    rated = plan.lines.exclude(rag="").first()
    label = {"G": "Green", "A": "Amber", "R": "Red", "B": "Blue"}[rated.rag]
    assert f">{label}</strong>" in lines_page and "govuk-tag govuk-tag--" in lines_page


def _year(start: int, target: str, expected: str) -> RiskYear:
    middle = Decimal(expected)
    return RiskYear(
        FinancialYear(start),
        Decimal(target),
        Decimal(target),
        middle,
        Range(middle, middle, middle),
    )


def test_a_shortfall_is_a_positive_figure_in_its_own_row_never_in_brackets():
    rows = [_year(2016, "0", "5000000"), _year(2017, "23300000", "20000000")]
    table = risk_report(rows, "test", {"G": Decimal("0.9")}, draws=10, seed=1)
    shown = {row[0]: row[1:] for row in table.displayed()}
    assert shown[EXPECTED_SHORTFALL] == ["0", "3,300"]
    assert shown[EXPECTED_ABOVE_TARGET] == ["5,000", "0"]
    assert table.rows[-1].cells[0] == EXPECTED_SHORTFALL
    for label in (EXPECTED_SHORTFALL, EXPECTED_ABOVE_TARGET):
        assert not any("(" in figure for figure in shown[label])
    assert not any("negative shortfall" in note for note in table.notes)
