"""The agreement's pair counts as sparse matrix products, from arrays of latest stances.

The rule and the algebra are explained in kb.graph.agreement, which shows the result; the
arithmetic lives here, in the store layer, because the store keeps its result in the database
(kb.store.agreement_store) and `kb check` recomputes it to verify what is kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

DENSE_PEOPLE_LIMIT = 6000
"""Up to this many people, pair counts accumulate in dense n x n arrays (2,000 people: 16 MB
each); above it, in sparse matrices only."""
HOT_CLAIM_MIN = 64
"""A claim held by at least max(HOT_CLAIM_MIN, people / 10) people is multiplied as a dense
block with BLAS: a sparse product costs about (holders)^2 per claim, a dense one people^2 at a
far lower constant, so hot claims are cheaper dense and the long tail cheaper sparse."""


def latest_arrays(rows: Sequence[tuple[int, int, int, int]]) -> tuple[np.ndarray, ...]:
    """(person, claim, sign) arrays of the latest stances, from the rows of
    kb.queries.graph.signed_stance_rows (see latest_of)."""
    if not rows:
        return latest_of(np.zeros((0, 4), dtype=np.int64))
    flat = np.fromiter(itertools.chain.from_iterable(rows), np.int64, count=4 * len(rows))
    return latest_of(flat.reshape(-1, 4))


def latest_of(rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """(person, claim, sign) arrays of the latest stances from an (n, 4) array of (person,
    claim, sign, day): sort by (person, claim, day) with two stable integer sorts and keep the
    last row of each (person, claim) run."""
    if rows.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    person, claim, sign, day = rows.T
    by_day = np.argsort(day, kind="stable")
    pair_key = person * (int(claim.max()) + 1) + claim
    order = by_day[np.argsort(pair_key[by_day], kind="stable")]
    person, claim, sign = person[order], claim[order], sign[order]
    last = np.ones(person.size, dtype=bool)
    last[:-1] = (person[1:] != person[:-1]) | (claim[1:] != claim[:-1])
    return person[last], claim[last], sign[last]


def _sparse(values: np.ndarray, pi: np.ndarray, ci: np.ndarray, n: int, m: int) -> Any:
    return sparse.csr_matrix((values.astype(np.int64), (pi, ci)), shape=(n, m))


def _dense_products(
    pi: np.ndarray, ci: np.ndarray, sign: np.ndarray, n: int, m: int, hot_min: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """shared, P P^T, Q Q^T as dense int64 n x n arrays (hot claims dense, the rest sparse)."""
    holders = np.bincount(ci, minlength=m)
    hot_claim = holders >= max(hot_min, n // 10)
    hot = hot_claim[ci]
    products = [np.zeros((n, n), dtype=np.float32) for _ in range(3)]
    if hot.any():
        cols = np.cumsum(hot_claim) - 1  # claim index -> dense column
        block = np.zeros((n, int(hot_claim.sum())), dtype=np.float32)
        rows_h, cols_h, sign_h = pi[hot], cols[ci[hot]], sign[hot]
        # float32 sums of 0/1/-1 products are exact below 2**24 shared claims
        for out, values in zip(products, (1, sign_h, np.abs(sign_h)), strict=True):
            block[rows_h, cols_h] = values
            out += block @ block.T
    tail = ~hot
    if tail.any():
        pt, ct, st = pi[tail], ci[tail], sign[tail]
        for out, values in zip(products, (np.ones_like(st), st, np.abs(st)), strict=True):
            mat = _sparse(values, pt, ct, n, m)
            out += (mat @ mat.T).toarray()
    # float32 holds every integer below 2**24 exactly: far more shared claims than exist
    shared, pp, qq = (np.rint(x).astype(np.int32) for x in products)
    return shared, pp, qq


def pair_counts(
    person: np.ndarray,
    claim: np.ndarray,
    sign: np.ndarray,
    dense_limit: int = DENSE_PEOPLE_LIMIT,
    hot_min: int = HOT_CLAIM_MIN,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised pair counts from parallel arrays of latest stances (one row per person and
    claim; sign +1 supports, -1 opposes, 0 mixed).

    Returns (person_ids, stance_counts, i, j, agreements, disagreements, shared), where i < j
    index into person_ids, pairs are in (i, j) order, and only pairs with shared >= 1 appear.
    dense_limit and hot_min choose the method (DENSE_PEOPLE_LIMIT, HOT_CLAIM_MIN), not the result.
    """
    person = np.asarray(person, dtype=np.int64)
    claim = np.asarray(claim, dtype=np.int64)
    sign = np.asarray(sign, dtype=np.int64)
    person_ids, pi = np.unique(person, return_inverse=True)
    _, ci = np.unique(claim, return_inverse=True)
    n, m = person_ids.size, int(ci.max()) + 1 if ci.size else 0
    stance_counts = np.bincount(pi, minlength=n).astype(np.int64)
    empty = np.zeros(0, dtype=np.int64)
    if n < 2:
        return person_ids, stance_counts, empty, empty, empty, empty, empty
    if n <= dense_limit:
        shared_d, pp_d, qq_d = _dense_products(pi, ci, sign, n, m, hot_min)
        i, j = np.nonzero(np.triu(shared_d, k=1))
        i, j = i.astype(np.int64), j.astype(np.int64)
        shared, pp, qq = shared_d[i, j], pp_d[i, j], qq_d[i, j]
    else:
        # One sparsity pattern for all three: shared * BIG + product, with |product| <= shared
        # < BIG, so each entry decodes exactly and no explicit zero is lost.
        a = _sparse(np.ones_like(sign), pi, ci, n, m)
        p = _sparse(sign, pi, ci, n, m)
        q = _sparse(np.abs(sign), pi, ci, n, m)
        big = 1 << 24
        shared_m = sparse.triu(a @ a.T, k=1).tocsr()
        pp_m = (shared_m * big + sparse.triu(p @ p.T, k=1)).tocoo()
        qq_m = (shared_m * big + sparse.triu(q @ q.T, k=1)).tocoo()
        order_p = np.lexsort((pp_m.col, pp_m.row))
        order_q = np.lexsort((qq_m.col, qq_m.row))
        i, j = pp_m.row[order_p].astype(np.int64), pp_m.col[order_p].astype(np.int64)
        enc_p, enc_q = pp_m.data[order_p], qq_m.data[order_q]
        shared = (enc_p + big // 2) // big
        pp, qq = enc_p - shared * big, enc_q - shared * big
    i, j = i.astype(np.int64), j.astype(np.int64)
    pp, qq = pp.astype(np.int64), qq.astype(np.int64)
    agreements = (qq + pp) // 2
    disagreements = (qq - pp) // 2
    return person_ids, stance_counts, i, j, agreements, disagreements, shared.astype(np.int64)


def side_counts(claim: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Rows (claim_id, supporters, opponents, mixed) from latest-stance arrays."""
    if claim.size == 0:
        return np.zeros((0, 4), dtype=np.int64)
    ids, ci = np.unique(claim, return_inverse=True)
    out = np.zeros((ids.size, 4), dtype=np.int64)
    out[:, 0] = ids
    for col, value in ((1, 1), (2, -1), (3, 0)):
        out[:, col] = np.bincount(ci[sign == value], minlength=ids.size)
    return out
