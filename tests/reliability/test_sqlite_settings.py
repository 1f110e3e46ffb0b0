"""The SQLite settings every connection gets, which the load and fault tests rely on: foreign
keys enforced, WAL (readers never wait for the writer), a busy timeout (a writer waits for the
lock instead of failing at once) and synchronous=FULL (an acknowledged commit is on disk)."""

from __future__ import annotations

from kb.db import SQLITE_BUSY_TIMEOUT_MS, make_engine


def test_every_sqlite_connection_gets_kbs_settings(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        for _ in range(2):  # a second connection too: SQLite forgets these per connection
            with engine.connect() as conn:
                values = {
                    name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("foreign_keys", "journal_mode", "busy_timeout", "synchronous")
                }
            assert values == {
                "foreign_keys": 1,
                "journal_mode": "wal",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "synchronous": 2,  # FULL
            }
            assert SQLITE_BUSY_TIMEOUT_MS >= 5000
            engine.dispose()
    finally:
        engine.dispose()
