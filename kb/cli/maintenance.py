"""`kb backup` and `kb check`: keep a copy of the database, and know that it is sound.

A backup of a live SQLite database cannot be a file copy: a copy taken while a write is under
way, or without the -wal file beside it, can be torn or miss committed data. `kb backup` uses
SQLite's online backup API instead, reading one consistent snapshot while the app goes on
writing; PostgreSQL has pg_dump for that, and the command says so.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from kb.db import SQLITE_BUSY_TIMEOUT_MS
from kb.store import checks
from kb.web.database import get_engine

DEFAULT_STEP_PAGES = 1024  # 4 MiB per step with SQLite's default 4 KiB pages
BUSY_SECONDS = SQLITE_BUSY_TIMEOUT_MS / 1000  # as long as kb's own connections wait


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    pages: int
    size: int
    data_version: int | None
    schema: str | None
    integrity: str  # "ok", or SQLite's first complaint about the copy; "not checked"
    restarts: int  # times SQLite started the copy over; 0 while the snapshot is held


Progress = Callable[[int, int], None]  # (pages copied, pages in all)


def pg_dump_hint(url: URL, path: str) -> str:
    """The pg_dump (and pg_restore) commands for a PostgreSQL URL, password left out (give it
    in PGPASSWORD or ~/.pgpass, not on a command line other users can read)."""
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    target = shlex.quote(path)
    return (
        f"pg_dump --format=custom --file={target} {shlex.quote(plain)}\n"
        f"restore it with: pg_restore --clean --if-exists --no-owner "
        f"--dbname={shlex.quote(plain)} {target}"
    )


def backup_sqlite(
    source: Path,
    target: Path,
    *,
    force: bool = False,
    step_pages: int = DEFAULT_STEP_PAGES,
    verify: bool = True,
    progress: Progress | None = None,
) -> BackupResult:
    """Copy the SQLite database `source` to `target`, consistently, while others write to it.

    The copy is one snapshot: the source connection opens a read transaction before the
    first page is copied and holds it to the last, so every step reads the same committed
    state. (Without it, SQLite restarts a stepped backup from page one whenever another
    process commits, and a busy database would never finish.) In WAL mode, which kb always
    uses, that read transaction blocks no writer.

    The copy is written to a temporary file beside `target`, made self-contained (rollback
    journal mode, no -wal file needed), optionally checked with PRAGMA integrity_check,
    synced, and only then renamed over `target`: a crash or a full disk leaves no half-written
    backup under the real name.
    """
    source, target = Path(source), Path(target)
    _check_backup_paths(source, target, force, step_pages)
    tmp = _temporary_beside(target)
    steps = _Steps(progress)
    try:
        pages, data_version, schema, integrity = _copy(source, tmp, step_pages, verify, steps)
        if integrity not in ("ok", "not checked"):
            raise BackupError(f"the copy failed its integrity check: {integrity}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from exc
    except OSError as exc:
        raise BackupError(f"the backup could not be written to {target}: {exc.strerror}") from exc
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)
    size = target.stat().st_size
    return BackupResult(target, pages, size, data_version, schema, integrity, steps.restarts)


def _check_backup_paths(source: Path, target: Path, force: bool, step_pages: int) -> None:
    """Refuse, before anything is written, a backup that cannot or should not be made."""
    if not source.is_file():
        raise BackupError(f"there is no database file at {source}")
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the backup's file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.exists():
        if target.resolve() == source.resolve():
            raise BackupError(f"{target} is the database itself: back it up somewhere else")
        if not force:
            raise BackupError(f"{target} exists: use --force to replace it")
    if step_pages < 1:
        raise BackupError("--pages must be at least 1")


def _temporary_beside(target: Path) -> Path:
    """An empty temporary file in `target`'s folder, so the final rename stays on one disk."""
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as exc:
        raise BackupError(f"cannot write in {target.parent}: {exc.strerror}") from exc
    os.close(fd)
    return Path(tmp_name)


