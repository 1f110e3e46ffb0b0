"""The home page's reads: how many of each record, the stance matrix of the busiest people and
claims, and the most contested claims. Each costs a scan of the stances, so the whole overview
is kept in the pages' memo (kb.queries.listing.MEMO) until the data changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from kb.models import Claim, Person, Quote, Source, Stance, Topic
from kb.queries import is_latest
from kb.queries.listing import MEMO
from kb.queries.shapes import claim_ref, person_ref
from kb.vocabulary import position_data


def _position_count(position: str, st: Any = Stance) -> Any:
    return func.sum(case((st.position == position, 1), else_=0))


CONTESTED_POOL = 200


def _busiest_claims(limit: int) -> Any:
    """The ids of the claims with most stances and their counts, as a subquery: an aggregate
    over the stance table's claim_id index alone, so it stays cheap on a large base."""
    n = func.count().label("n")
    return (
        select(Stance.claim_id, n)
        .group_by(Stance.claim_id)
        .order_by(n.desc(), Stance.claim_id)
        .limit(limit)
        .subquery()
    )


def contested_claims(
    session: Session, limit: int = 10, pool: int = CONTESTED_POOL
) -> list[dict[str, Any]]:
    """The most contested claims. Among the `pool` claims with most stances (on the seed that is
    every claim; on a large base it keeps the cost fixed and leaves out claims few people have
    taken a side on), those with at least one supporter and one opponent, counting each
    person's latest stance, ranked by how evenly split they are: evenness =
    min(supporters, opponents) / max(supporters, opponents), so 3 against 3 (1.0) ranks above
    5 against 2 (0.4). Ties go to the claim with more people on the two sides, then by slug.
    "Mixed" stances are shown but count for neither side."""
    busiest = _busiest_claims(pool)
    sup = _position_count("supports").label("supports")
    opp = _position_count("opposes").label("opposes")
    mix = _position_count("mixed").label("mixed")
    counts = (
        select(Stance.claim_id, sup, opp, mix)
        .where(is_latest(), Stance.claim_id.in_(select(busiest.c.claim_id)))
        .group_by(Stance.claim_id)
        .having(and_(sup > 0, opp > 0))
        .subquery()
    )
    s = cast(counts.c.supports, Float)
    o = cast(counts.c.opposes, Float)
    evenness = case((s < o, s / o), else_=o / s)
    rows = session.execute(
        select(Claim, counts.c.supports, counts.c.opposes, counts.c.mixed, evenness)
        .join(counts, counts.c.claim_id == Claim.id)
        .order_by(evenness.desc(), (counts.c.supports + counts.c.opposes).desc(), Claim.slug)
        .limit(limit)
    ).all()
    return [
        {
            "claim": claim_ref(c),
            "supports": int(n_sup),
            "opposes": int(n_opp),
            "mixed": int(n_mix),
            "evenness": round(float(even), 3),
        }
        for c, n_sup, n_opp, n_mix, even in rows
    ]


def counts(session: Session) -> dict[str, int]:
    """How many of each record, in one query."""
    tables = {
        "people": Person,
        "claims": Claim,
        "sources": Source,
        "quotes": Quote,
        "stances": Stance,
        "topics": Topic,
    }
    row = session.execute(
        select(
            *(
                select(func.count()).select_from(model).scalar_subquery().label(name)
                for name, model in tables.items()
            )
        )
    ).one()
    return dict(row._mapping)


def overview(session: Session, max_people: int = 20, max_claims: int = 16) -> dict[str, Any]:
    """The home page's data (see _overview), kept until the data changes."""
    return MEMO.get(
        session,
        ("overview", max_people, max_claims),
        lambda: _overview(session, max_people, max_claims),
    )


def _overview(session: Session, max_people: int, max_claims: int) -> dict[str, Any]:
    """Counts, the stance matrix and the most contested claims, for the home page.

    The matrix has the people with most stances as rows (ordered by name) and the claims with
    most stances as columns, at most max_people x max_claims, so it stays readable and its cost
    stays bounded on a large knowledge base; it says how many it left out."""
    totals = counts(session)
    n = func.count().label("n")
    top_people = (
        select(Stance.person_id, n)
        .group_by(Stance.person_id)
        .order_by(n.desc(), Stance.person_id)
        .limit(max_people)
        .subquery()
    )
    people_rows = session.execute(
        select(Person, top_people.c.n).join(top_people, top_people.c.person_id == Person.id)
    ).all()
    busiest = _busiest_claims(max_claims)
    claim_rows = session.execute(
        select(Claim, busiest.c.n)
        .join(busiest, busiest.c.claim_id == Claim.id)
        .order_by(busiest.c.n.desc(), Claim.id)
    ).all()
    people = sorted((p for p, _ in people_rows), key=lambda p: (p.name, p.id))
    claims = [c for c, _ in claim_rows]
    cells = session.execute(
        select(Stance.person_id, Stance.claim_id, Stance.position).where(
            Stance.person_id.in_([p.id for p in people]),
            Stance.claim_id.in_([c.id for c in claims]),
            is_latest(),
        )
    ).all()
    position_of = {(pid, cid): pos for pid, cid, pos in cells}
    columns = [{"key": f"C{i}", **claim_ref(c)} for i, c in enumerate(claims, 1)]
    rows = [
        {
            "person": person_ref(p),
            "cells": [
                {"claim": c.slug, **position_data(position_of.get((p.id, c.id)))} for c in claims
            ],
        }
        for p in people
    ]
    return {
        "counts": totals,
        "matrix": {
            "columns": columns,
            "rows": rows,
            "people_shown": len(people),
            "claims_shown": len(claims),
        },
        "contested": contested_claims(session),
        "contested_pool": CONTESTED_POOL,
    }
