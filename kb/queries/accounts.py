"""The SQL of accounts and of the login limit: an account by username, the active admins
(locked, for the last-admin guard), and the per-key login-attempt counters.

kb.web.auth and kb.web.security decide (who may log in, when the limit is reached); these
functions only read and write rows, so that no view or guard holds SQL. The counters are the
one write here: a login attempt must be counted in a single statement, whatever the dialect.
"""

from __future__ import annotations

from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kb.models import LoginAttempt, User


def find_user(session: Session, username: str) -> User | None:
    """The account with this username, ignoring case (usernames are unique ignoring case)."""
    return session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).first()


def lock_active_admins(session: Session) -> list[int]:
    """The ids of the active admins, locked until the transaction ends.

    Two admins demoting each other at the same moment must not both see the other one still
    an admin: each change takes this lock before it counts. PostgreSQL locks the rows (a second
    change waits, then sees the first one's commit); SQLite has one writer at a time, so a write
    first takes its lock (waiting up to the busy timeout) and the count then sees every commit.
    """
    active_admins = select(User.id).where(User.role == "admin", User.active.is_(True))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE user_account SET role = role WHERE role = 'admin' AND active"))
        return list(session.scalars(active_admins))
    return list(session.scalars(active_admins.order_by(User.id).with_for_update()))


def count_attempt(session: Session, key: str, window_seconds: int, now: int) -> int:
    """Add one to the key's count in its current window (or start a new window) and return the
    new count, in one statement: every worker and server sees every attempt, and simultaneous
    attempts each get their own number."""
    table = LoginAttempt.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    expired = table.c.window_ends <= now
    statement = (
        dialect.insert(table)
        .values(key=key, window_ends=now + window_seconds, hits=1)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "hits": case((expired, 1), else_=table.c.hits + 1),
                "window_ends": case((expired, now + window_seconds), else_=table.c.window_ends),
            },
        )
        .returning(table.c.hits)
    )
    return session.execute(statement).scalar_one()


def delete_expired_attempts(session: Session, now: int) -> None:
    """Delete up to 1000 expired counters. Rows another attempt holds are skipped (PostgreSQL's
    SKIP LOCKED; SQLite has one writer anyway), so the sweep never waits for, nor deadlocks
    with, an attempt being counted."""
    expired = (
        select(LoginAttempt.key)
        .where(LoginAttempt.window_ends < now)
        .limit(1000)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.key.in_(expired)))


def give_back_attempt(session: Session, keys: list[str]) -> None:
    """Take one from each key's count (never below zero)."""
    session.execute(
        update(LoginAttempt)
        .where(LoginAttempt.key.in_(keys), LoginAttempt.hits > 0)
        .values(hits=LoginAttempt.hits - 1)
    )