class _Steps:
    """The backup's progress callback: reports each step and counts SQLite's restarts."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.restarts = 0
        self.left: int | None = None

    def __call__(self, _status: int, remaining: int, total: int) -> None:
        # More pages left than a step ago: SQLite started over (the snapshot moved).
        if self.left is not None and remaining > self.left:
            self.restarts += 1
        self.left = remaining
        if self.progress is not None:
            self.progress(total - remaining, total)


def _copy(
    source: Path, tmp: Path, step_pages: int, verify: bool, steps: _Steps
) -> tuple[int, int | None, str | None, str]:
    """Copy one snapshot of `source` into `tmp`, self-contained: (pages, data version,
    schema version, integrity)."""
    with (
        closing(sqlite3.connect(source, timeout=BUSY_SECONDS, isolation_level=None)) as src,
        closing(sqlite3.connect(tmp, isolation_level=None)) as dst,
    ):
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchall()  # the snapshot starts
        src.backup(dst, pages=step_pages, progress=steps)
        src.execute("COMMIT")
        dst.execute("PRAGMA journal_mode=DELETE")
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        data_version = _scalar(dst, "SELECT data_version FROM kb_state WHERE id = 1")
        schema = _scalar(dst, "SELECT version_num FROM alembic_version")
        integrity = "not checked"
        if verify:
            rows = [r[0] for r in dst.execute("PRAGMA integrity_check")]
            integrity = "ok" if rows == ["ok"] else rows[0]
    return pages, data_version, schema, integrity


def _scalar(conn: sqlite3.Connection, sql: str) -> Any:
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.OperationalError:  # not a kb database (yet): a copy all the same
        return None
    return row[0] if row else None


def _fsync_dir(folder: Path) -> None:
    # The rename is durable once the folder's entry is on disk (POSIX; a no-op elsewhere).
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _ProgressLines:
    """Progress on stderr: a line per tenth of the pages (a rewritten line on a terminal)."""

    def __init__(self) -> None:
        self.shown = -1
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if tenth == self.shown:
            return
        self.shown = tenth
        end = "\r" if self.tty and done < total else "\n"
        click.echo(f"backup: {done} of {total} pages ({10 * tenth}%)", err=True, nl=False)
        click.echo(end, err=True, nl=False)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.option(
    "--pages",
    "step_pages",
    type=click.IntRange(min=1),
    default=DEFAULT_STEP_PAGES,
    show_default=True,
    help="Pages copied per step (progress is reported between steps).",
)
@click.option(
    "--verify/--no-verify",
    default=True,
    show_default=True,
    help="Run PRAGMA integrity_check on the copy before keeping it.",
)
@with_appcontext
def backup_command(path: Path, force: bool, step_pages: int, verify: bool) -> None:
    """Copy the live SQLite database to PATH: one consistent snapshot, taken while the app
    goes on serving and writing. For PostgreSQL, use pg_dump (the error says how)."""
    url = make_url(current_app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"kb backup copies SQLite databases; this one is {url.get_backend_name()}. "
            "Use PostgreSQL's own tool, which also takes a consistent snapshot of a live "
            f"database:\n{pg_dump_hint(url, str(path))}"
        )
    database = url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise click.ClickException("an in-memory database cannot be backed up")
    try:
        result = backup_sqlite(
            Path(database),
            path,
            force=force,
            step_pages=step_pages,
            verify=verify,
            progress=_ProgressLines(),
        )
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"backed up {database} to {result.path}: {result.pages} pages, {result.size} bytes, "
        f"data version {result.data_version}, schema {result.schema}, "
        f"integrity {result.integrity}"
    )


@click.command("check")
@with_appcontext
def check_command() -> None:
    """Check the database: SQLite's own integrity and foreign-key checks, then kb's rules
    (orphans, evidence by the right person, dates, history, schema at head). Prints each
    check with ok or problem and a count; exits with status 1 when any found a problem."""
    results = checks.run_checks(get_engine(), current_app.config["DATABASE_URL"])
    width = max(len(r.name) for r in results)
    for r in results:
        count = "-" if r.status == checks.SKIPPED else str(r.count)
        click.echo(f"{r.status:<8} {r.name:<{width}} {count:>6}  {r.title}")
        if r.note:
            click.echo(f"{'':<8} {'':<{width}} {'':>6}  ({r.note})")
        for example in r.examples:
            click.echo(f"{'':<8} {'':<{width}} {'':>6}  - {example}")
    bad = [r.name for r in results if r.status == checks.PROBLEM]
    skipped = sum(r.status == checks.SKIPPED for r in results)
    if bad:
        click.echo(
            f"kb check: {len(bad)} of {len(results)} checks found problems: " + ", ".join(bad)
        )
        sys.exit(1)
    note = f" ({skipped} skipped on this database)" if skipped else ""
    click.echo(f"kb check: all {len(results) - skipped} checks ok{note}")


commands: list[click.Command] = [backup_command, check_command]
