"""Importing kb/1 data: checked record by record, streamed, all or nothing, and fast at scale.

`import_input(session, inp)` reads an Input (kb.formats.readers: a JSON dump, a folder of CSVs or
a zip bundle) entity by entity in dependency order, in batches:

- every record is checked by hand (types, lengths, enumerations, references, duplicates within
  the document), and every problem is kept with its file, line, record and field, up to
  MAX_PROBLEMS, so one run reports them all;
- records are matched to the database by slug (people, topics, sources, claims) or by natural key:
  a quote by (source, speaker, text), a stance by (person, claim, as_of), a claim relation by
  (from, to, kind). A matched record whose values differ is updated through the ORM (so its
  version goes up and the history hook sees it); an equal one is left alone. A field the record
  leaves out (a key missing from a JSON record, a column missing from a CSV file) keeps its
  current value; null or an empty cell clears it;
- new records go in with Core `executemany` batches through kb.load.bulk (ids counted up from the
  table's maximum; quotes keep the number of an id "q<n>" when it is free, which is what makes
  export -> import -> export give the same bytes);
- nothing is committed here. After the first problem nothing more is written, and at the end a
  DataError with every problem is raised after rolling back; `dry_run` writes nothing at all and
  only counts what would be created, updated and left alone.

Memory grows with the number of keys (slug -> id, natural key -> id), not with the records.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb import rules
from kb.errors import DataError, Problem
from kb.formats import kb1
from kb.formats.readers import Input, Item, ReadError
from kb.load import bulk

ENTITIES = kb1.ENTITIES
MAX_PROBLEMS = 100
BATCH = 2000
_QREF = re.compile(r"^q([1-9]\d{0,17})$")

Progress = Callable[[int], None]


@dataclass
class Report:
    """What an import did (or, in a dry run, would do), per entity."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    # Only with add_only: existing records that differ from the document, left as they are
    # (an editor's corrections), and what each calls itself.
    kept: Counter[str] = field(default_factory=Counter)
    kept_records: dict[str, list[str]] = field(default_factory=dict)
    # Filled by kb.load.seed: records of the document left out because an editor deleted them.
    deleted: Counter[str] = field(default_factory=Counter)
    deleted_records: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        return [
            f"{entity}: {self.created[entity]} created, {self.updated[entity]} updated, "
            f"{self.unchanged[entity]} unchanged"
            for entity in ENTITIES
        ]

    def skipped_lines(self) -> list[str]:
        """For an add-only run: per entity what was added and what was skipped, then the
        records kept as an editor left them and those an editor deleted."""
        lines = []
        for e in ENTITIES:
            skipped = self.kept[e] + self.unchanged[e] + self.deleted[e]
            gone = f"; {self.deleted[e]} deleted by an editor" if self.deleted[e] else ""
            lines.append(
                f"{e}: {self.created[e]} created, {skipped} skipped (already there: "
                f"{self.kept[e]} kept as edited, {self.unchanged[e]} unchanged{gone})"
            )
        for e in ENTITIES:
            for label in self.kept_records.get(e, []):
                lines.append(f"kept as edited, not overwritten: {e} {label}")
        for e in ENTITIES:
            for label in self.deleted_records.get(e, []):
                lines.append(f"deleted by an editor, not added again: {e} {label}")
        return lines

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            e: {
                "created": self.created[e],
                "updated": self.updated[e],
                "unchanged": self.unchanged[e],
            }
            for e in ENTITIES
        }


class _TooMany(Exception):
    pass


@dataclass
class _Rec:
    """One checked record: its id (existing, new or placeholder), columns and links."""

    id: int
    new: bool
    values: dict[str, Any]
    links: list[int] | None = None
    ref: str | None = None  # a quote's document id
    link_keys: list[str] | None = None  # the slugs of `links`, for history
    hint: str = ""  # the record's own words for itself, for history labels
    keep: set[str] | None = None  # columns (or the list field) the record left out


