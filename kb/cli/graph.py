"""`kb graph`: the agreement between people as the database keeps it (issue 16)."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from kb.cli.commands import require_schema
from kb.store import agreement_store, agreement_tables, derived
from kb.web.database import session_scope


@click.group("graph")
def graph_group() -> None:
    """The agreement graph kept in the database: every write keeps it up to date; `rebuild`
    computes it again from the stances."""


@graph_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Compute the pair counts and claim sides from the latest stances and replace what the
    database keeps, in one transaction (readers see the old store until it commits). Needed
    after a write that went past kb (a script, a restored table), or after `kb db upgrade` on
    a big database, which leaves the store for this command to build; `kb check` says when.
    The camps and the opinion map kept for every worker are dropped, to be computed again."""
    require_schema()
    started = time.perf_counter()

    def say(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    with session_scope() as session:
        pairs, claims = agreement_store.rebuild(session, progress=say)
        derived.forget(session)  # the camps and the map follow from the store: computed again
        version = agreement_tables.state(session.connection()).data
    click.echo(
        f"rebuilt the agreement store: {pairs:,} pairs of people, {claims:,} claims, "
        f"data version {version}, in {time.perf_counter() - started:.1f}s"
    )


commands: list[click.Command] = [graph_group]
