"""`kb users ...`: accounts for the admin side, from a shell (the first admin starts here)."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from kb.models import ROLES, User
from kb.queries import accounts
from kb.web import auth
from kb.web.database import session_scope


def _read_password(password_stdin: bool) -> str:
    """From stdin (one line, for scripts) or typed twice at a hidden prompt."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = auth.password_problem(password)
    if problem:
        raise click.ClickException(f"password {problem}")
    return password


def _get(session, username: str) -> User:
    user = accounts.find_user(session, username)
    if user is None:
        raise click.ClickException(f"there is no account named {username!r}")
    return user


@click.group("users")
def users_group() -> None:
    """Manage the accounts that may edit kb (admins and editors)."""


@users_group.command("create")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin: everything; editor: data entry."
)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@with_appcontext
def create(name: str, role: str, password_stdin: bool) -> None:
    """Create the account NAME with a password (prompted for, or read from stdin)."""
    password = _read_password(password_stdin)
    try:
        with session_scope() as session:
            user = auth.create_user(session, name, role, password)
            click.echo(f"created {user.username} ({user.role})")
    except auth.AccountError as exc:
        raise click.ClickException(str(exc)) from None


@users_group.command("list")
@with_appcontext
def list_users() -> None:
    """List the accounts: username, role, and whether each may log in."""
    with session_scope() as session:
        rows = session.scalars(select(User).order_by(func.lower(User.username))).all()
        if not rows:
            click.echo("no accounts yet: kb users create NAME --role admin")
        for user in rows:
            state = "active" if user.active else "disabled"
            click.echo(f"{user.username}\t{user.role}\t{state}")


@users_group.command("set-password")
@click.argument("name")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@with_appcontext
def set_password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME (ends the account's open sessions)."""
    with session_scope() as session:
        user = _get(session, name)
        password = _read_password(password_stdin)
        auth.set_password(user, password)
        click.echo(f"password changed for {user.username}")


def _change(name: str, done: str, **change: Any) -> None:
    """Apply auth.change_account to NAME and commit: refused (exit 1, nothing changed) when it
    would leave no active admin, or when the account changed at the same moment."""
    try:
        with session_scope() as session:
            user = _get(session, name)
            before = (user.role, user.active)
            auth.change_account(session, user, **change)
            if (user.role, user.active) == before:
                click.echo(f"{user.username} is already {done}: nothing changed")
                return
            click.echo(f"{user.username} is now {done}")
    except auth.AccountError as exc:
        raise click.ClickException(str(exc).removeprefix("role: ")) from None
    except StaleDataError:
        raise click.ClickException(
            f"{name} was changed by someone else at the same moment; nothing was changed, try again"
        ) from None


@users_group.command("disable")
@click.argument("name")
@with_appcontext
def disable(name: str) -> None:
    """Stop NAME from logging in (ends its sessions); the account stays for the history.
    Refused for the only active admin."""
    _change(name, "disabled", active=False)


@users_group.command("enable")
@click.argument("name")
@with_appcontext
def enable(name: str) -> None:
    """Let the disabled account NAME log in again."""
    _change(name, "active", active=True)


@users_group.command("set-role")
@click.argument("name")
@click.option(
    "--role", type=click.Choice(ROLES), required=True, help="admin: everything; editor: data entry."
)
@with_appcontext
def set_role(name: str, role: str) -> None:
    """Give NAME another role (ends its sessions). Refused for the only active admin."""
    _change(name, f"an {role}", role=role)


commands: list[click.Command] = [users_group]
