"""flag the latest stance of each person on each claim

Pages filter and count claims by the stance that counts for each person (the latest one). As a
NOT EXISTS per row that took seconds for a topic's claim list at the reference scale of
benchmarks/; as a flag in an index it is a lookup. kb.store.latest keeps the flag right on every write.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stance", sa.Column("latest", sa.Boolean(), nullable=False, server_default="0"))
    # the same rule as kb.store.latest.refresh, written out: a migration must not change with the code
    op.execute(
        """
        UPDATE stance SET latest = NOT EXISTS (
            SELECT 1 FROM stance AS newer
            WHERE newer.person_id = stance.person_id AND newer.claim_id = stance.claim_id
              AND ((stance.as_of IS NULL AND newer.as_of IS NOT NULL) OR newer.as_of > stance.as_of)
        )
        """
    )
    op.create_index(
        "ix_stance_claim_id_latest", "stance", ["claim_id", "latest", "position", "person_id"]
    )
    # with the claim, so "this person's latest stance on that claim" is one probe
    op.create_index(
        "ix_stance_person_id_latest", "stance", ["person_id", "latest", "claim_id", "position"]
    )


def downgrade() -> None:
    op.drop_index("ix_stance_person_id_latest", table_name="stance")
    op.drop_index("ix_stance_claim_id_latest", table_name="stance")
    with op.batch_alter_table("stance") as batch:
        batch.drop_column("latest")
