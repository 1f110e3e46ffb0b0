"""`kb synth`: realistic synthetic data at scale."""

from __future__ import annotations

import sys
import time
from typing import TextIO, cast

import click
from flask import current_app
from flask.cli import with_appcontext

from kb import migrate
from kb.load import bulk
from kb.load.synth import Scale, generate
from kb.web.database import get_engine, session_scope

_REF = Scale()


@click.command("synth")
@click.option("--people", type=int, default=_REF.people, show_default=True)
@click.option("--claims", type=int, default=_REF.claims, show_default=True)
@click.option("--sources", type=int, default=_REF.sources, show_default=True)
@click.option("--quotes", type=int, default=_REF.quotes, show_default=True)
@click.option("--stances", type=int, default=_REF.stances, show_default=True)
@click.option("--relations", type=int, default=_REF.relations, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same data.")
@click.option(
    "--batch-size", type=int, default=bulk.DEFAULT_BATCH_SIZE, show_default=True, hidden=True
)
@with_appcontext
def synth_command(
    people: int,
    claims: int,
    sources: int,
    quotes: int,
    stances: int,
    relations: int,
    seed: int,
    batch_size: int,
) -> None:
    """Fill the database with obviously synthetic data ("Synthetic Person 1", URLs under
    example.org/synthetic), skewed like real data, through the bulk path that `kb import`
    uses. The defaults are the benchmark's reference scale. The database is migrated first
    if it is empty."""
    scale = Scale(people, claims, sources, quotes, stances, relations)
    problems = scale.check()
    if problems:
        raise click.UsageError("; ".join(problems))
    if batch_size < 1:
        raise click.UsageError("--batch-size must be at least 1")
    url = current_app.config["DATABASE_URL"]
    engine = get_engine()
    if migrate.is_empty(engine):
        migrate.upgrade(url)
    elif migrate.current_revision(engine) != migrate.head_revision(url):
        raise click.ClickException("the database schema is not up to date: run `kb db upgrade`")

    started = time.perf_counter()
    show_bar = sys.stdout.isatty()
    with click.progressbar(
        length=scale.total(),
        label="synthesising",
        show_pos=True,
        file=None if show_bar else cast(TextIO, _Null()),
    ) as bar:
        try:
            with session_scope() as session:
                report = generate(session, scale, seed, batch_size, progress=bar.update)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    elapsed = time.perf_counter() - started
    rows = sum(report.counts.values())
    for name, count in report.counts.items():
        click.echo(f"{name}: {count}")
    click.echo(f"{rows} rows in {elapsed:.1f} s ({rows / max(elapsed, 1e-9):,.0f} rows/s)")


class _Null:
    """A file that swallows the progress bar when stdout is not a terminal."""

    def write(self, _text: str) -> int:
        return 0

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


commands: list[click.Command] = [synth_command]
