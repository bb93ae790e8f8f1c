"""Publishing a pack through the API with its cover, as the pack page does."""

from datetime import date

import pytest

from csplan.pack.models import PublishedPack

pytestmark = pytest.mark.django_db

COVER = {
    "committee": "Cabinet",
    "meeting_date": "2017-01-09",
    "author_role": "Chief Finance Officer",
    "purpose": "To report the savings position at Month 9.",
    "recommendations": ["Note the position.", "Agree the mitigating actions."],
}


def test_a_pack_published_with_its_cover(people, api_as, slug, plan):
    finance = api_as(people["finance"])
    body = {"year": "2016/17", "month": 9, "tables": ["targets"], "cover": COVER}
    published = finance.call("POST", "/api/plans/{plan}/packs", body, plan=slug)
    assert published.status_code == 201
    assert published.json()["pack"]["cover"] == COVER
    stored = PublishedPack.objects.get()
    assert (stored.committee, stored.meeting_date) == ("Cabinet", date(2017, 1, 9))
    assert "Report to Cabinet" in stored.html.split('<h1 id="pack-title">')[0]
    blank = {**COVER, "committee": "  ", "recommendations": [" "]}
    refused = finance.call("POST", "/api/plans/{plan}/packs", {**body, "cover": blank}, plan=slug)
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": {
            "cover.committee": "Enter the committee",
            "cover.recommendations": "Enter at least one recommendation",
        }
    }
    plain = {"year": "2016/17", "month": 10, "tables": ["targets"]}
    without = finance.call("POST", "/api/plans/{plan}/packs", plain, plan=slug)
    assert without.status_code == 201 and without.json()["pack"]["cover"] is None
    assert PublishedPack.objects.count() == 2
