"""Data entry for editors and account management for admins, under /admin; /login and /logout.

This module only assembles the two blueprints: the URL map below names every admin page and the
module whose view answers it. Every view is guarded by kb.web.auth's decorators: anonymous
visitors are sent to the login page (or refused with 401 when they POST), editors may enter
data, only admins manage accounts.

    kinds      the kinds of record, their titles, the lookups every view shares
    login      /login, /logout
    lists      the dashboard and the list of each kind
    editing    new, edit (with the conflict page) and delete
    revisions  a record's history, the latest changes, reverting a revision
    users      accounts
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from kb.web.admin import editing, forms, lists, login, revisions, users
from kb.web.admin.kinds import ENTITY_ORDER, ENTITY_RULE, HISTORY_ONLY_RULE, TITLES

bp = Blueprint("admin", __name__, url_prefix="/admin")
auth_bp = Blueprint("auth", __name__)

GET, GET_POST = ["GET"], ["GET", "POST"]
RECORD = f"/{ENTITY_RULE}/<int:record_id>"

auth_bp.add_url_rule("/login", view_func=login.login, methods=GET_POST)
auth_bp.add_url_rule("/logout", view_func=login.logout, methods=["POST"])

# (rule, view, methods); the endpoint is the view's name: admin.edit, admin.records...
ROUTES: list[tuple[str, Callable[..., Any], list[str]]] = [
    ("/", lists.index, GET),
    (f"/{ENTITY_RULE}/", lists.records, GET),
    (f"/{ENTITY_RULE}/new", editing.new, GET_POST),
    (f"{RECORD}/edit", editing.edit, GET_POST),
    (f"{RECORD}/delete", editing.delete, GET_POST),
    (f"{RECORD}/history", revisions.record_history, GET),
    ("/changes", revisions.changes, GET),
    ("/revisions/<int:revision_id>/revert", revisions.revert, GET_POST),
    ("/users/", users.users, GET),
    ("/users/new", users.user_new, GET_POST),
    ("/users/<int:user_id>/edit", users.user_edit, GET_POST),
]
for _rule, _view, _methods in ROUTES:
    bp.add_url_rule(_rule, view_func=_view, methods=_methods)
bp.add_url_rule(
    f"/{HISTORY_ONLY_RULE}/<int:record_id>/history",
    endpoint="trail_history",
    view_func=revisions.record_history,
    methods=GET,
)


@bp.app_context_processor
def _admin_context() -> dict[str, Any]:
    return {"logout_form": forms.LogoutForm, "admin_entities": ENTITY_ORDER, "titles": TITLES}
