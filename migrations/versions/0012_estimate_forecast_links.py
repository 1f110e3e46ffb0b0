"""estimates meet forecasts: a stance's estimate may link a public forecast question and the survey

Two nullable columns on stance, `forecast_url` (a Metaculus or Manifold question on the same
event, say) and `survey_url` (the survey the number was given in), both web addresses of at
most 2,000 characters (kb.rules.estimate_link_problems). Upgrading adds them empty, so every
row and every export stay as they were; downgrading drops them, and with them any links typed
since (so `kb db downgrade` asks first, as for 0007), and leaves every other value as it was.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = (
    "drops every estimate's forecast and survey links (stance.forecast_url, survey_url)"
)


def upgrade() -> None:
    with op.batch_alter_table("stance") as batch:
        batch.add_column(sa.Column("forecast_url", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("survey_url", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stance") as batch:
        batch.drop_column("survey_url")
        batch.drop_column("forecast_url")
