"""Accounts: hashing, logging in and out, rate limits on failed logins, cookies, `kb users`."""

from __future__ import annotations

import http.client
import subprocess
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import click
import pytest
from sqlalchemy import func, inspect, select

from kb import migrate
from kb.db import make_engine
from kb.models import LoginAttempt, User
from kb.queries import accounts
from kb.web import auth
from kb.web.database import session_scope
from tests.conftest import PASSWORD, csrf_token, hidden_fields, login, make_app, make_user
from tests.helpers import free_port, kb_executable
from tests.reliability.support import Client, Server, kb_env


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
        accounts.find_user(session, "old").active = False
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


def test_failed_logins_are_limited_per_account_and_address(databases, tmp_path) -> None:
    app = make_app(
        databases.migrated(),
        tmp_path / "i",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="3 per hour",
        LOGIN_LIMIT_PER_ADDRESS="100 per hour",
    )
    make_user(app, "ada", "admin")
    make_user(app, "bob", "editor")
    for _ in range(3):
        assert login(_from(app, "10.0.0.1"), "ada", "wrong password!").status_code == 401
    blocked = login(_from(app, "10.0.0.1"), "ada")  # even the right password, from there
    assert blocked.status_code == 429
    assert "Too many login attempts" in blocked.text
    # The owner from another address, and other accounts from that one, are not affected.
    assert login(_from(app, "10.0.0.99"), "ada").status_code == 302
    assert login(_from(app, "10.0.0.1"), "bob").status_code == 302
    app.extensions["kb.engine"].dispose()


