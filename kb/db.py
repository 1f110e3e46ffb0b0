"""The database engine, a session per request, and SQLite's connection settings.

Query and write functions take a Session and never commit: the request or the CLI command that
opened the session owns the transaction (see SQLAlchemy's "When do I construct a Session").
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.pool import QueuePool

SQLITE_BUSY_TIMEOUT_MS = 5000
# The same bound on PostgreSQL: a write waiting for a lock gives up after this long (55P03, a
# 503 "busy" page) instead of hanging until gunicorn kills the worker; a migration waiting
# for its table lock gives up too, rather than queueing every reader behind it.
POSTGRESQL_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; on SQLite, turn on foreign keys, WAL and a busy timeout for every
    connection (SQLite forgets these settings per connection, so a listener sets them), and
    guard a database file that may turn read-only (see _guard_sqlite_file); on PostgreSQL, a
    lock timeout of the same length."""
    path = _sqlite_path(url)
    if path is not None and "poolclass" not in kwargs:
        kwargs["poolclass"] = SQLiteFilePool
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        if path is not None:
            _guard_sqlite_file(engine, path)
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _postgresql_on_connect)
    return engine


def _postgresql_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET lock_timeout = {POSTGRESQL_LOCK_TIMEOUT_MS}")
    cursor.close()
    # SET opened a transaction (the driver is not in autocommit); the setting outlives it.
    dbapi_connection.commit()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets readers go on while one writer writes; it is a property of the file, so
    # setting it on every connection is cheap and idempotent. Not available for :memory:.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk (the WAL fsynced) before the editor is told "saved". NORMAL
    # survives a killed process too, but may lose the last commits to a power cut or an OS
    # crash; an acknowledged edit of the evidence must not be lost, and ~3 ms more per commit
    # is nothing next to a person typing.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


# -- an SQLite file that turns read-only for a while ------------------------------------------
#
# Two ways it used to hurt, both on a file made read-only under a running server (chmod,
# chattr +i, a file system remounted read-only after an error):
# - SQLite maps the WAL index (the -shm file) into memory and writes to it on every read and
#   write; when the kernel refuses a write to that map, the process dies of SIGBUS. So no
#   connection is handed out, and none opened, while the -shm file cannot be written: the
#   request gets a 503 instead (SQLiteFileReadOnly), and nothing touches the map.
# - A connection opened while the file was read-only stays read-only for its whole life, and
#   the pool kept it: after the file was writable again, every save that drew it failed. Now a
#   connection that saw SQLite refuse to write (or read) is replaced at its next checkout, and
#   one opened while the file was read-only at its first checkout once the file is writable.
# What remains: a file made read-only in the middle of a request can still kill that worker
# (gunicorn starts another); nothing in user space can catch that fault.

_READ_ONLY_AT_OPEN = "kb.read_only_at_open"
_REFUSED_A_WRITE = "kb.refused_a_write"
# SQLite primary codes after which a connection is not trusted again: PERM, READONLY, IOERR,
# CANTOPEN (a read-only or vanished file, not a busy lock or a full disk).
_SQLITE_DISCARD = frozenset({3, 8, 10, 14})


class SQLiteFileReadOnly(sqlite3.OperationalError):
    """Raised instead of using a connection while the database's -shm file cannot be written.
    Its code is SQLITE_READONLY, so unavailable_reason gives the same "read-only" 503."""

    sqlite_errorcode = 8


