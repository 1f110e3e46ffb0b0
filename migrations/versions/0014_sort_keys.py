"""sort keys: people, sources and claims sort in natural order in the database

Issue 16: lists sorted by name, title or text in natural order ("Claim 2" before "Claim 10",
kb.naturalsort) read every matching row and sorted it in Python, once per data version and
filter: 2 s for the first visit of a filtered claim list at the reference scale, and again after
every edit. Each of the three tables gets `sort_key` (kb.naturalsort.sort_key of the text, kept
by the models on every write) and an index on (sort_key, id), so a page is an index scan with
LIMIT. PostgreSQL compares the key under the "C" collation, as SQLite's BINARY does.

The key is data derived from the text by the code's own rule, which `kb check` verifies, so the
upgrade fills it with that rule; a change of the rule comes with a migration that refills it.
Downgrading drops the columns and their indexes: nothing is lost, the texts stay.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kb.naturalsort import SORT_KEY_LENGTH, sort_key

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORTED_BY = {"person": "name", "source": "title", "claim": "text"}
_BATCH = 5000


def _key_type() -> sa.types.TypeEngine:
    return sa.String(SORT_KEY_LENGTH).with_variant(
        sa.String(SORT_KEY_LENGTH, collation="C"), "postgresql"
    )


def _fill(conn: sa.Connection, name: str, column: str) -> None:
    table = sa.table(name, sa.column("id", sa.Integer), sa.column(column), sa.column("sort_key"))
    update = table.update().where(table.c.id == sa.bindparam("key"))
    rows = conn.execute(sa.select(table.c.id, table.c[column])).all()
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        conn.execute(update, [{"key": i, "sort_key": sort_key(text or "")} for i, text in batch])


def upgrade() -> None:
    conn = op.get_bind()
    for name, column in SORTED_BY.items():
        op.add_column(name, sa.Column("sort_key", _key_type(), nullable=True))
        _fill(conn, name, column)
        op.create_index(f"ix_{name}_sort_key", name, ["sort_key", "id"])


def downgrade() -> None:
    for name in SORTED_BY:
        op.drop_index(f"ix_{name}_sort_key", table_name=name)
        with op.batch_alter_table(name) as batch:
            batch.drop_column("sort_key")
