"""/quotes/<id>: one quote with its verification trail and its anchor in the source (issue 18).

A blueprint of its own (endpoint quote_page.quote), so that it stays apart from the other pages
of quotes that reports and replies may add. HTML only: the same data is in the kb/1 exports
(quotes and verifications)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from kb.queries.verifications import quote_page
from kb.web.database import get_session

bp = Blueprint("quote_page", __name__)


@bp.get("/quotes/<int:quote_id>")
def quote(quote_id: int):
    """A quote: its words, who said them where, how they were checked and where they stand."""
    data = quote_page(get_session(), quote_id)
    if data is None:
        abort(404, description="There is no quote with that number in kb.")
    return render_template("browse/quote.html", data=data)
