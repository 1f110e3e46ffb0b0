"""`kb users ...`: accounts for the admin side."""

from __future__ import annotations

import click

commands: list[click.Command] = []
