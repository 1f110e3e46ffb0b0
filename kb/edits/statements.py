"""The savers of joint statements and signatures (kb.models.Statement, Signature), as the admin
forms edit them: every problem of a submission at once (Invalid), nothing written then.

The rules are those of the importer (kb.load.statement_checks): a statement's position goes
with its claim, a signature needs the page where it was seen, a person signs a statement once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import models as m
from kb.edits.cleaning import clean, published
from kb.edits.lookups import named, unique_slug
from kb.edits.outcomes import Errors, RecordRef
from kb.edits.writing import assign, check_version, flush, new_or


def save_statement(
    session: Session, obj: m.Statement | None, data: Mapping[str, Any], version: Any = None
) -> m.Statement:
    """Create (obj None) or update a statement from form data."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    title = clean(data.get("title"))
    slug = unique_slug(session, errors, m.Statement, obj, data.get("slug"), title)
    issued_on, precision = published(errors, data.get("issued"), "issued")
    claim = named(session, errors, m.Claim, data, "claim", "text")
    position = clean(data.get("position"))
    if position is not None and position not in m.POSITIONS:
        errors.add("position", f"must be one of {', '.join(m.POSITIONS)}")
    if (claim is None) != (position is None) and not errors.items:
        errors.add("position", "a claim and a position go together: give both, or neither")
    errors.raise_if_any()
    obj = new_or(session, obj, m.Statement)
    values = {
        "slug": slug,
        "title": title,
        "issued_by": clean(data.get("issued_by")),
        "issued_on": issued_on,
        "date_precision": precision,
        "url": clean(data.get("url")),
        "text": clean(data.get("text")),
        "claim": claim,
        "position": position,
        "note": clean(data.get("note")),
    }
    assign(obj, values)
    flush(session, obj, "statement")
    return obj


def save_signature(
    session: Session, obj: m.Signature | None, data: Mapping[str, Any], version: Any = None
) -> m.Signature:
    """Create (obj None) or update a signature from form data."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    person = named(session, errors, m.Person, data, "person", "name")
    statement = named(session, errors, m.Statement, data, "statement", "title")
    seen_in = clean(data.get("seen_in"))
    if seen_in is None:
        errors.add("seen_in", "is required: the page where the signature was seen")
    if person is not None and statement is not None:
        other = session.scalars(
            select(m.Signature).where(
                m.Signature.person_id == person.id, m.Signature.statement_id == statement.id
            )
        ).first()
        if other is not None and other is not obj:
            errors.add(
                "statement",
                f"{person.name} already signed this statement:",
                RecordRef("signature", other.id),
                "edit that signature",
            )
    errors.raise_if_any()
    obj = new_or(session, obj, m.Signature)
    assign(
        obj,
        {
            "person": person,
            "statement": statement,
            "seen_in": seen_in,
            "note": clean(data.get("note")),
        },
    )
    flush(session, obj, "signature")
    return obj
