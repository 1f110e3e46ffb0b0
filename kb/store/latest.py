"""Keeps `stance.latest` true on exactly the stance that counts for each person and claim.

Where a person holds several stances on a claim, the latest dated one counts (the undated one
when none is dated). Pages filter and count by that stance all the time: asking "is there a newer
stance?" row by row made a topic's claim list take seconds at a million stances, while a flag
in an index answers at once. The flag is derived data, so no writer sets it: a Session listener
recomputes it for every (person, claim) pair a flush touched, and bulk loads recompute it for the
whole table once at the end (`refresh`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, event, exists, inspect, or_, tuple_, update
from sqlalchemy.orm import Session, aliased

from kb.models import Stance

_PAIRS = "kb.store.latest.pairs"
_TOUCHED = "kb.store.latest.touched"
_BULK = "kb.store.latest.bulk"
_WHOLE_TABLE = 20_000  # noted pairs above which one UPDATE of the whole table is cheaper
_CHUNK = 400  # pairs per UPDATE: two bound parameters each, well under every driver's limit


def newer_exists(stance: Any = Stance) -> Any:
    """EXISTS a stance of the same person on the same claim that counts before `stance`."""
    newer = aliased(Stance)
    return exists().where(
        newer.person_id == stance.person_id,
        newer.claim_id == stance.claim_id,
        or_(
            and_(stance.as_of.is_(None), newer.as_of.is_not(None)),
            newer.as_of > stance.as_of,
        ),
    )


def refresh(
    connection: Connection | Session, pairs: Iterable[tuple[int, int]] | None = None
) -> None:
    """Recompute the flag for the stances of `pairs` (person_id, claim_id), or of every stance.
    Only rows whose flag changes are written, so a refresh after a small change is cheap."""
    table = Stance.__table__
    value = ~newer_exists(table.c)
    changed = table.c.latest != value
    if pairs is None:
        connection.execute(update(table).where(changed).values(latest=value))
        return
    todo = sorted(set(pairs))
    for start in range(0, len(todo), _CHUNK):
        chunk = todo[start : start + _CHUNK]
        connection.execute(
            update(table)
            .where(tuple_(table.c.person_id, table.c.claim_id).in_(chunk), changed)
            .values(latest=value)
        )


def note(session: Session, pairs: Iterable[tuple[int, int]]) -> None:
    """Remember pairs written behind the ORM's back (bulk inserts) for `refresh_noted`."""
    session.info.setdefault(_BULK, set()).update(pairs)


def refresh_noted(session: Session) -> None:
    """Refresh the pairs `note` collected: pair by pair for a small load, the whole table in
    one statement for a big one (cheaper than hundreds of thousands of pair lookups)."""
    pairs = session.info.pop(_BULK, None)
    if pairs:
        refresh(session, None if len(pairs) > _WHOLE_TABLE else pairs)


def _pairs_before(obj: Stance) -> set[tuple[int, int]]:
    """The pairs a stance is in before the flush: the one it leaves, if it moves, loses it."""
    state = inspect(obj)
    person = state.attrs.person_id.history
    claim = state.attrs.claim_id.history
    return {
        (p, c)
        for p in (*person.unchanged, *person.added, *person.deleted)
        for c in (*claim.unchanged, *claim.added, *claim.deleted)
        if p is not None and c is not None
    }


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    pairs: set[tuple[int, int]] = session.info.setdefault(_PAIRS, set())
    touched: list[Stance] = session.info.setdefault(_TOUCHED, [])
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Stance):
            pairs |= _pairs_before(obj)
            touched.append(obj)


def _after_flush_postexec(session: Session, _ctx: Any) -> None:
    pairs: set[tuple[int, int]] = session.info.pop(_PAIRS, set())
    for obj in session.info.pop(_TOUCHED, []):
        # a new stance given its person or claim as an object has its ids only now
        state = obj.__dict__
        if state.get("person_id") is not None and state.get("claim_id") is not None:
            pairs.add((state["person_id"], state["claim_id"]))
    if not pairs:
        return
    refresh(session.connection(), pairs)
    # the UPDATE bypassed the identity map: loaded stances reload the flag when it is read
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Stance):
            key = (obj.__dict__.get("person_id"), obj.__dict__.get("claim_id"))
            if key in pairs:
                session.expire(obj, ["latest"])


def _after_rollback(session: Session) -> None:
    session.info.pop(_PAIRS, None)
    session.info.pop(_TOUCHED, None)
    session.info.pop(_BULK, None)


def install(session_class: Any = Session) -> None:
    """Listen on every Session (idempotent)."""
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush_postexec", _after_flush_postexec)
        event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))
