"""`kb synth`: realistic synthetic data at scale."""

from __future__ import annotations

import click

commands: list[click.Command] = []
