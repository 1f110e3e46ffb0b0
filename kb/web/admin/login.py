"""/login and /logout: the login limit is counted before the password is checked, a login
starts a fresh cookie session, and logout ends the account's sessions in the database too."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask import session as cookie_session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from kb.web import auth, security
from kb.web.admin import forms
from kb.web.database import get_session

TOO_MANY = (
    "Too many login attempts for this account from this address, or from this "
    "address. Wait a few minutes and try again."
)


def login() -> Any:
    form = forms.LoginForm()
    if request.method in ("GET", "HEAD"):
        # Only a path on this site: never //host or a scheme, so login cannot redirect away.
        form.next.data = security.safe_next(request.args.get("next")) or ""
    status = 200
    if form.validate_on_submit():
        app = current_app._get_current_object()  # type: ignore[attr-defined]  # a LocalProxy
        username = (form.username.data or "").strip()  # required: never None here
        address = request.remote_addr or "unknown"
        session = get_session()
        # Counted (and committed) before the password is checked, so simultaneous guesses
        # each take a place in the limit and those beyond it are never evaluated.
        if not security.login_attempt_allowed(app, session, username, address):
            form.password.errors = [TOO_MANY]
            status = 429
        else:
            user = auth.authenticate(session, username, form.password.data or "")
            if user is None:
                form.password.errors = ["Wrong username or password (or the account is disabled)."]
                status = 401
            else:
                security.forgive_login_attempt(app, session, username, address)
                session.commit()  # keeps an upgraded password hash
                cookie_session.clear()  # a fresh session: no fixation of an old one
                login_user(auth.AccountUser.of(user))
                return redirect(security.safe_next(form.next.data) or url_for("admin.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@auth.login_required
def logout() -> Response:
    form = forms.LogoutForm()
    if not form.validate_on_submit():
        abort(400, "The logout form expired; please try again.")
    # The cookie may have been copied: end the account's sessions in the database too, so a
    # captured cookie is refused after logout (kb.web.auth.end_sessions).
    session = get_session()
    try:
        auth.end_sessions(session, current_user.id)
        session.commit()
    except StaleDataError:
        session.rollback()  # someone else wrote the account just now: its version moved anyway
    logout_user()
    cookie_session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))
