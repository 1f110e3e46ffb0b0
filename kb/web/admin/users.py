"""Account management, for admins only: the list of accounts, a new account, and changing an
account's role, whether it may log in, and its password. kb.web.auth checks and writes."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

from kb import models as m
from kb.edits import cleaning
from kb.queries import admin as admin_queries
from kb.web import auth
from kb.web.admin import forms
from kb.web.database import get_session

CHANGED_MEANWHILE = (
    "Someone changed this account since you opened the page; nothing was saved. "
    "Reload and try again."
)


@auth.admin_required
def users() -> str:
    return render_template("admin/users.html", users=admin_queries.users_by_name(get_session()))


@auth.admin_required
def user_new() -> Any:
    session = get_session()
    form = forms.NewUserForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                user = auth.create_user(  # the form requires each field: never None here
                    session, form.username.data or "", form.role.data, form.password.data or ""
                )
                session.commit()
            except auth.AccountError as exc:
                session.rollback()
                field, _, message = str(exc).partition(": ")
                getattr(form, field, form.username).errors = [message]
            else:
                flash(f"Created the account {user.username} ({user.role}).")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), status


@auth.admin_required
def user_edit(user_id: int) -> Any:
    session = get_session()
    user = session.get(m.User, user_id) if user_id <= cleaning.MAX_ID else None
    if user is None:
        abort(404, f"There is no account #{user_id}.")
    if request.method in ("GET", "HEAD"):
        form = forms.EditUserForm(
            data={"role": user.role, "active": user.active, "version": user.version}
        )
        return render_template("admin/user_form.html", form=form, user=user)
    form = forms.EditUserForm()
    if not form.validate_on_submit():
        return render_template("admin/user_form.html", form=form, user=user), 422
    if str(user.version) != (form.version.data or ""):
        form.role.errors = [CHANGED_MEANWHILE]
        return render_template("admin/user_form.html", form=form, user=user), 409
    try:
        auth.change_account(session, user, role=form.role.data, active=bool(form.active.data))
        if form.password.data:
            auth.set_password(user, form.password.data)
    except auth.AccountError as exc:
        session.rollback()
        field, _, message = str(exc).partition(": ")
        getattr(form, field, form.role).errors = [message]
        return render_template("admin/user_form.html", form=form, user=user), 422
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        abort(409, "Someone changed this account at the same moment; nothing was saved.")
    flash(f"Saved the account {user.username}.")
    return redirect(url_for("admin.users"))
