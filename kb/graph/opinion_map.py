"""The opinion map: every person placed on a plane by whom they agree with (as Polis shows
opinion groups), with the claims that divide the camps most.

How a person's place is computed (the page's "how this is computed" says the same in words):

- similarity(a, b) = score(a, b) * shared / (shared + 1), the agreement score of
  kb.graph.agreement shrunk towards 0 when it rests on few shared claims (one shared claim
  is weak evidence); 0 for people who share no claim; 1 for a person with themself.
- distance = 1 - similarity, in [0, 2]; classical multidimensional scaling (MDS) finds the
  two axes that keep those distances best (the top two eigenvectors of the double-centred
  squared distances). People who agree land close together, people who disagree far apart.
- An eigenvector's sign is arbitrary, so each axis is oriented by a fixed rule: the person
  with the lowest id among those clearly off the axis's centre (|coordinate| at least
  ORIENT_SHARE of the axis's reach) lies on its negative side (left; top). Adding people or
  stances therefore moves points a little but does not mirror the map.
- Coordinates are scaled together into [-1, 1] (the same factor on both axes).

Pure: arrays in, arrays out, no Flask and no database, so a later step can store the
coordinates. The iterative eigensolver starts from a seeded vector, so the same input always
gives the same map; at 2,000 people it takes a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg, sparse
from scipy.sparse import linalg as sparse_linalg

from kb.graph.agreement import Agreement, LatestStances
from kb.graph.analysis import Camps, camp_name

MAP_SEED = 20240229
ORIENT_SHARE = 0.2
DENSE_EIGEN_LIMIT = 400
"""Up to this many people a dense eigensolver (exact, a few ms); above it an iterative one."""
DENSE_KERNEL_LIMIT = 3000
DIVIDING_LIMIT = 8


@dataclass(frozen=True)
class Dividing:
    """A claim the camps take different sides on. `lean[k]` is camp k+1's mean position among
    its members who hold one (+1 all support, -1 all oppose), None when none of them does."""

    claim_id: int
    supporters: int
    opponents: int
    mixed: int
    spread: float  # how far apart the camps' mean positions are (see dividing_claims)
    lean: tuple[float | None, ...]


@dataclass(eq=False)
class OpinionMap:
    """Each person with a latest stance, placed: coords[person id] = (x, y) in [-1, 1]."""

    coords: dict[int, tuple[float, float]]
    names: list[str]  # names[k] is camp k+1's name (kb.graph.analysis.camp_name)
    dividing: list[Dividing]
    priority: list[int]  # whom to label first: the most-evidenced person of each camp in turn
    held: dict[int, list[tuple[int, int]]]  # person -> (claim id, sign) on the dividing claims
    closest: dict[int, int]  # person -> the person they agree with most (score > 0)


def kernel(agreement: Agreement) -> np.ndarray | sparse.csr_matrix:
    """s - s**2 / 2 for every pair (rows in agreement.person_ids order; see project), with
    s = the shrunk similarity of the module docstring: 1/2 on the diagonal, 0 for pairs who
    share no claim. Dense up to DENSE_KERNEL_LIMIT people (a fast scatter), sparse above."""
    n = agreement.person_ids.size
    shared = agreement.shared.astype(np.float64)
    sim = agreement.score * shared / (shared + 1.0)
    value = sim - 0.5 * sim * sim
    if n <= DENSE_KERNEL_LIMIT:
        # float32: the solver's products read the whole matrix, and half the bytes is half
        # the time; a picture needs no more precision
        out = np.zeros((n, n), dtype=np.float32)
        out[agreement.i, agreement.j] = value
        out[agreement.j, agreement.i] = value
        np.fill_diagonal(out, 0.5)
        return out
    upper = sparse.csr_matrix((value, (agreement.i, agreement.j)), shape=(n, n))
    return (upper + upper.T + sparse.identity(n, format="csr") * 0.5).tocsr()


def project(agreement: Agreement, seed: int = MAP_SEED) -> np.ndarray:
    """(n, 2) coordinates in [-1, 1] by classical MDS on 1 - similarity, oriented (see the
    module docstring); rows in agreement.person_ids order.

    With d = 1 - s, d**2 = 1 - 2s + s**2, and double centring (J . J, J = I - 11'/n) removes
    the constant, so B = -J (d**2) J / 2 = J (s - s**2 / 2) J: the solver multiplies by the
    sparse s - s**2/2 and centres, and never builds the dense n x n matrix."""
    n = agreement.person_ids.size
    if n < 2:
        return np.zeros((n, 2))
    values, vectors = _top_two(kernel(agreement), seed)
    xy = vectors * np.sqrt(np.clip(values, 0.0, None))[None, :]
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((n, 2 - xy.shape[1]))])
    xy = orient(xy, agreement.person_ids)
    reach = float(np.abs(xy).max())
    return xy / reach if reach > 1e-12 else xy


def _top_two(m: np.ndarray | sparse.csr_matrix, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The two largest eigenpairs of J m J (m symmetric), largest first."""
    n = m.shape[0]
    if n <= DENSE_EIGEN_LIMIT:
        b = (m.toarray() if sparse.issparse(m) else m).astype(np.float64)
        b -= b.mean(axis=0)[None, :]
        b -= b.mean(axis=1)[:, None]
        values, vectors = linalg.eigh(b, subset_by_index=[max(0, n - 2), n - 1])
    else:

        def centred(v: np.ndarray) -> np.ndarray:
            out = np.asarray(m @ (v - v.mean()).astype(m.dtype), dtype=np.float64)
            return out - out.mean()

        op = sparse_linalg.LinearOperator((n, n), matvec=centred, dtype=np.float64)
        start = np.random.default_rng(seed).standard_normal(n)
        eigsh: Any = sparse_linalg.eigsh  # its stubs reject a float64 LinearOperator
        values, vectors = eigsh(op, k=2, which="LA", v0=start, tol=1e-9)
    order = np.argsort(-values, kind="stable")
    return values[order], vectors[:, order]


def orient(xy: np.ndarray, person_ids: np.ndarray) -> np.ndarray:
    """Flip each axis so that the lowest-id person clearly off its centre is on the negative
    side (the sign of an eigenvector carries no meaning; this rule makes it stable)."""
    out = xy.copy()
    by_id = np.argsort(person_ids, kind="stable")
    for axis in range(out.shape[1]):
        col = out[:, axis]
        reach = float(np.abs(col).max())
        if reach <= 1e-12:
            continue
        off = by_id[np.abs(col[by_id]) >= ORIENT_SHARE * reach]
        if off.size and col[off[0]] > 0:
            out[:, axis] = -col
    return out


def dividing_claims(
    latest: LatestStances, camps: Camps, limit: int = DIVIDING_LIMIT, min_camp: int = 2
) -> list[Dividing]:
    """The claims whose camps' mean positions differ most.

    For a claim, each camp of at least `min_camp` people that holds it has a mean position m_k
    in [-1, 1] over its n_k holders; spread = the holder-weighted variance of the m_k across
    camps (0 when all camps lean alike, up to 1 when camps split all-for against all-against).
    Claims are ranked by spread * log2(1 + holders in those camps), so a split that many
    people weigh in on comes first; a claim held in fewer than two such camps is not ranked.
    """
    sizes = np.array([len(m) for m in camps.members], dtype=np.int64)
    if latest.persons.size == 0 or int((sizes >= min_camp).sum()) < 2:
        return []
    camp = _camp_array(camps, latest.persons)
    big = np.zeros(len(sizes) + 1, dtype=bool)
    big[1:] = sizes >= min_camp
    keep = big[camp]
    claim_ids, ci = np.unique(latest.claims, return_inverse=True)
    k = len(sizes) + 1
    key = ci[keep] * k + camp[keep]
    n = np.bincount(key, minlength=claim_ids.size * k).reshape(-1, k).astype(float)
    total = np.bincount(key, weights=latest.signs[keep], minlength=claim_ids.size * k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total.reshape(-1, k) / np.where(n > 0, n, 1), 0.0)
    holders = n.sum(axis=1)
    overall = np.where(holders > 0, (mean * n).sum(axis=1) / np.maximum(holders, 1), 0.0)
    spread = (n * (mean - overall[:, None]) ** 2).sum(axis=1) / np.maximum(holders, 1)
    spread = np.where((n > 0).sum(axis=1) >= 2, spread, 0.0)
    rank = spread * np.log2(1 + holders)
    order = np.lexsort((claim_ids, -rank))
    order = order[rank[order] > 1e-9][:limit]
    sign = latest.signs
    out = []
    for c in order.tolist():
        on = ci == c
        lean = tuple(float(mean[c, j]) if n[c, j] > 0 else None for j in range(1, k))
        out.append(
            Dividing(
                int(claim_ids[c]),
                int(np.count_nonzero(sign[on] == 1)),
                int(np.count_nonzero(sign[on] == -1)),
                int(np.count_nonzero(sign[on] == 0)),
                round(float(spread[c]), 4),
                lean,
            )
        )
    return out


def _camp_array(camps: Camps, persons: np.ndarray) -> np.ndarray:
    """Each stance's person's camp number (0: none), looked up in numpy."""
    if not camps.camp_of:
        return np.zeros(persons.size, dtype=np.int64)
    ids = np.array(sorted(camps.camp_of), dtype=np.int64)
    numbers = np.array([camps.camp_of[int(p)] for p in ids], dtype=np.int64)
    at = np.clip(np.searchsorted(ids, persons), 0, ids.size - 1)
    return np.where(ids[at] == persons, numbers[at], 0)


def label_priority(agreement: Agreement, camps: Camps) -> list[int]:
    """Every person, in the order they should be labelled: the most-evidenced person of each
    camp in camp order, then the second of each, and so on (ties: lowest id)."""
    counts = dict(zip(agreement.person_ids.tolist(), agreement.stance_counts.tolist(), strict=True))
    ranked = [sorted(ids, key=lambda p: (-counts.get(p, 0), p)) for ids in camps.members]
    depth = max((len(r) for r in ranked), default=0)
    return [r[d] for d in range(depth) for r in ranked if d < len(r)]


def build_map(agreement: Agreement, camps: Camps) -> OpinionMap:
    """The opinion map of `agreement` with its camps' names and dividing claims."""
    xy = project(agreement)
    coords = {
        int(p): (round(float(x), 4), round(float(y), 4))
        for p, (x, y) in zip(agreement.person_ids, xy, strict=True)
    }
    dividing = dividing_claims(agreement.latest, camps)
    return OpinionMap(
        coords,
        [camp_name(ids, agreement) for ids in camps.members],
        dividing,
        label_priority(agreement, camps),
        held_on(agreement.latest, [d.claim_id for d in dividing]),
        closest(agreement),
    )


def closest(agreement: Agreement) -> dict[int, int]:
    """Each person's best agreement partner: the highest score above 0, then the most shared
    claims, then the lowest id (Agreement.most's rule, for everyone at once rather than one
    pass over the pairs per person)."""
    n = agreement.person_ids.size
    if len(agreement) == 0:
        return {}
    if n > DENSE_KERNEL_LIMIT:
        return _closest_sorted(agreement)
    score = np.full((n, n), -2.0)
    shared = np.zeros((n, n), dtype=np.int64)
    s = agreement.score
    score[agreement.i, agreement.j] = s
    score[agreement.j, agreement.i] = s
    shared[agreement.i, agreement.j] = agreement.shared
    shared[agreement.j, agreement.i] = agreement.shared
    best = score.max(axis=1)
    # among each row's best scores, the most shared claims; argmax takes the first (lowest id)
    shared[score != best[:, None]] = -1
    pick = shared.argmax(axis=1)
    ids = agreement.person_ids
    return {int(ids[a]): int(ids[pick[a]]) for a in np.flatnonzero(best > 0)}


def _closest_sorted(agreement: Agreement) -> dict[int, int]:
    """closest() by sorting every pair both ways (for more people than a dense matrix suits)."""
    score = agreement.score
    src = np.concatenate([agreement.i, agreement.j])
    dst = np.concatenate([agreement.j, agreement.i])
    both = np.concatenate([score, score])
    shared = np.concatenate([agreement.shared, agreement.shared])
    keep = both > 0
    src, dst, both, shared = src[keep], dst[keep], both[keep], shared[keep]
    order = np.lexsort((dst, -shared, -both, src))
    first = np.ones(order.size, dtype=bool)
    first[1:] = src[order][1:] != src[order][:-1]
    best = order[first]
    ids = agreement.person_ids
    return {int(ids[a]): int(ids[b]) for a, b in zip(src[best], dst[best], strict=True)}


def held_on(latest: LatestStances, claim_ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Each person's (claim id, sign) on the given claims, in the claims' order."""
    rank = {c: k for k, c in enumerate(claim_ids)}
    rows = latest.on(claim_ids) if claim_ids else np.zeros(0, dtype=np.int64)
    out: dict[int, list[tuple[int, int]]] = {}
    for k in rows.tolist():
        pid, cid = int(latest.persons[k]), int(latest.claims[k])
        out.setdefault(pid, []).append((cid, int(latest.signs[k])))
    for held in out.values():
        held.sort(key=lambda h: rank[h[0]])
    return out
