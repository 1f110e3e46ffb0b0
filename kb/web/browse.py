"""Pages for readers: everything here is read-only and needs no login.

Each page is one view function with two (lists: three) renderings, as Datasette does: the HTML
page at its path, the same data as JSON at the path + ".json", and for lists the filtered rows
as streamed CSV at the path + ".csv". The data comes from kb.queries (people, claims, sources, topics, overview) as plain dicts, so
the page and its twins cannot disagree. The home page's twin is /index.json (and /.json).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.exceptions import HTTPException

from kb.formats.csvsafe import iter_csv
from kb.models import POSITIONS, SOURCE_KINDS, Person, Topic
from kb.pagination import Page, PageRequest
from kb.queries import records
from kb.queries import search as fts
from kb.queries.claim_page import claim_detail
from kb.queries.claims import (
    CLAIM_CSV_HEADER,
    CLAIM_SORTS,
    claim_csv_rows,
    claims_listing,
)
from kb.queries.contested import CONTESTED_RULE
from kb.queries.listing import FACET_LIMIT, FACET_MAX, SECTION_PREVIEW, Listing, by_slug
from kb.queries.overview import overview, topic_choices
from kb.queries.people import (
    PEOPLE_CSV_HEADER,
    PEOPLE_SORTS,
    iter_people_rows,
    organisations_named,
    people_listing,
    people_select,
    person_detail,
)
from kb.queries.sources import (
    SOURCE_CSV_HEADER,
    SOURCE_SORTS,
    source_csv_rows,
    source_detail,
    sources_listing,
)
from kb.queries.statements import claim_signatures, person_signatures
from kb.queries.topics import (
    TOPIC_CSV_HEADER,
    TOPIC_SORTS,
    iter_topic_rows,
    topic_detail,
    topics_listing,
    topics_select,
)
from kb.web import bridging, hits, home_matrix, linked_data, panels, reader_text, streams
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.params import bounded_int, choice, csv_dialect, page_request, text, year
from kb.web.present import absolute, http_error
from kb.web.present import json_response as _json

bp = Blueprint("browse", __name__)

FORMATS = ("html", "json", "csv")

LIST_PARAMS = [
    ("page", "integer", "page number, from 1"),
    ("per_page", "integer", "rows per page (capped by the server's MAX_PAGE_SIZE)"),
]


def twin(rule: str, csv: bool = False, json_rule: str | None = None) -> Callable:
    """Register a view at `rule` (HTML), at `rule`.json and, for lists, at `rule`.csv; the view
    receives `fmt`. One endpoint, so url_for(endpoint, fmt="json") builds the twin's URL."""

    def register(view: Callable) -> Callable:
        bp.add_url_rule(rule, view_func=view, defaults={"fmt": "html"}, methods=["GET"])
        bp.add_url_rule(
            json_rule or rule + ".json", view_func=view, defaults={"fmt": "json"}, methods=["GET"]
        )
        if csv:
            bp.add_url_rule(rule + ".csv", view_func=view, defaults={"fmt": "csv"}, methods=["GET"])
        return view

    return register


def _page_request() -> PageRequest:
    return page_request(
        request.args, current_app.config["PAGE_SIZE"], current_app.config["MAX_PAGE_SIZE"]
    )


