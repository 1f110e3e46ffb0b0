"""Reads for the publishable SQLite copy (kb.formats.sqlite_copy): each table's rows as dicts
keyed by the copy's column names, streamed like the other exports (kb.queries.export).

Only what kb/1 publishes is read: the columns below are chosen one by one, so a column added
to a model later (or the accounts, revisions and login attempts, which no function here reads)
never slips into a published file by accident. Records keep their database ids, which the
copy's foreign keys use; partial dates come out in kb/1's short form ("2003", "2017-02",
"2017-07-17").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Select, func, select

from kb import models as m
from kb.dates import format_partial
from kb.queries.export import _opt, _stream
from kb.rules import slugify

Rows = Iterator[dict[str, Any]]

_P = m.Person.__table__
_T = m.Topic.__table__
_S = m.Source.__table__
_C = m.Claim.__table__
_Q = m.Quote.__table__
_ST = m.Stance.__table__
_R = m.ClaimRelation.__table__
_A = m.Affiliation.__table__
_SM = m.Statement.__table__
_SG = m.Signature.__table__


def _dicts(conn: Connection, stmt: Select, dates: dict[str, tuple[str, str]] | None = None) -> Rows:
    """Rows of `stmt` as dicts by column label; `dates` turns a (date, precision) pair of
    columns into one partial date under a new name."""
    names = [c.name for c in stmt.selected_columns]
    for row in _stream(conn, stmt):
        record = dict(zip(names, row, strict=True))
        for name, (value, precision) in (dates or {}).items():
            record[name] = format_partial(record.pop(value), record.pop(precision))
        yield record


def people(conn: Connection) -> Rows:
    t = _P
    cols = (t.c.id, t.c.slug, t.c.name, _opt(t.c.description), _opt(t.c.affiliation))
    stmt = select(*cols, t.c.birth_year, t.c.death_year, _opt(t.c.url)).order_by(t.c.id)
    return _dicts(conn, stmt)


def _organisation_key(name: str) -> str:
    # the people list's ?organisation= groups names by slug; a name with no ASCII letters
    # (which slugifies to nothing) stands for itself
    return slugify(name) or name


def _organisation_ids(conn: Connection) -> dict[str, int]:
    """Each organisation key with its id in the copy, numbered by first appearance."""
    ids: dict[str, int] = {}
    stmt = select(_A.c.organisation).group_by(_A.c.organisation).order_by(func.min(_A.c.id))
    for (name,) in _stream(conn, stmt):
        ids.setdefault(_organisation_key(name), len(ids) + 1)
    return ids


def organisations(conn: Connection) -> Rows:
    seen: set[str] = set()
    ids = _organisation_ids(conn)
    stmt = select(_A.c.organisation).group_by(_A.c.organisation).order_by(func.min(_A.c.id))
    for (name,) in _stream(conn, stmt):
        key = _organisation_key(name)
        if key not in seen:
            seen.add(key)
            yield {"id": ids[key], "slug": slugify(name) or None, "name": name}


def affiliations(conn: Connection) -> Rows:
    a = _A
    ids = _organisation_ids(conn)
    stmt = select(
        a.c.id,
        a.c.person_id,
        a.c.organisation,
        _opt(a.c.role),
        a.c.started_on,
        a.c.started_precision,
        a.c.ended_on,
        a.c.ended_precision,
        _opt(a.c.note),
    ).order_by(a.c.id)
    dates = {
        "started": ("started_on", "started_precision"),
        "ended": ("ended_on", "ended_precision"),
    }
    for record in _dicts(conn, stmt, dates):
        name = record.pop("organisation")
        yield {"organisation_id": ids[_organisation_key(name)], **record}


def topics(conn: Connection) -> Rows:
    t = _T
    return _dicts(conn, select(t.c.id, t.c.slug, t.c.name, _opt(t.c.description)).order_by(t.c.id))


def sources(conn: Connection) -> Rows:
    t = _S
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
    return _dicts(conn, stmt, {"published": ("published_on", "date_precision")})


def _links(conn: Connection, table: Any, left: str, right: str) -> Rows:
    stmt = select(table.c[left], table.c[right]).order_by(table.c[left], table.c[right])
    return _dicts(conn, stmt)


def claims(conn: Connection) -> Rows:
    t = _C
    return _dicts(conn, select(t.c.id, t.c.slug, t.c.text, _opt(t.c.summary)).order_by(t.c.id))


def quotes(conn: Connection) -> Rows:
    q = _Q
    stmt = select(
        q.c.id,
        q.c.text,
        q.c.speaker_id,
        q.c.source_id,
        q.c.said_on,
        q.c.said_precision,
        _opt(q.c.locator),
        _opt(q.c.speaker_affiliation),
        q.c.attribution,
        q.c.checked,
        _opt(q.c.check_note),
        _opt(q.c.note),
    ).order_by(q.c.id)
    return _dicts(conn, stmt, {"said": ("said_on", "said_precision")})


def statements(conn: Connection) -> Rows:
    t = _SM
    stmt = select(
        t.c.id,
        t.c.slug,
        t.c.title,
        _opt(t.c.issued_by),
        t.c.issued_on,
        t.c.date_precision,
        _opt(t.c.url),
        _opt(t.c.text),
        t.c.claim_id,
        t.c.position,
        _opt(t.c.note),
    ).order_by(t.c.id)
    return _dicts(conn, stmt, {"issued": ("issued_on", "date_precision")})


def signatures(conn: Connection) -> Rows:
    t = _SG
    stmt = select(t.c.id, t.c.person_id, t.c.statement_id, t.c.seen_in, _opt(t.c.note))
    return _dicts(conn, stmt.order_by(t.c.id))


def stances(conn: Connection) -> Rows:
    s = _ST
    stmt = select(
        s.c.id,
        s.c.person_id,
        s.c.claim_id,
        s.c.position,
        s.c.basis,
        s.c.probability,
        s.c.probability_high,
        _opt(s.c.horizon),
        _opt(s.c.estimate_of),
        s.c.estimate_quote_id,
        s.c.as_of,
        s.c.latest,
        _opt(s.c.note),
        _opt(s.c.reader_note),
    ).order_by(s.c.id)
    for record in _dicts(conn, stmt):
        as_of = record["as_of"]
        record["as_of"] = as_of.isoformat() if as_of is not None else None
        record["latest"] = int(bool(record["latest"]))
        yield record


def claim_relations(conn: Connection) -> Rows:
    r = _R
    stmt = select(
        r.c.id, r.c.from_claim_id, r.c.to_claim_id, r.c.kind, _opt(r.c.note), _opt(r.c.reader_note)
    )
    return _dicts(conn, stmt.order_by(r.c.id))


TABLES: dict[str, Callable[[Connection], Rows]] = {
    "people": people,
    "organisations": organisations,
    "affiliations": affiliations,
    "topics": topics,
    "sources": sources,
    "source_authors": lambda conn: _links(conn, m.source_author, "source_id", "person_id"),
    "claims": claims,
    "claim_topics": lambda conn: _links(conn, m.claim_topic, "claim_id", "topic_id"),
    "quotes": quotes,
    "statements": statements,
    "signatures": signatures,
    "stances": stances,
    "stance_evidence": lambda conn: _links(conn, m.stance_evidence, "stance_id", "quote_id"),
    "claim_relations": claim_relations,
}
"""Every table of the copy (kb.formats.sqlite_copy.TABLES names the same ones) with its read."""


def table_rows(conn: Connection) -> dict[str, Rows]:
    """Each table's rows over one connection; a table's query runs only when its rows are read
    (the writer reads one table after the other, so one cursor is open at a time)."""
    return {name: _lazy(read, conn) for name, read in TABLES.items()}


def _lazy(read: Callable[[Connection], Rows], conn: Connection) -> Rows:
    yield from read(conn)


def counts(conn: Connection) -> dict[str, int]:
    """How many rows each table of the copy gets, for a progress bar."""
    out = {}
    for name, table in (
        ("people", _P),
        ("topics", _T),
        ("sources", _S),
        ("claims", _C),
        ("quotes", _Q),
        ("stances", _ST),
        ("claim_relations", _R),
        ("affiliations", _A),
        ("statements", _SM),
        ("signatures", _SG),
        ("source_authors", m.source_author),
        ("claim_topics", m.claim_topic),
        ("stance_evidence", m.stance_evidence),
    ):
        out[name] = conn.scalar(select(func.count()).select_from(table)) or 0
    return out
