"""Helpers for the admin, auth, history and security tests: accounts, logging in, and posting
forms the way a browser does (with the CSRF token and hidden fields the page carries).
No tests here."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import (
    PASSWORD,
    admin_client,
    csrf_token,
    editor_client,
    hidden_fields,
    login,
    make_user,
    seeded_admin,
)

# The login helpers and fixtures live in tests/conftest.py; imported here for the modules that
# take them from this one.
__all__ = [
    "PASSWORD",
    "admin_client",
    "csrf_token",
    "editor_client",
    "hidden_fields",
    "login",
    "make_user",
    "seeded_admin",
    "submit",
]


def submit(client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None):
    """GET the form page, then POST `data` with the page's hidden fields (CSRF token and
    version) filled in, as a browser would."""
    html = client.get(page or path).text
    fields = {k: v for k, v in hidden_fields(html).items() if k in ("csrf_token", "version")}
    return client.post(path, data={**fields, **data})
