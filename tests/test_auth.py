"""Accounts: hashing, logging in and out, rate limits on failed logins, cookies, `kb users`."""

from __future__ import annotations

from sqlalchemy import select

from kb import auth
from kb.db import session_scope
from kb.models import User
from tests.conftest import make_app
from tests.test_admin_support import PASSWORD, csrf_token, hidden_fields, login, make_user


def test_passwords_are_hashed_with_argon2_and_verified() -> None:
    hashed = auth.hash_password("a long enough secret")
    assert hashed.startswith("$argon2id$")
    assert "a long enough secret" not in hashed
    assert auth.verify_password(hashed, "a long enough secret")
    assert not auth.verify_password(hashed, "a long enough secreT")
    assert not auth.verify_password("not-a-hash", "whatever")


def test_login_sends_to_admin_and_logout_ends_the_session(app) -> None:
    make_user(app, "ada", "admin")
    client = app.test_client()
    assert client.get("/admin/").status_code == 302
    response = login(client, "ada")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    assert client.get("/admin/").status_code == 200
    token = csrf_token(client, "/admin/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    after = client.get("/admin/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]


def test_wrong_password_unknown_user_and_disabled_account_are_refused(app) -> None:
    make_user(app, "ada", "admin")
    make_user(app, "old", "editor")
    with app.app_context(), session_scope() as session:
        auth.find_user(session, "old").active = False
    client = app.test_client()
    for name, password in (("ada", "wrong password!"), ("nobody", PASSWORD), ("old", PASSWORD)):
        response = login(client, name, password)
        assert response.status_code == 401
        assert "Wrong username or password" in response.text
    assert client.get("/admin/").status_code == 302


def test_username_is_matched_ignoring_case(app) -> None:
    make_user(app, "Ada", "admin")
    assert login(app.test_client(), "ada").status_code == 302


def test_login_redirects_only_to_paths_on_this_site(app) -> None:
    make_user(app, "ada", "admin")
    client = app.test_client()
    page = client.get("/login?next=//evil.example/x")
    token = csrf_token(client)
    assert "evil.example" not in page.text
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "ada",
            "password": PASSWORD,
            "next": "//evil.example/",
        },
    )
    assert response.headers["Location"].endswith("/admin/")
    client2 = app.test_client()
    token = csrf_token(client2)
    response = client2.post(
        "/login",
        data={
            "csrf_token": token,
            "username": "ada",
            "password": PASSWORD,
            "next": "/admin/changes",
        },
    )
    assert response.headers["Location"].endswith("/admin/changes")


def _from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failed_logins_are_limited_per_account(databases, tmp_path) -> None:
    app = make_app(
        databases.migrated(),
        tmp_path / "i",
        LOGIN_LIMIT_PER_ACCOUNT="3 per hour",
        LOGIN_LIMIT_PER_ADDRESS="100 per hour",
    )
    make_user(app, "ada", "admin")
    make_user(app, "bob", "editor")
    # Failures from different addresses all count against the account.
    for i in range(3):
        client = _from(app, f"10.0.0.{i}")
        assert login(client, "ada", "wrong password!").status_code == 401
    fresh = _from(app, "10.0.0.99")
    blocked = login(fresh, "ada")  # even the right password is refused for now
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.text
    assert fresh.get("/admin/").status_code == 302
    # Other accounts are not affected.
    assert login(_from(app, "10.0.0.99"), "bob").status_code == 302
    app.extensions["kb.engine"].dispose()


def test_failed_logins_are_limited_per_address(databases, tmp_path) -> None:
    app = make_app(
        databases.migrated(),
        tmp_path / "i",
        LOGIN_LIMIT_PER_ACCOUNT="100 per hour",
        LOGIN_LIMIT_PER_ADDRESS="3 per hour",
    )
    make_user(app, "ada", "admin")
    attacker = "192.0.2.7"
    for name in ("x1", "x2", "x3"):
        assert login(_from(app, attacker), name, "guess guess").status_code == 401
    assert login(_from(app, attacker), "ada").status_code == 429
    # The real user from another address gets in.
    assert login(_from(app, "192.0.2.8"), "ada").status_code == 302
    app.extensions["kb.engine"].dispose()


