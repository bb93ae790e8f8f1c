"""``csplan user add``, ``role``, ``own``, ``token`` and ``list``."""

import pytest
from click.testing import CliRunner
from django.contrib.auth import authenticate, get_user_model

from csplan.accounts.models import ApiToken, LineOwner, Profile
from csplan.accounts.permissions import role_of
from csplan.accounts.tokens import digest, user_for_token
from csplan.cli import cli

pytestmark = pytest.mark.django_db
GOOD = "plum-orchard-lantern-42"


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)


def test_add_a_user_with_the_password_from_the_environment(plan):
    result = run("user", "add", "scrutiny1", "--role", "viewer", env={"CSPLAN_PASSWORD": GOOD})
    assert result.exit_code == 0, result.output
    assert result.output == "Added scrutiny1 (viewer)\n"
    user = authenticate(username="scrutiny1", password=GOOD)
    assert user is not None and role_of(user).value == "viewer"
    assert Profile.history.filter(user=user).count() == 1


def test_add_asks_for_the_password_twice_without_echo(plan):
    result = run(
        "user", "add", "cfo", "--role", "finance", env={"CSPLAN_PASSWORD": ""},
        input=f"{GOOD}\n{GOOD}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    assert authenticate(username="cfo", password=GOOD) is not None


def test_add_an_sro_owning_lines(plan):
    env = {"CSPLAN_PASSWORD": GOOD}
    result = run("user", "add", "ad-cs", "--role", "sro", "--owns", "C3", "--owns", "C6", env=env)
    assert result.output == "Added ad-cs (sro), owning C3, C6\n"
    owned = LineOwner.objects.filter(user__username="ad-cs")
    assert sorted(owned.values_list("line__reference", flat=True)) == ["C3", "C6"]
    moved = run("user", "own", "ad-cs", "C8")
    assert moved.output == "ad-cs owns C8\n"
    assert list(LineOwner.objects.values_list("line__reference", flat=True)) == ["C8"]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["weak", "--role", "viewer"], "short", "password: This password is too short"),
        (["weak", "--role", "viewer"], "90817263549", "This password is entirely numeric"),
        (["weak", "--role", "viewer"], "password123", "password: This password is too common"),
        (["sro9", "--role", "sro", "--owns", "Z9"], GOOD, "line: No savings line Z9 in"),
    ],
)
def test_add_refuses_bad_input_with_a_clear_message(plan, args, password, message):
    result = CliRunner().invoke(cli, ["user", "add", *args], env={"CSPLAN_PASSWORD": password})
    assert result.exit_code == 1
    assert message in result.output
    assert not get_user_model().objects.filter(username=args[0]).exists()


def test_add_refuses_an_unknown_role_and_a_duplicate(plan):
    env = {"CSPLAN_PASSWORD": GOOD}
    wrong = CliRunner().invoke(cli, ["user", "add", "x", "--role", "boss"], env=env)
    assert wrong.exit_code == 2 and "'boss' is not one of" in wrong.output
    run("user", "add", "dup", "--role", "viewer", env=env)
    again = CliRunner().invoke(cli, ["user", "add", "DUP", "--role", "viewer"], env=env)
    assert again.exit_code == 1 and "username: A user called DUP already exists" in again.output


def test_token_prints_a_new_token_and_stores_only_its_hash(plan):
    run("user", "add", "robot", "--role", "finance", env={"CSPLAN_PASSWORD": GOOD})
    result = CliRunner().invoke(cli, ["user", "token", "robot"])
    token = result.stdout.strip()
    assert token.startswith("csp_") and len(token) > 40
    stored = ApiToken.objects.get()
    assert stored.digest == digest(token) and token not in (stored.digest, stored.prefix)
    assert user_for_token(token).username == "robot"
    assert user_for_token(token + "x") is None
    revoked = run("user", "token", "robot", "--revoke")
    assert revoked.output == "Revoked 1 token(s) of robot\n"
    assert user_for_token(token) is None
    missing = CliRunner().invoke(cli, ["user", "token", "nobody"])
    assert missing.exit_code == 1 and "No user called nobody" in missing.output


def test_list_shows_roles_lines_and_tokens(people):
    run("user", "token", "finance")
    run("user", "role", "viewer", "finance")
    output = run("user", "list").output.splitlines()
    assert output == [
        "demo     admin     0 token(s)",
        "finance  finance   1 token(s)",
        "sro      sro       0 token(s)  owns C3, C5, C1/7",
        "viewer   finance   0 token(s)",
    ]


def test_the_last_active_admin_keeps_the_role_on_the_command_line(people):
    demoted = run("user", "role", "demo", "viewer")
    assert demoted.exit_code == 1
    assert "demo is the last active admin" in demoted.output
    assert run("user", "active", "demo", "--off").exit_code == 1
    assert role_of(get_user_model().objects.get(username="demo")).value == "admin"
    assert run("user", "active", "viewer", "--off").exit_code == 0
    assert not get_user_model().objects.get(username="viewer").is_active
    reset = run("user", "password", "finance", env={"CSPLAN_PASSWORD": GOOD})
    assert reset.exit_code == 0, reset.output
    assert authenticate(username="finance", password=GOOD) is not None
    from csplan.accounts.models import AccountChange

    actions = {c.action for c in AccountChange.objects.filter(by=None, username="finance")}
    assert "password reset" in actions
