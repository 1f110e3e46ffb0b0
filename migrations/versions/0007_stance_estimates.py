"""estimates on stances: a range's high end, what the estimate is of, and the quote giving it

A stance already had `probability` and `horizon`; an estimate as people give them also has a
range ("10 to 20 per cent": probability is the low end, probability_high the high one), what
it is the probability of, and the one evidence quote that gives it. Downgrading drops the three
new columns (probability and horizon stay), so it loses those parts of every estimate.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = "drops every estimate's high end, subject and quote (stance.probability_high, estimate_of, estimate_quote_id)"


def upgrade() -> None:
    with op.batch_alter_table("stance") as batch:
        batch.add_column(sa.Column("probability_high", sa.Float(), nullable=True))
        batch.add_column(sa.Column("estimate_of", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("estimate_quote_id", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            "probability_high_range",
            "probability_high IS NULL OR (probability IS NOT NULL"
            " AND probability_high >= probability AND probability_high <= 1)",
        )
        batch.create_foreign_key(
            op.f("fk_stance_estimate_quote_id_quote"),
            "quote",
            ["estimate_quote_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch.create_index(op.f("ix_stance_estimate_quote_id"), ["estimate_quote_id"])


def downgrade() -> None:
    with op.batch_alter_table("stance") as batch:
        batch.drop_index(op.f("ix_stance_estimate_quote_id"))
        batch.drop_constraint(op.f("fk_stance_estimate_quote_id_quote"), type_="foreignkey")
        batch.drop_constraint(op.f("ck_stance_probability_high_range"), type_="check")
        batch.drop_column("estimate_quote_id")
        batch.drop_column("estimate_of")
        batch.drop_column("probability_high")
