"""Roles on the pages: viewers see no edit buttons, and every write checks its rule."""

import pytest
from django.conf import settings
from django.test import Client

from csplan.programme.models import SavingsLine

pytestmark = pytest.mark.django_db


def _edit_data(line, **changes):
    data = {
        "reference": line.reference,
        "title": line.title,
        "workstream": line.workstream.name,
        "lifecycle": line.lifecycle,  # changed only through the lifecycle rules
        "rag": "A",
        "recurrence": "recurrent",
        "version": str(line.version),
        "phasing_2016": "1,500",
        "phasing_2017": "3,000",
        "phasing_2018": "",
        "reason": "Re-phased at the quarterly review",
    }
    return data | changes


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_viewer_sees_no_edit_buttons_and_gets_403_on_every_write(people, lines):
    viewer = _as(people["viewer"])
    line = lines["C3"]
    assert viewer.get(f"/lines/{line.pk}/").status_code == 200
    html = viewer.get(f"/lines/{line.pk}/").content.decode()
    assert "Edit this line" not in html
    assert "Add a savings line" not in viewer.get("/lines/").content.decode()
    assert "Record a month" not in viewer.get(f"/monitoring/lines/{line.pk}/").content.decode()
    refused = viewer.post(f"/lines/{line.pk}/edit/", _edit_data(line))
    page = refused.content.decode()
    assert refused.status_code == 403
    assert "govuk-heading-l" in page and "You cannot do this" in page
    assert "senior responsible officer" in page and "viewer" in page
    assert viewer.post("/lines/new/", _edit_data(line, reference="C99")).status_code == 403
    assert SavingsLine.objects.get(pk=line.pk).version == 1
    assert SavingsLine.objects.filter(reference="C99").count() == 0


def test_an_sro_edits_their_own_line_only(people, lines):
    sro = _as(people["sro"])
    own, other = lines["C3"], lines["C6"]
    assert "Edit this line" in sro.get(f"/lines/{own.pk}/").content.decode()
    assert "Edit this line" not in sro.get(f"/lines/{other.pk}/").content.decode()
    assert "Add a savings line" not in sro.get("/lines/").content.decode()
    saved = sro.post(f"/lines/{own.pk}/edit/", _edit_data(own))
    assert saved.status_code == 302
    record = SavingsLine.objects.get(pk=own.pk)
    assert record.version == 2 and record.rag == "A"
    assert record.history.first().history_user == people["sro"]
    assert sro.get(f"/lines/{other.pk}/edit/").status_code == 403
    assert sro.post(f"/lines/{other.pk}/edit/", _edit_data(other)).status_code == 403
    assert SavingsLine.objects.get(pk=other.pk).version == 1


def test_only_finance_signs_a_line_off_as_delivered(people, lines):
    line = lines["C5"]
    sro = _as(people["sro"])
    refused = sro.post(f"/lines/{line.pk}/edit/", _edit_data(line, lifecycle="delivered"))
    assert refused.status_code == 403 and "sign a line off" in refused.content.decode()
    assert SavingsLine.objects.get(pk=line.pk).lifecycle != "delivered"
    # Finance cannot sign a line off by editing it either: the lifecycle rules decide (issue 11).
    finance = _as(people["finance"])
    edited = finance.post(f"/lines/{line.pk}/edit/", _edit_data(line, lifecycle="delivered"))
    assert (
        edited.status_code == 400 and "only through the lifecycle rules" in edited.content.decode()
    )
    assert SavingsLine.objects.get(pk=line.pk).lifecycle != "delivered"


def test_finance_and_admin_see_the_edit_buttons(people, lines):
    for name in ("finance", "admin"):
        client = _as(people[name])
        assert "Add a savings line" in client.get("/lines/").content.decode()
        assert "Edit this line" in client.get(f"/lines/{lines['C8'].pk}/").content.decode()


def test_read_only_pages_refuse_posts(people):
    response = _as(people["finance"]).post("/workstreams/")
    assert response.status_code == 405


def test_twins_need_a_sign_in_and_viewers_may_download(client, people):
    assert client.get("/lines/?format=csv").status_code == 302
    viewer = _as(people["viewer"])
    csv_text = viewer.get("/lines/?format=csv").content.decode()
    assert csv_text.count("\n") == 1 + 7 + 1


def test_sessions_csrf_and_password_validators_are_on(people):
    assert "django.contrib.sessions.middleware.SessionMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post("/login/", {"username": "finance", "password": "x"})
    assert refused.status_code == 403
    assert "govuk-heading-l" in refused.content.decode()
    assert "the page had expired" in refused.content.decode()
    strict.force_login(people["finance"])
    line = SavingsLine.objects.get(reference="C3")
    assert strict.post(f"/lines/{line.pk}/edit/", _edit_data(line)).status_code == 403


def test_the_finance_sign_off_on_the_status_page_is_for_finance_only(people, lines):
    line = lines["C3"]
    url = f"/cases/decisions/status/{line.pk}/"
    sign_off = {"lifecycle": "delivered", "signed_off_by_finance": "on", "version": "1"}
    sro = _as(people["sro"])
    refused = sro.post(url, sign_off)
    assert refused.status_code == 403 and "finance sign-off" in refused.content.decode()
    withdrawn = sro.post(url, {"lifecycle": "withdrawn", "version": "1", "reason": "Dropped"})
    assert withdrawn.status_code == 302
    assert SavingsLine.objects.get(pk=line.pk).lifecycle == "withdrawn"
    other = _as(people["sro"]).post(f"/cases/decisions/status/{lines['C6'].pk}/", sign_off)
    assert other.status_code == 403
    finance = _as(people["finance"]).post(f"/cases/decisions/status/{lines['C8'].pk}/", sign_off)
    assert finance.status_code == 400  # allowed to sign off, but C8 is only proposed
    assert "A line cannot move from proposed to delivered" in finance.content.decode()