def test_successful_logins_do_not_count(databases, tmp_path) -> None:
    app = make_app(databases.migrated(), tmp_path / "i", LOGIN_LIMIT_PER_ACCOUNT="2 per hour")
    make_user(app, "ada", "admin")
    for _ in range(5):
        assert login(app.test_client(), "ada").status_code == 302
    app.extensions["kb.engine"].dispose()


def _set_cookie(response) -> str:
    return next(
        v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session=")
    )


def test_session_cookie_is_httponly_samesite_and_secure_over_https(app) -> None:
    make_user(app, "ada", "admin")
    plain = login(app.test_client(), "ada")
    cookie = _set_cookie(plain)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    https = app.test_client()
    page = https.get("/login", base_url="https://localhost")
    token = hidden_fields(page.text)["csrf_token"]
    # Over HTTPS, CSRF protection also wants a same-origin Referer, as browsers send.
    response = https.post(
        "/login",
        data={"csrf_token": token, "username": "ada", "password": PASSWORD},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookie = _set_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_changing_the_password_or_disabling_ends_open_sessions(app) -> None:
    make_user(app, "eve", "editor")
    client = app.test_client()
    login(client, "eve")
    assert client.get("/admin/").status_code == 200
    with app.app_context(), session_scope() as session:
        auth.set_password(auth.find_user(session, "eve"), "another long password")
    assert client.get("/admin/").status_code == 302
    login(client, "eve", "another long password")
    assert client.get("/admin/").status_code == 200
    with app.app_context(), session_scope() as session:
        auth.find_user(session, "eve").active = False
    assert client.get("/admin/").status_code == 302


# -- kb users ----------------------------------------------------------------------------------


def test_cli_create_list_set_password_disable(app, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "ada", "--role", "admin", "--password-stdin"],
        input="first long password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created ada (admin)" in result.output
    result = runner.invoke(
        args=["users", "create", "eve", "--role", "editor"],
        input="prompted password\nprompted password\n",
    )
    assert result.exit_code == 0, result.output
    listing = runner.invoke(args=["users", "list"])
    assert "ada\tadmin\tactive" in listing.output
    assert "eve\teditor\tactive" in listing.output
    assert login(app.test_client(), "eve", "prompted password").status_code == 302

    result = runner.invoke(
        args=["users", "set-password", "ada", "--password-stdin"], input="second long password\n"
    )
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "ada", "first long password").status_code == 401
    assert login(app.test_client(), "ada", "second long password").status_code == 302

    assert runner.invoke(args=["users", "disable", "eve"]).exit_code == 0
    assert "eve\teditor\tdisabled" in runner.invoke(args=["users", "list"]).output
    assert login(app.test_client(), "eve", "prompted password").status_code == 401
    with app.app_context(), session_scope() as session:
        stored = session.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in stored)


def test_cli_refuses_bad_accounts(app, runner) -> None:
    short = runner.invoke(
        args=["users", "create", "ada", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    bad_role = runner.invoke(
        args=["users", "create", "ada", "--role", "owner", "--password-stdin"],
        input="long enough pw\n",
    )
    assert bad_role.exit_code != 0 and "owner" in bad_role.output
    bad_name = runner.invoke(
        args=["users", "create", "a b", "--role", "admin", "--password-stdin"],
        input="long enough pw\n",
    )
    assert bad_name.exit_code != 0 and "username" in bad_name.output
    ok = runner.invoke(
        args=["users", "create", "ada", "--role", "admin", "--password-stdin"],
        input="long enough pw\n",
    )
    assert ok.exit_code == 0
    dup = runner.invoke(
        args=["users", "create", "ADA", "--role", "editor", "--password-stdin"],
        input="long enough pw\n",
    )
    assert dup.exit_code != 0 and "already exists" in dup.output
    missing = runner.invoke(args=["users", "disable", "nobody"])
    assert missing.exit_code != 0 and "no account named" in missing.output
    mismatch = runner.invoke(
        args=["users", "create", "bob", "--role", "editor"],
        input="one long password\nanother password\n",
    )
    assert mismatch.exit_code != 0
