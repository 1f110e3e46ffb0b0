"""The saver of each kind of record a form edits on its own: person, source, quote, topic,
claim, claim relation (the stance, which may bring a new quote and source along, is in
kb.edits.stances). Each checks everything before it writes, so a refused submission writes
nothing, and raises Invalid (every problem at once) or Conflict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m
from kb import rules
from kb.edits.cleaning import clean, published, slug_list
from kb.edits.lookups import named, people, resolve_slugs, unique_slug
from kb.edits.outcomes import Errors, RecordRef
from kb.edits.writing import assign, check_version, flush, new_or


def save_person(
    session: Session, obj: m.Person | None, data: Mapping[str, Any], version: Any = None
) -> m.Person:
    """Create (obj None) or update a person from form data."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    name = clean(data.get("name"))
    slug = unique_slug(session, errors, m.Person, obj, data.get("slug"), name)
    birth, death = data.get("birth_year"), data.get("death_year")
    problems = {
        "birth_year": birth is not None and rules.year_problem(birth),
        "death_year": (death is not None and rules.year_problem(death))
        or rules.life_problem(birth, death),
    }
    for year_field, problem in problems.items():
        if problem:
            errors.add(year_field, problem)
    errors.raise_if_any()
    obj = new_or(session, obj, m.Person)
    assign(
        obj,
        {
            "slug": slug,
            "name": name,
            "description": clean(data.get("description")),
            "affiliation": clean(data.get("affiliation")),
            "birth_year": birth,
            "death_year": death,
            "url": clean(data.get("url")),
        },
    )
    flush(session, obj, "person")
    return obj


def source_values(
    session: Session,
    errors: Errors,
    obj: m.Source | None,
    data: Mapping[str, Any],
    prefix: str = "",
) -> dict[str, Any]:
    """A source's columns (and authors, when the form has them) from the fields named
    `prefix` + column: the source form's own, or the stance form's new_source_* fields."""
    title = clean(data.get(prefix + "title"))
    slug = unique_slug(
        session, errors, m.Source, obj, data.get(prefix + "slug"), title, prefix + "slug"
    )
    on, precision = published(errors, data.get(prefix + "published"), prefix + "published")
    kind = data.get(prefix + "kind")
    if kind not in m.SOURCE_KINDS:
        errors.add(prefix + "kind", f"must be one of {', '.join(m.SOURCE_KINDS)}")
    values = {
        "slug": slug,
        "title": title,
        "kind": kind,
        "url": clean(data.get(prefix + "url")),
        "publisher": clean(data.get(prefix + "publisher")),
        "published_on": on,
        "date_precision": precision,
        "date_note": clean(data.get(prefix + "date_note")),
        "archived_url": clean(data.get(prefix + "archived_url")),
        "note": clean(data.get(prefix + "note")),
        "reader_note": clean(data.get(prefix + "reader_note")),
    }
    if prefix + "authors" in data:
        values["authors"] = people(
            session, errors, slug_list(data.get(prefix + "authors")), prefix + "authors"
        )
    return values


def save_source(
    session: Session, obj: m.Source | None, data: Mapping[str, Any], version: Any = None
) -> m.Source:
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    values = source_values(session, errors, obj, data)
    errors.raise_if_any()
    obj = new_or(session, obj, m.Source)
    authors = values.pop("authors", None)
    assign(obj, values)
    if authors is not None and {a.id for a in obj.authors} != {a.id for a in authors}:
        obj.authors = authors
    flush(session, obj, "source")
    return obj


def _quote_refs(
    session: Session, errors: Errors, data: Mapping[str, Any]
) -> tuple[m.Person | None, m.Source | None]:
    speaker = named(session, errors, m.Person, data, "speaker", "name")
    source = named(session, errors, m.Source, data, "source", "title")
    return speaker, source


def same_quote(
    session: Session,
    errors: Errors,
    found: tuple[m.Person | None, m.Source | None, str | None],
    obj: m.Quote | None,
    fieldname: str,
) -> None:
    """Refuse a second quote with the same speaker, source and words: that is what makes a
    quote the same one on import (kb.load.importer's natural key), so two of them would make the
    export impossible to import again."""
    speaker, source, words = found
    if speaker is None or source is None or not words:
        return
    query = select(m.Quote.id).where(
        m.Quote.speaker_id == speaker.id, m.Quote.source_id == source.id, m.Quote.text == words
    )
    if obj is not None and obj.id is not None:
        query = query.where(m.Quote.id != obj.id)
    other = session.scalars(query.limit(1)).first()
    if other is not None:
        errors.add(
            fieldname,
            "this quote, by this speaker from this source, is already recorded:",
            RecordRef("quote", other),
            "that quote",
        )


