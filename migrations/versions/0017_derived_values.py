"""derived values: the agreement, the camps, the opinion map and the bridging claims kept for every worker

Issue 16: each worker of each server computed the camps (1.4 s at the reference scale) and the
opinion map with its bridging claims (1.5 s) again for itself, at its first request after every
write. The first one to need a value at a data state now keeps it in `derived_value`, and every
other worker reads it (kb.store.derived). A worker's first copy of the agreement itself (2.2 s
to compute) is kept the same way, as arrays, in `agreement_snapshot`. Both tables hold derived
data only: downgrading drops them and nothing is lost.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "derived_value",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_derived_value")),
    )


    op.create_table(
        "agreement_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrays", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_agreement_snapshot_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("agreement_snapshot")
    op.drop_table("derived_value")
