"""The SQL behind the graph layer (kb.graph): latest stances, node degrees, edges
(a person's or claim's tensions: kb.queries.tensions).

Everything here returns plain rows (tuples of ints and strings), never ORM objects, except
`stances_with_evidence`, which loads the quotes a page shows. The graph layer turns rows into
networkx graphs and numpy arrays; this module only decides *which* rows.

"Latest stance" is the rule every graph shares: for each (person, claim) the stance with the
latest as-of date counts; an undated stance counts only when the person has no dated stance on
that claim. With `as_of=D`, only stances dated on or before D are candidates, and undated stances
stay candidates (kb cannot tell when an undated view was held, so it is taken as holding
throughout; a dated stance on or before D still wins over it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Integer, Select, String, Subquery, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kb.models import (
    Claim,
    ClaimRelation,
    Person,
    Quote,
    Stance,
    Topic,
    claim_topic,
    stance_evidence,
)
from kb.queries import is_latest
from kb.queries.statements import signatures_by_pair


def _sign_expr() -> Any:
    return case((Stance.position == "supports", 1), (Stance.position == "opposes", -1), else_=0)


def _candidates(stmt: Any, entity: Any, as_of: dt.date | None) -> Any:
    if as_of is not None:
        stmt = stmt.where(or_(entity.as_of.is_(None), entity.as_of <= as_of))
    return stmt


def latest_stances(
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    person_ids: Collection[int] | None = None,
    claim_ids: Collection[int] | None = None,
) -> Subquery:
    """One row per (person, claim): the stance that counts (see the module docstring).

    Columns: id, person_id, claim_id, position, sign (+1 supports, -1 opposes, 0 mixed), as_of,
    basis. Written as "no newer candidate exists" rather than ROW_NUMBER(): both databases answer
    it from the unique (person_id, claim_id, as_of) index, which matters when a filter narrows
    the rows (a window function sorts the whole table first; ten times slower at 1M stances).
    Filters narrow the candidates before the latest one is picked, so a topic filter never
    changes which stance is latest.
    """
    stmt = _candidates(
        select(
            Stance.id,
            Stance.person_id,
            Stance.claim_id,
            Stance.position,
            _sign_expr().label("sign"),
            Stance.as_of,
            Stance.basis,
        ).where(is_latest(Stance, as_of)),
        Stance,
        as_of,
    )
    if topic_id is not None:
        stmt = stmt.where(
            Stance.claim_id.in_(
                select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic_id)
            )
        )
    if person_ids is not None:
        stmt = stmt.where(Stance.person_id.in_(list(person_ids)))
    if claim_ids is not None:
        stmt = stmt.where(Stance.claim_id.in_(list(claim_ids)))
    return stmt.subquery("latest")


def signed_stance_rows(
    session: Session, as_of: dt.date | None = None
) -> Sequence[tuple[int, int, int, int]]:
    """(person_id, claim_id, sign, day) of every candidate stance, in no particular order;
    day is the as-of date as the integer YYYYMMDD, 0 when undated (so undated sorts first).

    The caller keeps the latest row per (person, claim) (kb.graph.agreement.latest_arrays).
    A plain table scan plus a numpy sort is several times faster than asking the database for
    the latest stance of every pair (a window function or an index-order scan that looks up
    every row). The day is computed in portable SQL (replace and cast exist in SQLite and
    PostgreSQL alike) so no date object is made per row.
    """
    day = func.coalesce(cast(func.replace(cast(Stance.as_of, String), "-", ""), Integer), 0)
    stmt = _candidates(select(Stance.person_id, Stance.claim_id, _sign_expr(), day), Stance, as_of)
    # Plain integers, a million of them: read the DBAPI cursor's tuples directly. Going through
    # the ORM's row loading, or even Core's Row objects, would triple the cost of this read.
    result = session.connection().execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def people_rows(
    session: Session, ids: Collection[int] | None = None
) -> Sequence[tuple[int, str, str]]:
    """(id, slug, name) of people, by name."""
    stmt = select(Person.id, Person.slug, Person.name).order_by(Person.sort_key, Person.id)
    if ids is not None:
        stmt = stmt.where(Person.id.in_(list(ids)))
    return session.execute(stmt).all()


def claim_rows(
    session: Session, ids: Collection[int] | None = None, topic_id: int | None = None
) -> Sequence[tuple[int, str, str]]:
    """(id, slug, text) of claims, by slug."""
    stmt = select(Claim.id, Claim.slug, Claim.text).order_by(Claim.slug, Claim.id)
    if ids is not None:
        stmt = stmt.where(Claim.id.in_(list(ids)))
    if topic_id is not None:
        stmt = stmt.where(
            Claim.id.in_(select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic_id))
        )
    return session.execute(stmt).all()


def relation_rows(
    session: Session, claim_ids: Collection[int] | None = None, topic_id: int | None = None
) -> Sequence[tuple[int, int, str, int]]:
    """(from_claim_id, to_claim_id, kind, relation id) with both ends in the given set/topic."""
    stmt = select(
        ClaimRelation.from_claim_id,
        ClaimRelation.to_claim_id,
        ClaimRelation.kind,
        ClaimRelation.id,
    ).order_by(ClaimRelation.id)
    if claim_ids is not None:
        ids = list(claim_ids)
        stmt = stmt.where(ClaimRelation.from_claim_id.in_(ids), ClaimRelation.to_claim_id.in_(ids))
    if topic_id is not None:
        in_topic = select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic_id)
        stmt = stmt.where(
            ClaimRelation.from_claim_id.in_(in_topic), ClaimRelation.to_claim_id.in_(in_topic)
        )
    return session.execute(stmt).all()


def relations_of(session: Session, claim_id: int) -> Sequence[tuple[int, int, str, int]]:
    """(from_claim_id, to_claim_id, kind, id) of every relation touching one claim."""
    return session.execute(
        select(
            ClaimRelation.from_claim_id,
            ClaimRelation.to_claim_id,
            ClaimRelation.kind,
            ClaimRelation.id,
        )
        .where(or_(ClaimRelation.from_claim_id == claim_id, ClaimRelation.to_claim_id == claim_id))
        .order_by(ClaimRelation.id)
    ).all()


def stance_edge_rows(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    person_ids: Collection[int] | None = None,
    claim_ids: Collection[int] | None = None,
) -> Sequence[tuple[int, int, int, str, dt.date | None, str, int]]:
    """(stance_id, person_id, claim_id, position, as_of, basis, evidence_count) per latest
    stance, with the evidence (quotes and signatures) counted in the same query (no query per
    edge)."""
    latest = latest_stances(as_of, topic_id, person_ids, claim_ids)
    # A correlated count per stance uses stance_evidence's primary key; a grouped subquery
    # would count the evidence of every stance in the database first.
    quotes = (
        select(func.count())
        .select_from(stance_evidence)
        .where(stance_evidence.c.stance_id == latest.c.id)
        .scalar_subquery()
    )
    signed = signatures_by_pair().subquery("signed")
    evidence = quotes + func.coalesce(
        select(signed.c.n)
        .where(signed.c.person_id == latest.c.person_id, signed.c.claim_id == latest.c.claim_id)
        .scalar_subquery(),
        0,
    )
    stmt = select(
        latest.c.id,
        latest.c.person_id,
        latest.c.claim_id,
        latest.c.position,
        latest.c.as_of,
        latest.c.basis,
        evidence,
    ).order_by(latest.c.person_id, latest.c.claim_id)
    return session.execute(stmt).all()


def _degree_rows(
    group: Any,
    other: Any,
    as_of: dt.date | None,
    topic_id: int | None,
    person_ids: Collection[int] | None,
    claim_ids: Collection[int] | None,
) -> Select[Any]:
    if as_of is None:
        # today's latest stances are flagged: count them straight from the flag's indexes
        n = func.count().label("n")
        stmt = select(group, n).where(Stance.latest).group_by(group).order_by(n.desc(), group)
    else:
        # Every (person, claim) with a candidate stance has exactly one latest stance, so
        # counting distinct partners over candidates counts latest stances without finding them.
        n = func.count(other.distinct()).label("n")
        stmt = (
            _candidates(select(group, n), Stance, as_of).group_by(group).order_by(n.desc(), group)
        )
    if topic_id is not None:
        stmt = stmt.where(
            Stance.claim_id.in_(
                select(claim_topic.c.claim_id).where(claim_topic.c.topic_id == topic_id)
            )
        )
    if person_ids is not None:
        stmt = stmt.where(Stance.person_id.in_(list(person_ids)))
    if claim_ids is not None:
        stmt = stmt.where(Stance.claim_id.in_(list(claim_ids)))
    return stmt


def person_degrees(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    person_ids: Collection[int] | None = None,
    claim_ids: Collection[int] | None = None,
) -> Sequence[tuple[int, int]]:
    """(person_id, number of latest stances), most first: how connected each person is."""
    return session.execute(
        _degree_rows(Stance.person_id, Stance.claim_id, as_of, topic_id, person_ids, claim_ids)
    ).all()


def claim_degrees(
    session: Session,
    as_of: dt.date | None = None,
    topic_id: int | None = None,
    person_ids: Collection[int] | None = None,
    claim_ids: Collection[int] | None = None,
) -> Sequence[tuple[int, int]]:
    """(claim_id, number of latest stances on it), most first."""
    return session.execute(
        _degree_rows(Stance.claim_id, Stance.person_id, as_of, topic_id, person_ids, claim_ids)
    ).all()


def relation_degrees(
    session: Session, claim_ids: Collection[int] | None = None
) -> Sequence[tuple[int, int]]:
    """(claim_id, number of claim relations touching it)."""
    ends = select(ClaimRelation.from_claim_id.label("claim_id")).union_all(
        select(ClaimRelation.to_claim_id.label("claim_id"))
    )
    sub = ends.subquery("ends")
    stmt = select(sub.c.claim_id, func.count()).group_by(sub.c.claim_id)
    if claim_ids is not None:
        stmt = stmt.where(sub.c.claim_id.in_(list(claim_ids)))
    return session.execute(stmt).all()


def side_counts(
    session: Session, as_of: dt.date | None = None, topic_id: int | None = None
) -> Sequence[tuple[int, int, int, int]]:
    """(claim_id, supporters, opponents, mixed) over latest stances, for claims with any."""
    latest = latest_stances(as_of, topic_id)
    return session.execute(
        select(
            latest.c.claim_id,
            func.sum(case((latest.c.sign == 1, 1), else_=0)),
            func.sum(case((latest.c.sign == -1, 1), else_=0)),
            func.sum(case((latest.c.position == "mixed", 1), else_=0)),
        ).group_by(latest.c.claim_id)
    ).all()


def topic_by_slug(session: Session, slug: str) -> Topic | None:
    return session.scalar(select(Topic).where(Topic.slug == slug))


def person_by_slug(session: Session, slug: str) -> Person | None:
    return session.scalar(select(Person).where(Person.slug == slug))


def stances_with_evidence(session: Session, stance_ids: Collection[int]) -> dict[int, Stance]:
    """The stances with their evidence quotes and each quote's source, in three queries."""
    if not stance_ids:
        return {}
    rows = session.scalars(
        select(Stance)
        .where(Stance.id.in_(list(stance_ids)))
        .options(
            selectinload(Stance.evidence).selectinload(Quote.source),
            selectinload(Stance.claim),
            selectinload(Stance.person),
        )
    )
    return {st.id: st for st in rows}


