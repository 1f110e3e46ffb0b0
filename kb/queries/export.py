"""Reads for the exports: every record of every entity as a kb/1 record, streamed.

Each function takes a Connection and yields kb/1 records (ROWS: tuples in kb.formats.kb1.FIELDS
order, for CSV; READERS: the same as dicts, for JSON), reading
the database with a server-side cursor (`stream_results`, `yield_per`) so memory stays flat
whatever the size. Many-to-many fields (authors, topics, evidence) come from a second stream
over the link table, sorted the same way as the records, and are merged in one pass: two
cursors, no query per record, nothing held but the current record.

Records come out in database id order (insertion order), which an import into an empty database
reproduces, so export -> import -> export gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Engine, Select, and_, func, or_, select

from kb import models as m
from kb.dates import format_partial, utc_day
from kb.db import read_snapshot
from kb.formats.kb1 import FIELDS, quote_ref

BATCH = 1000

_Person = m.Person.__table__
_Topic = m.Topic.__table__
_Source = m.Source.__table__
_Claim = m.Claim.__table__
_Quote = m.Quote.__table__
_Stance = m.Stance.__table__
_Relation = m.ClaimRelation.__table__
_Affiliation = m.Affiliation.__table__
_Verification = m.Verification.__table__


def snapshot(engine: Engine) -> AbstractContextManager[Connection]:
    """A connection reading one consistent snapshot, for an export that runs many queries:
    an export taken while an import commits holds all of it or none (kb.db.read_snapshot)."""
    return read_snapshot(engine)


def _stream(conn: Connection, stmt: Select) -> Iterator[tuple[Any, ...]]:
    """Rows as plain tuples, fetched in batches from a server-side cursor."""
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    try:
        for batch in result.partitions(BATCH):
            yield from batch
    finally:
        result.close()


def _opt(column: Any) -> Any:
    # An empty optional text and a missing one are the same thing in kb/1 (CSV cannot tell
    # them apart), so exports write both as null.
    return func.nullif(column, "").label(column.key)


def _merge(
    records: Iterable[tuple[Any, ...]], links: Iterable[tuple[Any, Any]]
) -> Iterator[tuple[tuple[Any, ...], list[Any]]]:
    """Pair each record (first column: id) with the values of its links (rows of
    (owner id, value)), both streams sorted by owner id."""
    it = iter(links)
    pending = next(it, None)
    for row in records:
        owner = row[0]
        values = []
        while pending is not None and pending[0] < owner:
            pending = next(it, None)
        while pending is not None and pending[0] == owner:
            values.append(pending[1])
            pending = next(it, None)
        yield row, values


# Each *_rows function yields tuples in kb1.FIELDS order (a list field as a list), which the CSV
# writer uses as they are; the record functions below turn them into kb/1 dicts for JSON.


def people_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Person
    stmt = select(
        t.c.slug,
        t.c.name,
        _opt(t.c.description),
        _opt(t.c.affiliation),
        t.c.birth_year,
        t.c.death_year,
        _opt(t.c.url),
    ).order_by(t.c.id)
    return _stream(conn, stmt)


def topics_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Topic
    return _stream(conn, select(t.c.slug, t.c.name, _opt(t.c.description)).order_by(t.c.id))


def sources_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Source
    stmt = select(
        t.c.id,
        t.c.slug,
        t.c.title,
        t.c.kind,
        _opt(t.c.url),
        _opt(t.c.publisher),
        t.c.published_on,
        t.c.date_precision,
        _opt(t.c.date_note),
        _opt(t.c.archived_url),
        _opt(t.c.note),
        _opt(t.c.reader_note),
    ).order_by(t.c.id)
    sa = m.source_author
    authors = (
        select(sa.c.source_id, _Person.c.slug)
        .join(_Person, _Person.c.id == sa.c.person_id)
        .order_by(sa.c.source_id, sa.c.person_id)
    )
    for r, author_slugs in _merge(_stream(conn, stmt), _stream(conn, authors)):
        _id, slug, title, kind, url, publisher, published_on, precision, *notes = r
        note_d, archived, note, reader_note = notes
        yield (
            slug,
            title,
            kind,
            url,
            publisher,
            format_partial(published_on, precision),
            note_d,
            archived,
            note,
            reader_note,
            author_slugs,
        )


def claims_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Claim
    stmt = select(t.c.id, t.c.slug, t.c.text, _opt(t.c.summary)).order_by(t.c.id)
    ct = m.claim_topic
    links = (
        select(ct.c.claim_id, _Topic.c.slug)
        .join(_Topic, _Topic.c.id == ct.c.topic_id)
        .order_by(ct.c.claim_id, ct.c.topic_id)
    )
    for (_id, slug, text, summary), topic_slugs in _merge(
        _stream(conn, stmt), _stream(conn, links)
    ):
        yield slug, text, summary, topic_slugs


def quotes_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    q = _Quote
    stmt = (
        select(
            q.c.id,
            q.c.text,
            _Person.c.slug.label("speaker"),
            _Source.c.slug.label("source"),
            q.c.said_on,
            q.c.said_precision,
            _opt(q.c.locator),
            _opt(q.c.anchor_exact),
            _opt(q.c.anchor_prefix),
            _opt(q.c.anchor_suffix),
            _opt(q.c.speaker_affiliation),
            q.c.attribution,
            q.c.checked,
            _opt(q.c.check_note),
            _opt(q.c.note),
            _disputed(q),
        )
        .join(_Person, _Person.c.id == q.c.speaker_id)
        .join(_Source, _Source.c.id == q.c.source_id)
        .order_by(q.c.id)
    )
    for r in _stream(conn, stmt):
        yield (quote_ref(r[0]), *r[1:4], format_partial(r[4], r[5]), *r[6:])


def _disputed(q: Any) -> Any:
    """True while an editor has accepted a reader's report on the quote and no revision has
    fixed it yet (issue 18); kb/1 writes it, imports ignore it."""
    r = m.Report.__table__
    return (
        select(r.c.id)
        .where(
            r.c.target == "quote",
            r.c.target_id == q.c.id,
            r.c.status == "accepted",
            r.c.fixed_by_id.is_(None),
        )
        .exists()
        .label("disputed")
    )


def stances_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    s = _Stance
    stmt = (
        select(
            s.c.id,
            _Person.c.slug.label("person"),
            _Claim.c.slug.label("claim"),
            s.c.position,
            s.c.basis,
            s.c.probability,
            s.c.probability_high,
            _opt(s.c.horizon),
            _opt(s.c.estimate_of),
            s.c.estimate_quote_id,
            _opt(s.c.forecast_url),
            _opt(s.c.survey_url),
            s.c.as_of,
            _opt(s.c.note),
            _opt(s.c.reader_note),
        )
        .join(_Person, _Person.c.id == s.c.person_id)
        .join(_Claim, _Claim.c.id == s.c.claim_id)
        .order_by(s.c.id)
    )
    se = m.stance_evidence
    links = select(se.c.stance_id, se.c.quote_id).order_by(se.c.stance_id, se.c.quote_id)
    for r, quote_ids in _merge(_stream(conn, stmt), _stream(conn, links)):
        _id, *values, estimate_quote, forecast_url, survey_url, as_of, note, reader_note = r
        yield (
            *values,
            quote_ref(estimate_quote) if estimate_quote is not None else None,
            forecast_url,
            survey_url,
            as_of.isoformat() if as_of is not None else None,
            note,
            reader_note,
            [f"q{i}" for i in quote_ids],
        )


def claim_relations_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    r_ = _Relation
    src = _Claim.alias("from_claim")
    dst = _Claim.alias("to_claim")
    stmt = (
        select(src.c.slug, dst.c.slug, r_.c.kind, _opt(r_.c.note), _opt(r_.c.reader_note))
        .join(src, src.c.id == r_.c.from_claim_id)
        .join(dst, dst.c.id == r_.c.to_claim_id)
        .order_by(r_.c.id)
    )
    return _stream(conn, stmt)


# -- joint statements and their signatures (issue 14) -----------------------------------------

_Statement = m.Statement.__table__
_Signature = m.Signature.__table__


def statements_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Statement
    stmt = (
        select(
            t.c.slug,
            t.c.title,
            _opt(t.c.issued_by),
            t.c.issued_on,
            t.c.date_precision,
            _opt(t.c.url),
            _opt(t.c.text),
            _Claim.c.slug.label("claim"),
            t.c.position,
            _opt(t.c.note),
        )
        .outerjoin(_Claim, _Claim.c.id == t.c.claim_id)
        .order_by(t.c.id)
    )
    for slug, title, by, issued_on, precision, url, text, claim, position, note in _stream(
        conn, stmt
    ):
        date = format_partial(issued_on, precision)
        yield slug, title, by, date, url, text, claim, position, note


def signatures_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    t = _Signature
    stmt = (
        select(_Person.c.slug, _Statement.c.slug, t.c.seen_in, _opt(t.c.note))
        .join(_Person, _Person.c.id == t.c.person_id)
        .join(_Statement, _Statement.c.id == t.c.statement_id)
        .order_by(t.c.id)
    )
    return _stream(conn, stmt)


def affiliations_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    a = _Affiliation
    stmt = (
        select(
            _Person.c.slug,
            a.c.organisation,
            _opt(a.c.role),
            a.c.started_on,
            a.c.started_precision,
            a.c.ended_on,
            a.c.ended_precision,
            _opt(a.c.note),
        )
        .join(_Person, _Person.c.id == a.c.person_id)
        .order_by(a.c.id)
    )
    for person, organisation, role, started, s_prec, ended, e_prec, note in _stream(conn, stmt):
        yield (
            person,
            organisation,
            role,
            format_partial(started, s_prec),
            format_partial(ended, e_prec),
            note,
        )


def replies_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    """The right of reply (issue 18): who endorsed or disputed which quote, where and when."""
    r = m.Reply.__table__
    stmt = (
        select(
            r.c.quote_id,
            r.c.response,
            r.c.replied_by,
            _opt(r.c.representative),
            _Source.c.slug,
            r.c.replied_on,
            r.c.replied_precision,
            _opt(r.c.note),
        )
        .join(_Source, _Source.c.id == r.c.source_id)
        .order_by(r.c.id)
    )
    for quote, response, by, representative, source, day, precision, note in _stream(conn, stmt):
        date = format_partial(day, precision)
        yield quote_ref(quote), response, by, representative, source, date, note


def verifications_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    v = _Verification
    stmt = select(
        v.c.quote_id,
        v.c.seen_in,
        v.c.checked_by,
        v.c.checked_on,
        v.c.checked_precision,
        v.c.result,
        _opt(v.c.note),
    ).order_by(v.c.id)
    for quote_id, seen_in, by, on, precision, result, note in _stream(conn, stmt):
        yield quote_ref(quote_id), seen_in, by, format_partial(on, precision), result, note


def _reports_query() -> Select:
    """Every report whose record still exists, with what kb/1 names it by; a report about a
    deleted record is left out, as kb/1 could not say what it is about."""
    r, q, st = m.Report.__table__, _Quote, _Stance
    src = _Source.alias("report_source")
    person, claim = _Person.alias("stance_person"), _Claim.alias("stance_claim")
    rev = m.Revision.__table__
    return (
        select(
            r.c.target,
            q.c.id,
            src.c.slug,
            person.c.slug,
            claim.c.slug,
            st.c.as_of,
            r.c.kind,
            r.c.status,
            r.c.created_at,
            _opt(r.c.resolution),
            rev.c.id.is_not(None).label("fixed"),
            rev.c.created_at.label("fixed_at"),
        )
        .select_from(r)
        .outerjoin(q, and_(r.c.target == "quote", q.c.id == r.c.target_id))
        .outerjoin(src, and_(r.c.target == "source", src.c.id == r.c.target_id))
        .outerjoin(st, and_(r.c.target == "stance", st.c.id == r.c.target_id))
        .outerjoin(person, person.c.id == st.c.person_id)
        .outerjoin(claim, claim.c.id == st.c.claim_id)
        .outerjoin(rev, rev.c.id == r.c.fixed_by_id)
        .where(or_(q.c.id.is_not(None), src.c.id.is_not(None), st.c.id.is_not(None)))
        .order_by(r.c.id)
    )


def reports_rows(conn: Connection) -> Iterator[tuple[Any, ...]]:
    """Readers' reports (issue 18), public fields only: what was reported and what the editors
    decided. Never the reader's e-mail, explanation or evidence URL: the form promises them to
    kb's editors alone, so no column of theirs is even read here."""
    for row in _stream(conn, _reports_query()):
        target, quote, source, person, claim, as_of, kind, status, filed, note, fixed, at = row
        yield (
            target,
            quote_ref(quote) if quote is not None else None,
            source,
            person,
            claim,
            as_of.isoformat() if as_of is not None else None,
            kind,
            status,
            utc_day(filed).isoformat(),
            note,
            bool(fixed),
            utc_day(at).isoformat() if at is not None else None,
        )


