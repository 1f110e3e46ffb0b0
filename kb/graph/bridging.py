"""What unites the camps: bridging claims, once (the score, the order and the sentence).

In the spirit of Community Notes' bridging: a claim is bridging when the agreement on it holds
across camps, not within one. For a claim, each camp (kb.graph.analysis.camps) with at least
MIN_HOLDERS members holding a latest stance on it is *counted*; for the supporting side and for
the opposing side, take the share of each counted camp's holders on that side (a mixed stance
is a holder on neither side) and keep the lowest; the claim's score is the better of the two
sides' lowest shares. A claim needs at least MIN_CAMPS counted camps, and a score above one
half (a majority of every counted camp on the same side); claims are ranked by
score x log2(1 + holders in the counted camps), so agreement that many people weigh in on
comes first, as "most contested" rewards breadth too. Claims that do not qualify score 0 and
come after the ranked ones in a full ordering (most holders first, then id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.graph.agreement import Agreement, LatestStances
from kb.graph.analysis import Camps
from kb.graph.opinion_map import _camp_array

MIN_HOLDERS = 2
MIN_CAMPS = 2
BRIDGING_RULE = (
    "Bridging: claims that most people in every camp take the same side on — for each camp "
    f"with at least {MIN_HOLDERS} members who hold a stance on the claim (at least "
    f"{MIN_CAMPS} such camps), the share of them on that side, the lowest share over those "
    "camps being the claim's score (above one half: a majority of every camp), weighted by "
    "log₂(1 + those people); mixed stances are on neither side."
)
"""The one sentence every page that lists bridging claims shows."""


@dataclass(frozen=True)
class Bridging:
    """One bridging claim. `side` is "supports" or "opposes": the side every counted camp's
    majority takes; `share` the lowest share of a counted camp's holders on it."""

    claim_id: int
    side: str
    share: float
    camps: int  # camps counted
    holders: int  # their members holding a stance on the claim
    rank: float  # share * log2(1 + holders)
    supporters: int  # everyone's latest stances, camps or not
    opponents: int
    mixed: int


def _per_camp(latest: LatestStances, camps: Camps) -> tuple[np.ndarray, ...]:
    """(claim ids, holders, supporters, opponents), the last three (claims x camps + 1)."""
    claim_ids, ci = np.unique(latest.claims, return_inverse=True)
    k = len(camps.members) + 1
    key = ci * k + _camp_array(camps, latest.persons)
    size = claim_ids.size * k

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(key[mask], minlength=size).reshape(-1, k).astype(np.int64)

    everyone = np.ones(key.size, dtype=bool)
    return claim_ids, count(everyone), count(latest.signs == 1), count(latest.signs == -1)


def bridging_claims(agreement: Agreement, camps: Camps, limit: int | None = None) -> list[Bridging]:
    """The bridging claims, best first (ties: more holders, then id); see the module
    docstring for the rule. `limit` None: every qualifying claim."""
    latest = agreement.latest
    if latest.persons.size == 0 or len(camps) < MIN_CAMPS:
        return []
    claim_ids, n, s, o = _per_camp(latest, camps)
    n, s, o = n[:, 1:], s[:, 1:], o[:, 1:]  # column 0: people in no camp
    counted = n >= MIN_HOLDERS
    safe = np.maximum(n, 1)
    lowest_s = np.where(counted, s / safe, np.inf).min(axis=1)
    lowest_o = np.where(counted, o / safe, np.inf).min(axis=1)
    share = np.maximum(
        np.where(np.isinf(lowest_s), 0, lowest_s), np.where(np.isinf(lowest_o), 0, lowest_o)
    )
    holders = np.where(counted, n, 0).sum(axis=1)
    ok = (counted.sum(axis=1) >= MIN_CAMPS) & (share > 0.5)
    rank = np.where(ok, share * np.log2(1 + holders), 0.0)
    order = np.lexsort((claim_ids, -holders, -rank))
    order = order[ok[order]]
    if limit is not None:
        order = order[:limit]
    sides = {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in agreement.sides.tolist()}
    out = []
    for c in order.tolist():
        cid = int(claim_ids[c])
        sup, opp, mix = sides.get(cid, (0, 0, 0))
        side = "supports" if lowest_s[c] >= lowest_o[c] else "opposes"
        out.append(
            Bridging(
                cid,
                side,
                round(float(share[c]), 4),
                int(counted[c].sum()),
                int(holders[c]),
                round(float(rank[c]), 4),
                sup,
                opp,
                mix,
            )
        )
    return out


def bridging_order(ranked: list[Bridging], every_claim: list[tuple[int, int]]) -> list[int]:
    """Every claim id of `every_claim` ((id, people holding a stance)): the bridging ones in
    rank order, then the rest, most people first, then by id (a full order for a list)."""
    first = [b.claim_id for b in ranked]
    seen = set(first)
    rest = sorted((r for r in every_claim if r[0] not in seen), key=lambda r: (-r[1], r[0]))
    return first + [int(r[0]) for r in rest]
