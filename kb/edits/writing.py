"""The steps every save and delete shares: the version check that catches a concurrent edit,
assigning only what changed, and the flush whose database errors become form messages (an
IntegrityError on the field it concerns, a StaleDataError a Conflict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb.edits.outcomes import Conflict, FieldError, Invalid
from kb.errors import explain_integrity_error

# The form field a constraint's column is entered in, where the two names differ.
_INTEGRITY_FIELDS = {"to": "to_claim", "published": "published", "as_of": "as_of"}


def check_version(obj: Any, version: Any) -> None:
    """Refuse to write over a record that changed since the form was loaded."""
    try:
        expected = int(version)
    except (TypeError, ValueError):
        raise Conflict(obj) from None
    if expected != obj.version:
        raise Conflict(obj)


def flush(session: Session, obj: Any, record: str) -> None:
    """Flush, turning the database's refusal into a message (Invalid) or a Conflict."""
    try:
        session.flush()
    except IntegrityError as exc:
        problem = explain_integrity_error(exc, record)
        name = _INTEGRITY_FIELDS.get(problem.field or "", problem.field)
        raise Invalid([FieldError(name, problem.message)]) from exc
    except StaleDataError as exc:
        raise Conflict(obj) from exc


def assign(obj: Any, values: Mapping[str, Any]) -> None:
    """Set only the attributes whose value differs; the others are left untouched."""
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def new_or(session: Session, obj: Any, cls: type) -> Any:
    """`obj`, or a new record of `cls` added to the session when there is none."""
    if obj is None:
        obj = cls()
        session.add(obj)
    return obj
