"""Cards other sites may embed: /embed/people/<slug> and /embed/claims/<slug>.

A card is one small HTML page that stands alone: its CSS inline, no script, no font, no image
from anywhere, so a site that frames it loads nothing from a third party and kb learns nothing
about its readers beyond the one request. It holds a person's or a claim's stance summary
(the counts by position, with the position's symbol and word as well as its colour), at most
three stances, one verbatim quote with its source, and a link back to the full page, which
opens outside the frame.

These are the only routes another site may frame (kb.web.security.EMBED_PREFIX gives them
their own Content-Security-Policy, `frame-ancestors *`, and no X-Frame-Options); every other
page keeps `frame-ancestors 'none'`. The pages of people and claims show the <iframe> to copy
(`embed_snippet`, a Jinja global) in an "Embed this" box.
"""

from __future__ import annotations

from html import escape
from typing import Any

from flask import Blueprint, abort, render_template, url_for
from werkzeug.exceptions import HTTPException

from kb.pagination import PageRequest
from kb.queries.claim_page import claim_detail
from kb.queries.people import person_detail
from kb.vocabulary import positions
from kb.web.database import get_session
from kb.web.present import absolute, http_error, urls

bp = Blueprint("embed", __name__, url_prefix="/embed")
bp.register_error_handler(HTTPException, http_error)

# Stances a card lists: enough to show the shape of a view, few enough to stay a card.
CARD_STANCES = 3
# The frame a card is made for: a column of text, 300 px tall (the card fits its content to
# any height from about 240 px: the quote gives way first, the link back always shows).
FRAME = {"width": "100%", "height": 300}


def _first_quote(groups: dict[str, list[dict[str, Any]]]) -> tuple[dict, dict] | None:
    """The first quote of the first stance, position by position: (stance, quote)."""
    for w in positions:
        for st in groups.get(w.position or "", []):
            if st.get("evidence"):
                return st, st["evidence"][0]
    return None


def _summary(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The counts by position, with their words, for the positions that have any."""
    total = counts.get("total") or 0
    return [
        {
            "words": w,
            "count": counts[w.position or ""],
            "share": round(100 * counts[w.position or ""] / total) if total else 0,
        }
        for w in positions
        if counts.get(w.position or "")
    ]


def _stances(groups: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, dict[str, Any]]]:
    """Up to CARD_STANCES stances, taking the positions in turn (one of each first), so a
    card of a divided claim shows both sides."""
    queues = [[(w, st) for st in groups.get(w.position or "", [])] for w in positions]
    listed: list[tuple[Any, dict[str, Any]]] = []
    while len(listed) < CARD_STANCES and any(queues):
        for queue in queues:
            if queue and len(listed) < CARD_STANCES:
                listed.append(queue.pop(0))
    return listed


@bp.get("/people/<slug>")
def person(slug: str):
    """A person's card: their stances by position, a few of them, and one of their quotes."""
    found = person_detail(get_session(), slug, PageRequest(1, CARD_STANCES))
    if found is None:
        abort(404, description="There is no person with that name in kb.")
    _obj, data = found
    p = data["person"]
    return render_template(
        "embed/card.html",
        kind="person",
        title=p["name"],
        subtitle=p.get("affiliation"),
        summary=_summary(data["counts"]),
        noun="claim",
        stances=_stances(data["stances"]),
        quote=_first_quote(data["stances"]),
        page=absolute(urls.person(slug)),
    )


@bp.get("/claims/<slug>")
def claim(slug: str):
    """A claim's card: how many people hold each position, a few of them, one quote."""
    found = claim_detail(get_session(), slug, PageRequest(1, CARD_STANCES))
    if found is None:
        abort(404, description="There is no claim with that name in kb.")
    _obj, data = found
    return render_template(
        "embed/card.html",
        kind="claim",
        title=data["claim"]["text"],
        subtitle=None,
        summary=_summary(data["counts"]),
        noun="person",
        stances=_stances(data["sides"]),
        quote=_first_quote(data["sides"]),
        page=absolute(urls.claim(slug)),
    )


def embed_snippet(kind: str, slug: str, title: str) -> str:
    """The <iframe> another site pastes to show a card (a Jinja global for the person and
    claim pages), as text: its attributes escaped here, and the whole escaped again where a
    page shows it, so what a reader copies is exactly this. Its address is absolute when
    KB_BASE_URL is set (as it should be wherever kb is public); pages never build it from
    the request's Host (kb.web.present.absolute)."""
    src = absolute(url_for(f"embed.{kind}", slug=slug))
    return (
        f'<iframe src="{escape(src)}" title="{escape("kb: " + title)}" '
        f'width="{FRAME["width"]}" height="{FRAME["height"]}" loading="lazy" '
        'style="border:1px solid #ccc;border-radius:6px;max-width:36rem"></iframe>'
    )


bp.record_once(lambda state: state.app.jinja_env.globals.update(embed_snippet=embed_snippet))
