"""Login, CSRF, rate limits on failed logins, session cookies and security headers.

Everything here is wired once per app by `init_app`, which create_app calls:
- Flask-Login sessions (kb.auth holds the account logic and the view decorators);
- CSRFProtect from Flask-WTF, app-wide: every POST, PUT, PATCH or DELETE needs the token;
- Flask-Limiter's storage and strategy, used to count *failed* logins per account and per
  address (a correct password does not count against anyone);
- the session cookie: HttpOnly, SameSite=Lax, and Secure whenever the request came over HTTPS
  (behind a TLS-terminating proxy, wrap the app in werkzeug's ProxyFix so Flask can tell);
- security headers on every response, including error pages and static files;
- the history listener (kb.history), so every ORM write in this app records a revision.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from limits import parse

from kb import auth, history, rules

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

DEFAULTS = {
    # Failed logins allowed per window before further attempts are refused.
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
    # memory:// counts per process; point it at redis:// or memcached:// when serving with
    # several gunicorn workers so that they share the count.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
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
        from kb.db import get_session

        return auth.load_user(get_session(), token)

    @login.unauthorized_handler
    def _unauthorized() -> Response:
        if request.method in ("GET", "HEAD"):
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401, "Log in first.")

    # One limiter per app, so two apps in one process (tests) never share counts.
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        default_limits=[],
    )
    app.extensions["kb.limiter"] = limiter

    from kb.views.admin import auth_bp

    app.register_blueprint(auth_bp)

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(PRIVATE_PREFIXES):
            # Pages for one logged-in editor: never kept by a browser or a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response


# -- failed logins -----------------------------------------------------------------------------


def _login_keys(app: Flask, username: str, address: str) -> list[tuple[object, str]]:
    return [
        (parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]), f"account:{username.strip().lower()}"),
        (parse(app.config["LOGIN_LIMIT_PER_ADDRESS"]), f"address:{address}"),
    ]


def login_blocked(app: Flask, username: str, address: str) -> bool:
    """True when this account or this address has used up its failed logins."""
    limiter: Limiter = app.extensions["kb.limiter"]
    return any(
        not limiter.limiter.test(item, "kb-login", key)
        for item, key in _login_keys(app, username, address)
    )


def record_failed_login(app: Flask, username: str, address: str) -> None:
    limiter: Limiter = app.extensions["kb.limiter"]
    for item, key in _login_keys(app, username, address):
        limiter.limiter.hit(item, "kb-login", key)
