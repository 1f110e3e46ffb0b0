"""`kb verify` (issue 18 item 5) against a local HTTP server the tests start: a page with the
quote, one without it, one with it split by markup, a redirect, a 404, a slow answer, a huge
body, a path robots.txt disallows, and the Wayback Machine's availability API. No request
leaves the machine: every URL is the local server's."""

from __future__ import annotations

import importlib.metadata
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from kb import models as m
from kb.verify.fetching import Fetcher
from kb.verify.matching import find, normalise, page_text
from kb.web.database import session_scope
from tests.factories import make_person, make_quote, make_source

WORDS = "Machines will think — and “soon”, whatever we say."
PAGES = {
    "/with": f"<html><body><p>She said: {WORDS} Then she left.</p></body></html>",
    "/without": "<html><body><p>Nothing of the kind was said here.</p></body></html>",
    "/split": "<p>She said: <em>Machines</em> will <a href='#'>think</a> &mdash; and"
    "\n   &ldquo;soon&rdquo;, <strong>whatever</strong> we say.</p>",
    "/private/page": f"<p>{WORDS}</p>",
    "/snap": f"<p>{WORDS}</p>",
}
SLOW_SECONDS = 0.6  # beyond the tests' timeout of 0.2 s


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []  # (path, User-Agent)

    def log_message(self, *_args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = urlsplit(self.path).path
        self.seen.append((self.path, self.headers.get("User-Agent", "")))
        if path == "/robots.txt":
            self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        elif path in PAGES:
            self._send(200, PAGES[path])
        elif path in ("/redirect", "/to-private"):
            self.send_response(302)
            self.send_header("Location", "/with" if path == "/redirect" else "/private/page")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)  # the server is slow; the test itself never sleeps
            self._send(200, PAGES["/with"])
        elif path == "/huge":
            self._send(200, "<p>" + "x" * 50_000 + WORDS + "</p>")
        elif path == "/paper.pdf":
            self._send(200, "%PDF-1.7", "application/pdf")
        elif path == "/garbage":  # not HTTP at all
            self.wfile.write(b"Hello there\r\n\r\n")
        elif path == "/huge-stream":  # no Content-Length: the body ends when the server closes
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"<p>" + b"y" * 4000 + b"</p>")
        elif path == "/wayback/available":
            url = parse_qs(urlsplit(self.path).query)["url"][0]
            host = f"http://{self.headers['Host']}"
            closest = {"available": True, "url": f"{host}/snap", "timestamp": "20240101000000"}
            answer = {"archived_snapshots": {"closest": closest} if "without" in url else {}}
            self._send(200, json.dumps({"url": url, **answer}), "application/json")
        else:
            self._send(404, "<p>Not here.</p>")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, *_args: object) -> None:
        pass  # a client that stopped reading (timed out, or past the size cap)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    _Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _verify(app, *args: str):
    return app.test_cli_runner().invoke(
        args=["verify", "--delay", "0", "--timeout", "0.2", "--max-bytes", "20000", *args]
    )


def _sources(app, base: str, paths: dict[str, str | None]) -> dict[str, int]:
    """A source per slug at base+path (a whole URL as it is; None: no URL), each with one quote
    of WORDS; the quotes' ids by slug."""
    ids = {}
    with app.app_context(), session_scope() as s:
        person = make_person(s)
        for slug, path in paths.items():
            url = path if path is None or path.startswith("http") else base + path
            source = make_source(s, slug=slug, url=url)
            ids[slug] = make_quote(s, person, source, text=WORDS).id
    return ids


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _trail(app, quote_id: int) -> list[tuple[str, str, str]]:
    with app.app_context(), session_scope() as s:
        rows = s.scalars(select(m.Verification).where(m.Verification.quote_id == quote_id))
        return [(v.seen_in, v.result, v.note or "") for v in rows]


