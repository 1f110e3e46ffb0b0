"""index quotes by (speaker, source)

The person page lists the sources a person is quoted in or wrote, each with the number of
their quotes in it. With only an index on speaker_id, SQLite joined every source to every quote
of the person (sources x quotes row reads: 1.2 s for a person with 400 of each at the
reference scale of benchmarks/); with this index the join is one index seek per source (2-5 ms).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_quote_speaker_id_source_id", "quote", ["speaker_id", "source_id"])


def downgrade() -> None:
    op.drop_index("ix_quote_speaker_id_source_id", table_name="quote")
