"""Every script-injection payload of tests/security/payloads.py, in every text field of every
kind of record, is inert wherever kb shows it: on every HTML page (public and admin), in the
SVG pictures, in JSON-LD blocks and in CSV exports. Links taken from data never carry a
javascript:, data: or vbscript: URL; such a URL is shown as text."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.formats import kb1
from kb.formats.csvsafe import unneutralise
from tests.conftest import csrf_token, login, make_app
from tests.helpers import submit
from tests.security import world as w
from tests.security.inert import (
    check_csv,
    check_jsonld,
    check_svg,
    inspect_html,
    page_text,
    squash,
    strings_in,
)
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
COUNTS: Counter[str] = Counter()
SVG_RE = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture(scope="module")
def kb(databases, tmp_path_factory) -> Iterator[tuple[Flask, w.World]]:
    app = make_app(databases.migrated(), tmp_path_factory.mktemp("xss") / "instance")
    world = w.build(app)
    yield app, world
    app.extensions["kb.engine"].dispose()


@pytest.fixture(scope="module")
def admin(kb) -> FlaskClient:
    client = kb[0].test_client()
    assert login(client, "ada", w.PASSWORD).status_code == 302
    return client


def _get(client: FlaskClient, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response


def _page(client: FlaskClient, url: str, shows: str | None = None):
    """Fetch an HTML page, check it is inert, and (when `shows`) that the payload is on it as
    text: escaped, not dropped."""
    response = _get(client, url)
    assert response.mimetype == "text/html", url
    inspector = inspect_html(response.text, url)
    COUNTS["html pages"] += 1
    if shows is not None:
        assert squash(shows) in page_text(inspector), f"{url} does not show {shows!r} as text"
        COUNTS["payloads seen as text"] += 1
    for svg in SVG_RE.findall(response.text):
        check_svg(svg, url)
        COUNTS["svg pictures"] += 1
    return inspector


def test_public_record_pages_show_payloads_as_text(kb) -> None:
    app, world = kb
    client = app.test_client()
    n = len(world.payloads)
    for i, p in enumerate(world.payloads):
        person = _page(client, f"/people/{w.slug(i, 'p')}", shows=p)
        claim = _page(client, f"/claims/{w.slug(i, 'c')}", shows=p)
        source = _page(client, f"/sources/{w.slug(i, 's')}", shows=p)
        _page(client, f"/topics/{w.slug(i, 't')}", shows=p)
        # a quote's own page: its reply, its decided report and its verification trail
        _page(client, f"/quotes/{world.ids['quote'][i]}", shows=p)
        _page(client, f"/compare/{w.slug(i, 'p')}/{w.slug((i + 1) % n, 'p')}", shows=p)
        # The JSON-LD of each page carries the payload exactly (escaped only for <script>).
        for inspector, url in ((person, "person"), (claim, "claim"), (source, "source")):
            assert len(inspector.jsonld) == 1, url
            assert p in strings_in(json.loads(inspector.jsonld[0])), f"{url} {i}: JSON-LD"
            COUNTS["json-ld blocks"] += 1
    _page(client, "/people/" + quote("javascript:window.__xss=1", safe=""))


def test_lists_search_home_and_graph_pages_are_inert(kb) -> None:
    app, world = kb
    client = app.test_client()
    for url in (
        "/",
        "/people",
        "/people?per_page=100",
        "/claims?per_page=100",
        "/sources?per_page=100",
        "/topics?per_page=100",
        "/graph",
        "/agreement",
        "/export/",
    ):
        _page(client, url)
    for i in range(len(world.payloads)):
        _page(client, f"/graph?topic={quote(w.slug(i, 't'))}")
        _page(client, f"/agreement?topic={quote(w.slug(i, 't'))}")
    assert COUNTS["svg pictures"] >= len(world.payloads)


@pytest.mark.parametrize("param", ["q", "sort", "kind", "topic", "position", "page"])
def test_payloads_in_query_parameters_are_not_reflected_as_markup(kb, param) -> None:
    app, world = kb
    client = app.test_client()
    for p in world.payloads:
        for path in ("/search", "/people", "/claims", "/sources", "/login"):
            response = client.get(path, query_string={param: p})
            assert response.status_code in (200, 400), f"{path}?{param}={p!r}"
            inspect_html(response.text, f"{path}?{param}={p!r}")
            COUNTS["html pages"] += 1


def test_search_results_show_payload_records_inertly(kb) -> None:
    app, world = kb
    client = app.test_client()
    for word in ("window", "xss", "script", "img", "SUM", "line", "javascript"):
        _page(client, f"/search?q={quote(word)}")
        for kind in ("people", "claims", "sources", "quotes", "topics"):
            response = client.get("/search", query_string={"q": word, "kind": kind})
            assert response.status_code in (200, 400)
            inspect_html(response.text, f"/search?q={word}&kind={kind}")


def test_admin_pages_are_inert(kb, admin) -> None:
    _app, world = kb
    for url in ("/admin/", "/admin/changes", "/admin/users/", "/admin/import/"):
        _page(admin, url)
    for entity, ids in world.ids.items():
        if entity == "user_account":
            for user_id in ids:
                _page(admin, f"/admin/users/{user_id}/edit")
            continue
        if entity == "report":  # the editors' queue, not a record form
            _page(admin, "/admin/reports?status=rejected")
            for record_id in ids:
                _page(admin, f"/admin/reports/{record_id}")
                _page(admin, f"/admin/report/{record_id}/history")
            continue
        if entity == "verification":  # written by kb verify and imports, with no form: the
            continue  # quote's page shows them (test_public_record_pages_show_payloads_as_text)
        _page(admin, f"/admin/{entity}/")
        _page(admin, f"/admin/{entity}/?q=xss")
        for record_id in ids:
            _page(admin, f"/admin/{entity}/{record_id}/edit")
            _page(admin, f"/admin/{entity}/{record_id}/history")
        for record_id in ids[:3]:
            _page(admin, f"/admin/{entity}/{record_id}/delete")
    for page in range(1, 6):
        _page(admin, f"/admin/changes?page={page}")


def test_history_shows_payloads_inertly(kb, admin) -> None:
    """The history page of a person lists the payload in its before/after columns."""
    _app, world = kb
    for i, p in enumerate(world.payloads):
        person_id = world.ids["person"][i]
        _page(admin, f"/admin/person/{person_id}/history", shows=p)


def test_json_ld_export_is_valid_and_exact(kb) -> None:
    app, world = kb
    body = _get(app.test_client(), "/export/kb.jsonld").get_data(as_text=True)
    strings = set(strings_in(json.loads(body)))
    for p in world.payloads:
        assert p in strings
    # The same document is safe to embed in a page.
    for i in range(len(world.payloads)):
        response = _get(app.test_client(), f"/people/{w.slug(i, 'p')}")
        block = re.search(
            r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S
        )
        check_jsonld(block.group(1), f"person {i}")


def test_csv_exports_neutralise_formulas_and_keep_the_text(kb) -> None:
    app, world = kb
    client = app.test_client()
    urls = [f"/export/{entity}.csv" for entity in kb1.ENTITIES]
    urls += ["/people.csv", "/claims.csv", "/sources.csv", "/topics.csv"]
    for url in urls:
        response = _get(client, url)
        rows = check_csv(response.get_data(as_text=True), url)
        COUNTS["csv files"] += 1
        COUNTS["csv cells"] += sum(len(r) for r in rows)
        cells = {unneutralise(c) for row in rows[1:] for c in row}
        found = [p for p in world.payloads if p in cells]
        # Every payload comes back exactly once the spreadsheet quote is removed.
        assert len(found) == len(world.payloads), (url, set(world.payloads) - set(found))


# -- input: the admin forms --------------------------------------------------------------------

DANGEROUS_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/relative/path",
    "http:evil",
]


def test_admin_forms_accept_payload_text_and_show_it_inertly(kb, admin) -> None:
    """The forms accept these as text (they are legitimate words to quote); what they save is
    shown inertly on the public pages."""
    app, _world = kb
    public = app.test_client()

    def save(entity: str, data: dict[str, str]) -> None:
        response = submit(admin, f"/admin/{entity}/new", data)
        assert response.status_code == 302, (entity, response.text[:300])
        COUNTS["form submissions"] += 1

    for i, p in enumerate(PAYLOADS[:8]):
        save("person", {"slug": f"form-{i}", "name": p, "description": p, "affiliation": p})
        save("topic", {"slug": f"form-t{i}", "name": p, "description": p})
        save(
            "source",
            {
                "slug": f"form-s{i}",
                "title": p,
                "kind": "article",
                "publisher": p,
                "date_note": p,
                "note": p,
                "authors": f"form-{i}",
            },
        )
        save("claim", {"slug": f"form-c{i}", "text": p, "summary": p, "topics": f"form-t{i}"})
        save(
            "quote",
            {
                "text": p,
                "speaker": f"form-{i}",
                "source": f"form-s{i}",
                "locator": p,
                "speaker_affiliation": p,
                "attribution": "verbatim",
                "checked": "primary",
                "check_note": p,
                "note": p,
            },
        )
        if i:
            save(
                "claim_relation",
                {
                    "from_claim": f"form-c{i}",
                    "to_claim": f"form-c{i - 1}",
                    "kind": "supports",
                    "note": p,
                },
            )
        _page(public, f"/people/form-{i}", shows=p)
        _page(public, f"/topics/form-t{i}", shows=p)
        _page(public, f"/sources/form-s{i}", shows=p)
        _page(public, f"/claims/form-c{i}", shows=p)


@pytest.mark.parametrize("url", DANGEROUS_URLS)
def test_admin_forms_refuse_urls_that_are_not_http(kb, admin, url) -> None:
    slug = "bad-url-" + re.sub(r"\W", "", url)[:30]
    for entity, fields in (
        ("person", {"slug": slug, "name": "Bad URL", "url": url}),
        ("source", {"slug": slug, "title": "Bad URL", "kind": "article", "url": url}),
        ("source", {"slug": slug, "title": "Bad URL", "kind": "article", "archived_url": url}),
    ):
        response = submit(admin, f"/admin/{entity}/new", fields)
        assert response.status_code in (200, 400, 422), (entity, url, response.status_code)
        assert "http://" in response.text  # the message says what is accepted
        inspect_html(response.text, f"refused {entity} form")
        assert _get(admin, f"/{'people' if entity == 'person' else 'sources'}/{slug}", 404)
        COUNTS["refused urls"] += 1


@pytest.mark.parametrize(
    ("value", "linked"),
    [
        ("https://example.org/a?b=c#d", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/", True),
        ("https://de.example.org/wiki/M\u00fcller", True),
        *[(u, False) for u in DANGEROUS_URLS],
        ("https://", False),
        ("https://exa mple.org", False),
        ("https://example.org\\@evil.example", False),
        ("\x00https://example.org", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_with_a_host_become_links(value, linked) -> None:
    from kb.web.security import is_web_url

    assert is_web_url(value) is linked


def test_dangerous_urls_already_stored_are_shown_as_text(kb) -> None:
    """Rows written before the form check (or by another program) still never become links:
    the URL is on the page as text."""
    app, world = kb
    client = app.test_client()
    dangerous = 0
    for i, p in enumerate(world.payloads):
        for url, links in ((f"/people/{w.slug(i, 'p')}", 1), (f"/sources/{w.slug(i, 's')}", 2)):
            inspector = _page(client, url, shows=p)
            text = page_text(inspector)
            if p.strip().lower().startswith(("javascript", "data:", "vbscript")):
                # inspect_html refused any such href; the address is still there to read.
                assert text.count("not a web address, so not a link") == links, url
                dangerous += 1
            else:
                # Not a URL at all (stored by another program): text as well, never a link.
                assert "not a web address" in text, url
    assert dangerous == 2 * 5  # three spellings of javascript:, data:, vbscript:


def test_error_pages_echo_payloads_inertly(kb) -> None:
    """A payload in the path of a missing record comes back on the 404 page only as text."""
    app, world = kb
    client = app.test_client()
    for p in world.payloads:
        for prefix in ("/people/", "/claims/", "/sources/", "/topics/", "/compare/x0-p/"):
            response = client.get(prefix + quote(p, safe=""))
            # (200: the world has one person whose slug is a javascript: URL)
            assert response.status_code in (200, 400, 404), (prefix, p, response.status_code)
            if response.mimetype == "text/html":
                inspect_html(response.text, f"{prefix}{p!r}")
                COUNTS["error pages"] += 1


def test_json_and_xml_outputs_carry_payloads_exactly_and_never_as_html(kb) -> None:
    """JSON is served as JSON (a browser never renders it as a page); GraphML and GEXF stay
    well-formed XML with every payload intact."""
    app, world = kb
    client = app.test_client()
    for i, p in enumerate(world.payloads):
        for url in (f"/people/{w.slug(i, 'p')}.json", f"/claims/{w.slug(i, 'c')}.json"):
            response = _get(client, url)
            assert response.mimetype == "application/json", url
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert p in strings_in(response.get_json()), url
            COUNTS["json documents"] += 1
    for url in ("/export/graph.graphml", "/export/graph.gexf"):
        body = _get(client, url).get_data(as_text=True)
        root = ET.fromstring(body)
        texts = {t for el in root.iter() for t in [el.text, *el.attrib.values()] if t}
        missing = [
            p for p in world.payloads if p.replace("\r", "\n") not in texts and p not in texts
        ]
        assert not missing, (url, missing)
        COUNTS["xml exports"] += 1


def test_import_preview_and_its_problems_show_payloads_inertly(kb, admin) -> None:
    """The import preview echoes the file's name, its records and every problem found in
    them (with the offending values): all of it as text."""
    good = {
        "format": "kb/1",
        "people": [{"slug": f"imp-{i}", "name": p} for i, p in enumerate(PAYLOADS)],
        "topics": [{"slug": f"imp-t{i}", "name": p} for i, p in enumerate(PAYLOADS)],
    }
    bad = {
        "format": "kb/1",
        "people": [{"slug": p, "name": p, "birth_year": p} for p in PAYLOADS],
        "claims": [{"slug": f"imp-c{i}", "text": p, "topics": [p]} for i, p in enumerate(PAYLOADS)],
    }
    for doc, name, statuses in (
        (good, "<img src=x onerror=alert(1)>.json", (200,)),
        (bad, "<svg onload=alert(1)>.json", (422,)),
    ):
        token = csrf_token(admin, "/admin/import/")
        response = admin.post(
            "/admin/import/",
            data={
                "csrf_token": token,
                "file": (io.BytesIO(json.dumps(doc).encode()), name),
            },
            content_type="multipart/form-data",
        )
        assert response.status_code in statuses, re.sub(r"\s+", " ", response.text)[-1500:]
        inspector = inspect_html(response.text, f"import preview of {name}")
        COUNTS["html pages"] += 1
        assert name in page_text(inspector), "the preview names the file, as text"
        if doc is bad:
            text = page_text(inspector)
            shown = [p for p in PAYLOADS if squash(p) in text]
            assert len(shown) >= len(PAYLOADS) // 2, "the problems name the bad values"
            COUNTS["payloads seen as text"] += len(shown)


def test_counts(kb) -> None:
    """Not a check of kb: prints what the module covered, for the closing note."""
    _app, world = kb
    print(
        f"\nescaping: {len(world.payloads)} payloads in {world.fields} text fields; "
        + ", ".join(f"{k}: {v}" for k, v in sorted(COUNTS.items()))
    )