ROWS: dict[str, Callable[[Connection], Iterator[tuple[Any, ...]]]] = {
    "people": people_rows,
    "topics": topics_rows,
    "sources": sources_rows,
    "claims": claims_rows,
    "quotes": quotes_rows,
    "stances": stances_rows,
    "claim_relations": claim_relations_rows,
    "statements": statements_rows,
    "signatures": signatures_rows,
    "affiliations": affiliations_rows,
    "replies": replies_rows,
    "verifications": verifications_rows,
    "reports": reports_rows,
}


def _records(entity: str) -> Callable[[Connection], Iterator[dict[str, Any]]]:
    fields = FIELDS[entity]
    rows = ROWS[entity]

    def records(conn: Connection) -> Iterator[dict[str, Any]]:
        for row in rows(conn):
            yield dict(zip(fields, row, strict=True))

    records.__name__ = entity
    records.__doc__ = f"Every {entity} record as a kb/1 dict, streamed."
    return records


READERS = {entity: _records(entity) for entity in ROWS}


class Reader:
    """Records and rows of every entity over one connection (see kb.formats.exports)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def records(self, entity: str) -> Iterator[dict[str, Any]]:
        return READERS[entity](self.conn)

    def rows(self, entity: str) -> Iterator[tuple[Any, ...]]:
        return ROWS[entity](self.conn)


_TABLES = {
    "people": _Person,
    "topics": _Topic,
    "sources": _Source,
    "claims": _Claim,
    "quotes": _Quote,
    "stances": _Stance,
    "claim_relations": _Relation,
    "statements": _Statement,
    "signatures": _Signature,
    "affiliations": _Affiliation,
    "replies": m.Reply.__table__,
    "verifications": _Verification,
}


def counts(conn: Connection) -> dict[str, int]:
    """How many records each entity has (for the /export page): of reports, those an export
    writes (not those about a record deleted since)."""
    found = {
        entity: conn.scalar(select(func.count()).select_from(table)) or 0
        for entity, table in _TABLES.items()
    }
    exported = _reports_query().with_only_columns(func.count()).order_by(None)
    return {**found, "reports": conn.scalar(exported) or 0}
