"""Following kb: what changed, as Atom 1.0 feeds and as a page.

- /changes.atom: the newest public changes to anything; /people/<slug>.atom,
  /claims/<slug>.atom and /topics/<slug>.atom: those about one record's page (the record, what
  is seen on it, and what has left it since, such as a removed stance: kb.queries.changes.scope). At most kb.queries.changes.FEED_LIMIT
  entries each, newest first. Each page links its feed with <link rel="alternate">.
- /changes?since=YYYY-MM-DD (and its /changes.json twin): every public change since a day,
  paged, for a reader back after a while; a day that is not one is a 400 saying so.

The feeds are written by feedgen (a kept library, so the XML is escaped and well-formed by
construction, whatever a claim's text holds). An entry's id is a tag: URI of the site's host
and the revision's number, so it never changes when a record is renamed; its `updated` is the
revision's time, and the feed's the newest entry's. What an entry may say (no editor, no
values, no private records) is decided once, in kb.queries.changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from kb import models as m
from kb.queries import changes, records
from kb.web.api import documented
from kb.web.database import get_session
from kb.web.params import day, page_request
from kb.web.present import http_error, json_response, urls

bp = Blueprint("follow", __name__)
bp.register_error_handler(HTTPException, http_error)

ATOM = "application/atom+xml"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _base() -> str:
    """Where the site is, for the absolute links a feed reader needs: KB_BASE_URL, or (when it
    is unset, as in development) the address this request came to."""
    return (current_app.config.get("BASE_URL") or request.url_root).rstrip("/")


def _tag(revision: int) -> str:
    """An entry's id: a tag: URI (RFC 4151) of the site's host and the revision, the same on
    every fetch however the record is renamed or its page moves."""
    host = urlsplit(_base()).hostname or "localhost"
    return f"tag:{host},2026:revision/{revision}"


def feed_url(kind: str | None = None, slug: str | None = None) -> str:
    """The path of the site's feed, or of a person's, claim's or topic's (a Jinja global:
    the pages' <link rel="alternate"> and this module's links come from here)."""
    if kind is None:
        return url_for("follow.changes_feed")
    return url_for(f"follow.{kind}_feed", slug=slug)


def _entry_link(row: dict[str, Any]) -> str:
    page = row["page"]
    if page is None:  # gone since: the list of changes still tells what it was
        return url_for("follow.changes", fmt="html")
    return urls.page(page["kind"], page["slug"])


def _atom(title: str, page: str, self_path: str, rows: list[dict[str, Any]], fallback: Any):
    """An Atom 1.0 document of `rows` (kb.queries.changes' dicts): its alternate is `page`, its
    self link `self_path`; `fallback` is its `updated` when it has no entries yet."""
    base = _base()
    fg = FeedGenerator()
    fg.id(base + self_path)
    fg.title(title)
    fg.author({"name": "kb"})
    fg.link(href=base + page, rel="alternate", type="text/html")
    fg.link(href=base + self_path, rel="self", type=ATOM)
    fg.language("en")
    newest = _EPOCH
    for row in reversed(rows):  # feedgen puts the last added first: newest first
        at = dt.datetime.fromisoformat(row["at"])
        newest = max(newest, at)
        entry = fg.add_entry()
        entry.id(_tag(row["revision"]))
        entry.title(row["summary"])
        entry.link(href=base + _entry_link(row), rel="alternate", type="text/html")
        entry.updated(at)
        entry.summary(_entry_text(row))
    fg.updated(newest if rows else _aware(fallback))
    response = Response(fg.atom_str(pretty=True), mimetype=ATOM)
    if not current_app.config.get("BASE_URL"):
        # Links built from the request's Host: never stored and replayed for other hosts.
        response.headers["Cache-Control"] = "no-cache, private"
    return response


def _entry_text(row: dict[str, Any]) -> str:
    when = dt.datetime.fromisoformat(row["at"]).strftime("%d %B %Y, %H:%M UTC").lstrip("0")
    return f"{row['summary']}. {when}."


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return _EPOCH
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@bp.get("/changes.atom")
def changes_feed() -> Response:
    """The newest changes to anything readers see."""
    rows = changes.recent(get_session())
    return _atom(
        "kb: recent changes", url_for("follow.changes", fmt="html"), feed_url(), rows, None
    )


def _record_feed(kind: str, record: m.Person | m.Claim | m.Topic | None) -> Response:
    if record is None:
        abort(404, description=f"There is no {kind} with that name in kb.")
    # a record gone from the page since (a stance removed) links to the page it left
    here = {"kind": kind, "slug": record.slug}
    rows = [
        row if row["page"] else {**row, "page": here}
        for row in changes.recent(get_session(), changes.scope(kind, record))
    ]
    name = record.text if isinstance(record, m.Claim) else record.name
    title = f"kb: changes to {changes.short(name)}"
    path = urls.page(kind, record.slug)
    return _atom(title, path, feed_url(kind, record.slug), rows, record.updated_at)


@bp.get("/people/<slug>.atom")
def person_feed(slug: str) -> Response:
    """Changes to a person's page: the person, their stances, quotes, roles and signatures."""
    return _record_feed("person", records.by_slug(get_session(), m.Person, slug))


@bp.get("/claims/<slug>.atom")
def claim_feed(slug: str) -> Response:
    """Changes to a claim's page: the claim, the stances on it, its relations, statements."""
    return _record_feed("claim", records.by_slug(get_session(), m.Claim, slug))


@bp.get("/topics/<slug>.atom")
def topic_feed(slug: str) -> Response:
    """Changes to a topic's page: the topic and its claims."""
    return _record_feed("topic", records.by_slug(get_session(), m.Topic, slug))


@documented(
    ("since", "string", "only changes on or after this day (UTC), written YYYY-MM-DD"),
    ("page", "integer", "page number, from 1"),
    ("per_page", "integer", "rows per page (capped by the server's MAX_PAGE_SIZE)"),
)
def change_list(fmt: str):
    """Every public change since a day (?since=YYYY-MM-DD; all of them without), newest
    first, paged; the JSON twin has the same rows."""
    since = day(request.args, "since")
    req = page_request(
        request.args, current_app.config["PAGE_SIZE"], current_app.config["MAX_PAGE_SIZE"]
    )
    page = changes.since(get_session(), since, req)
    if fmt == "json":
        rows = [{**row, "url": _entry_link(row)} for row in page.items]
        return json_response(
            {"since": since.isoformat() if since else None, "rows": rows, "pagination": page.meta()}
        )
    return render_template("follow/changes.html", page=page, since=since, link=_entry_link)


for _rule, _fmt in (("/changes", "html"), ("/changes.json", "json")):
    bp.add_url_rule(
        _rule, "changes", view_func=change_list, defaults={"fmt": _fmt}, methods=["GET"]
    )
bp.record_once(lambda state: state.app.jinja_env.globals.update(feed_url=feed_url))
