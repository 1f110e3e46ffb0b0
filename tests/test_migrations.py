"""Migrations own the schema: upgrading an empty database gives exactly the models' schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kb import migrate
from kb.db import make_engine
from kb.models import Base
from kb.queries.search import include_name, include_object


def test_upgrade_from_empty_matches_the_models_exactly(databases) -> None:
    url = databases.empty()
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": include_name,
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == []
        assert migrate.current_revision(engine) == migrate.head_revision(url)
    finally:
        engine.dispose()
        databases.drop(url)


def test_downgrade_to_base_removes_every_table(databases) -> None:
    url = databases.empty()
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        assert migrate.current_revision(engine) is None
        migrate.upgrade(url)  # and back up again
        assert inspect(engine).has_table("stance")
    finally:
        engine.dispose()
        databases.drop(url)
