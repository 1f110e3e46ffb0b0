"""verification trail: how each quote was checked, where, by whom, when, with what result

Issue 18: a quote keeps the trail of its checks (the fact sheet's checked_against lists are the
first entries; `kb verify` adds its own), and its `checked` label must agree with it (kb check).
A quote may also carry an anchor, a W3C TextQuoteSelector (exact, prefix, suffix) for the place in
the source where its words stand (three columns of quote). Downgrading drops the table and with
it every verification record, and the anchors.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = (
    "drops the verification table (every quote's verification trail) and the quotes' anchors"
)

_PRECISIONS = "('year', 'month', 'day')"
_RESULTS = "('found', 'not_found', 'unreachable', 'blocked')"


def upgrade() -> None:
    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("seen_in", sa.String(length=2000), nullable=False),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("checked_precision", sa.String(length=5), nullable=True),
        sa.Column("result", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("seen_in <> ''", name=op.f("ck_verification_seen_in_not_blank")),
        sa.CheckConstraint("checked_by <> ''", name=op.f("ck_verification_checked_by_not_blank")),
        sa.CheckConstraint(f"result IN {_RESULTS}", name=op.f("ck_verification_result_valid")),
        sa.CheckConstraint(
            f"checked_precision IS NULL OR checked_precision IN {_PRECISIONS}",
            name=op.f("ck_verification_checked_precision_valid"),
        ),
        sa.CheckConstraint(
            "(checked_on IS NULL) = (checked_precision IS NULL)",
            name=op.f("ck_verification_checked_has_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quote.id"],
            name=op.f("fk_verification_quote_id_quote"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification")),
    )
    op.create_index(op.f("ix_verification_quote_id"), "verification", ["quote_id"])
    # Plain ALTER TABLE, not a batch copy of the table: the copy would drop the quote table's
    # full-text triggers (0002), as 0006 notes.
    op.add_column("quote", sa.Column("anchor_exact", sa.Text(), nullable=True))
    op.add_column("quote", sa.Column("anchor_prefix", sa.String(length=500), nullable=True))
    op.add_column("quote", sa.Column("anchor_suffix", sa.String(length=500), nullable=True))


def downgrade() -> None:
    for column in ("anchor_suffix", "anchor_prefix", "anchor_exact"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE quote DROP COLUMN {column}")  # no batch copy (see above)
        else:
            op.drop_column("quote", column)
    op.drop_index(op.f("ix_verification_quote_id"), table_name="verification")
    op.drop_table("verification")
