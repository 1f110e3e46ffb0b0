"""The SQL behind tensions (kb.graph.analysis.tensions): a person who supports both ends of a
"contradicts" relation, or supports A, which supports B, while opposing B. Rows only, as in
kb.queries.graph, whose latest-stance rule they share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session, aliased

from kb.models import ClaimRelation, Stance
from kb.queries.graph import latest_stances


def tension_rows(
    session: Session,
    as_of: dt.date | None = None,
    person_id: int | None = None,
    claim_id: int | None = None,
    limit: int | None = None,
) -> Sequence[tuple[int, int, int, str, int, int, str, int]]:
    """Inconsistencies in people's latest stances (the first `limit` of them):

    - contradicts: the person supports both ends of a "contradicts" relation;
    - supports: the person supports A, A supports B, and the person opposes B.

    Rows: (person_id, from_claim_id, from_stance_id, from_position, to_claim_id, to_stance_id,
    relation kind, relation id), ordered by person and relation. `person_id` / `claim_id`
    narrow to one person / one claim (either end).

    One person's tensions today are one statement over the stored latest flag
    (`_person_tension_rows`). Otherwise, for one person or one claim, the latest stances are
    read once and matched with the relations in Python: joining the latest set with itself in
    SQL lets SQLite's planner pair every stance of the person with every other one (minutes for
    a person with 11,000 stances).
    """
    if person_id is None and claim_id is None:
        return _all_tension_rows(session, as_of)[:limit]
    if as_of is None and claim_id is None:
        return _person_tension_rows(session, person_id, limit)
    rel = ClaimRelation
    rel_cols = (rel.id, rel.from_claim_id, rel.to_claim_id, rel.kind)
    if claim_id is not None:
        relations = session.execute(
            select(*rel_cols).where(or_(rel.from_claim_id == claim_id, rel.to_claim_id == claim_id))
        ).all()
        claim_ids = {claim_id} | {r[1] for r in relations} | {r[2] for r in relations}
        latest = latest_stances(
            as_of, person_ids=[person_id] if person_id is not None else None, claim_ids=claim_ids
        )
    else:
        assert person_id is not None  # (with no claim: both None returned above)
        latest = latest_stances(as_of, person_ids=[person_id])
        supported = select(latest.c.claim_id).where(latest.c.position == "supports")
        relations = session.execute(select(*rel_cols).where(rel.from_claim_id.in_(supported))).all()
    if not relations:
        return []
    by_claim: dict[int, dict[int, tuple[int, str]]] = {}
    for sid, pid, cid, position in session.execute(
        select(latest.c.id, latest.c.person_id, latest.c.claim_id, latest.c.position)
    ):
        by_claim.setdefault(cid, {})[pid] = (sid, position)
    wanted = {"contradicts": "supports", "supports": "opposes"}
    rows = []
    for rid, src, dst, kind in relations:
        dst_people = by_claim.get(dst, {})
        for pid, (sid, position) in by_claim.get(src, {}).items():
            if position != "supports" or pid not in dst_people:
                continue
            other_sid, other_position = dst_people[pid]
            if other_position == wanted.get(kind):
                rows.append((pid, src, sid, position, dst, other_sid, kind, rid))
    rows.sort(key=lambda r: (r[0], r[7]))
    return rows[:limit]


def _person_tension_rows(
    session: Session, person_id: int | None, limit: int | None
) -> Sequence[tuple[int, int, int, str, int, int, str, int]]:
    """One person's tensions today: each latest stance in support, each relation from its
    claim, and the stance at the other end found by one probe of the (person, latest, claim)
    index. A correlated lookup rather than a join, so the planner cannot start from the
    other end's stances."""
    a = aliased(Stance)
    b = aliased(Stance)
    rel = ClaimRelation
    wanted = case((rel.kind == "contradicts", "supports"), else_="opposes")
    other = (
        select(b.id)
        .where(
            b.person_id == a.person_id,
            b.latest,
            b.claim_id == rel.to_claim_id,
            b.position == wanted,
        )
        .correlate(a, rel)
        .scalar_subquery()
    )
    found = (
        select(a.person_id, rel.from_claim_id, a.id, a.position, rel.to_claim_id)
        .add_columns(other.label("other_id"), rel.kind, rel.id.label("relation_id"))
        .join(rel, rel.from_claim_id == a.claim_id)
        .where(a.person_id == person_id, a.latest, a.position == "supports")
        .subquery()
    )
    return session.execute(
        select(found)
        .where(found.c.other_id.is_not(None))
        .order_by(found.c.relation_id)
        .limit(limit)
    ).all()


def _all_tension_rows(
    session: Session, as_of: dt.date | None
) -> Sequence[tuple[int, int, int, str, int, int, str, int]]:
    """Every person's tensions: the latest-stance set joined with the relations twice."""
    a = latest_stances(as_of)
    b = aliased(a, name="latest_b")
    rel = ClaimRelation
    stmt = (
        select(
            a.c.person_id,
            rel.from_claim_id,
            a.c.id,
            a.c.position,
            rel.to_claim_id,
            b.c.id,
            rel.kind,
            rel.id,
        )
        .join(a, a.c.claim_id == rel.from_claim_id)
        .join(b, and_(b.c.claim_id == rel.to_claim_id, b.c.person_id == a.c.person_id))
        .where(
            a.c.position == "supports",
            or_(
                and_(rel.kind == "contradicts", b.c.position == "supports"),
                and_(rel.kind == "supports", b.c.position == "opposes"),
            ),
        )
        .order_by(a.c.person_id, rel.id)
    )
    return session.execute(stmt).all()
