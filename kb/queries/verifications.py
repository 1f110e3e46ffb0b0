"""A quote's verification trail (issue 18) as plain data, for the quote's page: every check
of its words, oldest first, and whether its `checked` label agrees with them
(kb.rules.trail_problem, the rule `kb check` applies)."""

from __future__ import annotations

from typing import Any

from kb import rules
from kb.dates import format_partial, humanize_partial
from kb.models import Quote, Verification

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


def trail_data(q: Quote) -> dict[str, Any]:
    """The quote's anchor and trail, and whether its label agrees with the trail; `q` comes with
    its verifications loaded (kb.queries.evidence.quote_page)."""
    checks = q.verifications
    return {
        "anchor": anchor_data(q),
        "verifications": [verification_data(v) for v in checks],
        "trail_problem": rules.trail_problem(q.checked, [(v.result, v.seen_in) for v in checks]),
    }
