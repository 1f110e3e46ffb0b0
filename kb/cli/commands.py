"""Commands of the `kb` group, one module per concern. Each module exposes `commands`, a list
of click commands that `init_app` (called by create_app) adds to the app's CLI."""

from __future__ import annotations

import importlib

import click
from flask import Flask, current_app

from kb import migrate
from kb.web.database import get_engine

MODULES = ("schema", "users", "transfer", "synth", "maintenance", "graph", "verify")


def init_app(app: Flask) -> None:
    """Add kb's commands to the app's CLI, where both `kb` and Flask's test runner find them."""
    for command in all_commands():
        app.cli.add_command(command)


def require_schema() -> None:
    """Refuse to run a command that reads or writes records on a database whose schema is not
    the code's head, with what to do instead of a traceback from a missing column."""
    url = current_app.config["DATABASE_URL"]
    if migrate.current_revision(get_engine()) != migrate.head_revision(url):
        raise click.ClickException("the database schema is not up to date: run `kb db upgrade`")


def all_commands() -> list[click.Command]:
    found: list[click.Command] = []
    for name in MODULES:
        module = importlib.import_module(f"kb.cli.{name}")
        found.extend(getattr(module, "commands", []))
    return found
