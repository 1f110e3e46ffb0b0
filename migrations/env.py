"""Alembic environment: the models' metadata is the target; the URL comes from kb.

Run through `kb db upgrade` (kb.migrate builds the Config). `render_as_batch` lets SQLite alter
tables by copying them, as Alembic's batch docs recommend.

On SQLite a batch operation drops the old table and renames the copy; with foreign keys on, that
DROP fires every ON DELETE CASCADE pointing at the table (a batch on `stance` emptied
stance_evidence). So, as the batch docs say, migrations run with foreign keys off, and
`PRAGMA foreign_key_check` must find nothing before the commit. All the migrations of one run
share one SQLite transaction (an explicit BEGIN: Python's sqlite3 module would otherwise commit
each DDL statement on its own), so a failed or refused run leaves the database as it was.
"""

from __future__ import annotations

from alembic import context
from alembic.util import CommandError
from sqlalchemy import Connection, pool

from kb.db import make_engine
from kb.migrate import include_name, include_object
from kb.models import Base

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


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Outside any transaction: inside one SQLite ignores this pragma.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
        # the full-text search objects (migration 0002) are not described by the models
        include_name=include_name,
        include_object=include_object,
    )
    try:
        with context.begin_transaction():
            if sqlite:
                connection.exec_driver_sql("BEGIN")
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a migration that left a row pointing at nothing (checked with foreign
    keys off, they were not enforced while it ran)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise CommandError(
            f"the migration left {len(broken)} rows whose foreign keys point at nothing "
            f"(in {', '.join(tables)}): nothing was changed"
        )


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
