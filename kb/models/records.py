"""The people, their words and what they claim: person (and their dated affiliations), source,
quote, topic, claim, stance and claim relation."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.models.base import (
    ATTRIBUTIONS,
    BASES,
    CHECKED_HOW,
    DATE_PRECISIONS,
    POSITIONS,
    RELATION_KINDS,
    SOURCE_KINDS,
    Base,
    Editable,
    _in,
    _nonblank,
    claim_topic,
    intpk,
    slug_col,
    source_author,
    stance_evidence,
)
from kb.naturalsort import SORT_KEY_LENGTH, sort_key

if TYPE_CHECKING:
    from kb.models.evidence import Reply, Report
    from kb.models.verification import Verification

# kb.naturalsort.sort_key of a person's name, a source's title, a claim's text: lists sort and
# page by it in SQL. Compared code point by code point on both databases (PostgreSQL's own
# collations would reorder the marks the key is made of).
SORT_KEY = String(SORT_KEY_LENGTH).with_variant(
    String(SORT_KEY_LENGTH, collation="C"), "postgresql"
)


class Person(Editable, Base):
    __tablename__ = "person"
    __table_args__ = (
        _nonblank("slug"),
        _nonblank("name"),
        CheckConstraint(
            "death_year IS NULL OR birth_year IS NULL OR death_year >= birth_year",
            name="death_after_birth",
        ),
        Index("ix_person_sort_key", "sort_key", "id"),
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    name: Mapped[str] = mapped_column(String(200))
    sort_key: Mapped[str | None] = mapped_column(SORT_KEY)
    description: Mapped[str | None] = mapped_column(Text)
    affiliation: Mapped[str | None] = mapped_column(String(500), index=True)
    birth_year: Mapped[int | None]
    death_year: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(2000))

    quotes: Mapped[list[Quote]] = relationship(back_populates="speaker")
    stances: Mapped[list[Stance]] = relationship(back_populates="person")
    authored: Mapped[list[Source]] = relationship(secondary=source_author, back_populates="authors")
    # Dated records of where the person worked and as what (the free-text `affiliation` above
    # stays as kb/1 has always had it); deleting a person deletes them through the ORM, so
    # each deletion is in the history.
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Affiliation.id"
    )

    def __repr__(self) -> str:
        return f"<Person {self.slug}>"


class Source(Editable, Base):
    __tablename__ = "source"
    __table_args__ = (
        _nonblank("slug"),
        _nonblank("title"),
        CheckConstraint(_in("kind", SOURCE_KINDS), name="kind_valid"),
        CheckConstraint(
            f"date_precision IS NULL OR {_in('date_precision', DATE_PRECISIONS)}",
            name="date_precision_valid",
        ),
        CheckConstraint(
            "(published_on IS NULL) = (date_precision IS NULL)", name="date_has_precision"
        ),
        Index("ix_source_sort_key", "sort_key", "id"),
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    title: Mapped[str] = mapped_column(String(500))
    sort_key: Mapped[str | None] = mapped_column(SORT_KEY)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(500))
    # A date with its precision: 2003 is stored as 2003-01-01 with precision "year".
    published_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    date_precision: Mapped[str | None] = mapped_column(String(5))
    # The date as the evidence gave it, when it says more than a date can (e.g. "c. 2017-07-16").
    date_note: Mapped[str | None] = mapped_column(String(500))
    archived_url: Mapped[str | None] = mapped_column(String(2000))
    # `note` is for editors (how the record was made, what was not seen); `reader_note` is what
    # readers see on the public pages (migration 0011): the two are written for different people.
    note: Mapped[str | None] = mapped_column(Text)
    reader_note: Mapped[str | None] = mapped_column(Text)

    authors: Mapped[list[Person]] = relationship(
        secondary=source_author, back_populates="authored", order_by="Person.name"
    )
    quotes: Mapped[list[Quote]] = relationship(back_populates="source")

    def __repr__(self) -> str:
        return f"<Source {self.slug}>"


class Quote(Editable, Base):
    __tablename__ = "quote"
    __table_args__ = (
        _nonblank("text"),
        CheckConstraint(_in("attribution", ATTRIBUTIONS), name="attribution_valid"),
        CheckConstraint(_in("checked", CHECKED_HOW), name="checked_valid"),
        # A person's quotes in one source (person page: sources with their quote counts),
        # without reading every quote row of the person once per source (migration 0003).
        Index("ix_quote_speaker_id_source_id", "speaker_id", "source_id"),
        CheckConstraint(
            f"said_precision IS NULL OR {_in('said_precision', DATE_PRECISIONS)}",
            name="said_precision_valid",
        ),
        CheckConstraint("(said_on IS NULL) = (said_precision IS NULL)", name="said_has_precision"),
    )

    id: Mapped[intpk]
    text: Mapped[str] = mapped_column(Text)
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    # When the words were said or first published, with its precision like Source.published_on:
    # a book passage reported years later, or a talk reported the next day, has its own date.
    said_on: Mapped[dt.date | None] = mapped_column(Date)
    said_precision: Mapped[str | None] = mapped_column(String(5))
    locator: Mapped[str | None] = mapped_column(String(200))
    # Where the words stand in the source, as a W3C TextQuoteSelector (what Hypothesis uses):
    # the exact words as the page has them, and the text just before and after (migration 0016).
    # kb verify looks for them where they are set (kb.verify.matching).
    anchor_exact: Mapped[str | None] = mapped_column(Text)
    anchor_prefix: Mapped[str | None] = mapped_column(String(500))
    anchor_suffix: Mapped[str | None] = mapped_column(String(500))
    speaker_affiliation: Mapped[str | None] = mapped_column(String(500))
    attribution: Mapped[str] = mapped_column(String(20))
    checked: Mapped[str] = mapped_column(String(20))
    # How the words were checked, in the checker's own words; shown beside `checked`.
    check_note: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    speaker: Mapped[Person] = relationship(back_populates="quotes")
    source: Mapped[Source] = relationship(back_populates="quotes")
    # passive_deletes="all": the ORM must not unlink the evidence rows itself when a quote is
    # deleted, so the database's ON DELETE RESTRICT can refuse to lose a stance's evidence.
    stances: Mapped[list[Stance]] = relationship(
        secondary=stance_evidence, back_populates="evidence", passive_deletes="all"
    )
    # The speaker's replies to the attribution (issue 18), oldest first.
    replies: Mapped[list[Reply]] = relationship(
        back_populates="quote", order_by="Reply.replied_on", passive_deletes="all"
    )
    # Readers' reports an editor accepted and no revision has fixed yet: while there is one,
    # the quote is shown as disputed (issue 18). Read only; a report names its record loosely.
    disputes: Mapped[list[Report]] = relationship(
        primaryjoin="and_(Report.target == 'quote', foreign(Report.target_id) == Quote.id,"
        " Report.status == 'accepted', Report.fixed_by_id.is_(None))",
        viewonly=True,
    )
    # The trail of checks of the words (issue 18), oldest first; deleting the quote deletes
    # them through the ORM, so each deletion is in the history.
    verifications: Mapped[list[Verification]] = relationship(
        back_populates="quote",
        cascade="all, delete-orphan",
        order_by="(Verification.checked_on, Verification.id)",
    )

    def __repr__(self) -> str:
        return f"<Quote {self.id} by {self.speaker_id}>"


class Topic(Editable, Base):
    __tablename__ = "topic"
    __table_args__ = (_nonblank("slug"), _nonblank("name"))

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    claims: Mapped[list[Claim]] = relationship(secondary=claim_topic, back_populates="topics")

    def __repr__(self) -> str:
        return f"<Topic {self.slug}>"


class Claim(Editable, Base):
    __tablename__ = "claim"
    __table_args__ = (
        _nonblank("slug"),
        _nonblank("text"),
        Index("ix_claim_sort_key", "sort_key", "id"),
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    text: Mapped[str] = mapped_column(Text)
    sort_key: Mapped[str | None] = mapped_column(SORT_KEY)
    summary: Mapped[str | None] = mapped_column(Text)

    topics: Mapped[list[Topic]] = relationship(
        secondary=claim_topic, back_populates="claims", order_by="Topic.name"
    )
    stances: Mapped[list[Stance]] = relationship(back_populates="claim")
    relations_out: Mapped[list[ClaimRelation]] = relationship(
        foreign_keys="ClaimRelation.from_claim_id", back_populates="from_claim"
    )
    relations_in: Mapped[list[ClaimRelation]] = relationship(
        foreign_keys="ClaimRelation.to_claim_id", back_populates="to_claim"
    )

    def __repr__(self) -> str:
        return f"<Claim {self.slug}>"


class Stance(Editable, Base):
    """A person's position on a claim as of a date. Views change, so one person may hold several
    stances on a claim, never two with the same as-of date (nor two undated ones)."""

    __tablename__ = "stance"
    __table_args__ = (
        CheckConstraint(_in("position", POSITIONS), name="position_valid"),
        CheckConstraint(_in("basis", BASES), name="basis_valid"),
        CheckConstraint(
            "probability IS NULL OR (probability >= 0 AND probability <= 1)",
            name="probability_range",
        ),
        # An estimate's range: the high end needs the low one (`probability`) and lies above it.
        CheckConstraint(
            "probability_high IS NULL OR (probability IS NOT NULL"
            " AND probability_high >= probability AND probability_high <= 1)",
            name="probability_high_range",
        ),
        UniqueConstraint("person_id", "claim_id", "as_of"),
        # NULLs are distinct in a UNIQUE constraint, so undated stances need their own index.
        Index(
            "uq_stance_person_id_claim_id_undated",
            "person_id",
            "claim_id",
            unique=True,
            sqlite_where=Column("as_of").is_(None),
            postgresql_where=Column("as_of").is_(None),
        ),
        # pages filter and count by the latest stance of a claim or of a person, by position;
        # with the person, the claim list's people facet reads the index alone
        Index("ix_stance_claim_id_latest", "claim_id", "latest", "position", "person_id"),
        Index("ix_stance_person_id_latest", "person_id", "latest", "claim_id", "position"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="RESTRICT"), index=True)
    position: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str] = mapped_column(String(10))
    probability: Mapped[float | None] = mapped_column(Float)
    horizon: Mapped[str | None] = mapped_column(String(200))
    # The estimate the stance gives (migration 0007): `probability` is its number, or the low
    # end of a range up to `probability_high`; `estimate_of` says what it is the probability of
    # (or, with no number, what is predicted by `horizon`); `estimate_quote_id` is the evidence
    # quote that gives it (kb.rules.estimate_problems keeps it among the stance's evidence).
    probability_high: Mapped[float | None] = mapped_column(Float)
    estimate_of: Mapped[str | None] = mapped_column(String(500))
    # Where the estimate meets forecasts (migration 0012): a public forecast question on the
    # same event (a Metaculus or Manifold page) and the survey the number was given in, both
    # as web addresses (kb.rules.estimate_link_problems). The survey is a URL, not a source
    # record: it is often a results page or data set nobody is quoted from, and the quote that
    # gives the estimate already names its own source.
    forecast_url: Mapped[str | None] = mapped_column(String(2000))
    survey_url: Mapped[str | None] = mapped_column(String(2000))
    estimate_quote_id: Mapped[int | None] = mapped_column(
        ForeignKey("quote.id", ondelete="RESTRICT"), index=True
    )
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    reader_note: Mapped[str | None] = mapped_column(Text)  # shown to readers; `note` is not
    # Derived, never edited: true on the stance that counts for its person and claim (the latest
    # dated one, else the undated one). kb.store.latest rewrites it after every write of stances.
    latest: Mapped[bool] = mapped_column(default=False, server_default="0")

    person: Mapped[Person] = relationship(back_populates="stances")
    claim: Mapped[Claim] = relationship(back_populates="stances")
    evidence: Mapped[list[Quote]] = relationship(
        secondary=stance_evidence, back_populates="stances", order_by="Quote.id"
    )
    estimate_quote: Mapped[Quote | None] = relationship(foreign_keys=[estimate_quote_id])

    def __repr__(self) -> str:
        return f"<Stance {self.person_id} {self.position} {self.claim_id}>"


class ClaimRelation(Editable, Base):
    __tablename__ = "claim_relation"
    __table_args__ = (
        CheckConstraint(_in("kind", RELATION_KINDS), name="kind_valid"),
        CheckConstraint("from_claim_id <> to_claim_id", name="not_self"),
        UniqueConstraint("from_claim_id", "to_claim_id", "kind"),
    )

    id: Mapped[intpk]
    from_claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"))
    to_claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
    reader_note: Mapped[str | None] = mapped_column(Text)  # shown to readers; `note` is not

    from_claim: Mapped[Claim] = relationship(
        foreign_keys=[from_claim_id], back_populates="relations_out"
    )
    to_claim: Mapped[Claim] = relationship(
        foreign_keys=[to_claim_id], back_populates="relations_in"
    )

    def __repr__(self) -> str:
        return f"<ClaimRelation {self.from_claim_id} {self.kind} {self.to_claim_id}>"


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


SORTED_BY = {Person: "name", Source: "title", Claim: "text"}
"""The text each model's `sort_key` is made from; kb.load.bulk fills it the same way."""


def _fill_sort_key(_mapper: object, _connection: object, target: Person | Source | Claim) -> None:
    """Every write through the ORM keeps the sort key of the text it may have changed."""
    target.sort_key = sort_key(getattr(target, SORTED_BY[type(target)]) or "")


for _model in SORTED_BY:
    event.listen(_model, "before_insert", _fill_sort_key)
    event.listen(_model, "before_update", _fill_sort_key)