def _csv(name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    """Stream CSV: rows are read from the database while the response is being sent."""
    body = iter_csv(header, rows, csv_dialect(request.args))
    return streams.download(stream_with_context(body), "text/csv", f"{name}.csv")


def _page_url(endpoint_args: dict[str, Any], **changes: Any) -> str:
    args = {**request.args.to_dict(), **(request.view_args or {}), **endpoint_args}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    if args.get("page") in (1, "1"):
        args.pop("page")
    return url_for(request.endpoint or "", **args)  # set: this runs inside a routed page


@bp.app_template_global()
def url_with(**changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one); the format stays
    HTML unless `fmt` is given. Used for pagination, sorting and facet links."""
    return _page_url({"fmt": changes.pop("fmt", "html")}, **changes)


bp.record_once(
    lambda state: state.app.jinja_env.globals.update(contested_rule_sentence=CONTESTED_RULE)
)
bp.add_app_template_filter(reader_text.for_readers, "for_readers")


def _links(page: Any) -> dict[str, str | None]:
    return {
        "self": absolute(_page_url({"fmt": "json"})),
        "next": absolute(_page_url({"fmt": "json"}, page=page.page + 1)) if page.has_next else None,
        "prev": absolute(_page_url({"fmt": "json"}, page=page.page - 1)) if page.has_prev else None,
        "html": absolute(_page_url({"fmt": "html"})),
    }


@bp.record_once
def _favicon(state: Any) -> None:
    """/favicon.ico, which browsers and crawlers ask for whatever the page links: the static
    file itself, through Flask's static endpoint (so with its cache headers and no page
    validators). Pages link the SVG icon (templates/base.html)."""
    state.app.add_url_rule(
        "/favicon.ico",
        endpoint="static",
        defaults={"filename": "favicon.ico"},
    )


bp.register_error_handler(HTTPException, http_error)


# ------------------------------------------------------------------ home


@twin("/", json_rule="/index.json")
def home(fmt: str):
    """The overview: counts, the stance matrix (claims by topic x people by camp, for the
    people and topic the reader picked: kb.web.home_matrix) and the most contested claims. A
    slug that names nobody is said on the page, which answers 400 with the rest of it."""
    session = get_session()
    people, topic = home_matrix.picked(request.args)
    data = {**overview(session), "matrix": home_matrix.home_matrix(session, people, topic)}
    data["bridging"] = bridging.rows(session, bridging.HOME_LIMIT)
    status = 400 if data["matrix"]["unknown"] else 200
    if fmt == "json":
        return _json(data, status)
    page = render_template(
        "browse/home.html", data=data, topics=topic_choices(session), limit=home_matrix.MAX_PICKED
    )
    return page, status


# the literal "path + .json" of "/" works too: Werkzeug redirects it to /index.json, the one
# links use (both rules carry the same defaults)
bp.add_url_rule("/.json", view_func=home, defaults={"fmt": "json"}, methods=["GET"])


# ------------------------------------------------------------------ lists


def _list_response(fmt: str, listing: Listing, template: str, **context: Any):
    """A list page as JSON (rows, facets, pagination and links to the neighbouring pages) or
    HTML; the CSV twin streams from its own select and never gets here."""
    data = listing.data()
    if fmt == "json":
        return _json({**data, "links": _links(listing.page)})
    return render_template(template, data=data, page=listing.page, **context)


@documented(
    *LIST_PARAMS,
    ("affiliation", "string", "only people with exactly this affiliation"),
    (
        "organisation",
        "string",
        "only people affiliated (now or before) with this organisation: its name or its slug",
    ),
    ("sort", list(PEOPLE_SORTS), "order of the rows (default name)"),
    (
        "facet_limit",
        "integer",
        f"values listed by the affiliation and organisation facets (default {FACET_LIMIT})",
    ),
    ("organisation_q", "string", "only organisations whose name contains this, in its facet"),
)
@twin("/people", csv=True)
def people(fmt: str):
    """People, filterable by affiliation and organisation, and sortable by name, number of
    claims or recency."""
    args = request.args
    sort = choice(args, "sort", PEOPLE_SORTS, "name")
    affiliation = text(args, "affiliation")
    organisation = text(args, "organisation")
    req = _page_request()
    session = get_session()
    if fmt == "csv":
        stmt = people_select(affiliation, sort, organisations_named(session, organisation))
        rows = iter_people_rows(session, stmt, (affiliation, sort, organisation))
        return _csv("people", PEOPLE_CSV_HEADER, rows)
    listing = people_listing(
        session,
        req,
        affiliation,
        sort,
        organisation=organisation,
        facet_limit=_facet_limit(),
        organisation_q=text(args, "organisation_q", 100),
    )
    return _list_response(fmt, listing, "browse/people.html", sorts=PEOPLE_SORTS)


@documented(
    *LIST_PARAMS,
    ("topic", "string", "slug of a topic: only claims under it"),
    ("person", "string", "slug of a person: only claims they hold a stance on"),
    (
        "position",
        list(POSITIONS),
        "only claims with a stance in this position (the latest stance "
        "of each person; of the given person if `person` is set)",
    ),
    (
        "sort",
        list(CLAIM_SORTS),
        "order of the rows (default text; contested: " + CONTESTED_RULE + ")",
    ),
    (
        "facet_limit",
        "integer",
        f"values listed by the topic and person facets (default {FACET_LIMIT})",
    ),
    ("person_q", "string", "only people whose name contains this, in the person facet"),
)
@twin("/claims", csv=True)
def claims(fmt: str):
    """Claims with their number of supporters, opponents and mixed, filterable by topic and by
    person and position."""
    args = request.args
    sort = choice(args, "sort", CLAIM_SORTS, "text")
    position = choice(args, "position", POSITIONS)
    topic = text(args, "topic", 100)
    person = text(args, "person", 100)
    req = _page_request()
    session = get_session()
    if fmt == "csv":
        # the filters are checked first: an unknown slug is a 400 before any byte is sent
        found = by_slug(session, Topic, topic, "topic"), by_slug(session, Person, person, "person")
        return _csv("claims", CLAIM_CSV_HEADER, claim_csv_rows(session, *found, position, sort))
    listing = claims_listing(
        session,
        req,
        topic,
        person,
        position,
        sort,
        facet_limit=_facet_limit(),
        person_q=text(args, "person_q", 100),
    )
    return _list_response(fmt, listing, "browse/claims.html", sorts=CLAIM_SORTS)


def _facet_limit() -> int:
    return bounded_int(request.args, "facet_limit", FACET_LIMIT, 1, FACET_MAX)


@documented(
    *LIST_PARAMS,
    ("kind", list(SOURCE_KINDS), "only sources of this kind"),
    ("year", "integer", "only sources published in this year (four digits)"),
    ("sort", list(SOURCE_SORTS), "order of the rows (default date: newest first)"),
)
@twin("/sources", csv=True)
def sources(fmt: str):
    """Sources, filterable by kind and year, newest first by default."""
    args = request.args
    sort = choice(args, "sort", SOURCE_SORTS, "date")
    kind = choice(args, "kind", SOURCE_KINDS)
    yr = year(args, "year")
    req = _page_request()
    session = get_session()
    if fmt == "csv":
        return _csv("sources", SOURCE_CSV_HEADER, source_csv_rows(session, kind, yr, sort))
    listing = sources_listing(session, req, kind, yr, sort)
    return _list_response(fmt, listing, "browse/sources.html", sorts=SOURCE_SORTS)


@documented(
    *LIST_PARAMS,
    ("sort", list(TOPIC_SORTS), "order of the rows (default name)"),
)
@twin("/topics", csv=True)
def topics(fmt: str):
    """Topics with their number of claims."""
    sort = choice(request.args, "sort", TOPIC_SORTS, "name")
    req = _page_request()
    session = get_session()
    if fmt == "csv":
        return _csv("topics", TOPIC_CSV_HEADER, iter_topic_rows(session, topics_select(sort)))
    listing = topics_listing(session, req, sort)
    return _list_response(fmt, listing, "browse/topics.html", sorts=TOPIC_SORTS)


# ------------------------------------------------------------------ detail pages


DETAIL_PARAMS = [
    (
        "position",
        list(POSITIONS),
        "only stances in this position, paged (without it: the first page of each position)",
    ),
    ("page", "integer", "page of the stances (of each position shown), from 1"),
    (
        "per_page",
        "integer",
        f"stances per position and page (default: {SECTION_PREVIEW} of each position, or the "
        "server's PAGE_SIZE for one position; capped by its MAX_PAGE_SIZE)",
    ),
]


def _detail_request() -> tuple[PageRequest, str | None, bool]:
    """A detail page's paging: the page, the position chosen (if any) and whether the reader
    set the page size themselves."""
    position = choice(request.args, "position", POSITIONS)
    return _page_request(), position, bool(request.args.get("per_page"))


def _section_pages(data: dict[str, Any]) -> dict[str, Page[Any]]:
    """Each position's Page (for the templates' "Showing" line and pagination)."""
    return {
        p: Page(
            data["stances" if "stances" in data else "sides"][p],
            m["page"],
            m["per_page"],
            m["total"],
        )
        for p, m in data["by_position"].items()
    }


@documented(*DETAIL_PARAMS)
@twin("/people/<slug>")
def person(slug: str, fmt: str):
    """A person: their stances grouped by position (each counted in full and paged on its
    own), each with its quotes and sources, earlier stances, and the sources they are quoted
    in or wrote."""
    session = get_session()
    req, position, explicit = _detail_request()
    # the HTML page previews the history until asked for all of it; the JSON twin has it all
    preview = fmt != "json" and request.args.get("history") != "all"
    found = person_detail(session, slug, req, position, explicit, preview)
    if found is None:
        abort(404, description="There is no person with that name in kb.")
    person_obj, data = found
    data["signatures"] = person_signatures(session, person_obj.id)
    if fmt == "json":
        return _json(data)
    return render_template(
        "browse/person.html",
        data=data,
        page=Page([], req.page, data["pagination"]["per_page"], data["pagination"]["total"]),
        pages=_section_pages(data),
        jsonld=linked_data.person_page(data),
        **panels.person_panels(session, person_obj, preview),
    )


@documented(*DETAIL_PARAMS)
@twin("/claims/<slug>")
def claim(slug: str, fmt: str):
    """A claim: the people on each side (each side counted in full and paged on its own) with
    their quotes, related claims, and a timeline."""
    session = get_session()
    req, position, explicit = _detail_request()
    found = claim_detail(session, slug, req, position, explicit)
    if found is None:
        abort(404, description="There is no claim with that name in kb.")
    claim_obj, data = found
    data["signatures"] = claim_signatures(session, claim_obj.id)
    if fmt == "json":
        return _json(data)
    return render_template(
        "browse/claim.html",
        data=data,
        page=Page([], req.page, data["pagination"]["per_page"], data["pagination"]["total"]),
        pages=_section_pages(data),
        jsonld=linked_data.claim_page(data),
        **panels.claim_panels(session, claim_obj),
    )


@twin("/sources/<slug>")
def source(slug: str, fmt: str):
    """A source: its bibliographic data and every quote taken from it, with the speakers."""
    data = source_detail(get_session(), slug)
    if data is None:
        abort(404, description="There is no source with that name in kb.")
    if fmt == "json":
        return _json(data)
    return render_template("browse/source.html", data=data, jsonld=linked_data.source_page(data))


@documented(
    *LIST_PARAMS,
    ("sort", list(CLAIM_SORTS), "order of the claims (default text)"),
)
@twin("/topics/<slug>", csv=True)
def topic(slug: str, fmt: str):
    """A topic and its claims (paginated, sortable like /claims; the CSV twin has them all,
    with the columns of /claims.csv)."""
    sort = choice(request.args, "sort", CLAIM_SORTS, "text")
    req = _page_request()
    session = get_session()
    if fmt == "csv":
        found = records.by_slug(session, Topic, slug)
        if found is None:
            abort(404, description="There is no topic with that name in kb.")
        name = "topic-" + re.sub(r"[^A-Za-z0-9_-]", "_", found.slug)
        return _csv(name, CLAIM_CSV_HEADER, claim_csv_rows(session, found, None, None, sort))
    data = topic_detail(session, slug, req, sort)
    if data is None:
        abort(404, description="There is no topic with that name in kb.")
    if fmt == "json":
        return _json(data)
    page = Page(data["rows"], req.page, req.per_page, data["pagination"]["total"])
    ld = linked_data.topic_page(data)
    return render_template("browse/topic.html", data=data, page=page, sorts=CLAIM_SORTS, jsonld=ld)


# ------------------------------------------------------------------ search


@documented(
    (
        "q",
        "string",
        'the words to find: all of them (the last may be the start of a word), "a phrase", '
        "a OR b, -word to leave out; quotes match by their speaker's name too",
    ),
    ("kind", list(fts.KINDS), "only hits of this kind"),
    *LIST_PARAMS,
)
@twin("/search", csv=True)
def search(fmt: str):
    """Full-text search over claims, quotes, people and sources: ranked hits with highlighted
    snippets (<mark>), the number of hits of each kind, paginated (the CSV twin: every ranked
    hit, best first, as plain text)."""
    args = request.args
    query = text(args, "q", 200) or ""
    kind = choice(args, "kind", fts.KINDS)
    req = _page_request()
    if fmt == "csv":
        result = fts.search(get_session(), query, kind, limit=fts.RANK_LIMIT)
        return _csv("search", hits.SEARCH_CSV_HEADER, (hits.hit_row(h) for h in result.hits))
    result = fts.search(get_session(), query, kind, limit=req.per_page, offset=req.offset)
    # pages run through the ranked matches: all of them, or the newest when there are too many
    page = Page(result.hits, req.page, req.per_page, result.ranked or result.total)
    shown = [hits.hit_data(h) for h in result.hits]
    data = {
        "query": query,
        "kind": kind,
        "counts": result.counts,
        "matches": result.total,
        "ranked": result.ranked or result.total,
        "pagination": page.meta(),
        "hits": shown,
    }
    if fmt == "json":
        return _json({**data, "links": _links(page)})
    return render_template("browse/search.html", data=data, page=page, kinds=fts.KINDS)
