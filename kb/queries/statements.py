"""Reads of joint statements and open letters: the list, one statement with its signatories,
and the signatures shown as evidence beside a person's or a claim's stances.

A signature is evidence of its signer's stance on the statement's claim (the stance may rest on
it alone, kb.rules.evidence_problem); `signed_on` is what the stance form asks of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from kb.dates import format_partial, humanize_partial
from kb.models import Person, Signature, Statement


def signed_on(session: Session, person_id: int, claim_id: int) -> int:
    """How many statements on the claim the person signed (a stance may rest on them)."""
    stmt = (
        select(func.count())
        .select_from(Signature)
        .join(Statement, Statement.id == Signature.statement_id)
        .where(Signature.person_id == person_id, Statement.claim_id == claim_id)
    )
    return session.scalar(stmt) or 0


def statement_data(st: Statement, count: int | None = None) -> dict[str, Any]:
    """One statement as pages and JSON twins show it."""
    data: dict[str, Any] = {
        "slug": st.slug,
        "title": st.title,
        "by": st.issued_by,
        "date": format_partial(st.issued_on, st.date_precision),
        "date_shown": humanize_partial(st.issued_on, st.date_precision) or None,
        "url": st.url,
        "text": st.text,
        "claim": {"slug": st.claim.slug, "text": st.claim.text} if st.claim else None,
        "position": st.position,
        "note": st.note,
    }
    if count is not None:
        data["signatures"] = count
    return data


def signature_data(sig: Signature, person: bool = True) -> dict[str, Any]:
    """A signature: who signed (or, on a person's page, what), and where it was seen."""
    data: dict[str, Any] = {"seen_in": sig.seen_in, "note": sig.note}
    if person:
        data["person"] = {"slug": sig.person.slug, "name": sig.person.name}
    st = sig.statement
    data["statement"] = {
        "slug": st.slug,
        "title": st.title,
        "date_shown": humanize_partial(st.issued_on, st.date_precision) or None,
        "claim": st.claim.slug if st.claim else None,
        "position": st.position,
    }
    return data


def statement_list(session: Session) -> list[dict[str, Any]]:
    """Every statement, newest first (undated last), with its number of signatures."""
    n = (
        select(func.count())
        .where(Signature.statement_id == Statement.id)
        .correlate(Statement)
        .scalar_subquery()
    )
    stmt = (
        select(Statement, n)
        .options(selectinload(Statement.claim))
        .order_by(Statement.issued_on.desc().nulls_last(), Statement.title, Statement.id)
    )
    return [statement_data(st, count) for st, count in session.execute(stmt)]


def statement_page(session: Session, slug: str) -> dict[str, Any] | None:
    """A statement and its signatories by name, or None when there is no such statement."""
    stmt = select(Statement).where(Statement.slug == slug).options(selectinload(Statement.claim))
    st = session.scalars(stmt).first()
    if st is None:
        return None
    sigs = session.scalars(
        select(Signature)
        .join(Person, Person.id == Signature.person_id)
        .where(Signature.statement_id == st.id)
        .options(selectinload(Signature.person), selectinload(Signature.statement))
        .order_by(Person.sort_key, Person.id)
    ).all()
    data = statement_data(st, len(sigs))
    data["signatories"] = [signature_data(s) for s in sigs]
    return data


def _signatures(session: Session, where: Iterable[Any]) -> list[Signature]:
    stmt = (
        select(Signature)
        .join(Statement, Statement.id == Signature.statement_id)
        .join(Person, Person.id == Signature.person_id)
        .where(*where)
        .options(
            selectinload(Signature.person),
            selectinload(Signature.statement).selectinload(Statement.claim),
        )
        .order_by(Statement.issued_on.nulls_last(), Statement.id, Person.sort_key)
    )
    return list(session.scalars(stmt))


def person_signatures(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The statements a person signed, oldest first, as evidence beside their stances."""
    return [
        signature_data(s, person=False)
        for s in _signatures(session, [Signature.person_id == person_id])
    ]


def claim_signatures(session: Session, claim_id: int) -> list[dict[str, Any]]:
    """Who signed a statement on a claim, as evidence beside the claim's stances."""
    return [signature_data(s) for s in _signatures(session, [Statement.claim_id == claim_id])]


def signatures_by_pair() -> Select[int, int | None, int]:
    """(person_id, claim_id, n): how many statements on the claim the person signed. A
    signature is evidence of a stance as a quote is (kb.rules.evidence_problem), so the
    graphs count both in an edge's weight."""
    return (
        select(Signature.person_id, Statement.claim_id, func.count().label("n"))
        .join(Statement, Statement.id == Signature.statement_id)
        .where(Statement.claim_id.is_not(None))
        .group_by(Signature.person_id, Statement.claim_id)
    )
