"""The database a benchmark measures: an SQLite file (a Path) or a PostgreSQL URL (a str).

    python benchmarks/run.py --db-url postgresql+psycopg://postgres@127.0.0.1:55001/postgres \
        --only pages,graph,export

Every section reaches its database through these helpers: `url_of` for kb (KB_DATABASE_URL),
`connect` for the plain-driver floors and the benchmark's own queries (sqlite3 for a file,
psycopg for PostgreSQL), `prepare_postgres` to migrate a PostgreSQL database and fill it with
`kb synth` when it holds no people yet (one already loaded is reused as it is).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Db = Path | str
"""An SQLite file, or a SQLAlchemy URL of a PostgreSQL database."""

SQLITE_PRAGMAS = (
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
)


def is_sqlite(db: Db) -> bool:
    return isinstance(db, Path)


def url_of(db: Db) -> str:
    """The SQLAlchemy URL kb is given for `db`."""
    return f"sqlite:///{db}" if isinstance(db, Path) else db


def kind(db: Db) -> str:
    return "SQLite" if is_sqlite(db) else "PostgreSQL"


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as psycopg's own connect() takes it."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.split('+')[0]}://{rest}"


def connect(db: Db, tuned: bool = False) -> Any:
    """A plain DB-API connection: sqlite3 (with kb's connection settings when `tuned`) or
    psycopg, in autocommit so that reads see the latest commit."""
    if isinstance(db, Path):
        conn = sqlite3.connect(db)
        if tuned:
            for pragma in SQLITE_PRAGMAS:
                conn.execute(pragma)
        return conn
    import psycopg

    return psycopg.connect(libpq_url(db), autocommit=True)


@contextlib.contextmanager
def connection(db: Db, tuned: bool = False) -> Iterator[Any]:
    conn = connect(db, tuned)
    try:
        yield conn
    finally:
        conn.close()


def rows(db: Db, sql: str) -> list[tuple[Any, ...]]:
    with connection(db) as conn:
        return list(conn.execute(sql).fetchall())


def dict_rows(conn: Any, sql: str) -> Iterator[dict[str, Any]]:
    """Rows of `sql` as dicts, on either driver."""
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def prepare_postgres(
    url: str,
    synth: list[str],
    people: int,
    run_kb: Callable[[list[str], float], Any],
    log: Callable[[str], None],
) -> float | None:
    """Migrate the PostgreSQL database at `url` and, when it has no people, fill it with
    `kb synth` (`synth`: its arguments). Returns the seconds kb synth took, or None when the
    database was already loaded (with `people` people: the scale asked for) and is reused."""
    _, proc = run_kb(["db", "upgrade"], 600)
    if proc.returncode:
        raise RuntimeError(f"kb db upgrade failed on {url}:\n{proc.stderr}")
    (found,) = rows(url, "SELECT count(*) FROM person")[0]
    if found:
        if found != people:
            raise RuntimeError(
                f"{url} already holds {found} people, not this scale's {people}: give an "
                "empty database (or the one an earlier run at this scale loaded)"
            )
        log(f"PostgreSQL database already loaded; reused: {url}")
        return None
    seconds, proc = run_kb(synth, 3600)
    if proc.returncode:
        raise RuntimeError(f"kb synth failed on {url}:\n{proc.stdout}\n{proc.stderr}")
    with connection(url) as conn:
        conn.execute("VACUUM ANALYZE")
    return float(seconds)


@contextlib.contextmanager
def scratch_postgres(url: str, name: str) -> Iterator[str]:
    """A new empty database `name` on the same server as `url`'s (its URL), dropped after."""
    base, _, rest = url.partition("?")
    server = base.rpartition("/")[0]
    with connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}" + (f"?{rest}" if rest else "")
    finally:
        with connection(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def import_into_postgres(
    url: str,
    work: Path,
    run_kb: Callable[[list[str], str, float], Any],
    log: Callable[[str], None],
) -> tuple[int, float] | str:
    """`kb import` of a JSON dump of `url`'s data into a scratch database on the same server:
    (rows imported, seconds), or why it could not be done."""
    dump = work / "dump-postgres.json"
    _, proc = run_kb(["export", "--format", "json", "--output", str(dump)], url, 3600)
    if proc.returncode:
        return f"kb export failed: {(proc.stderr or proc.stdout)[-300:]}"
    try:
        with scratch_postgres(url, "kb_bench_import") as scratch:
            _, proc = run_kb(["db", "upgrade"], scratch, 600)
            if proc.returncode:
                return f"kb db upgrade failed: {proc.stderr[-300:]}"
            seconds, proc = run_kb(["import", str(dump)], scratch, 3600)
            if proc.returncode:
                return f"kb import failed: {(proc.stderr or proc.stdout)[-300:]}"
            with connection(scratch) as conn:
                tables = ("person", "topic", "source", "source_author", "claim", "claim_topic")
                tables += ("quote", "stance", "stance_evidence", "claim_relation")
                n = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables)
            log(f"bulk: kb import into PostgreSQL: {n} rows in {seconds:.1f} s")
            return n, float(seconds)
    finally:
        dump.unlink(missing_ok=True)
