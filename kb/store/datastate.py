"""The data version: a counter every write bumps, so caches know when the data changed.

A listener marks a session whose flush touched any knowledge-base record; the UPDATE runs once,
just before that transaction commits. Bulk paths that bypass the ORM call `bump` themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from kb.models import EDITABLE_MODELS, KbState, utcnow

_FLAG = "kb.data_changed"


def bump(session: Session) -> None:
    session.execute(
        update(KbState)
        .where(KbState.id == 1)
        .values(data_version=KbState.data_version + 1, changed_at=utcnow())
    )


def current(session: Session) -> int:
    """The data version as committed (0 for a database that has never been written)."""
    return session.scalar(select(KbState.data_version).where(KbState.id == 1)) or 0


def state(session: Session) -> tuple[int, dt.datetime | None]:
    """What identifies the data a database holds now: its version and the time of that change
    (UTC). The version alone is not enough: a database rebuilt from scratch counts versions
    from 0 again, so version 3 of the new one is not version 3 of the old; the moment of the
    last change tells them apart. (0, None) for a database without its state row."""
    row = session.execute(
        select(KbState.data_version, KbState.changed_at).where(KbState.id == 1)
    ).first()
    if row is None:
        return 0, None
    return row.data_version, as_utc(row.changed_at)


def as_utc(changed: dt.datetime | None) -> dt.datetime | None:
    """A stored moment of change as an aware UTC datetime (SQLite keeps no time zone: UTC)."""
    if changed is not None and changed.tzinfo is None:
        return changed.replace(tzinfo=dt.UTC)
    return changed


def _after_flush(session: Session, _ctx: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, EDITABLE_MODELS):
            session.info[_FLAG] = True
            return


def _before_commit(session: Session) -> None:
    # commit() runs this hook before its own flush, so flush now: pending changes must be
    # seen by _after_flush to mark the session.
    session.flush()
    if session.info.pop(_FLAG, False):
        bump(session)


def _after_rollback(session: Session) -> None:
    session.info.pop(_FLAG, None)


def install(session_class: Any = Session) -> None:
    """Listen on every Session (idempotent)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "before_commit", _before_commit)
        event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))
