"""Values computed from the whole agreement, once per data state for the whole deployment.

The camps, the opinion map, the bridging claims and the people who bridge camps take seconds to
compute at the reference scale (issue 16), and each worker of each server computed them again for itself after every
write. Now the first reader to need one at a data state computes it and keeps it in
`derived_value` (kb.models.DerivedValue); every other worker, on this server or another, reads
it there, in milliseconds. The per-worker cache (kb.store.memo) still sits in front: the table
is read once per worker and state.

A value is stored as JSON by a pydantic TypeAdapter of its type (dataclasses of ints, floats and
strings), never pickled: whoever can write the database cannot make the servers run code. A
row that cannot be read back (another version of kb wrote it, say) is computed again. Storing
is best effort: when the database refuses the write (read-only, busy), the value is still
served, and the next reader tries again. Two workers that miss at once both compute; the
values are the same (every computation is seeded), so whichever write lands last is right.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kb.models import AgreementSnapshot, DerivedValue
from kb.store import datastate

T = TypeVar("T")
log = logging.getLogger(__name__)

computed: Counter[str] = Counter()
"""How many times this process computed each value (rather than reading it): for tests."""
_adapters: dict[Any, TypeAdapter[Any]] = {}
_PENDING = "kb.derived_pending"  # session.info: writes to run once the session is closed


def _adapter(kind: Any) -> TypeAdapter[Any]:
    if kind not in _adapters:
        _adapters[kind] = TypeAdapter(kind)
    return _adapters[kind]


def shared(session: Session, name: str, kind: Any, build: Callable[[], T]) -> T:
    """The value called `name` at the database's current data state: read from the table when
    a worker already computed it at this state, else built, stored and returned. `kind` is its
    type, for the JSON codec."""
    version, changed = datastate.state(session)
    row = session.execute(
        select(DerivedValue.payload).where(
            DerivedValue.name == name,
            DerivedValue.data_version == version,
            DerivedValue.changed_at.is_(None)
            if changed is None
            else DerivedValue.changed_at == changed,
        )
    ).first()
    if row is not None:
        try:
            return _adapter(kind).validate_json(row.payload)
        except ValidationError:
            log.warning("the stored %s could not be read back; computing it again", name)
    started = time.perf_counter()
    value = build()
    computed[name] += 1
    values = {
        "data_version": version,
        "changed_at": changed,
        "payload": _adapter(kind).dump_json(value).decode(),
        "seconds": time.perf_counter() - started,
    }

    def write(conn: Connection) -> None:
        stmt = update(DerivedValue).where(DerivedValue.name == name)
        if conn.execute(stmt.values(**values)).rowcount == 0:
            conn.execute(insert(DerivedValue).values(name=name, **values))

    later(session, name, write)
    return value


def later(session: Session, what: str, write: Callable[[Connection], None]) -> None:
    """Have `write` keep something for the other workers once `session` is closed."""
    session.info.setdefault(_PENDING, []).append((what, write))


def keep_pending(session: Session) -> None:
    """Run the writes `session` queued (`later`), each in a transaction of its own, once the
    session is closed (the web layer calls it when a request ends, kb.web.database): a write
    takes a connection, and asking for a second one while the request holds the first could
    leave every request of a small pool waiting on another. Best effort: a write the database
    refuses is logged and the next reader tries again."""
    for what, write in session.info.pop(_PENDING, ()):
        try:
            with session.get_bind().engine.begin() as conn:
                write(conn)
        except SQLAlchemyError as exc:  # another worker inserted it first, or a read-only file
            log.info("did not keep %s for the other workers: %s", what, exc.__class__.__name__)


def forget(session: Session) -> None:
    """Drop every kept value (kb graph rebuild: they are computed again from the new store)."""
    session.execute(delete(DerivedValue))
    session.execute(delete(AgreementSnapshot))
