"""login attempts counted in the database, shared by every worker and server

The login limit used to count in each gunicorn worker's memory: five workers gave an attacker
five times the attempts, and simultaneous guesses were all evaluated. kb.web.security now counts
each attempt here, atomically, before the password is checked. The table holds only counters
that expire; downgrading drops it and loses nothing else.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_ends", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_attempt")),
    )
    op.create_index(
        op.f("ix_login_attempt_window_ends"), "login_attempt", ["window_ends"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_login_attempt_window_ends"), table_name="login_attempt")
    op.drop_table("login_attempt")