def test_matching_normalises_whitespace_quotes_dashes_and_markup() -> None:
    text = page_text(PAGES["/split"])
    assert find(text, WORDS).found
    assert find(text, "  machines will THINK  ").found is False  # case is kept
    assert normalise("a\u00a0–\tb “c” ‘d’ …") == "a - b \"c\" 'd' ..."
    assert page_text("<script>var x = 'Machines will think'</script><p>x</p>") == "x"
    assert page_text("<p>one</p><p>two</p>") == "one two"
    anchored = find(text, "other words", "will think", "Machines ", " - and")
    assert anchored.found and "with its prefix and suffix" in anchored.note
    assert "not between" in find(text, "x", "will think", "Robots ", None).note
    assert not find(text, WORDS, exact="words that are not there").found
    # elisions and an editor's [words] are gaps; the pieces must come in order, close together
    elided = find(text, "[She] said: Machines will think … “soon”, whatever [...] say.")
    assert elided.found and "in 3 pieces in order" in elided.note
    assert not find(text, "“soon” … Machines will think").found  # out of order
    far = page_text(f"<p>Machines will think {'x ' * 1500} whatever we say.</p>")
    assert not find(far, "Machines will think ... whatever we say.").found
    assert find(far.replace("x x ", ""), "Machines will think ... whatever we say.").found


def test_kb_verify_records_what_each_page_shows(app, server) -> None:
    paths = {
        "a-with": "/with",
        "b-without": "/without",
        "c-split": "/split",
        "d-redirect": "/redirect",
        "e-missing": "/missing",
        "f-slow": "/slow",
        "g-huge": "/huge",
        "h-private": "/private/page",
        "i-nowhere": None,
        "j-stream": "/huge-stream",
        "k-to-private": "/to-private",
        "l-closed": f"http://127.0.0.1:{_closed_port()}/page",
        "m-pdf": "/paper.pdf",
        "n-garbage": "/garbage",
    }
    ids = _sources(app, server, paths)
    result = _verify(app, "--all")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    expected = {
        "a-with": ("found", "the quote's words are in the page's text"),
        "b-without": ("not_found", "not in the page's text"),
        "c-split": ("found", ""),
        "d-redirect": ("found", "redirected to"),
        "e-missing": ("unreachable", "HTTP 404"),
        "f-slow": ("unreachable", "no answer within 0.2 s"),
        "g-huge": ("unreachable", "larger than 20000 bytes"),
        "h-private": ("blocked", "robots.txt disallows it"),
        "j-stream": ("unreachable", "larger than 20000 bytes"),
        "k-to-private": ("blocked", "redirected to " + server + "/private/page"),
        "l-closed": ("unreachable", "robots.txt could not be read: could not connect"),
        "m-pdf": ("unreachable", "not a text page (application/pdf)"),
        "n-garbage": ("unreachable", "the answer is not HTTP (BadStatusLine)"),
    }
    for slug, (outcome, note) in expected.items():
        [(seen_in, got, why)] = _trail(app, ids[slug])
        url = paths[slug] or ""
        assert (seen_in, got) == (url if url.startswith("http") else server + url, outcome), slug
        assert note in why, (slug, why)
    assert _trail(app, ids["i-nowhere"]) == []
    assert "i-nowhere: no URL and no archived copy" in result.output
    assert "3 found" in result.output and "1 not found" in result.output
    # robots.txt was asked once, the disallowed page never; every request named kb
    asked = [path for path, _ua in _Handler.seen]
    assert asked.count("/robots.txt") == 1 and "/private/page" not in asked
    version = importlib.metadata.version("kb")
    assert all(ua.startswith(f"kb-verify/{version} (kb {version},") for _p, ua in _Handler.seen)
    with app.app_context(), session_scope() as s:
        entry = s.scalars(select(m.Verification)).first()
        assert entry is not None and entry.checked_by == "kb verify"
        assert entry.checked_precision == "day"
        actors = s.scalars(
            select(m.Revision.actor).where(m.Revision.entity == "verification")
        ).all()
    assert len(actors) == 13 and set(actors) == {"kb verify"}


