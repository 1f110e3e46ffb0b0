"""The saver of an affiliation form (issue 14): a person's role at an organisation, from one
partial date to another. The rules are kb.rules' (lengths by the form, the period by
period_problem), the same the importer applies, so an affiliation saved here exports and
imports again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kb import models as m
from kb import rules
from kb.edits.cleaning import clean, published
from kb.edits.lookups import named
from kb.edits.outcomes import Errors
from kb.edits.writing import assign, check_version, flush, new_or


def save_affiliation(
    session: Session, obj: m.Affiliation | None, data: Mapping[str, Any], version: Any = None
) -> m.Affiliation:
    """Create (obj None) or update an affiliation from form data; every problem at once."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    person = named(session, errors, m.Person, data, "person", "name")
    organisation = clean(data.get("organisation"))
    if organisation is None:
        errors.add("organisation", "is required")
    started, started_precision = published(errors, data.get("started"), "started")
    ended, ended_precision = published(errors, data.get("ended"), "ended")
    problem = rules.period_problem(started, ended, ended_precision)
    if problem:
        errors.add("ended", problem)
    errors.raise_if_any()
    obj = new_or(session, obj, m.Affiliation)
    values = {
        "person": person,
        "organisation": organisation,
        "role": clean(data.get("role")),
        "started_on": started,
        "started_precision": started_precision,
        "ended_on": ended,
        "ended_precision": ended_precision,
        "note": clean(data.get("note")),
    }
    assign(obj, values)
    flush(session, obj, "affiliation")
    return obj
