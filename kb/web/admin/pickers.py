"""What the admin forms' pickers need from the database, bounded at any size.

People, claims, sources and topics are picked with text inputs (kb.web.admin.fields), so a form page
lists none of them. The one list left is a stance's evidence: a select of quotes, which shows
the quotes already chosen and at most EVIDENCE_SHOWN others (the newest of the person named in
the filter, narrowed by words when given), never every quote in kb.
"""

from __future__ import annotations

from typing import Any

from flask import request

from kb import models as m
from kb.dates import humanize_partial
from kb.edits import cleaning
from kb.queries import admin as admin_queries
from kb.queries import suggest
from kb.web.admin import fields as pickers
from kb.web.database import get_session

EVIDENCE_SHOWN = 50


def _chosen_ids(form: Any) -> list[int]:
    out = []
    for raw in form.evidence.data or []:
        try:
            value = int(raw)
        except (TypeError, ValueError):
            continue
        if 0 < value <= cleaning.MAX_ID:
            out.append(value)
    return out


def _quote_label(q: m.Quote) -> str:
    said = f", said {humanize_partial(q.said_on, q.said_precision)}" if q.said_on else ""
    return f"#{q.id} {q.speaker.name}: “{suggest.short(q.text, 90)}” — {q.source.title}{said}"


def stance_evidence(form: Any) -> dict[str, Any]:
    """Fill the evidence select of a stance form; returns what the filter above it shows."""
    session = get_session()
    who = suggest.clean(form.person.data or request.args.get("person"))
    words = suggest.clean(request.args.get("quote_q"))
    person = admin_queries.person_by_slug_or_name(session, who) if who else None
    number = words.lstrip("#")
    picked = number.isascii() and number.isdigit() and int(number) <= cleaning.MAX_ID
    shown = admin_queries.evidence_quotes(
        session,
        person.id if person is not None else None,
        int(number) if picked else None,  # a suggestion picked: its number
        words,
        EVIDENCE_SHOWN + 1,
    )
    more = len(shown) > EVIDENCE_SHOWN
    shown = shown[:EVIDENCE_SHOWN]
    have = {q.id for q in shown}
    missing = [i for i in _chosen_ids(form) if i not in have]
    chosen = admin_queries.quotes_by_id(session, missing) if missing else []
    form.evidence.choices = {q.id: _quote_label(q) for q in [*chosen, *shown]}
    return {
        "quotes_for": person.name if person is not None else None,
        "person_filter": who,
        "quote_filter": words,
        "more_quotes": more,
        "evidence_shown": EVIDENCE_SHOWN,
    }


def resolve(form: Any) -> bool:
    """Resolve the typed names of a submitted form's pickers (kb.web.admin.fields.resolve_form)."""
    return pickers.resolve_form(get_session(), form)
