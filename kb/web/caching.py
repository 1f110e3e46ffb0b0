"""HTTP caching: ETag / Last-Modified from the data version, 304s, static cache headers.

Every page that anyone may see is a function of three things: the code (templates and views),
the data, and the request (URL, query string, Accept). The URL is part of what a cache keys on
anyway, so a page's validator only needs the deployed code and the data version
(kb.store.datastate), which every write bumps. That makes the check cheap enough to run *before* the
view: a repeat request whose If-None-Match still matches is answered 304 after a single
one-row query, without running the page's queries or templates at all.

Not cached, because their content differs per visitor:
- anything under the excluded prefixes (/admin, /login, /logout, /account, /healthz; config
  CACHE_EXCLUDE_PREFIXES) and every method but GET and HEAD;
- any request that carries the session cookie: a logged-in editor, or anyone holding a CSRF
  token, may see their own name or a form token on a page;
- a response whose view wrote to the session (for example it minted a CSRF token), or that is
  not a 200, or that set its own validators or Cache-Control.

The same reasoning lets each worker keep the pages it rendered (`PageCache`): an anonymous GET
whose ETag (code, data version, Accept) and URL match a stored page is answered from memory,
without the page's queries. The first write bumps the data version and so empties the store.
Bounded in bytes (config PAGE_CACHE_BYTES, default 32 MB a worker; 0 turns it off); streamed
responses (the exports) and pages over PAGE_MAX_BYTES are never kept.

Static files get Cache-Control max-age (config SEND_FILE_MAX_AGE_DEFAULT, default an hour;
Flask adds its own ETag and Last-Modified for them).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.metadata
import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, Response, current_app, g, request, session

from kb.paths import resource_dir
from kb.store import datastate
from kb.web.database import get_session

# /healthz: its answer must come from the database itself, never from a validator query.
DEFAULT_EXCLUDE_PREFIXES = ("/admin", "/login", "/logout", "/account", "/healthz")
STATIC_MAX_AGE = 3600
# Pages are revalidated on every use (no-cache) but may be stored; the 304 makes that cheap.
PAGE_CACHE_CONTROL = "no-cache"
PAGE_CACHE_BYTES = 32 * 1024 * 1024
PAGE_MAX_BYTES = 4 * 1024 * 1024
"""The largest page kept: /graph at the reference scale (2,000 people on its map and in its
table) is 1.8 MB, and under a 1 MB bound it was rendered anew at every visit (175 ms)."""
# headers a stored page is answered with: the rest (Date, Set-Cookie...) are per response
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link")


State = tuple[int, dt.datetime | None]
"""The state of the data (kb.store.datastate.state): the version and the moment of that change."""


class PageCache:
    """Rendered pages of one state of the data, least recently used dropped first past `limit`
    bytes. Thread-safe: gunicorn's threaded workers share one per process. Keyed on the whole
    state, not the version alone, which restarts from 0 when a database is rebuilt."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.version: State | None = None
        self._pages: OrderedDict[tuple[str, str], tuple[bytes, list[tuple[str, str]]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def _switch(self, version: State) -> None:
        if version != self.version:
            self._pages.clear()
            self.size, self.version = 0, version

    def get(
        self, version: State, key: tuple[str, str]
    ) -> tuple[bytes, list[tuple[str, str]]] | None:
        with self._lock:
            self._switch(version)
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(
        self, version: State, key: tuple[str, str], body: bytes, headers: list[tuple[str, str]]
    ) -> None:
        if len(body) > min(PAGE_MAX_BYTES, self.limit):
            return
        with self._lock:
            self._switch(version)
            old = self._pages.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self._pages[key] = (body, headers)
            self.size += len(body)
            while self.size > self.limit:
                _, (dropped, _) = self._pages.popitem(last=False)
                self.size -= len(dropped)


@functools.lru_cache(maxsize=1)
def code_token() -> str:
    """Changes whenever the deployed code or templates change, so that new code never serves
    a 304 for a page an old version rendered. A hash of the package version and of the
    contents (not the modification times, which differ between servers) of the package,
    templates and static files; computed once per process."""
    try:
        version = importlib.metadata.version("kb")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a tree
        version = "0"
    digest = hashlib.sha1(version.encode())
    for folder in (Path(__file__).parent, resource_dir("templates"), resource_dir("static")):
        base = Path(folder)
        for path in sorted(base.rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js", ".svg"} and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _eligible() -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.endpoint is None or request.endpoint == "static":
        return False
    prefixes = current_app.config.get("CACHE_EXCLUDE_PREFIXES", DEFAULT_EXCLUDE_PREFIXES)
    if request.path.startswith(tuple(prefixes)):
        return False
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def _data_state() -> State:
    return datastate.state(get_session())


def _etag_for(state: State) -> str:
    """The ETag, "d<version>-<hash>": the hash covers the code, the Accept header and the
    moment of the last change, so a rebuilt database's version 3 is not the old version 3."""
    version, changed = state
    accept = request.headers.get("Accept", "")
    token = current_app.extensions["kb.code_token"]
    digest = hashlib.sha1(f"{token}|{accept}|{changed.isoformat() if changed else ''}".encode())
    return f"d{version}-{digest.hexdigest()[:12]}"


def _before_request() -> Response | None:
    if not _eligible():
        return None
    state = _data_state()
    etag, changed = _etag_for(state), state[1]
    g.kb_validators = (etag, changed, state)
    if request.if_none_match:
        hit = request.if_none_match.contains_weak(etag)
    elif request.if_modified_since and changed is not None:
        hit = changed.replace(microsecond=0) <= request.if_modified_since
    else:
        hit = False
    if hit:
        response = Response(status=304)
    else:
        stored = _pages().get(state, (etag, _page_key()))
        if stored is None:
            return None
        body, headers = stored
        response = Response(body, headers=headers)
        response.headers["X-KB-Page-Cache"] = "hit"
    _set_validators(response, etag, changed)
    return response


def _page_key() -> str:
    """What a stored page is found by: its path and query, not the Host header (pages never
    depend on it; see kb.web.present.absolute), so forged hosts cannot crowd the store."""
    return request.script_root + request.full_path


def _pages() -> PageCache:
    return current_app.extensions["kb.page_cache"]


def _store(response: Response, etag: str, state: State) -> None:
    if request.method != "GET" or response.is_streamed or response.direct_passthrough:
        return
    headers = [(k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS]
    _pages().put(state, (etag, _page_key()), response.get_data(), headers)


def _set_validators(response: Response, etag: str, changed: dt.datetime | None) -> None:
    response.set_etag(etag)
    if changed is not None:
        response.last_modified = changed
    response.headers.setdefault("Cache-Control", PAGE_CACHE_CONTROL)
    response.vary.add("Accept")
    response.vary.add("Cookie")


def _after_request(response: Response) -> Response:
    validators = g.pop("kb_validators", None)
    if validators is None or response.status_code != 200:
        return response
    if response.headers.get("ETag") or response.headers.get("Cache-Control"):
        return response  # the view decided for itself
    if session.modified:
        return response  # the view put something per-visitor (a CSRF token) into the page
    etag, changed, state = validators
    if response.headers.get("X-KB-Page-Cache") != "hit":
        _store(response, etag, state)
    _set_validators(response, etag, changed)
    return response


def init_app(app: Flask) -> None:
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_MAX_AGE
    app.config.setdefault("CACHE_EXCLUDE_PREFIXES", DEFAULT_EXCLUDE_PREFIXES)
    if not app.config.get("HTTP_CACHING", True):
        return
    app.extensions["kb.code_token"] = code_token()
    app.extensions["kb.page_cache"] = PageCache(
        app.config.get("PAGE_CACHE_BYTES", PAGE_CACHE_BYTES)
    )
    app.before_request(_before_request)
    app.after_request(_after_request)
