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
do the work in C; the cost grows with the sum over claims of (people on the claim)^2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from sqlalchemy.orm import Session

from kb.queries import graph as q


@dataclass(frozen=True)
class PairCounts:
    """Counts behind one pair's score (a, b are person ids)."""

    a: int
    b: int
    agreements: int
    disagreements: int
    shared: int
    score: float


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
        hits = np.flatnonzero((self.i == lo) & (self.j == hi))
        if hits.size == 0:
            return None
        return self._counts(int(hits[0]), first=a)

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

    def most(self, person_id: int, limit: int = 5) -> tuple[list[PairCounts], list[PairCounts]]:
        """(agrees most with, disagrees most with): positive scores best first, negative scores
        worst first; ties go to the pair with more shared claims (more evidence), then name."""
        pairs = self.pairs_of(person_id)
        name = lambda p: self.people.get(p.b, ("", ""))[1]  # noqa: E731
        agree = sorted(
            (p for p in pairs if p.score > 0), key=lambda p: (-p.score, -p.shared, name(p))
        )
        disagree = sorted(
            (p for p in pairs if p.score < 0), key=lambda p: (p.score, -p.shared, name(p))
        )
        return agree[:limit], disagree[:limit]

    def to_networkx(self, person_ids: set[int] | None = None) -> nx.Graph:
        """The agreement graph: nodes ("person", id) with kind/slug/label, an edge per pair
        sharing a claim with agreements, disagreements, shared, score (and weight = score).
        `person_ids` keeps only those people (and the pairs between them)."""
        g = nx.Graph()
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
    """Vectorised pair counts from parallel arrays of latest stances (one row per person and
    claim; sign +1 supports, -1 opposes, 0 mixed).

    Returns (person_ids, stance_counts, i, j, agreements, disagreements, shared), where i < j
    index into person_ids and only pairs with shared >= 1 appear.
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

    def mat(values: np.ndarray) -> sparse.csr_matrix:
        return sparse.csr_matrix((values.astype(np.int32), (pi, ci)), shape=(n, m))

    a = mat(np.ones_like(sign))
    p = mat(sign)  # S - O
    qm = mat(np.abs(sign))  # S + O
    shared_m = sparse.triu(a @ a.T, k=1).tocoo()
    i, j = shared_m.row.astype(np.int64), shared_m.col.astype(np.int64)
    order = np.lexsort((j, i))
    i, j = i[order], j[order]
    shared = shared_m.data.astype(np.int64)[order]
    pp = np.asarray((p @ p.T).tocsr()[i, j]).ravel().astype(np.int64)
    qq = np.asarray((qm @ qm.T).tocsr()[i, j]).ravel().astype(np.int64)
    agreements = (qq + pp) // 2
    disagreements = (qq - pp) // 2
    return person_ids, stance_counts, i, j, agreements, disagreements, shared


def build_agreement(session: Session, as_of: dt.date | None = None) -> Agreement:
    """The agreement graph of the whole database (as it stood on `as_of`), uncached.

    Two queries: the latest stances as (person, claim, sign) integers, and the people's names.
    Use kb.graph.cache.agreement() in request paths; this is the function the benchmark times.
    """
    rows = q.signed_stance_rows(session, as_of)
    if rows:
        arr = np.array(rows, dtype=np.int64)
        person, claim, sign = arr[:, 0], arr[:, 1], arr[:, 2]
    else:
        person = claim = sign = np.zeros(0, dtype=np.int64)
    person_ids, counts, i, j, ag, dis, sh = pair_counts(person, claim, sign)
    people = {pid: (slug, name) for pid, slug, name in q.people_rows(session)}
    return Agreement(person_ids, counts, i, j, ag, dis, sh, people)
