"""Where a reader stands: their answers scored against everyone's latest stances.

- The reader is scored against each person with the rule of kb.graph.agreement, the reader's
  "agree" standing for supports, "disagree" for opposes and "unsure" for mixed: a claim both
  hold a stance on is *shared*; agree/supports or disagree/opposes is an agreement, the other
  way round a disagreement, and unsure (or a mixed stance) neither; score = (agreements -
  disagreements) / shared. Only people sharing at least min(MIN_SHARED, answers) claims are
  ranked, so one lucky match does not top the list.
- A camp is scored with the same rule over its members' stances pooled: (every member's
  agreements - disagreements) / every member's shared claims.
- The reader's place on the opinion map is the map's own projection (kb.graph.opinion_map):
  the similarity to each person (the score shrunk by shared / (shared + 1)) is placed by
  classical MDS's out-of-sample formula, y_k = C_k . (b - d^2) / (2 lambda_k), where C_k is the
  map's k-th axis, d^2 the reader's squared distances (1 - similarity)^2, b the diagonal of
  the map's double-centred kernel and lambda_k the axis's eigenvalue (the Rayleigh quotient of
  the kernel on C_k). A person's own answers would land them (nearly) on their own mark.

Pure: arrays in, results out; the web layer reads the slugs and the quotes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.graph.agreement import Agreement
from kb.graph.analysis import Camps
from kb.graph.opinion_map import kernel

MIN_SHARED = 3
SIGNS = {"agree": 1, "disagree": -1, "unsure": 0}


@dataclass(frozen=True)
class Match:
    """The reader against one person (or camp: `id` is its number)."""

    id: int
    agreements: int
    disagreements: int
    shared: int
    score: float
    agreed: tuple[int, ...] = ()  # claim ids they agree on, in the answers' order
    disagreed: tuple[int, ...] = ()


@dataclass(eq=False)
class Standing:
    people: list[Match]  # ranked people (enough shared claims), closest first
    camps: list[Match]  # camps with enough shared claims, closest first
    xy: tuple[float, float] | None  # the reader on the map, None when nobody is shared
    min_shared: int


def _key(m: Match) -> tuple[float, int, int]:
    return (-m.score, -m.shared, m.id)


def stand(
    agreement: Agreement,
    camps: Camps,
    coords: dict[int, tuple[float, float]],
    answers: dict[int, int],
) -> Standing:
    """The reader's standing (see the module docstring); `answers` maps claim id -> +1, -1, 0."""
    latest = agreement.latest
    need = max(1, min(MIN_SHARED, len(answers)))
    rows = latest.on(list(answers)) if answers else np.zeros(0, dtype=np.int64)
    per: dict[int, list[tuple[int, int]]] = {}
    for k in rows.tolist():
        cid = int(latest.claims[k])
        product = answers[cid] * int(latest.signs[k])
        per.setdefault(int(latest.persons[k]), []).append((cid, product))
    order = {c: n for n, c in enumerate(answers)}
    matches = {pid: _match(pid, held, order) for pid, held in per.items()}
    people = sorted((m for m in matches.values() if m.shared >= need), key=_key)
    camp_rows = []
    for number, ids in enumerate(camps.members, start=1):
        pooled = [matches[p] for p in ids if p in matches]
        ag = sum(m.agreements for m in pooled)
        dis = sum(m.disagreements for m in pooled)
        sh = sum(m.shared for m in pooled)
        if sh and len({c for p in ids for c, _ in per.get(p, [])}) >= need:
            camp_rows.append(Match(number, ag, dis, sh, (ag - dis) / sh))
    sim = {m.id: m.score * m.shared / (m.shared + 1.0) for m in matches.values()}
    xy = place(agreement, coords, sim) if sim else None
    return Standing(people, sorted(camp_rows, key=_key), xy, need)


def _match(pid: int, held: list[tuple[int, int]], order: dict[int, int]) -> Match:
    held = sorted(held, key=lambda h: order[h[0]])
    agreed = tuple(c for c, p in held if p == 1)
    disagreed = tuple(c for c, p in held if p == -1)
    shared = len(held)
    score = (len(agreed) - len(disagreed)) / shared
    return Match(pid, len(agreed), len(disagreed), shared, score, agreed, disagreed)


def place(
    agreement: Agreement, coords: dict[int, tuple[float, float]], sim: dict[int, float]
) -> tuple[float, float] | None:
    """The reader's (x, y) on the map from their similarity to each person (module docstring),
    clipped to the map's square [-1, 1]."""
    ids = agreement.person_ids
    if ids.size < 3 or not coords:
        return None
    c = np.array([coords.get(int(p), (0.0, 0.0)) for p in ids], dtype=np.float64)
    c -= c.mean(axis=0)
    k = kernel(agreement)
    kc = np.asarray(k @ c.astype(k.dtype), dtype=np.float64)
    norms = (c * c).sum(axis=0)
    if np.any(norms <= 1e-12):
        return None
    lam = (c * kc).sum(axis=0) / norms  # each axis's eigenvalue (a Rayleigh quotient)
    if np.any(lam <= 1e-12):
        return None
    row_mean = np.asarray(k.sum(axis=1), dtype=np.float64).ravel() / ids.size
    diag_b = 0.5 - 2 * row_mean  # + a constant, which the centred axes ignore
    s = np.array([sim.get(int(p), 0.0) for p in ids], dtype=np.float64)
    target = diag_b - (1 - s) ** 2
    y = (c * target[:, None]).sum(axis=0) / (2 * lam)
    return float(np.clip(y[0], -1, 1)), float(np.clip(y[1], -1, 1))
