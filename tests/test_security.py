"""Access rules proven over the app's whole URL map, CSRF on every form, and the security
headers every response carries."""

from __future__ import annotations

import re

import pytest

from kb.web.admin.kinds import ENTITY_ORDER
from tests.conftest import csrf_token, login, make_user
from tests.helpers import every_url, submit

# The readers' "Report a problem" form takes anonymous POSTs by design (tests/test_reports.py
# proves its CSRF, honeypot, size and rate limits).
PUBLIC_POSTS = {"/login", "/report/<any(quote,stance,source):target>/<int:target_id>"}


def test_every_admin_rule_and_every_post_refuses_anonymous_visitors(seeded_app) -> None:
    client = seeded_app.test_client()
    token = csrf_token(client)  # a valid token, so only the login check can refuse
    checked_get = checked_post = 0
    for rule, url in every_url(seeded_app):
        admin = rule.rule.startswith("/admin")
        if admin and "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/login?next=" in response.headers["Location"], url
            checked_get += 1
        if "POST" in rule.methods and rule.rule not in PUBLIC_POSTS:
            response = client.post(url, data={"csrf_token": token})
            assert response.status_code in (401, 403), f"POST {url}: {response.status_code}"
            checked_post += 1
        for method in ("PUT", "PATCH", "DELETE"):
            if method in rule.methods:
                response = client.open(url, method=method, data={"csrf_token": token})
                assert response.status_code in (401, 403), f"{method} {url}"
    # The walk really covered the admin side: list, new, edit, delete and history of each
    # kind of record, accounts, changes and revert.
    assert checked_get >= 5 * len(ENTITY_ORDER)
    assert checked_post >= 3 * len(ENTITY_ORDER)


def test_editors_are_refused_account_management(seeded_app) -> None:
    make_user(seeded_app, "eve", "editor")
    client = seeded_app.test_client()
    login(client, "eve")
    token = csrf_token(client, "/admin/")
    account_rules = 0
    for rule, url in every_url(seeded_app):
        if not rule.rule.startswith("/admin/users"):
            continue
        account_rules += 1
        if "GET" in rule.methods:
            assert client.get(url).status_code == 403, url
        if "POST" in rule.methods:
            response = client.post(url, data={"csrf_token": token, "role": "admin"})
            assert response.status_code == 403, url
    assert account_rules >= 3
    # ...while data entry is open to them.
    assert client.get("/admin/person/new").status_code == 200


def test_admins_may_manage_accounts(seeded_app) -> None:
    make_user(seeded_app, "ada", "admin")
    client = seeded_app.test_client()
    login(client, "ada")
    assert client.get("/admin/users/").status_code == 200
    response = submit(
        client,
        "/admin/users/new",
        {"username": "eve", "role": "editor", "password": "a fine long password"},
    )
    assert response.status_code == 302
    assert "eve" in client.get("/admin/users/").text
    assert login(seeded_app.test_client(), "eve", "a fine long password").status_code == 302


def test_every_post_without_a_csrf_token_is_refused(seeded_app) -> None:
    make_user(seeded_app, "ada", "admin")
    assert seeded_app.config.get("WTF_CSRF_ENABLED", True) is not False
    client = seeded_app.test_client()
    login(client, "ada")
    posts = 0
    for rule, url in every_url(seeded_app):
        if "POST" in rule.methods:
            response = client.post(url, data={"name": "x", "text": "x", "username": "ada"})
            assert response.status_code == 400, (
                f"POST {url} without a token: {response.status_code}"
            )
            assert "CSRF" in response.text or "token" in response.text.lower()
            posts += 1
    assert posts >= 3 * len(ENTITY_ORDER)
    # And a wrong token is no better than none.
    response = client.post("/admin/person/new", data={"csrf_token": "forged", "name": "Forged"})
    assert response.status_code == 400


def test_login_form_itself_needs_the_token(app) -> None:
    make_user(app, "ada", "admin")
    response = app.test_client().post(
        "/login", data={"username": "ada", "password": "correct horse battery"}
    )
    assert response.status_code == 400


CSP_RE = re.compile(r"(?:^|;\s*)script-src ([^;]*)")


@pytest.mark.parametrize(
    "path", ["/", "/login", "/static/kb.css", "/static/admin.css", "/no/such/page", "/admin/"]
)
def test_security_headers_on_every_response(seeded_client, path) -> None:
    response = seeded_client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = CSP_RE.search(csp).group(1)
    assert "'self'" in script_src
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_admin_pages_have_no_inline_scripts(admin_client) -> None:
    for path in ("/admin/", "/admin/stance/new", "/admin/changes", "/login"):
        html = admin_client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", html), path
        assert not re.search(r"\son[a-z]+=", html), path
