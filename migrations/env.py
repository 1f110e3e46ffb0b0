"""Alembic environment: the models' metadata is the target; the URL comes from kb.

Run through `kb db upgrade` (kb.migrate builds the Config). `render_as_batch` lets SQLite alter
tables by copying them, as Alembic's batch docs recommend.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

from kb.db import make_engine
from kb.models import Base
from kb.queries.search import include_name, include_object

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("kb.url") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        # the full-text search objects (migration 0002) are not described by the models
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
