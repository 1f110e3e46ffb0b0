"""Writes from the admin forms: checks that need the database, version checks, deletes with
their dependents. Nothing here commits: the view owns the transaction, and on any refusal it
rolls back, so a submission is saved whole or not at all.

Per-field checks (required, lengths, formats, enumerations) are the forms' job (kb.web.admin.forms); the
checks here are the ones a form cannot make alone: unique slugs (naming the record that has
the slug), references to other records, a relation to itself, a duplicate stance, and the
version the editor started from. The database's constraints stay the last line: an
IntegrityError at flush becomes a message on the field it concerns.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from kb import models as m
from kb import rules
from kb.errors import explain_integrity_error
from kb.store.history import label_of

SLUG_FROM_TEXT_MAX = 60
# The largest id an INTEGER column holds on PostgreSQL; a bigger one in a URL or form is simply
# not found (instead of an "integer out of range" error from the driver).
MAX_ID = 2**31 - 1
# Where readers see a record; a duplicate slug links there.
PUBLIC_PATHS = {
    "person": "/people/{}",
    "source": "/sources/{}",
    "claim": "/claims/{}",
    "topic": "/topics/{}",
}


def slugify(text: str, max_len: int = SLUG_FROM_TEXT_MAX) -> str:
    """Lowercase ASCII words joined by hyphens: "François Chollet" -> "francois-chollet".
    Long text is cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            break
        slug = candidate
    return slug or (words[0][:max_len] if words else "")


# -- outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One refusal, on one form field (None: the record as a whole), with an optional link to
    the record it collides with."""

    field: str | None
    message: str
    link: str | None = None
    link_text: str | None = None


class Invalid(Exception):
    """The submission is refused; nothing may be saved."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field or 'record'}: {e.message}" for e in errors))
        self.errors = errors


class Conflict(Exception):
    """The record changed (or vanished) since the editor loaded it."""

    def __init__(self, obj: Any | None):
        super().__init__("the record was changed by someone else")
        self.obj = obj


@dataclass(frozen=True)
class Dependent:
    """A record touched by deleting another: `how` is "blocks" (deletion refused while it
    exists), "deleted" (goes with it) or "unlinked" (stays, loses the link)."""

    entity: str
    id: int
    label: str
    how: str


class Blocked(Exception):
    def __init__(self, blockers: list[Dependent]):
        super().__init__(f"{len(blockers)} records depend on this one")
        self.blockers = blockers


def check_version(obj: Any, version: Any) -> None:
    """Refuse to write over a record that changed since the form was loaded."""
    try:
        expected = int(version)
    except (TypeError, ValueError):
        raise Conflict(obj) from None
    if expected != obj.version:
        raise Conflict(obj)


# -- helpers -----------------------------------------------------------------------------------


@dataclass
class _Errors:
    items: list[FieldError] = field(default_factory=list)

    def add(self, name: str | None, message: str, link: str | None = None, text: str | None = None):
        self.items.append(FieldError(name, message, link, text))

    def raise_if_any(self) -> None:
        if self.items:
            raise Invalid(self.items)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _slug(
    session: Session,
    errors: _Errors,
    cls: m.SluggedModel,
    obj: Any,
    value: str | None,
    from_text: str | None,
    fieldname: str = "slug",
) -> str | None:
    """The slug to save: the one given, or one made from the name; unique for its kind."""
    slug = _clean(value) or (slugify(from_text) if from_text else None)
    if not slug:
        if from_text:
            errors.add(fieldname, "cannot be made from the name: please type one")
        return None
    problem = rules.slug_problem(slug)
    if problem:
        errors.add(fieldname, problem)
        return None
    query = select(cls).where(cls.slug == slug)
    if obj is not None and obj.id is not None:
        query = query.where(cls.id != obj.id)
    other = session.scalars(query).first()
    if other is not None:
        entity = cls.__tablename__
        errors.add(
            fieldname,
            f"another {entity} already has the slug {slug!r}:",
            PUBLIC_PATHS[entity].format(slug),
            label_of(other),
        )
    return slug


def _by_slug_or_name(
    session: Session, cls: m.SluggedModel, value: str | None, name_attr: str
) -> Any:
    value = _clean(value)
    if not value:
        return None
    found = session.scalars(select(cls).where(cls.slug == value)).first()
    if found is None:
        found = session.scalars(
            select(cls).where(func.lower(getattr(cls, name_attr)) == value.lower())
        ).first()
    return found


