"""Reads: functions that take a session and return rows or composable Select objects.

Views and the graph layer read through here, so that SQL lives in one place and each page runs
a fixed number of queries (relationships are loaded with selectinload, never row by row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb.models import Claim, Person, Stance


def is_latest(stance: type[Stance] | Any = Stance) -> ColumnElement[bool]:
    """True for a stance that is the one that counts for its person and claim: the latest dated
    one, or the undated one when the person has no dated stance on that claim. Written as NOT
    EXISTS over the (person_id, claim_id, as_of) unique index, so it is one index probe a row."""
    newer = aliased(Stance)
    return ~exists().where(
        newer.person_id == stance.person_id,
        newer.claim_id == stance.claim_id,
        or_(
            and_(stance.as_of.is_(None), newer.as_of.is_not(None)),
            newer.as_of > stance.as_of,
        ),
    )


def people() -> Select[tuple[Person]]:
    return select(Person).order_by(Person.name, Person.id)


def claims() -> Select[tuple[Claim]]:
    return select(Claim).order_by(Claim.slug, Claim.id)


@dataclass(frozen=True)
class ClaimSides:
    claim: Claim
    supporters: list[Person]
    opponents: list[Person]
    mixed: list[Person]


def claims_with_sides(session: Session) -> list[ClaimSides]:
    """Every claim with the people on each side, using each person's latest stance."""
    all_claims = list(session.scalars(claims()))
    stances = session.scalars(
        select(Stance).options(selectinload(Stance.person)).order_by(Stance.as_of.desc())
    )
    latest: dict[tuple[int, int], Stance] = {}
    for st in stances:
        key = (st.person_id, st.claim_id)
        current = latest.get(key)
        # undated stances count only when there is no dated one
        if current is None or (current.as_of is None and st.as_of is not None):
            latest[key] = st
    sides: dict[int, dict[str, list[Person]]] = {
        c.id: {"supports": [], "opposes": [], "mixed": []} for c in all_claims
    }
    for (_pid, cid), st in latest.items():
        sides[cid][st.position].append(st.person)
    for side in sides.values():
        for plist in side.values():
            plist.sort(key=lambda p: p.name)
    return [
        ClaimSides(c, sides[c.id]["supports"], sides[c.id]["opposes"], sides[c.id]["mixed"])
        for c in all_claims
    ]
