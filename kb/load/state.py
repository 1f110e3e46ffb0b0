"""What one import run keeps: its session and options, the problems found, the report, and
the keys that match a document's records to the database (slugs and natural keys -> ids).

Memory grows with the number of keys, not with the records. Ids for new records are counted
up from each table's maximum while writing, or are negative placeholders when not (a dry run,
or after the first problem), which is enough for later records to be checked against them.
kb.load.record_checks and kb.load.writing build on this state; kb.load.importer runs it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb import models as m
from kb.dates import utc_day
from kb.errors import Problem
from kb.formats.kb1 import ENTITIES
from kb.load.bulk import Progress
from kb.load.field_checks import FieldChecker, Rec
from kb.load.report import Report

MAX_PROBLEMS = 100
BATCH = 2000
QUOTE_REF = re.compile(r"^q([1-9]\d{0,17})$")


MODELS: dict[str, m.EditableModel] = {
    "people": m.Person,
    "topics": m.Topic,
    "sources": m.Source,
    "claims": m.Claim,
    "quotes": m.Quote,
    "stances": m.Stance,
    "claim_relations": m.ClaimRelation,
    "statements": m.Statement,
    "signatures": m.Signature,
    "affiliations": m.Affiliation,
    "replies": m.Reply,
    "verifications": m.Verification,
    "reports": m.Report,
}


class TooMany(Exception):
    """Raised when max_problems are found: the run stops reading and reports them."""


def quote_key(source_id: int, speaker_id: int, words: str) -> int:
    """A quote's natural key (source, speaker, text) as one 128-bit number: the text can be
    long, and a million of these must fit in memory; at 128 bits two quotes never collide."""
    digest = hashlib.blake2b(
        f"{source_id}\x00{speaker_id}\x00{words}".encode(), digest_size=16
    ).digest()
    return int.from_bytes(digest, "big")


def affiliation_key(person_id: Any, organisation: Any, role: Any, started_on: Any) -> tuple:
    """An affiliation's natural key: the same person, organisation, role and start is the same
    record (its end and note may change from one import to the next)."""
    return (person_id, organisation, role or None, started_on)


class ImportState:
    """One import run's state over one session (kb.load.importer.Importer runs it)."""

    def __init__(
        self,
        session: Session,
        *,
        dry_run: bool = False,
        max_problems: int = MAX_PROBLEMS,
        progress: Progress | None = None,
        batch_size: int = BATCH,
        add_only: bool = False,
    ):
        self.s = session
        self.dry_run = dry_run
        # Create what is missing, never change a record that is there (the seed's mode).
        self.add_only = add_only
        self.max_problems = max_problems
        self.progress = progress
        self.batch_size = batch_size
        self.problems: list[Problem] = []
        self.report = Report()
        self.writing = not dry_run
        self.wrote_core = False
        self._placeholder = 0
        self._next_id: dict[str, int] = {}
        # slug or natural key -> id (existing, new, or a negative placeholder when not writing)
        self.keys: dict[str, dict[Any, int]] = {e: {} for e in ENTITIES}
        self.seen: dict[str, set[int]] = {e: set() for e in ENTITIES}  # existing ids matched
        self._existing_max: dict[str, int] = {}
        self.quote_refs: dict[str, tuple[int, int]] = {}  # document id -> (quote id, speaker id)
        self._deferred_quotes: list[Rec] = []
        self._quote_ids_taken: set[int] = set()
        self._quote_max_existing = 0
        self._deferred_refs: set[str] = set()
        self._db_quotes: dict[str, tuple[int, int] | None] = {}
        self.quotes_written = False
        self.unreadable: set[str] = set()
        self.report_fixes: dict[int, int | None] = {}  # existing report id -> its fixed_by_id

    # -- problems --------------------------------------------------------------------------

    def problem(self, p: Problem) -> None:
        self.problems.append(p)
        self.writing = False
        if len(self.problems) >= self.max_problems:
            raise TooMany

    # -- keys ------------------------------------------------------------------------------

    def _load_keys(self, entity: str) -> None:
        """The natural keys already in the database, for matching."""
        keys = self.keys[entity]
        model = MODELS[entity]
        t = model.__table__
        if entity in ("people", "topics", "sources", "claims", "statements"):
            for slug, id_ in self.s.execute(select(t.c.slug, t.c.id)):
                keys[slug] = id_
        elif entity == "quotes":
            rows = self.s.execute(
                select(t.c.id, t.c.source_id, t.c.speaker_id, t.c.text),
                execution_options={"yield_per": 5000},  # a server-side cursor on PostgreSQL
            )
            for id_, source_id, speaker_id, words in rows:
                keys[quote_key(source_id, speaker_id, words)] = id_
                self._quote_max_existing = max(self._quote_max_existing, id_)
        elif entity == "stances":
            rows = self.s.execute(
                select(t.c.id, t.c.person_id, t.c.claim_id, t.c.as_of),
                execution_options={"yield_per": 5000},
            )
            for id_, pid, cid, as_of in rows:
                keys[(pid, cid, as_of)] = id_
        elif entity == "signatures":
            for id_, pid, sid in self.s.execute(select(t.c.id, t.c.person_id, t.c.statement_id)):
                keys[(pid, sid)] = id_
        elif entity == "replies":
            for id_, qid, sid in self.s.execute(select(t.c.id, t.c.quote_id, t.c.source_id)):
                keys[(qid, sid)] = id_
        elif entity == "affiliations":
            cols = (t.c.id, t.c.person_id, t.c.organisation, t.c.role, t.c.started_on)
            for id_, pid, organisation, role, started in self.s.execute(select(*cols)):
                keys[affiliation_key(pid, organisation, role, started)] = id_
        elif entity == "verifications":
            cols = (t.c.quote_id, t.c.seen_in, t.c.checked_by, t.c.checked_on, t.c.result)
            for id_, *key in self.s.execute(select(t.c.id, *cols)):
                keys[tuple(key)] = id_
        elif entity == "reports":
            found = select(
                t.c.id, t.c.target, t.c.target_id, t.c.kind, t.c.created_at, t.c.fixed_by_id
            )
            for id_, target, target_id, kind, filed, fixed_by in self.s.execute(found):
                keys[(target, target_id, kind, utc_day(filed))] = id_
                self.report_fixes[id_] = fixed_by
        else:
            rows = self.s.execute(select(t.c.id, t.c.from_claim_id, t.c.to_claim_id, t.c.kind))
            for id_, a, b, kind in rows:
                keys[(a, b, kind)] = id_
        self._existing_max[entity] = self.s.scalar(select(func.max(t.c.id))) or 0
        if self.writing:
            self._next_id[entity] = self._existing_max[entity] + 1

    def _new_id(self, entity: str) -> int:
        if not self.writing:
            self._placeholder -= 1
            return self._placeholder
        id_ = self._next_id[entity]
        self._next_id[entity] = id_ + 1
        return id_

    def _match(
        self, entity: str, key: Any, check: FieldChecker, fieldname: str
    ) -> tuple[int, bool]:
        """(id, is_new) for `key`; (0, False) when the document has it twice."""
        found = self.keys[entity].get(key)
        if found is None:
            return 0, True
        # A key that maps to a record this document created (a new id past the database's
        # maximum, or a placeholder), or to an existing record it already matched, is a repeat.
        # Only existing records need remembering, which keeps memory down on a big import.
        if found < 0 or found > self._existing_max[entity] or found in self.seen[entity]:
            check.add(fieldname, "this record appears twice in the document")
            return 0, False
        self.seen[entity].add(found)
        return found, False

    def _register_new(self, entity: str, key: Any) -> int:
        id_ = self._new_id(entity)
        self.keys[entity][key] = id_
        return id_
