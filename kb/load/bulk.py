"""Fast batched inserts of many new records at once, shared by `kb synth` and `kb import`.

The ORM is the right tool for editing a record; it is the wrong one for a million. This module
writes with SQLAlchemy Core `executemany` in batches, which runs close to the speed of the
database driver itself on SQLite and PostgreSQL alike.

Usage (the caller owns the transaction, as everywhere in kb):

    with session_scope() as session:
        people = bulk.insert_people(session, [{"slug": "ada", "name": "Ada"}])
        sources = bulk.insert_sources(
            session, [{"slug": "s1", "title": "T", "kind": "article", "author_ids": [people["ada"]]}]
        )
        quote_ids = bulk.insert_quotes(session, [{"text": "...", "speaker_id": people["ada"],
                                                  "source_id": sources["s1"],
                                                  "attribution": "verbatim", "checked": "primary"}])
        bulk.finish(session)          # bumps the data version once

Each `insert_*` function takes an iterable of row dicts keyed by the model's column names
(missing optional columns are NULL) and consumes it lazily, `batch_size` rows at a time, so a
generator of a million rows never sits in memory at once. Link tables ride along with their
owner: `author_ids` on a source, `topic_ids` on a claim, `evidence_ids` on a stance.

What it does not do, on purpose:
- no validation beyond the database's own constraints (callers such as `kb import` check their
  input first and name the record, line and field of a problem; an IntegrityError here is a bug
  in the caller);
- no per-row Revision records (a million revisions of "created" would say nothing); the import
  command records one summary revision itself if it wants one;
- no upsert: every row is new. Ids are assigned here, counting up from the table's current
  maximum, which is why ids can be returned without a round trip per row. So that no other
  writer (an editor saving a form) can take one of those ids in between, the table is locked
  against writes before its maximum is read, until the caller's transaction ends
  (`lock_for_writing`: SQLite's write lock, PostgreSQL's SHARE ROW EXCLUSIVE); the other writer
  waits for the commit, or gives up after the database's lock timeout with a "busy" answer. On
  PostgreSQL the id sequences are moved past the new ids afterwards, so later ORM inserts
  continue from there.
- `created_at`, `updated_at` and `version` come from the columns' server defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import Column, MetaData, Table, func, insert, select, text
from sqlalchemy.orm import Session

from kb import models as m
from kb.naturalsort import sort_key
from kb.store import agreement_store, datastate, latest

DEFAULT_BATCH_SIZE = 5000
# SQLite's page cache for the connection while a bulk insert runs, in KiB. The default (2 MB)
# is far smaller than the indexes a million-row load updates at random places (e.g. evidence
# by quote id), so every batch would read and write the same index pages again and again.
SQLITE_BULK_CACHE_KIB = 256 * 1024

Progress = Callable[[int], None]
Row = Mapping[str, Any]

# Columns each table takes from the caller; id is assigned here, timestamps and version come
# from server defaults.
PERSON_COLUMNS = ("slug", "name", "description", "affiliation", "birth_year", "death_year", "url")
TOPIC_COLUMNS = ("slug", "name", "description")
SOURCE_COLUMNS = (
    "slug",
    "title",
    "kind",
    "url",
    "publisher",
    "published_on",
    "date_precision",
    "date_note",
    "archived_url",
    "note",
    "reader_note",
)
CLAIM_COLUMNS = ("slug", "text", "summary")
QUOTE_COLUMNS = (
    "text",
    "speaker_id",
    "source_id",
    "locator",
    "anchor_exact",
    "anchor_prefix",
    "anchor_suffix",
    "said_on",
    "said_precision",
    "speaker_affiliation",
    "attribution",
    "checked",
    "check_note",
    "note",
)
STANCE_COLUMNS = (
    "person_id",
    "claim_id",
    "position",
    "basis",
    "probability",
    "probability_high",
    "horizon",
    "estimate_of",
    "estimate_quote_id",
    "forecast_url",
    "survey_url",
    "as_of",
    "note",
    "reader_note",
)
RELATION_COLUMNS = ("from_claim_id", "to_claim_id", "kind", "note", "reader_note")
STATEMENT_COLUMNS = (
    "slug",
    "title",
    "issued_by",
    "issued_on",
    "date_precision",
    "url",
    "text",
    "claim_id",
    "position",
    "note",
)
SIGNATURE_COLUMNS = ("person_id", "statement_id", "seen_in", "note")
REPLY_COLUMNS = (
    "quote_id",
    "response",
    "replied_by",
    "representative",
    "source_id",
    "replied_on",
    "replied_precision",
    "note",
)
AFFILIATION_COLUMNS = (
    "person_id",
    "organisation",
    "role",
    "started_on",
    "started_precision",
    "ended_on",
    "ended_precision",
    "note",
)
VERIFICATION_COLUMNS = (
    "quote_id",
    "seen_in",
    "checked_by",
    "checked_on",
    "checked_precision",
    "result",
    "note",
)
# An imported reader's report (issue 18): kb/1 has no e-mail or evidence link, and its filing
# day is the record's own, so created_at is given rather than left to the server default.
REPORT_COLUMNS = (
    "target",
    "target_id",
    "kind",
    "explanation",
    "status",
    "resolution",
    "fixed_by_id",
    "created_at",
)

_bare_metadata = MetaData()

# Tables whose rows carry a sort key (kb.naturalsort), and the column it is made from.
_SORTED = {model.__tablename__: column for model, column in m.SORTED_BY.items()}


def _bare(table: Table, columns: tuple[str, ...]) -> Table:
    """A copy of `table` with only id and `columns`, and no Python-side defaults.

    Inserting through the model's own Table would call `utcnow()` for created_at/updated_at
    once per row; leaving those columns out of this copy lets the database fill them from its
    server default instead, at no cost per row."""
    cols = [Column("id", table.c.id.type, primary_key=True)]
    cols += [Column(name, table.c[name].type) for name in columns]
    if table.name in _SORTED:
        cols.append(Column("sort_key", table.c.sort_key.type))
    return Table(table.name, _bare_metadata, *cols)


_BARE: dict[str, Table] = {
    "person": _bare(m.Person.__table__, PERSON_COLUMNS),
    "topic": _bare(m.Topic.__table__, TOPIC_COLUMNS),
    "source": _bare(m.Source.__table__, SOURCE_COLUMNS),
    "claim": _bare(m.Claim.__table__, CLAIM_COLUMNS),
    "quote": _bare(m.Quote.__table__, QUOTE_COLUMNS),
    "stance": _bare(m.Stance.__table__, STANCE_COLUMNS),
    "claim_relation": _bare(m.ClaimRelation.__table__, RELATION_COLUMNS),
    "statement": _bare(m.Statement.__table__, STATEMENT_COLUMNS),
    "signature": _bare(m.Signature.__table__, SIGNATURE_COLUMNS),
    "affiliation": _bare(m.Affiliation.__table__, AFFILIATION_COLUMNS),
    "reply": _bare(m.Reply.__table__, REPLY_COLUMNS),
    "verification": _bare(m.Verification.__table__, VERIFICATION_COLUMNS),
    "report": _bare(m.Report.__table__, REPORT_COLUMNS),
}


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def lock_for_writing(session: Session, tables: Iterable[str]) -> None:
    """Keep other writers out of `tables` until the session's transaction ends, so that ids
    counted from a table's maximum (here and in kb.load.importer) stay free and keys read from it
    stay true. Readers go on. SQLite has one write lock for the whole file: taken now with
    BEGIN IMMEDIATE, unless this transaction already writes (and so holds it)."""
    conn = session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        sqlite_conn = conn.connection.driver_connection
        assert sqlite_conn is not None  # a connection in use has its DB-API connection
        if not sqlite_conn.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        names = ", ".join(sorted(set(tables)))
        conn.exec_driver_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def _next_id(session: Session, table_name: str) -> int:
    lock_for_writing(session, [table_name])  # before the maximum is read
    table = _BARE[table_name]
    return (session.scalar(select(func.max(table.c.id))) or 0) + 1


@contextmanager
def _big_cache(session: Session) -> Iterator[None]:
    """On SQLite, a large page cache for the duration of one bulk insert, then the
    connection's own setting again (the connection goes back to a pool)."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def _sync_sequence(session: Session, table_name: str) -> None:
    """On PostgreSQL, move the id sequence past the ids assigned here (SQLite needs nothing:
    its next rowid is always max(id) + 1)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
            f"GREATEST((SELECT MAX(id) FROM {table_name}), 1))"
        )
    )


def _insert(
    session: Session,
    table_name: str,
    columns: tuple[str, ...],
    rows: Iterable[Row],
    batch_size: int,
    progress: Progress | None,
    on_batch: Callable[[list[Row], int], None] | None = None,
) -> list[int]:
    """Insert `rows` into `table_name`, returning the assigned ids in input order.
    `on_batch(batch, first_id)` runs after each batch (for link tables)."""
    table = _BARE[table_name]
    sorted_by = _SORTED.get(table_name)
    stmt = insert(table)
    conn = session.connection()
    next_id = _next_id(session, table_name)
    ids: list[int] = []
    with _big_cache(session):
        for batch in _batches(rows, batch_size):
            first = next_id
            params = []
            for row in batch:
                values = {name: row.get(name) for name in columns}
                values["id"] = next_id
                if sorted_by is not None:
                    values["sort_key"] = sort_key(values[sorted_by] or "")
                next_id += 1
                params.append(values)
            conn.execute(stmt, params)
            if on_batch is not None:
                on_batch(batch, first)
            ids.extend(range(first, next_id))
            if progress is not None:
                progress(len(batch))
    if ids:
        _sync_sequence(session, table_name)
    return ids


def _insert_links(session: Session, table: Table, pairs: list[dict[str, int]]) -> None:
    if pairs:
        session.connection().execute(insert(table), pairs)


def _slugged(
    session: Session,
    table_name: str,
    columns: tuple[str, ...],
    rows: Iterable[Row],
    batch_size: int,
    progress: Progress | None,
    links: tuple[str, Table, str, str] | None = None,
) -> dict[str, int]:
    slugs: dict[str, int] = {}

    def on_batch(batch: list[Row], first_id: int) -> None:
        pairs: list[dict[str, int]] = []
        for offset, row in enumerate(batch):
            slugs[row["slug"]] = first_id + offset
            if links is not None:
                key, _table, own, other = links
                pairs.extend({own: first_id + offset, other: o} for o in row.get(key) or ())
        if links is not None:
            _insert_links(session, links[1], pairs)

    _insert(session, table_name, columns, rows, batch_size, progress, on_batch)
    return slugs


def insert_people(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert new people; returns slug -> id."""
    return _slugged(session, "person", PERSON_COLUMNS, rows, batch_size, progress)


