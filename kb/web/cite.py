"""The "Cite this page" box: the citations a person, claim or source page offers (templates/_cite.html)
and their CSL-JSON downloads, at the page's path + ".csl.json".

- /people/<slug>.csl.json, /claims/<slug>.csl.json: kb's page.
- /sources/<slug>.csl.json: kb's page and the original source.
- /quotes/<id>.csl.json: a quote has no page of its own (kb.web.present.urls.quote), so it is
  cited from its entry on its source's page (/sources/<slug>#quote-<id>): the original with the
  speaker and locator first, then kb's entry.

The texts come from kb.formats.citation, built from the same dicts the pages show
(kb.queries.shapes), through the `cite_this` template global, so the box on a page and its
download say the same. kb's page is dated by the moment kb's data last changed
(kb.store.datastate), which is also what the page caches are keyed on, so a cached page never
shows a date its data does not have; a database that never recorded a change gives today's
date, labelled "accessed".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, g, url_for
from werkzeug.exceptions import HTTPException

from kb.edits.cleaning import MAX_ID
from kb.formats import citation
from kb.formats.citation import Work
from kb.models import Claim, Person, Quote
from kb.queries import records
from kb.queries.shapes import quote_data
from kb.queries.sources import source_detail
from kb.store import datastate
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.present import absolute, http_error, urls

bp = Blueprint("cite", __name__)
bp.register_error_handler(HTTPException, http_error)  # a download's 404 is JSON, as a twin's

CSL_MIMETYPE = "application/vnd.citationstyles.csl+json"
# A source's box cites its first quotes only: each adds four styles, and a source of the
# synthetic sets has 320 quotes, which would double the page. Every quote keeps its download.
QUOTE_LIMIT = 20


@bp.record_once
def _globals(state: Any) -> None:
    # the styles the box shows, and their names, from the one list (kb.formats.citation)
    state.app.jinja_env.globals["cite_styles"] = citation.STYLES


def _dates() -> tuple[str | None, str]:
    """(when kb's data last changed, today), as YYYY-MM-DD, read once per request."""
    if "kb_cite_dates" not in g:
        changed = datastate.state(get_session())[1]
        g.kb_cite_dates = (
            changed.date().isoformat() if changed else None,
            dt.datetime.now(dt.UTC).date().isoformat(),
        )
    return g.kb_cite_dates


def page_work(kind: str, slug: str, title: str, anchor: str = "") -> Work:
    """kb's page of a record (or an entry on it, by `anchor`) as a citable work."""
    updated, today = _dates()
    url = absolute(urls.page(kind, slug)) + anchor
    key = citation.page_key(kind, slug) + (f"-{anchor.lstrip('#')}" if anchor else "")
    return citation.kb_page(key, title, url, updated, today)


def _quote_entry_title(quote: dict[str, Any], source: dict[str, Any]) -> str:
    return f"Quote of {quote['speaker']['name']} in “{source['title']}”"


def quote_works(quote: dict[str, Any], source: dict[str, Any]) -> list[Work]:
    """A quote's original (speaker, source, locator) and its entry on kb's source page."""
    entry = page_work(
        "source", source["slug"], _quote_entry_title(quote, source), f"#quote-{quote['id']}"
    )
    return [citation.quote_work(quote, source), entry]


def _source_works(data: dict[str, Any]) -> list[Work]:
    s = data["source"]
    original = citation.source_work(s, [a["name"] for a in s["authors"]])
    return [page_work("source", s["slug"], s["title"]), original]


def _box(works: list[Work], csl_url: str) -> dict[str, Any]:
    """What the template shows for the first work (kb's page or the original), the original's
    Wikipedia-order line when there is one, and the download."""
    page, *originals = works
    return {
        "page": citation.styles(page),
        "page_accessed": page.accessed is not None,
        "original": [
            {"parts": citation.original_parts(w), "styles": citation.styles(w)} for w in originals
        ],
        "csl_url": csl_url,
    }


@bp.app_template_global()
def cite_this(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The "cite this" box of a person, claim or source page, from the page's own data."""
    if kind == "person":
        p = data["person"]
        return _box([page_work("person", p["slug"], p["name"])], _csl_url("person", p["slug"]))
    if kind == "claim":
        c = data["claim"]
        return _box([page_work("claim", c["slug"], c["text"])], _csl_url("claim", c["slug"]))
    s = data["source"]
    box = _box(_source_works(data), _csl_url("source", s["slug"]))
    box["quotes"] = [
        {
            "id": q["id"],
            "text": q["text"],
            "speaker": q["speaker"]["name"],
            "parts": citation.original_parts(citation.quote_work(q, s)),
            "styles": citation.styles(citation.quote_work(q, s)),
            "csl_url": url_for("cite.quote_csl", quote_id=q["id"]),
        }
        for q in data["quotes"][:QUOTE_LIMIT]
    ]
    box["quotes_total"] = len(data["quotes"])
    return box


def _csl_url(kind: str, slug: str) -> str:
    """The download beside a page: its path + ".csl.json" (the views below)."""
    return url_for(f"cite.{kind}_csl", slug=slug)


def _download(works: list[Work], name: str) -> Response:
    response = Response(citation.csl_json(works), mimetype=CSL_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csl.json"'
    return response


def _safe_name(slug: str) -> str:
    # a file name from a slug: only letters, digits, "-" and "_" (no quote can end the header)
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in slug)


def _page_csl(kind: str, model: Any, slug: str, title: str) -> Response:
    """The CSL-JSON of kb's page of the `kind` record with this slug; `title` names the
    record's attribute that titles the page."""
    record = records.by_slug(get_session(), model, slug)
    if record is None:
        abort(404, description=f"There is no {kind} with that name in kb.")
    return _download([page_work(kind, record.slug, getattr(record, title))], _safe_name(slug))


@documented(media_type=CSL_MIMETYPE, body="array")
@bp.get("/people/<slug>.csl.json")
def person_csl(slug: str) -> Response:
    return _page_csl("person", Person, slug, "name")


@documented(media_type=CSL_MIMETYPE, body="array")
@bp.get("/claims/<slug>.csl.json")
def claim_csl(slug: str) -> Response:
    return _page_csl("claim", Claim, slug, "text")


@documented(media_type=CSL_MIMETYPE, body="array")
@bp.get("/sources/<slug>.csl.json")
def source_csl(slug: str) -> Response:
    data = source_detail(get_session(), slug)
    if data is None:
        abort(404, description="There is no source with that name in kb.")
    return _download(_source_works(data), _safe_name(slug))


@documented(media_type=CSL_MIMETYPE, body="array")
@bp.get("/quotes/<int(signed=True):quote_id>.csl.json")  # any integer: a JSON 404, not HTML
def quote_csl(quote_id: int) -> Response:
    # an id past the column's range is no quote (PostgreSQL would refuse to compare it)
    quote = get_session().get(Quote, quote_id) if 0 < quote_id <= MAX_ID else None
    if quote is None:
        abort(404, description="There is no quote with that number in kb.")
    data = quote_data(quote)
    return _download(quote_works(data, data["source"]), f"quote-{quote_id}")
