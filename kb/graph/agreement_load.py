"""The agreement graph as the database keeps it (kb.store.agreement_store), for every worker.

After an edit, a worker used to multiply the stance matrices again (2.8 s of CPU at the
reference scale, in each of the workers of each server). Now the pair counts are kept in the
database, up to date with each write, and a worker that holds the agreement of an earlier data
version reads only the rows written since (`changed_in`) and patches a copy of its arrays: the
pairs one edit changed (a claim's holders), the latest stances on the claims it changed and
those claims' sides. A worker with nothing to patch (just started, or the store was rebuilt,
which draws a new generation) reads the snapshot the first worker kept of its copy
(kb.store.agreement_snapshot) and patches it the same way; only when there is none does it
compute its copy, as it did before: at 2,000 people the pair table holds two million rows, and
reading them through the driver took longer (6.8 s against 2.9 s on the benchmark machine)
than the matrix products. With an
`as_of` date, or a store behind the data (awaiting `kb graph rebuild`), the agreement is
computed as before (kb.graph.agreement.build_agreement).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from kb.graph import cache
from kb.graph.agreement import Agreement, LatestStances, build_agreement
from kb.queries import graph as q
from kb.store import agreement_snapshot as snapshot
from kb.store import agreement_tables as tables
from kb.store import derived

_KEEP = 4  # databases whose latest agreement is kept as a base to patch
SNAPSHOT_BEHIND = 200
"""Data versions a kept snapshot may lag before a worker that patched it keeps a newer one."""
first_copies: Counter[str] = Counter()
"""How this process made its first copies: "read" (a snapshot at this version), "patched" (an
earlier one) or "computed" (none usable): for tests."""


@dataclass(frozen=True)
class Base:
    """A worker's latest copy of a database's agreement, and what it is a copy of."""

    generation: int
    version: int
    changed: dt.datetime | None
    agreement: Agreement


def _later(now: dt.datetime | None, then: dt.datetime | None) -> bool:
    return now is not None and then is not None and now >= then


_bases: OrderedDict[str, Base] = OrderedDict()
_lock = threading.Lock()
cache.on_clear(_bases.clear)
_SHIFT = 1 << 32  # a pair (a, b) as the one integer a * _SHIFT + b, which sorts as the pairs do


def load_agreement(session: Session, as_of: dt.date | None = None) -> Agreement:
    """The agreement graph of the database now, from the store when it is in step (see the
    module docstring); read-only, like every cached graph."""
    conn = session.connection()
    state = tables.state(conn) if as_of is None else None
    if state is None or not state.in_step:
        return build_agreement(session, as_of)
    where = conn.engine.url.render_as_string(hide_password=True)
    # the moment of the last change tells apart two databases at one version (a file replaced
    # by a copy of the same template), as kb.store.memo's keys do
    changed = state.changed
    with _lock:
        base = _bases.get(where)
    same = base is not None and base.generation == state.generation
    if same and base is not None and (base.version, base.changed) == (state.data, changed):
        return base.agreement
    if same and base is not None and base.version < state.data and _later(changed, base.changed):
        agreement = _patched(session, conn, base.agreement, base.version)
    else:
        agreement = _first_copy(session, conn, state)
    with _lock:
        _bases[where] = Base(state.generation, state.data, changed, agreement)
        _bases.move_to_end(where)
        while len(_bases) > _KEEP:
            _bases.popitem(last=False)
    return agreement


def _first_copy(session: Session, conn: Connection, state: tables.State) -> Agreement:
    """A worker's first copy: the snapshot another worker kept (patched to now when it is of an
    earlier version), or else computed from the stances (which the store equals: kb check) and
    kept as the snapshot for the workers after it. A snapshot far behind is patched, then kept
    again at this version, so that the next worker's patch stays small."""
    snap = snapshot.read(conn, state.generation)
    if snap is not None and (snap.version, snap.changed) == (state.data, state.changed):
        first_copies["read"] += 1
        return _from_arrays(session, snap.arrays)
    if snap is not None and snap.version < state.data and _later(state.changed, snap.changed):
        first_copies["patched"] += 1
        agreement = _patched(session, conn, _from_arrays(session, snap.arrays), snap.version)
        if state.data - snap.version < SNAPSHOT_BEHIND:
            return agreement
    else:
        # reading two million pair rows through a driver costs more than the products
        first_copies["computed"] += 1
        agreement = build_agreement(session)
    write = snapshot.writer(state.generation, state.data, state.changed, _arrays(agreement))
    derived.later(session, "the agreement snapshot", write)
    return agreement


def _arrays(a: Agreement) -> dict[str, np.ndarray]:
    """The agreement's arrays by the snapshot's names (kb.store.agreement_snapshot)."""
    own = {name: getattr(a, name) for name in snapshot.AGREEMENT_ARRAYS}
    return own | {name: getattr(a.latest, name) for name in snapshot.LATEST_ARRAYS}


