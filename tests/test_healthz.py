"""/healthz: 200 only when the database answers and is at the code's migration head; a 503 with
a status saying why otherwise (never a 500), never cached, one cheap query."""

from __future__ import annotations

import socket
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import event, text

from kb import migrate
from kb.web.database import get_engine
from tests.conftest import make_app


def _get(app):
    response = app.test_client().get("/healthz")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers and "Set-Cookie" not in response.headers
    return response.status_code, response.get_json()


def test_healthy_database_is_200_with_its_revision(app, database_url) -> None:
    head = migrate.head_revision(database_url)
    status, body = _get(app)
    assert status == 200
    assert body == {"status": "ok", "database": "reachable", "schema": head, "head": head}


def test_healthz_runs_one_query_and_no_session(seeded_app) -> None:
    statements: list[str] = []
    engine = seeded_app.extensions["kb.engine"]

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    client = seeded_app.test_client()
    client.get("/healthz")  # the pool's first connection
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Alembic's version row (plus its look for the table): nothing from the data tables.
    assert len(statements) <= 3 * 2, statements
    assert not any("person" in s or "kb_state" in s for s in statements)


def test_unmigrated_database_is_503_and_recovers_without_a_restart(databases, tmp_path) -> None:
    url = databases.empty()
    app = make_app(url, tmp_path / "instance")
    try:
        status, body = _get(app)
        assert status == 503
        assert body["status"] == "not migrated" and body["database"] == "reachable"
        assert body["schema"] is None and "kb db upgrade" in body["detail"]
        migrate.upgrade(url)
        status, body = _get(app)  # not cached: the next probe sees the migrated schema
        assert status == 200 and body["status"] == "ok"
    finally:
        app.extensions["kb.engine"].dispose()
        databases.drop(url)


def test_database_behind_the_code_is_503(databases, tmp_path) -> None:
    url = databases.empty()
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    head = script.get_current_head()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    migrate.upgrade(url, previous)
    app = make_app(url, tmp_path / "instance")
    try:
        status, body = _get(app)
    finally:
        app.extensions["kb.engine"].dispose()
        databases.drop(url)
    assert status == 503
    assert body["status"] == "behind" and body["schema"] == previous and body["head"] == head
    assert "kb db upgrade" in body["detail"]


def test_database_ahead_of_the_code_is_503(app) -> None:
    with app.app_context(), get_engine().begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    status, body = _get(app)
    assert status == 503
    assert body["status"] == "ahead" and body["schema"] == "f00dfeedbeef"
    assert "does not know" in body["detail"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_database_is_503_not_500(tmp_path: Path) -> None:
    urls = [
        f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'kb.sqlite3'}",
        f"postgresql+psycopg://kb@127.0.0.1:{_closed_port()}/kb?connect_timeout=5",
    ]
    for url in urls:
        app = make_app(url, tmp_path / "instance")
        for _ in range(2):  # and still so on the next probe: nothing is cached
            status, body = _get(app)
            assert status == 503, url
            assert body["status"] == "unavailable" and body["database"] == "unreachable"
            assert body["schema"] is None and body["head"] == migrate.head_revision(url)
            assert "did not answer" in body["detail"]
            assert str(tmp_path) not in body["detail"]  # no paths or hosts to the public
        head = app.test_client().head("/healthz")
        assert head.status_code == 503 and head.data == b""
        app.extensions["kb.engine"].dispose()


def test_healthz_is_public_and_get_only(seeded_client) -> None:
    assert seeded_client.get("/healthz").status_code == 200  # no login
    assert seeded_client.post("/healthz").status_code in (400, 405)


def test_a_confused_version_table_is_503_not_500(app) -> None:
    # Two version rows (a botched manual migration): Alembic refuses to say where the schema is.
    with app.app_context(), get_engine().begin() as conn:
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES ('f00dfeedbeef')"))
    status, body = _get(app)
    assert status == 503
    assert body["status"] == "error" and body["schema"] is None
    assert "health check failed" in body["detail"]


def _previous_revision(url: str) -> str:
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    previous = script.get_revision(script.get_current_head()).down_revision
    assert isinstance(previous, str)
    return previous


def _assert_schema_503(client, paths) -> None:
    for path in paths:
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        assert response.headers["Retry-After"].isdigit()
        assert "kb db upgrade" in response.get_data(as_text=True), path


PAGES = ("/", "/claims", "/people", "/claims.json", "/graph")


def test_every_page_is_503_while_the_database_is_behind(databases, tmp_path) -> None:
    url = databases.empty()
    migrate.upgrade(url, _previous_revision(url))
    app = make_app(url, tmp_path / "instance")
    try:
        client = app.test_client()
        _assert_schema_503(client, PAGES)
        assert client.get("/healthz").status_code == 503
        migrate.upgrade(url)  # the operator migrates: pages come back without a restart
        for path in PAGES:
            assert client.get(path).status_code == 200, path
    finally:
        app.extensions["kb.engine"].dispose()
        databases.drop(url)


def test_a_database_downgraded_under_a_running_app_is_503_not_500(seeded_app) -> None:
    url = seeded_app.config["DATABASE_URL"]
    client = seeded_app.test_client()
    assert client.get("/claims").status_code == 200  # this worker has seen the schema at head
    seeded_app.extensions["kb.engine"].dispose()
    # Down to before 0004, which adds the stance latest flag that every claim list reads.
    migrate.downgrade(url, "0003")
    _assert_schema_503(client, ["/claims?position=supports", *PAGES])
    migrate.upgrade(url)
    assert client.get("/claims?position=opposes").status_code == 200
