"""Apply a knowledge base in the kb/1 format (see docs in kb/formats) to the database.

Records are matched by slug (people, sources, claims, topics) or by a natural key (a quote by
source + speaker + text; a stance by person + claim + as-of date; a relation by from + to + kind),
so applying the same document twice changes nothing. Everything is checked before anything is
written, and the caller's transaction is left open: the caller commits or rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb.dates import parse_partial
from kb.errors import DataError, Problem

ENTITIES = ("people", "topics", "sources", "claims", "quotes", "stances", "claim_relations")


@dataclass
class Report:
    """What applying a document did (or, in a dry run, would do), per entity."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))

    def lines(self) -> list[str]:
        return [
            f"{entity}: {self.created[entity]} created, {self.updated[entity]} updated, "
            f"{self.unchanged[entity]} unchanged"
            for entity in ENTITIES
        ]


class _Checker:
    def __init__(self, file: str | None):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, record: str, fieldname: str | None, message: str) -> None:
        self.problems.append(Problem(record, fieldname, message, file=self.file))

    def required(self, rec: dict[str, Any], label: str, name: str, max_len: int | None = None):
        value = rec.get(name)
        if not isinstance(value, str) or not value.strip():
            self.add(label, name, "is required")
            return None
        if max_len and len(value) > max_len:
            self.add(label, name, f"is {len(value)} characters long; the limit is {max_len}")
        return value

    def optional_str(self, rec: dict[str, Any], label: str, name: str, max_len: int | None = None):
        value = rec.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(label, name, "must be text")
            return None
        if max_len and len(value) > max_len:
            self.add(label, name, f"is {len(value)} characters long; the limit is {max_len}")
        return value or None

    def choice(self, rec: dict[str, Any], label: str, name: str, allowed: tuple[str, ...]):
        value = rec.get(name)
        if value not in allowed:
            self.add(label, name, f"{value!r} is not one of {', '.join(allowed)}")
        return value


def _label(entity: str, index: int, rec: dict[str, Any]) -> str:
    key = rec.get("slug") or rec.get("id")
    return f"{entity}[{index}]" + (f" ({key})" if key else "")


def apply_document(
    session: Session, doc: dict[str, Any], *, file: str | None = None, dry_run: bool = False
) -> Report:
    """Check `doc` and upsert it. Raises DataError listing every problem; writes nothing then."""
    check = _Checker(file)
    if not isinstance(doc, dict) or doc.get("format") != "kb/1":
        check.add("document", "format", 'must be "kb/1"')
        raise DataError(check.problems)
    for entity in ENTITIES:
        if not isinstance(doc.get(entity, []), list):
            check.add("document", entity, "must be a list")
    if check.problems:
        raise DataError(check.problems)

    report = Report()
    loader = _Loader(session, check, report)
    loader.run(doc)
    if check.problems:
        session.rollback()
        raise DataError(check.problems)
    if dry_run:
        session.rollback()
    else:
        session.flush()
    return report


