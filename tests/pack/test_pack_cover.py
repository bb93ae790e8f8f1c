"""The pack cover: filled in on the pack page before publishing, stored with the pack and
printed on the first page of the HTML and PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest
from django.test import Client

from csplan.accounts.users import with_role
from csplan.pack.builder import PackCover, pack_from_json
from csplan.pack.models import PublishedPack
from csplan.pack.render import render_html
from csplan.pack.store import pack_for, publish, published_data, verify

COVER_FORM = {
    "year": "2016/17",
    "month": "9",
    "tables": "at_risk",
    "committee": "Children's Services Scrutiny Committee",
    "meeting_day": "14",
    "meeting_month": "3",
    "meeting_year": "2017",
    "author_role": "Director of Children's Services",
    "purpose": "To report delivery of the Transformation to 2017 savings at Month 9.",
    "recommendations": "Note the savings at risk.\n\nAgree the mitigating actions for C3.\n",
}


@pytest.fixture
def officer(plan, django_user_model) -> Client:
    client = Client()
    user = django_user_model.objects.create_user("officer", password="a-long-password-1")
    client.force_login(with_role(user, "finance"))
    return client


def _cover() -> PackCover:
    return PackCover(
        committee="Cabinet",
        meeting_date=date(2017, 1, 9),
        author_role="Chief Finance Officer",
        purpose="To note the position <and> agree actions.",
        recommendations=("Note the position.", "Agree the actions."),
    )


def test_the_cover_is_printed_first_and_kept_in_the_frozen_data(plan, month9):
    published = publish(plan, month9, ["at_risk"], draws=200, cover=_cover())
    assert verify(published)
    assert (published.committee, published.meeting_date) == ("Cabinet", date(2017, 1, 9))
    assert published.author_role == "Chief Finance Officer"
    assert published.recommendations == "Note the position.\nAgree the actions."
    assert published_data(published).cover == _cover()
    page = published.html
    first = page.split('<h1 id="pack-title">')[0]
    assert "Report to Cabinet" in first and "9 January 2017" in first
    assert "<dt>Report of</dt><dd>Chief Finance Officer</dd>" in first
    assert "To note the position &lt;and&gt; agree actions." in first
    assert "<ol><li>Note the position.</li><li>Agree the actions.</li></ol>" in first
    assert bytes(published.pdf).startswith(b"%PDF")
    if shutil.which("pdftotext"):  # poppler-utils, as tests/pack/test_pack_render.py uses
        first_page = subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"],
            input=bytes(published.pdf), capture_output=True, check=True,
        ).stdout.decode("utf-8")  # fmt: skip
        assert "Report to Cabinet" in first_page and "Agree the actions." in first_page
        assert "Chief Finance Officer" in first_page


def test_a_pack_without_a_cover_has_none(plan, month9):
    pack = pack_for(plan, month9, ["at_risk"], draws=200)
    assert pack.cover is None and "pack-cover" not in render_html(pack).split("<body>")[1]
    assert pack_from_json({**_json(pack)}).cover is None


def _json(pack):
    from csplan.pack.builder import pack_to_json

    return pack_to_json(pack)


def test_the_officer_fills_in_the_cover_on_the_pack_page_before_publishing(officer):
    page = officer.get("/pack/").content.decode()
    for field in ("id_committee", "id_meeting_day", "id_author_role", "id_recommendations"):
        assert f'id="{field}"' in page
    response = officer.post("/pack/publish/", COVER_FORM)
    assert response.status_code == 302
    pack = PublishedPack.objects.get()
    assert pack.committee == "Children's Services Scrutiny Committee"
    assert pack.meeting_date == date(2017, 3, 14)
    assert pack.recommendations == "Note the savings at risk.\nAgree the mitigating actions for C3."
    html = officer.get(f"/pack/published/{pack.pk}.html").content.decode()
    assert "Report to Children&#x27;s Services Scrutiny Committee" in html
    assert "14 March 2017" in html
    listed = officer.get("/pack/").content.decode()
    assert "Children&#x27;s Services Scrutiny Committee, 14 March 2017" in listed


def test_a_cover_with_problems_is_not_published_and_the_errors_are_summarised(officer):
    form = COVER_FORM | {"committee": "", "meeting_day": "31", "meeting_month": "2",
                         "recommendations": " "}  # fmt: skip
    response = officer.post("/pack/publish/", form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert '<a href="#id_committee">Enter the committee</a>' in page
    assert '<a href="#id_meeting_day">Enter a real meeting date, like 14 3 2017</a>' in page
    assert '<a href="#id_recommendations">Enter the recommendations</a>' in page
    assert 'value="Director of Children&#x27;s Services"' in page  # what was typed stays
    assert not PublishedPack.objects.exists()
