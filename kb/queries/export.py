"""Reads for the exports: every record of every entity as a kb/1 record, streamed.

Each function takes a Connection and yields plain dicts in kb.formats.kb1.FIELDS order, reading
the database with a server-side cursor (`stream_results`, `yield_per`) so memory stays flat
whatever the size. Many-to-many fields (authors, topics, evidence) come from a second stream
over the link table, sorted the same way as the records, and are merged in one pass: two
cursors, no query per record, nothing held but the current record.

Records come out in database id order (insertion order), which an import into an empty database
reproduces, so export -> import -> export gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select
from sqlalchemy.orm import aliased

from kb import models as m
from kb.dates import format_partial
from kb.formats.kb1 import quote_ref

BATCH = 1000

_Person = m.Person.__table__
_Topic = m.Topic.__table__
_Source = m.Source.__table__
_Claim = m.Claim.__table__
_Quote = m.Quote.__table__
_Stance = m.Stance.__table__
_Relation = m.ClaimRelation.__table__


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection reading one consistent snapshot, for an export that runs many queries.

    On PostgreSQL that takes REPEATABLE READ (each statement would otherwise see the data as of
    its own start); SQLite's read transaction is a snapshot already."""
    conn = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
    finally:
        conn.close()


def _stream(conn: Connection, stmt: Select) -> Iterator[Any]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    try:
        yield from result
    finally:
        result.close()


def _none_if_empty(value: Any) -> Any:
    # An empty optional text and a missing one are the same thing in kb/1 (CSV cannot tell
    # them apart), so exports write both as null.
    return None if value == "" else value


def _merge(records: Iterable[Any], links: Iterable[Any]) -> Iterator[tuple[Any, list[Any]]]:
    """Pair each record (first column: id) with the values of its links (rows of
    (owner id, value)), both streams sorted by owner id."""
    it = iter(links)
    pending = next(it, None)
    for row in records:
        values = []
        while pending is not None and pending[0] < row[0]:
            pending = next(it, None)
        while pending is not None and pending[0] == row[0]:
            values.append(pending[1])
            pending = next(it, None)
        yield row, values


def people(conn: Connection) -> Iterator[dict[str, Any]]:
    t = _Person
    stmt = select(
        t.c.id,
        t.c.slug,
        t.c.name,
        t.c.description,
        t.c.affiliation,
        t.c.birth_year,
        t.c.death_year,
        t.c.url,
    ).order_by(t.c.id)
    for r in _stream(conn, stmt):
        yield {
            "slug": r.slug,
            "name": r.name,
            "description": _none_if_empty(r.description),
            "affiliation": _none_if_empty(r.affiliation),
            "birth_year": r.birth_year,
            "death_year": r.death_year,
            "url": _none_if_empty(r.url),
        }


def topics(conn: Connection) -> Iterator[dict[str, Any]]:
    t = _Topic
    stmt = select(t.c.id, t.c.slug, t.c.name, t.c.description).order_by(t.c.id)
    for r in _stream(conn, stmt):
        yield {"slug": r.slug, "name": r.name, "description": _none_if_empty(r.description)}


def sources(conn: Connection) -> Iterator[dict[str, Any]]:
    t = _Source
    stmt = select(
        t.c.id,
        t.c.slug,
        t.c.title,
        t.c.kind,
        t.c.url,
        t.c.publisher,
        t.c.published_on,
        t.c.date_precision,
        t.c.date_note,
        t.c.archived_url,
        t.c.note,
    ).order_by(t.c.id)
    sa = m.source_author
    authors = (
        select(sa.c.source_id, _Person.c.slug)
        .join(_Person, _Person.c.id == sa.c.person_id)
        .order_by(sa.c.source_id, sa.c.person_id)
    )
    for r, author_slugs in _merge(_stream(conn, stmt), _stream(conn, authors)):
        yield {
            "slug": r.slug,
            "title": r.title,
            "kind": r.kind,
            "url": _none_if_empty(r.url),
            "publisher": _none_if_empty(r.publisher),
            "published": format_partial(r.published_on, r.date_precision),
            "date_note": _none_if_empty(r.date_note),
            "archived_url": _none_if_empty(r.archived_url),
            "note": _none_if_empty(r.note),
            "authors": author_slugs,
        }


