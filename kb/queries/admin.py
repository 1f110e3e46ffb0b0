"""The reads of the records admin (kb.web.admin): how many records of each kind, a searchable
page of one kind, the revisions of a record or of the whole database, the names of the records
a revision refers to, the accounts, and the quotes a stance form offers as evidence.

Each takes a session and returns ORM objects (the admin edits them) or plain values; the views
only decide what to show.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from kb import models as m
from kb.store import history

# The columns the admin's list of each kind searches (stances and claim relations: the names
# and slugs of what they link, see _searched).
_SEARCHED: dict[str, list[Any]] = {
    "person": [m.Person.name, m.Person.slug],
    "source": [m.Source.title, m.Source.slug],
    "quote": [m.Quote.text],
    "topic": [m.Topic.name, m.Topic.slug],
    "claim": [m.Claim.text, m.Claim.slug],
    "statement": [m.Statement.title, m.Statement.slug],
    "affiliation": [m.Affiliation.organisation, m.Affiliation.role],
    "reply": [m.Reply.representative, m.Reply.note],
}
# What each list shows of a record's links, loaded with the page (not row by row).
_LOADED = {
    "quote": [selectinload(m.Quote.speaker), selectinload(m.Quote.source)],
    "stance": [selectinload(m.Stance.person), selectinload(m.Stance.claim)],
    "claim_relation": [
        selectinload(m.ClaimRelation.from_claim),
        selectinload(m.ClaimRelation.to_claim),
    ],
    "affiliation": [selectinload(m.Affiliation.person)],
    "reply": [selectinload(m.Reply.quote).selectinload(m.Quote.speaker)],
}
_QUOTE_LOADED = (selectinload(m.Quote.speaker), selectinload(m.Quote.source))


def _contains(columns: list[Any], words: str) -> ColumnElement[bool]:
    """Any of the columns contains the words, ignoring case (LIKE wildcards taken literally)."""
    return or_(*(func.lower(c).contains(words.lower(), autoescape=True) for c in columns))


def record_counts(session: Session, entities: tuple[str, ...]) -> dict[str, int]:
    return {
        entity: session.scalar(select(func.count()).select_from(history.MODELS[entity])) or 0
        for entity in entities
    }


def _searched(entity: str, q: str) -> Select[Any]:
    model = history.MODELS[entity]
    query: Select[Any] = select(model)
    if not q:
        return query
    columns = _SEARCHED.get(entity, [model.id])
    if entity == "stance":
        query = query.join(m.Person, m.Stance.person_id == m.Person.id).join(
            m.Claim, m.Stance.claim_id == m.Claim.id
        )
        columns = [m.Person.name, m.Person.slug, m.Claim.slug, m.Claim.text]
    elif entity == "claim_relation":
        query = query.join(m.Claim, m.ClaimRelation.from_claim_id == m.Claim.id)
        columns = [m.Claim.slug, m.Claim.text]
    elif entity == "signature":
        query = query.join(m.Person, m.Signature.person_id == m.Person.id).join(
            m.Statement, m.Signature.statement_id == m.Statement.id
        )
        columns = [m.Person.name, m.Person.slug, m.Statement.slug, m.Statement.title]
    return query.where(_contains(columns, q))


def records_page(
    session: Session, entity: str, q: str, page: int, page_size: int
) -> tuple[int, list[Any]]:
    """(how many match, the page's records): the records of one kind whose text contains `q`,
    the most recently changed first."""
    model = history.MODELS[entity]
    query = _searched(entity, q).options(*_LOADED.get(entity, []))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    objs = session.scalars(
        query.order_by(model.updated_at.desc(), model.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return total, list(objs)


def slugs_by_id(session: Session, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """The slug (or "#id" for a kind without one) of each (table, id) asked for: one query per
    table, however many revisions refer to it. Deleted records are simply missing."""
    names: dict[tuple[str, int], str] = {}
    for table, ids in wanted.items():
        model = history.MODELS[table]
        objs: list[Any] = list(session.scalars(select(model).where(model.id.in_(ids))))
        for obj in objs:
            names[(table, obj.id)] = obj.slug if hasattr(obj, "slug") else f"#{obj.id}"
    return names


def record_revisions(
    session: Session, entity: str, record_id: int, limit: int = 500
) -> list[m.Revision]:
    """A record's revisions, newest first."""
    return list(session.scalars(history.of_record(entity, record_id).limit(limit)))


def recent_revisions(
    session: Session, limit: int, offset: int = 0, entity: str | None = None
) -> list[m.Revision]:
    """The newest revisions of the database (or of one kind of record)."""
    return list(session.scalars(history.recent(limit, offset, entity)))


def users_by_name(session: Session) -> list[m.User]:
    return list(session.scalars(select(m.User).order_by(func.lower(m.User.username))))


def person_by_slug_or_name(session: Session, who: str) -> m.Person | None:
    query = select(m.Person).where(or_(m.Person.slug == who, m.Person.name == who))
    return session.scalars(query.limit(1)).first()


def evidence_quotes(
    session: Session,
    speaker_id: int | None,
    number: int | None,
    words: str,
    limit: int,
) -> list[m.Quote]:
    """The newest quotes a stance's evidence may be chosen from: the speaker's, then the one
    with this number or those containing the words."""
    query = select(m.Quote).options(*_QUOTE_LOADED)
    if speaker_id is not None:
        query = query.where(m.Quote.speaker_id == speaker_id)
    if number is not None:
        query = query.where(m.Quote.id == number)
    elif words:
        query = query.where(_contains([m.Quote.text], words))
    return list(session.scalars(query.order_by(m.Quote.id.desc()).limit(limit)))


def quotes_by_id(session: Session, ids: list[int]) -> list[m.Quote]:
    return list(session.scalars(select(m.Quote).where(m.Quote.id.in_(ids)).options(*_QUOTE_LOADED)))
