"""A claim's page: the people on each side (each position paged on its own), the claims it
supports or contradicts and those that bear on it, and the timeline of stances taken on it.
The claim list is in kb.queries.claims.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from kb.dates import humanize_partial
from kb.models import Claim, ClaimRelation, Person, Quote, Stance, stance_evidence
from kb.pagination import PageRequest
from kb.queries import is_latest
from kb.queries.listing import (
    HISTORY_LIMIT,
    position_sections,
)
from kb.queries.shapes import (
    as_of_human,
    by_position,
    claim_ref,
    load_stances,
    stance_data,
    topic_ref,
)
from kb.vocabulary import position_data


def claim_detail(
    session: Session,
    slug: str,
    req: PageRequest,
    position: str | None = None,
    explicit_size: bool = False,
) -> tuple[Claim, dict[str, Any]] | None:
    """A claim, the people on each side (latest stances, by name; each position counted in full
    and paged on its own, kb.queries.listing.position_sections) with their quotes, the claims
    it supports or contradicts and those that support or contradict it, and a timeline of the
    stances taken on it (undated first, then by date; the first HISTORY_LIMIT)."""
    claim = _claim_with_relations(session, slug)
    if claim is None:
        return None
    sections = position_sections(
        session,
        [Stance.claim_id == claim.id, is_latest()],
        (Person, Person.id == Stance.person_id),
        [Person.sort_key],
        position,
        req,
        explicit_size,
    )
    current = load_stances(session, sections.all_ids(), selectinload(Stance.person))
    timeline, timeline_total = _timeline(session, claim)
    return claim, {
        "claim": {**claim_ref(claim), "topics": [topic_ref(t) for t in claim.topics]},
        "pagination": sections.meta(),
        **sections.data(),
        "sides": by_position([stance_data(st, True, claim=False) for st in current]),
        "relations": _relations(claim),
        "timeline": timeline,
        "timeline_total": timeline_total,
    }


def _claim_with_relations(session: Session, slug: str) -> Claim | None:
    """The claim of a slug with its topics and the claims on both ends of its relations."""
    return session.scalar(
        select(Claim)
        .where(Claim.slug == slug)
        .options(
            selectinload(Claim.topics),
            selectinload(Claim.relations_out).selectinload(ClaimRelation.to_claim),
            selectinload(Claim.relations_in).selectinload(ClaimRelation.from_claim),
        )
    )


def _timeline(session: Session, claim: Claim) -> tuple[list[dict[str, Any]], int]:
    """Every stance taken on a claim, latest or not (undated first, then by date; the first
    HISTORY_LIMIT), each with the dates of its quotes; and how many there are in all. Read as
    columns in two queries: a timeline shows no quote, so no stance needs loading whole."""
    on_claim = [Stance.claim_id == claim.id]
    n_all = session.scalar(select(func.count()).select_from(Stance).where(*on_claim)) or 0
    rows = session.execute(
        select(Stance.id, Person.slug, Person.name, Stance.position, Stance.as_of, Stance.latest)
        .join(Person, Person.id == Stance.person_id)
        .where(*on_claim)
        .order_by(Stance.as_of.is_not(None), Stance.as_of, Person.sort_key, Stance.id)
        .limit(HISTORY_LIMIT)
    ).all()
    said = _said_dates(session, [r[0] for r in rows])
    entries = [
        {
            "id": sid,
            "person": {"slug": slug, "name": name},
            **position_data(position),
            "as_of": as_of.isoformat() if as_of else None,
            "as_of_human": as_of_human(as_of),
            "latest": bool(latest),
            "evidence_dates": _evidence_dates(said.get(sid, [])),
        }
        for sid, slug, name, position, as_of, latest in rows
    ]
    return entries, n_all


def _said_dates(
    session: Session, stance_ids: list[int]
) -> dict[int, list[tuple[dt.date | None, str | None]]]:
    """When each stance's quotes were said (date and precision), by stance."""
    found: dict[int, list[tuple[dt.date | None, str | None]]] = {}
    if not stance_ids:
        return found
    rows = session.execute(
        select(stance_evidence.c.stance_id, Quote.said_on, Quote.said_precision)
        .join(Quote, Quote.id == stance_evidence.c.quote_id)
        .where(stance_evidence.c.stance_id.in_(stance_ids))
    )
    for sid, said_on, precision in rows:
        found.setdefault(sid, []).append((said_on, precision))
    return found


def _evidence_dates(said: list[tuple[dt.date | None, str | None]]) -> list[str]:
    """The dates of a stance's quotes (when the words were said), oldest first, each once
    (undated last)."""
    dated = sorted(said, key=lambda d: (d[0] is None, d[0] or dt.date.min))
    seen: dict[str, None] = {}
    for said_on, precision in dated:
        seen.setdefault(humanize_partial(said_on, precision), None)
    return list(seen)


def _relations(claim: Claim) -> dict[str, list[dict[str, Any]]]:
    """The claims this one supports or contradicts and those that support or contradict it,
    each by its text, with the relation's note."""

    def rel(r: ClaimRelation, other: Claim) -> dict[str, Any]:
        return {**claim_ref(other), "note": r.note, "reader_note": r.reader_note}

    out = sorted(claim.relations_out, key=lambda r: (r.to_claim.text, r.id))
    inc = sorted(claim.relations_in, key=lambda r: (r.from_claim.text, r.id))
    return {
        "supports": [rel(r, r.to_claim) for r in out if r.kind == "supports"],
        "contradicts": [rel(r, r.to_claim) for r in out if r.kind == "contradicts"],
        "supported_by": [rel(r, r.from_claim) for r in inc if r.kind == "supports"],
        "contradicted_by": [rel(r, r.from_claim) for r in inc if r.kind == "contradicts"],
    }
