"""Shared fixtures: an app over a fresh, migrated database per test.

The suite runs on SQLite by default. With KB_TEST_DATABASE=postgresql+psycopg://user@host:port/
(a server where the user may create databases), every test gets its own PostgreSQL database
instead. Either way the schema is migrated once per run into a template, which each test copies:
the same migrations as production, without paying for them per test.

Accounts are hashed with cheap Argon2 parameters (TEST_PASSWORD_HASHER, through the
PASSWORD_HASHER setting kb.web.auth reads): production's defaults cost a second or more per login on
a busy machine, which every admin test paid. The login fixtures (admin_client, editor_client,
seeded_admin) and the helpers they use live here too.
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kb import create_app, migrate
from kb.db import make_engine
from kb.web import auth
from kb.web.database import session_scope

# Argon2id still, with the least work: the tests check logins, not the hasher's strength.
TEST_PASSWORD_HASHER = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
PASSWORD = "correct horse battery"

PG_SERVER = os.environ.get("KB_TEST_DATABASE", "").strip()


def _pg_admin_url(dbname: str = "postgres") -> str:
    return make_url(PG_SERVER).set(database=dbname).render_as_string(hide_password=False)


class _Databases:
    """Makes a fresh migrated database per test, by copying a template migrated once."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template: str | None = None
        self.seeded_template: str | None = None
        if PG_SERVER:
            self.admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")

    @property
    def backend(self) -> str:
        return "postgresql" if PG_SERVER else "sqlite"

    def _new_empty(self) -> str:
        if PG_SERVER:
            name = f"kbtest_{uuid.uuid4().hex[:12]}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            return _pg_admin_url(name)
        return f"sqlite:///{self.workdir / f'{uuid.uuid4().hex[:12]}.sqlite3'}"

    def empty(self) -> str:
        """A database with no schema at all (for migration tests)."""
        return self._new_empty()

    def migrated(self) -> str:
        if self.template is None:
            self.template = self._new_empty()
            migrate.upgrade(self.template)
        return self._copy(self.template)

    def _copy(self, template_url: str) -> str:
        if PG_SERVER:
            name = f"kbtest_{uuid.uuid4().hex[:12]}"
            template = make_url(template_url).database
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            return _pg_admin_url(name)
        src = Path(make_url(template_url).database)
        dst = self.workdir / f"{uuid.uuid4().hex[:12]}.sqlite3"
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"

    def seeded(self) -> str:
        """A copy of a database that holds the seed dataset: the seed is loaded once per run
        into a template (as the schema is), not once per test."""
        if self.seeded_template is None:
            self.seeded_template = self._copy(self.migrated())
            _load_seed_into(self.seeded_template)
        return self._copy(self.seeded_template)

    def drop(self, url: str) -> None:
        # Connections that a test leaked are closed by their finalizers when collected. Run
        # those now, while the database still exists, rather than at a random later moment:
        # a finalizer that runs inside compile() trips a CPython 3.11 bug ("AST constructor
        # recursion depth mismatch", fixed in 3.11.8).
        gc.collect()
        if PG_SERVER:
            with self.admin.connect() as conn:
                conn.execute(
                    text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
                )
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(make_url(url).database + suffix).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    dbs = _Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    for template in (dbs.seeded_template, dbs.template):
        if PG_SERVER and template:
            dbs.drop(template)


def _load_seed_into(url: str) -> None:
    from kb.load.seed import load_seed
    from kb.store import datastate, latest

    datastate.install()
    latest.install()
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            load_seed(session)
    finally:
        engine.dispose()


@pytest.fixture
def database_url(databases: _Databases, request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated database for this test: empty, or holding the seed when the test
    asks for a seeded app (seeded_app and the fixtures built on it)."""
    url = databases.seeded() if "seeded_app" in request.fixturenames else databases.migrated()
    yield url
    databases.drop(url)


TEMPLATE_CACHE = str(Path(tempfile.gettempdir()) / f"kb-test-templates-{os.getpid()}")
"""One folder of compiled templates for every app of this test process (kb.web), so that each
test's app does not compile the templates again."""


@pytest.fixture(scope="session", autouse=True)
def _compiled_templates() -> Iterator[None]:
    yield
    shutil.rmtree(TEMPLATE_CACHE, ignore_errors=True)


def make_app(database_url: str, instance_path: Path, **config: object) -> Flask:
    os.environ["KB_INSTANCE_PATH"] = str(instance_path)
    try:
        return create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret",
                "PASSWORD_HASHER": TEST_PASSWORD_HASHER,
                "TEMPLATE_CACHE": TEMPLATE_CACHE,
                **config,
            }
        )
    finally:
        os.environ.pop("KB_INSTANCE_PATH", None)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app over a migrated database with no data."""
    application = make_app(database_url, tmp_path / "instance")
    yield application
    application.extensions["kb.engine"].dispose()


@pytest.fixture
def seeded_app(app: Flask) -> Flask:
    """The app over a database holding the seed dataset (database_url copies it from a
    template seeded once per run)."""
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def seeded_client(seeded_app: Flask) -> FlaskClient:
    return seeded_app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session on the test's database, inside an app context; rolled back at the end."""
    with app.app_context():
        sess = app.extensions["kb.sessionmaker"]()
        try:
            yield sess
        finally:
            sess.rollback()
            sess.close()


# -- accounts and logging in -------------------------------------------------------------------

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


def _logged_in(app: Flask, username: str, role: str) -> FlaskClient:
    make_user(app, username, role)
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    """A client logged in as ada, an admin."""
    return _logged_in(app, "ada", "admin")


@pytest.fixture
def editor_client(app: Flask) -> FlaskClient:
    """A client logged in as eve, an editor."""
    return _logged_in(app, "eve", "editor")


@pytest.fixture
def seeded_admin(seeded_app: Flask) -> FlaskClient:
    """A client logged in as ada, an admin, over the seed dataset."""
    return _logged_in(seeded_app, "ada", "admin")
