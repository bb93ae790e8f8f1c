"""The people page: admins add users, set roles, give SROs lines, reset passwords, revoke
tokens, deactivate; everyone changes their own password; the last active admin stays one."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from csplan.accounts.models import AccountChange, ApiToken, LineOwner, Profile
from csplan.accounts.tokens import issue_token, user_for_token
from csplan.accounts.users import AccountError, set_active, set_role
from csplan.programme.models import Plan

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quartz-lantern-river-42"
PASSWORD = "a-demo-password-for-tests"  # the people fixture's (tests/accounts/conftest.py)


def _as(user) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _user(name: str):
    return get_user_model().objects.get(username=name)


def test_only_an_admin_sees_or_uses_the_people_pages(people):
    viewer, finance = _as(people["viewer"]), _as(people["finance"])
    target = people["viewer"].pk
    for client in (viewer, finance):
        assert client.get("/people/").status_code == 403
        assert client.get(f"/people/{target}/").status_code == 403
        refused = client.post(f"/people/{target}/role/", {"role": "admin"})
        assert refused.status_code == 403
        assert "Only admins can do this." in refused.content.decode()
    assert Profile.objects.get(user=people["viewer"]).role == "viewer"
    assert 'href="/people/"' not in viewer.get("/lines/").content.decode()
    admin_page = _as(people["admin"]).get("/lines/").content.decode()
    assert 'href="/people/"' in admin_page
    assert Client().get("/people/").status_code == 302  # anonymous: to the sign-in page


def test_the_list_shows_every_user_with_role_lines_and_tokens(people):
    issue_token(people["finance"])
    page = _as(people["admin"]).get("/people/").content.decode()
    assert "govuk-table" in page
    for name in ("demo", "finance", "sro", "viewer"):
        assert f">{name}<span" in page
    assert "C3, C5, C1/7" in page  # the SRO's lines
    row = page.split(">finance<span")[1].split("</tr>")[0]
    assert (
        "finance" in row
        and '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in row
    )


def test_an_admin_adds_a_user_and_it_is_recorded(people):
    admin = _as(people["admin"])
    form = {
        "username": "jo.sro",
        "role": "sro",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    response = admin.post("/people/new/", form)
    added = _user("jo.sro")
    assert response.status_code == 302 and response["Location"] == f"/people/{added.pk}/"
    assert Profile.objects.get(user=added).role == "sro"
    assert added.check_password(NEW_PASSWORD)
    actions = list(
        AccountChange.objects.filter(username="jo.sro").values_list(
            "action", "before", "after", "by"
        )
    )
    assert ("added", "", "active", people["admin"].pk) in actions
    assert ("role", "none", "sro", people["admin"].pk) in actions


def test_adding_with_problems_shows_the_error_summary(people):
    admin = _as(people["admin"])
    response = admin.post(
        "/people/new/",
        {"username": "finance", "role": "", "password": "short", "password_again": "other"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert 'href="#id_role"' in page and "Choose the role" in page
    assert 'href="#id_password_again"' in page and "Enter the same password twice" in page
    assert get_user_model().objects.filter(username="finance").count() == 1
    duplicate = admin.post(
        "/people/new/",
        {"username": "Finance", "role": "viewer", "password": NEW_PASSWORD,
         "password_again": NEW_PASSWORD},
    )  # fmt: skip
    assert duplicate.status_code == 400
    assert "A user called Finance already exists" in duplicate.content.decode()


def test_an_admin_changes_a_role_and_the_change_is_recorded(people):
    admin = _as(people["admin"])
    viewer = people["viewer"]
    response = admin.post(f"/people/{viewer.pk}/role/", {"role": "finance"})
    assert response.status_code == 302
    assert Profile.objects.get(user=viewer).role == "finance"
    change = AccountChange.objects.filter(subject=viewer, action="role").first()
    assert (change.before, change.after, change.by) == ("viewer", "finance", people["admin"])
    page = admin.get(f"/people/{viewer.pk}/").content.decode()
    assert "Changes to this account" in page and ">viewer</td>" in page and ">finance</td>" in page


def test_an_admin_assigns_an_sro_their_lines_in_the_plan(people, lines):
    admin = _as(people["admin"])
    sro = people["sro"]
    response = admin.post(f"/people/{sro.pk}/lines/", {"lines": ["C3", "C6"]})
    assert response.status_code == 302
    owned = set(LineOwner.objects.filter(user=sro).values_list("line__reference", flat=True))
    assert owned == {"C3", "C6"}
    change = AccountChange.objects.filter(subject=sro).first()
    assert change.before == "C3, C5, C1/7" and change.after == "C3, C6"
    page = admin.get(f"/people/{sro.pk}/").content.decode()
    assert 'value="C6" checked' in page and 'value="C5" checked' not in page


def test_the_record_of_lines_owned_holds_the_longest_plan_name(people, lines):
    """The change names the plan ("lines owned in NAME"): PostgreSQL refuses a value longer
    than its column, so the column must hold the longest plan name a plan may have."""
    plan = next(iter(lines.values())).plan
    longest = Plan._meta.get_field("name").max_length
    assert AccountChange._meta.get_field("action").max_length >= len("lines owned in ") + longest
    plan.name = "A" * longest
    plan.save()
    sro = people["sro"]
    response = _as(people["admin"]).post(f"/people/{sro.pk}/lines/", {"lines": ["C6"]})
    assert response.status_code == 302
    change = AccountChange.objects.filter(subject=sro).first()
    assert (change.action, change.after) == (f"lines owned in {plan.name}", "C6")


def test_an_admin_resets_a_password_and_revokes_tokens(people):
    admin = _as(people["admin"])
    finance = people["finance"]
    token = issue_token(finance)
    assert user_for_token(token) == finance
    reset = admin.post(
        f"/people/{finance.pk}/password/",
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert reset.status_code == 302
    finance.refresh_from_db()
    assert finance.check_password(NEW_PASSWORD)
    revoked = admin.post(f"/people/{finance.pk}/tokens/revoke/")
    assert revoked.status_code == 302
    assert user_for_token(token) is None
    assert not ApiToken.objects.filter(user=finance, revoked=False).exists()
    actions = [c.action for c in AccountChange.objects.filter(subject=finance)]
    assert actions[:2] == ["tokens revoked", "password reset"]
    recorded = AccountChange.objects.get(subject=finance, action="password reset")
    assert NEW_PASSWORD not in recorded.before + recorded.after


def test_a_weak_reset_password_is_refused_with_the_validators_message(people):
    admin = _as(people["admin"])
    finance = people["finance"]
    response = admin.post(
        f"/people/{finance.pk}/password/", {"password": "12345678", "password_again": "12345678"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and "too short" in page
    finance.refresh_from_db()
    assert not finance.check_password("12345678")


def test_everyone_changes_their_own_password(people):
    viewer = people["viewer"]
    client = _as(viewer)
    page = client.get("/lines/").content.decode()
    assert 'href="/account/password/"' in page
    wrong = client.post(
        "/account/password/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert "govuk-error-summary" in wrong.content.decode()
    assert 'href="#id_old_password"' in wrong.content.decode()
    changed = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password(NEW_PASSWORD)
    assert client.get("/lines/").status_code == 200  # still signed in
    change = AccountChange.objects.filter(subject=viewer).first()  # the latest
    assert (change.action, change.by) == ("password changed", viewer)


def test_the_last_active_admin_cannot_demote_or_deactivate_themselves(people):
    admin_user = people["admin"]
    admin = _as(admin_user)
    demoted = admin.post(f"/people/{admin_user.pk}/role/", {"role": "viewer"})
    assert demoted.status_code == 400
    page = demoted.content.decode()
    assert "govuk-error-summary" in page and "is the last active admin" in page
    deactivated = admin.post(f"/people/{admin_user.pk}/active/", {"active": "no"})
    assert deactivated.status_code == 400
    assert "is the last active admin" in deactivated.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active and Profile.objects.get(user=admin_user).role == "admin"
    assert not AccountChange.objects.filter(subject=admin_user, by=admin_user).exists()
    # With a second admin, the first may step down.
    assert admin.post(f"/people/{people['finance'].pk}/role/", {"role": "admin"}).status_code == 302
    assert admin.post(f"/people/{admin_user.pk}/role/", {"role": "finance"}).status_code == 302
    assert Profile.objects.get(user=admin_user).role == "finance"


def test_the_rule_is_shared_with_the_command_line_functions(people):
    admin_user = people["admin"]
    with pytest.raises(AccountError, match="last active admin"):
        set_role(admin_user, "viewer")
    with pytest.raises(AccountError, match="last active admin"):
        set_active(admin_user, False)
    set_role(people["viewer"], "admin")
    set_active(people["viewer"], False)  # a deactivated admin does not count
    with pytest.raises(AccountError, match="last active admin"):
        set_role(admin_user, "sro")


def test_a_deactivated_user_cannot_sign_in_and_is_recorded(people):
    admin = _as(people["admin"])
    viewer = people["viewer"]
    response = admin.post(f"/people/{viewer.pk}/active/", {"active": "no"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert not viewer.is_active
    assert not Client().login(username="viewer", password=PASSWORD)
    change = AccountChange.objects.filter(subject=viewer).first()
    assert (change.action, change.before, change.after) == ("deactivated", "active", "inactive")
    assert change.by == people["admin"]
    assert "Deactivated" in admin.get("/people/").content.decode()
