"""Access beyond the URL-map walk of tests/test_security.py: session fixation, logout
invalidation of captured cookies, accounts disabled while logged in, CSRF on every form with
forged and foreign tokens (and nothing written), and open redirects through `?next=`."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kb import models as m
from kb.web.database import session_scope
from tests.conftest import PASSWORD, csrf_token, hidden_fields, login, make_user
from tests.helpers import every_url, submit

COOKIE = "session"


def _cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie is not None else None


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """A fresh client (another browser) that presents a captured session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def _logged_in(client: FlaskClient) -> bool:
    response = client.get("/admin/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    return False


def _user_id(app: Flask, username: str) -> int:
    with app.app_context(), session_scope() as s:
        return s.scalars(select(m.User.id).where(m.User.username == username)).one()


# -- session fixation --------------------------------------------------------------------------


def test_login_issues_a_new_session_and_a_pre_login_cookie_never_becomes_authenticated(
    app,
) -> None:
    make_user(app, "ada", "admin")
    victim = app.test_client()
    token_before = csrf_token(victim)
    before = _cookie(victim)
    assert before is not None
    # An attacker who planted or copied this pre-login cookie keeps a copy of it.
    attacker = _with_cookie(app, before)
    response = victim.post(
        "/login", data={"csrf_token": token_before, "username": "ada", "password": PASSWORD}
    )
    assert response.status_code == 302
    after = _cookie(victim)
    assert after is not None and after != before
    assert _logged_in(victim)
    # The session was started afresh: the CSRF secret of the old session is gone too.
    assert csrf_token(victim, "/admin/") != token_before
    assert not _logged_in(attacker)
    # Replaying the pre-login cookie in yet another client gives nothing either.
    assert not _logged_in(_with_cookie(app, before))


def test_a_cookie_planted_before_login_is_not_what_the_victim_ends_up_with(app) -> None:
    make_user(app, "ada", "admin")
    attacker = app.test_client()
    attacker.get("/login")
    planted = _cookie(attacker)
    victim = _with_cookie(app, planted)  # the attacker got the victim to use this cookie
    assert login(victim, "ada").status_code == 302
    assert _cookie(victim) != planted
    assert _logged_in(victim)
    assert not _logged_in(attacker)
    assert not _logged_in(_with_cookie(app, planted))


def test_a_forged_or_tampered_session_cookie_grants_nothing(app) -> None:
    make_user(app, "ada", "admin")
    victim = app.test_client()
    login(victim, "ada")
    good = _cookie(victim)
    payload, _, signature = good.rpartition(".")
    for forged in (
        good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        payload + "." + signature[::-1],
        '{"_user_id": "1:1", "_fresh": true}',
        "eyJfdXNlcl9pZCI6IjE6MSJ9",  # base64 of {"_user_id":"1:1"}, unsigned
    ):
        assert not _logged_in(_with_cookie(app, forged)), forged


# -- logout ------------------------------------------------------------------------------------


def test_logout_ends_the_session_even_for_a_captured_cookie(app, admin_client) -> None:
    client = admin_client
    captured = _cookie(client)
    assert _logged_in(_with_cookie(app, captured))
    token = csrf_token(client, "/admin/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert not _logged_in(client)
    # A copy of the cookie taken while logged in (a shared computer, a stolen cookie) is dead.
    stolen = _with_cookie(app, captured)
    assert not _logged_in(stolen)
    response = stolen.post("/admin/person/new", data={"csrf_token": token, "slug": "x"})
    assert response.status_code in (400, 401)
    # Logging in again works and gives a new, working session.
    assert login(client, "ada").status_code == 302
    assert _logged_in(client)
    assert not _logged_in(_with_cookie(app, captured))


def test_logout_needs_its_csrf_token(app, admin_client) -> None:
    client = admin_client
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/logout").status_code == 405
    assert _logged_in(client)


# -- disabled accounts -------------------------------------------------------------------------


def test_an_account_disabled_by_an_admin_loses_access_at_its_next_request(app) -> None:
    make_user(app, "ada", "admin")
    make_user(app, "eve", "editor")
    admin, eve = app.test_client(), app.test_client()
    login(admin, "ada")
    login(eve, "eve")
    # eve has a form open, with a valid token, when the admin disables her account.
    form = hidden_fields(eve.get("/admin/person/new").text)
    eve_cookie = _cookie(eve)
    eve_id = _user_id(app, "eve")
    response = submit(admin, f"/admin/users/{eve_id}/edit", {"role": "editor"})  # not active
    assert response.status_code == 302
    assert not _logged_in(eve)
    assert not _logged_in(_with_cookie(app, eve_cookie))
    response = eve.post("/admin/person/new", data={**form, "slug": "late", "name": "Late"})
    assert response.status_code in (400, 401)
    with app.app_context(), session_scope() as s:
        assert s.scalar(select(func.count()).select_from(m.Person)) == 0
    assert login(app.test_client(), "eve").status_code == 401
    # Re-enabled, she logs in afresh; the old cookie stays dead.
    response = submit(admin, f"/admin/users/{eve_id}/edit", {"role": "editor", "active": "y"})
    assert response.status_code == 302
    assert not _logged_in(_with_cookie(app, eve_cookie))
    fresh = app.test_client()
    assert login(fresh, "eve").status_code == 302 and _logged_in(fresh)


def test_an_admin_demoted_to_editor_loses_admin_pages_at_once(app) -> None:
    make_user(app, "ada", "admin")
    make_user(app, "bob", "admin")
    ada, bob = app.test_client(), app.test_client()
    login(ada, "ada")
    login(bob, "bob")
    assert bob.get("/admin/users/").status_code == 200
    response = submit(
        ada, f"/admin/users/{_user_id(app, 'bob')}/edit", {"role": "editor", "active": "y"}
    )
    assert response.status_code == 302
    # bob's session ended with the change; logged in again he is an editor.
    assert bob.get("/admin/users/").status_code == 302
    login(bob, "bob")
    assert bob.get("/admin/users/").status_code == 403


# -- CSRF on every form ------------------------------------------------------------------------


def _state(app: Flask) -> dict[str, int]:
    """Row counts of every table plus the sum of every version: any write changes it."""
    out: dict[str, int] = {}
    with app.app_context(), session_scope() as s:
        for table in m.Base.metadata.sorted_tables:
            out[table.name] = s.scalar(select(func.count()).select_from(table))
            if "version" in table.c:
                out[table.name + ".version"] = s.scalar(
                    select(func.coalesce(func.sum(table.c.version), 0))
                )
        out["data_version"] = s.scalar(select(func.coalesce(func.max(m.KbState.data_version), 0)))
    return out


@pytest.mark.parametrize("kind", ["missing", "forged", "another session's", "empty"])
def test_every_post_with_a_bad_csrf_token_is_refused_and_writes_nothing(
    seeded_app, seeded_admin, kind
) -> None:
    client = seeded_admin
    other = seeded_app.test_client()
    login(other, "ada")
    tokens = {
        "missing": None,
        "forged": "IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAi.ZZZZZZ.forged",
        "another session's": csrf_token(other, "/admin/"),
        "empty": "",
    }
    token = tokens[kind]
    assert csrf_token(client, "/admin/") != tokens["another session's"]
    before = _state(seeded_app)
    posts = 0
    for rule, url in every_url(seeded_app):
        if "POST" not in rule.methods:
            continue
        data = {
            "slug": "csrf-probe",
            "name": "CSRF probe",
            "title": "CSRF probe",
            "text": "CSRF probe",
            "kind": "article",
            "username": "ada",
            "password": PASSWORD,
            "role": "admin",
            "active": "y",
            "version": "1",
            "confirm": "y",
        }
        if token is not None:
            data["csrf_token"] = token
        response = client.post(url, data=data)
        assert response.status_code == 400, f"POST {url} ({kind} token): {response.status_code}"
        assert "CSRF" in response.text or "token" in response.text.lower(), url
        posts += 1
    assert posts >= 20
    assert _state(seeded_app) == before
    assert _logged_in(client)  # logout refused too


def test_a_valid_token_is_what_lets_the_same_post_through(app, admin_client) -> None:
    """The control for the test above: the same client and form, with its own token, saves."""
    client = admin_client
    before = _state(app)
    response = submit(client, "/admin/topic/new", {"slug": "csrf-ok", "name": "CSRF ok"})
    assert response.status_code == 302
    assert _state(app)["topic"] == before["topic"] + 1


# -- open redirects ----------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example",
    "//evil.example/admin/",
    "///evil.example",
    "////evil.example",
    "https://evil.example",
    "http://evil.example/admin/",
    "HTTPS://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    " //evil.example",
    "\t//evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "https:evil.example",
    "//evil.example@localhost",
    "/\x00/evil.example",
    "evil.example",
    "@evil.example",
    ".evil.example",
    "/login?next=//evil.example",
]


def _lands_on_site(location: str) -> bool:
    """Where a browser would go for this Location header: tabs and newlines are dropped and
    backslashes read as slashes (WHATWG URL parsing), relative to the login page."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    target = urlsplit(urljoin("http://localhost/login", cleaned.strip()))
    return target.scheme in ("http", "https") and target.netloc == "localhost"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(app, target) -> None:
    make_user(app, "ada", "admin")
    # The next= of the login page's address is carried in the form's hidden field...
    client = app.test_client()
    page = client.get("/login", query_string={"next": target})
    if page.status_code == 400:  # a NUL in a query parameter may be refused outright
        assert "\x00" in target and "Location" not in page.headers
    else:
        assert page.status_code == 200
        fields = hidden_fields(page.text)
        assert _lands_on_site(fields.get("next") or "/admin/"), fields.get("next")
        response = client.post("/login", data={**fields, "username": "ada", "password": PASSWORD})
        assert response.status_code == 302
        assert _lands_on_site(response.headers["Location"]), response.headers["Location"]
    # ...and a form posted with a hostile next directly is treated the same.
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": "ada", "password": PASSWORD, "next": target},
    )
    if response.status_code == 400:  # the form refuses control characters such as NUL outright
        assert "\x00" in target and "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert _lands_on_site(location), location
    assert "evil" not in urlsplit(urljoin("http://localhost/login", location)).netloc


def test_login_still_returns_to_a_page_on_this_site(app) -> None:
    make_user(app, "ada", "admin")
    for target in ("/admin/changes", "/admin/person/?q=a%20b", "/people/some-one"):
        client = app.test_client()
        response = client.get("/admin/changes")
        assert "/login?next=" in response.headers["Location"]
        page = client.get("/login", query_string={"next": target})
        fields = hidden_fields(page.text)
        response = client.post("/login", data={**fields, "username": "ada", "password": PASSWORD})
        location = response.headers["Location"]
        assert urlsplit(location).path == urlsplit(target).path, (target, location)


# -- HEAD ------------------------------------------------------------------------------------------


def test_head_of_every_admin_page_answers_like_get_without_a_body(seeded_admin) -> None:
    """HEAD of a form page was handled as a submission (400, 422) while GET was 200."""
    app = seeded_admin.application
    checked = 0
    for rule, url in every_url(app):
        if (
            not (rule.rule.startswith("/admin") or rule.rule == "/login")
            or "GET" not in rule.methods
        ):
            continue
        get = seeded_admin.get(url)
        head = seeded_admin.head(url)
        assert head.status_code == get.status_code, (
            f"HEAD {url}: {head.status_code}, GET {get.status_code}"
        )
        assert head.data == b"", url
        checked += 1
    assert checked > 20
