"""Accounts: password hashing, user lookup, roles, and the decorators that guard views.

Passwords are hashed with Argon2id (argon2-cffi, with its vetted default parameters). Flask-Login
keeps only a small `AccountUser` per request, never an ORM object, and its id carries the
account's version: changing the password, the role or disabling the account changes the version
and so ends every session that account had open.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app
from flask_login import UserMixin, current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import ROLES, User, utcnow

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")

_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong username costs as much time as
# a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("kb-no-such-account")

F = TypeVar("F", bound=Callable[..., Any])


class AccountError(ValueError):
    """A request about an account that cannot be honoured; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters long"
    return None


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.match(username):
        return "use 1 to 80 letters, digits, dots, hyphens or underscores"
    return None


@dataclass(frozen=True)
class AccountUser(UserMixin):
    """The logged-in account as Flask-Login holds it: plain data, safe across sessions."""

    id: int
    username: str
    role: str
    version: int

    def get_id(self) -> str:
        return f"{self.id}:{self.version}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, user: User) -> AccountUser:
        return cls(user.id, user.username, user.role, user.version)


def find_user(session: Session, username: str) -> User | None:
    """The account with this username, ignoring case (usernames are unique ignoring case)."""
    return session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()


def load_user(session: Session, token: str) -> AccountUser | None:
    """Flask-Login's user loader: the session's "id:version" back to an active account."""
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or user.version != version:
        return None
    return AccountUser.of(user)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active account these credentials open, or None. Upgrades an old hash in place."""
    user = find_user(session, username)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def create_user(session: Session, username: str, role: str, password: str) -> User:
    """Add an account (flushes, never commits). Raises AccountError with the reason."""
    username = username.strip()
    problem = username_problem(username)
    if problem:
        raise AccountError(f"username: {problem}")
    if role not in ROLES:
        raise AccountError(f"role: must be one of {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    if find_user(session, username) is not None:
        raise AccountError(f"username: an account named {username!r} already exists")
    user = User(username=username, role=role, password_hash=hash_password(password), active=True)
    session.add(user)
    session.flush()
    return user


def set_password(user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    user.password_hash = hash_password(password)


def end_sessions(session: Session, user_id: int) -> None:
    """End every open session of the account (flushes, never commits); logout calls it.

    A Flask session lives in a signed cookie, so clearing it on logout only clears the
    browser's copy: a copy taken earlier would still carry "id:version" and still log in.
    Writing the account row bumps its version, so every cookie issued before is refused.
    The price: logging out on one device logs the account out on every device.
    """
    user = session.get(User, user_id)
    if user is not None:
        user.updated_at = utcnow()  # any UPDATE of the row bumps the version
        session.flush()


def stamp_session(session: Session) -> None:
    """Tell the history listener who is writing in this request."""
    if current_user.is_authenticated:
        session.info["user_id"] = current_user.id
        session.info["actor"] = current_user.username


def login_required(view: F) -> F:
    """Anonymous visitors are sent to /login for pages they GET, and refused with 401 for
    anything else (a POST from nowhere should not turn into a redirect)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        from kb.db import get_session

        stamp_session(get_session())
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """Like login_required, and then 403 unless the account has one of `roles`."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403, "Your account may not use this page.")
            return view(*args, **kwargs)

        return login_required(checked)  # type: ignore[return-value]

    return decorate


editor_required = role_required("admin", "editor")
admin_required = role_required("admin")
