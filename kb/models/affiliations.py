"""A person's dated roles at organisations (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import DATE_PRECISIONS, Base, Editable, _in, _nonblank, intpk

if TYPE_CHECKING:
    from kb.models.records import Person


class Affiliation(Editable, Base):
    """A person's role at an organisation, from one partial date to another (both optional:
    an open start is "unknown", an open end "to this day or unknown")."""

    __tablename__ = "affiliation"
    __table_args__ = (
        _nonblank("organisation"),
        CheckConstraint(
            f"started_precision IS NULL OR {_in('started_precision', DATE_PRECISIONS)}",
            name="started_precision_valid",
        ),
        CheckConstraint(
            f"ended_precision IS NULL OR {_in('ended_precision', DATE_PRECISIONS)}",
            name="ended_precision_valid",
        ),
        CheckConstraint(
            "(started_on IS NULL) = (started_precision IS NULL)", name="start_has_precision"
        ),
        CheckConstraint("(ended_on IS NULL) = (ended_precision IS NULL)", name="end_has_precision"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    organisation: Mapped[str] = mapped_column(String(300), index=True)
    role: Mapped[str | None] = mapped_column(String(300))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    started_precision: Mapped[str | None] = mapped_column(String(5))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_precision: Mapped[str | None] = mapped_column(String(5))
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="affiliations")

    def __repr__(self) -> str:
        return f"<Affiliation {self.id} of {self.person_id}>"


def affiliation_title(role: str | None, organisation: str) -> str:
    """ "Professor, Université de Montréal", or the organisation alone: an affiliation's name
    on pages and in the history."""
    return f"{role}, {organisation}" if role else organisation
