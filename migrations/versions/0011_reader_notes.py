"""reader notes: what readers see, apart from the editors' notes

Issue 15: an editor's note says how a record was made ("As of in the fact sheet: 2023-04",
"Checked against: ...", the labelling convention): kb's internals, not something a reader can
use. Sources, stances and claim relations get a `reader_note` of their own, which the public
pages show; `note` stays for editors (admin pages and the kb/1 files).

So that readers keep what they saw before, the upgrade fills each reader note from the editor's
note less the sentences kb's seed builder appended (they are fixed strings, so a pattern finds
them). The rule is frozen here on purpose: a migration must do tomorrow what it does today.
Downgrading drops the column and every reader note written since.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

downgrade_loses_data = "drops reader_note from source, stance and claim_relation"

TABLES = ("source", "stance", "claim_relation")
_EDITORS_ONLY = re.compile(
    r"\s*(?:"
    r"Label convention: 'primary' = .*?another outlet\."  # the sheet's labelling convention
    r"|Checked against: .*$"  # the pages a source was checked against (editors' trail)
    r"|As of in the fact sheet: .*$"  # the fact sheet's own as-of text
    r")",
    re.DOTALL,
)
_ONLY_IDS = re.compile(r"^\W*C\d{2,}\W+(\w+\W+){0,3}C\d{2,}\W*$")
"""A relation note that only names two fact-sheet claim ids ("C02 entails C01")."""


def reader_text(note: str | None) -> str | None:
    if not note or _ONLY_IDS.match(note):
        return None
    return _EDITORS_ONLY.sub("", note).strip() or None


def upgrade() -> None:
    conn = op.get_bind()
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("reader_note", sa.Text(), nullable=True))
        table = sa.table(
            name, sa.column("id", sa.Integer), sa.column("note"), sa.column("reader_note")
        )
        rows = conn.execute(sa.select(table.c.id, table.c.note).where(table.c.note.is_not(None)))
        values = [{"key": i, "text": reader_text(n)} for i, n in rows]
        values = [v for v in values if v["text"]]
        if values:
            conn.execute(
                table.update().where(table.c.id == sa.bindparam("key")),
                [{"key": v["key"], "reader_note": v["text"]} for v in values],
            )


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name) as batch:
            batch.drop_column("reader_note")
