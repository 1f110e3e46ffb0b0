"""Helpers for the admin, auth, history and security tests: accounts, logging in, and posting
forms the way a browser does (with the CSRF token and hidden fields the page carries).
No tests here."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb import auth
from kb.db import session_scope

PASSWORD = "correct horse battery"

_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
_NAME = re.compile(r'name="([^"]+)"')
_VALUE = re.compile(r'value="([^"]*)"')


def make_user(app: Flask, username: str, role: str = "editor", password: str = PASSWORD) -> None:
    with app.app_context(), session_scope() as session:
        auth.create_user(session, username, role, password)


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the last form's win), like a browser would submit them."""
    out = {}
    for tag in _HIDDEN.findall(html):
        name, value = _NAME.search(tag), _VALUE.search(tag)
        if name:
            out[name.group(1)] = value.group(1) if value else ""
    return out


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    return hidden_fields(client.get(path).text)["csrf_token"]


def login(client: FlaskClient, username: str, password: str = PASSWORD, **kw: Any):
    token = csrf_token(client)
    return client.post(
        "/login", data={"csrf_token": token, "username": username, "password": password}, **kw
    )


def submit(client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None):
    """GET the form page, then POST `data` with the page's hidden fields (CSRF token and
    version) filled in, as a browser would."""
    html = client.get(page or path).text
    fields = {k: v for k, v in hidden_fields(html).items() if k in ("csrf_token", "version")}
    return client.post(path, data={**fields, **data})


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    make_user(app, "ada", "admin")
    client = app.test_client()
    assert login(client, "ada").status_code == 302
    return client


@pytest.fixture
def editor_client(app: Flask) -> FlaskClient:
    make_user(app, "eve", "editor")
    client = app.test_client()
    assert login(client, "eve").status_code == 302
    return client


@pytest.fixture
def seeded_admin(seeded_app: Flask) -> FlaskClient:
    make_user(seeded_app, "ada", "admin")
    client = seeded_app.test_client()
    assert login(client, "ada").status_code == 302
    return client
