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

The parts: kb.load.state (the options, problems and keys of a run), kb.load.field_checks and
kb.load.record_checks (the checks), kb.load.writing (the writes), kb.load.report (what a run
did); this module reads an Input entity by entity through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy.orm import Session

from kb.errors import DataError, Problem
from kb.formats import kb1
from kb.formats.reading import Input, Item, ReadError, show
from kb.load import bulk
from kb.load.affiliation_checks import AffiliationChecks
from kb.load.bulk import Progress
from kb.load.field_checks import FieldChecker, Rec, json_type
from kb.load.record_checks import RecordChecks
from kb.load.reply_checks import ReplyChecks
from kb.load.report import Report, record_name
from kb.load.report_checks import ReportChecks
from kb.load.state import MAX_PROBLEMS, MODELS, TooMany
from kb.load.verification_checks import VerificationChecks
from kb.load.writing import Writer

ENTITIES = kb1.ENTITIES
# kb/1 fields stored under other column names (the rest are stored under their own).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "published": ("published_on", "date_precision"),
    "said": ("said_on", "said_precision"),
    "speaker": ("speaker_id",),
    "source": ("source_id",),
    "person": ("person_id",),
    "claim": ("claim_id",),
    "estimate_quote": ("estimate_quote_id",),
    "from": ("from_claim_id",),
    "to": ("to_claim_id",),
    "authors": ("authors",),
    "topics": ("topics",),
    "evidence": ("evidence",),
    "by": ("issued_by",),
    "date": ("issued_on", "date_precision"),
    "statement": ("statement_id",),
    "quote": ("quote_id",),
    "disputed": (),  # derived: exports write it, imports ignore it
}
# An affiliation's "from" and "to" are dates, not the claims a relation's are.
_AFFILIATION_COLUMNS = {
    "from": ("started_on", "started_precision"),
    "to": ("ended_on", "ended_precision"),
}
_REPORT_COLUMNS = {"filed": ("created_at",), "fixed": ("fixed_by_id",), "fixed_on": ()}
_VERIFICATION_COLUMNS = {
    "quote": ("quote_id",),
    "by": ("checked_by",),
    "date": ("checked_on", "checked_precision"),
}


class Importer(
    VerificationChecks, RecordChecks, AffiliationChecks, ReplyChecks, ReportChecks, Writer
):
    """One import run over one session. Use `import_input` or `apply_document`."""

    # -- the run ---------------------------------------------------------------------------

    def run(self, inp: Input) -> Report:
        try:
            try:
                for p in inp.check_header():
                    self.problem(p)
                if self.problems:
                    raise TooMany  # not kb/1: reading on would only repeat that
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
            except TooMany:
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
        tables = [mm.__table__.name for mm in MODELS.values()]
        bulk.lock_for_writing(self.s, [*tables, "source_author", "claim_topic", "stance_evidence"])

    def _finish(self) -> None:
        if self._deferred_quotes:
            raise AssertionError("deferred quotes left unwritten")  # pragma: no cover
        if self.wrote_core:
            self._sync_quote_sequence()
            bulk.finish(self.s)  # the latest-stance flags and the data version
        self.s.flush()

    # -- entities --------------------------------------------------------------------------

    def _entity(self, entity: str, items: Iterable[Item], inp: Input) -> None:
        check_record = getattr(self, f"_check_{entity}")
        batch: list[Rec] = []
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
                        f"must be an object, not {json_type(rec)}",
                        item.line,
                        item.file,
                    )
                )
                continue
            c = FieldChecker(self, item, label, entity, rec)
            fields = kb1.FIELDS[entity]
            for name in rec:
                if name not in fields:
                    c.add(
                        show(name)[1:-1] if len(name) > 40 or not name.isprintable() else name,
                        f"is not a field of {entity} (the fields are: {', '.join(kb1.FIELDS[entity])})",
                    )
            parsed = check_record(c, rec)
            if parsed is not None and len(rec) < len(fields):
                # Fields left out keep their current values on an existing record.
                left_out = {col for f in fields if f not in rec for col in _columns(entity, f)}
                parsed.keep = (parsed.keep or set()) | left_out
            if parsed is not None and c.ok:
                if entity in ("stances", "claim_relations", "signatures"):
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


def _columns(entity: str, field: str) -> tuple[str, ...]:
    """The columns a kb/1 field is stored in."""
    if entity == "replies" and field in ("date", "by"):
        return ("replied_on", "replied_precision") if field == "date" else ("replied_by",)
    if entity == "affiliations" and field in _AFFILIATION_COLUMNS:
        return _AFFILIATION_COLUMNS[field]
    if entity == "verifications" and field in _VERIFICATION_COLUMNS:
        return _VERIFICATION_COLUMNS[field]
    if entity == "reports" and field in _REPORT_COLUMNS:
        return _REPORT_COLUMNS[field]
    return _COLUMNS.get(field, (field,))


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
