"""The typed data model. The database enforces the rules too (foreign keys, NOT NULL, UNIQUE,
CHECK on every enumeration), so a bad row is refused whichever program writes it.

Every editable record carries `version`, SQLAlchemy's version counter: an UPDATE that finds a
different version raises StaleDataError instead of silently overwriting someone else's edit.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

# Stable constraint names, so that migrations and error messages can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_KINDS = (
    "article",
    "blog_post",
    "interview",
    "talk",
    "book",
    "paper",
    "social_post",
    "other",
)
DATE_PRECISIONS = ("year", "month", "day")
ATTRIBUTIONS = ("verbatim", "paraphrase", "translation")
CHECKED_HOW = ("primary", "reprint", "widely_reported", "secondary")
POSITIONS = ("supports", "opposes", "mixed")
BASES = ("explicit", "inferred")
RELATION_KINDS = ("supports", "contradicts")
ROLES = ("admin", "editor")
REVISION_ACTIONS = ("create", "update", "delete", "revert")

SLUG_MAX = 100


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
slug_col = Annotated[str, mapped_column(String(SLUG_MAX), unique=True)]
timestamp = Annotated[
    dt.datetime, mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    if TYPE_CHECKING:
        # SQLAlchemy types it as any FromClause; every kb model is mapped to a Table.
        __table__: ClassVar[Table]


class Editable:
    """Columns every editable record has: timestamps and the optimistic-locking version."""

    created_at: Mapped[timestamp]
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # a mixin: the table is that of the mapped model it is mixed into
        return {"version_id_col": cast("type[Base]", cls).__table__.c.version}


def _nonblank(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} <> ''", name=f"{column}_not_blank")


source_author = Table(
    "source_author",
    Base.metadata,
    Column("source_id", ForeignKey("source.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True),
)

claim_topic = Table(
    "claim_topic",
    Base.metadata,
    Column("claim_id", ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topic.id", ondelete="CASCADE"), primary_key=True, index=True),
)

stance_evidence = Table(
    "stance_evidence",
    Base.metadata,
    Column("stance_id", ForeignKey("stance.id", ondelete="CASCADE"), primary_key=True),
    # A quote that is evidence cannot vanish under a stance: deleting it is refused.
    Column("quote_id", ForeignKey("quote.id", ondelete="RESTRICT"), primary_key=True, index=True),
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
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    name: Mapped[str] = mapped_column(String(200))
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
    )

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(500))
    # A date with its precision: 2003 is stored as 2003-01-01 with precision "year".
    published_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    date_precision: Mapped[str | None] = mapped_column(String(5))
    # The date as the evidence gave it, when it says more than a date can (e.g. "c. 2017-07-16").
    date_note: Mapped[str | None] = mapped_column(String(500))
    archived_url: Mapped[str | None] = mapped_column(String(2000))
    note: Mapped[str | None] = mapped_column(Text)

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
    )

    id: Mapped[intpk]
    text: Mapped[str] = mapped_column(Text)
    speaker_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="RESTRICT"), index=True)
    locator: Mapped[str | None] = mapped_column(String(200))
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
    __table_args__ = (_nonblank("slug"), _nonblank("text"))

    id: Mapped[intpk]
    slug: Mapped[slug_col]
    text: Mapped[str] = mapped_column(Text)
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
    as_of: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    # Derived, never edited: true on the stance that counts for its person and claim (the latest
    # dated one, else the undated one). kb.store.latest rewrites it after every write of stances.
    latest: Mapped[bool] = mapped_column(default=False, server_default="0")

    person: Mapped[Person] = relationship(back_populates="stances")
    claim: Mapped[Claim] = relationship(back_populates="stances")
    evidence: Mapped[list[Quote]] = relationship(
        secondary=stance_evidence, back_populates="stances", order_by="Quote.id"
    )

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

    from_claim: Mapped[Claim] = relationship(
        foreign_keys=[from_claim_id], back_populates="relations_out"
    )
    to_claim: Mapped[Claim] = relationship(
        foreign_keys=[to_claim_id], back_populates="relations_in"
    )

    def __repr__(self) -> str:
        return f"<ClaimRelation {self.from_claim_id} {self.kind} {self.to_claim_id}>"


class User(Editable, Base):
    """An account for the admin side. Anonymous visitors need none to read."""

    __tablename__ = "user_account"
    __table_args__ = (_nonblank("username"), CheckConstraint(_in("role", ROLES), name="role_valid"))

    id: Mapped[intpk]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True, server_default="1")

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class Revision(Base):
    """One create, update, delete or revert of one record, with field-level before and after.
    Written by every path that changes data (UI, CLI, import); never edited itself."""

    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint(_in("action", REVISION_ACTIONS), name="action_valid"),
        Index("ix_revision_entity", "entity", "entity_id"),
    )

    id: Mapped[intpk]
    created_at: Mapped[timestamp]
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Who or what made the change when there is no user: "cli", "import", "seed".
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    label: Mapped[str | None] = mapped_column(String(500))
    # {"field": [before, after], ...}; before is null on create, after is null on delete.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    reverts_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship()


class LoginAttempt(Base):
    """A count of login attempts in one window, per key (an address, or an account at an
    address), shared by every worker and server: kb.web.security counts an attempt here, with one
    atomic upsert, before the password is checked."""

    __tablename__ = "login_attempt"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # When the window ends, in whole seconds since the epoch (the same arithmetic everywhere).
    window_ends: Mapped[int] = mapped_column(BigInteger, index=True)
    hits: Mapped[int] = mapped_column(Integer)


class KbState(Base):
    """One row holding the data version, which every write bumps. Caches (graphs, ETags) key
    on it, so they are rebuilt once per change of the data instead of once per request."""

    __tablename__ = "kb_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed_at: Mapped[timestamp]


# The models whose records have a slug, for code that finds any of them by it.
SluggedModel = type[Person] | type[Source] | type[Topic] | type[Claim]
# Any editable model (a union rather than type[Editable], which knows no id, table or columns).
EditableModel = SluggedModel | type[Quote] | type[Stance] | type[ClaimRelation] | type[Affiliation]

EDITABLE_MODELS: tuple[EditableModel, ...] = (
    Person,
    Source,
    Quote,
    Topic,
    Claim,
    Stance,
    ClaimRelation,
    Affiliation,
)
