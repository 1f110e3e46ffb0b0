"""A read snapshot sees one committed state from its first query to its end, whatever commits
meanwhile: an export taken during an import must hold all of it or none of it."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from kb import models as m
from kb.db import make_engine, read_snapshot


def _topics(conn) -> int:
    return conn.scalar(select(func.count()).select_from(m.Topic))


def test_read_snapshot_does_not_see_a_commit_made_during_it(database_url) -> None:
    reader, writer = make_engine(database_url), make_engine(database_url)
    try:
        with read_snapshot(reader) as conn:
            first = _topics(conn)
            with writer.begin() as w:
                w.execute(insert(m.Topic).values(slug="synthetic-during", name="Synthetic during"))
            assert _topics(conn) == first  # the commit happened after the snapshot began
            names = conn.scalars(select(m.Topic.name)).all()
            assert "Synthetic during" not in names
        with read_snapshot(reader) as conn:
            assert _topics(conn) == first + 1  # a new snapshot sees it
    finally:
        reader.dispose()
        writer.dispose()
