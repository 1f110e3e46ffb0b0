"""Synthetic data at scale, for benchmarks and for trying kb on far more than the seed's 28 people.

Everything made here is obviously synthetic: "Synthetic Person 12", "Synthetic claim 7: ...",
URLs under https://example.org/synthetic/. No quote, date or URL pretends to be evidence.

The data is skewed like the real thing: who speaks, who takes stances, which claims draw
stances and which sources are quoted all follow a Zipf-like law (a few prolific people and hot
claims, a long tail), and people fall into a few camps whose members mostly agree, so the
agreement graph has structure to find. The same seed always gives the same database.

Every constraint holds by construction: one stance per (person, claim, as-of date) with at most
one undated, at least one evidence quote per stance, spoken by the stance's own person, no claim related to itself, no
duplicate (from, to, kind) relation. Rows go in through kb.load.bulk, the path `kb import` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m
from kb.load import bulk

BASE_URL = "https://example.org/synthetic"
MARKER_SLUG = "synthetic-person-1"

SUBJECTS = (
    "advanced AI",
    "frontier language models",
    "autonomous agents",
    "recursive self-improvement",
    "open-weight models",
    "AI-assisted research",
    "machine superintelligence",
    "automated cyber offence",
    "compute governance",
    "interpretability research",
)
PREDICATES = (
    "will pose an existential risk",
    "will be controllable with current methods",
    "will arrive before 2040",
    "will concentrate power dangerously",
    "will be mostly beneficial",
    "needs an international treaty",
    "can be aligned by scaling feedback",
    "will transform science within a decade",
    "is overhyped by its builders",
    "requires licensing of large training runs",
)
TOPIC_WORDS = (
    "alignment",
    "timelines",
    "governance",
    "misuse",
    "economics",
    "security",
    "forecasting",
    "openness",
    "compute",
    "evaluation",
    "labour",
    "geopolitics",
)
# How often each of kb.models.SOURCE_KINDS is drawn, in its order.
SOURCE_KIND_WEIGHTS = (0.22, 0.2, 0.15, 0.12, 0.03, 0.13, 0.13, 0.02)
CAMPS = 3
MAX_STANCES_PER_PAIR = 3  # how many dated views one person may have on one claim
# Zipf exponents. People (who speaks, writes, takes stances): at the reference scale the
# busiest person has about 1% of all stances (~11,000, 30x the median person). Claims and
# sources (which draw stances, quotes and relations): the hottest claim has ~0.5% of the
# stances (~5,000), the median one a dozen. Steeper laws put tens of thousands of stances on
# one person, which no real knowledge base of viewpoints has.
SKEW = 0.5
HOT_SKEW = 0.6
EPOCH = dt.date(2000, 1, 1)  # sources and dated stances fall after it


@dataclass(frozen=True)
class Scale:
    """How many records of each kind to make. The defaults are the reference scale that
    benchmarks/ measures."""

    people: int = 2_000
    claims: int = 50_000
    sources: int = 200_000
    quotes: int = 1_000_000
    stances: int = 1_000_000
    relations: int = 200_000

    @property
    def topics(self) -> int:
        return min(len(TOPIC_WORDS), self.claims)

    def total(self) -> int:
        """Rows of the main tables, for a progress bar."""
        return sum(asdict(self).values()) + self.topics

    def check(self) -> list[str]:
        """Why this scale cannot be made (empty when it can)."""
        problems = [f"--{k} must not be negative" for k, v in asdict(self).items() if v < 0]
        if self.quotes and (not self.people or not self.sources):
            problems.append("quotes need at least one person and one source")
        if self.stances and (not self.people or not self.claims):
            problems.append("stances need at least one person and one claim")
        if self.stances and self.quotes < self.people:
            # Every stance cites at least one quote by its own person, so everyone is quoted.
            problems.append("stances need evidence: --quotes must be at least --people")
        if self.stances > self.people * self.claims * MAX_STANCES_PER_PAIR:
            problems.append(
                f"--stances {self.stances} is more than {MAX_STANCES_PER_PAIR} per "
                "(person, claim) pair allows"
            )
        if self.relations > self.claims * (self.claims - 1) * 2:
            problems.append(f"--relations {self.relations} is more than the distinct pairs")
        return problems


@dataclass
class Report:
    counts: dict[str, int]


def _zipf(rng: np.random.Generator, n: int, size: int, exponent: float) -> np.ndarray:
    """`size` indexes in [0, n) drawn with probability proportional to 1 / rank**exponent,
    where the ranks are a random permutation (so the hot ones are not simply the first ids)."""
    if n == 0 or size == 0:
        return np.zeros(0, dtype=np.int64)
    weights = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    rank_of = rng.permutation(n)
    ranks = rng.choice(n, size=size, p=weights / weights.sum())
    return rank_of[ranks]


def already_synthesised(session: Session) -> bool:
    return session.scalar(select(m.Person.id).where(m.Person.slug == MARKER_SLUG)) is not None


def generate(
    session: Session,
    scale: Scale,
    seed: int = 0,
    batch_size: int = bulk.DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Fill the database with synthetic data at `scale`. Leaves the transaction open; the
    caller commits. Raises ValueError if the scale is impossible or synthetic data is already
    there (its slugs would collide)."""
    problems = scale.check()
    if problems:
        raise ValueError("; ".join(problems))
    if already_synthesised(session):
        raise ValueError("this database already holds synthetic data (synthetic-person-1)")
    # The steps draw from one generator in a fixed order: that order is what makes a seed
    # give the same database, so a step's draws stay where they are.
    run = _Synthesis(session, scale, np.random.default_rng(seed), batch_size, progress)
    person_ids, camp_of = run.people()
    topic_ids = run.topics()
    claim_ids, leaning = run.claims(topic_ids)
    source_ids = run.sources(person_ids)
    quotes_of = run.quotes(person_ids, source_ids)
    run.stances(person_ids, camp_of, claim_ids, leaning, quotes_of)
    run.relations(claim_ids)
    bulk.finish(session)
    return Report(run.counts)


