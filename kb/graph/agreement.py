"""The agreement graph between people, computed as sparse matrix products.

The rule (the same everywhere kb shows a score):

- Two people *share* a claim when both hold a latest stance on it (any position, mixed too).
- On a shared claim they *agree* when both support it or both oppose it, and *disagree* when
  one supports and the other opposes. A shared claim where either side is mixed counts as
  shared but as neither agreement nor disagreement.
- score = (agreements - disagreements) / shared, a number in [-1, 1]: +1 means they agree on
  every claim they share, -1 that they disagree on every one, 0 that it is even (or all mixed).

Why matrices: with 2,000 people and 1,000,000 stances, a loop over pairs of stances is far too
slow. Let S and O be the people x claims 0/1 matrices of "supports" and "opposes", A the matrix
of "holds any stance", P = S - O and Q = S + O. Then for every pair at once

    shared = A A^T,   agreements - disagreements = P P^T,   agreements + disagreements = Q Q^T

so agreements = (QQ^T + PP^T) / 2 and disagreements = (QQ^T - PP^T) / 2. scipy's sparse products
do the work in C; the cost grows with the sum over claims of (people on the claim)^2. Claims
held by many people are multiplied as a dense block with BLAS instead (see HOT_CLAIM_MIN). The
products live in kb.store.agreement_counts; their result is kept in the database and updated by
every write (kb.store.agreement_store), and kb.graph.agreement_load reads it back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
from sqlalchemy.orm import Session

from kb.queries import graph as q
from kb.store import agreement_counts
from kb.store.agreement_counts import latest_arrays, side_counts

DENSE_PEOPLE_LIMIT = agreement_counts.DENSE_PEOPLE_LIMIT
HOT_CLAIM_MIN = agreement_counts.HOT_CLAIM_MIN


@dataclass(frozen=True)
class PairCounts:
    """Counts behind one pair's score (a, b are person ids)."""

    a: int
    b: int
    agreements: int
    disagreements: int
    shared: int
    score: float


class LatestStances:
    """Parallel arrays (person ids, claim ids) of the latest stances, indexed by claim.

    An ego picture asks for the stances on a few hundred claims; a pass over a million
    stances for each ask cost more than the rest of the picture's data. The index is built
    on the first such ask, once per agreement graph."""

    def __init__(
        self, persons: np.ndarray, claims: np.ndarray, signs: np.ndarray | None = None
    ) -> None:
        self.persons, self.claims = persons, claims
        # +1 supports, -1 opposes, 0 mixed (the opinion map's claims that divide the camps)
        self.signs = signs if signs is not None else np.zeros(persons.size, dtype=np.int64)

    @cached_property
    def _by_claim(self) -> tuple[np.ndarray, np.ndarray]:
        """(order, sorted claim ids): the positions of the stances, ordered by claim."""
        order = np.argsort(self.claims, kind="stable")
        return order, self.claims[order]

    def on(self, claim_ids: Collection[int]) -> np.ndarray:
        """Positions (into the arrays) of the stances on the given claims."""
        order, by_claim = self._by_claim
        ids = np.unique(np.fromiter(claim_ids, dtype=np.int64, count=len(claim_ids)))
        left = np.searchsorted(by_claim, ids, "left")
        lens = np.searchsorted(by_claim, ids, "right") - left
        # the runs [left, left + len) side by side, without a Python loop over claims
        offsets = np.repeat(left - (np.cumsum(lens) - lens), lens)
        return order[offsets + np.arange(int(lens.sum()))]

    def claims_of(self, person_id: int) -> np.ndarray:
        return self.claims[self.persons == person_id]