def test_the_archived_copy_is_checked_too_and_can_be_proposed(app, server) -> None:
    ids = _sources(app, server, {"with-archive": "/without", "plain": "/with"})
    with app.app_context(), session_scope() as s:
        source = s.scalars(select(m.Source).where(m.Source.slug == "with-archive")).one()
        source.url = server + "/without"
        source.archived_url = server + "/snap"
    result = _verify(app, "--source", "with-archive")
    assert result.exit_code == 0, result.output
    trail = _trail(app, ids["with-archive"])
    assert [(w, r) for w, r, _n in trail] == [
        (server + "/without", "not_found"),
        (server + "/snap", "found"),
    ]
    assert _trail(app, ids["plain"]) == []  # not named
    # a source without an archived copy: the API's snapshot proposed, then saved
    with app.app_context(), session_scope() as s:
        source = s.scalars(select(m.Source).where(m.Source.slug == "with-archive")).one()
        source.archived_url = None
    api = ["--propose-archive", "--wayback-api", server + "/wayback/available"]
    result = _verify(app, "--all", "--dry-run", *api)
    assert result.exit_code == 0, result.output
    assert f"with-archive: proposed archived copy: {server}/snap (snapshot of 20240101)" in (
        result.output
    )
    assert "plain: the Wayback Machine has no snapshot of it" in result.output
    assert "dry run: nothing recorded" in result.output
    assert len(_trail(app, ids["plain"])) == 0
    result = _verify(app, "--all", "--save-archive", *api)
    assert f"with-archive: archived copy: {server}/snap" in result.output
    with app.app_context(), session_scope() as s:
        source = s.scalars(select(m.Source).where(m.Source.slug == "with-archive")).one()
        assert source.archived_url == server + "/snap"


def test_requests_to_one_host_are_spaced_by_the_delay(server) -> None:
    waits: list[float] = []
    fetcher = Fetcher(delay=5.0, timeout=1.0, sleep=waits.append)
    assert fetcher.get(server + "/with").status == "ok"
    assert fetcher.get(server + "/without").status == "ok"
    # robots.txt, then the first page, then the second: each after a wait of the delay
    assert len(waits) == 2 and all(4.0 < w <= 5.0 for w in waits)


def test_clear_errors_and_help(app) -> None:
    result = _verify(app)
    assert result.exit_code == 2 and "--source SLUG, or give --all" in result.output
    result = _verify(app, "--source", "no-such-source")
    assert result.exit_code == 1 and "no source with the slug 'no-such-source'" in result.output
    result = _verify(app, "--all", "--save-archive")
    assert result.exit_code == 2 and "--save-archive needs --propose-archive" in result.output
    result = _verify(app, "--all", "--propose-archive", "--save-archive", "--dry-run")
    assert result.exit_code == 2 and "leave out --dry-run" in result.output
    result = _verify(app, "--all", "--delay", "-1")
    assert result.exit_code == 2 and "must not be negative" in result.output
    assert "Traceback" not in result.output
    help_text = app.test_cli_runner().invoke(args=["verify", "--help"]).output
    for words in (
        "--source SLUG",
        "--all",
        "--timeout",
        "--delay",
        "--propose-archive",
        "robots.txt",
    ):
        assert words in help_text


def test_the_progress_bar_is_drawn_on_a_terminal_only(app, server, monkeypatch) -> None:
    from kb.cli import verify as verify_cli

    _sources(app, server, {"one": "/with", "two": "/without"})
    quiet = _verify(app, "--all", "--dry-run")
    assert quiet.exit_code == 0 and "verifying" not in quiet.output
    monkeypatch.setattr(verify_cli, "_progress_wanted", lambda: True)
    shown = _verify(app, "--all")
    assert shown.exit_code == 0, shown.output
    assert "verifying" in shown.stderr  # (click draws the bar itself on a real terminal)
    assert "1 found, 1 not found; recorded" in shown.stdout


def test_an_anchor_is_looked_for_where_the_quote_has_one(app, server) -> None:
    """A quote whose words are a translation or a tidied copy is found by its anchor, the
    source's exact words; an anchor the page does not have is not found."""
    with app.app_context(), session_scope() as s:
        person = make_person(s)
        source = make_source(s, slug="anchored", url=server + "/split")
        kept = make_quote(s, person, source, text="Machines think soon.", anchor_exact="will think")
        kept.anchor_prefix, kept.anchor_suffix = "Machines", "- and"
        gone = make_quote(s, person, source, text=WORDS, anchor_exact="Robots will think")
        ids = kept.id, gone.id
    result = _verify(app, "--source", "anchored")
    assert result.exit_code == 0, result.output
    [(_url, got, note)] = _trail(app, ids[0])
    assert got == "found" and "with its prefix and suffix" in note
    [(_url, got, note)] = _trail(app, ids[1])
    assert got == "not_found" and "the anchor's exact words are not in" in note
