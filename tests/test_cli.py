"""The `kb` command: a Flask CLI group whose every command explains itself."""

from __future__ import annotations

import click
from click.testing import CliRunner

from kb.cli import cli


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
    assert "needs `kb db upgrade`" in runner.invoke(cli, ["db", "current"]).output
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in runner.invoke(cli, ["db", "current"]).output
    result = runner.invoke(cli, ["db", "downgrade", "base"])
    assert result.exit_code == 0 and "base" in result.output
    databases.drop(url)


def test_seed_refuses_an_unmigrated_database(databases, tmp_path, monkeypatch) -> None:
    url = databases.empty()
    monkeypatch.setenv("KB_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("KB_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["seed"])
    assert result.exit_code != 0
    assert "kb db upgrade" in result.output
    databases.drop(url)