class _Loader:
    def __init__(self, session: Session, check: _Checker, report: Report):
        self.s = session
        self.check = check
        self.report = report
        self.people = {p.slug: p for p in session.scalars(select(m.Person))}
        self.topics = {t.slug: t for t in session.scalars(select(m.Topic))}
        self.sources = {
            s.slug: s
            for s in session.scalars(select(m.Source).options(selectinload(m.Source.authors)))
        }
        self.claims = {
            c.slug: c
            for c in session.scalars(select(m.Claim).options(selectinload(m.Claim.topics)))
        }

    # -- helpers -----------------------------------------------------------------------------

    def _set(self, obj: Any, values: dict[str, Any]) -> bool:
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        return changed

    def _count(self, entity: str, created: bool, changed: bool) -> None:
        if created:
            self.report.created[entity] += 1
        elif changed:
            self.report.updated[entity] += 1
        else:
            self.report.unchanged[entity] += 1

    def _upsert_slugged(self, entity: str, model: type, index: dict, slug: str, values: dict):
        obj = index.get(slug)
        created = obj is None
        if created:
            obj = model(slug=slug, **values)
            self.s.add(obj)
            index[slug] = obj
            changed = True
        else:
            changed = self._set(obj, values)
        return obj, created, changed

    def _seen(self, seen: set, key: Any, label: str, fieldname: str) -> bool:
        if key in seen:
            self.check.add(label, fieldname, "appears twice in this document")
            return True
        seen.add(key)
        return False

    def _ref(self, index: dict, value: Any, label: str, fieldname: str, what: str):
        obj = index.get(value) if isinstance(value, str) else None
        if obj is None:
            self.check.add(label, fieldname, f"unknown {what} {value!r}")
        return obj

    # -- entities ----------------------------------------------------------------------------

    def run(self, doc: dict[str, Any]) -> None:
        self.load_people(doc.get("people", []))
        self.load_topics(doc.get("topics", []))
        self.load_sources(doc.get("sources", []))
        self.load_claims(doc.get("claims", []))
        quote_refs = self.load_quotes(doc.get("quotes", []))
        self.load_stances(doc.get("stances", []), quote_refs)
        self.load_relations(doc.get("claim_relations", []))

    def load_people(self, rows: list[dict[str, Any]]) -> None:
        c, seen = self.check, set()
        for i, rec in enumerate(rows):
            label = _label("people", i, rec)
            slug = c.required(rec, label, "slug", m.SLUG_MAX)
            name = c.required(rec, label, "name", 200)
            years = {}
            for y in ("birth_year", "death_year"):
                v = rec.get(y)
                if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                    c.add(label, y, "must be a whole number")
                    v = None
                years[y] = v
            if (
                years["birth_year"] is not None
                and years["death_year"] is not None
                and years["death_year"] < years["birth_year"]
            ):
                c.add(label, "death_year", "cannot be before the birth year")
            values = {
                "name": name,
                "description": c.optional_str(rec, label, "description"),
                "affiliation": c.optional_str(rec, label, "affiliation", 500),
                "url": c.optional_str(rec, label, "url", 2000),
                **years,
            }
            if not slug or not name or self._seen(seen, slug, label, "slug"):
                continue
            _obj, created, changed = self._upsert_slugged(
                "people", m.Person, self.people, slug, values
            )
            self._count("people", created, changed)

    def load_topics(self, rows: list[dict[str, Any]]) -> None:
        c, seen = self.check, set()
        for i, rec in enumerate(rows):
            label = _label("topics", i, rec)
            slug = c.required(rec, label, "slug", m.SLUG_MAX)
            name = c.required(rec, label, "name", 200)
            values = {"name": name, "description": c.optional_str(rec, label, "description")}
            if not slug or not name or self._seen(seen, slug, label, "slug"):
                continue
            _obj, created, changed = self._upsert_slugged(
                "topics", m.Topic, self.topics, slug, values
            )
            self._count("topics", created, changed)

    def load_sources(self, rows: list[dict[str, Any]]) -> None:
        c, seen = self.check, set()
        for i, rec in enumerate(rows):
            label = _label("sources", i, rec)
            slug = c.required(rec, label, "slug", m.SLUG_MAX)
            title = c.required(rec, label, "title", 500)
            kind = c.choice(rec, label, "kind", m.SOURCE_KINDS)
            published, precision = None, None
            if rec.get("published") is not None:
                try:
                    published, precision = parse_partial(str(rec["published"]))
                except ValueError as exc:
                    c.add(label, "published", str(exc))
            authors = []
            for a in rec.get("authors") or []:
                person = self._ref(self.people, a, label, "authors", "person")
                if person is not None:
                    authors.append(person)
            values = {
                "title": title,
                "kind": kind,
                "url": c.optional_str(rec, label, "url", 2000),
                "publisher": c.optional_str(rec, label, "publisher", 500),
                "published_on": published,
                "date_precision": precision,
                "date_note": c.optional_str(rec, label, "date_note", 500),
                "archived_url": c.optional_str(rec, label, "archived_url", 2000),
                "note": c.optional_str(rec, label, "note"),
            }
            if not slug or not title or self._seen(seen, slug, label, "slug"):
                continue
            obj, created, changed = self._upsert_slugged(
                "sources", m.Source, self.sources, slug, values
            )
            if sorted(a.slug for a in obj.authors) != sorted(a.slug for a in authors):
                obj.authors = authors
                changed = True
            self._count("sources", created, changed)

    def load_claims(self, rows: list[dict[str, Any]]) -> None:
        c, seen = self.check, set()
        for i, rec in enumerate(rows):
            label = _label("claims", i, rec)
            slug = c.required(rec, label, "slug", m.SLUG_MAX)
            text = c.required(rec, label, "text", 2000)
            topics = [
                t
                for t in (
                    self._ref(self.topics, s, label, "topics", "topic")
                    for s in rec.get("topics") or []
                )
                if t is not None
            ]
            values = {"text": text, "summary": c.optional_str(rec, label, "summary")}
            if not slug or not text or self._seen(seen, slug, label, "slug"):
                continue
            obj, created, changed = self._upsert_slugged(
                "claims", m.Claim, self.claims, slug, values
            )
            if sorted(t.slug for t in obj.topics) != sorted(t.slug for t in topics):
                obj.topics = topics
                changed = True
            self._count("claims", created, changed)

    def load_quotes(self, rows: list[dict[str, Any]]) -> dict[str, m.Quote]:
        """Returns the document's quote ids mapped to the quotes, for the stances' evidence."""
        c = self.check
        person_slug = {p.id: slug for slug, p in self.people.items() if p.id}
        source_slug = {s.id: slug for slug, s in self.sources.items() if s.id}
        existing = {
            (source_slug[q.source_id], person_slug[q.speaker_id], q.text): q
            for q in self.s.scalars(select(m.Quote))
        }
        refs: dict[str, m.Quote] = {}
        seen: set = set()
        for i, rec in enumerate(rows):
            label = _label("quotes", i, rec)
            text = c.required(rec, label, "text", 10000)
            speaker = self._ref(self.people, rec.get("speaker"), label, "speaker", "person")
            source = self._ref(self.sources, rec.get("source"), label, "source", "source")
            values = {
                "locator": c.optional_str(rec, label, "locator", 200),
                "speaker_affiliation": c.optional_str(rec, label, "speaker_affiliation", 500),
                "attribution": c.choice(rec, label, "attribution", m.ATTRIBUTIONS),
                "checked": c.choice(rec, label, "checked", m.CHECKED_HOW),
                "check_note": c.optional_str(rec, label, "check_note"),
                "note": c.optional_str(rec, label, "note"),
            }
            ref = rec.get("id")
            if ref is not None and self._seen(seen, ("id", ref), label, "id"):
                continue
            if not text or speaker is None or source is None:
                continue
            key = (source.slug, speaker.slug, text)
            obj = existing.get(key)
            created = obj is None
            if created:
                obj = m.Quote(text=text, speaker=speaker, source=source, **values)
                self.s.add(obj)
                changed = True
                existing[key] = obj
            else:
                changed = self._set(obj, values)
            if ref is not None:
                refs[str(ref)] = obj
            self._count("quotes", created, changed)
        return refs

    def load_stances(self, rows: list[dict[str, Any]], quote_refs: dict[str, m.Quote]) -> None:
        c = self.check
        person_slug = {p.id: slug for slug, p in self.people.items() if p.id}
        claim_slug = {c.id: slug for slug, c in self.claims.items() if c.id}
        existing = {
            (person_slug[st.person_id], claim_slug[st.claim_id], st.as_of): st
            for st in self.s.scalars(select(m.Stance).options(selectinload(m.Stance.evidence)))
        }
        seen: set = set()
        for i, rec in enumerate(rows):
            label = f"stances[{i}] ({rec.get('person')} on {rec.get('claim')})"
            person = self._ref(self.people, rec.get("person"), label, "person", "person")
            claim = self._ref(self.claims, rec.get("claim"), label, "claim", "claim")
            position = c.choice(rec, label, "position", m.POSITIONS)
            basis = c.choice(rec, label, "basis", m.BASES)
            probability = rec.get("probability")
            if probability is not None and (
                not isinstance(probability, int | float)
                or isinstance(probability, bool)
                or not 0 <= probability <= 1
            ):
                c.add(label, "probability", "must be a number between 0 and 1")
            as_of = None
            if rec.get("as_of") is not None:
                try:
                    as_of = dt.date.fromisoformat(str(rec["as_of"]))
                except ValueError:
                    c.add(label, "as_of", f"{rec['as_of']!r} is not a date (YYYY-MM-DD)")
            evidence = []
            for ref in rec.get("evidence") or []:
                q = quote_refs.get(str(ref))
                if q is None:
                    c.add(label, "evidence", f"unknown quote {ref!r}")
                else:
                    evidence.append(q)
            if not rec.get("evidence"):
                c.add(label, "evidence", "a stance needs at least one quote as evidence")
            if person is None or claim is None:
                continue
            if self._seen(seen, (person.slug, claim.slug, as_of), label, "as_of"):
                continue
            values = {
                "position": position,
                "basis": basis,
                "probability": probability,
                "horizon": c.optional_str(rec, label, "horizon", 200),
                "note": c.optional_str(rec, label, "note"),
            }
            obj = existing.get((person.slug, claim.slug, as_of))
            created = obj is None
            if created:
                obj = m.Stance(person=person, claim=claim, as_of=as_of, evidence=evidence, **values)
                self.s.add(obj)
                changed = True
            else:
                changed = self._set(obj, values)
                if {id(q) for q in obj.evidence} != {id(q) for q in evidence}:
                    obj.evidence = evidence
                    changed = True
            self._count("stances", created, changed)

    def load_relations(self, rows: list[dict[str, Any]]) -> None:
        c = self.check
        claim_slug = {c.id: slug for slug, c in self.claims.items() if c.id}
        existing = {
            (claim_slug[r.from_claim_id], claim_slug[r.to_claim_id], r.kind): r
            for r in self.s.scalars(select(m.ClaimRelation))
        }
        seen: set = set()
        for i, rec in enumerate(rows):
            label = f"claim_relations[{i}] ({rec.get('from')} {rec.get('kind')} {rec.get('to')})"
            src = self._ref(self.claims, rec.get("from"), label, "from", "claim")
            dst = self._ref(self.claims, rec.get("to"), label, "to", "claim")
            kind = c.choice(rec, label, "kind", m.RELATION_KINDS)
            note = c.optional_str(rec, label, "note")
            if src is None or dst is None:
                continue
            if src is dst:
                c.add(label, "to", "a claim cannot relate to itself")
                continue
            if self._seen(seen, (src.slug, dst.slug, kind), label, "to"):
                continue
            obj = existing.get((src.slug, dst.slug, kind))
            created = obj is None
            if created:
                self.s.add(m.ClaimRelation(from_claim=src, to_claim=dst, kind=kind, note=note))
                changed = True
            else:
                changed = self._set(obj, {"note": note})
            self._count("claim_relations", created, changed)