def find_person(session: Session, value: str | None) -> m.Person | None:
    """The person a form names: by slug, else by exact name (case aside). The stance form's
    person, a quote's speaker and a source's authors are all looked up this way."""
    return _by_slug_or_name(session, m.Person, value, "name")


def _people(session: Session, errors: _Errors, names: list[str], fieldname: str) -> list[Any]:
    """The people a comma-separated list names (slugs or names), each once, in order."""
    found: dict[int, m.Person] = {}
    for name in names:
        person = find_person(session, name)
        if person is None:
            errors.add(fieldname, f"there is no person {name!r}")
        else:
            found.setdefault(person.id, person)
    return list(found.values())


_Slugged = TypeVar("_Slugged", m.Person, m.Source, m.Topic, m.Claim)


def _slug_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [s.strip() for s in value if s and s.strip()]


def _resolve_slugs(
    session: Session, errors: _Errors, cls: type[_Slugged], slugs: list[str], fieldname: str
) -> list[_Slugged]:
    if not slugs:
        return []
    found = {o.slug: o for o in session.scalars(select(cls).where(cls.slug.in_(slugs)))}
    for slug in slugs:
        if slug not in found:
            errors.add(fieldname, f"there is no {cls.__tablename__} with the slug {slug!r}")
    return [found[s] for s in dict.fromkeys(slugs) if s in found]


def _published(errors: _Errors, value: Any, fieldname: str) -> tuple[dt.date | None, str | None]:
    value = _clean(value)
    if not value:
        return None, None
    try:
        return rules.parse_partial(str(value))
    except rules.RuleError as exc:
        errors.add(fieldname, str(exc))
        return None, None


_INTEGRITY_FIELDS = {"to": "to_claim", "published": "published", "as_of": "as_of"}


