"""The records a form names, found in the database: by slug or by name, a person or a list of
them, topics by slug; and the slug a record may take (unique for its kind). Whatever is not
found is refused on the field that named it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb import models as m
from kb import rules
from kb.edits.cleaning import clean, slugify
from kb.edits.outcomes import Errors, RecordRef
from kb.store.history import label_of

_Slugged = TypeVar("_Slugged", m.Person, m.Source, m.Topic, m.Claim)


def unique_slug(
    session: Session,
    errors: Errors,
    cls: m.SluggedModel,
    obj: Any,
    value: str | None,
    from_text: str | None,
    fieldname: str = "slug",
) -> str | None:
    """The slug to save: the one given, or one made from the name; unique for its kind, else
    refused with the record that has it."""
    slug = clean(value) or (slugify(from_text) if from_text else None)
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
    other: Any = session.scalars(query).first()
    if other is not None:
        entity = cls.__tablename__
        errors.add(
            fieldname,
            f"another {entity} already has the slug {slug!r}:",
            RecordRef(entity, other.id, slug),
            label_of(other),
        )
    return slug


def by_slug_or_name(
    session: Session, cls: m.SluggedModel, value: str | None, name_attr: str
) -> Any:
    """The record of `cls` whose slug is `value`, else whose `name_attr` is (case aside)."""
    value = clean(value)
    if not value:
        return None
    found = session.scalars(select(cls).where(cls.slug == value)).first()
    if found is None:
        found = session.scalars(
            select(cls).where(func.lower(getattr(cls, name_attr)) == value.lower())
        ).first()
    return found


def named(
    session: Session,
    errors: Errors,
    cls: m.SluggedModel,
    data: Mapping[str, Any],
    field: str,
    name_attr: str,
) -> Any:
    """The record a form field names (by slug, else by `name_attr`), or None; a name that
    finds nothing is refused beside the field ("there is no person 'x'")."""
    found = by_slug_or_name(session, cls, data.get(field), name_attr)
    if found is None and clean(data.get(field)):
        errors.add(field, f"there is no {cls.__tablename__} {data.get(field)!r}")
    return found


def find_person(session: Session, value: str | None) -> m.Person | None:
    """The person a form names: by slug, else by exact name (case aside). The stance form's
    person, a quote's speaker and a source's authors are all looked up this way."""
    return by_slug_or_name(session, m.Person, value, "name")


def people(session: Session, errors: Errors, names: list[str], fieldname: str) -> list[Any]:
    """The people a comma-separated list names (slugs or names), each once, in order."""
    found: dict[int, m.Person] = {}
    for name in names:
        person = find_person(session, name)
        if person is None:
            errors.add(fieldname, f"there is no person {name!r}")
        else:
            found.setdefault(person.id, person)
    return list(found.values())


def resolve_slugs(
    session: Session, errors: Errors, cls: type[_Slugged], slugs: list[str], fieldname: str
) -> list[_Slugged]:
    """The records of `cls` with these slugs, each once, in order; a missing one is refused."""
    if not slugs:
        return []
    found = {o.slug: o for o in session.scalars(select(cls).where(cls.slug.in_(slugs)))}
    for slug in slugs:
        if slug not in found:
            errors.add(fieldname, f"there is no {cls.__tablename__} with the slug {slug!r}")
    return [found[s] for s in dict.fromkeys(slugs) if s in found]