def insert_topics(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert new topics; returns slug -> id."""
    return _slugged(session, "topic", TOPIC_COLUMNS, rows, batch_size, progress)


def insert_sources(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert new sources, each with optional `author_ids` (person ids); returns slug -> id."""
    links = ("author_ids", m.source_author, "source_id", "person_id")
    return _slugged(session, "source", SOURCE_COLUMNS, rows, batch_size, progress, links)


def insert_claims(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert new claims, each with optional `topic_ids`; returns slug -> id."""
    links = ("topic_ids", m.claim_topic, "claim_id", "topic_id")
    return _slugged(session, "claim", CLAIM_COLUMNS, rows, batch_size, progress, links)


def insert_quotes(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new quotes; returns their ids in the order given."""
    return _insert(session, "quote", QUOTE_COLUMNS, rows, batch_size, progress)


def insert_stances(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new stances, each with optional `evidence_ids` (quote ids, which must be quotes
    by the stance's person: the caller checks that); returns their ids in the order given."""

    def on_batch(batch: list[Row], first_id: int) -> None:
        latest.note(session, ((row["person_id"], row["claim_id"]) for row in batch))
        agreement_store.note_bulk(session)
        pairs = [
            {"stance_id": first_id + offset, "quote_id": quote_id}
            for offset, row in enumerate(batch)
            for quote_id in row.get("evidence_ids") or ()
        ]
        _insert_links(session, m.stance_evidence, pairs)

    return _insert(session, "stance", STANCE_COLUMNS, rows, batch_size, progress, on_batch)


def insert_relations(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new claim relations; returns their ids in the order given."""
    return _insert(session, "claim_relation", RELATION_COLUMNS, rows, batch_size, progress)


def insert_statements(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Insert new joint statements; returns slug -> id."""
    return _slugged(session, "statement", STATEMENT_COLUMNS, rows, batch_size, progress)


def insert_signatures(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new signatures; returns their ids in the order given."""
    return _insert(session, "signature", SIGNATURE_COLUMNS, rows, batch_size, progress)


def insert_replies(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new replies to quotes' attributions; returns their ids in the order given."""
    return _insert(session, "reply", REPLY_COLUMNS, rows, batch_size, progress)


def insert_affiliations(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new affiliations; returns their ids in the order given."""
    return _insert(session, "affiliation", AFFILIATION_COLUMNS, rows, batch_size, progress)


def insert_verifications(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert new verification entries; returns their ids in the order given."""
    return _insert(session, "verification", VERIFICATION_COLUMNS, rows, batch_size, progress)


def insert_reports(
    session: Session,
    rows: Iterable[Row],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> list[int]:
    """Insert readers' reports read from kb/1 (each with its created_at); returns their ids."""
    return _insert(session, "report", REPORT_COLUMNS, rows, batch_size, progress)


def finish(session: Session) -> None:
    """Recompute which stances are the latest, bump the data version once, so caches (ETags,
    graphs) see the new data, and rebuild the agreement store if stances went in. Call it after
    the last insert, before committing: Core writes do not trigger the ORM listeners that do
    all three for ordinary edits."""
    latest.refresh_noted(session)
    datastate.bump(session)
    agreement_store.after_bulk(session)