def _from_arrays(session: Session, arrays: dict[str, np.ndarray]) -> Agreement:
    """An Agreement of a snapshot's arrays, with the people's names as they are now."""
    people = {pid: (slug, name) for pid, slug, name in q.people_rows(session)}
    latest = LatestStances(*(arrays[name] for name in snapshot.LATEST_ARRAYS))
    own: dict[str, Any] = {name: arrays[name] for name in snapshot.AGREEMENT_ARRAYS}
    return Agreement(**own, people=people, latest=latest)


def _patched(session: Session, conn: Connection, base: Agreement, since: int) -> Agreement:
    """`base` (the agreement at data version `since`) with the rows written after it. Sorted
    arrays are merged (np.insert at searchsorted places), never sorted again."""
    changed_sides = tables.stored_sides(conn, since)
    claims = changed_sides[:, 0]
    old = base.latest
    keep = ~np.isin(old.claims, claims)
    new = tables.latest_signs(conn, claims.tolist())
    top = int(max(old.claims.max(initial=0), new[1].max(initial=0))) + 1
    keys = old.persons[keep] * top + old.claims[keep]
    at = np.searchsorted(keys, new[0] * top + new[1])
    person, claim, sign = (
        np.insert(col[keep], at, fresh)
        for col, fresh in zip((old.persons, old.claims, old.signs), new, strict=True)
    )
    person_ids, pi = np.unique(person, return_inverse=True)
    counts = np.bincount(pi, minlength=person_ids.size).astype(np.int64)
    changed = tables.stored_pairs(conn, since)
    if np.array_equal(person_ids, base.person_ids):
        i, j, ag, dis, sh = _patched_pairs(base, changed)
    else:  # someone's first or last stance: index the pairs again
        i, j, ag, dis, sh = _reindexed_pairs(base, changed, person_ids)
    held = changed_sides[changed_sides[:, 1:].sum(axis=1) > 0]
    sides = base.sides[~np.isin(base.sides[:, 0], claims)]
    sides = np.insert(sides, np.searchsorted(sides[:, 0], held[:, 0]), held, axis=0)
    people = {pid: (slug, name) for pid, slug, name in q.people_rows(session)}
    return Agreement(
        person_ids, counts, i, j, ag, dis, sh, people, sides, LatestStances(person, claim, sign)
    )


Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _patched_pairs(base: Agreement, changed: np.ndarray) -> Columns:
    """The base's (i, j, agreements, disagreements, shared) with the changed rows (a, b,
    agreements, disagreements, shared) in their place: updated, added, or dropped when they
    share nothing any more. The people who hold stances are the base's."""
    n = base.person_ids.size
    keys = base.i.astype(np.int64) * n + base.j
    ci = np.searchsorted(base.person_ids, changed[:, 0])
    cj = np.searchsorted(base.person_ids, changed[:, 1])
    new_keys = ci * n + cj
    pos = np.minimum(np.searchsorted(keys, new_keys), max(keys.size - 1, 0))
    found = keys[pos] == new_keys if keys.size else np.zeros(new_keys.size, dtype=bool)
    live = changed[:, 4] > 0
    counts = [base.agreements, base.disagreements, base.shared]
    if found.all() and live.all():  # the usual edit: pairs that shared a claim still do
        patched = [col.copy() for col in counts]
        for col, k in zip(patched, (2, 3, 4), strict=True):
            col[pos] = changed[:, k]
        return base.i, base.j, patched[0], patched[1], patched[2]
    keep = np.ones(keys.size, dtype=bool)
    keep[pos[found]] = False
    at = np.searchsorted(keys[keep], new_keys[live])
    fresh = (ci[live], cj[live], changed[live, 2], changed[live, 3], changed[live, 4])
    i, j, ag, dis, sh = (
        np.insert(col[keep], at, values.astype(col.dtype))
        for col, values in zip((base.i, base.j, *counts), fresh, strict=True)
    )
    return i, j, ag, dis, sh


def _reindexed_pairs(base: Agreement, changed: np.ndarray, person_ids: np.ndarray) -> Columns:
    """As _patched_pairs, for a new set of people holding stances: merged by person ids."""
    a = base.person_ids[base.i].astype(np.int64)
    b = base.person_ids[base.j].astype(np.int64)
    keys = a * _SHIFT + b
    gone = np.isin(keys, changed[:, 0] * _SHIFT + changed[:, 1])
    live = changed[changed[:, 4] > 0]
    rows = np.concatenate(
        [
            np.column_stack([a, b, base.agreements, base.disagreements, base.shared])[~gone],
            live,
        ]
    )
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    i = np.searchsorted(person_ids, rows[:, 0]).astype(np.int32)
    j = np.searchsorted(person_ids, rows[:, 1]).astype(np.int32)
    ag, dis, sh = (rows[:, k].astype(np.int32) for k in (2, 3, 4))
    return i, j, ag, dis, sh
