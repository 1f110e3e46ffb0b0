"""initial schema

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Read by kb.migrate.downgrade_losses: `kb db downgrade` asks for --yes-lose-data first.
downgrade_loses_data = "drops every table: all people, claims, stances, sources and accounts"


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_claim_slug_not_blank")),
        sa.CheckConstraint("text <> ''", name=op.f("ck_claim_text_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim")),
        sa.UniqueConstraint("slug", name=op.f("uq_claim_slug")),
    )
    op.create_table(
        "kb_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_kb_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_state")),
    )
    # The single row that holds the data version (see kb.store.datastate).
    op.execute("INSERT INTO kb_state (id, data_version) VALUES (1, 0)")
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("affiliation", sa.String(length=500), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("death_year", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_person_name_not_blank")),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_person_slug_not_blank")),
        sa.CheckConstraint(
            "death_year IS NULL OR birth_year IS NULL OR death_year >= birth_year",
            name=op.f("ck_person_death_after_birth"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("slug", name=op.f("uq_person_slug")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_affiliation"), ["affiliation"], unique=False)

    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("publisher", sa.String(length=500), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=5), nullable=True),
        sa.Column("date_note", sa.String(length=500), nullable=True),
        sa.Column("archived_url", sa.String(length=2000), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "date_precision IS NULL OR date_precision IN ('year', 'month', 'day')",
            name=op.f("ck_source_date_precision_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('article', 'blog_post', 'interview', 'talk', 'book', 'paper', 'social_post', 'other')",
            name=op.f("ck_source_kind_valid"),
        ),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_source_slug_not_blank")),
        sa.CheckConstraint("title <> ''", name=op.f("ck_source_title_not_blank")),
        sa.CheckConstraint(
            "(published_on IS NULL) = (date_precision IS NULL)",
            name=op.f("ck_source_date_has_precision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("slug", name=op.f("uq_source_slug")),
    )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_source_published_on"), ["published_on"], unique=False)

    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_topic_name_not_blank")),
        sa.CheckConstraint("slug <> ''", name=op.f("ck_topic_slug_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("slug", name=op.f("uq_topic_slug")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("role IN ('admin', 'editor')", name=op.f("ck_user_account_role_valid")),
        sa.CheckConstraint("username <> ''", name=op.f("ck_user_account_username_not_blank")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "claim_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_claim_id", sa.Integer(), nullable=False),
        sa.Column("to_claim_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('supports', 'contradicts')", name=op.f("ck_claim_relation_kind_valid")
        ),
        sa.CheckConstraint("from_claim_id <> to_claim_id", name=op.f("ck_claim_relation_not_self")),
        sa.ForeignKeyConstraint(
            ["from_claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_relation_from_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_relation_to_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_relation")),
        sa.UniqueConstraint(
            "from_claim_id",
            "to_claim_id",
            "kind",
            name=op.f("uq_claim_relation_from_claim_id_to_claim_id_kind"),
        ),
    )
    with op.batch_alter_table("claim_relation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_relation_to_claim_id"), ["to_claim_id"], unique=False
        )

    op.create_table(
        "claim_topic",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claim.id"],
            name=op.f("fk_claim_topic_claim_id_claim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_claim_topic_topic_id_topic"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "topic_id", name=op.f("pk_claim_topic")),
    )
    with op.batch_alter_table("claim_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_topic_topic_id"), ["topic_id"], unique=False)

    op.create_table(
        "quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("locator", sa.String(length=200), nullable=True),
        sa.Column("speaker_affiliation", sa.String(length=500), nullable=True),
        sa.Column("attribution", sa.String(length=20), nullable=False),
        sa.Column("checked", sa.String(length=20), nullable=False),
        sa.Column("check_note", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "attribution IN ('verbatim', 'paraphrase', 'translation')",
            name=op.f("ck_quote_attribution_valid"),
        ),
        sa.CheckConstraint(
            "checked IN ('primary', 'reprint', 'widely_reported', 'secondary')",
            name=op.f("ck_quote_checked_valid"),
        ),
        sa.CheckConstraint("text <> ''", name=op.f("ck_quote_text_not_blank")),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_quote_source_id_source"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["speaker_id"],
            ["person.id"],
            name=op.f("fk_quote_speaker_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_source_id"), ["source_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_speaker_id"), ["speaker_id"], unique=False)

    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reverts_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'revert')",
            name=op.f("ck_revision_action_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["reverts_id"],
            ["revision.id"],
            name=op.f("fk_revision_reverts_id_revision"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_revision_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revision")),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index("ix_revision_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_revision_user_id"), ["user_id"], unique=False)

    op.create_table(
        "source_author",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_source_author_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_source_author_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_id", "person_id", name=op.f("pk_source_author")),
    )
    with op.batch_alter_table("source_author", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_author_person_id"), ["person_id"], unique=False)

    op.create_table(
        "stance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=10), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("probability", sa.Float(), nullable=True),
        sa.Column("horizon", sa.String(length=200), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("basis IN ('explicit', 'inferred')", name=op.f("ck_stance_basis_valid")),
        sa.CheckConstraint(
            "position IN ('supports', 'opposes', 'mixed')", name=op.f("ck_stance_position_valid")
        ),
        sa.CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 1)",
            name=op.f("ck_stance_probability_range"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_stance_claim_id_claim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_stance_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance")),
        sa.UniqueConstraint(
            "person_id", "claim_id", "as_of", name=op.f("uq_stance_person_id_claim_id_as_of")
        ),
    )
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stance_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(
            "uq_stance_person_id_claim_id_undated",
            ["person_id", "claim_id"],
            unique=True,
            sqlite_where=sa.text("as_of IS NULL"),
            postgresql_where=sa.text("as_of IS NULL"),
        )

    op.create_table(
        "stance_evidence",
        sa.Column("stance_id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["quote.id"],
            name=op.f("fk_stance_evidence_quote_id_quote"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["stance_id"],
            ["stance.id"],
            name=op.f("fk_stance_evidence_stance_id_stance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("stance_id", "quote_id", name=op.f("pk_stance_evidence")),
    )
    with op.batch_alter_table("stance_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stance_evidence_quote_id"), ["quote_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stance_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stance_evidence_quote_id"))

    op.drop_table("stance_evidence")
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_stance_person_id_claim_id_undated",
            sqlite_where=sa.text("as_of IS NULL"),
            postgresql_where=sa.text("as_of IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_stance_claim_id"))

    op.drop_table("stance")
    with op.batch_alter_table("source_author", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_author_person_id"))

    op.drop_table("source_author")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_user_id"))
        batch_op.drop_index("ix_revision_entity")

    op.drop_table("revision")
    with op.batch_alter_table("quote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_speaker_id"))
        batch_op.drop_index(batch_op.f("ix_quote_source_id"))

    op.drop_table("quote")
    with op.batch_alter_table("claim_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_topic_topic_id"))

    op.drop_table("claim_topic")
    with op.batch_alter_table("claim_relation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_relation_to_claim_id"))

    op.drop_table("claim_relation")
    op.drop_table("user_account")
    op.drop_table("topic")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_published_on"))
        batch_op.drop_index(batch_op.f("ix_source_kind"))

    op.drop_table("source")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_affiliation"))

    op.drop_table("person")
    op.drop_table("kb_state")
    op.drop_table("claim")
