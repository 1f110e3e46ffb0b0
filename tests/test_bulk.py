"""kb.bulk: batched Core inserts return ids, write link rows, and leave the database as the ORM
would (server defaults, version 1, sequences moved on), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kb import bulk, datastate
from kb import models as m
from tests.factories import make_person


def _rows(prefix: str, n: int):
    """A generator, to show that bulk consumes its input lazily."""
    for i in range(n):
        yield {"slug": f"{prefix}-{i}", "name": f"Bulk {prefix} {i}"}


def test_bulk_inserts_every_table_with_links_in_batches(session) -> None:
    existing = make_person(session)  # ids continue after rows already there
    session.commit()
    before = datastate.current(session)
    people = bulk.insert_people(session, _rows("p", 7), batch_size=3)
    assert list(people) == [f"p-{i}" for i in range(7)]
    assert min(people.values()) > existing.id
    assert len(set(people.values())) == 7

    topics = bulk.insert_topics(session, _rows("t", 2), batch_size=3)
    sources = bulk.insert_sources(
        session,
        [
            {
                "slug": f"s-{i}",
                "title": f"Bulk source {i}",
                "kind": "paper",
                "published_on": dt.date(2020, 5, 1),
                "date_precision": "month",
                "author_ids": [people["p-0"], people["p-1"]] if i == 0 else [],
            }
            for i in range(4)
        ],
        batch_size=3,
    )
    claims = bulk.insert_claims(
        session,
        [
            {"slug": "c-0", "text": "Claim zero.", "topic_ids": list(topics.values())},
            {"slug": "c-1", "text": "Claim one."},
        ],
    )
    quote_ids = bulk.insert_quotes(
        session,
        (
            {
                "text": f"Bulk words {i}.",
                "speaker_id": people["p-0"],
                "source_id": sources["s-0"],
                "attribution": "verbatim",
                "checked": "primary",
            }
            for i in range(5)
        ),
        batch_size=2,
    )
    assert len(quote_ids) == 5 and quote_ids == sorted(quote_ids)
    stance_ids = bulk.insert_stances(
        session,
        [
            {
                "person_id": people["p-0"],
                "claim_id": claims["c-0"],
                "position": "supports",
                "basis": "explicit",
                "as_of": dt.date(2021, 1, 1),
                "evidence_ids": quote_ids[:2],
            },
            {
                "person_id": people["p-1"],
                "claim_id": claims["c-0"],
                "position": "mixed",
                "basis": "inferred",
            },
        ],
    )
    relation_ids = bulk.insert_relations(
        session,
        [{"from_claim_id": claims["c-0"], "to_claim_id": claims["c-1"], "kind": "supports"}],
    )
    bulk.finish(session)
    session.commit()

    assert datastate.current(session) == before + 1
    source = session.get(m.Source, sources["s-0"])
    assert [a.slug for a in source.authors] == ["p-0", "p-1"]
    assert source.published_on == dt.date(2020, 5, 1)
    assert source.version == 1 and source.created_at is not None
    claim = session.get(m.Claim, claims["c-0"])
    assert sorted(t.slug for t in claim.topics) == ["t-0", "t-1"]
    stance = session.get(m.Stance, stance_ids[0])
    assert [q.id for q in stance.evidence] == quote_ids[:2]
    assert stance.as_of == dt.date(2021, 1, 1)
    assert session.get(m.ClaimRelation, relation_ids[0]).to_claim.slug == "c-1"
    assert session.scalar(select(func.count()).select_from(m.Person)) == 8

    # The ORM carries on after the bulk ids (PostgreSQL's sequence was moved past them).
    later = make_person(session)
    session.commit()
    assert later.id > max(people.values())


def test_empty_input_writes_nothing(session) -> None:
    assert bulk.insert_people(session, []) == {}
    assert bulk.insert_quotes(session, iter(())) == []
    assert session.scalar(select(func.count()).select_from(m.Person)) == 0


def test_the_database_still_refuses_bad_rows(session) -> None:
    with pytest.raises(IntegrityError):
        bulk.insert_claims(session, [{"slug": "x", "text": "A."}, {"slug": "x", "text": "B."}])
