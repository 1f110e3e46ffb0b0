"""Helper functions shared by several test modules (no tests here; fixtures and the account
helpers live in conftest.py): posting forms as a browser does, free ports and the `kb`
executable for tests that start `kb serve`, reading a form's field errors, and every URL of
the app for tests that walk the whole URL map."""

from __future__ import annotations

import html
import itertools
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from kb import migrate
from kb.load.seed import load_seed, seed_document
from kb.web import auth
from kb.web.database import session_scope
from tests.conftest import PASSWORD, hidden_fields, make_app


def seed_count(entity: str) -> int:
    """How many records of a kb/1 entity the seed holds (tests follow the seed, not a number)."""
    return len(seed_document()[entity])


def submit(client: FlaskClient, path: str, data: dict[str, Any], page: str | None = None):
    """GET the form page, then POST `data` with the page's hidden fields (CSRF token and
    version) filled in, as a browser would."""
    html = client.get(page or path).text
    fields = {k: v for k, v in hidden_fields(html).items() if k in ("csrf_token", "version")}
    return client.post(path, data={**fields, **data})


def error_beside(page: str, field: str) -> str:
    """The error text rendered for a field, which the input points to with aria-describedby."""
    m_ = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert m_, f"no error shown beside {field}"
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', page) or re.search(
        rf'aria-describedby="[^"]*{field}-error[^"]*"[^>]*id="{field}"', page
    ), f"{field} does not point at its error"
    return html.unescape(re.sub(r"<[^>]+>", "", m_.group(1))).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kb_executable() -> str:
    candidate = Path(sys.executable).with_name("kb")
    return str(candidate) if candidate.exists() else "kb"


def every_url(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every rule of the app with concrete URLs for it (each value of an `any` converter,
    an existing id for integers), and the methods it accepts."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        choices = []
        for name in rule.arguments:
            converter = rule._converters.get(name)
            if rule.defaults and name in rule.defaults:
                choices.append([(name, rule.defaults[name])])
                continue
            if isinstance(converter, AnyConverter):
                choices.append([(name, v) for v in sorted(converter.items)])
            elif isinstance(converter, IntegerConverter):
                choices.append([(name, 1)])
            else:
                choices.append([(name, "x")])
        for combo in itertools.product(*choices):
            built = rule.build(dict(combo), append_unknown=False)
            assert built is not None, rule.rule
            yield rule, built[1]


def seeded_sqlite_file(tmp_path: Path, *editors: str) -> Path:
    """A migrated, seeded SQLite file in tmp_path whatever the suite's database (for what is
    SQLite's own: file permissions, page damage), with these editor accounts."""
    path = tmp_path / "kb.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = make_app(url, tmp_path / "instance")
    with app.app_context(), session_scope() as session:
        load_seed(session)
        for name in editors:
            auth.create_user(session, name, "editor", PASSWORD)
    app.extensions["kb.engine"].dispose()
    return path
