"""The publishable SQLite copy (`kb export --format sqlite`): readable tables for Datasette and
sqlite-utils, and the Datasette metadata that titles and describes them.

kb's own database file is not for publishing: it holds the accounts (password hashes), the login
attempts, the full revision history (who changed what, when, with every earlier value) and
kb's bookkeeping (version counters, timestamps, the data version), and its only search index is
the combined search_fts table, whose rowids point at no table Datasette can show. The copy
holds what the public kb/1 export holds, no more: every column below is a kb/1 field (or the
database id that kb/1 already publishes as a quote's "q<id>"), so publishing it reveals nothing
the site does not already serve to every reader. Records keep their database ids as primary
keys, and records point at each other by id with declared foreign keys, so Datasette links a
quote to its speaker and shows the speaker's name (each table's `label`). People, claims,
quotes, sources, topics and statements each get their own FTS5 index (sqlite-utils'
`enable_fts`), which gives each of those tables Datasette's search box.

Nothing here knows SQL sessions or HTTP: `write_copy` takes each table's rows as dicts
(kb.queries.publish reads them) and a path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class Table:
    """One table of the copy: its columns (name -> SQLite type, the first is the primary key
    unless `pk` names several), what the reader is told it holds, the column Datasette shows
    for a row that another table points at, the foreign keys (column -> table) and the columns
    the table's own search box searches, and the columns Datasette offers as facets (the
    enumerations readers filter by: a stance's position, a quote's attribution); `required`
    columns are NOT NULL, as kb/1 requires them."""

    name: str
    title: str
    description: str
    columns: dict[str, type]
    label: str | None = None
    foreign_keys: dict[str, str] = field(default_factory=dict)
    search: tuple[str, ...] = ()
    pk: tuple[str, ...] = ("id",)
    facets: tuple[str, ...] = ()
    required: tuple[str, ...] = ()


# In dependency order: a table points only at tables above it.
TABLES: tuple[Table, ...] = (
    Table(
        "people",
        "People",
        "Everyone whose views kb records: researchers, executives, writers, officials.",
        {
            "id": int,
            "slug": str,
            "name": str,
            "description": str,
            "affiliation": str,
            "birth_year": int,
            "death_year": int,
            "url": str,
        },
        label="name",
        search=("name", "description", "affiliation"),
        required=("slug", "name"),
    ),
    Table(
        "organisations",
        "Organisations",
        "Every organisation a person is or was affiliated with (one row per name as the "
        "people list's organisation filter groups them).",
        {"id": int, "slug": str, "name": str},
        label="name",
        required=("name",),
    ),
    Table(
        "affiliations",
        "Affiliations",
        "A person's role at an organisation, from one date to another (dates as precise as "
        "the evidence: 2003, 2017-02 or 2017-07-17; an open end is to this day or unknown).",
        {
            "id": int,
            "person_id": int,
            "organisation_id": int,
            "role": str,
            "started": str,
            "ended": str,
            "note": str,
        },
        foreign_keys={"person_id": "people", "organisation_id": "organisations"},
        required=("person_id", "organisation_id"),
    ),
    Table(
        "topics",
        "Topics",
        "The subjects that group the claims.",
        {"id": int, "slug": str, "name": str, "description": str},
        label="name",
        search=("name", "description"),
        required=("slug", "name"),
    ),
    Table(
        "sources",
        "Sources",
        "Where the quotes were found: articles, interviews, talks, books, papers, posts.",
        {
            "id": int,
            "slug": str,
            "title": str,
            "kind": str,
            "url": str,
            "publisher": str,
            "published": str,
            "date_note": str,
            "archived_url": str,
            "note": str,
            "reader_note": str,
        },
        label="title",
        search=("title", "publisher", "note"),
        facets=("kind",),
        required=("slug", "title", "kind"),
    ),
    Table(
        "source_authors",
        "Source authors",
        "Who wrote each source.",
        {"source_id": int, "person_id": int},
        foreign_keys={"source_id": "sources", "person_id": "people"},
        pk=("source_id", "person_id"),
    ),
    Table(
        "claims",
        "Claims",
        "Statements about AI risk that people support, oppose or hold mixed views on.",
        {"id": int, "slug": str, "text": str, "summary": str},
        label="text",
        search=("text", "summary"),
        required=("slug", "text"),
    ),
    Table(
        "claim_topics",
        "Claim topics",
        "The topics of each claim.",
        {"claim_id": int, "topic_id": int},
        foreign_keys={"claim_id": "claims", "topic_id": "topics"},
        pk=("claim_id", "topic_id"),
    ),
    Table(
        "quotes",
        "Quotes",
        "People's words, each from a source, with how it was attributed (verbatim, paraphrase, "
        "translation) and checked (primary source, reprint, widely reported, secondary).",
        {
            "id": int,
            "text": str,
            "speaker_id": int,
            "source_id": int,
            "said": str,
            "locator": str,
            "speaker_affiliation": str,
            "attribution": str,
            "checked": str,
            "check_note": str,
            "note": str,
        },
        label="text",
        foreign_keys={"speaker_id": "people", "source_id": "sources"},
        search=("text", "speaker_affiliation", "note"),
        facets=("attribution", "checked"),
        required=("text", "speaker_id", "source_id", "attribution", "checked"),
    ),
    Table(
        "statements",
        "Joint statements",
        "Open letters and joint statements; signing one counts as a stance on its claim.",
        {
            "id": int,
            "slug": str,
            "title": str,
            "issued_by": str,
            "issued": str,
            "url": str,
            "text": str,
            "claim_id": int,
            "position": str,
            "note": str,
        },
        label="title",
        foreign_keys={"claim_id": "claims"},
        search=("title", "issued_by", "text"),
        required=("slug", "title"),
    ),
    Table(
        "signatures",
        "Signatures",
        "Who signed which statement, and where the signature was seen.",
        {"id": int, "person_id": int, "statement_id": int, "seen_in": str, "note": str},
        foreign_keys={"person_id": "people", "statement_id": "statements"},
        required=("person_id", "statement_id", "seen_in"),
    ),
    Table(
        "stances",
        "Stances",
        "A person's position on a claim (supports, opposes, mixed) as of a date, stated "
        "(explicit) or read from their words (inferred), with any probability estimate they "
        "gave; `latest` marks the stance that counts for its person and claim.",
        {
            "id": int,
            "person_id": int,
            "claim_id": int,
            "position": str,
            "basis": str,
            "probability": float,
            "probability_high": float,
            "horizon": str,
            "estimate_of": str,
            "estimate_quote_id": int,
            "as_of": str,
            "latest": int,
            "note": str,
            "reader_note": str,
        },
        foreign_keys={"person_id": "people", "claim_id": "claims", "estimate_quote_id": "quotes"},
        facets=("position", "basis", "latest"),
        required=("person_id", "claim_id", "position", "basis", "latest"),
    ),
    Table(
        "stance_evidence",
        "Stance evidence",
        "The quotes each stance rests on.",
        {"stance_id": int, "quote_id": int},
        foreign_keys={"stance_id": "stances", "quote_id": "quotes"},
        pk=("stance_id", "quote_id"),
    ),
    Table(
        "claim_relations",
        "Claim relations",
        "One claim supports or contradicts another.",
        {
            "id": int,
            "from_claim_id": int,
            "to_claim_id": int,
            "kind": str,
            "note": str,
            "reader_note": str,
        },
        foreign_keys={"from_claim_id": "claims", "to_claim_id": "claims"},
        facets=("kind",),
        required=("from_claim_id", "to_claim_id", "kind"),
    ),
)

# Views: a reader's questions answered with names rather than ids (Datasette lists them too).
VIEWS: dict[str, tuple[str, str]] = {
    "estimates": (
        "Probability estimates: who gave which number for what, on which claim.",
        "SELECT s.id AS stance_id, p.name AS person, c.text AS claim, s.position,"
        " s.probability, s.probability_high, s.estimate_of, s.horizon, s.as_of"
        " FROM stances s JOIN people p ON p.id = s.person_id JOIN claims c ON c.id = s.claim_id"
        " WHERE s.probability IS NOT NULL OR s.estimate_of IS NOT NULL",
    ),
    "current_stances": (
        "Each person's stance that counts on each claim (the latest one), with names.",
        "SELECT s.id AS stance_id, p.name AS person, c.text AS claim, s.position, s.basis,"
        " s.as_of FROM stances s JOIN people p ON p.id = s.person_id"
        " JOIN claims c ON c.id = s.claim_id WHERE s.latest = 1",
    ),
}

DESCRIPTION = (
    "Who claims what about AI risk, and on what evidence: people, the claims they take "
    "positions on, the quotes and sources behind each stance, and joint statements."
)
# FTS5 folding accents, so that "Chollet" and "Francois" find "François".
TOKENIZE = "unicode61 remove_diacritics 2"


def write_copy(
    path: Path,
    rows: Mapping[str, Iterable[dict[str, Any]]],
    on_table: Callable[[str], None] | None = None,
) -> None:
    """Write every table of TABLES (rows[name]: its rows as dicts keyed by column), its
    search index and the views into a new SQLite file at `path` (which must not exist)."""
    db = sqlite_utils.Database(path, recreate=False)
    try:
        db.conn.execute("PRAGMA foreign_keys = ON")
        for table in TABLES:
            if on_table is not None:
                on_table(table.name)
            _create(db, table)
            if "slug" in table.columns:  # a record's slug is unique in kb, so it is here
                db.table(table.name).create_index(["slug"], unique=True)
            db.table(table.name).insert_all(rows[table.name], batch_size=1000)
        for table in TABLES:
            if table.search:
                db.table(table.name).enable_fts(
                    list(table.search), fts_version="FTS5", tokenize=TOKENIZE
                )
        for name, (_about, sql) in VIEWS.items():
            db.create_view(name, sql)
        db.index_foreign_keys()
        db.conn.execute("ANALYZE")
        db.conn.commit()
        db.vacuum()
    finally:
        db.close()


def _create(db: sqlite_utils.Database, table: Table) -> None:
    pk: str | tuple[str, ...] = table.pk[0] if len(table.pk) == 1 else table.pk
    db.table(table.name).create(
        table.columns,
        pk=pk,
        not_null={*table.pk, *table.required},
        foreign_keys=[(column, other, "id") for column, other in table.foreign_keys.items()],
    )


def metadata(
    database: str,
    title: str,
    licence: str | None = None,
    licence_url: str | None = None,
    source_url: str | None = None,
) -> dict[str, Any]:
    """Datasette's metadata for the copy named `database` (the file name without .sqlite):
    the title, description, licence and source, and each table's title, description and
    label column. A licence is named only when the publisher gives one: kb cannot know
    under what terms its quotes of other people's words may be republished."""
    about: dict[str, Any] = {"title": title, "description": DESCRIPTION, "source": "kb"}
    if source_url:
        about["source_url"] = source_url
    if licence:
        about["license"] = licence
    if licence_url:
        about["license_url"] = licence_url
    tables: dict[str, Any] = {}
    for table in TABLES:
        entry: dict[str, Any] = {"title": table.title, "description": table.description}
        if table.label:
            entry["label_column"] = table.label
        if table.facets:
            entry["facets"] = list(table.facets)
        tables[table.name] = entry
    for name, (about_view, _sql) in VIEWS.items():
        tables[name] = {"title": name.replace("_", " ").capitalize(), "description": about_view}
    return {**about, "databases": {database: {**about, "tables": tables}}}


def metadata_json(meta: Mapping[str, Any]) -> str:
    return json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
