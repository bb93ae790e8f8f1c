"""Pages, downloads and API answers say ``Cache-Control: no-store, private``; static files do not
(issue 16: a shared computer's back button or a caching proxy must not keep children's data)."""

from __future__ import annotations

import pytest

from csplan.accounts.tokens import issue_token
from csplan.cases.demo import load_hampshire_demo
from csplan.demo import demo_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_hampshire_demo()
    return demo_user()


@pytest.fixture
def slug(admin):
    from csplan.programme.models import Plan

    return Plan.objects.get().slug


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("path", ["/plans/{slug}/workstreams/", "/plans/{slug}/workstreams.csv"])
def test_signed_in_pages_and_downloads_are_not_stored(client, admin, slug, path):
    client.force_login(admin)
    response = client.get(path.format(slug=slug))
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)
    assert "public" not in _directives(response)


def test_api_answers_are_not_stored(client, admin, slug):
    token = issue_token(admin)
    response = client.get(f"/api/plans/{slug}/lines", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert {"no-store", "private"} <= _directives(response)


def test_the_sign_in_page_is_not_stored_either(client, admin):
    response = client.get("/login/")
    assert {"no-store", "private"} <= _directives(response)


def test_public_static_files_keep_their_caching(client):
    response = client.get("/static/csplan/csplan.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
    assert "private" not in _directives(response)
