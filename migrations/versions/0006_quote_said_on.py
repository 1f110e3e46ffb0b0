"""a quote's own date: when the words were said or first published, with its precision

A quote's date is not always its source's: a book passage reported years later, a talk reported
the next day. Existing quotes take their source's date (the best the data held until now).

The step down keeps every date that differs from its source's: it is appended to the quote's
note behind a marker (MARK below), where the older code shows it and from where the step up
takes it back out, so down and up again changes nothing.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported: a migration must not change with the code.
MARK = "\n\n[Said on, kept by kb migration 0006: "
_MARKED = re.compile(
    re.escape(MARK) + r"(undated|[0-9]{4}-[0-9]{2}-[0-9]{2} (?:year|month|day))\]\Z"
)
_quote = sa.table(
    "quote",
    sa.column("id", sa.Integer),
    sa.column("source_id", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("said_on", sa.Date),
    sa.column("said_precision", sa.String),
)
_source = sa.table(
    "source",
    sa.column("id", sa.Integer),
    sa.column("published_on", sa.Date),
    sa.column("date_precision", sa.String),
)


_PRECISION_VALID = "said_precision IS NULL OR said_precision IN ('year', 'month', 'day')"
_HAS_PRECISION = "(said_on IS NULL) = (said_precision IS NULL)"


def _add_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Plain ALTER TABLE, not a batch copy of the table: the copy would drop the quote
        # table's full-text triggers (0002). SQLite takes CHECKs as column constraints.
        op.execute("ALTER TABLE quote ADD COLUMN said_on DATE")
        op.execute(
            "ALTER TABLE quote ADD COLUMN said_precision VARCHAR(5) "
            f"CONSTRAINT ck_quote_said_precision_valid CHECK ({_PRECISION_VALID}) "
            f"CONSTRAINT ck_quote_said_has_precision CHECK ({_HAS_PRECISION})"
        )
        return
    op.add_column("quote", sa.Column("said_on", sa.Date(), nullable=True))
    op.add_column("quote", sa.Column("said_precision", sa.String(length=5), nullable=True))
    op.create_check_constraint(op.f("ck_quote_said_precision_valid"), "quote", _PRECISION_VALID)
    op.create_check_constraint(op.f("ck_quote_said_has_precision"), "quote", _HAS_PRECISION)


def _drop_columns() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # said_precision first: its constraints, which name said_on, go with it
        op.execute("ALTER TABLE quote DROP COLUMN said_precision")
        op.execute("ALTER TABLE quote DROP COLUMN said_on")
        return
    op.drop_constraint(op.f("ck_quote_said_has_precision"), "quote", type_="check")
    op.drop_constraint(op.f("ck_quote_said_precision_valid"), "quote", type_="check")
    op.drop_column("quote", "said_precision")
    op.drop_column("quote", "said_on")


def upgrade() -> None:
    _add_columns()
    of_source = sa.select(_source.c.published_on).where(_source.c.id == _quote.c.source_id)
    precision = sa.select(_source.c.date_precision).where(_source.c.id == _quote.c.source_id)
    op.execute(
        _quote.update().values(
            said_on=of_source.scalar_subquery(), said_precision=precision.scalar_subquery()
        )
    )
    bind = op.get_bind()
    marked = bind.execute(
        sa.select(_quote.c.id, _quote.c.note).where(_quote.c.note.contains(MARK.strip()))
    ).all()
    for quote_id, note in marked:
        m = _MARKED.search(note)
        if m is None:
            continue
        said, prec = (None, None) if m.group(1) == "undated" else m.group(1).split(" ")
        bind.execute(
            _quote.update()
            .where(_quote.c.id == quote_id)
            .values(
                note=note[: m.start()] or None,
                said_on=dt.date.fromisoformat(said) if said else None,
                said_precision=prec,
            )
        )


def downgrade() -> None:
    q, s = _quote, _source
    bind = op.get_bind()
    differs = (
        sa.select(q.c.id, q.c.note, q.c.said_on, q.c.said_precision)
        .join(s, s.c.id == q.c.source_id)
        .where(
            sa.or_(
                sa.and_(q.c.said_on.is_(None), s.c.published_on.is_not(None)),
                sa.and_(q.c.said_on.is_not(None), s.c.published_on.is_(None)),
                q.c.said_on != s.c.published_on,
                q.c.said_precision != s.c.date_precision,
            )
        )
    )
    for quote_id, note, said_on, precision in bind.execute(differs).all():
        said = "undated" if said_on is None else f"{said_on.isoformat()} {precision}"
        bind.execute(q.update().where(q.c.id == quote_id).values(note=f"{note or ''}{MARK}{said}]"))
    _drop_columns()
