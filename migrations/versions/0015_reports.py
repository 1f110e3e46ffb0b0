"""reports and replies: readers' reports of problems, and the right of reply

Issue 18: a reader may report a problem with a quote, a stance or a source (table report; the
e-mail it may carry is for editors only), and the speaker of a quote, or their representative,
may be recorded as having endorsed or disputed its attribution, with a dated source as the
evidence (table reply). Downgrading drops both tables and every report and reply.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = "drops the report and reply tables: every reader's report and reply"


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


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


KINDS = ("misattributed", "not_verbatim", "wrong_date", "out_of_context", "broken_link", "other")


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("fixed_by_id", sa.Integer(), nullable=True),
        *_editable(),
        sa.CheckConstraint("explanation <> ''", name=op.f("ck_report_explanation_not_blank")),
        sa.CheckConstraint(
            _in("target", ("quote", "stance", "source")), name=op.f("ck_report_target_valid")
        ),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_report_kind_valid")),
        sa.CheckConstraint(
            _in("status", ("open", "accepted", "rejected")), name=op.f("ck_report_status_valid")
        ),
        sa.CheckConstraint(
            "fixed_by_id IS NULL OR status = 'accepted'", name=op.f("ck_report_fixed_if_accepted")
        ),
        sa.ForeignKeyConstraint(
            ["fixed_by_id"],
            ["revision.id"],
            name=op.f("fk_report_fixed_by_id_revision"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
    )
    op.create_index("ix_report_target", "report", ["target", "target_id"], unique=False)
    op.create_index(op.f("ix_report_status"), "report", ["status"], unique=False)
    op.create_index(op.f("ix_report_fixed_by_id"), "report", ["fixed_by_id"], unique=False)
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("replied_by", sa.String(length=15), server_default="person", nullable=False),
        sa.Column("representative", sa.String(length=200), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("replied_on", sa.Date(), nullable=True),
        sa.Column("replied_precision", sa.String(length=5), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_editable(),
        sa.CheckConstraint(
            _in("response", ("endorsed", "disputed")), name=op.f("ck_reply_response_valid")
        ),
        sa.CheckConstraint(
            _in("replied_by", ("person", "representative")),
            name=op.f("ck_reply_replied_by_valid"),
        ),
        sa.CheckConstraint(
            "replied_by = 'person' OR representative IS NOT NULL",
            name=op.f("ck_reply_representative_named"),
        ),
        sa.CheckConstraint(
            "replied_precision IS NULL OR " + _in("replied_precision", ("year", "month", "day")),
            name=op.f("ck_reply_replied_precision_valid"),
        ),
        sa.CheckConstraint(
            "(replied_on IS NULL) = (replied_precision IS NULL)",
            name=op.f("ck_reply_replied_has_precision"),
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name=op.f("fk_reply_quote_id_quote"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_reply_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply")),
        sa.UniqueConstraint("quote_id", "source_id", name=op.f("uq_reply_quote_id_source_id")),
    )
    op.create_index(op.f("ix_reply_quote_id"), "reply", ["quote_id"], unique=False)
    op.create_index(op.f("ix_reply_source_id"), "reply", ["source_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reply_source_id"), table_name="reply")
    op.drop_index(op.f("ix_reply_quote_id"), table_name="reply")
    op.drop_table("reply")
    op.drop_index(op.f("ix_report_fixed_by_id"), table_name="report")
    op.drop_index(op.f("ix_report_status"), table_name="report")
    op.drop_index("ix_report_target", table_name="report")
    op.drop_table("report")
