"""Configuration: SQLite in the instance folder by default; the environment overrides it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from kb import create_app


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    monkeypatch.delenv("KB_SECRET_KEY", raising=False)
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    # a random secret key is made once and kept
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and (tmp_path / "secret_key").read_text() == key
    assert create_app().config["SECRET_KEY"] == key


def test_environment_overrides(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("KB_SECRET_KEY", "from-env")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("other.db")
    assert app.config["SECRET_KEY"] == "from-env"


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("KB_DATABASE_URL", raising=False)
    app = create_app()
    with app.extensions["kb.engine"].connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_templates_and_static_come_from_the_top_level_folders() -> None:
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    assert app.jinja_loader.searchpath[0].endswith("templates")
    assert app.static_folder.endswith("static")


def test_templates_are_compiled_once_per_server_not_once_per_worker(app, tmp_path) -> None:
    """A second app on the same instance folder (another worker) loads the templates the
    first compiled, and compiles none itself."""
    from kb.web import TEMPLATE_CACHE
    from tests.conftest import make_app

    first = make_app(app.config["DATABASE_URL"], tmp_path / "instance", TEMPLATE_CACHE=None)
    assert first.test_client().get("/").status_code == 200
    assert any((tmp_path / "instance" / TEMPLATE_CACHE).iterdir())
    second = make_app(app.config["DATABASE_URL"], tmp_path / "instance", TEMPLATE_CACHE=None)

    def compile_again(*args, **kwargs):
        raise AssertionError("compiled again")

    second.jinja_env.compile = compile_again  # type: ignore[method-assign]
    assert second.test_client().get("/").status_code == 200
    for each in (first, second):
        each.extensions["kb.engine"].dispose()


def test_behind_a_proxy_the_client_address_and_scheme_come_from_forwarded_headers(
    database_url, tmp_path, monkeypatch
) -> None:
    from flask import request

    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_PROXIES", "1")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    app.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme}")
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/_who", headers=headers).get_data(as_text=True) == (
        "203.0.113.7 https"
    )
    monkeypatch.setenv("KB_PROXIES", "0")
    plain = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    plain.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme}")
    assert plain.test_client().get("/_who", headers=headers).get_data(as_text=True) == (
        "127.0.0.1 http"
    )


@pytest.mark.parametrize(
    "name, value",
    [
        ("KB_PROXIES", "-1"),
        ("KB_PROXIES", "two"),
        ("KB_IMPORT_PREVIEWS_PER_EDITOR", "0"),
        ("KB_IMPORT_PREVIEW_SECONDS", "１０"),
    ],
)
def test_a_malformed_number_setting_is_one_line_naming_it(tmp_path, name, value) -> None:
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path), name: value}
    env.pop("KB_DATABASE_URL", None)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("kb")), "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1
    assert name in done.stderr and "Traceback" not in done.stderr