def latest_for_people(person_ids: Collection[int], as_of: dt.date | None = None) -> Select[Any]:
    """Latest stances of a few people (for /compare): (stance_id, person_id, claim_id, sign)."""
    latest = latest_stances(as_of, person_ids=person_ids)
    return select(latest.c.id, latest.c.person_id, latest.c.claim_id, latest.c.sign)


# --- streaming reads for graph files (kb.graph.stream) ------------------------------------

STREAM_BATCH = 5000


def iter_claim_rows(session: Session) -> Iterator[tuple[int, str, str]]:
    """(id, slug, text) of every claim, fetched in batches."""
    stmt = select(Claim.id, Claim.slug, Claim.text).order_by(Claim.id)
    yield from session.execute(stmt, execution_options={"yield_per": STREAM_BATCH})


def iter_relation_rows(session: Session) -> Iterator[tuple[int, int, str, int]]:
    """(from_claim_id, to_claim_id, kind, id) of every relation, fetched in batches."""
    stmt = select(
        ClaimRelation.from_claim_id, ClaimRelation.to_claim_id, ClaimRelation.kind, ClaimRelation.id
    ).order_by(ClaimRelation.id)
    yield from session.execute(stmt, execution_options={"yield_per": STREAM_BATCH})


def iter_stance_edge_rows(
    session: Session, as_of: dt.date | None = None
) -> Iterator[tuple[int, int, int, str, dt.date | None, str, int]]:
    """Like stance_edge_rows for the whole database, fetched in batches and in no particular
    order, with the evidence counted by one grouped subquery (cheaper than a correlated count
    per row when every stance is wanted)."""
    latest = latest_stances(as_of)
    evidence = (
        select(stance_evidence.c.stance_id, func.count().label("n"))
        .group_by(stance_evidence.c.stance_id)
        .subquery("evidence")
    )
    signed = signatures_by_pair().subquery("signed")
    stmt = (
        select(
            latest.c.id,
            latest.c.person_id,
            latest.c.claim_id,
            latest.c.position,
            latest.c.as_of,
            latest.c.basis,
            func.coalesce(evidence.c.n, 0) + func.coalesce(signed.c.n, 0),
        )
        .outerjoin(evidence, evidence.c.stance_id == latest.c.id)
        .outerjoin(
            signed,
            and_(signed.c.person_id == latest.c.person_id, signed.c.claim_id == latest.c.claim_id),
        )
    )
    yield from session.execute(stmt, execution_options={"yield_per": STREAM_BATCH})
