"""full-text search: an FTS5 index kept in sync by triggers (SQLite), GIN indexes (PostgreSQL)

The models do not describe these objects (they are not tables a program writes to), so the
Alembic comparison leaves them out: see kb.migrate.include_object, used by env.py and by
tests/test_migrations.py.

SQLite: one FTS5 table, search_fts(title, body), holds people, claims, quotes and sources. The
rowid encodes the record: rowid = id * 4 + kind code (person 0, claim 1, quote 2, source 3), so
a trigger finds the row to replace with a rowid lookup instead of scanning the index.

PostgreSQL: no extra table; each searched table gets a GIN index on the very expression that
kb.queries.search queries (PostgreSQL uses an expression index only for the same expression).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (kind code, title expression, body expression, columns whose change re-indexes)
_SQLITE_DOCS = {
    "person": (
        0,
        "{r}.name",
        "coalesce({r}.affiliation, '') || ' ' || coalesce({r}.description, '')",
        "name, affiliation, description",
    ),
    "claim": (1, "{r}.text", "coalesce({r}.summary, '')", "text, summary"),
    "quote": (
        2,
        "{r}.text",
        "coalesce({r}.speaker_affiliation, '') || ' ' || coalesce({r}.locator, '')",
        "text, speaker_affiliation, locator",
    ),
    "source": (
        3,
        "{r}.title",
        "coalesce({r}.publisher, '') || ' ' || coalesce({r}.note, '')",
        "title, publisher, note",
    ),
}

# Kept word for word in kb/queries/search.py (PG_DOCUMENTS): the index serves only that text.
_PG_INDEXES = {
    "person": "setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(affiliation, '') || ' ' || "
    "coalesce(description, '')), 'B')",
    "claim": "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(summary, '')), 'B')",
    "quote": "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(speaker_affiliation, '') || ' ' || "
    "coalesce(locator, '')), 'B')",
    "source": "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(publisher, '') || ' ' || "
    "coalesce(note, '')), 'B')",
}


def _sqlite_upgrade() -> None:
    # unicode61 with diacritics removed, so "Francois" finds "François".
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, (code, title, body, columns) in _SQLITE_DOCS.items():
        new_row = (
            f"INSERT INTO search_fts (rowid, title, body) VALUES "
            f"(new.id * 4 + {code}, {title.format(r='new')}, {body.format(r='new')});"
        )
        delete_old = f"DELETE FROM search_fts WHERE rowid = old.id * 4 + {code};"
        op.execute(f"CREATE TRIGGER {table}_fts_ai AFTER INSERT ON {table} BEGIN {new_row} END")
        op.execute(
            f"CREATE TRIGGER {table}_fts_au AFTER UPDATE OF {columns} ON {table} "
            f"BEGIN {delete_old} {new_row} END"
        )
        op.execute(f"CREATE TRIGGER {table}_fts_ad AFTER DELETE ON {table} BEGIN {delete_old} END")
        # Rows that exist before the upgrade are indexed once here.
        op.execute(
            f"INSERT INTO search_fts (rowid, title, body) SELECT id * 4 + {code}, "
            f"{title.format(r=table)}, {body.format(r=table)} FROM {table}"
        )


def _sqlite_downgrade() -> None:
    for table in _SQLITE_DOCS:
        for suffix in ("ai", "au", "ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
    op.execute("DROP TABLE IF EXISTS search_fts")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        for table, expression in _PG_INDEXES.items():
            op.execute(f"CREATE INDEX ix_fts_{table} ON {table} USING gin (({expression}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_downgrade()
    elif dialect == "postgresql":
        for table in _PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
