"""Accounts: password hashing, roles, and the decorators that guard views (the SQL is in
kb.queries.accounts).

Passwords are hashed with Argon2id (argon2-cffi, with its vetted default parameters; the
PASSWORD_HASHER setting may give other PasswordHasher parameters, which only the test suite does,
to hash cheaply). Flask-Login
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
from flask import abort, current_app, has_app_context
from flask_login import UserMixin, current_user
from sqlalchemy.orm import Session

from kb.models import ROLES, User, utcnow
from kb.queries import accounts

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")

# One PasswordHasher per set of parameters, with the hash verified against when the account
# does not exist (so a wrong username costs as much time as a wrong password and does not reveal
# which accounts exist), made on first use.
_HASHERS: dict[tuple[tuple[str, Any], ...], tuple[PasswordHasher, str]] = {}

F = TypeVar("F", bound=Callable[..., Any])


class AccountError(ValueError):
    """A request about an account that cannot be honoured; the message says why."""


def _hasher() -> tuple[PasswordHasher, str]:
    """The app's hasher (argon2-cffi's defaults unless PASSWORD_HASHER, a dict of
    PasswordHasher arguments, says otherwise) and its dummy hash."""
    params = current_app.config.get("PASSWORD_HASHER") if has_app_context() else None
    key = tuple(sorted((params or {}).items()))
    if key not in _HASHERS:
        hasher = PasswordHasher(**dict(key))
        _HASHERS[key] = (hasher, hasher.hash("kb-no-such-account"))
    return _HASHERS[key]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher()[0].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None: the one rule for the web and the CLI."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"must be at most {MAX_PASSWORD_LENGTH} characters long"
    if len("".join(password.split())) < MIN_PASSWORD_LENGTH // 2:
        return f"must contain at least {MIN_PASSWORD_LENGTH // 2} characters that are not spaces"
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

    @classmethod
    def of(cls, user: User) -> AccountUser:
        return cls(user.id, user.username, user.role, user.version)


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
    user = accounts.find_user(session, username)
    if user is None:
        verify_password(_hasher()[1], password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _hasher()[0].check_needs_rehash(user.password_hash):
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
    if accounts.find_user(session, username) is not None:
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


def change_account(
    session: Session, user: User, *, role: str | None = None, active: bool | None = None
) -> None:
    """Set the account's role and whether it may log in (never commits), refusing with
    AccountError to leave kb without an active admin: the one guard of the web and the CLI.
    The caller's commit ends the lock the guard took."""
    role = user.role if role is None else role
    active = user.active if active is None else bool(active)
    if role not in ROLES:
        raise AccountError(f"role: must be one of {', '.join(ROLES)}")
    losing_an_admin = user.role == "admin" and user.active and (role != "admin" or not active)
    if losing_an_admin and not [i for i in accounts.lock_active_admins(session) if i != user.id]:
        raise AccountError(
            f"role: {user.username} is the only active admin: make another account an "
            "active admin first"
        )
    user.role, user.active = role, active


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
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]  # Flask-Login's init_app sets it
        from kb.web.database import get_session

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