def test_the_limits_are_settings_checked_at_start(databases, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_LOGIN_LIMIT_PER_ADDRESS", "1 per hour")
    url = databases.migrated()
    app = make_app(url, tmp_path / "i")
    assert app.config["LOGIN_LIMIT_PER_ADDRESS"] == "1 per hour"
    make_user(app, "ada", "admin")
    assert login(_from(app, "10.0.0.1"), "ada", "wrong password!").status_code == 401
    assert login(_from(app, "10.0.0.1"), "ada").status_code == 429
    app.extensions["kb.engine"].dispose()
    with pytest.raises(
        click.ClickException, match="LOGIN_LIMIT_PER_ADDRESS = 'lots' \\(setting or KB_"
    ):
        make_app(url, tmp_path / "j", LOGIN_LIMIT_PER_ADDRESS="lots")


def test_failed_logins_are_limited_per_address(databases, tmp_path) -> None:
    app = make_app(
        databases.migrated(),
        tmp_path / "i",
        LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="100 per hour",
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


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.proc.poll() is None:
        try:
            if Client(server.host, server.port, timeout=5).get("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)  # not listening yet: nothing to wait on but the clock
    raise AssertionError(f"kb serve did not start:\n{server.output()}")


def _login_form(port: int, source: str) -> tuple[str, str]:
    """GET /login from `source`: the session cookie and the CSRF token a browser would keep."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
    finally:
        conn.close()
    return response.getheader("Set-Cookie").split(";")[0], hidden_fields(page)["csrf_token"]


def _post_login(port: int, source: str, form: tuple[str, str], password: str) -> int:
    cookie, token = form
    body = urllib.parse.urlencode({"csrf_token": token, "username": "ada", "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("POST", "/login", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_kb_serve_counts_logins_across_its_workers_and_never_locks_the_owner_out(
    databases, tmp_path
) -> None:
    """`kb serve` with its defaults (several workers): 30 simultaneous wrong guesses from one
    address get at most the limit (5) evaluated; the owner logs in from another address."""
    url = databases.migrated()
    setup = make_app(url, tmp_path / "setup")
    make_user(setup, "ada", "admin")
    setup.extensions["kb.engine"].dispose()
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [kb_executable(), "serve", "--port", str(port), "--no-access-log"],
            env=kb_env(url, tmp_path / "instance"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(proc, port, log)
    try:
        _wait_until_serving(server)
        forms = [_login_form(port, "127.0.0.2") for _ in range(30)]
        start = threading.Barrier(len(forms))

        def guess(form: tuple[str, str]) -> int:
            start.wait(timeout=30)
            return _post_login(port, "127.0.0.2", form, "a wrong guess")

        with ThreadPoolExecutor(len(forms)) as pool:
            statuses = Counter(pool.map(guess, forms))
        assert set(statuses) <= {401, 429}, (statuses, server.output())
        assert 1 <= statuses[401] <= 5, statuses
        owner = _login_form(port, "127.0.0.3")
        assert _post_login(port, "127.0.0.3", owner, PASSWORD) == 302
        assert _post_login(port, "127.0.0.2", _login_form(port, "127.0.0.2"), PASSWORD) == 429
    finally:
        server.kill()  # nothing to finish gracefully, and gunicorn's graceful stop takes seconds


def test_successful_logins_do_not_count(databases, tmp_path) -> None:
    app = make_app(
        databases.migrated(), tmp_path / "i", LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS="2 per hour"
    )
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
        auth.set_password(accounts.find_user(session, "eve"), "another long password")
    assert client.get("/admin/").status_code == 302
    login(client, "eve", "another long password")
    assert client.get("/admin/").status_code == 200
    with app.app_context(), session_scope() as session:
        accounts.find_user(session, "eve").active = False
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


def test_cli_refuses_to_leave_no_active_admin_and_enables_and_sets_roles(app, runner) -> None:
    make_user(app, "ada", "admin")
    for args in (["disable", "ada"], ["set-role", "ada", "--role", "editor"]):
        refused = runner.invoke(args=["users", *args])
        assert refused.exit_code == 1, refused.output
        assert "ada is the only active admin" in refused.output
        assert "Traceback" not in refused.output
    make_user(app, "bob", "editor")
    assert runner.invoke(args=["users", "set-role", "bob", "--role", "admin"]).exit_code == 0
    result = runner.invoke(args=["users", "disable", "ada"])
    assert result.exit_code == 0 and "ada is now disabled" in result.output
    assert login(app.test_client(), "ada").status_code == 401
    result = runner.invoke(args=["users", "enable", "ada"])
    assert result.exit_code == 0 and "ada is now active" in result.output
    assert login(app.test_client(), "ada").status_code == 302
    result = runner.invoke(args=["users", "set-role", "ada", "--role", "editor"])
    assert result.exit_code == 0 and "ada is now an editor" in result.output
    assert "ada\teditor\tactive" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "enable", "nobody"]).exit_code == 1


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app) -> None:
    """A real race, ten rounds: two threads, each with its own transaction, demote the other
    admin at the same moment through the one guard (kb.web.auth.change_account) that the admin
    form and `kb users` use. Exactly one may win each round."""
    make_user(app, "ada", "admin")
    make_user(app, "bob", "admin")
    maker = app.extensions["kb.sessionmaker"]
    start = threading.Barrier(2)

    def demote(name: str) -> str:
        with app.app_context():
            session = maker()
            try:
                user = accounts.find_user(session, name)
                start.wait(timeout=30)
                auth.change_account(session, user, role="editor")
                session.commit()
                return "demoted"
            except auth.AccountError:
                session.rollback()
                return "refused"
            finally:
                session.close()

    for _ in range(10):
        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(demote, ["ada", "bob"]))
        assert outcomes == ["demoted", "refused"]
        with app.app_context(), session_scope() as session:
            admins = session.scalars(select(User).where(User.role == "admin", User.active))
            assert len(admins.all()) == 1
            for user in session.scalars(select(User)):
                user.role = "admin"


def test_passwords_of_spaces_are_refused_everywhere(app, runner, admin_client) -> None:
    assert "not spaces" in auth.password_problem(" " * 12)
    assert "not spaces" in auth.password_problem("a" + " " * 11)
    assert auth.password_problem("correct horse battery") is None
    result = runner.invoke(
        args=["users", "create", "bob", "--role", "editor", "--password-stdin"],
        input=" " * 12 + "\n",
    )
    assert result.exit_code == 1 and "not spaces" in result.output
    page = admin_client.get("/admin/users/new").text
    token = hidden_fields(page)["csrf_token"]
    form = {"csrf_token": token, "username": "bob", "role": "editor", "password": " " * 12}
    response = admin_client.post("/admin/users/new", data=form)
    assert response.status_code == 422 and "not spaces" in response.text
    with app.app_context(), session_scope() as session:
        ada = accounts.find_user(session, "ada")
        assert accounts.find_user(session, "bob") is None
    path = f"/admin/users/{ada.id}/edit"
    fields = hidden_fields(admin_client.get(path).text)
    form = {**fields, "role": "admin", "active": "y", "password": " " * 12}
    response = admin_client.post(path, data=form)
    assert response.status_code == 422 and "not spaces" in response.text
    assert login(app.test_client(), "ada").status_code == 302


def test_migration_0005_goes_down_and_up_keeping_the_accounts(databases, tmp_path) -> None:
    url = databases.migrated()
    app = make_app(url, tmp_path / "i")
    make_user(app, "ada", "admin")
    assert login(app.test_client(), "ada", "wrong password!").status_code == 401
    app.extensions["kb.engine"].dispose()
    migrate.downgrade(url, "0004")
    engine = make_engine(url)
    try:
        assert not inspect(engine).has_table("login_attempt")
        migrate.upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(LoginAttempt)).scalar() == 0
            assert conn.execute(select(User.username)).scalars().all() == ["ada"]
    finally:
        engine.dispose()
        databases.drop(url)
