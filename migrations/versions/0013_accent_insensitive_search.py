"""accent-insensitive search on PostgreSQL: a text search configuration with unaccent

Issue 16: SQLite's FTS5 index folds accents (unicode61, remove_diacritics), so "Francois" finds
"François" there, but PostgreSQL's 'english' configuration keeps them. This revision adds the
`unaccent` extension (a trusted extension since PostgreSQL 13: the database's owner may create
it), a configuration `kb_english` that is 'english' with unaccent before the stemmer, and
rebuilds the four GIN indexes of 0002 on the same documents under `kb_english`
(kb/queries/search.py PG_DOCUMENTS must stay word for word these). SQLite: nothing to do.
Downgrading restores 0002's indexes; no data is involved.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENTS = {
    "person": "setweight(to_tsvector('{c}', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('{c}', coalesce(affiliation, '') || ' ' || "
    "coalesce(description, '')), 'B')",
    "claim": "setweight(to_tsvector('{c}', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('{c}', coalesce(summary, '')), 'B')",
    "quote": "setweight(to_tsvector('{c}', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('{c}', coalesce(speaker_affiliation, '') || ' ' || "
    "coalesce(locator, '')), 'B')",
    "source": "setweight(to_tsvector('{c}', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('{c}', coalesce(publisher, '') || ' ' || "
    "coalesce(note, '')), 'B')",
}


def _indexes(config: str) -> None:
    for table, document in _DOCUMENTS.items():
        op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
        expression = document.format(c=config)
        op.execute(f"CREATE INDEX ix_fts_{table} ON {table} USING gin (({expression}))")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_english")
    op.execute("CREATE TEXT SEARCH CONFIGURATION kb_english (COPY = pg_catalog.english)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION kb_english "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )
    _indexes("kb_english")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _indexes("english")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS kb_english")
