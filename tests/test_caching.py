"""HTTP caching: pages carry validators from the data version, repeat requests get 304, a write
changes the validators, and per-visitor pages never share them."""

from __future__ import annotations

from flask import session as flask_session
from sqlalchemy import select

from kb import models as m
from kb.web.database import session_scope


def test_repeat_get_is_304_until_the_data_changes(seeded_app) -> None:
    client = seeded_app.test_client(use_cookies=False)
    first = client.get("/")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag

    modified = client.get("/", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert modified.status_code == 304

    with seeded_app.app_context(), session_scope() as session:
        person = session.scalars(select(m.Person).order_by(m.Person.id)).first()
        person.name = person.name + " (edited)"

    after = client.get("/", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert "(edited)" in after.get_data(as_text=True)


def test_validators_differ_by_accept_and_code(seeded_app) -> None:
    client = seeded_app.test_client(use_cookies=False)
    html = client.get("/", headers={"Accept": "text/html"}).headers["ETag"]
    other = client.get("/", headers={"Accept": "application/json"}).headers.get("ETag")
    assert html != other


def test_no_shared_validators_for_visitors_with_a_session_or_writes(app) -> None:
    @app.route("/_probe/mint-token")
    def mint_token() -> str:
        flask_session["csrf_like"] = "per-visitor"
        return "<p>form</p>"

    @app.route("/admin/_probe")
    def admin_probe() -> str:
        return "<p>admin</p>"

    @app.route("/_probe/post", methods=["GET", "POST"])
    def post_probe() -> str:
        return "<p>ok</p>"

    client = app.test_client()
    assert "ETag" not in client.get("/admin/_probe").headers
    assert "ETag" not in client.post("/_probe/post").headers
    assert "ETag" in client.get("/_probe/post").headers

    minted = client.get("/_probe/mint-token")
    assert minted.status_code == 200
    assert "ETag" not in minted.headers  # the page holds a per-visitor token
    # Now the client carries a session cookie: nothing is validated or answered 304 for it.
    with_cookie = client.get("/_probe/post", headers={"If-None-Match": "*"})
    assert with_cookie.status_code == 200
    assert "ETag" not in with_cookie.headers


def test_errors_are_not_given_validators(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ETag" not in response.headers


def test_static_files_are_cached_for_an_hour(client) -> None:
    response = client.get("/static/kb.css")
    assert response.status_code == 200
    assert "max-age=3600" in response.headers["Cache-Control"]
    response.close()


def test_anonymous_pages_are_kept_per_data_version(seeded_app) -> None:
    client = seeded_app.test_client(use_cookies=False)
    first = client.get("/people/elon-musk")
    assert first.status_code == 200 and "X-KB-Page-Cache" not in first.headers
    second = client.get("/people/elon-musk")
    assert second.headers["X-KB-Page-Cache"] == "hit"
    assert second.data == first.data
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"]  # the security headers are per response
    # another twin of the same page is another entry
    assert "X-KB-Page-Cache" not in client.get("/people/elon-musk.json").headers
    assert client.get("/people/elon-musk.json").headers["X-KB-Page-Cache"] == "hit"

    with seeded_app.app_context(), session_scope() as session:
        person = session.scalars(select(m.Person).where(m.Person.slug == "elon-musk")).one()
        person.name = "Elon Musk (edited)"

    after = client.get("/people/elon-musk")
    assert "X-KB-Page-Cache" not in after.headers
    assert "Elon Musk (edited)" in after.get_data(as_text=True)


def test_visitors_with_a_session_never_get_a_kept_page(seeded_app) -> None:
    anonymous = seeded_app.test_client(use_cookies=False)
    anonymous.get("/")
    assert anonymous.get("/").headers["X-KB-Page-Cache"] == "hit"
    cookie = seeded_app.config["SESSION_COOKIE_NAME"]
    with_session = anonymous.get("/", headers={"Cookie": f"{cookie}=anything"})
    assert with_session.status_code == 200
    assert "X-KB-Page-Cache" not in with_session.headers


def test_the_kept_pages_stay_within_their_byte_limit(app) -> None:
    app.extensions["kb.page_cache"].limit = 1500

    @app.route("/_probe/big/<int:n>")
    def big(n: int) -> str:
        return "x" * 600

    client = app.test_client(use_cookies=False)
    for n in range(5):
        client.get(f"/_probe/big/{n}")
    cache = app.extensions["kb.page_cache"]
    assert cache.size <= 1500 and len(cache._pages) == 2
    assert client.get("/_probe/big/4").headers.get("X-KB-Page-Cache") == "hit"
    assert "X-KB-Page-Cache" not in client.get("/_probe/big/0").headers  # dropped first


def test_a_page_as_big_as_the_graph_at_scale_is_kept_and_a_bigger_one_is_not(app) -> None:
    """/graph at the reference scale is 1.8 MB; PAGE_MAX_BYTES bounds what one page may take."""
    from kb.web.caching import PAGE_MAX_BYTES

    @app.route("/_probe/sized/<int:n>")
    def sized(n: int) -> str:
        return "x" * n

    client = app.test_client(use_cookies=False)
    for n in (1_900_000, PAGE_MAX_BYTES + 1):
        client.get(f"/_probe/sized/{n}")
    kept = client.get("/_probe/sized/1900000").headers.get("X-KB-Page-Cache") == "hit"
    too_big = client.get(f"/_probe/sized/{PAGE_MAX_BYTES + 1}").headers.get("X-KB-Page-Cache")
    assert kept and too_big is None


# Every public page and file a reader can fetch, for the Host header tests.
_HOST_PATHS = [
    "/",
    "/index.json",
    "/people",
    "/people.json?per_page=2",
    "/people/elon-musk",
    "/people/elon-musk.json",
    "/claims/ai-existential-risk",
    "/claims.json?page=2&per_page=3",
    "/sources/chollet-limits",
    "/topics/ai-risk.json",
    "/search.json?q=intelligence",
    "/graph",
    "/agreement.json",
    "/compare/elon-musk/francois-chollet.json",
    "/api/openapi.json",
    "/export/",
    "/export/kb.json",
    "/export/kb.jsonld",
    "/export/kb.aif.json",
    "/export/kb.arguebuf.json",
    "/export/graph.json",
    "/export/graph.graphml",
]


def test_the_host_header_never_reaches_a_page_or_its_validator(seeded_app) -> None:
    """A forged Host must not become links in a page that a cache then serves to everyone
    under the same ETag (cache poisoning): without KB_BASE_URL every link is relative."""
    client = seeded_app.test_client(use_cookies=False)
    for path in _HOST_PATHS:
        normal = client.get(path)
        forged = client.get(path, headers={"Host": "evil.example"})
        assert normal.status_code == forged.status_code == 200, path
        body = forged.get_data(as_text=True)
        assert "evil.example" not in body and "localhost" not in body, path
        assert forged.get_data() == normal.get_data(), path
        assert forged.headers.get("ETag") == normal.headers.get("ETag"), path
        if not path.startswith("/export"):  # the files stream, and are never kept
            assert forged.headers.get("X-KB-Page-Cache") == "hit", path
    # the server is relative to the document's address, not the Host header
    assert client.get("/api/openapi.json").get_json()["servers"] == [{"url": "/"}]
    links = client.get("/people.json?per_page=2").get_json()["links"]
    assert links["self"] == "/people.json?per_page=2" and links["next"].startswith("/people.json")


def test_absolute_links_come_from_kb_base_url(database_url, tmp_path, monkeypatch) -> None:
    from kb.config import from_environment
    from tests.conftest import make_app

    monkeypatch.setenv("KB_BASE_URL", "https://kb.example.org/")
    base = from_environment(str(tmp_path))["BASE_URL"]
    assert base == "https://kb.example.org"
    app = make_app(database_url, tmp_path / "instance", BASE_URL=base)
    client = app.test_client(use_cookies=False)
    forged = {"Host": "evil.example"}
    links = client.get("/people.json", headers=forged).get_json()["links"]
    assert links["self"] == "https://kb.example.org/people.json"
    assert links["html"] == "https://kb.example.org/people"
    servers = client.get("/api/openapi.json", headers=forged).get_json()["servers"]
    assert servers == [{"url": "https://kb.example.org"}]
    with app.app_context(), session_scope() as session:
        session.add(m.Person(slug="ada-example", name="Ada Example"))
    page = client.get("/people/ada-example", headers=forged).get_data(as_text=True)
    assert '"@id": "https://kb.example.org/people/ada-example"' in page
    assert "evil.example" not in page
    app.extensions["kb.engine"].dispose()
