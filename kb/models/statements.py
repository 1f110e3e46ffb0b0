"""Joint statements and open letters, and who signed them (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import (
    DATE_PRECISIONS,
    POSITIONS,
    Base,
    Editable,
    _in,
    _nonblank,
    intpk,
    slug_col,
)

if TYPE_CHECKING:
    from kb.models.records import Claim, Person


# -- joint statements and open letters (issue 14) ----------------------------------------------


class Statement(Editable, Base):
    """A joint statement or open letter that people sign. Signing it counts as a stance on its
    claim, with its position: a signature is evidence of a stance beside (or instead of) quotes."""

    __tablename__ = "statement"
    __table_args__ = (
        _nonblank("slug"),
        _nonblank("title"),
        CheckConstraint(
            f"date_precision IS NULL OR {_in('date_precision', DATE_PRECISIONS)}",
            name="date_precision_valid",
        ),
        CheckConstraint(
            "(issued_on IS NULL) = (date_precision IS NULL)", name="date_has_precision"
        ),
        CheckConstraint(f"position IS NULL OR {_in('position', POSITIONS)}", name="position_valid"),
        CheckConstraint("(claim_id IS NULL) = (position IS NULL)", name="claim_has_position"),
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    title: Mapped[str] = mapped_column(String(500))
    # who issued it ("by" in kb/1; a word SQL reserves)
    issued_by: Mapped[str | None] = mapped_column(String(500))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(5))
    url: Mapped[str | None] = mapped_column(String(2000))
    text: Mapped[str | None] = mapped_column(Text)
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)

    claim: Mapped[Claim | None] = relationship()
    signatures: Mapped[list[Signature]] = relationship(back_populates="statement")

    def __repr__(self) -> str:
        return f"<Statement {self.slug}>"


class Signature(Editable, Base):
    """A person signed a statement, as seen on a page (required, like a quote's source)."""

    __tablename__ = "signature"
    __table_args__ = (_nonblank("seen_in"), UniqueConstraint("person_id", "statement_id"))

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="RESTRICT"), index=True
    )
    seen_in: Mapped[str] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    statement: Mapped[Statement] = relationship(back_populates="signatures")

    def __repr__(self) -> str:
        return f"<Signature {self.person_id} {self.statement_id}>"
