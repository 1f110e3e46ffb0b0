"""The foundation's commands: `kb db` (migrations), `kb seed` and `kb serve`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import ScriptInfo, with_appcontext

from kb import migrate
from kb.cli.commands import require_schema
from kb.cli.serving import WORKER_CLASSES
from kb.errors import DataError
from kb.store import checks
from kb.web.database import get_engine, session_scope


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema (Alembic)."""


def _where(engine) -> str:
    return migrate.current_revision(engine) or "base"


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    try:
        migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    except migrate.MigrationError as exc:
        raise click.ClickException(f"cannot upgrade to {revision!r}: {exc}") from None
    click.echo(f"database at {_where(get_engine())}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@click.option(
    "--yes-lose-data",
    is_flag=True,
    help="Run a downgrade that destroys records (going to base drops every table).",
)
@with_appcontext
def db_downgrade(revision: str, yes_lose_data: bool) -> None:
    """Migrate the database down to REVISION (default: one step; "base" empties it).

    A step whose downgrade destroys records is refused without --yes-lose-data; every other
    step keeps every row, and `kb db upgrade` brings the schema back."""
    url, engine = current_app.config["DATABASE_URL"], get_engine()
    try:
        losses = migrate.downgrade_losses(url, engine, revision)
        if losses and not yes_lose_data:
            for loss in losses:
                click.echo(f"would lose data: {loss}", err=True)
            raise click.ClickException(
                f"downgrading to {revision!r} destroys data: nothing was changed. Export first "
                "(`kb export --format json --output kb.json`), then add --yes-lose-data."
            )
        migrate.downgrade(url, revision)
    except migrate.MigrationError as exc:
        raise click.ClickException(f"cannot downgrade to {revision!r}: {exc}") from None
    engine.dispose()
    click.echo(f"database at {_where(engine)} (kb needs {migrate.head_revision(url)} to serve)")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's migration revision and the latest one. Exit status: 0 when they
    match, 1 when not (an upgrade is needed, or a newer release migrated the database)."""
    url = current_app.config["DATABASE_URL"]
    state = checks.schema_state(migrate.current_revision(get_engine()), url)
    words = {"ok": "up to date", "ahead": "ahead: migrated by a newer release of kb"}
    click.echo(
        f"current: {state.current or 'base (empty)'}\nhead:    {state.head}\n"
        f"{words.get(state.status, 'needs `kb db upgrade`')}"
    )
    if not state.ok:
        sys.exit(1)


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the seed dataset (28 people from the checked fact sheet): add only what is missing.

    A seed record already in the database is never changed, even when an editor corrected it,
    and one an editor deleted is not added back: the output counts what was skipped and names
    the records kept as edited or left deleted. Running it again changes nothing."""
    from kb.load.seed import load_seed

    require_schema()
    try:
        with session_scope() as session:
            session.info["actor"] = "cli"
            report = load_seed(session)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    for line in report.skipped_lines():
        click.echo(line)
    click.echo("seed loaded" if report.changed else "seed already loaded: nothing changed")


def prepare_database() -> str:
    """Make an empty database (no kb schema) ready to serve: migrate it and load the seed, so a
    fresh machine shows real data. A database that has a schema is left as it is: one that is
    behind (or ahead of) the code is refused with what to do, since migrating it is the
    operator's decision (several servers, a backup first). Returns what was done, for the log."""
    from kb.load.seed import load_seed

    engine = get_engine()
    url = current_app.config["DATABASE_URL"]
    if not migrate.is_empty(engine):
        state = checks.schema_state(migrate.current_revision(engine), url)
        if not state.ok:
            raise click.ClickException(
                f"{state.detail}. kb serve migrates only an empty database; nothing was changed."
            )
        return "database ready"
    migrate.upgrade(url)
    with session_scope() as session:
        session.info["actor"] = "serve"
        load_seed(session)
    return "empty database: migrated and loaded the seed"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker processes (default: 2 x cores + 1).",
)
@click.option(
    "--worker-class",
    type=click.Choice(WORKER_CLASSES),
    default="gevent",
    show_default=True,
    help="gevent: a greenlet per connection, so slow clients tie up nothing; gthread: a "
    "thread per request (--threads per worker).",
)
@click.option(
    "--threads", type=int, default=4, show_default=True, help="Threads per worker (gthread)."
)
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@with_appcontext
def serve_command(
    host: str,
    port: int,
    workers: int | None,
    worker_class: str,
    threads: int,
    access_log: bool,
) -> None:
    """Serve kb with gunicorn, a production WSGI server. An empty database is migrated and
    seeded first, so a fresh machine shows real data."""
    from kb.cli import serving

    info = click.get_current_context().ensure_object(ScriptInfo)
    try:
        serving.check_address(host, port)
    except serving.CannotListen as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(prepare_database())
    get_engine().dispose()  # the workers open their own connections after the fork
    click.echo(f"serving on http://{host}:{port}/")
    serving.serve(
        host,
        port,
        workers or serving.default_workers(),
        threads,
        access_log,
        # the factory the `kb` group was given (kb.create_app): each worker builds its own app
        app_factory=info.create_app or info.load_app,
        worker_class=worker_class,
    )


commands = [db_group, seed_command, serve_command]
