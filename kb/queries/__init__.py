"""Reads: functions that take a session and return rows or composable Select objects.

Views and the graph layer read through here, so that SQL lives in one place and each page runs
a fixed number of queries (relationships are loaded with selectinload, never row by row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_
from sqlalchemy.orm import aliased

from kb.models import Stance


def is_latest(
    stance: type[Stance] | Any = Stance, as_of: dt.date | None = None
) -> ColumnElement[bool]:
    """True for a stance that is the one that counts for its person and claim: the latest dated
    one, or the undated one when the person has no dated stance on that claim. Today's answer is
    the stored flag (kept by kb.store.latest, indexed with claim and person). With `as_of`, only
    stances dated on or before it (or undated) can be newer: a NOT EXISTS over the
    (person_id, claim_id, as_of) unique index, one index probe a row."""
    if as_of is None:
        return stance.latest.expression  # the column itself, as .where() would take it
    newer = aliased(Stance)
    conditions = [
        newer.person_id == stance.person_id,
        newer.claim_id == stance.claim_id,
        or_(
            and_(stance.as_of.is_(None), newer.as_of.is_not(None)),
            newer.as_of > stance.as_of,
        ),
    ]
    if as_of is not None:
        conditions.append(or_(newer.as_of.is_(None), newer.as_of <= as_of))
    return ~exists().where(*conditions)
