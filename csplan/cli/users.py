"""``csplan user``: add users with a role, give an SRO their lines, issue API tokens, list."""

from __future__ import annotations

import os

import click

from csplan.cli.common import fail, plan_option, setup_django

PASSWORD_ENV = "CSPLAN_PASSWORD"
ROLES = ("admin", "finance", "sro", "viewer")


@click.group()
def user() -> None:
    """Users, their roles, the lines an SRO owns, and API tokens."""


def _password() -> str:
    configured = os.environ.get(PASSWORD_ENV)
    if configured:
        return configured
    return click.prompt(
        "Password", hide_input=True, confirmation_prompt="Repeat the password", err=True
    )


def _account_errors(error: Exception) -> None:
    errors = getattr(error, "errors", {"user": str(error)})
    fail("; ".join(f"{field}: {message}" for field, message in errors.items()))


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option(
    "--owns", multiple=True, metavar="REFERENCE", help="A savings line an SRO owns (repeatable)."
)
@plan_option
def add(name: str, role: str, owns: tuple[str, ...], plan_name: str | None) -> None:
    """Add user NAME with a role; the password comes from CSPLAN_PASSWORD or a hidden prompt."""
    setup_django()
    from csplan.accounts.users import AccountError, add_user

    try:
        lines = _lines(owns, plan_name)
        created = add_user(name, role, _password())
        if lines:
            _own(created, lines)
    except AccountError as error:
        _account_errors(error)
    suffix = f", owning {', '.join(owns)}" if owns else ""
    click.echo(f"Added {name} ({role}){suffix}")


def _lines(references: tuple[str, ...], plan_name: str | None) -> list:
    if not references:
        return []
    from csplan.accounts.users import AccountError, lines_by_reference
    from csplan.programme.plans import PlanChoiceError, chosen_plan

    try:
        plan = chosen_plan(plan_name)
    except PlanChoiceError as error:
        raise AccountError({"plan": str(error)}) from None
    return lines_by_reference(plan, references)


def _own(account: object, lines: list) -> None:
    from csplan.accounts.users import set_owned_lines

    set_owned_lines(account, lines)


@user.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
def role(name: str, role: str) -> None:
    """Change the role of user NAME."""
    setup_django()
    from csplan.accounts.users import AccountError, find_user, set_role

    try:
        set_role(find_user(name), role)
    except AccountError as error:
        _account_errors(error)
    click.echo(f"{name} is now {role}")


@user.command("active")
@click.argument("name")
@click.option("--on/--off", "active", default=True, help="Reactivate (--on) or deactivate.")
def active(name: str, active: bool) -> None:
    """Deactivate (remove) or reactivate user NAME; the last active admin stays active."""
    setup_django()
    from csplan.accounts.users import AccountError, find_user, set_active

    try:
        set_active(find_user(name), active)
    except AccountError as error:
        _account_errors(error)
    click.echo(f"{name} is {'active' if active else 'deactivated'}")


@user.command("password")
@click.argument("name")
def password(name: str) -> None:
    """Reset the password of user NAME (from CSPLAN_PASSWORD or a hidden prompt)."""
    setup_django()
    from csplan.accounts.users import AccountError, find_user, set_password

    try:
        set_password(find_user(name), _password())
    except AccountError as error:
        _account_errors(error)
    click.echo(f"Reset the password of {name}")


@user.command("own")
@click.argument("name")
@click.argument("references", nargs=-1)
@plan_option
def own(name: str, references: tuple[str, ...], plan_name: str | None) -> None:
    """Make REFERENCES exactly the savings lines user NAME owns (none: owns nothing)."""
    setup_django()
    from csplan.accounts.users import AccountError, find_user

    try:
        _own(find_user(name), _lines(references, plan_name))
    except AccountError as error:
        _account_errors(error)
    click.echo(f"{name} owns {', '.join(references) or 'no lines'}")


@user.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke the user's tokens instead of issuing one.")
def token(name: str, revoke: bool) -> None:
    """Print a new API token for user NAME (shown once; only its hash is kept)."""
    setup_django()
    from csplan.accounts.tokens import issue_token, revoke_tokens
    from csplan.accounts.users import AccountError, find_user

    try:
        account = find_user(name)
    except AccountError as error:
        _account_errors(error)
    if revoke:
        click.echo(f"Revoked {revoke_tokens(account)} token(s) of {name}")
        return
    click.echo(issue_token(account))
    click.echo(
        "Send it as the header 'Authorization: Bearer TOKEN'. It is not shown again.", err=True
    )


@user.command("list")
def list_users() -> None:
    """List users with their role, owned lines and number of API tokens."""
    setup_django()
    from csplan.accounts.users import user_summaries

    summaries = user_summaries()
    if not summaries:
        click.echo("No users yet: add one with 'csplan user add NAME --role admin'")
        return
    width = max(len(s.username) for s in summaries)
    for summary in summaries:
        lines = f"  owns {', '.join(summary.lines)}" if summary.lines else ""
        state = "" if summary.active else "  (inactive)"
        click.echo(
            f"{summary.username:<{width}}  {summary.role:<8}  {summary.tokens} token(s)"
            f"{lines}{state}"
        )
