"""A quote's verification trail (issue 18): each time its words were looked for somewhere, who
looked, when, and what they found. The quote's `checked` label must agree with the trail
(kb.rules.trail_problem, which `kb check` runs); `kb verify` adds entries of its own."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import DATE_PRECISIONS, Base, Editable, _in, _nonblank, intpk

if TYPE_CHECKING:
    from kb.models.records import Quote

# found: the words are there; not_found: the page was read and the words are not in it;
# unreachable: the page could not be read (an error, a timeout, too big); blocked: its site's
# robots.txt asks robots not to read it, so kb verify did not.
VERIFY_RESULTS = ("found", "not_found", "unreachable", "blocked")
# Who kb verify says it is in the trail.
VERIFY_ACTOR = "kb verify"


class Verification(Editable, Base):
    __tablename__ = "verification"
    __table_args__ = (
        _nonblank("seen_in"),
        _nonblank("checked_by"),
        CheckConstraint(_in("result", VERIFY_RESULTS), name="result_valid"),
        CheckConstraint(
            f"checked_precision IS NULL OR {_in('checked_precision', DATE_PRECISIONS)}",
            name="checked_precision_valid",
        ),
        CheckConstraint(
            "(checked_on IS NULL) = (checked_precision IS NULL)", name="checked_has_precision"
        ),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    # Where the words were looked for: a URL, or a description of a copy ("fchollet/keras-blog:
    # content/... (commit ...)", "the printed book, p. 12").
    seen_in: Mapped[str] = mapped_column(String(2000))
    # An editor's name, "kb verify", or who compiled the fact sheet.
    checked_by: Mapped[str] = mapped_column(String(200))
    # When, as a partial date: the fact sheet says only the month it was compiled in.
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    checked_precision: Mapped[str | None] = mapped_column(String(5))
    result: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)

    quote: Mapped[Quote] = relationship(back_populates="verifications")

    def __repr__(self) -> str:
        return f"<Verification {self.id} of quote {self.quote_id}: {self.result}>"


def verification_label(result: str | None, seen_in: str | None) -> str:
    """A verification entry's name in the history: "found in https://…"."""
    where = " ".join((seen_in or "").split())
    where = where if len(where) <= 150 else where[:149] + "…"
    return f"{(result or '').replace('_', ' ')} in {where}"
