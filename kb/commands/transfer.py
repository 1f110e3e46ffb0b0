"""`kb export` and `kb import`."""

from __future__ import annotations

import click

commands: list[click.Command] = []
