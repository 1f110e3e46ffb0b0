"""The agreement between people, kept in the database and updated by every write (issue 16).

Without it every gunicorn worker of every server multiplied the stance matrices again after
each edit (seconds of CPU each). Here the pair counts and claim sides live in tables
(kb.models.agreement), and a Session listener keeps them right as stances change: when the
latest stance of person p on claim c changes (created, position changed, deleted, superseded
by a newer one), only the pairs between p and the other holders of c change, so one edit costs
time in proportion to that claim's holders, not to the whole database.

How a flush is followed:
- before it, the latest sign (+1, -1, 0) of every (person, claim) it touches is read, while
  the database still holds the old stances;
- after it, and after kb.store.latest has moved the flag, the same pairs are read again; for
  each claim where a sign changed, the holders of the claim are read, and the difference each
  change makes to each pair is added with one INSERT ... ON CONFLICT DO UPDATE executemany,
  which also marks the rows with the data version the commit will have (`changed_in`), so a
  worker holding an older copy reads only those rows (kb.graph.agreement_load);
- at commit, the store's data version follows the data version (kb.store.datastate), but only
  if it was in step before: a store that missed a write (a script past the ORM, a database
  migrated with stances) stays behind, readers compute the agreement as before, and `kb graph
  rebuild` (`rebuild`) puts it back in step. Bulk loads call `note_bulk` and rebuild in
  `after_bulk` instead.
On PostgreSQL two transactions changing stances on one claim at once would each count the
other's holder with its old sign, so the kb_state row is locked before the holders are read:
writers of stances take turns from there to their commit (SQLite's single writer already does).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
from sqlalchemy import Connection, event, inspect, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.models import EDITABLE_MODELS, AgreementState, KbState, Stance
from kb.store import agreement_tables as tables
from kb.store import datastate, latest
from kb.store.agreement_tables import CLAIM, PAIR, sign_expr

_OLD = "kb.store.agreement_store.old"
_TOUCHED = "kb.store.agreement_store.touched"
_WROTE = "kb.store.agreement_store.wrote"
_IN_STEP = "kb.store.agreement_store.in_step"
_BULK = "kb.store.agreement_store.bulk"
ABSENT = 9  # the "sign" of no latest stance
_CHUNK = 400  # (person, claim) pairs per IN list: well under every driver's limit


def note_bulk(session: Session) -> None:
    """A bulk load wrote stances behind the ORM's back: `after_bulk` must rebuild."""
    session.info[_BULK] = True


def after_bulk(session: Session) -> None:
    """After a bulk load has bumped the data version: rebuild the store if stances went in,
    else let its version follow (if it was in step)."""
    if session.info.pop(_BULK, False):
        rebuild(session)
    else:
        _follow_version(session.connection())


def rebuild(session: Session, progress: tables.Progress | None = None) -> tuple[int, int]:
    """kb.store.agreement_tables.rebuild in the session's transaction, which then keeps the
    store as in step."""
    written = tables.rebuild(session.connection(), progress)
    session.info[_IN_STEP] = True
    return written


# -- following each write ----------------------------------------------------------------------


def _ids(obj: Stance, column: str, relation: str) -> set[int]:
    """The values a stance's person or claim id has had in this flush, including the id of a
    person or claim assigned as an object (which reaches the column only during the flush)."""
    history = inspect(obj).attrs[column].history
    found = {v for v in (*history.unchanged, *history.added, *history.deleted) if v is not None}
    related = obj.__dict__.get(relation)
    if related is not None and (identity := inspect(related).identity):
        found.add(identity[0])
    return found


