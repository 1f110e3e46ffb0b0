"""A quote's verification trail (issue 18) as plain data, for the quote's page: every check
of its words, oldest first, and whether its `checked` label agrees with them
(kb.rules.trail_problem, the rule `kb check` applies)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb import rules
from kb.dates import format_partial, humanize_partial
from kb.models import Quote, Verification
from kb.queries.shapes import quote_data

RESULT_LABELS = {
    "found": "Found",
    "not_found": "Not found",
    "unreachable": "Could not be read",
    "blocked": "Not read (robots.txt)",
}


def verification_data(v: Verification) -> dict[str, Any]:
    return {
        "seen_in": v.seen_in,
        "by": v.checked_by,
        "date": format_partial(v.checked_on, v.checked_precision),
        "date_human": humanize_partial(v.checked_on, v.checked_precision),
        "result": v.result,
        "result_label": RESULT_LABELS[v.result],
        "note": v.note,
    }


def anchor_data(q: Quote) -> dict[str, Any] | None:
    """The quote's W3C TextQuoteSelector, as Hypothesis writes one, or None."""
    if not q.anchor_exact:
        return None
    return {
        "type": "TextQuoteSelector",
        "exact": q.anchor_exact,
        "prefix": q.anchor_prefix,
        "suffix": q.anchor_suffix,
    }


def quote_page(session: Session, quote_id: int) -> dict[str, Any] | None:
    """The quote with its speaker, source, anchor and trail; None when there is no such quote."""
    q = session.scalar(
        select(Quote)
        .where(Quote.id == quote_id)
        .options(
            selectinload(Quote.speaker),
            selectinload(Quote.source),
            selectinload(Quote.verifications),
        )
    )
    if q is None:
        return None
    trail = [verification_data(v) for v in q.verifications]
    problem = rules.trail_problem(q.checked, [(v.result, v.seen_in) for v in q.verifications])
    return {
        **quote_data(q),
        "anchor": anchor_data(q),
        "verifications": trail,
        "trail_problem": problem,
    }
