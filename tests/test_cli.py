"""The `kb` command: a Flask CLI group whose every command explains itself."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import text

from kb import migrate
from kb.__main__ import cli
from kb.db import make_engine
from kb.store import checks
from kb.web.database import get_engine
from tests.helpers import free_port, kb_executable, seed_count


def _walk(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _walk(command, ctx, prefix + (name,))


def test_every_command_has_help(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    with cli.make_context("kb", [], resilient_parsing=True) as ctx:
        commands = list(_walk(cli, ctx))
    names = {" ".join(path) for path, _ in commands}
    assert {
        "run",
        "shell",
        "routes",
        "db",
        "db upgrade",
        "db downgrade",
        "db current",
        "seed",
        "serve",
    } <= names
    for path, _command in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_db_current_upgrade_downgrade(databases, tmp_path, monkeypatch) -> None:
    url = databases.empty()
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "current"])
    assert "needs `kb db upgrade`" in result.output and result.exit_code == 1
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["db", "current"])
    assert "up to date" in result.output and result.exit_code == 0
    # one step down: now behind the code (the newest step, 0009, drops the affiliation table,
    # so it must be confirmed)
    result = runner.invoke(cli, ["db", "downgrade", "--yes-lose-data"])
    assert result.exit_code == 0 and "kb needs" in result.output, result.output
    result = runner.invoke(cli, ["db", "current"])
    assert "needs `kb db upgrade`" in result.output and result.exit_code == 1
    result = runner.invoke(cli, ["db", "downgrade", "base", "--yes-lose-data"])
    assert result.exit_code == 0 and "database at base" in result.output
    databases.drop(url)


def test_db_current_exits_1_for_a_database_ahead_of_the_code(app, monkeypatch, tmp_path) -> None:
    with app.app_context(), get_engine().begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", app.config["DATABASE_URL"])
    result = CliRunner().invoke(cli, ["db", "current"])
    assert result.exit_code == 1 and "newer release" in result.output


def test_unknown_revision_is_one_line_and_exit_1(app, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", app.config["DATABASE_URL"])
    for args in (["downgrade", "bogus"], ["upgrade", "bogus"], ["downgrade", "+1"]):
        result = CliRunner().invoke(cli, ["db", *args])
        assert result.exit_code == 1, (args, result.output)
        assert isinstance(result.exception, SystemExit), (args, result.exception)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and repr(args[1]) in lines[0], (args, result.output)


def test_downgrade_that_drops_data_needs_yes_lose_data(seeded_app, monkeypatch, tmp_path) -> None:
    url = seeded_app.config["DATABASE_URL"]
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    head = migrate.head_revision(url)
    result = CliRunner().invoke(cli, ["db", "downgrade", "base"])
    assert result.exit_code == 1, result.output
    assert "--yes-lose-data" in result.output and "0001: drops every table" in result.output
    engine = get_engine(seeded_app)
    assert migrate.current_revision(engine) == head  # nothing was changed
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM person")).scalar_one() == seed_count(
            "people"
        )


def test_serve_refuses_a_database_behind_the_code(databases, tmp_path) -> None:
    url = databases.empty()
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    previous = script.get_revision(script.get_current_head()).down_revision
    assert isinstance(previous, str)
    migrate.upgrade(url, previous)
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path), "KB_DATABASE_URL": url}
    try:
        done = subprocess.run(
            [kb_executable(), "serve", "--port", str(free_port()), "--workers", "1"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        engine = make_engine(url)
        assert migrate.current_revision(engine) == previous  # not migrated behind our back
        engine.dispose()
    finally:
        databases.drop(url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "kb db upgrade" in done.stderr and "Traceback" not in done.stderr
    assert "serving on" not in done.stdout


def test_seed_refuses_an_unmigrated_database(databases, tmp_path, monkeypatch) -> None:
    url = databases.empty()
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["seed"])
    assert result.exit_code != 0
    assert "kb db upgrade" in result.output
    databases.drop(url)


def test_version_is_kbs_own(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"kb {metadata.version('kb')}\n"


def test_python_dash_m_kb_is_the_kb_command(tmp_path) -> None:
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "kb", "--version"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"kb {metadata.version('kb')}\n"


README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_names_every_command_and_every_check(tmp_path, monkeypatch) -> None:
    """Like sqlite-utils' test_docs: a command or a `kb check` check that README does not
    name fails here, and so does a README check row that names no check."""
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    readme = README.read_text(encoding="utf-8")
    with cli.make_context("kb", [], resilient_parsing=True) as ctx:
        leaves = [path for path, cmd in _walk(cli, ctx) if not isinstance(cmd, click.Group)]
    missing = [" ".join(path) for path in leaves if f"`kb {' '.join(path)}" not in readme]
    assert missing == [], f"commands README.md does not name: {missing}"
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", readme, re.M))
    names = {check.name for check in checks.checks("sqlite://")}
    assert names == documented, f"checks missing from README.md: {names - documented}"
