"""Reads behind /stand: the claims a reader answered (by slug) and the quotes behind the
stances that decide where they stand."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.models import Claim, Quote, Stance
from kb.queries import is_latest

QUOTES_PER_STANCE = 1


def claims_by_slug(session: Session, slugs: Collection[str]) -> dict[str, tuple[int, str]]:
    """slug -> (id, text) of the claims among `slugs` that exist."""
    if not slugs:
        return {}
    rows = session.execute(
        select(Claim.slug, Claim.id, Claim.text).where(Claim.slug.in_(list(slugs)))
    )
    return {slug: (int(cid), text) for slug, cid, text in rows}


def claims_by_id(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str]]:
    """id -> (slug, text)."""
    if not ids:
        return {}
    rows = session.execute(select(Claim.id, Claim.slug, Claim.text).where(Claim.id.in_(list(ids))))
    return {int(cid): (slug, text) for cid, slug, text in rows}


def evidence(
    session: Session, pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], dict[str, Any]]:
    """(person id, claim id) -> the latest stance's position and its first quotes (text and
    source title), for the given pairs."""
    if not pairs:
        return {}
    people = {p for p, _ in pairs}
    claims = {c for _, c in pairs}
    wanted = set(pairs)
    stmt = (
        select(Stance)
        .where(Stance.person_id.in_(people), Stance.claim_id.in_(claims), is_latest())
        .options(selectinload(Stance.evidence).selectinload(Quote.source))
    )
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for st in session.scalars(stmt):
        key = (st.person_id, st.claim_id)
        if key not in wanted:
            continue
        quotes = sorted(st.evidence, key=lambda q: q.id)[:QUOTES_PER_STANCE]
        out[key] = {
            "position": st.position,
            "quotes": [{"text": q.text, "source": q.source.title} for q in quotes],
        }
    return out
