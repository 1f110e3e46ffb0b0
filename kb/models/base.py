"""What every model shares: the declarative base and its naming convention, the enumerations
the CHECK constraints hold, the editable mixin (version counter, timestamps) and the
association tables."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, cast

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

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