@dataclass(eq=False)
class Agreement:
    """The agreement graph in array form: one entry per pair of people sharing >= 1 claim.

    `i`, `j` index into `person_ids` (always i < j). Kept as arrays rather than a networkx graph
    because at 2,000 people the graph is nearly complete (~2 million edges); `to_networkx()`
    builds the graph (or a part of it) when a caller wants one.
    """

    person_ids: np.ndarray
    stance_counts: np.ndarray
    i: np.ndarray
    j: np.ndarray
    agreements: np.ndarray
    disagreements: np.ndarray
    shared: np.ndarray
    people: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (slug, name)
    sides: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))
    """(claim_id, supporters, opponents, mixed) per claim with a latest stance."""
    latest: LatestStances = field(
        default_factory=lambda: LatestStances(
            np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        )
    )
    """Every latest stance as (person id, claim id), indexed by claim."""
    _pos: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._pos = {int(p): k for k, p in enumerate(self.person_ids)}

    @property
    def score(self) -> np.ndarray:
        return score_of(self.agreements, self.disagreements, self.shared)

    def __len__(self) -> int:
        return int(self.i.size)

    def index(self, person_id: int) -> int | None:
        return self._pos.get(person_id)

    def pair(self, a: int, b: int) -> PairCounts | None:
        """The counts for two people, or None when they share no claim."""
        ia, ib = self.index(a), self.index(b)
        if ia is None or ib is None or ia == ib:
            return None
        lo, hi = min(ia, ib), max(ia, ib)
        rows = self._rows_of(lo)
        hits = rows[self.j[rows] == hi]
        if hits.size == 0:
            return None
        return self._counts(int(hits[0]), first=a)

    @cached_property
    def _by_i(self) -> tuple[np.ndarray | None, np.ndarray]:
        """(order, starts): pair rows ordered by `i` (None when they already are, as
        build_agreement makes them), and where each person's run of rows begins. Pages ask
        about a few people at a time; a pass over all ~2 million pairs for each ask was a
        large part of a person or claim page's first rendering."""
        order = None if np.all(self.i[1:] >= self.i[:-1]) else np.argsort(self.i, kind="stable")
        by_i = self.i if order is None else self.i[order]
        return order, np.searchsorted(by_i, np.arange(self.person_ids.size + 1))

    def _rows_of(self, ip: int) -> np.ndarray:
        """Rows of the pairs whose first person is index `ip`."""
        order, starts = self._by_i
        rows = np.arange(starts[ip], starts[ip + 1])
        return rows if order is None else order[rows]

    def _counts(self, k: int, first: int | None = None) -> PairCounts:
        pa, pb = int(self.person_ids[self.i[k]]), int(self.person_ids[self.j[k]])
        if first is not None and pb == first:
            pa, pb = pb, pa
        ag, dis, sh = int(self.agreements[k]), int(self.disagreements[k]), int(self.shared[k])
        return PairCounts(pa, pb, ag, dis, sh, float(score_of(ag, dis, sh)))

    def pairs_of(self, person_id: int) -> list[PairCounts]:
        """Every pair that includes this person, the person first."""
        ip = self.index(person_id)
        if ip is None:
            return []
        hits = np.flatnonzero((self.i == ip) | (self.j == ip))
        return [self._counts(int(k), first=person_id) for k in hits]

    def among(self, person_ids: Sequence[int]) -> list[PairCounts]:
        """Every pair between the given people, in row order (only their rows are read)."""
        idx = sorted({k for p in person_ids if (k := self._pos.get(int(p))) is not None})
        if not idx:
            return []
        wanted = np.zeros(self.person_ids.size, dtype=bool)
        wanted[idx] = True
        rows = np.concatenate([self._rows_of(k) for k in idx])
        hits = np.sort(rows[wanted[self.j[rows]]])
        # scored as arrays: a heat map of 150 people holds 11,175 pairs
        ag, dis, sh = self.agreements[hits], self.disagreements[hits], self.shared[hits]
        scores = np.asarray(score_of(ag, dis, sh), dtype=float)
        a, b = self.person_ids[self.i[hits]], self.person_ids[self.j[hits]]
        columns = (c.tolist() for c in (a, b, ag, dis, sh, scores))
        return [PairCounts(*row) for row in zip(*columns, strict=True)]

    def most(self, person_id: int, limit: int = 5) -> tuple[list[PairCounts], list[PairCounts]]:
        """(agrees most with, disagrees most with): positive scores best first, negative scores
        worst first; ties go to the pair with more shared claims (more evidence), then name."""
        ip = self.index(person_id)
        if ip is None:
            return [], []
        hits = np.flatnonzero((self.i == ip) | (self.j == ip))
        scores = score_of(self.agreements[hits], self.disagreements[hits], self.shared[hits])
        name = lambda p: self.people.get(p.b, ("", ""))[1]  # noqa: E731

        def best(sign: int) -> list[PairCounts]:
            # rank in numpy; only the top `limit` and whatever ties with the last of them
            # (which the name then orders) become PairCounts: a person has thousands of pairs
            mask = scores * sign > 0
            ks, key, shared = hits[mask], -sign * scores[mask], -self.shared[hits][mask]
            order = np.lexsort((shared, key))
            if order.size > limit:
                cut = order[limit - 1]
                tied = (key[order] == key[cut]) & (shared[order] == shared[cut])
                order = order[: limit + int(np.count_nonzero(tied[limit:]))]
            pairs = [self._counts(int(ks[k]), first=person_id) for k in order]
            return sorted(pairs, key=lambda p: (-sign * p.score, -p.shared, name(p)))[:limit]

        return best(1), best(-1)

    def strongest(self, k: int) -> np.ndarray:
        """A mask over pairs: each person's k best-scoring and k worst-scoring pairs (ties go to
        more shared claims), kept when either end keeps it."""
        score, shared = self.score, self.shared.astype(np.int64)
        keep = np.zeros(self.i.size, dtype=bool)
        for direction in (-1.0, 1.0):
            keep |= top_per_person(
                self.i, self.j, direction * score, -shared, k, len(self.person_ids)
            )
        return keep

    def to_networkx(
        self, person_ids: set[int] | None = None, pairs: np.ndarray | None = None
    ) -> nx.Graph:
        """The agreement graph: nodes ("person", id) with kind/slug/label, an edge per pair
        sharing a claim with agreements, disagreements, shared, score (and weight = score).
        `person_ids` keeps only those people (and the pairs between them); `pairs`, a boolean
        mask over the pairs, keeps only those edges."""
        g: nx.Graph[tuple[str, int]] = nx.Graph()
        for pid in self.person_ids:
            pid = int(pid)
            if person_ids is not None and pid not in person_ids:
                continue
            slug, name = self.people.get(pid, (str(pid), str(pid)))
            g.add_node(("person", pid), kind="person", slug=slug, label=name)
        keep = np.ones(self.i.size, dtype=bool)
        if person_ids is not None:
            mask = np.isin(self.person_ids, np.fromiter(person_ids, dtype=np.int64))
            keep = mask[self.i] & mask[self.j]
        if pairs is not None:
            keep &= pairs
        scores = self.score
        for k in np.flatnonzero(keep):
            a, b = int(self.person_ids[self.i[k]]), int(self.person_ids[self.j[k]])
            s = float(scores[k])
            g.add_edge(
                ("person", a),
                ("person", b),
                kind="agreement",
                agreements=int(self.agreements[k]),
                disagreements=int(self.disagreements[k]),
                shared=int(self.shared[k]),
                score=s,
                weight=s,
            )
        return g