class _Checker:
    """Field checks for one record; each failure becomes a Problem naming the field."""

    def __init__(
        self, importer: Importer, item: Item, label: str, entity: str, rec: dict[str, Any]
    ):
        self.imp = importer
        self.item = item
        self._label = label
        self._entity = entity
        self._rec = rec
        self.ok = True

    @property
    def label(self) -> str:
        """`entity[index] (what the record calls itself)`; made only when a problem needs it."""
        hint = record_name(self._entity, self._rec)
        return f"{self._label} ({hint})" if hint else self._label

    def add(self, fieldname: str | None, message: str) -> None:
        self.ok = False
        self.imp.problem(
            Problem(self.label, fieldname, message, line=self.item.line, file=self.item.file)
        )

    def text(
        self, rec: dict[str, Any], name: str, max_len: int | None = None, required: bool = False
    ) -> str | None:
        """A text field, within its length limit (kb.rules.LIMITS unless `max_len` is given)."""
        value = rec.get(name)
        if value is None or value == "":
            if required:
                self.add(name, "is required")
            return None
        if not isinstance(value, str):
            self.add(name, f"must be text, not {_json_type(value)}")
            return None
        if required and not value.strip():
            self.add(name, "is required (it is blank)")
            return None
        problem = rules.text_problem(value, max_len or rules.limit(self._entity, name))
        if problem:
            self.add(name, problem)
            return None
        return value

    def url(self, rec: dict[str, Any], name: str) -> str | None:
        """A web address by kb.rules' URL rule, as the forms require. Anything else
        (javascript:, data:, a bare path) would be shown as text, never a link; refusing it
        here keeps such a value out of the data in the first place."""
        value = self.text(rec, name, rules.URL_MAX)
        problem = rules.url_problem(value) if value is not None else None
        if problem:
            self.add(name, problem)
            return None
        return value

    def slug(self, rec: dict[str, Any], name: str = "slug") -> str | None:
        value = self.text(rec, name, rules.SLUG_MAX, required=True)
        problem = rules.slug_problem(value) if value is not None else None
        if problem:
            self.add(name, problem)
            return None
        return value

    def choice(self, rec: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
        value = rec.get(name)
        if value is None or value == "":
            self.add(name, f"is required: one of {', '.join(allowed)}")
            return None
        if value not in allowed:
            self.add(name, f"{_show(value)} is not one of {', '.join(allowed)}")
            return None
        return value

    def year(self, rec: dict[str, Any], name: str) -> int | None:
        value = rec.get(name)
        if value is None:
            return None
        problem = rules.year_problem(value)
        if problem:
            self.add(name, problem)
            return None
        return value

    def partial_date(self, rec: dict[str, Any], name: str) -> tuple[Any, str | None]:
        """A date with its precision (YYYY, YYYY-MM or YYYY-MM-DD): (date, precision)."""
        raw = rec.get(name)
        if raw is None or raw == "":
            return None, None
        if not isinstance(raw, str):
            self.add(name, f"must be text (YYYY, YYYY-MM or YYYY-MM-DD), not {_show(raw)}")
            return None, None
        try:
            return rules.parse_partial(raw)
        except rules.RuleError as exc:
            self.add(name, str(exc))
            return None, None

    def ref(self, rec: dict[str, Any], name: str, entity: str, what: str) -> int | None:
        value = rec.get(name)
        if value is None or value == "":
            self.add(name, f"is required: the slug of a {what}")
            return None
        if not isinstance(value, str):
            self.add(name, f"must be the slug of a {what}, not {_json_type(value)}")
            return None
        found = self.imp.keys[entity].get(value)
        if found is None:
            self.unknown(name, entity, what, value)
        return found

    def unknown(self, name: str, entity: str, what: str, value: Any) -> None:
        if entity in self.imp.unreadable:
            self.ok = False  # its file could not be read: already reported
        else:
            self.add(name, f"unknown {what} {_show(value)}")

    def ref_list(self, rec: dict[str, Any], name: str, entity: str, what: str) -> list[int]:
        value = rec.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(name, f"must be a list of {what} slugs")
            return []
        ids = []
        for v in value:
            found = self.imp.keys[entity].get(v)
            if found is None:
                self.unknown(name, entity, what, v)
            elif found in ids:
                self.add(name, f"lists {_show(v)} twice")
            else:
                ids.append(found)
        return ids


def _quote_key(source_id: int, speaker_id: int, words: str) -> int:
    """A quote's natural key (source, speaker, text) as one 128-bit number: the text can be
    long, and a million of these must fit in memory; at 128 bits two quotes never collide."""
    digest = hashlib.blake2b(
        f"{source_id}\x00{speaker_id}\x00{words}".encode(), digest_size=16
    ).digest()
    return int.from_bytes(digest, "big")


def _encodable(value: str) -> bool:
    """Whether `value` is real Unicode text: JSON's "\\ud800" escapes decode to a lone
    surrogate, which no database and no web page can store or show."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _show(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: repr (so control characters and surrogates are
    visible and harmless), cut short, so a hostile megabyte never lands in a report."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_type(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        Decimal: "a number",
        list: "a list",
        dict: "an object",
        str: "text",
    }.get(type(value), type(value).__name__)


def record_name(entity: str, rec: dict[str, Any]) -> str:
    """How reports name a kb/1 record: its slug, a quote's id, "person on claim", "a kind b"."""

    def s(name: str) -> str:
        v = rec.get(name)
        if not isinstance(v, str):
            return "?"
        if len(v) > 60 or not v.isprintable() or not _encodable(v):
            return _show(v)
        return v

    if entity in ("people", "topics", "sources", "claims"):
        return s("slug") if isinstance(rec.get("slug"), str) else ""
    if entity == "quotes":
        return s("id") if isinstance(rec.get("id"), str) else ""
    if entity == "stances":
        return f"{s('person')} on {s('claim')}"
    return f"{s('from')} {s('kind')} {s('to')}"


_MODELS: dict[str, m.EditableModel] = {
    "people": m.Person,
    "topics": m.Topic,
    "sources": m.Source,
    "claims": m.Claim,
    "quotes": m.Quote,
    "stances": m.Stance,
    "claim_relations": m.ClaimRelation,
}
# kb/1 fields stored under other column names (the rest are stored under their own).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "published": ("published_on", "date_precision"),
    "said": ("said_on", "said_precision"),
    "speaker": ("speaker_id",),
    "source": ("source_id",),
    "person": ("person_id",),
    "claim": ("claim_id",),
    "from": ("from_claim_id",),
    "to": ("to_claim_id",),
    "authors": ("authors",),
    "topics": ("topics",),
    "evidence": ("evidence",),
}
_LINK_ATTR = {"sources": "authors", "claims": "topics", "stances": "evidence"}
_LINK_MODEL: dict[str, type[m.Person] | type[m.Topic] | type[m.Quote]] = {
    "sources": m.Person,
    "claims": m.Topic,
    "stances": m.Quote,
}
_BULK_INSERT = {
    "people": bulk.insert_people,
    "topics": bulk.insert_topics,
    "sources": bulk.insert_sources,
    "claims": bulk.insert_claims,
    "stances": bulk.insert_stances,
    "claim_relations": bulk.insert_relations,
}
_BULK_LINK_KEY = {"sources": "author_ids", "claims": "topic_ids", "stances": "evidence_ids"}