def _signs(conn: Connection, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The latest sign of each (person, claim) that has a latest stance."""
    t = Stance.__table__.c
    todo, found = sorted(set(pairs)), {}
    for start in range(0, len(todo), _CHUNK):
        stmt = select(t.person_id, t.claim_id, sign_expr(t.position)).where(
            t.latest, tuple_(t.person_id, t.claim_id).in_(todo[start : start + _CHUNK])
        )
        found.update({(p, c): s for p, c, s in conn.execute(stmt)})
    return found


def _maintained(session: Session) -> bool:
    """Whether the store is in step in this transaction (so each write must keep it so); read
    once per transaction, in a savepoint so a database without the tables is just 'no'."""
    if _IN_STEP not in session.info:
        conn = session.connection()
        try:
            with conn.begin_nested():
                session.info[_IN_STEP] = tables.in_step(conn)
        except DBAPIError:
            session.info[_IN_STEP] = False
    return bool(session.info[_IN_STEP])


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    touched = [
        obj for obj in (*session.new, *session.dirty, *session.deleted) if isinstance(obj, Stance)
    ]
    if not touched or not _maintained(session):
        return
    pairs = {
        (p, c)
        for obj in touched
        for p in _ids(obj, "person_id", "person")
        for c in _ids(obj, "claim_id", "claim")
    }
    old = _signs(session.connection(), pairs)
    session.info[_OLD] = (pairs, old)
    session.info[_TOUCHED] = touched


def _after_flush(session: Session, _ctx: Any) -> None:
    if any(
        isinstance(o, EDITABLE_MODELS) for o in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info[_WROTE] = True


def _after_flush_postexec(session: Session, _ctx: Any) -> None:
    if _OLD not in session.info:
        return
    pairs, old = session.info.pop(_OLD)
    for obj in session.info.pop(_TOUCHED, []):
        state = obj.__dict__
        if state.get("person_id") is not None and state.get("claim_id") is not None:
            pairs.add((state["person_id"], state["claim_id"]))
    conn = session.connection()
    new = _signs(conn, pairs)
    changes = [
        (p, c, old.get((p, c), ABSENT), new.get((p, c), ABSENT))
        for p, c in sorted(pairs)
        if old.get((p, c), ABSENT) != new.get((p, c), ABSENT)
    ]
    if changes:
        # writers of stances take turns from here to commit (see the module docstring); the
        # commit will bump the data version by one, which is the version these rows change in
        lock = select(KbState.data_version).where(KbState.id == 1).with_for_update()
        version = int(conn.execute(lock).scalar_one()) + 1
        apply_changes(conn, np.array(changes, dtype=np.int64).reshape(-1, 4), version)


def _follow_version(conn: Connection) -> None:
    """After the data version was bumped once: the store follows if it was in step before."""
    data = select(KbState.data_version).where(KbState.id == 1).scalar_subquery()
    conn.execute(
        update(AgreementState)
        .where(AgreementState.id == 1, AgreementState.data_version == data - 1)
        .values(data_version=data)
    )


def _before_commit(session: Session) -> None:
    # runs after kb.store.datastate's hook (install orders them), which flushed and bumped;
    # a store found behind earlier in this transaction was not kept, so it must not follow
    if session.info.pop(_WROTE, False) and session.info.get(_IN_STEP, True):
        _follow_version(session.connection())


def _forget(session: Session) -> None:
    for key in (_OLD, _TOUCHED, _WROTE, _IN_STEP, _BULK):
        session.info.pop(key, None)


def install(session_class: Any = Session) -> None:
    """Listen on every Session (idempotent), after the data version's and the latest flag's
    listeners, whose work these depend on."""
    datastate.install(session_class)
    latest.install(session_class)
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_flush_postexec", _after_flush_postexec)
        event.listen(session_class, "before_commit", _before_commit)
        event.listen(session_class, "after_commit", _forget)
        event.listen(session_class, "after_soft_rollback", lambda s, _t: _forget(s))


# -- the difference a set of changes makes -------------------------------------------------------


def _counts(s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(agreements, disagreements, shared) that signs s and t add to their pair, elementwise."""
    present = (s != ABSENT) & (t != ABSENT)
    product = np.where(present, s * t, 0)
    return np.stack([present & (product == 1), present & (product == -1), present], axis=1)


def pair_deltas(changes: np.ndarray, holders: np.ndarray) -> np.ndarray:
    """Rows (a, b, d_agreements, d_disagreements, d_shared), a < b, summed per pair, zero rows
    dropped. changes: rows (person, claim, old sign, new sign) with ABSENT for none, at most one
    per (person, claim); holders: rows (person, claim, sign) of the latest stances after them."""
    parts = []
    for c in np.unique(changes[:, 1]):
        ch = changes[changes[:, 1] == c]
        on = holders[holders[:, 1] == c]
        others = on[~np.isin(on[:, 0], ch[:, 0])]
        p, q = np.repeat(ch[:, 0], others.shape[0]), np.tile(others[:, 0], ch.shape[0])
        t = np.tile(others[:, 2], ch.shape[0])
        d = _counts(np.repeat(ch[:, 3], others.shape[0]), t).astype(np.int64)
        d -= _counts(np.repeat(ch[:, 2], others.shape[0]), t)
        parts.append(np.column_stack([p, q, d]))
        x, y = np.triu_indices(ch.shape[0], k=1)
        d = _counts(ch[x, 3], ch[y, 3]).astype(np.int64) - _counts(ch[x, 2], ch[y, 2])
        parts.append(np.column_stack([ch[x, 0], ch[y, 0], d]))
    rows = np.concatenate(parts) if parts else np.zeros((0, 5), dtype=np.int64)
    a, b = np.minimum(rows[:, 0], rows[:, 1]), np.maximum(rows[:, 0], rows[:, 1])
    keys, where = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
    sums = np.zeros((keys.shape[0], 3), dtype=np.int64)
    np.add.at(sums, where.ravel(), rows[:, 2:])
    out = np.column_stack([keys, sums])
    return out[np.any(sums != 0, axis=1)]


def side_deltas(changes: np.ndarray) -> np.ndarray:
    """Rows (claim, d_supporters, d_opponents, d_mixed), summed per claim, one for every claim
    with a change."""
    column = {1: 0, -1: 1, 0: 2}
    sums: dict[int, list[int]] = {}
    for _p, c, old, new in changes.tolist():
        row = sums.setdefault(c, [0, 0, 0])
        if old != ABSENT:
            row[column[old]] -= 1
        if new != ABSENT:
            row[column[new]] += 1
    # a claim whose changes cancel out still gets its row marked: its holders changed
    return np.array([[c, *d] for c, d in sorted(sums.items())], dtype=np.int64).reshape(-1, 4)


@functools.cache
def _upsert_sql(table_name: str, mark: str) -> str:
    """INSERT ... ON CONFLICT DO UPDATE adding the proposed row's counts to the kept ones and
    setting changed_in, in the SQL SQLite and PostgreSQL share, with the driver's positional
    placeholder (`mark`): executemany of plain tuples, without SQLAlchemy's work per row."""
    table = PAIR if table_name == PAIR.name else CLAIM
    keys = [col.name for col in table.primary_key.columns]
    names = [col.name for col in table.columns if col.name != "changed_in"] + ["changed_in"]
    added = [f"{n} = {table.name}.{n} + excluded.{n}" for n in names if n not in keys]
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([mark] * len(names))})"
        f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET"
        f" {', '.join(added[:-1])}, changed_in = excluded.changed_in"
    )


def _upsert(conn: Connection, table: Any, rows: np.ndarray, version: int) -> None:
    """Add rows of differences to the table's counts, inserting the rows that are new, in one
    executemany."""
    if rows.shape[0] == 0:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    values = np.hstack([rows, np.full((rows.shape[0], 1), version, dtype=np.int64)])
    conn.exec_driver_sql(_upsert_sql(table.name, mark), [tuple(r) for r in values.tolist()])


def apply_changes(conn: Connection, changes: np.ndarray, version: int) -> None:
    """Update the store for changes of latest signs (rows person, claim, old, new) written in
    data version `version`. Rows that end at zero stay, so readers patching an older copy see
    them go (kb.graph.agreement_load); the next rebuild drops them."""
    claims = np.unique(changes[:, 1]).tolist()
    person, claim, sign = tables.latest_signs(conn, claims)
    holders = np.stack([person, claim, sign], axis=1)
    _upsert(conn, PAIR, pair_deltas(changes, holders), version)
    _upsert(conn, CLAIM, side_deltas(changes), version)
