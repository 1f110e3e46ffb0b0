"""A worker's whole copy of the agreement, kept in the database for the workers that start
after it (issue 16: computed once per deployment, not once per worker).

The pair rows of the agreement store are the truth and every write keeps them; but a worker's
first copy came from multiplying the stance matrices again (2.2 s at the reference scale),
because reading two million pair rows through the driver cost more. The copy's arrays, written
as one numpy .npz blob (never pickled: `allow_pickle=False` both ways), read back in tens of
milliseconds. A snapshot names the store generation and data version it was taken at; a worker
at a later version of the same generation patches it from the rows changed since
(kb.graph.agreement_load), as it patches its own copy after an edit.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, insert, select, update

from kb.models import AgreementSnapshot
from kb.store import datastate

AGREEMENT_ARRAYS = (
    "person_ids",
    "stance_counts",
    "i",
    "j",
    "agreements",
    "disagreements",
    "shared",
    "sides",
)
"""The arrays of a snapshot that are kb.graph.agreement.Agreement's fields, by their names."""
LATEST_ARRAYS = ("persons", "claims", "signs")
"""And those of its latest stances (Agreement.latest), by their names."""
NAMES = AGREEMENT_ARRAYS + LATEST_ARRAYS
NARROW = {"persons": np.int32, "claims": np.int32, "signs": np.int8}
"""Kept narrower than in memory (ids fit in 32 bits, signs in 8): a quarter of the bytes."""


@dataclass(frozen=True)
class Snapshot:
    version: int
    changed: dt.datetime | None
    arrays: dict[str, np.ndarray]


def read(conn: Connection, generation: int) -> Snapshot | None:
    """The kept snapshot of this store generation, or None (none kept, another generation, or
    one that cannot be read back)."""
    row = conn.execute(
        select(
            AgreementSnapshot.data_version, AgreementSnapshot.changed_at, AgreementSnapshot.arrays
        ).where(AgreementSnapshot.id == 1, AgreementSnapshot.generation == generation)
    ).first()
    if row is None:
        return None
    try:
        with np.load(io.BytesIO(row.arrays), allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in NAMES}
    except (ValueError, OSError, KeyError, zipfile.BadZipFile):
        return None
    for name in NARROW:
        arrays[name] = arrays[name].astype(np.int64)
    return Snapshot(int(row.data_version), datastate.as_utc(row.changed_at), arrays)


def writer(
    generation: int, version: int, changed: dt.datetime | None, arrays: dict[str, np.ndarray]
) -> Callable[[Connection], None]:
    """A write of these arrays as the snapshot (for kb.store.derived.later)."""
    stored: dict[str, Any] = {n: arrays[n].astype(NARROW.get(n, arrays[n].dtype)) for n in NAMES}
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **stored)
    values = {
        "generation": generation,
        "data_version": version,
        "changed_at": changed,
        "arrays": buffer.getvalue(),
    }

    def write(conn: Connection) -> None:
        stmt = update(AgreementSnapshot).where(AgreementSnapshot.id == 1).values(**values)
        if conn.execute(stmt).rowcount == 0:
            conn.execute(insert(AgreementSnapshot).values(id=1, **values))

    return write
