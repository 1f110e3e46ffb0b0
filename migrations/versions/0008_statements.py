"""joint statements and open letters, and who signed them

A statement (title, by, date with its precision, URL, key text, the claim signing supports and
with which position) and its signatures (person, statement, the page where the signature was
seen). A stance may rest on a signature of a statement on its claim instead of, or besides,
quotes. Downgrading drops both tables: the statements and signatures are lost.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = "drops the statements and signatures"


def _editable() -> list[sa.Column]:
    return [
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("issued_by", sa.String(length=500), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=5), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_editable(),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_statement_slug_not_blank")),
        sa.CheckConstraint("title <> ''", name=op.f("ck_statement_title_not_blank")),
        sa.CheckConstraint(
            "date_precision IS NULL OR date_precision IN ('year', 'month', 'day')",
            name=op.f("ck_statement_date_precision_valid"),
        ),
        sa.CheckConstraint(
            "(issued_on IS NULL) = (date_precision IS NULL)",
            name=op.f("ck_statement_date_has_precision"),
        ),
        sa.CheckConstraint(
            "position IS NULL OR position IN ('supports', 'opposes', 'mixed')",
            name=op.f("ck_statement_position_valid"),
        ),
        sa.CheckConstraint(
            "(claim_id IS NULL) = (position IS NULL)", name=op.f("ck_statement_claim_has_position")
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_statement_claim_id_claim"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
        sa.UniqueConstraint("slug", name=op.f("uq_statement_slug")),
    )
    op.create_index(op.f("ix_statement_claim_id"), "statement", ["claim_id"], unique=False)
    op.create_table(
        "signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("seen_in", sa.String(length=2000), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_editable(),
        sa.CheckConstraint("seen_in <> ''", name=op.f("ck_signature_seen_in_not_blank")),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_signature_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_signature_statement_id_statement"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signature")),
        sa.UniqueConstraint(
            "person_id", "statement_id", name=op.f("uq_signature_person_id_statement_id")
        ),
    )
    op.create_index(op.f("ix_signature_statement_id"), "signature", ["statement_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_signature_statement_id"), table_name="signature")
    op.drop_table("signature")
    op.drop_index(op.f("ix_statement_claim_id"), table_name="statement")
    op.drop_table("statement")