def claims(conn: Connection) -> Iterator[dict[str, Any]]:
    t = _Claim
    stmt = select(t.c.id, t.c.slug, t.c.text, t.c.summary).order_by(t.c.id)
    ct = m.claim_topic
    links = (
        select(ct.c.claim_id, _Topic.c.slug)
        .join(_Topic, _Topic.c.id == ct.c.topic_id)
        .order_by(ct.c.claim_id, ct.c.topic_id)
    )
    for r, topic_slugs in _merge(_stream(conn, stmt), _stream(conn, links)):
        yield {
            "slug": r.slug,
            "text": r.text,
            "summary": _none_if_empty(r.summary),
            "topics": topic_slugs,
        }


def quotes(conn: Connection) -> Iterator[dict[str, Any]]:
    q = _Quote
    stmt = (
        select(
            q.c.id,
            q.c.text,
            _Person.c.slug.label("speaker"),
            _Source.c.slug.label("source"),
            q.c.locator,
            q.c.speaker_affiliation,
            q.c.attribution,
            q.c.checked,
            q.c.check_note,
            q.c.note,
        )
        .join(_Person, _Person.c.id == q.c.speaker_id)
        .join(_Source, _Source.c.id == q.c.source_id)
        .order_by(q.c.id)
    )
    for r in _stream(conn, stmt):
        yield {
            "id": quote_ref(r.id),
            "text": r.text,
            "speaker": r.speaker,
            "source": r.source,
            "locator": _none_if_empty(r.locator),
            "speaker_affiliation": _none_if_empty(r.speaker_affiliation),
            "attribution": r.attribution,
            "checked": r.checked,
            "check_note": _none_if_empty(r.check_note),
            "note": _none_if_empty(r.note),
        }


def stances(conn: Connection) -> Iterator[dict[str, Any]]:
    s = _Stance
    stmt = (
        select(
            s.c.id,
            _Person.c.slug.label("person"),
            _Claim.c.slug.label("claim"),
            s.c.position,
            s.c.basis,
            s.c.probability,
            s.c.horizon,
            s.c.as_of,
            s.c.note,
        )
        .join(_Person, _Person.c.id == s.c.person_id)
        .join(_Claim, _Claim.c.id == s.c.claim_id)
        .order_by(s.c.id)
    )
    se = m.stance_evidence
    links = select(se.c.stance_id, se.c.quote_id).order_by(se.c.stance_id, se.c.quote_id)
    for r, quote_ids in _merge(_stream(conn, stmt), _stream(conn, links)):
        yield {
            "person": r.person,
            "claim": r.claim,
            "position": r.position,
            "basis": r.basis,
            "probability": r.probability,
            "horizon": _none_if_empty(r.horizon),
            "as_of": r.as_of.isoformat() if r.as_of else None,
            "note": _none_if_empty(r.note),
            "evidence": [quote_ref(i) for i in quote_ids],
        }


def claim_relations(conn: Connection) -> Iterator[dict[str, Any]]:
    r_ = _Relation
    src = aliased(m.Claim, name="from_claim")
    dst = aliased(m.Claim, name="to_claim")
    stmt = (
        select(
            r_.c.id, src.slug.label("from_slug"), dst.slug.label("to_slug"), r_.c.kind, r_.c.note
        )
        .join(src, src.id == r_.c.from_claim_id)
        .join(dst, dst.id == r_.c.to_claim_id)
        .order_by(r_.c.id)
    )
    for r in _stream(conn, stmt):
        yield {
            "from": r.from_slug,
            "to": r.to_slug,
            "kind": r.kind,
            "note": _none_if_empty(r.note),
        }


READERS = {
    "people": people,
    "topics": topics,
    "sources": sources,
    "claims": claims,
    "quotes": quotes,
    "stances": stances,
    "claim_relations": claim_relations,
}

_TABLES = {
    "people": _Person,
    "topics": _Topic,
    "sources": _Source,
    "claims": _Claim,
    "quotes": _Quote,
    "stances": _Stance,
    "claim_relations": _Relation,
}


def counts(conn: Connection) -> dict[str, int]:
    """How many records each entity has (for the /export page)."""
    return {
        entity: conn.scalar(select(func.count()).select_from(table)) or 0
        for entity, table in _TABLES.items()
    }
