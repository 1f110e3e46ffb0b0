"""affiliations: a person's dated roles at organisations

Issue 14: where someone worked, and as what, from when to when (both dates optional, each with
its precision as a source's date has). A quote's affiliation at the time is worked out from
these where the dates allow. The free-text person.affiliation and quote.speaker_affiliation
stay as they are. Downgrading drops the table and with it every affiliation record.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The affiliation records exist only from this revision on: going below it loses them.
downgrade_loses_data = "drops the affiliation table: every dated affiliation record"

_PRECISIONS = "('year', 'month', 'day')"


def upgrade() -> None:
    op.create_table(
        "affiliation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=300), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("started_precision", sa.String(length=5), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("ended_precision", sa.String(length=5), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "organisation <> ''", name=op.f("ck_affiliation_organisation_not_blank")
        ),
        sa.CheckConstraint(
            f"started_precision IS NULL OR started_precision IN {_PRECISIONS}",
            name=op.f("ck_affiliation_started_precision_valid"),
        ),
        sa.CheckConstraint(
            f"ended_precision IS NULL OR ended_precision IN {_PRECISIONS}",
            name=op.f("ck_affiliation_ended_precision_valid"),
        ),
        sa.CheckConstraint(
            "(started_on IS NULL) = (started_precision IS NULL)",
            name=op.f("ck_affiliation_start_has_precision"),
        ),
        sa.CheckConstraint(
            "(ended_on IS NULL) = (ended_precision IS NULL)",
            name=op.f("ck_affiliation_end_has_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_affiliation_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affiliation")),
    )
    op.create_index(op.f("ix_affiliation_person_id"), "affiliation", ["person_id"], unique=False)
    op.create_index(
        op.f("ix_affiliation_organisation"), "affiliation", ["organisation"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_affiliation_organisation"), table_name="affiliation")
    op.drop_index(op.f("ix_affiliation_person_id"), table_name="affiliation")
    op.drop_table("affiliation")
