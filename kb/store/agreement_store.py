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
  change makes to each pair is added with one INSERT ... ON CONFLICT DO UPDATE executemany
  (pairs and claims that end with nothing shared are deleted);
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
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Integer,
    String,
    case,
    cast,
    delete,
    event,
    func,
    inspect,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.models import (
    EDITABLE_MODELS,
    AgreementClaim,
    AgreementPair,
    AgreementState,
    KbState,
    Stance,
)
from kb.store import agreement_counts, datastate, latest

_OLD = "kb.store.agreement_store.old"
_TOUCHED = "kb.store.agreement_store.touched"
_WROTE = "kb.store.agreement_store.wrote"
_IN_STEP = "kb.store.agreement_store.in_step"
_BULK = "kb.store.agreement_store.bulk"
ABSENT = 9  # the "sign" of no latest stance
_CHUNK = 400  # (person, claim) pairs or ids per IN list: well under every driver's limit
_BATCH = 10_000  # rows per executemany when the whole store is written
PAIR, CLAIM = AgreementPair.__table__, AgreementClaim.__table__
Progress = Callable[[str], None]


def sign_expr(position: Any) -> Any:
    return case((position == "supports", 1), (position == "opposes", -1), else_=0)


# -- reading ---------------------------------------------------------------------------------


def versions(conn: Connection) -> tuple[int, int]:
    """(the store's data version, the data version): equal when the store may be read."""
    data = select(KbState.data_version).where(KbState.id == 1).scalar_subquery()
    row = conn.execute(
        select(AgreementState.data_version, data).where(AgreementState.id == 1)
    ).first()
    if row is None or row[1] is None:  # no state row, or no data version (a damaged database)
        return -1, 0
    return int(row[0]), int(row[1])


def in_step(conn: Connection) -> bool:
    stored, data = versions(conn)
    return stored == data


def _ints(conn: Connection, stmt: Any, width: int) -> np.ndarray:
    """An (n, width) int64 array of a SELECT of integers, read from the DBAPI cursor."""
    result = conn.execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    flat = np.fromiter((v for row in rows for v in row), np.int64, count=width * len(rows))
    return flat.reshape(-1, width)


def latest_signs(conn: Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, claim, sign) of every latest stance, ordered by person then claim."""
    t = Stance.__table__.c
    rows = _ints(conn, select(t.person_id, t.claim_id, sign_expr(t.position)).where(t.latest), 3)
    order = np.lexsort((rows[:, 1], rows[:, 0]))
    rows = rows[order]
    return rows[:, 0], rows[:, 1], rows[:, 2]


def signs_by_date(conn: Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, claim, sign) of the latest stances by the rule itself (the latest date wins),
    not by the flag: what `kb check` compares the store with. The day as YYYYMMDD, 0 undated,
    as kb.queries.graph.signed_stance_rows reads it for build_agreement."""
    t = Stance.__table__.c
    day = func.coalesce(cast(func.replace(cast(t.as_of, String), "-", ""), Integer), 0)
    rows = _ints(conn, select(t.person_id, t.claim_id, sign_expr(t.position), day), 4)
    person, claim, sign = agreement_counts.latest_of(rows)
    return person, claim, sign


def stored_pairs(conn: Connection) -> np.ndarray:
    """Rows (person_a, person_b, agreements, disagreements, shared) in pair order."""
    c = PAIR.c
    rows = _ints(conn, select(c.person_a, c.person_b, c.agreements, c.disagreements, c.shared), 5)
    if rows.shape[0] > 1 and not np.all(
        (rows[1:, 0] > rows[:-1, 0])
        | ((rows[1:, 0] == rows[:-1, 0]) & (rows[1:, 1] > rows[:-1, 1]))
    ):
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    return rows


def stored_sides(conn: Connection) -> np.ndarray:
    """Rows (claim_id, supporters, opponents, mixed) by claim."""
    c = CLAIM.c
    rows = _ints(conn, select(c.claim_id, c.supporters, c.opponents, c.mixed), 4)
    return rows[np.argsort(rows[:, 0], kind="stable")]


