"""The home page's reads: how many of each record, the most contested claims, and the rows
the stance matrix is built from (which people and claims, their sides, their cells).

The counts and contested claims cost a scan of the stances, so they are kept in the pages'
memo (kb.queries.listing.MEMO) until the data changes. Which people and claims the matrix
shows, and in what order, is decided above this layer (kb.web.home_matrix), since it needs the
camps of the agreement graph; the reads here take and return plain ids and dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic reads its fields on Python 3.11

from kb.models import Claim, Person, Quote, Source, Stance, Topic, claim_topic
from kb.queries import is_latest
from kb.queries.contested import rank_contested, side_count_rows
from kb.queries.listing import MEMO
from kb.queries.shapes import claim_ref, topic_ref
from kb.store import derived


def _position_count(position: str, st: Any = Stance) -> Any:
    return func.sum(case((st.position == position, 1), else_=0))


CONTESTED_POOL = 200


def _busiest_claims(limit: int, topic_id: int | None = None) -> Any:
    """The ids of the claims with most stances and their counts (only a topic's claims when
    `topic_id` is given), as a subquery: an aggregate over the stance table's claim_id index
    alone, so it stays cheap on a large base."""
    n = func.count().label("n")
    stmt = select(Stance.claim_id, n)
    if topic_id is not None:
        stmt = stmt.join(claim_topic, claim_topic.c.claim_id == Stance.claim_id).where(
            claim_topic.c.topic_id == topic_id
        )
    return (
        stmt.group_by(Stance.claim_id).order_by(n.desc(), Stance.claim_id).limit(limit).subquery()
    )


def contested_claims(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    """The most contested claims, by the one definition (kb.queries.contested: every claim,
    each person's latest stance, ranked by contested_score), as /graph and
    /claims?sort=contested rank them. "score" is that score; "evenness" (smaller side over
    larger) is kept for the JSON's readers."""
    ranked = rank_contested(side_count_rows(session), limit)
    claims = {
        c.id: c for c in session.scalars(select(Claim).where(Claim.id.in_([r[0] for r in ranked])))
    }
    return [
        {
            "claim": claim_ref(claims[cid]),
            "supports": n_sup,
            "opposes": n_opp,
            "mixed": n_mix,
            "evenness": round(min(n_sup, n_opp) / max(n_sup, n_opp), 3),
            "score": round(score, 3),
        }
        for cid, n_sup, n_opp, n_mix, score in ranked
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


class Overview(TypedDict):
    """The home page's counts and contested claims (typed, so that a kept copy that is not one
    is computed again: kb.store.derived)."""

    counts: dict[str, int]
    contested: list[dict[str, Any]]
    contested_pool: None


def overview(session: Session) -> dict[str, Any]:
    """The counts and the most contested claims, kept until the data changes."""

    def build() -> dict[str, Any]:
        return {
            "counts": counts(session),
            "contested": contested_claims(session),
            # every claim is a candidate (kept for the JSON's readers, who had a pool before)
            "contested_pool": None,
        }

    def kept() -> dict[str, Any]:
        # ranking 50,000 claims' sides took a worker's first home page 0.4 s: once per deployment
        return derived.shared(session, "overview", Overview, build)

    return MEMO.get(session, ("overview",), kept)


# --- the stance matrix's rows ------------------------------------------------------------


def stances_per_person(session: Session) -> dict[int, int]:
    """How many stances (each resting on its own evidence) every person with one has: how
    well evidenced their place on the matrix is. One aggregate over the person_id index."""
    rows = session.execute(select(Stance.person_id, func.count()).group_by(Stance.person_id))
    return {int(pid): int(n) for pid, n in rows}


def people_refs(
    session: Session, ids: Sequence[int] = (), slugs: Sequence[str] = ()
) -> dict[Any, dict[str, Any]]:
    """{id or slug: {"id", "slug", "name"}} for the people with these ids or slugs (one of the
    two); a slug or id that names nobody is simply absent."""
    column = Person.id if ids else Person.slug
    wanted = list(ids or slugs)
    if not wanted:
        return {}
    rows = session.execute(select(Person.id, Person.slug, Person.name).where(column.in_(wanted)))
    key = 0 if ids else 1
    return {row[key]: {"id": row[0], "slug": row[1], "name": row[2]} for row in rows}


def topic_named(session: Session, slug: str) -> dict[str, Any] | None:
    """{"id", "slug", "name", "claims"} of the topic with this slug (claims: how many it
    holds), None when no topic has it."""
    topic = session.scalar(select(Topic).where(Topic.slug == slug))
    if topic is None:
        return None
    n = session.scalar(
        select(func.count()).select_from(claim_topic).where(claim_topic.c.topic_id == topic.id)
    )
    return {"id": topic.id, **topic_ref(topic), "claims": int(n or 0)}


def topic_choices(session: Session) -> list[dict[str, Any]]:
    """Every topic by name, for the matrix's topic picker (a knowledge base has a few dozen)."""
    return [topic_ref(t) for t in session.scalars(select(Topic).order_by(Topic.name, Topic.id))]


def busiest_claim_ids(session: Session, pool: int, topic_id: int | None = None) -> list[int]:
    """The ids of the `pool` claims with most stances (of one topic, if given)."""
    busiest = _busiest_claims(pool, topic_id)
    return [int(cid) for cid in session.scalars(select(busiest.c.claim_id))]


def claim_sides(session: Session, claim_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """{claim id: {"supports", "opposes", "mixed"}}: each person's latest stance counted once;
    a claim without stances is absent."""
    if not claim_ids:
        return {}
    rows = session.execute(
        select(
            Stance.claim_id,
            _position_count("supports"),
            _position_count("opposes"),
            _position_count("mixed"),
        )
        .where(is_latest(), Stance.claim_id.in_(list(claim_ids)))
        .group_by(Stance.claim_id)
    )
    return {
        int(cid): {"supports": int(s), "opposes": int(o), "mixed": int(m)} for cid, s, o, m in rows
    }


def claims_with_topics(session: Session, claim_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """{claim id: claim_ref + "topics" (their refs, by name)} in two queries."""
    if not claim_ids:
        return {}
    claims = session.scalars(select(Claim).where(Claim.id.in_(list(claim_ids)))).all()
    out: dict[int, dict[str, Any]] = {c.id: {**claim_ref(c), "topics": []} for c in claims}
    rows = session.execute(
        select(claim_topic.c.claim_id, Topic)
        .join(Topic, Topic.id == claim_topic.c.topic_id)
        .where(claim_topic.c.claim_id.in_(list(out)))
        .order_by(Topic.name, Topic.id)
    )
    for cid, topic in rows:
        out[cid]["topics"].append(topic_ref(topic))
    return out


def latest_positions(
    session: Session, person_ids: Sequence[int], claim_ids: Sequence[int]
) -> dict[tuple[int, int], str]:
    """{(person id, claim id): position} of the latest stances among these people and claims."""
    if not person_ids or not claim_ids:
        return {}
    rows = session.execute(
        select(Stance.person_id, Stance.claim_id, Stance.position).where(
            Stance.person_id.in_(list(person_ids)),
            Stance.claim_id.in_(list(claim_ids)),
            is_latest(),
        )
    )
    return {(int(pid), int(cid)): pos for pid, cid, pos in rows}