class _Synthesis:
    """One run of `generate`: each method draws what its kind of record needs, then inserts
    the records through kb.load.bulk and counts them."""

    def __init__(
        self,
        session: Session,
        scale: Scale,
        rng: np.random.Generator,
        batch_size: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.session, self.scale, self.rng = session, scale, rng
        self.kw: dict[str, Any] = {"batch_size": batch_size, "progress": progress}
        self.counts: dict[str, int] = {}
        # (date, precision) of each source, in order: quotes are said on their source's date.
        self.source_dates: list[tuple[dt.date | None, str | None]] = []

    def _put(self, name: str, ids: Any) -> Any:
        self.counts[name] = len(ids)
        return ids

    def people(self) -> tuple[list[int], list[int]]:
        """People (ids, and each one's camp): a few labs employ many of them; three camps of
        unequal size."""
        scale, rng = self.scale, self.rng
        labs = _zipf(rng, 40, scale.people, 1.1).tolist()
        has_lab = (rng.random(scale.people) < 0.8).tolist()
        camp_of = rng.choice(CAMPS, size=scale.people, p=[0.5, 0.3, 0.2]).tolist()
        people_rows = (
            {
                "slug": f"synthetic-person-{i + 1}",
                "name": f"Synthetic Person {i + 1}",
                "description": "A synthetic test record, not a real person.",
                "affiliation": f"Synthetic Lab {labs[i] + 1}" if has_lab[i] else None,
                "url": f"{BASE_URL}/person/{i + 1}",
            }
            for i in range(scale.people)
        )
        ids = self._put("people", bulk.insert_people(self.session, people_rows, **self.kw))
        return list(ids.values()), camp_of

    def topics(self) -> list[int]:
        topic_rows = (
            {
                "slug": f"synthetic-topic-{k + 1}",
                "name": f"Synthetic topic: {TOPIC_WORDS[k]}",
                "description": "A synthetic test topic.",
            }
            for k in range(self.scale.topics)
        )
        ids = self._put("topics", bulk.insert_topics(self.session, topic_rows, **self.kw))
        return list(ids.values())

    def claims(self, topic_ids: list[int]) -> tuple[list[int], list[list[int]]]:
        """Claims (ids, and the side each camp leans to on each): each with one to three
        topics."""
        scale, rng = self.scale, self.rng
        subj = rng.integers(0, len(SUBJECTS), scale.claims).tolist()
        pred = rng.integers(0, len(PREDICATES), scale.claims).tolist()
        n_topics = rng.choice(3, size=scale.claims, p=[0.5, 0.35, 0.15]).tolist()
        first_topic = _zipf(rng, max(scale.topics, 1), scale.claims, 0.8).tolist()
        leaning = rng.integers(0, 2, size=(scale.claims, CAMPS)).tolist()

        def claim_rows() -> Iterator[dict[str, Any]]:
            for i in range(scale.claims):
                t = {
                    topic_ids[(first_topic[i] + j * 5) % len(topic_ids)]
                    for j in range(n_topics[i] + 1)
                }
                yield {
                    "slug": f"synthetic-claim-{i + 1}",
                    "text": f"Synthetic claim {i + 1}: {SUBJECTS[subj[i]]} {PREDICATES[pred[i]]}.",
                    "summary": None,
                    "topic_ids": sorted(t),
                }

        ids = self._put("claims", bulk.insert_claims(self.session, claim_rows(), **self.kw))
        return list(ids.values()), leaning

    def sources(self, person_ids: list[int]) -> list[int]:
        """Sources: dates between 2000 and 2025 at day, month or year precision."""
        scale, rng = self.scale, self.rng
        kinds = rng.choice(len(m.SOURCE_KINDS), size=scale.sources, p=SOURCE_KIND_WEIGHTS).tolist()
        days = rng.integers(0, 26 * 365, scale.sources).tolist()
        precision = rng.choice(4, size=scale.sources, p=[0.6, 0.2, 0.1, 0.1]).tolist()
        n_authors = rng.choice(3, size=scale.sources, p=[0.3, 0.55, 0.15]).tolist()
        authors = _zipf(rng, scale.people, scale.sources * 2, SKEW).tolist()
        publishers = _zipf(rng, 300, scale.sources, 1.0).tolist()

        def source_rows() -> Iterator[dict[str, Any]]:
            for i in range(scale.sources):
                day = EPOCH + dt.timedelta(days=days[i])
                prec = ("day", "month", "year", None)[precision[i]]
                if prec == "month":
                    day = day.replace(day=1)
                elif prec == "year":
                    day = day.replace(month=1, day=1)
                by = {person_ids[authors[2 * i + j]] for j in range(n_authors[i])}
                self.source_dates.append((day if prec else None, prec))
                yield {
                    "slug": f"synthetic-source-{i + 1}",
                    "title": f"Synthetic source {i + 1} on {TOPIC_WORDS[i % len(TOPIC_WORDS)]}",
                    "kind": m.SOURCE_KINDS[kinds[i]],
                    "url": f"{BASE_URL}/source/{i + 1}",
                    "publisher": f"Synthetic Publisher {publishers[i] + 1}",
                    "published_on": day if prec else None,
                    "date_precision": prec,
                    "author_ids": sorted(by),
                }

        ids = self._put("sources", bulk.insert_sources(self.session, source_rows(), **self.kw))
        return list(ids.values())

    def quotes(self, person_ids: list[int], source_ids: list[int]) -> list[list[int]]:
        """Quotes (returns each person's quote ids): everyone speaks at least once (while there
        are quotes enough), then Zipf."""
        scale, rng = self.scale, self.rng
        round_robin = min(scale.people, scale.quotes)
        speakers = (
            list(range(round_robin))
            + _zipf(rng, scale.people, scale.quotes - round_robin, SKEW).tolist()
        )
        quoted_source = _zipf(rng, scale.sources, scale.quotes, HOT_SKEW).tolist()
        attribution = rng.choice(3, size=scale.quotes, p=[0.85, 0.12, 0.03]).tolist()
        checked = rng.choice(4, size=scale.quotes, p=[0.6, 0.15, 0.15, 0.1]).tolist()
        quote_subj = rng.integers(0, len(SUBJECTS), scale.quotes).tolist()
        quote_pred = rng.integers(0, len(PREDICATES), scale.quotes).tolist()

        def quote_rows() -> Iterator[dict[str, Any]]:
            for i in range(scale.quotes):
                p = speakers[i]
                yield {
                    "text": (
                        f"Synthetic quote {i + 1} by Synthetic Person {p + 1}: I think "
                        f"{SUBJECTS[quote_subj[i]]} {PREDICATES[quote_pred[i]]}."
                    ),
                    "speaker_id": person_ids[p],
                    "source_id": source_ids[quoted_source[i]],
                    "locator": f"synthetic p. {i % 300 + 1}" if i % 4 == 0 else None,
                    **_said(i, *self.source_dates[quoted_source[i]]),
                    "attribution": m.ATTRIBUTIONS[attribution[i]],
                    "checked": m.CHECKED_HOW[checked[i]],
                }

        quote_ids = self._put("quotes", bulk.insert_quotes(self.session, quote_rows(), **self.kw))
        quotes_of: list[list[int]] = [[] for _ in range(scale.people)]
        for i, p in enumerate(speakers):
            quotes_of[p].append(quote_ids[i])
        return quotes_of

    def stances(
        self,
        person_ids: list[int],
        camp_of: list[int],
        claim_ids: list[int],
        leaning: list[list[int]],
        quotes_of: list[list[int]],
    ) -> None:
        """Stances: prolific people on hot claims, at most MAX_STANCES_PER_PAIR dated views of
        one claim per person (the first may be undated); positions follow the person's camp."""
        scale = self.scale
        d = _StanceDraws.draw(self.rng, scale)

        def stance_rows() -> Iterator[dict[str, Any]]:
            seen: dict[tuple[int, int], int] = {}
            for i in range(scale.stances):
                p, c = _free_pair(seen, d.who[i], d.what[i], d.fallback[i], scale)
                k = seen.get((p, c), 0)
                seen[(p, c)] = k + 1
                as_of = (
                    None
                    if k == 0 and d.undated[i]
                    else EPOCH + dt.timedelta(days=k * 400 + d.shift[i])
                )
                mine = quotes_of[p]
                evidence = sorted(
                    {mine[d.pick[i][j % 2] * (j + 1) % len(mine)] for j in range(d.n_evidence[i])}
                )
                yield {
                    "person_id": person_ids[p],
                    "claim_id": claim_ids[c],
                    "position": d.position(i, leaning[c][camp_of[p]]),
                    "basis": "inferred" if d.inferred[i] else "explicit",
                    "probability": d.probability[i] if d.with_probability[i] else None,
                    "as_of": as_of,
                    "note": "Synthetic stance." if i % 10 == 0 else None,
                    "evidence_ids": evidence,
                }

        self._put("stances", bulk.insert_stances(self.session, stance_rows(), **self.kw))

    def relations(self, claim_ids: list[int]) -> None:
        """Relations between claims: Zipf on both ends, never a claim with itself, no
        duplicates."""
        scale, rng = self.scale, self.rng
        src = _zipf(rng, scale.claims, scale.relations, HOT_SKEW).tolist()
        dst = _zipf(rng, scale.claims, scale.relations, HOT_SKEW).tolist()
        rel_kind = (rng.random(scale.relations) < 0.65).astype(int).tolist()
        fallback_dst = rng.integers(0, max(scale.claims, 1), scale.relations).tolist()

        def relation_rows() -> Iterator[dict[str, Any]]:
            seen: set[tuple[int, int, int]] = set()
            for i in range(scale.relations):
                a, b, kind = src[i], dst[i], rel_kind[i]
                if a == b or (a, b, kind) in seen:
                    a, b, kind = _free_relation(seen, a, fallback_dst[i], kind, scale.claims)
                seen.add((a, b, kind))
                yield {
                    "from_claim_id": claim_ids[a],
                    "to_claim_id": claim_ids[b],
                    "kind": "supports" if kind else "contradicts",
                }

        self._put(
            "claim_relations", bulk.insert_relations(self.session, relation_rows(), **self.kw)
        )


@dataclass(frozen=True)
class _StanceDraws:
    """Everything random about the stances, drawn at once (in this order) before any is made."""

    who: list[int]
    what: list[int]
    fallback: list[int]
    agree: list[bool]
    other: list[int]
    undated: list[bool]
    shift: list[int]
    n_evidence: list[int]
    inferred: list[bool]
    pick: list[list[int]]
    with_probability: list[bool]
    probability: list[float]

    @classmethod
    def draw(cls, rng: np.random.Generator, scale: Scale) -> _StanceDraws:
        n = scale.stances
        return cls(
            who=_zipf(rng, scale.people, n, SKEW).tolist(),
            what=_zipf(rng, scale.claims, n, HOT_SKEW).tolist(),
            fallback=rng.integers(0, max(scale.claims, 1), n).tolist(),
            agree=(rng.random(n) < 0.8).tolist(),
            other=rng.integers(0, 2, n).tolist(),
            undated=(rng.random(n) < 0.3).tolist(),
            shift=rng.integers(0, 365, n).tolist(),
            n_evidence=(rng.choice(3, size=n, p=[0.8, 0.15, 0.05]) + 1).tolist(),
            inferred=(rng.random(n) < 0.15).tolist(),
            pick=rng.integers(0, 1 << 30, size=(n, 2)).tolist(),
            with_probability=(rng.random(n) < 0.2).tolist(),
            probability=rng.random(n).round(2).tolist(),
        )

    def position(self, i: int, lean: int) -> str:
        """Stance `i`'s position, given the side its person's camp leans to on its claim."""
        if self.agree[i]:
            return ("supports", "opposes")[lean]
        return ("mixed", ("opposes", "supports")[lean])[self.other[i]]


def _said(i: int, published: dt.date | None, precision: str | None) -> dict[str, Any]:
    """When quote i was said: on its source's date, except that one quote in ten of those
    dated to the day was said 1 to 700 days earlier (a talk reported later, a book quoting an
    old interview), as the seed's quotes are. No random draws, so the rest of the data stays
    as it was for a seed."""
    if published is not None and precision == "day" and i % 10 == 3:
        return {"said_on": published - dt.timedelta(days=i % 700 + 1), "said_precision": "day"}
    return {"said_on": published, "said_precision": precision}


def _free_pair(
    seen: dict[tuple[int, int], int], p: int, c: int, fallback: int, scale: Scale
) -> tuple[int, int]:
    """(person, claim) as drawn, or, when that pair has its MAX_STANCES_PER_PAIR views, the
    first pair with room probing in order from a random one: Scale.check made sure there is
    room, so this ends."""
    if seen.get((p, c), 0) < MAX_STANCES_PER_PAIR:
        return p, c
    slot = p * scale.claims + fallback
    while seen.get(divmod(slot, scale.claims), 0) >= MAX_STANCES_PER_PAIR:
        slot = (slot + 1) % (scale.people * scale.claims)
    p, c = divmod(slot, scale.claims)
    return p, c


def _free_relation(
    seen: set[tuple[int, int, int]], a: int, fallback: int, kind: int, claims: int
) -> tuple[int, int, int]:
    """The first free (from, to, kind) slot probing in order from a random one, never a claim
    with itself; Scale.check made sure there is one."""
    slot = ((a * claims) + fallback) * 2 + kind
    while True:
        rest, kind = divmod(slot, 2)
        a, b = divmod(rest, claims)
        if a != b and (a, b, kind) not in seen:
            return a, b, kind
        slot = (slot + 1) % (claims * claims * 2)
