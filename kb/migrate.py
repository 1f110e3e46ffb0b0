"""Alembic driven from kb: the migrations folder and the database URL come from the app, so
`kb db upgrade` needs no alembic.ini and works the same from a checkout and from a wheel."""

from __future__ import annotations

import io

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from kb.paths import resource_dir


def alembic_config(url: str, stdout: io.TextIOBase | None = None) -> Config:
    cfg = Config(stdout=stdout) if stdout is not None else Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.attributes["kb.url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def is_empty(engine: Engine) -> bool:
    """True when the database has no kb tables at all (a fresh file or schema)."""
    return not inspect(engine).has_table("person")
