"""Reading and rebuilding the agreement tables (kb.models.agreement) as numpy arrays.

kb.store.agreement_store keeps them up to date on every write; this module is what readers
(kb.graph.agreement_load), `kb graph rebuild` and `kb check` use. Reads go through the DBAPI
cursor as plain integer tuples: at 2,000 people the pair table holds ~2 million rows, and
SQLAlchemy's Row objects would triple the cost.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Integer, String, case, cast, delete, func, select, update

from kb.models import AgreementClaim, AgreementPair, AgreementState, KbState, Stance
from kb.store import agreement_counts, datastate

PAIR, CLAIM = AgreementPair.__table__, AgreementClaim.__table__
_BATCH = 20_000  # rows per executemany when the whole store is written
_CHUNK = 400  # ids per IN list: well under every driver's limit
Progress = Callable[[str], None]


def sign_expr(position: Any) -> Any:
    return case((position == "supports", 1), (position == "opposes", -1), else_=0)


@dataclass(frozen=True)
class State:
    """The store's data version, the data's version, and the store's generation (drawn anew
    at each rebuild). The store may be read when the first two are equal."""

    kept: int
    data: int
    generation: int
    changed: dt.datetime | None = None
    """When the data last changed (kb.store.datastate.state's second part, read in the same
    statement so that a request pays one query for both)."""

    @property
    def in_step(self) -> bool:
        return self.kept == self.data


def state(conn: Connection) -> State:
    data = select(KbState.data_version).where(KbState.id == 1).scalar_subquery()
    changed = select(KbState.changed_at).where(KbState.id == 1).scalar_subquery()
    row = conn.execute(
        select(AgreementState.data_version, data, AgreementState.generation, changed).where(
            AgreementState.id == 1
        )
    ).first()
    if row is None or row[1] is None:  # no state row, or no data version (a damaged database)
        return State(-1, 0, 0)
    return State(int(row[0]), int(row[1]), int(row[2]), datastate.as_utc(row[3]))


def in_step(conn: Connection) -> bool:
    return state(conn).in_step


def ints(conn: Connection, stmt: Any, width: int) -> np.ndarray:
    """An (n, width) int64 array of a SELECT of integers, read from the DBAPI cursor."""
    result = conn.execute(stmt)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, count=width * len(rows))
    return flat.reshape(-1, width)


def latest_signs(
    conn: Connection, claims: Collection[int] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, claim, sign) of every latest stance (on the given claims only, if given),
    ordered by person then claim."""
    t = Stance.__table__.c
    stmt = select(t.person_id, t.claim_id, sign_expr(t.position)).where(t.latest)
    if claims is None:
        rows = ints(conn, stmt, 3)
    else:
        ids = sorted(claims)
        parts = [
            ints(conn, stmt.where(t.claim_id.in_(ids[k : k + _CHUNK])), 3)
            for k in range(0, len(ids), _CHUNK)
        ]
        rows = np.concatenate(parts) if parts else np.zeros((0, 3), dtype=np.int64)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    return rows[:, 0], rows[:, 1], rows[:, 2]


def signs_by_date(conn: Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, claim, sign) of the latest stances by the rule itself (the latest date wins),
    not by the flag: what `kb check` compares the store with. The day as YYYYMMDD, 0 undated,
    as kb.queries.graph.signed_stance_rows reads it for build_agreement."""
    t = Stance.__table__.c
    day = func.coalesce(cast(func.replace(cast(t.as_of, String), "-", ""), Integer), 0)
    rows = ints(conn, select(t.person_id, t.claim_id, sign_expr(t.position), day), 4)
    person, claim, sign = agreement_counts.latest_of(rows)
    return person, claim, sign


def _in_pair_order(rows: np.ndarray) -> np.ndarray:
    if rows.shape[0] > 1 and not np.all(
        (rows[1:, 0] > rows[:-1, 0])
        | ((rows[1:, 0] == rows[:-1, 0]) & (rows[1:, 1] > rows[:-1, 1]))
    ):
        rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    return rows


def stored_pairs(conn: Connection, since: int | None = None) -> np.ndarray:
    """Rows (person_a, person_b, agreements, disagreements, shared) in pair order: the pairs
    that share a claim, or, with `since`, every row a write after that version changed
    (pairs that stopped sharing included, with shared = 0)."""
    c = PAIR.c
    stmt = select(c.person_a, c.person_b, c.agreements, c.disagreements, c.shared)
    stmt = stmt.where(c.shared > 0) if since is None else stmt.where(c.changed_in > since)
    return _in_pair_order(ints(conn, stmt, 5))


def stored_sides(conn: Connection, since: int | None = None) -> np.ndarray:
    """Rows (claim_id, supporters, opponents, mixed) by claim: of the claims someone holds,
    or, with `since`, of every claim a write after that version changed."""
    c = CLAIM.c
    stmt = select(c.claim_id, c.supporters, c.opponents, c.mixed)
    if since is None:
        stmt = stmt.where(c.supporters + c.opponents + c.mixed > 0)
    else:
        stmt = stmt.where(c.changed_in > since)
    rows = ints(conn, stmt, 4)
    return rows[np.argsort(rows[:, 0], kind="stable")]


def computed(
    person: np.ndarray, claim: np.ndarray, sign: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What the store should hold for these latest stances: (pairs, sides) as stored_pairs and
    stored_sides return them, by the matrix products of kb.store.agreement_counts."""
    ids, _counts, i, j, ag, dis, sh = agreement_counts.pair_counts(person, claim, sign)
    pairs = np.stack([ids[i], ids[j], ag, dis, sh], axis=1) if i.size else np.zeros((0, 5))
    return pairs.astype(np.int64), agreement_counts.side_counts(claim, sign)


def _insert_rows(
    conn: Connection, table: Any, rows: np.ndarray, version: int, progress: Progress
) -> None:
    """Plain executemany of tuples with the driver's own placeholders: dicts per row through
    SQLAlchemy cost ten times more at two million rows."""
    names = [col.name for col in table.columns if col.name != "changed_in"]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}, changed_in)"
        f" VALUES ({', '.join([mark] * (len(names) + 1))})"
    )
    column = np.full((rows.shape[0], 1), version, dtype=np.int64)
    full = np.hstack([rows.astype(np.int64), column])
    for start in range(0, full.shape[0], _BATCH):
        conn.exec_driver_sql(sql, [tuple(r) for r in full[start : start + _BATCH].tolist()])
        if (start // _BATCH) % 10 == 9:
            progress(
                f"{table.name}: {min(start + _BATCH, full.shape[0]):,} of {full.shape[0]:,} rows"
            )


def rebuild(conn: Connection, progress: Progress | None = None) -> tuple[int, int]:
    """Compute the store from the latest stances and replace what it held, in the caller's
    transaction, as a new generation in step with the data version. Returns (pairs, claims)."""
    say = progress or (lambda _message: None)
    say("reading the latest stances")
    person, claim, sign = latest_signs(conn)
    say(f"counting pairs among {np.unique(person).size:,} people over {person.size:,} stances")
    pairs, sides = computed(person, claim, sign)
    say(f"writing {pairs.shape[0]:,} pairs and {sides.shape[0]:,} claims")
    version = state(conn).data
    conn.execute(delete(PAIR))
    conn.execute(delete(CLAIM))
    _insert_rows(conn, PAIR, pairs, version, say)
    _insert_rows(conn, CLAIM, sides, version, say)
    conn.execute(
        update(AgreementState)
        .where(AgreementState.id == 1)
        .values(data_version=version, generation=secrets.randbits(62))
    )
    return pairs.shape[0], sides.shape[0]
