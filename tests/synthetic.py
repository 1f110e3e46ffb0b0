"""A small deterministic generator of obviously synthetic data for tests ("Synthetic Person 17"),
written with bulk Core inserts so that a few thousand stances take well under a second.

It adds to whatever is in the database (usually the seed), so a test can request the same
seed URLs on a small and on a large knowledge base and compare what the pages do.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from kb import models as m
from kb.store import datastate, latest

KINDS = m.SOURCE_KINDS


def generate(
    session: Session,
    people: int = 60,
    claims: int = 120,
    sources: int = 150,
    quotes: int = 600,
    stances: int = 3000,
    seed: int = 7,
) -> dict[str, int]:
    """Insert synthetic records (the caller commits); returns how many of each were made.
    About one stance in ten is an earlier dated stance of a pair that also has a later one."""
    rng = random.Random(seed)
    base = {
        name: (session.scalar(select(func.max(model.id))) or 0)
        for name, model in [
            ("person", m.Person),
            ("claim", m.Claim),
            ("source", m.Source),
            ("quote", m.Quote),
            ("stance", m.Stance),
            ("topic", m.Topic),
        ]
    }
    topic_ids = list(session.scalars(select(m.Topic.id)))
    n_topics = 4
    session.execute(
        insert(m.Topic),
        [
            {
                "id": base["topic"] + i,
                "slug": f"synthetic-topic-{i}",
                "name": f"Synthetic Topic {i}",
            }
            for i in range(1, n_topics + 1)
        ],
    )
    topic_ids += [base["topic"] + i for i in range(1, n_topics + 1)]
    person_ids = [base["person"] + i for i in range(1, people + 1)]
    session.execute(
        insert(m.Person),
        [
            {
                "id": pid,
                "slug": f"synthetic-person-{i}",
                "name": f"Synthetic Person {i}",
                "affiliation": f"Synthetic Institute {i % 7}",
                "description": "Synthetic test record.",
            }
            for i, pid in enumerate(person_ids, 1)
        ],
    )
    claim_ids = [base["claim"] + i for i in range(1, claims + 1)]
    session.execute(
        insert(m.Claim),
        [
            {
                "id": cid,
                "slug": f"synthetic-claim-{i}",
                "text": f"Synthetic claim {i} about intelligence and risk.",
            }
            for i, cid in enumerate(claim_ids, 1)
        ],
    )
    session.execute(
        insert(m.claim_topic),
        [
            {"claim_id": cid, "topic_id": topic_ids[i % len(topic_ids)]}
            for i, cid in enumerate(claim_ids)
        ],
    )
    source_ids = [base["source"] + i for i in range(1, sources + 1)]
    session.execute(
        insert(m.Source),
        [
            {
                "id": sid,
                "slug": f"synthetic-source-{i}",
                "title": f"Synthetic Source {i}",
                "kind": KINDS[i % len(KINDS)],
                "url": f"https://example.org/synthetic/{i}",
                "published_on": dt.date(2000 + i % 25, 1 + i % 12, 1),
                "date_precision": "month",
            }
            for i, sid in enumerate(source_ids, 1)
        ],
    )
    quote_rows: list[dict[str, Any]] = []
    speaker_of: dict[int, int] = {}
    for i in range(1, quotes + 1):
        qid = base["quote"] + i
        pid = person_ids[i % len(person_ids)]
        speaker_of[qid] = pid
        quote_rows.append(
            {
                "id": qid,
                "text": f"Synthetic quote {i} on intelligence.",
                "speaker_id": pid,
                "source_id": source_ids[i % len(source_ids)],
                "attribution": "verbatim",
                "checked": m.CHECKED_HOW[i % len(m.CHECKED_HOW)],
            }
        )
    session.execute(insert(m.Quote), quote_rows)
    quotes_of: dict[int, list[int]] = {}
    for qid, pid in speaker_of.items():
        quotes_of.setdefault(pid, []).append(qid)

    n_claims = len(claim_ids)
    pairs = [
        (person_ids[k // n_claims], claim_ids[k % n_claims])
        for k in rng.sample(range(len(person_ids) * n_claims), stances)
    ]
    stance_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, int]] = []
    for n, (pid, cid) in enumerate(pairs, 1):
        sid = base["stance"] + n
        earlier = n % 10 == 0 and stance_rows
        if earlier:
            # an earlier dated stance on the same pair as the previous row
            prev = stance_rows[-1]
            pid, cid = prev["person_id"], prev["claim_id"]
            prev["as_of"] = prev["as_of"] or dt.date(2020, 1, 1)
            as_of = prev["as_of"] - dt.timedelta(days=400)
        else:
            as_of = dt.date(2015 + n % 8, 1 + n % 12, 1) if n % 3 else None
        stance_rows.append(
            {
                "id": sid,
                "person_id": pid,
                "claim_id": cid,
                "position": m.POSITIONS[rng.randrange(3)],
                "basis": "explicit",
                "as_of": as_of,
            }
        )
        evidence_rows.append({"stance_id": sid, "quote_id": rng.choice(quotes_of[pid])})
    session.execute(insert(m.Stance), stance_rows)
    session.execute(insert(m.stance_evidence), evidence_rows)
    session.execute(
        insert(m.ClaimRelation),
        [
            {
                "from_claim_id": claim_ids[i],
                "to_claim_id": claim_ids[(i + 1) % len(claim_ids)],
                "kind": m.RELATION_KINDS[i % 2],
            }
            for i in range(0, len(claim_ids), 2)
        ],
    )
    latest.refresh(session)  # Core inserts skip the ORM listener that keeps the flag
    datastate.bump(session)
    return {
        "people": people,
        "claims": claims,
        "sources": sources,
        "quotes": quotes,
        "stances": len(stance_rows),
    }