DENSE_RANK_LIMIT = 3000
"""Up to this many people, per-person rankings use an n x n matrix and argpartition (linear);
above it, one lexsort over every candidate (n log n, but several times slower in practice)."""


def top_per_person(
    i: np.ndarray,
    j: np.ndarray,
    key: np.ndarray,
    tiebreak: np.ndarray,
    k: int,
    n: int | None = None,
) -> np.ndarray:
    """A mask over pairs (i[x], j[x]): the k pairs with the smallest (key, tiebreak) for each
    person, kept when either end ranks it in its k. i and j index people 0..n-1.

    Vectorised: every pair is a candidate of both its ends. With n <= DENSE_RANK_LIMIT the
    tiebreak is folded into the key at 1e-12 per unit (it only orders pairs whose keys differ
    by less than that) and each row of an n x n matrix is partitioned; otherwise one lexsort
    ranks each person's candidates exactly."""
    size = i.size
    keep = np.zeros(size, dtype=bool)
    if size == 0 or k <= 0:
        return keep
    if n is None:
        n = int(max(i.max(), j.max())) + 1
    if n <= DENSE_RANK_LIMIT:
        folded = key.astype(np.float64) + 1e-12 * tiebreak.astype(np.float64)
        mat = np.full((n, n), np.inf)
        mat[i, j] = folded
        mat[j, i] = folded
        kk = min(k, n - 1)
        best = np.argpartition(mat, kk - 1, axis=1)[:, :kk] if kk > 0 else np.zeros((n, 0), int)
        rows = np.repeat(np.arange(n), best.shape[1])
        cols = best.ravel()
        chosen = np.zeros((n, n), dtype=bool)
        ok = np.isfinite(mat[rows, cols])
        chosen[rows[ok], cols[ok]] = True
        return chosen[i, j] | chosen[j, i]
    who = np.concatenate([i, j]).astype(np.int64)
    edge = np.concatenate([np.arange(size), np.arange(size)])
    order = np.lexsort((np.concatenate([tiebreak, tiebreak]), np.concatenate([key, key]), who))
    who_sorted = who[order]
    rank = np.arange(who_sorted.size) - np.searchsorted(who_sorted, who_sorted, side="left")
    keep[edge[order][rank < k]] = True
    return keep


def score_of(agreements: Any, disagreements: Any, shared: Any) -> Any:
    """(agreements - disagreements) / shared; 0 where nothing is shared. Works on scalars and
    numpy arrays alike."""
    shared_arr = np.asarray(shared, dtype=float)
    diff = np.asarray(agreements, dtype=float) - np.asarray(disagreements, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(shared_arr > 0, diff / np.where(shared_arr > 0, shared_arr, 1), 0.0)
    return float(out) if out.ndim == 0 else out


def pair_counts(
    person: np.ndarray, claim: np.ndarray, sign: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """kb.store.agreement_counts.pair_counts with this module's DENSE_PEOPLE_LIMIT and
    HOT_CLAIM_MIN (person_ids, stance_counts, i, j, agreements, disagreements, shared)."""
    return agreement_counts.pair_counts(person, claim, sign, DENSE_PEOPLE_LIMIT, HOT_CLAIM_MIN)


def build_agreement(session: Session, as_of: dt.date | None = None) -> Agreement:
    """The agreement graph of the whole database (as it stood on `as_of`), computed, uncached.

    Two queries: the latest stances as (person, claim, sign) integers, and the people's names.
    Use kb.graph.cache.agreement() in request paths; this is the function the benchmark times.
    """
    person, claim, sign = latest_arrays(q.signed_stance_rows(session, as_of))
    person_ids, counts, i, j, ag, dis, sh = pair_counts(person, claim, sign)
    people = {pid: (slug, name) for pid, slug, name in q.people_rows(session)}
    sides = side_counts(claim, sign)
    return Agreement(
        person_ids,
        counts,
        i.astype(np.int32),
        j.astype(np.int32),
        ag.astype(np.int32),
        dis.astype(np.int32),
        sh.astype(np.int32),
        people,
        sides,
        LatestStances(person, claim, sign),
    )