def _sqlite_path(url: str) -> str | None:
    """The file of an SQLite URL (plain or file: URI), or None (not SQLite, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if database.startswith("file:"):
        database = database[len("file:") :].split("?", 1)[0]
    return None if database in ("", ":memory:") else database


def _writable(path: str) -> bool:
    """Whether this process may write to path (False when it exists and may not): access(2)
    also says no to root for an immutable file or a read-only file system."""
    return not os.access(path, os.F_OK) or os.access(path, os.W_OK)


def _refuse_unwritable_shm(path: str) -> None:
    if not _writable(path + "-shm"):
        raise SQLiteFileReadOnly("the database's -shm file is read-only")


class SQLiteFilePool(QueuePool):
    """SQLAlchemy's pool for an SQLite file, which hands out no connection while the
    database's -shm file cannot be written (see above): refusing here, before any statement,
    keeps the connection and its memory map untouched."""

    kb_path: str | None = None

    def _do_get(self) -> Any:
        if self.kb_path is not None:
            _refuse_unwritable_shm(self.kb_path)
        return super()._do_get()

    def recreate(self) -> QueuePool:
        pool = cast(SQLiteFilePool, super().recreate())  # a new pool of this same class
        pool.kb_path = self.kb_path  # engine.dispose() makes a new pool
        return pool


def _guard_sqlite_file(engine: Engine, path: str) -> None:
    if isinstance(engine.pool, SQLiteFilePool):
        engine.pool.kb_path = path

    @event.listens_for(engine, "do_connect")
    def _before_open(_dialect: Any, record: Any, _cargs: Any, _cparams: Any) -> None:
        _refuse_unwritable_shm(path)
        record.info[_READ_ONLY_AT_OPEN] = not _writable(path)

    @event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if record.info.get(_REFUSED_A_WRITE) or (
            record.info.get(_READ_ONLY_AT_OPEN) and _writable(path)
        ):
            raise DisconnectionError("the connection saw its database file read-only")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        # Marked, not invalidated on the spot: the transaction that failed may still run its
        # clean-up (a rollback, a PRAGMA) on it; the pool replaces it at its next checkout.
        code = getattr(context.original_exception, "sqlite_errorcode", None)
        conn = context.connection
        discard = isinstance(code, int) and code & 0xFF in _SQLITE_DISCARD
        if discard and conn is not None and not conn.invalidated:
            conn.info[_REFUSED_A_WRITE] = True


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose every query sees the same committed state, for work that reads many
    queries and must not mix before and after someone's commit (an export taken while an import
    commits must hold all of the import or none of it).

    PostgreSQL: REPEATABLE READ. SQLite: Python's sqlite3 module (before 3.12's `autocommit`)
    opens a transaction only before a write, so SELECTs inside SQLAlchemy's begin() each see
    the latest commit; an explicit BEGIN makes the first read pin one WAL snapshot until the
    end. Readers never block writers in WAL mode, so holding it for a long export is fine."""
    conn = engine.connect()
    try:
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            yield conn
    finally:
        conn.close()


# -- when the database cannot serve ------------------------------------------------------------

# What a reader or an operator is told when the database refuses for a reason that is not a bug
# in kb: the words say what happened and what still works, never the driver's internals.
UNAVAILABLE_MESSAGES = {
    "busy": "The database is busy with other changes. Nothing was saved; please try again in "
    "a moment.",
    "read_only": "The database is read-only at the moment, so nothing can be saved. Reading "
    "still works.",
    "full": "The database's disk is full, so nothing can be saved. Nothing was changed; reading "
    "still works.",
    "unreachable": "The database cannot be reached at the moment. Please try again later.",
    "schema": "The database is not at the schema this version of kb needs: an operator must run "
    "`kb db upgrade` (or serve the newer release that migrated it). Please try again later.",
}

# SQLite primary result codes (the low byte of an extended code), see sqlite.org/rescode.html.
_SQLITE_REASONS = {
    3: "read_only",  # SQLITE_PERM
    5: "busy",  # SQLITE_BUSY
    6: "busy",  # SQLITE_LOCKED
    8: "read_only",  # SQLITE_READONLY
    10: "unreachable",  # SQLITE_IOERR
    13: "full",  # SQLITE_FULL
    14: "unreachable",  # SQLITE_CANTOPEN
}
# PostgreSQL SQLSTATEs (and classes, by their first two characters).
_PG_REASONS = {
    "25006": "read_only",  # read_only_sql_transaction (also what a hot standby answers)
    "40001": "busy",  # serialization_failure
    "40P01": "busy",  # deadlock_detected
    "55P03": "busy",  # lock_not_available
    "53100": "full",  # disk_full
}
_PG_CLASSES = {
    "08": "unreachable",  # connection exception
    "53": "full",  # insufficient resources (disk, memory, connections)
    "57": "unreachable",  # operator intervention: shutdown, cannot connect now
}


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the database could not serve, as a key of UNAVAILABLE_MESSAGES, or None when the
    error is something else (a constraint, bad SQL: a bug that must stay a 500 and be fixed).

    A busy, read-only, full or unreachable database is a state of the machine, not of kb: the
    web answers 503 with a plain message and the CLI exits 1 with one, instead of a traceback."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_REASONS.get(code & 0xFF)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate:
        return _PG_REASONS.get(sqlstate) or _PG_CLASSES.get(sqlstate[:2])
    if isinstance(exc, OperationalError) and exc.connection_invalidated:
        return "unreachable"
    if isinstance(exc, OperationalError) and sqlstate is None and hasattr(orig, "sqlstate"):
        # psycopg gives no SQLSTATE when it never reached a server (refused, bad host).
        return "unreachable"
    return None


def names_missing_schema(exc: DBAPIError) -> bool:
    """A table or column the query names is not there: SQLite's "no such table/column" (plain
    SQLITE_ERROR), PostgreSQL's undefined_table and undefined_column."""
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in ("42P01", "42703"):
        return True
    text = str(orig)
    return getattr(orig, "sqlite_errorcode", None) == 1 and (
        text.startswith(("no such table", "no such column")) or "has no column named" in text
    )
