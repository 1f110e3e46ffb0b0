"""Search hits as a page and its twins show them: the CSV cells of a hit (the record's own full
text, its slug and the path of its page) and its JSON shape (the record's ref and the marked
title and snippet)."""

from __future__ import annotations

from typing import Any

from kb.queries import search as fts
from kb.queries.shapes import claim_ref, person_ref, quote_data, source_ref
from kb.web.present import urls

SEARCH_CSV_HEADER = ["kind", "rank", "slug", "text", "detail", "speaker", "source", "page"]


def hit_row(hit: fts.Hit) -> list[Any]:
    """A hit as CSV cells: the record's own full text rather than the marked snippet, its
    slug (a quote's id) and the path of its page (for a quote, its speaker's)."""
    rec = hit.record
    rank = round(hit.rank, 6)
    if hit.kind == "quote":
        page = urls.quote(rec.speaker.slug)
        return [
            "quote",
            rank,
            rec.id,
            rec.text,
            rec.locator,
            rec.speaker.slug,
            rec.source.slug,
            page,
        ]
    fields = {"person": ("name", "description"), "claim": ("text", "summary")}
    main, detail = (getattr(rec, f) for f in fields.get(hit.kind, ("title", "publisher")))
    page = urls.page(hit.kind, rec.slug)
    return [hit.kind, rank, rec.slug, main, detail, "", "", page]


def hit_data(hit: fts.Hit) -> dict[str, Any]:
    rec = hit.record
    data: dict[str, Any] = {
        "kind": hit.kind,
        "rank": round(hit.rank, 6),
        "title_html": hit.title,
        "snippet_html": hit.snippet,
    }
    if hit.kind == "person":
        data["person"] = person_ref(rec) | {"affiliation": rec.affiliation}
    elif hit.kind == "claim":
        data["claim"] = claim_ref(rec)
    elif hit.kind == "quote":
        data["quote"] = quote_data(rec)
    else:
        data["source"] = source_ref(rec)
    return data
