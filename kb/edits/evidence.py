"""Writes of issue 18: a reader's report of a problem (no account), an editor's triage of it,
and the speaker's reply to a quote's attribution (the admin form's saver).

Every one goes through the ORM, so kb.store.history records it as a revision (a report's
e-mail excepted: it is never kept in the history)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from kb import models as m
from kb import rules
from kb.edits.cleaning import clean, published
from kb.edits.lookups import named
from kb.edits.outcomes import Errors
from kb.edits.writing import assign, check_version, flush, new_or

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TARGETS: dict[str, type[m.Quote] | type[m.Stance] | type[m.Source]] = {
    "quote": m.Quote,
    "stance": m.Stance,
    "source": m.Source,
}


def report_target(session: Session, target: str, target_id: int) -> Any:
    """The record a report is about, or None when there is no such record."""
    cls = _TARGETS.get(target)
    return session.get(cls, target_id) if cls is not None and 0 < target_id < 2**31 else None


def _text(errors: Errors, data: Mapping[str, Any], name: str, required: bool = False) -> Any:
    value = clean(data.get(name))
    if value is None:
        if required:
            errors.add(name, "is required")
        return None
    problem = rules.text_problem(value, rules.limit("reports", name))
    if problem:
        errors.add(name, problem)
    return value


def submit_report(session: Session, target: str, target_id: int, data: Mapping[str, Any]):
    """A reader's report on a quote, stance or source, open for the editors; every problem at
    once (Invalid)."""
    errors = Errors()
    if report_target(session, target, target_id) is None:
        errors.add(None, f"there is no {target} #{target_id}")
    kind = data.get("kind")
    if kind not in m.REPORT_KINDS:
        errors.add("kind", "choose what is wrong")
    explanation = _text(errors, data, "explanation", required=True)
    evidence_url = _text(errors, data, "evidence_url")
    if evidence_url and rules.url_problem(evidence_url):
        errors.add("evidence_url", rules.url_problem(evidence_url) or "")
    email = _text(errors, data, "email")
    if email and not _EMAIL.match(email):
        errors.add("email", "is not an e-mail address (leave it blank if you like)")
    errors.raise_if_any()
    report = m.Report(
        target=target,
        target_id=target_id,
        kind=kind,
        explanation=explanation,
        evidence_url=evidence_url,
        email=email,
        status="open",
    )
    session.add(report)
    flush(session, report, "report")
    return report


def triage_report(
    session: Session, report: m.Report, data: Mapping[str, Any], version: Any
) -> m.Report:
    """An editor's decision on a report: its status, the public resolution note and, for an
    accepted report, the revision that fixed the record (which resolves it)."""
    check_version(report, version)
    errors = Errors()
    status = data.get("status")
    if status not in m.REPORT_STATUSES:
        errors.add("status", f"must be one of {', '.join(m.REPORT_STATUSES)}")
    resolution = _text(errors, data, "resolution")
    fixed_by = _revision(session, errors, data.get("fixed_by"))
    if fixed_by is not None and status != "accepted":
        errors.add("fixed_by", "only an accepted report is fixed by a revision")
    if status != "open" and resolution is None:
        errors.add("resolution", "say in a sentence what was decided (readers see it)")
    errors.raise_if_any()
    assign(report, {"status": status, "resolution": resolution, "fixed_by_id": fixed_by})
    flush(session, report, "report")
    return report


def _revision(session: Session, errors: Errors, value: Any) -> int | None:
    """The revision number a triage names, checked to exist."""
    text = clean(value)
    if text is None:
        return None
    number = rules.integer_text(str(text).lstrip("#"))
    if number is None or number <= 0 or number >= 2**31:
        errors.add("fixed_by", "is a revision number, as the history lists them")
        return None
    if session.get(m.Revision, number) is None:
        errors.add("fixed_by", f"there is no revision #{number}")
        return None
    return number


def save_reply(
    session: Session, obj: m.Reply | None, data: Mapping[str, Any], version: Any = None
) -> m.Reply:
    """Create (obj None) or update a reply from the admin form; every problem at once."""
    if obj is not None:
        check_version(obj, version)
    errors = Errors()
    quote = _quote(session, errors, data.get("quote"))
    source = named(session, errors, m.Source, data, "source", "title")
    if source is None and not clean(data.get("source")):
        errors.add("source", "is required: the dated evidence of the reply")
    replied_on, precision = published(errors, data.get("replied"), "replied")
    if replied_on is None and source is not None and source.published_on is None:
        errors.add("replied", "is required when the source has no date (e.g. 2023-05)")
    replied_by = data.get("replied_by") or "person"
    representative = clean(data.get("representative"))
    if replied_by == "representative" and representative is None:
        errors.add("representative", "name who replied on the person's behalf")
    errors.raise_if_any()
    obj = new_or(session, obj, m.Reply)
    values = {
        "quote": quote,
        "response": data.get("response"),
        "replied_by": replied_by,
        "representative": representative if replied_by == "representative" else None,
        "source": source,
        "replied_on": replied_on,
        "replied_precision": precision,
        "note": clean(data.get("note")),
    }
    assign(obj, values)
    flush(session, obj, "reply")
    return obj


def _quote(session: Session, errors: Errors, value: Any) -> m.Quote | None:
    text = clean(value)
    number = rules.integer_text(str(text).lstrip("q#")) if text else None
    found = session.get(m.Quote, number) if number and 0 < number < 2**31 else None
    if found is None:
        errors.add("quote", f"there is no quote {text!r}" if text else "is required")
    return found
