"""agreement store: the pair counts and claim sides kept in the database

Issue 16: every worker of every server multiplied the stance matrices again after each edit.
These tables hold the result once per deployment, kept up to date by each write
(kb.store.agreement_store). They are derived from the stances, so neither direction loses
anything: upgrading fills them from the latest stances in SQL when that is quick, and otherwise
leaves them empty and marked unbuilt (pages compute the agreement as before until `kb graph
rebuild` fills them); downgrading drops them.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_pair",
        sa.Column("person_a", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("person_b", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agreements", sa.Integer(), nullable=False),
        sa.Column("disagreements", sa.Integer(), nullable=False),
        sa.Column("shared", sa.Integer(), nullable=False),
        sa.Column("changed_in", sa.Integer(), nullable=False),
        sa.CheckConstraint("person_a < person_b", name=op.f("ck_agreement_pair_ordered")),
        sa.PrimaryKeyConstraint("person_a", "person_b", name=op.f("pk_agreement_pair")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_agreement_pair_changed_in", "agreement_pair", ["changed_in"])
    op.create_table(
        "agreement_claim",
        sa.Column("claim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.Column("opponents", sa.Integer(), nullable=False),
        sa.Column("mixed", sa.Integer(), nullable=False),
        sa.Column("changed_in", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_agreement_claim")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_agreement_claim_changed_in", "agreement_claim", ["changed_in"])
    op.create_table(
        "agreement_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data_version", sa.Integer(), server_default="-1", nullable=False),
        sa.Column("generation", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_agreement_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_state")),
    )
    _fill()


# Above this many (claim, holder, holder) triples the SQL join below takes minutes: the tables
# are then left to `kb graph rebuild`, which multiplies matrices instead (seconds).
FILL_LIMIT = 20_000_000
_VERSION = "COALESCE((SELECT data_version FROM kb_state WHERE id = 1), 0)"
_LATEST_SIDES = (
    f"SELECT claim_id, {_VERSION}, SUM(CASE WHEN position = 'supports' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN position = 'opposes' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN position = 'mixed' THEN 1 ELSE 0 END) FROM stance WHERE latest GROUP BY claim_id"
)
_LATEST_PAIRS = (
    f"SELECT x.person_id, y.person_id, {_VERSION},"
    " SUM(CASE WHEN x.position = y.position AND x.position <> 'mixed' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN x.position <> y.position AND x.position <> 'mixed'"
    " AND y.position <> 'mixed' THEN 1 ELSE 0 END), COUNT(*)"
    " FROM stance x JOIN stance y ON y.claim_id = x.claim_id AND x.person_id < y.person_id"
    " WHERE x.latest AND y.latest GROUP BY x.person_id, y.person_id"
)


def _fill() -> None:
    """Fill the tables from the latest stances in plain SQL when that is quick, so that a
    database comes out of the upgrade as it would from a rebuild; otherwise mark them unbuilt."""
    bind = op.get_bind()
    token = secrets.randbits(62)  # this store's generation (kb.models.AgreementState)
    triples = bind.execute(
        sa.text(
            "SELECT COALESCE(SUM(n * n), 0) FROM"
            " (SELECT COUNT(*) AS n FROM stance WHERE latest GROUP BY claim_id) AS held"
        )
    ).scalar_one()
    if int(triples) > FILL_LIMIT:
        op.execute(
            f"INSERT INTO agreement_state (id, data_version, generation) VALUES (1, -1, {token})"
        )
        return
    op.execute(
        "INSERT INTO agreement_claim (claim_id, changed_in, supporters, opponents, mixed) "
        + _LATEST_SIDES
    )
    op.execute(
        "INSERT INTO agreement_pair"
        " (person_a, person_b, changed_in, agreements, disagreements, shared) " + _LATEST_PAIRS
    )
    op.execute(
        f"INSERT INTO agreement_state (id, data_version, generation) SELECT 1, {_VERSION}, {token}"
    )


def downgrade() -> None:
    op.drop_table("agreement_state")
    op.drop_index("ix_agreement_claim_changed_in", table_name="agreement_claim")
    op.drop_table("agreement_claim")
    op.drop_index("ix_agreement_pair_changed_in", table_name="agreement_pair")
    op.drop_table("agreement_pair")