def computed(
    person: np.ndarray, claim: np.ndarray, sign: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What the store should hold for these latest stances: (pairs, sides) as stored_pairs and
    stored_sides return them, by the matrix products of kb.store.agreement_counts."""
    ids, _counts, i, j, ag, dis, sh = agreement_counts.pair_counts(person, claim, sign)
    pairs = np.stack([ids[i], ids[j], ag, dis, sh], axis=1) if i.size else np.zeros((0, 5))
    return pairs.astype(np.int64), agreement_counts.side_counts(claim, sign)


# -- writing the whole store -------------------------------------------------------------------


def _insert_rows(conn: Connection, table: Any, rows: np.ndarray, progress: Progress | None) -> None:
    names = [col.name for col in table.columns]
    for start in range(0, rows.shape[0], _BATCH):
        batch = rows[start : start + _BATCH].tolist()
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in batch])
        if progress and (start // _BATCH) % 20 == 19:
            progress(f"{table.name}: {start + len(batch):,} of {rows.shape[0]:,} rows")


def rebuild(session: Session, progress: Progress | None = None) -> tuple[int, int]:
    """Compute the store from the latest stances and replace what it held, in the caller's
    transaction; it is then in step with the data version. Returns (pairs, claims) written."""
    say = progress or (lambda _message: None)
    conn = session.connection()
    say("reading the latest stances")
    person, claim, sign = latest_signs(conn)
    say(f"counting pairs among {np.unique(person).size:,} people over {person.size:,} stances")
    pairs, sides = computed(person, claim, sign)
    say(f"writing {pairs.shape[0]:,} pairs and {sides.shape[0]:,} claims")
    conn.execute(delete(PAIR))
    conn.execute(delete(CLAIM))
    _insert_rows(conn, PAIR, pairs, progress)
    _insert_rows(conn, CLAIM, sides, progress)
    conn.execute(
        update(AgreementState)
        .where(AgreementState.id == 1)
        .values(data_version=select(KbState.data_version).where(KbState.id == 1).scalar_subquery())
    )
    session.info[_IN_STEP] = True
    return pairs.shape[0], sides.shape[0]


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
                session.info[_IN_STEP] = in_step(conn)
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
        # writers of stances take turns from here to commit (see the module docstring)
        conn.execute(select(KbState.id).where(KbState.id == 1).with_for_update())
        apply_changes(conn, np.array(changes, dtype=np.int64).reshape(-1, 4))


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
    """Rows (claim, d_supporters, d_opponents, d_mixed), summed per claim."""
    column = {1: 0, -1: 1, 0: 2}
    sums: dict[int, list[int]] = {}
    for _p, c, old, new in changes.tolist():
        row = sums.setdefault(c, [0, 0, 0])
        if old != ABSENT:
            row[column[old]] -= 1
        if new != ABSENT:
            row[column[new]] += 1
    return np.array([[c, *d] for c, d in sorted(sums.items()) if any(d)], dtype=np.int64)


@functools.cache
def _upsert_statement(dialect_name: str, table_name: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE adding the proposed row's counts to the kept ones
    (built once per dialect and table: constructing it cost more than running it)."""
    table = PAIR if table_name == PAIR.name else CLAIM
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    keys = [col.name for col in table.primary_key.columns]
    counts = {c.name: c + stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=counts)


def _upsert(conn: Connection, table: Any, rows: np.ndarray) -> None:
    """Add rows of differences to the table's counts, inserting the rows that are new, in one
    executemany."""
    if rows.shape[0] == 0:
        return
    names = [col.name for col in table.columns]
    conn.execute(
        _upsert_statement(conn.dialect.name, table.name),
        [dict(zip(names, row, strict=True)) for row in rows.tolist()],
    )


def apply_changes(conn: Connection, changes: np.ndarray) -> None:
    """Update the store for changes of latest signs (rows person, claim, old, new)."""
    t = Stance.__table__.c
    claims = np.unique(changes[:, 1]).tolist()
    holders = np.concatenate(
        [
            _ints(
                conn,
                select(t.person_id, t.claim_id, sign_expr(t.position)).where(
                    t.latest, t.claim_id.in_(claims[start : start + _CHUNK])
                ),
                3,
            )
            for start in range(0, len(claims), _CHUNK)
        ]
    )
    _upsert(conn, PAIR, pair_deltas(changes, holders))
    _upsert(conn, CLAIM, side_deltas(changes))
    people = np.unique(changes[:, 0]).tolist()
    for start in range(0, len(people), _CHUNK):
        chunk = people[start : start + _CHUNK]
        # one statement per column, each answered from its index (an OR scans the table)
        for column in (PAIR.c.person_a, PAIR.c.person_b):
            conn.execute(delete(PAIR).where(column.in_(chunk), PAIR.c.shared <= 0))
    empty = CLAIM.c.supporters + CLAIM.c.opponents + CLAIM.c.mixed <= 0
    for start in range(0, len(claims), _CHUNK):
        conn.execute(
            delete(CLAIM).where(empty, CLAIM.c.claim_id.in_(claims[start : start + _CHUNK]))
        )
