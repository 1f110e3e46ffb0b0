"""Alembic driven from kb: the migrations folder and the database URL come from the app, so
`kb db upgrade` needs no alembic.ini and works the same from a checkout and from a wheel.

A migration whose downgrade destroys data that its upgrade cannot bring back (a table or a
column of records, not an index or a derived flag) says so in a module attribute,
`downgrade_loses_data = "what is lost"`; `kb db downgrade` refuses to run such a step without
--yes-lose-data (see `downgrade_losses`). Every other step must come back up with every row:
tests/test_migrations.py walks each one down and up on a populated database.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Engine, inspect

from kb.paths import resource_dir


class MigrationError(Exception):
    """A revision that does not exist or cannot be reached from where the database is, or a
    migration that refused: one sentence for the terminal, never Alembic's traceback."""


@contextmanager
def _plain_errors() -> Iterator[None]:
    try:
        yield
    except (CommandError, RevisionError) as exc:
        raise MigrationError(str(exc).strip() or type(exc).__name__) from None


def alembic_config(url: str, stdout: TextIO | None = None) -> Config:
    cfg = Config(stdout=stdout) if stdout is not None else Config()
    cfg.set_main_option("script_location", str(resource_dir("migrations")))
    cfg.attributes["kb.url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    with _plain_errors():
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    with _plain_errors():
        command.downgrade(alembic_config(url), revision)


def downgrade_losses(url: str, engine: Engine, revision: str) -> list[str]:
    """What going down from the database's revision to REVISION destroys for good, one line per
    migration that declares `downgrade_loses_data`; empty when nothing is lost. Raises
    MigrationError when REVISION is unknown or not below the database's revision."""
    current = current_revision(engine)
    if current is None:
        return []
    script = ScriptDirectory.from_config(alembic_config(url))
    with _plain_errors():
        steps = list(script.iterate_revisions(current, revision))
    return [
        f"{step.revision}: {step.module.downgrade_loses_data}"
        for step in steps
        if getattr(step.module, "downgrade_loses_data", None)
    ]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.lru_cache(maxsize=8)
def _revisions(url: str) -> tuple[str | None, frozenset[str]]:
    """The head and every known revision. The migrations ship with the code, so reading them
    once per process is enough (a /healthz probe then costs one query)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def head_revision(url: str) -> str | None:
    """The latest migration of this code."""
    return _revisions(url)[0]


def known_revisions(url: str) -> frozenset[str]:
    """Every migration of this code, to tell an older schema from a newer release's."""
    return _revisions(url)[1]


def is_empty(engine: Engine) -> bool:
    """True when the database has no kb tables at all (a fresh file or schema)."""
    return not inspect(engine).has_table("person")


# -- what Alembic leaves out of the model comparison (env.py and tests/test_migrations.py) --


def include_object(
    obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    """Alembic filter: leave the search index objects out of the model comparison, since the
    models do not (and should not) describe FTS5 shadow tables or expression indexes."""
    if type_ == "table" and name and name.startswith("search_fts"):
        return False
    return not (type_ == "index" and name and name.startswith("ix_fts_"))


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Alembic filter applied before reflection: FTS5's virtual table is never reflected."""
    return not (type_ == "table" and name and name.startswith("search_fts"))