def _flush(session: Session, obj: Any, record: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        problem = explain_integrity_error(exc, record)
        name = _INTEGRITY_FIELDS.get(problem.field or "", problem.field)
        raise Invalid([FieldError(name, problem.message)]) from exc
    except StaleDataError as exc:
        raise Conflict(obj) from exc


def _assign(obj: Any, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _new_or(session: Session, obj: Any, cls: type) -> Any:
    if obj is None:
        obj = cls()
        session.add(obj)
    return obj


# -- saving each kind of record ----------------------------------------------------------------


def save_person(
    session: Session, obj: m.Person | None, data: Mapping[str, Any], version: Any = None
) -> m.Person:
    """Create (obj None) or update a person from form data."""
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    name = _clean(data.get("name"))
    slug = _slug(session, errors, m.Person, obj, data.get("slug"), name)
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
    obj = _new_or(session, obj, m.Person)
    _assign(
        obj,
        {
            "slug": slug,
            "name": name,
            "description": _clean(data.get("description")),
            "affiliation": _clean(data.get("affiliation")),
            "birth_year": birth,
            "death_year": death,
            "url": _clean(data.get("url")),
        },
    )
    _flush(session, obj, "person")
    return obj


def _source_values(
    session: Session,
    errors: _Errors,
    obj: m.Source | None,
    data: Mapping[str, Any],
    prefix: str = "",
) -> dict[str, Any]:
    title = _clean(data.get(prefix + "title"))
    slug = _slug(session, errors, m.Source, obj, data.get(prefix + "slug"), title, prefix + "slug")
    published, precision = _published(errors, data.get(prefix + "published"), prefix + "published")
    kind = data.get(prefix + "kind")
    if kind not in m.SOURCE_KINDS:
        errors.add(prefix + "kind", f"must be one of {', '.join(m.SOURCE_KINDS)}")
    values = {
        "slug": slug,
        "title": title,
        "kind": kind,
        "url": _clean(data.get(prefix + "url")),
        "publisher": _clean(data.get(prefix + "publisher")),
        "published_on": published,
        "date_precision": precision,
        "date_note": _clean(data.get(prefix + "date_note")),
        "archived_url": _clean(data.get(prefix + "archived_url")),
        "note": _clean(data.get(prefix + "note")),
    }
    if prefix + "authors" in data:
        values["authors"] = _people(
            session, errors, _slug_list(data.get(prefix + "authors")), prefix + "authors"
        )
    return values


def save_source(
    session: Session, obj: m.Source | None, data: Mapping[str, Any], version: Any = None
) -> m.Source:
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    values = _source_values(session, errors, obj, data)
    errors.raise_if_any()
    obj = _new_or(session, obj, m.Source)
    authors = values.pop("authors", None)
    _assign(obj, values)
    if authors is not None and {a.id for a in obj.authors} != {a.id for a in authors}:
        obj.authors = authors
    _flush(session, obj, "source")
    return obj


def _quote_refs(
    session: Session, errors: _Errors, data: Mapping[str, Any]
) -> tuple[m.Person | None, m.Source | None]:
    speaker = find_person(session, data.get("speaker"))
    if speaker is None and _clean(data.get("speaker")):
        errors.add("speaker", f"there is no person {data.get('speaker')!r}")
    source = _by_slug_or_name(session, m.Source, data.get("source"), "title")
    if source is None and _clean(data.get("source")):
        errors.add("source", f"there is no source {data.get('source')!r}")
    return speaker, source


def _same_quote(
    session: Session,
    errors: _Errors,
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
            f"/admin/quote/{other}/edit",
            "that quote",
        )


def _quote_values(data: Mapping[str, Any], errors: _Errors, prefix: str = "") -> dict[str, Any]:
    said_on, said_precision = _published(errors, data.get(prefix + "said"), prefix + "said")
    values = {
        "text": _clean(data.get(prefix + "text")),
        "said_on": said_on,
        "said_precision": said_precision,
        "locator": _clean(data.get(prefix + "locator")),
        "speaker_affiliation": _clean(data.get(prefix + "speaker_affiliation")),
        "attribution": data.get(prefix + "attribution"),
        "checked": data.get(prefix + "checked"),
        "check_note": _clean(data.get(prefix + "check_note")),
        "note": _clean(data.get(prefix + "note")),
    }
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
    errors = _Errors()
    speaker, source = _quote_refs(session, errors, data)
    values = _quote_values(data, errors)
    _same_quote(session, errors, (speaker, source, values["text"]), obj, "text")
    errors.raise_if_any()
    obj = _new_or(session, obj, m.Quote)
    _assign(obj, {**values, "speaker": speaker, "source": source})
    _flush(session, obj, "quote")
    return obj


def save_topic(
    session: Session, obj: m.Topic | None, data: Mapping[str, Any], version: Any = None
) -> m.Topic:
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    name = _clean(data.get("name"))
    slug = _slug(session, errors, m.Topic, obj, data.get("slug"), name)
    errors.raise_if_any()
    obj = _new_or(session, obj, m.Topic)
    _assign(obj, {"slug": slug, "name": name, "description": _clean(data.get("description"))})
    _flush(session, obj, "topic")
    return obj


def save_claim(
    session: Session, obj: m.Claim | None, data: Mapping[str, Any], version: Any = None
) -> m.Claim:
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    text = _clean(data.get("text"))
    slug = _slug(session, errors, m.Claim, obj, data.get("slug"), text)
    topics = _resolve_slugs(session, errors, m.Topic, _slug_list(data.get("topics")), "topics")
    errors.raise_if_any()
    obj = _new_or(session, obj, m.Claim)
    _assign(obj, {"slug": slug, "text": text, "summary": _clean(data.get("summary"))})
    if {t.id for t in obj.topics} != {t.id for t in topics}:
        obj.topics = topics
    _flush(session, obj, "claim")
    return obj


def save_relation(
    session: Session, obj: m.ClaimRelation | None, data: Mapping[str, Any], version: Any = None
) -> m.ClaimRelation:
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    a = _by_slug_or_name(session, m.Claim, data.get("from_claim"), "text")
    b = _by_slug_or_name(session, m.Claim, data.get("to_claim"), "text")
    for name, found in (("from_claim", a), ("to_claim", b)):
        if found is None and _clean(data.get(name)):
            errors.add(name, f"there is no claim {data.get(name)!r}")
    kind = data.get("kind")
    if kind not in m.RELATION_KINDS:
        errors.add("kind", f"must be one of {', '.join(m.RELATION_KINDS)}")
    if a is not None and b is not None:
        if a.id == b.id:
            errors.add("to_claim", "a claim cannot support or contradict itself")
        else:
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
                    f"/admin/claim_relation/{other.id}/edit",
                    f"{a.slug} {kind} {b.slug}",
                )
    errors.raise_if_any()
    obj = _new_or(session, obj, m.ClaimRelation)
    _assign(obj, {"from_claim": a, "to_claim": b, "kind": kind, "note": _clean(data.get("note"))})
    _flush(session, obj, "claim relation")
    return obj


def save_stance(
    session: Session, obj: m.Stance | None, data: Mapping[str, Any], version: Any = None
) -> m.Stance:
    """Create or update a stance, and with it, in the same transaction, an optional new quote
    (`new_quote_*` fields) from an existing source (`new_quote_source`) or a new one
    (`new_source_*` fields). The new quote is spoken by the stance's person and becomes
    evidence. Every part is checked before anything is written."""
    if obj is not None:
        check_version(obj, version)
    errors = _Errors()
    person = find_person(session, data.get("person"))
    if person is None:
        errors.add(
            "person",
            f"there is no person {data.get('person')!r}"
            if _clean(data.get("person"))
            else "is required",
        )
    claim = _by_slug_or_name(session, m.Claim, data.get("claim"), "text")
    if claim is None:
        errors.add(
            "claim",
            f"there is no claim {data.get('claim')!r}"
            if _clean(data.get("claim"))
            else "is required",
        )
    position, basis = data.get("position"), data.get("basis")
    if position not in m.POSITIONS:
        errors.add("position", f"must be one of {', '.join(m.POSITIONS)}")
    if basis not in m.BASES:
        errors.add("basis", f"must be one of {', '.join(m.BASES)}")
    probability = data.get("probability")
    if probability is not None:
        try:
            probability = rules.probability(probability)
        except rules.RuleError as exc:
            errors.add("probability", str(exc))
    as_of = data.get("as_of")
    if person is not None and claim is not None:
        query = select(m.Stance).where(
            m.Stance.person_id == person.id,
            m.Stance.claim_id == claim.id,
            m.Stance.as_of.is_(None) if as_of is None else m.Stance.as_of == as_of,
        )
        if obj is not None:
            query = query.where(m.Stance.id != obj.id)
        other = session.scalars(query).first()
        if other is not None:
            when = f"as of {as_of.isoformat()}" if as_of else "without a date"
            errors.add(
                "as_of",
                f"{person.name} already has a stance on this claim {when}:",
                f"/admin/stance/{other.id}/edit",
                "edit that stance",
            )

    ids = [int(i) for i in data.get("evidence") or []]
    if any(not 0 < i <= MAX_ID for i in ids):
        errors.add("evidence", "no such quote")
        ids = [i for i in ids if 0 < i <= MAX_ID]
    evidence = list(session.scalars(select(m.Quote).where(m.Quote.id.in_(ids)))) if ids else []
    missing = sorted(set(ids) - {q.id for q in evidence})
    if missing:
        errors.add("evidence", f"no quote with id {', '.join(map(str, missing))}")

    new_quote = _clean(data.get("new_quote_text"))
    new_source_wanted = bool(_clean(data.get("new_source_title")))
    quote_values: dict[str, Any] | None = None
    source_values: dict[str, Any] | None = None
    quote_source: m.Source | None = None
    if new_quote:
        quote_values = _quote_values(data, errors, prefix="new_quote_")
        if new_source_wanted:
            source_values = _source_values(session, errors, None, data, prefix="new_source_")
        else:
            quote_source = _by_slug_or_name(
                session, m.Source, data.get("new_quote_source"), "title"
            )
            _same_quote(
                session,
                errors,
                (person, quote_source, quote_values["text"]),
                None,
                "new_quote_text",
            )
            if quote_source is None:
                errors.add(
                    "new_quote_source",
                    f"there is no source {data.get('new_quote_source')!r}"
                    if _clean(data.get("new_quote_source"))
                    else "choose the source of the new quote, or describe a new source below",
                )
    elif new_source_wanted:
        errors.add("new_quote_text", "a new source needs the new quote it is evidence for")
    if not evidence and not new_quote:
        errors.add("evidence", "a stance needs at least one quote as evidence")
    wrong_speaker = [q.id for q in evidence if person is not None and q.speaker_id != person.id]
    if wrong_speaker and person is not None:
        errors.add(
            "evidence",
            f"quote {', '.join(map(str, wrong_speaker))} is not by {person.name}: "
            "a stance rests on the person's own words",
        )
    errors.raise_if_any()

    if quote_values is not None:
        if source_values is not None:
            source_values.pop("authors", None)
            quote_source = m.Source(**source_values)
            session.add(quote_source)
        quote = m.Quote(speaker=person, source=quote_source, **quote_values)
        session.add(quote)
        evidence.append(quote)
    obj = _new_or(session, obj, m.Stance)
    _assign(
        obj,
        {
            "person": person,
            "claim": claim,
            "position": position,
            "basis": basis,
            "probability": probability,
            "horizon": _clean(data.get("horizon")),
            "as_of": as_of,
            "note": _clean(data.get("note")),
        },
    )
    if {id(q) for q in obj.evidence} != {id(q) for q in evidence}:
        obj.evidence = evidence
    _flush(session, obj, "stance")
    return obj


# entity -> its saver: (session, the record or None, form data, expected version) -> the record
SAVERS: dict[str, Callable[[Session, Any, Mapping[str, Any], Any], Any]] = {
    "person": save_person,
    "source": save_source,
    "quote": save_quote,
    "topic": save_topic,
    "claim": save_claim,
    "stance": save_stance,
    "claim_relation": save_relation,
}


def save(
    session: Session, entity: str, obj: Any, data: Mapping[str, Any], version: Any = None
) -> Any:
    """Create or update a record of `entity` (a table name). Raises Invalid or Conflict."""
    return SAVERS[entity](session, obj, data, version)


# -- deleting ----------------------------------------------------------------------------------


@dataclass
class DeletePlan:
    """What deleting a record means: what refuses it, what goes with it, what loses a link."""

    obj: Any
    blockers: list[Dependent] = field(default_factory=list)
    deleted: list[Dependent] = field(default_factory=list)
    unlinked: list[Dependent] = field(default_factory=list)
    _with: list[Any] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.blockers


def _deps(objs: Iterable[Any], how: str) -> list[Dependent]:
    return [Dependent(o.__tablename__, o.id, label_of(o), how) for o in objs]


def _stances(session: Session, *where: Any) -> list[m.Stance]:
    return list(
        session.scalars(
            select(m.Stance)
            .where(*where)
            .options(selectinload(m.Stance.person), selectinload(m.Stance.claim))
            .order_by(m.Stance.id)
        )
    )


def _quotes(session: Session, *where: Any) -> list[m.Quote]:
    return list(
        session.scalars(
            select(m.Quote)
            .where(*where)
            .options(selectinload(m.Quote.speaker))
            .order_by(m.Quote.id)
        )
    )


def _citing(quote_ids: Select) -> Any:
    return m.Stance.id.in_(
        select(m.stance_evidence.c.stance_id).where(m.stance_evidence.c.quote_id.in_(quote_ids))
    )


def delete_plan(session: Session, obj: Any) -> DeletePlan:
    """Everything that depends on `obj`, sorted by what deleting it would do to them."""
    plan = DeletePlan(obj)
    if isinstance(obj, m.Person):
        plan.blockers += _deps(_quotes(session, m.Quote.speaker_id == obj.id), "blocks")
        plan.blockers += _deps(_stances(session, m.Stance.person_id == obj.id), "blocks")
        plan.unlinked += _deps(obj.authored, "unlinked")
    elif isinstance(obj, m.Source):
        own = select(m.Quote.id).where(m.Quote.source_id == obj.id)
        plan.blockers += _deps(_stances(session, _citing(own)), "blocks")
        quotes = _quotes(session, m.Quote.source_id == obj.id)
        plan.deleted += _deps(quotes, "deleted")
        plan._with += quotes
    elif isinstance(obj, m.Quote):
        plan.blockers += _deps(
            _stances(session, _citing(select(m.Quote.id).where(m.Quote.id == obj.id))), "blocks"
        )
    elif isinstance(obj, m.Topic):
        plan.unlinked += _deps(obj.claims, "unlinked")
    elif isinstance(obj, m.Claim):
        stances = _stances(session, m.Stance.claim_id == obj.id)
        relations = list(
            session.scalars(
                select(m.ClaimRelation)
                .where(
                    or_(
                        m.ClaimRelation.from_claim_id == obj.id,
                        m.ClaimRelation.to_claim_id == obj.id,
                    )
                )
                .options(
                    selectinload(m.ClaimRelation.from_claim),
                    selectinload(m.ClaimRelation.to_claim),
                )
                .order_by(m.ClaimRelation.id)
            )
        )
        plan.deleted += _deps(stances, "deleted") + _deps(relations, "deleted")
        plan._with += stances + relations
    return plan


def dependents(session: Session, obj: Any) -> list[tuple[str, int, str]]:
    """Records that would be deleted, blocked or unlinked by deleting `obj` (for revert)."""
    plan = delete_plan(session, obj)
    return [(d.entity, d.id, d.label) for d in plan.blockers + plan.deleted + plan.unlinked]


def delete(session: Session, obj: Any, version: Any) -> DeletePlan:
    """Delete `obj` and what goes with it (each with its own revision). Raises Conflict when the
    record changed since the confirmation page, Blocked when others depend on it."""
    check_version(obj, version)
    plan = delete_plan(session, obj)
    if plan.blockers:
        raise Blocked(plan.blockers)
    for dependent in plan._with:
        session.delete(dependent)
    session.delete(obj)
    _flush(session, obj, obj.__tablename__)
    return plan
