"""The permission rules as plain functions, one role at a time."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from csplan.accounts import permissions as rules
from csplan.accounts.models import LineOwner, Profile, Role
from csplan.accounts.users import set_role

pytestmark = pytest.mark.django_db


def test_a_user_without_a_role_may_do_nothing(people, client):
    plain = get_user_model().objects.create_user("before-roles", password="x-long-password-9")
    assert rules.role_of(plain) is None
    assert not rules.can_view(plain)
    assert not rules.can_manage_users(plain)
    client.force_login(plain)
    response = client.get("/lines/")
    assert response.status_code == 403
    assert "no role" in response.content.decode()
    assert rules.role_of(people["admin"]) is Role.ADMIN  # the demo user is given the admin role
    assert Profile.objects.get(user=people["admin"]).role == Role.ADMIN


def test_anonymous_and_inactive_users_may_do_nothing(people, lines):
    inactive = people["finance"]
    inactive.is_active = False
    for user in (AnonymousUser(), inactive, None):
        assert rules.role_of(user) is None
        assert not rules.can_view(user)
        assert not rules.can_edit_line(user, lines["C3"])
        assert not rules.can_sign_off(user)


@pytest.mark.parametrize(
    ("name", "view", "programme", "sign_off", "users"),
    [
        ("admin", True, True, True, True),
        ("finance", True, True, True, False),
        ("sro", True, False, False, False),
        ("viewer", True, False, False, False),
    ],
)
def test_role_rules(people, name, view, programme, sign_off, users):
    user = people[name]
    assert rules.can_view(user) is view
    assert rules.can_edit_programme(user) is programme
    assert rules.can_sign_off(user) is sign_off
    assert rules.can_manage_users(user) is users


def test_an_sro_edits_only_the_lines_they_own(people, lines):
    sro = people["sro"]
    owned = sorted(LineOwner.objects.filter(user=sro).values_list("line__reference", flat=True))
    assert owned == ["C1/7", "C3", "C5"]
    assert [ref for ref in lines if rules.can_edit_line(sro, lines[ref])] == ["C3", "C5", "C1/7"]
    assert not rules.can_edit_line(people["viewer"], lines["C3"])
    assert all(rules.can_edit_line(people["finance"], line) for line in lines.values())


def test_only_finance_signs_a_line_off_as_delivered(people, lines):
    line = lines["C3"]
    assert not rules.can_set_lifecycle(people["sro"], line, "delivered")
    assert rules.can_set_lifecycle(people["sro"], line, "in_delivery")
    assert rules.can_set_lifecycle(people["finance"], line, "delivered")
    line.lifecycle = "delivered"
    assert rules.can_set_lifecycle(people["sro"], line, "delivered")  # unchanged


def test_a_role_change_is_recorded_in_history(people):
    viewer = people["viewer"]
    set_role(viewer, "finance", by=people["admin"])
    assert rules.role_of(viewer) is Role.FINANCE
    history = Profile.history.filter(user=viewer).order_by("history_id")
    assert [h.role for h in history] == ["viewer", "finance"]
    assert history.last().history_user == people["admin"]
