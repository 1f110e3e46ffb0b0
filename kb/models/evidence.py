"""What readers and the people quoted say about kb's evidence (issue 18): a reader's report of
a problem with a quote, a stance or a source, and a person's reply to the attribution of a
quote to them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import DATE_PRECISIONS, Base, Editable, _in, _nonblank, intpk

if TYPE_CHECKING:
    from kb.models.bookkeeping import Revision
    from kb.models.records import Quote, Source

REPORT_KINDS = (
    "misattributed",
    "not_verbatim",
    "wrong_date",
    "out_of_context",
    "broken_link",
    "other",
)
REPORT_TARGETS = ("quote", "stance", "source")
REPORT_STATUSES = ("open", "accepted", "rejected")
REPLY_RESPONSES = ("endorsed", "disputed")
REPLY_BY = ("person", "representative")


class Report(Editable, Base):
    """A reader's report of a problem with a record (no account needed). The e-mail, when
    given, is for editors only: never on a public page, in an export or in the history.

    An accepted report whose `fixed_by` revision is not yet named marks its quote "disputed";
    naming the revision that fixed the record resolves it."""

    __tablename__ = "report"
    __table_args__ = (
        _nonblank("explanation"),
        CheckConstraint(_in("target", REPORT_TARGETS), name="target_valid"),
        CheckConstraint(_in("kind", REPORT_KINDS), name="kind_valid"),
        CheckConstraint(_in("status", REPORT_STATUSES), name="status_valid"),
        CheckConstraint("fixed_by_id IS NULL OR status = 'accepted'", name="fixed_if_accepted"),
        Index("ix_report_target", "target", "target_id"),
    )

    id: Mapped[intpk]
    # The record reported, like a revision names one (it may be deleted since).
    target: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    email: Mapped[str | None] = mapped_column(String(320))  # private: editors only
    status: Mapped[str] = mapped_column(
        String(10), default="open", server_default="open", index=True
    )
    # Public: what the editors decided and why, on the quote's page.
    resolution: Mapped[str | None] = mapped_column(Text)
    fixed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("revision.id", ondelete="SET NULL"), index=True
    )

    fixed_by: Mapped[Revision | None] = relationship()

    def __repr__(self) -> str:
        return f"<Report {self.id} on {self.target} {self.target_id}>"


class Reply(Editable, Base):
    """The speaker of a quote (or their representative) endorsed or disputed its attribution,
    as a dated source shows: right of reply, shown beside the quote."""

    __tablename__ = "reply"
    __table_args__ = (
        CheckConstraint(_in("response", REPLY_RESPONSES), name="response_valid"),
        CheckConstraint(_in("replied_by", REPLY_BY), name="replied_by_valid"),
        CheckConstraint(
            "replied_by = 'person' OR representative IS NOT NULL", name="representative_named"
        ),
        CheckConstraint(
            f"replied_precision IS NULL OR {_in('replied_precision', DATE_PRECISIONS)}",
            name="replied_precision_valid",
        ),
        CheckConstraint(
            "(replied_on IS NULL) = (replied_precision IS NULL)", name="replied_has_precision"
        ),
        UniqueConstraint("quote_id", "source_id"),
    )

    id: Mapped[intpk]
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"), index=True)
    response: Mapped[str] = mapped_column(String(10))
    replied_by: Mapped[str] = mapped_column(String(15), default="person", server_default="person")
    representative: Mapped[str | None] = mapped_column(String(200))
    # The evidence of the reply, and its date with its precision (as a source's date has);
    # no date: the source's own (kb check finds a reply with neither).
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    replied_on: Mapped[dt.date | None] = mapped_column(Date)
    replied_precision: Mapped[str | None] = mapped_column(String(5))
    note: Mapped[str | None] = mapped_column(Text)

    quote: Mapped[Quote] = relationship(foreign_keys=[quote_id], back_populates="replies")
    source: Mapped[Source] = relationship(foreign_keys=[source_id])

    def __repr__(self) -> str:
        return f"<Reply {self.id} to quote {self.quote_id}>"
