"""What kb keeps about its own work: accounts, revisions, login attempts and the data state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import REVISION_ACTIONS, ROLES, Base, Editable, _in, _nonblank, intpk, timestamp


class User(Editable, Base):
    """An account for the admin side. Anonymous visitors need none to read."""

    __tablename__ = "user_account"
    __table_args__ = (_nonblank("username"), CheckConstraint(_in("role", ROLES), name="role_valid"))

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True, server_default="1")

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Revision(Base):
    """One create, update, delete or revert of one record, with field-level before and after.
    Written by every path that changes data (UI, CLI, import); never edited itself."""

    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint(_in("action", REVISION_ACTIONS), name="action_valid"),
        Index("ix_revision_entity", "entity", "entity_id"),
    )

    id: Mapped[intpk]
    created_at: Mapped[timestamp]
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Who or what made the change when there is no user: "cli", "import", "seed".
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(500))
    # {"field": [before, after], ...}; before is null on create, after is null on delete.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship()


class LoginAttempt(Base):
    """A count of login attempts in one window, per key (an address, or an account at an
    address), shared by every worker and server: kb.web.security counts an attempt here, with one
    atomic upsert, before the password is checked."""

    __tablename__ = "login_attempt"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # When the window ends, in whole seconds since the epoch (the same arithmetic everywhere).
    window_ends: Mapped[int] = mapped_column(BigInteger, index=True)
    hits: Mapped[int] = mapped_column(Integer)


class KbState(Base):
    """One row holding the data version, which every write bumps. Caches (graphs, ETags) key
    on it, so they are rebuilt once per change of the data instead of once per request."""

    __tablename__ = "kb_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[timestamp]