class Importer:
    """One import run over one session. Use `import_input` or `apply_document`."""

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
        self._deferred_quotes: list[_Rec] = []
        self._quote_ids_taken: set[int] = set()
        self._quote_max_existing = 0
        self._deferred_refs: set[str] = set()
        self._db_quotes: dict[str, tuple[int, int] | None] = {}
        self.quotes_written = False
        self.unreadable: set[str] = set()

    # -- problems --------------------------------------------------------------------------

    def problem(self, p: Problem) -> None:
        self.problems.append(p)
        self.writing = False
        if len(self.problems) >= self.max_problems:
            raise _TooMany

    # -- the run ---------------------------------------------------------------------------

    def run(self, inp: Input) -> Report:
        try:
            try:
                for p in inp.check_header():
                    self.problem(p)
                if self.problems:
                    raise _TooMany  # not kb/1: reading on would only repeat that
                if self.writing:
                    self._lock()
                for entity in ENTITIES:
                    self._load_keys(entity)
                    try:
                        self._entity(entity, inp.records(entity), inp)
                    except ReadError as exc:
                        if not inp.recoverable:
                            raise
                        # This file is unreadable; the others are still checked, without
                        # blaming them for referring to what it would have held.
                        self.problem(exc.problem)
                        self.unreadable.add(entity)
                for p in inp.finish():
                    self.problem(p)
            except ReadError as exc:
                self.problems.append(exc.problem)
            except _TooMany:
                pass
        finally:
            inp.close()
        if len(self.problems) >= self.max_problems:
            self.problems = self.problems[: self.max_problems]
            self.problems.append(
                Problem(
                    "import",
                    None,
                    f"stopped after {self.max_problems} problems; fix these and run it again",
                )
            )
        if self.problems:
            self.s.rollback()
            raise DataError(self.problems)
        if self.dry_run:
            self.s.rollback()
            return self.report
        self._finish()
        return self.report

    def _lock(self) -> None:
        """Keep other writers out of every kb/1 table before any key or maximum id is read,
        until the import commits: new ids are counted up from each table's maximum, and the
        matching by slug and natural key must stay true while it is written (kb.load.bulk)."""
        tables = [mm.__table__.name for mm in _MODELS.values()]
        bulk.lock_for_writing(self.s, [*tables, "source_author", "claim_topic", "stance_evidence"])

    def _finish(self) -> None:
        if self._deferred_quotes:
            raise AssertionError("deferred quotes left unwritten")  # pragma: no cover
        if self.wrote_core:
            self._sync_quote_sequence()
            bulk.finish(self.s)  # the latest-stance flags and the data version
        self.s.flush()

    # -- keys ------------------------------------------------------------------------------

    def _load_keys(self, entity: str) -> None:
        """The natural keys already in the database, for matching."""
        keys = self.keys[entity]
        model = _MODELS[entity]
        t = model.__table__
        if entity in ("people", "topics", "sources", "claims"):
            for slug, id_ in self.s.execute(select(t.c.slug, t.c.id)):
                keys[slug] = id_
        elif entity == "quotes":
            rows = self.s.execute(
                select(t.c.id, t.c.source_id, t.c.speaker_id, t.c.text),
                execution_options={"yield_per": 5000},  # a server-side cursor on PostgreSQL
            )
            for id_, source_id, speaker_id, words in rows:
                keys[_quote_key(source_id, speaker_id, words)] = id_
                self._quote_max_existing = max(self._quote_max_existing, id_)
        elif entity == "stances":
            rows = self.s.execute(
                select(t.c.id, t.c.person_id, t.c.claim_id, t.c.as_of),
                execution_options={"yield_per": 5000},
            )
            for id_, pid, cid, as_of in rows:
                keys[(pid, cid, as_of)] = id_
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

    def _match(self, entity: str, key: Any, check: _Checker, fieldname: str) -> tuple[int, bool]:
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

    # -- entities --------------------------------------------------------------------------

    def _entity(self, entity: str, items: Iterable[Item], inp: Input) -> None:
        check_record = getattr(self, f"_check_{entity}")
        batch: list[_Rec] = []
        for item in items:
            rec = item.record
            if isinstance(rec, Problem):
                self.problem(rec)
                continue
            label = f"{entity}[{item.index}]"
            if not isinstance(rec, dict):
                self.problem(
                    Problem(
                        label,
                        None,
                        f"must be an object, not {_json_type(rec)}",
                        item.line,
                        item.file,
                    )
                )
                continue
            c = _Checker(self, item, label, entity, rec)
            fields = kb1.FIELDS[entity]
            for name in rec:
                if name not in fields:
                    c.add(
                        _show(name)[1:-1] if len(name) > 40 or not name.isprintable() else name,
                        f"is not a field of {entity} (the fields are: {', '.join(kb1.FIELDS[entity])})",
                    )
            parsed = check_record(c, rec)
            if parsed is not None and len(rec) < len(fields):
                # Fields left out keep their current values on an existing record.
                parsed.keep = {col for f in fields if f not in rec for col in _COLUMNS.get(f, (f,))}
            if parsed is not None and c.ok:
                if entity in ("stances", "claim_relations"):
                    parsed.hint = record_name(entity, rec)  # their history label, and kept label
                batch.append(parsed)
            if len(batch) >= self.batch_size:
                self._apply(entity, batch)
                batch = []
                if self.progress:
                    self.progress(inp.bytes_read())
        if batch:
            self._apply(entity, batch)
        if entity == "quotes":
            self._write_deferred_quotes()
        if self.progress:
            self.progress(inp.bytes_read())

    def _check_people(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        slug = c.slug(rec)
        values: dict[str, Any] = {
            "name": c.text(rec, "name", required=True),
            "description": c.text(rec, "description"),
            "affiliation": c.text(rec, "affiliation"),
            "birth_year": c.year(rec, "birth_year"),
            "death_year": c.year(rec, "death_year"),
            "url": c.url(rec, "url"),
        }
        problem = rules.life_problem(values["birth_year"], values["death_year"])
        if problem:
            c.add("death_year", problem)
        return self._slugged("people", c, slug, values)

    def _check_topics(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        slug = c.slug(rec)
        values: dict[str, Any] = {
            "name": c.text(rec, "name", required=True),
            "description": c.text(rec, "description"),
        }
        return self._slugged("topics", c, slug, values)

    def _check_sources(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        slug = c.slug(rec)
        published, precision = c.partial_date(rec, "published")
        values = {
            "title": c.text(rec, "title", required=True),
            "kind": c.choice(rec, "kind", m.SOURCE_KINDS),
            "url": c.url(rec, "url"),
            "publisher": c.text(rec, "publisher"),
            "published_on": published,
            "date_precision": precision,
            "date_note": c.text(rec, "date_note"),
            "archived_url": c.url(rec, "archived_url"),
            "note": c.text(rec, "note"),
        }
        links = c.ref_list(rec, "authors", "people", "person")
        parsed = self._slugged("sources", c, slug, values, links)
        if parsed is not None:
            parsed.link_keys = list(rec.get("authors") or [])
        return parsed

    def _check_claims(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        slug = c.slug(rec)
        values = {
            "text": c.text(rec, "text", required=True),
            "summary": c.text(rec, "summary"),
        }
        links = c.ref_list(rec, "topics", "topics", "topic")
        parsed = self._slugged("claims", c, slug, values, links)
        if parsed is not None:
            parsed.link_keys = list(rec.get("topics") or [])
        return parsed

    def _slugged(
        self,
        entity: str,
        c: _Checker,
        slug: str | None,
        values: dict[str, Any],
        links: list[int] | None = None,
    ) -> _Rec | None:
        if slug is None:
            return None
        # The slug is registered even when another field is wrong, so that records referring
        # to it are not reported too (one mistake, one problem).
        ok_before = c.ok
        id_, new = self._match(entity, slug, c, "slug")
        if id_ == 0 and not new:
            return None
        if new:
            id_ = self._register_new(entity, slug)
        if not ok_before:
            return None
        return _Rec(id_, new, {"slug": slug, **values}, links)

    def _check_quotes(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        ref = rec.get("id")
        if ref is not None and ref != "":
            problem = rules.quote_id_problem(ref)
            if problem:
                c.add("id", problem)
                ref = None
            elif ref in self.quote_refs or ref in self._deferred_refs:
                c.add("id", f"the quote id {_show(ref)} appears twice in the document")
                ref = None
        else:
            ref = None
        words = c.text(rec, "text", required=True)
        speaker = c.ref(rec, "speaker", "people", "person")
        source = c.ref(rec, "source", "sources", "source")
        said_on, said_precision = c.partial_date(rec, "said")
        values = {
            "text": words,
            "speaker_id": speaker,
            "source_id": source,
            "said_on": said_on,
            "said_precision": said_precision,
            "locator": c.text(rec, "locator"),
            "speaker_affiliation": c.text(rec, "speaker_affiliation"),
            "attribution": c.choice(rec, "attribution", m.ATTRIBUTIONS),
            "checked": c.choice(rec, "checked", m.CHECKED_HOW),
            "check_note": c.text(rec, "check_note"),
            "note": c.text(rec, "note"),
        }
        if not c.ok:
            if ref is not None:  # known, so stances citing it are not reported too
                self._placeholder -= 1
                self.quote_refs[ref] = (self._placeholder, speaker or 0)
            return None
        assert source is not None and speaker is not None and words is not None  # c.ok
        key = _quote_key(source, speaker, words)
        id_, new = self._match("quotes", key, c, "text")
        if not c.ok:
            return None
        if new:
            id_ = self._quote_id(ref, key)
        if ref is not None:
            # A deferred quote's placeholder id is replaced once its real id is known.
            self.quote_refs[ref] = (id_, speaker)
        return _Rec(id_, new, values, None, ref)

    def _quote_id(self, ref: str | None, key: int) -> int:
        """A new quote keeps the number of its "q<n>" id when that id is free; others get an
        id after the last quote (assigned once every quote has been read, see
        _write_deferred_quotes); 0 marks such a deferred quote."""
        if not self.writing:
            return self._register_new("quotes", key)
        match = _QREF.match(ref or "")
        if match:
            n = int(match.group(1))
            if n > self._quote_max_existing and n not in self._quote_ids_taken:
                self._quote_ids_taken.add(n)
                self.keys["quotes"][key] = n
                return n
        # Deferred: a unique negative marker until the real id is known.
        self._placeholder -= 1
        self.keys["quotes"][key] = self._placeholder
        if ref is not None:
            self._deferred_refs.add(ref)
        return self._placeholder

    def _check_stances(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        person = c.ref(rec, "person", "people", "person")
        claim = c.ref(rec, "claim", "claims", "claim")
        probability = rec.get("probability")
        if probability is not None:
            try:
                probability = rules.probability(probability)
            except rules.RuleError as exc:
                c.add("probability", str(exc))
                probability = None
        as_of = None
        raw = rec.get("as_of")
        if raw is not None and raw != "":
            try:
                if not isinstance(raw, str):
                    raise rules.RuleError(f"{_show(raw)} is not a date (YYYY-MM-DD)")
                as_of = rules.parse_day(raw)
            except rules.RuleError as exc:
                c.add("as_of", str(exc))
        values = {
            "person_id": person,
            "claim_id": claim,
            "position": c.choice(rec, "position", m.POSITIONS),
            "basis": c.choice(rec, "basis", m.BASES),
            "probability": probability,
            "horizon": c.text(rec, "horizon"),
            "as_of": as_of,
            "note": c.text(rec, "note"),
        }
        evidence = rec.get("evidence")
        links: list[int] = []
        if not isinstance(evidence, list) or not all(isinstance(v, str) for v in evidence):
            if evidence in (None, []):
                c.add("evidence", "a stance needs at least one quote as evidence")
            else:
                c.add("evidence", "must be a list of quote ids")
        else:
            if not evidence:
                c.add("evidence", "a stance needs at least one quote as evidence")
            for ref in evidence:
                found = self.quote_refs.get(ref) or self._database_quote(ref)
                if found is None:
                    c.unknown("evidence", "quotes", "quote", ref)
                elif found[0] in links:
                    c.add("evidence", f"lists {_show(ref)} twice")
                elif person is not None and found[1] and found[1] != person:
                    c.add("evidence", f"quote {_show(ref)} is not by {_show(rec.get('person'))}")
                else:
                    links.append(found[0])
        if not c.ok:
            return None
        key = (person, claim, as_of)
        id_, new = self._match("stances", key, c, "as_of")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("stances", key)
        return _Rec(id_, new, values, links)

    def _database_quote(self, ref: str) -> tuple[int, int] | None:
        """A "q<n>" the document does not define names the database's quote n (so a
        stances.csv can be imported on its own). Looked up once per id."""
        match = _QREF.match(ref)
        if not match:
            return None
        if ref not in self._db_quotes:
            n = int(match.group(1))
            speaker = self.s.scalar(select(m.Quote.speaker_id).where(m.Quote.id == n))
            self._db_quotes[ref] = (n, speaker) if speaker is not None else None
        return self._db_quotes[ref]

    def _check_claim_relations(self, c: _Checker, rec: dict[str, Any]) -> _Rec | None:
        src = c.ref(rec, "from", "claims", "claim")
        dst = c.ref(rec, "to", "claims", "claim")
        kind = c.choice(rec, "kind", m.RELATION_KINDS)
        note = c.text(rec, "note")
        if src is not None and src == dst:
            c.add("to", "a claim cannot support or contradict itself")
        if not c.ok:
            return None
        key = (src, dst, kind)
        id_, new = self._match("claim_relations", key, c, "to")
        if not c.ok:
            return None
        if new:
            id_ = self._register_new("claim_relations", key)
        values = {"from_claim_id": src, "to_claim_id": dst, "kind": kind, "note": note}
        return _Rec(id_, new, values)

    # -- writing ---------------------------------------------------------------------------

    def _apply(self, entity: str, batch: list[_Rec]) -> None:
        new = [r for r in batch if r.new]
        old = [r for r in batch if not r.new]
        self.report.created[entity] += len(new)
        if old:
            self._update(entity, old)
        if not self.writing or not new:
            return
        if entity == "quotes":
            ready = [r for r in new if r.id > 0]
            self._deferred_quotes.extend(r for r in new if r.id <= 0)
            self._insert_quotes(ready)
            return
        rows = []
        link_key = _BULK_LINK_KEY.get(entity)
        for r in new:
            row = dict(r.values)
            if link_key:
                row[link_key] = r.links or []
            rows.append(row)
        result = _BULK_INSERT[entity](self.s, rows, batch_size=len(rows))
        ids = list(result.values()) if isinstance(result, dict) else list(result)
        if ids != [r.id for r in new]:  # pragma: no cover - would be a bug in the id counting
            raise RuntimeError(f"bulk insert of {entity} assigned unexpected ids")
        self.wrote_core = True
        self._history(entity, new)

    def _insert_quotes(self, recs: list[_Rec]) -> None:
        if not recs:
            return
        t = m.Quote.__table__
        now = m.utcnow()
        rows = [
            {"id": r.id, **r.values, "created_at": now, "updated_at": now, "version": 1}
            for r in recs
        ]
        self.s.connection().execute(insert(t), rows)
        self.wrote_core = True
        self.quotes_written = True
        self._history("quotes", recs)

    def _history(self, entity: str, recs: list[_Rec]) -> None:
        """One "create" revision per record written with Core, as the ORM hook writes for a
        record created in a form (kb.store.history.record_bulk)."""
        table = _MODELS[entity].__tablename__
        link_attr = _LINK_ATTR.get(entity)

        def rows() -> Iterator[dict[str, Any]]:
            for r in recs:
                changes = {k: [None, v] for k, v in r.values.items() if v is not None}
                if link_attr:
                    keys = r.link_keys if entity != "stances" else sorted(r.links or [])
                    if keys:
                        changes[link_attr] = [None, sorted(keys)]
                yield {
                    "action": "create",
                    "entity": table,
                    "entity_id": r.id,
                    "label": _history_label(entity, r),
                    "changes": changes,
                }

        record_history(self.s, rows())

    def _write_deferred_quotes(self) -> None:
        """Give the quotes whose "q<n>" id was taken (or that had another kind of id) the ids
        after every quote in the database and the document, then write them."""
        deferred, self._deferred_quotes = self._deferred_quotes, []
        if not deferred:
            return
        if not self.writing:
            # A problem stopped the writing: the quotes keep their placeholder ids, which is
            # enough for the stances citing them to be checked.
            for r in deferred:
                if r.ref is not None:
                    self.quote_refs[r.ref] = (r.id, r.values["speaker_id"])
            return
        t = m.Quote.__table__
        next_id = max(
            (self.s.scalar(select(func.max(t.c.id))) or 0),
            max(self._quote_ids_taken, default=0),
        )
        for r in deferred:
            next_id += 1
            key = _quote_key(r.values["source_id"], r.values["speaker_id"], r.values["text"])
            self.keys["quotes"][key] = next_id
            if r.ref is not None:
                self.quote_refs[r.ref] = (next_id, r.values["speaker_id"])
            r.id = next_id
        for start in range(0, len(deferred), self.batch_size):
            self._insert_quotes(deferred[start : start + self.batch_size])

    def _sync_quote_sequence(self) -> None:
        if self.s.get_bind().dialect.name == "postgresql" and self.quotes_written:
            self.s.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('quote', 'id'), "
                    "GREATEST((SELECT MAX(id) FROM quote), 1))"
                )
            )

    def _update(self, entity: str, recs: list[_Rec]) -> None:
        """Compare matched records with the database; change those that differ (through the
        ORM, so versions and history follow), count the rest as unchanged."""
        model = _MODELS[entity]
        link_attr = _LINK_ATTR.get(entity)
        # any editable model: the records are used through their shared id and fields
        stmt: Select[Any] = select(model).where(model.id.in_([r.id for r in recs]))
        if link_attr:
            stmt = stmt.options(selectinload(getattr(model, link_attr)))
        objs = {o.id: o for o in self.s.scalars(stmt)}
        related: dict[int, Any] = {}
        touched = []
        for r in recs:
            obj = objs[r.id]
            keep = r.keep or ()
            changes = {k: v for k, v in r.values.items() if k not in keep and getattr(obj, k) != v}
            link_changed = False
            if link_attr and link_attr not in keep:
                current = sorted(o.id for o in getattr(obj, link_attr))
                link_changed = current != sorted(r.links or [])
            if not changes and not link_changed:
                self.report.unchanged[entity] += 1
                continue
            if self.add_only:
                self.report.kept[entity] += 1
                label = r.values.get("slug") or r.ref or r.hint or str(r.id)
                self.report.kept_records.setdefault(entity, []).append(label)
                continue
            self.report.updated[entity] += 1
            if not self.writing:
                continue
            for k, v in changes.items():
                setattr(obj, k, v)
            if link_changed and link_attr:  # (a link can only change where there is one)
                needed = [i for i in r.links or [] if i not in related]
                if needed:
                    link_model = _LINK_MODEL[entity]
                    linked: Select[Any] = select(link_model).where(link_model.id.in_(needed))
                    for o in self.s.scalars(linked):
                        related[o.id] = o
                setattr(obj, link_attr, [related[i] for i in r.links or []])
            touched.append(obj)
        if touched:
            self.s.flush()
        for obj in objs.values():
            self.s.expunge(obj)
        for obj in related.values():
            if obj in self.s:
                self.s.expunge(obj)


def _history_label(entity: str, r: _Rec) -> str:
    v = r.values

    def short(words: str | None, n: int = 80) -> str:
        words = " ".join((words or "").split())
        return words if len(words) <= n else words[: n - 1] + "…"

    if entity in ("people", "topics"):
        return v["name"]
    if entity == "sources":
        return short(v["title"], 200)
    if entity == "claims":
        return short(v["text"])
    if entity == "quotes":
        return f"“{short(v['text'], 70)}”"
    if entity == "stances":
        return f"{r.hint.replace(' on ', ' ' + v['position'] + ' ', 1)}"
    return r.hint


def create_label(entity: str, rec: dict[str, Any]) -> tuple[str, str]:
    """(table, label) of the "create" revision an import writes for the kb/1 record `rec`:
    how kb.load.seed recognises a record it once wrote, whatever was done to it since."""
    label = _history_label(entity, _Rec(0, True, dict(rec), hint=record_name(entity, rec)))
    return _MODELS[entity].__tablename__, label[:500]


def record_history(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Where an import meets kb.store.history: records created with Core get their revisions here
    (updates go through the ORM, whose history hook records them like any edit)."""
    from kb.store import history

    history.record_bulk(session, rows)


def import_input(
    session: Session,
    inp: Input,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_problems: int = MAX_PROBLEMS,
    add_only: bool = False,
) -> Report:
    """Check and upsert everything `inp` holds, in the session's transaction (the caller
    commits). Raises DataError with every problem (nothing written) when anything is wrong.
    With `add_only`, records already in the database are never changed, only counted."""
    return Importer(
        session, dry_run=dry_run, progress=progress, max_problems=max_problems, add_only=add_only
    ).run(inp)


class DocumentInput(Input):
    """A kb/1 document already in memory (the seed, a test), read like a file."""

    def __init__(self, doc: Any, name: str = "document"):
        self.doc = doc
        self.name = name

    def check_header(self) -> list[Problem]:
        if not isinstance(self.doc, dict) or self.doc.get("format") != kb1.FORMAT:
            return [Problem("document", "format", f'must be "{kb1.FORMAT}"', file=self.name)]
        return []

    def records(self, entity: str) -> Iterator[Item]:
        rows = self.doc.get(entity, [])
        if not isinstance(rows, list):
            raise ReadError(Problem("document", entity, "must be a list", file=self.name))
        for i, rec in enumerate(rows):
            yield Item(i, None, rec, self.name)

    def finish(self) -> list[Problem]:
        return [
            Problem("document", key, "is not part of kb/1", file=self.name)
            for key in self.doc
            if key != "format" and key not in kb1.ENTITIES
        ]


def apply_document(
    session: Session,
    doc: dict[str, Any],
    *,
    file: str | None = None,
    dry_run: bool = False,
    add_only: bool = False,
) -> Report:
    """Check `doc` (a kb/1 document as a dict) and upsert it (or, with `add_only`, add only
    what is missing). Raises DataError listing every problem; writes nothing then."""
    return import_input(
        session, DocumentInput(doc, file or "document"), dry_run=dry_run, add_only=add_only
    )
