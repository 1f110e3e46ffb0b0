"""The agreement between people, kept in the database (issue 16).

Derived data: every row here follows from the latest stances (kb.store.latest), and
kb.store.agreement_store keeps it so on every write, so that no worker of any server has to
multiply the stance matrices again after an edit. Nothing else writes these tables. They carry
no foreign keys on purpose (a flush that deletes a person's stances and then the person updates
the pairs only after both) and no CHECK on the counts (SQLite checks the row an upsert proposes,
which holds a difference, before it sees the conflict); `kb check` compares them with a
rebuild, and `kb graph rebuild` can always make them again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kb.models.base import Base


class AgreementPair(Base):
    """Two people who share at least one claim (person_a < person_b): on how many claims both
    hold a latest stance, and on how many of those they agree or disagree (the rule is in
    kb.graph.agreement). `changed_in` is the data version whose write last changed the row, so
    a worker holding an older version reads only what changed since (kb.graph.agreement_load);
    a pair that stops sharing keeps its row with shared = 0 for the same reason, until the next
    rebuild."""

    __tablename__ = "agreement_pair"
    __table_args__ = (
        CheckConstraint("person_a < person_b", name="ordered"),
        Index("ix_agreement_pair_changed_in", "changed_in"),
        # clustered by the pair on SQLite, so reading the whole table comes out in pair order
        {"sqlite_with_rowid": False},
    )

    person_a: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_b: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agreements: Mapped[int] = mapped_column(Integer)
    disagreements: Mapped[int] = mapped_column(Integer)
    shared: Mapped[int] = mapped_column(Integer)
    changed_in: Mapped[int] = mapped_column(Integer)


class AgreementClaim(Base):
    """How many people hold a latest stance on a claim, by side; `changed_in` as for a pair (a
    claim nobody holds any more keeps its row with zeros until the next rebuild)."""

    __tablename__ = "agreement_claim"
    __table_args__ = (
        Index("ix_agreement_claim_changed_in", "changed_in"),
        {"sqlite_with_rowid": False},
    )

    claim_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    supporters: Mapped[int] = mapped_column(Integer)
    opponents: Mapped[int] = mapped_column(Integer)
    mixed: Mapped[int] = mapped_column(Integer)
    changed_in: Mapped[int] = mapped_column(Integer)


SIDE_COLUMNS = {"supports": "supporters", "opposes": "opponents", "mixed": "mixed"}
"""Each position's column of AgreementClaim: how many people hold it on the claim."""


class AgreementState(Base):
    """One row: the data version (kb_state.data_version) the agreement tables reflect. Readers
    use the tables only when it equals the data version; -1 means never built (a database
    migrated with stances in it: `kb graph rebuild` builds them). `generation` is drawn anew at
    each rebuild: a worker's copy of another generation is read again whole, never patched."""

    __tablename__ = "agreement_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data_version: Mapped[int] = mapped_column(Integer, default=-1, server_default="-1")
    generation: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class DerivedValue(Base):
    """A value computed from the whole agreement, kept for every worker of every server: the
    camps, the opinion map's coordinates, the bridging claims (kb.store.derived). One row per
    kind; it is valid only for the data state it names (kb_state's version and the moment of
    that change), so a row from before a write is simply computed again by the first reader
    that needs it. Derived data: deleting a row loses nothing."""

    __tablename__ = "derived_value"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data_version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[str] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float)  # how long the value took to compute


class AgreementSnapshot(Base):
    """One row: a worker's whole copy of the agreement (kb.graph.agreement.Agreement's arrays,
    as numpy's .npz, never pickled) at one data version of one store generation, so that a
    worker's first copy is read in tens of milliseconds instead of computed in seconds; a
    worker patches it to the current version from the pair rows changed since, as it patches
    its own copy (kb.graph.agreement_load). Derived data: deleting it loses nothing."""

    __tablename__ = "agreement_snapshot"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(BigInteger)
    data_version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    arrays: Mapped[bytes] = mapped_column(LargeBinary)
