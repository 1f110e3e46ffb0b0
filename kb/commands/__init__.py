"""Commands of the `kb` group beyond the foundation's, one module per concern. Each module
exposes `commands`, a list of click commands that kb.cli adds to the app's CLI."""

from __future__ import annotations

import importlib

import click

MODULES = ("users", "transfer", "synth", "maintenance")


def all_commands() -> list[click.Command]:
    found: list[click.Command] = []
    for name in MODULES:
        module = importlib.import_module(f"kb.commands.{name}")
        found.extend(getattr(module, "commands", []))
    return found
