"""The `kb` command: a Flask CLI group over kb.create_app, so `kb run`, `kb shell` and
`kb routes` come with it. Each resource's own commands are added here."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import DBAPIError, OperationalError

from kb import create_app, migrate
from kb.db import UNAVAILABLE_MESSAGES, get_engine, session_scope, unavailable_reason
from kb.errors import DataError
from kb.serving import WORKER_CLASSES


class KbGroup(FlaskGroup):
    """Flask's CLI group, plus one rule for every command: when the database cannot serve
    (locked, read-only, disk full, unreachable), say so in a sentence and exit 1, instead of
    a traceback that buries the reason."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            reason = unavailable_reason(exc)
            if reason is None and not isinstance(exc, OperationalError):
                raise
            detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            message = UNAVAILABLE_MESSAGES[reason] if reason else "The database refused."
            raise click.ClickException(
                f"{message} (database said: {detail})" if detail else message
            ) from None


@click.group(cls=KbGroup, create_app=create_app, load_dotenv=False)
def cli() -> None:
    """kb: a knowledge base of who claims what about AI risk, and on what evidence.

    The database is KB_DATABASE_URL (any SQLAlchemy URL), or an SQLite file in the
    instance folder when it is unset.
    """


def init_app(app) -> None:
    """Add kb's commands to the app's CLI, where both `kb` and Flask's test runner find them."""
    from kb.commands import all_commands

    for command in (db_group, seed_command, serve_command, *all_commands()):
        app.cli.add_command(command)


@click.group("db")
def db_group() -> None:
    """Create and migrate the database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.current_revision(get_engine()) or 'base'}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; "base" empties it)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {migrate.current_revision(get_engine()) or 'base'}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the database's migration revision and the latest one."""
    url = current_app.config["DATABASE_URL"]
    current = migrate.current_revision(get_engine())
    head = migrate.head_revision(url)
    state = "up to date" if current == head else "needs `kb db upgrade`"
    click.echo(f"current: {current or 'base (empty)'}\nhead:    {head}\n{state}")


def _require_schema() -> None:
    url = current_app.config["DATABASE_URL"]
    if migrate.current_revision(get_engine()) != migrate.head_revision(url):
        raise click.ClickException("the database schema is not up to date: run `kb db upgrade`")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load the seed dataset (Chollet, Musk, Hawking, Rees). Running it again changes nothing."""
    from kb.seed import load_seed

    _require_schema()
    try:
        with session_scope() as session:
            session.info["actor"] = "cli"
            report = load_seed(session)
    except DataError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        sys.exit(1)
    for line in report.lines():
        click.echo(line)
    click.echo("seed loaded" if report.changed else "seed already loaded: nothing changed")


def prepare_database() -> str:
    """Migrate the database to the latest schema and, when it holds no data, load the seed.
    Returns what was done, for the log."""
    from kb.seed import load_seed

    engine = get_engine()
    url = current_app.config["DATABASE_URL"]
    was_empty = migrate.is_empty(engine)
    if migrate.current_revision(engine) != migrate.head_revision(url):
        migrate.upgrade(url)
    if not was_empty:
        return "database ready"
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
    from kb import serving

    try:
        serving.check_address(host, port)
    except serving.CannotListen as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(prepare_database())
    get_engine().dispose()  # the workers open their own connections after the fork
    click.echo(f"serving on http://{host}:{port}/")
    workers = workers or serving.default_workers()
    serving.serve(host, port, workers, threads, access_log, worker_class=worker_class)
