"""Login, CSRF, rate limits on failed logins, session cookies and security headers.

Everything here is wired once per app by `init_app`, which create_app calls:
- Flask-Login sessions (kb.web.auth holds the account logic and the view decorators);
- CSRFProtect from Flask-WTF, app-wide: every POST, PUT, PATCH or DELETE needs the token;
- the login limit: attempts counted in the database (table login_attempt), per account at an
  address and per address, shared by every worker and server (a correct password is given
  back, so it does not count against anyone);
- the session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
  (behind a TLS-terminating proxy, wrap the app in werkzeug's ProxyFix so Flask can tell);
- security headers on every response, including error pages and static files;
- the history listener (kb.store.history), so every ORM write in this app records a revision.
"""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import click
from flask import Flask, Response, abort, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from limits import RateLimitItem, parse
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from kb import rules
from kb.queries import accounts
from kb.store import history
from kb.web import auth

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # SVG pictures carry style attributes; styles cannot run code, scripts can.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The one exception to frame-ancestors 'none': the cards of kb.web.embeds, made to be framed
# by any site. They run no script and load nothing (their CSS is inline), so their policy
# allows nothing else; X-Frame-Options is left off them (it has no "any site" value).
EMBED_PREFIX = "/embed/"
EMBED_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors *",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

PRIVATE_PREFIXES = ("/admin", "/login", "/logout")

# The only schemes a link taken from data may carry (people's pages, sources, archived copies).
WEB_URL_SCHEMES = rules.WEB_URL_SCHEMES

# Login attempts allowed per window (a correct password is given back); each may also come
# from the environment as KB_<NAME>, in the notation of the `limits` library.
LOGIN_LIMITS = {
    # One account from one address: guessing from one address never locks the owner out of
    # their account from another.
    "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "5 per 15 minutes",
    # Any accounts from one address: a guesser cannot spread over many accounts.
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    # Readers' reports of a problem (issue 18) from one address, counted the same way.
    "REPORT_LIMIT_PER_ADDRESS": "5 per hour",
}
DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
}


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with the Secure flag set on every HTTPS response."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


# The URL rule lives in kb.rules (forms and importer apply it too); templates use it as the Jinja
# test `web_url`, linking a URL from the data only when it holds.
is_web_url = rules.is_web_url


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: where login may send the browser.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as a slash, so a
    slash, a tab and "/evil.example", or a slash and a backslash, would leave the site; any control character,
    backslash, scheme or host is refused, as is anything not starting with a single "/".
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    app.jinja_env.tests["web_url"] = is_web_url
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for key, value in LOGIN_LIMITS.items():
        app.config.setdefault(key, os.environ.get(f"KB_{key}") or value)
        try:
            parse(app.config[key])
        except ValueError:
            # A ClickException: `kb` prints it as one line and exits 1, before serving.
            raise click.ClickException(
                f"{key} = {app.config[key]!r} (setting or KB_{key}): write a limit such as {value!r}"
            ) from None
    # config.from_environment sets these already; a test config may not have.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.session_interface = _SessionInterface()

    history.install()

    CSRFProtect(app)

    login = LoginManager()
    login.init_app(app)
    login.login_view = "auth.login"
    login.session_protection = "basic"

    @login.user_loader
    def _load(token: str) -> auth.AccountUser | None:
        from kb.web.database import get_session

        return auth.load_user(get_session(), token)

    @login.unauthorized_handler
    def _unauthorized() -> BaseResponse:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401, "Log in first.")

    app.before_request(refuse_nul)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = SECURITY_HEADERS
        if request.path.startswith(EMBED_PREFIX):
            headers = {
                **{k: v for k, v in SECURITY_HEADERS.items() if k != "X-Frame-Options"},
                "Content-Security-Policy": EMBED_CONTENT_SECURITY_POLICY,
            }
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(PRIVATE_PREFIXES):
            # Pages for one logged-in editor: never kept by a browser or a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response


_PUBLIC_BLUEPRINTS = ("browse", "graph", "export", "api", "follow", "embed", "evidence")


def refuse_nul() -> None:
    """No real URL holds a NUL character, and PostgreSQL cannot even compare text with one: a
    path or query parameter of a reader's page (browse, graph, export, api) that does is a 400
    before any view runs. (The admin forms check their own fields.)"""
    if request.blueprint not in _PUBLIC_BLUEPRINTS:
        return
    if "\x00" in request.path:
        abort(400, description="The address contains a NUL character.")
    for name, value in request.args.items(multi=True):
        if "\x00" in value or "\x00" in name:
            abort(400, description=f"The parameter {name!r} contains a NUL character.")


# -- login attempts ----------------------------------------------------------------------------


def _login_limits(app: Flask, username: str, address: str) -> list[tuple[RateLimitItem, str]]:
    """(limit, counter key) pairs for one attempt. The address has no space, so the key of an
    account at an address cannot be mistaken for another's."""
    address, username = address[:100], username.strip().lower()[:80]
    return [
        (parse(app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"]), f"aa:{address} {username}"),
        (parse(app.config["LOGIN_LIMIT_PER_ADDRESS"]), f"a:{address}"),
    ]


def login_attempt_allowed(app: Flask, session: Session, username: str, address: str) -> bool:
    """Count this attempt against the account at this address and against the address, and
    commit, before the password is checked; False when either is over its limit (the
    password must then not be checked at all)."""
    now = int(time.time())
    counts = [
        (accounts.count_attempt(session, key, limit.get_expiry(), now), limit)
        for limit, key in _login_limits(app, username, address)
    ]
    session.commit()
    if any(hits == 1 for hits, _limit in counts):  # a window started: sweep the expired ones
        _sweep(session, now)
    return all(hits <= limit.amount for hits, limit in counts)


def _sweep(session: Session, now: int) -> None:
    """Delete expired counters, so the table holds about one window's keys."""
    accounts.delete_expired_attempts(session, now)
    session.commit()


def report_allowed(app: Flask, session: Session, address: str) -> bool:
    """Count a reader's report from this address (committed at once, before the report is
    read) against REPORT_LIMIT_PER_ADDRESS; False when it is over the limit."""
    limit = parse(app.config["REPORT_LIMIT_PER_ADDRESS"])
    now = int(time.time())
    hits = accounts.count_attempt(session, f"r:{address[:100]}", limit.get_expiry(), now)
    session.commit()
    if hits == 1:
        _sweep(session, now)
    return hits <= limit.amount


def forgive_login_attempt(app: Flask, session: Session, username: str, address: str) -> None:
    """Give back the attempt of a correct password (flushes, never commits): logging in does
    not count against the account or the address."""
    keys = [key for _limit, key in _login_limits(app, username, address)]
    accounts.give_back_attempt(session, keys)