def quote_values(data: Mapping[str, Any], errors: Errors, prefix: str = "") -> dict[str, Any]:
    """A quote's own columns from the fields named `prefix` + column: the quote form's, or
    the stance form's new_quote_* fields."""
    said_on, said_precision = published(errors, data.get(prefix + "said"), prefix + "said")
    values = {
        "text": clean(data.get(prefix + "text")),
        "said_on": said_on,
        "said_precision": said_precision,
        "locator": clean(data.get(prefix + "locator")),
        **{f: clean(data.get(prefix + f)) for f in rules.ANCHOR_FIELDS},
        "speaker_affiliation": clean(data.get(prefix + "speaker_affiliation")),
        "attribution": data.get(prefix + "attribution"),
        "checked": data.get(prefix + "checked"),
        "check_note": clean(data.get(prefix + "check_note")),
        "note": clean(data.get(prefix + "note")),
    }
    for field, message in rules.anchor_problems(*(values[f] for f in rules.ANCHOR_FIELDS)):
        errors.add(prefix + field, message)
    if values["attribution"] not in m.ATTRIBUTIONS:
        errors.add(prefix + "attribution", f"must be one of {', '.join(m.ATTRIBUTIONS)}")
    if values["checked"] not in m.CHECKED_HOW:
        errors.add(prefix + "checked", f"must be one of {', '.join(m.CHECKED_HOW)}")
    return values


def save_quote(
    session: Session, obj: m.Quote | None, data: Mapping[str, Any], version: Any = None
) -> m.Quote:
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    speaker, source = _quote_refs(session, errors, data)
    values = quote_values(data, errors)
    same_quote(session, errors, (speaker, source, values["text"]), obj, "text")
    errors.raise_if_any()
    obj = new_or(session, obj, m.Quote)
    assign(obj, {**values, "speaker": speaker, "source": source})
    flush(session, obj, "quote")
    return obj


def save_topic(
    session: Session, obj: m.Topic | None, data: Mapping[str, Any], version: Any = None
) -> m.Topic:
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    name = clean(data.get("name"))
    slug = unique_slug(session, errors, m.Topic, obj, data.get("slug"), name)
    errors.raise_if_any()
    obj = new_or(session, obj, m.Topic)
    assign(obj, {"slug": slug, "name": name, "description": clean(data.get("description"))})
    flush(session, obj, "topic")
    return obj


def save_claim(
    session: Session, obj: m.Claim | None, data: Mapping[str, Any], version: Any = None
) -> m.Claim:
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    text = clean(data.get("text"))
    slug = unique_slug(session, errors, m.Claim, obj, data.get("slug"), text)
    topics = resolve_slugs(session, errors, m.Topic, slug_list(data.get("topics")), "topics")
    errors.raise_if_any()
    obj = new_or(session, obj, m.Claim)
    assign(obj, {"slug": slug, "text": text, "summary": clean(data.get("summary"))})
    if {t.id for t in obj.topics} != {t.id for t in topics}:
        obj.topics = topics
    flush(session, obj, "claim")
    return obj


def _same_relation(
    session: Session,
    errors: Errors,
    ends: tuple[m.Claim, m.Claim],
    kind: Any,
    obj: m.ClaimRelation | None,
) -> None:
    """Refuse a relation to itself, and a second relation of the same kind between the same
    two claims (linked, for the editor to open)."""
    a, b = ends
    if a.id == b.id:
        errors.add("to_claim", "a claim cannot support or contradict itself")
        return
    query = select(m.ClaimRelation).where(
        m.ClaimRelation.from_claim_id == a.id,
        m.ClaimRelation.to_claim_id == b.id,
        m.ClaimRelation.kind == kind,
    )
    if obj is not None:
        query = query.where(m.ClaimRelation.id != obj.id)
    other = session.scalars(query).first()
    if other is not None:
        errors.add(
            "to_claim",
            "this relation already exists:",
            RecordRef("claim_relation", other.id),
            f"{a.slug} {kind} {b.slug}",
        )


def save_relation(
    session: Session, obj: m.ClaimRelation | None, data: Mapping[str, Any], version: Any = None
) -> m.ClaimRelation:
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    a = named(session, errors, m.Claim, data, "from_claim", "text")
    b = named(session, errors, m.Claim, data, "to_claim", "text")
    kind = data.get("kind")
    if kind not in m.RELATION_KINDS:
        errors.add("kind", f"must be one of {', '.join(m.RELATION_KINDS)}")
    if a is not None and b is not None:
        _same_relation(session, errors, (a, b), kind, obj)
    errors.raise_if_any()
    obj = new_or(session, obj, m.ClaimRelation)
    values = {"from_claim": a, "to_claim": b, "kind": kind}
    assign(obj, values | {f: clean(data.get(f)) for f in ("note", "reader_note")})
    flush(session, obj, "claim relation")
    return obj
