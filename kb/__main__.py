"""The `kb` command: a Flask CLI group over kb.create_app, so `kb run`, `kb shell` and
`kb routes` come with it. kb's own commands live in kb.cli.commands; create_app adds them to the
app's CLI, where both `kb` and Flask's test runner find them. This module is the top of the
import order: nothing in kb imports it."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup
from sqlalchemy.exc import DBAPIError, OperationalError

from kb import create_app
from kb.config import ConfigError
from kb.db import UNAVAILABLE_MESSAGES
from kb.web.database import unavailable_reason


class KbGroup(FlaskGroup):
    """Flask's CLI group, plus one rule for every command: when the database cannot serve
    (locked, read-only, disk full, unreachable), say so in a sentence and exit 1, instead of
    a traceback that buries the reason."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
        except DBAPIError as exc:
            reason = unavailable_reason(exc)
            if reason is None and not isinstance(exc, OperationalError):
                raise
            detail = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
            message = UNAVAILABLE_MESSAGES[reason] if reason else "The database refused."
            raise click.ClickException(
                f"{message} (database said: {detail})" if detail else message
            ) from None


@click.group(cls=KbGroup, create_app=create_app, load_dotenv=False, add_version_option=False)
@click.version_option(package_name="kb", message="kb %(version)s")
def cli() -> None:
    """kb: a knowledge base of who claims what about AI risk, and on what evidence.

    The database is KB_DATABASE_URL (any SQLAlchemy URL), or an SQLite file in the
    instance folder when it is unset.
    """


if __name__ == "__main__":  # python -m kb
    cli()
