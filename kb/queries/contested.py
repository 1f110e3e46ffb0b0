"""What "most contested" means, once: the score, the order it gives and the sentence that
explains it to readers. The home page, /graph, /claims?sort=contested and a topic's claims
sorted that way all rank by this, over every claim (no pool), counting each person's latest
stance. kb.graph.analysis re-exports the score and the ranking for the graph pages.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kb.models import AgreementClaim, Claim, Stance
from kb.queries import is_latest
from kb.store import agreement_tables

CONTESTED_RULE = (
    "Most contested: claims with people on both sides, ranked by how evenly they split, "
    "weighted by how many take a side: (smaller side ÷ larger side) × log₂(1 + supporters + "
    "opponents), counting each person's latest stance; mixed stances are not a side, and "
    "claims nobody opposes (or nobody supports) come last."
)
"""The one sentence every page that ranks claims by contest shows (templates: the
`contested_rule_sentence` global, or the `contested_rule()` macro of templates/_macros.html)."""


def contested_score(supporters: int, opponents: int) -> float:
    """(min/max) * log2(1 + s + o); 0 when either side is empty. The first factor is 1 for an
    even split and falls towards 0 as one side dominates; the second rewards claims many
    people weigh in on, with diminishing returns."""
    if supporters <= 0 or opponents <= 0:
        return 0.0
    evenness = min(supporters, opponents) / max(supporters, opponents)
    return evenness * math.log2(1 + supporters + opponents)


def rank_contested(
    counts: Iterable[tuple[int, int, int, int]], limit: int | None = 10
) -> list[tuple[int, int, int, int, float]]:
    """(claim_id, s, o, mixed, score) by score, highest first (ties: more people on the two
    sides, then id); claims scoring 0 are left out."""
    scored = [
        (int(c), int(s), int(o), int(m), contested_score(int(s), int(o))) for c, s, o, m in counts
    ]
    scored = [r for r in scored if r[4] > 0]
    scored.sort(key=lambda r: (-r[4], -(r[1] + r[2]), r[0]))
    return scored[:limit] if limit is not None else scored


def contested_order(counts: Iterable[tuple[int, int, int, int]]) -> list[int]:
    """Every claim id of `counts`, most contested first (rank_contested); then those scoring
    0, most people first, then by id: a full ordering for a list sorted by contest."""
    rows = list(counts)
    ranked = [r[0] for r in rank_contested(rows, None)]
    seen = set(ranked)
    rest = sorted((r for r in rows if int(r[0]) not in seen), key=lambda r: (-sum(r[1:]), r[0]))
    return ranked + [int(r[0]) for r in rest]


def side_count_rows(session: Session, *conditions: Any) -> list[tuple[int, int, int, int]]:
    """(claim_id, supporters, opponents, mixed) of every claim matching `conditions` (those
    without any stance too, with zeros), over latest stances. Read from the claim sides the
    agreement store keeps when it is in step with the data (one row a claim, instead of
    grouping every latest stance: 0.75 s of a home page's first visit at the reference
    scale), else counted from the stances."""
    if agreement_tables.in_step(session.connection()):
        sides = AgreementClaim
        zero = lambda column: func.coalesce(column, 0)  # noqa: E731
        stmt = (
            select(Claim.id, zero(sides.supporters), zero(sides.opponents), zero(sides.mixed))
            .outerjoin(sides, sides.claim_id == Claim.id)
            .where(*conditions)
        )
        return [(int(c), int(s), int(o), int(m)) for c, s, o, m in session.execute(stmt)]
    return counted_side_rows(session, *conditions)


def counted_side_rows(session: Session, *conditions: Any) -> list[tuple[int, int, int, int]]:
    """side_count_rows counted from the latest stances themselves (what the store must equal)."""

    def n(position: str) -> Any:
        return func.coalesce(func.sum(case((Stance.position == position, 1), else_=0)), 0)

    rows = session.execute(
        select(Claim.id, n("supports"), n("opposes"), n("mixed"))
        .outerjoin(Stance, (Stance.claim_id == Claim.id) & is_latest())
        .where(*conditions)
        .group_by(Claim.id)
    )
    return [(int(c), int(s), int(o), int(m)) for c, s, o, m in rows]
