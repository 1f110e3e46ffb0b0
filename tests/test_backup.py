"""`kb backup`: a consistent copy of a live SQLite database, taken while another process writes.

The writer is a separate process (the case in which SQLite restarts a stepped backup from page
one after every commit) that commits one acknowledged edit at a time: a new person and a
change to a tally topic, in one transaction, then a line in an acknowledgement file. So the
database after write i holds exactly writer persons 1..i, the tally says i, and the data
version is the base plus i. A consistent backup is exactly such a state, for some i no earlier
than the last write acknowledged before it started.

These tests use SQLite files whatever the test backend (backup is SQLite's); the PostgreSQL
test checks that `kb backup` points at pg_dump instead.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from kb import migrate
from kb import models as m
from kb.cli.maintenance import backup_sqlite
from kb.load.seed import load_seed
from kb.web.database import session_scope
from tests.conftest import make_app

WRITER = """
import os, sys
from sqlalchemy import select
from sqlalchemy.engine import make_url
from kb import create_app, models as m
from kb.web.database import session_scope

url, ack, stop = sys.argv[1:4]
app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "writer"})
with app.app_context(), open(ack, "a", encoding="utf-8") as out:
    i = 0
    while not os.path.exists(stop) and i < 100000:
        i += 1
        with session_scope() as s:
            s.info["actor"] = "backup-test"
            s.add(m.Person(slug=f"synthetic-writer-{i}", name=f"Synthetic writer {i}"))
            tally = s.scalar(select(m.Topic).where(m.Topic.slug == "synthetic-tally"))
            tally.description = f"synthetic tally {i}"
        out.write(f"{i}\\n")  # acknowledged: the commit returned
        out.flush()
"""
WAIT_SECONDS = 60  # a bound on waiting for the writer, never an assertion about speed


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file with the writer's tally topic, made once per module."""
    path = tmp_path_factory.mktemp("backup-template") / "template.sqlite3"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = make_app(url, path.parent / "instance")
    with app.app_context(), session_scope() as session:
        load_seed(session)
        session.add(m.Topic(slug="synthetic-tally", name="Synthetic tally", description="0"))
    app.extensions["kb.engine"].dispose()
    return path


@pytest.fixture
def live(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "live.sqlite3"
    shutil.copyfile(template, path)
    return path


class Writer:
    """The writing process and its acknowledgements."""

    def __init__(self, db: Path, folder: Path):
        self.ack = folder / "acks.txt"
        self.stop_file = folder / "stop"
        self.ack.touch()
        env = {**os.environ, "KB_INSTANCE_PATH": str(folder / "writer-instance")}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, f"sqlite:///{db}", str(self.ack), str(self.stop_file)],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            stderr=subprocess.PIPE,
            text=True,
        )

    def acked(self) -> int:
        """The last acknowledged write (complete lines only)."""
        lines = self.ack.read_text(encoding="utf-8").split("\n")[:-1]
        numbers = [int(n) for n in lines]
        assert numbers == list(range(1, len(numbers) + 1))
        return numbers[-1] if numbers else 0

    def wait_for(self, n: int) -> int:
        deadline = time.monotonic() + WAIT_SECONDS
        while (got := self.acked()) < n:
            if self.proc.poll() is not None:
                raise AssertionError(f"the writer died: {self.proc.stderr.read()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the writer is stuck at {got} of {n} writes")
            time.sleep(0.005)
        return got

    def stop(self) -> int:
        self.stop_file.touch()
        _out, err = self.proc.communicate(timeout=WAIT_SECONDS)
        assert self.proc.returncode == 0, err
        return self.acked()


@pytest.fixture
def writer(live: Path, tmp_path: Path) -> Iterator[Writer]:
    w = Writer(live, tmp_path)
    yield w
    if w.proc.poll() is None:
        w.stop_file.touch()
        try:
            w.proc.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            w.proc.kill()


def _export(db: Path, tmp_path: Path) -> dict:
    """The kb/1 JSON export of a database file, as the web serves it."""
    app = make_app(f"sqlite:///{db}", tmp_path / f"instance-{db.stem}")
    try:
        response = app.test_client().get("/export/kb.json")
        assert response.status_code == 200
        return json.loads(response.get_data(as_text=True))
    finally:
        app.extensions["kb.engine"].dispose()


def _state(db: Path) -> tuple[list[int], int, str, int]:
    """(writer numbers present, data version, tally, create revisions of writer persons)."""
    conn = sqlite3.connect(db)
    try:
        slugs = [
            r[0]
            for r in conn.execute("SELECT slug FROM person WHERE slug LIKE 'synthetic-writer-%'")
        ]
        version = conn.execute("SELECT data_version FROM kb_state").fetchone()[0]
        tally = conn.execute(
            "SELECT description FROM topic WHERE slug = 'synthetic-tally'"
        ).fetchone()[0]
        revisions = conn.execute(
            "SELECT count(*) FROM revision r JOIN person p ON p.id = r.entity_id "
            "WHERE r.entity = 'person' AND r.action = 'create' "
            "AND p.slug LIKE 'synthetic-writer-%'"
        ).fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()
    return sorted(int(s.rsplit("-", 1)[1]) for s in slugs), version, tally, revisions


def _snapshot_at(final: dict, k: int) -> dict:
    """What the export said right after write k, derived from the export after the last write:
    writer persons 1..k only, and the tally at k."""
    doc = json.loads(json.dumps(final))
    doc["people"] = [
        p
        for p in doc["people"]
        if not p["slug"].startswith("synthetic-writer-") or int(p["slug"].rsplit("-", 1)[1]) <= k
    ]
    for topic in doc["topics"]:
        if topic["slug"] == "synthetic-tally":
            topic["description"] = f"synthetic tally {k}"
    return doc


def _check_backup(backup: Path, live: Path, base_version: int, acked_before: int, tmp_path: Path):
    """The backup is the state right after some write k >= acked_before; returns k."""
    numbers, version, tally, revisions = _state(backup)
    k = len(numbers)
    assert numbers == list(range(1, k + 1)), "the backup holds a gap: not one snapshot"
    assert k >= acked_before, "a write acknowledged before the backup started is missing"
    assert version == base_version + k, "the data version disagrees with the data"
    assert tally == f"synthetic tally {k}"
    assert revisions == k, "a write's revision is missing (or extra) in the backup"
    assert _export(backup, tmp_path) == _snapshot_at(_export(live, tmp_path), k)
    return k


def _kb_check(db: Path, tmp_path: Path) -> tuple[int, str]:
    app = make_app(f"sqlite:///{db}", tmp_path / "check-instance")
    try:
        result = app.test_cli_runner().invoke(args=["check"])
        return result.exit_code, result.output
    finally:
        app.extensions["kb.engine"].dispose()


def test_backup_is_one_snapshot_while_another_process_writes(live, writer, tmp_path) -> None:
    base_version = _state(live)[1]
    writer.wait_for(5)
    acked_before = writer.acked()
    at_first_step: list[int] = []
    copied = [0]

    def progress(done: int, total: int) -> None:
        # SQLite starts a stepped backup over when another process commits, unless the copy
        # reads one snapshot throughout: then, under steady writes, it would never finish.
        assert done > copied[0], "the backup started over: it is not reading one snapshot"
        copied[0] = done
        if not at_first_step:
            # The snapshot is open: let the writer commit three more edits before the rest of
            # the pages are copied. They must not be in the backup, and must not stop it.
            last = writer.acked()
            at_first_step.append(last)
            writer.wait_for(last + 3)

    target = tmp_path / "backup.sqlite3"
    result = backup_sqlite(live, target, step_pages=2, progress=progress)
    final = writer.stop()

    assert result.restarts == 0 and result.integrity == "ok"
    assert result.pages > 20  # many steps, with commits in between
    k = _check_backup(target, live, base_version, acked_before, tmp_path)
    # Writes committed after the first step (at most one was in flight then) are not in it.
    assert k <= at_first_step[0] + 1 < final
    assert result.data_version == base_version + k
    print(
        f"backup: {result.pages} pages in steps of 2; writes acknowledged before it {acked_before}, "
        f"in it {k}, after the first step {at_first_step[0]}, in all {final}"
    )
    assert result.schema == migrate.head_revision(f"sqlite:///{live}")
    code, output = _kb_check(target, tmp_path)
    assert code == 0, output
    assert not list(tmp_path.glob(".backup.sqlite3.*")), "a temporary file was left behind"


def test_kb_backup_command_and_restore(live, writer, tmp_path) -> None:
    base_version = _state(live)[1]
    writer.wait_for(3)
    acked_before = writer.acked()
    app = make_app(f"sqlite:///{live}", tmp_path / "instance")
    target = tmp_path / "nightly.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", str(target), "--pages", "4"])
    app.extensions["kb.engine"].dispose()
    writer.stop()
    assert result.exit_code == 0, result.output
    assert "(100%)" in result.stderr  # progress, on stderr
    assert f"to {target}" in result.stdout and "integrity ok" in result.stdout

    # Restore: the operator copies the backup into place and points kb at it.
    restored = tmp_path / "restored" / "kb.sqlite3"
    restored.parent.mkdir()
    shutil.copyfile(target, restored)
    k = _check_backup(restored, live, base_version, acked_before, tmp_path)
    assert f"data version {base_version + k}," in result.stdout
    code, output = _kb_check(restored, tmp_path)
    assert code == 0 and "kb check: all" in output, output
    # Or restored in place: kb stopped, the backup copied over the file, the old -wal and
    # -shm removed. The database is then exactly the backup again.
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(target, live)
    assert _export(live, tmp_path) == _export(target, tmp_path)
    assert _state(live) == _state(target)
    # The restored database is a working kb: it takes edits again.
    app = make_app(f"sqlite:///{restored}", tmp_path / "restored-instance")
    with app.app_context(), session_scope() as session:
        session.add(m.Person(slug="synthetic-after-restore", name="Synthetic after restore"))
    with app.app_context(), session_scope() as session:
        assert session.scalar(select(m.KbState.data_version)) == base_version + k + 1
    app.extensions["kb.engine"].dispose()


def test_backup_of_a_quiet_database_exports_byte_for_byte(live, tmp_path) -> None:
    target = tmp_path / "copy.sqlite3"
    backup_sqlite(live, target, step_pages=1)
    # Self-contained: one file in rollback-journal mode, no -wal file needed beside it.
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert not Path(f"{target}-wal").exists()
    # It holds the accounts' password hashes: readable by its owner only.
    assert target.stat().st_mode & 0o777 == 0o600
    exports = []
    for db in (live, target):
        app = make_app(f"sqlite:///{db}", tmp_path / f"i-{db.stem}")
        exports.append(app.test_client().get("/export/kb.json").get_data())
        app.extensions["kb.engine"].dispose()
    assert exports[0] == exports[1] and b"synthetic-tally" in exports[0]


def test_backup_refuses_to_overwrite_without_force(live, tmp_path) -> None:
    app = make_app(f"sqlite:///{live}", tmp_path / "instance")
    runner = app.test_cli_runner()
    target = tmp_path / "exists.sqlite3"
    target.write_bytes(b"an older backup")

    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1
    assert "exists: use --force" in refused.output
    assert target.read_bytes() == b"an older backup"

    forced = runner.invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert sqlite3.connect(target).execute("PRAGMA integrity_check").fetchall() == [("ok",)]

    for args, message in [
        ([str(live), "--force"], "is the database itself"),
        ([str(tmp_path)], "is a directory"),
        ([str(tmp_path / "no" / "such" / "folder" / "b.sqlite3")], "does not exist"),
        ([str(tmp_path / "b.sqlite3"), "--pages", "0"], "x>=1"),
    ]:
        result = runner.invoke(args=["backup", *args])
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert not (tmp_path / "b.sqlite3").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    app.extensions["kb.engine"].dispose()


def test_backup_of_a_missing_database_creates_nothing(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'nothing.sqlite3'}", tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite3")])
    assert result.exit_code == 1 and "there is no database file" in result.output
    assert not (tmp_path / "b.sqlite3").exists()
    assert not (tmp_path / "nothing.sqlite3").exists()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_postgresql_gets_the_pg_dump_command(databases, tmp_path) -> None:
    # The command decides from the URL alone: this one is never connected to.
    url = f"postgresql+psycopg://kb:s3cret@127.0.0.1:{_closed_port()}/kb"
    app = make_app(url, tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "kb.dump")])
    app.extensions["kb.engine"].dispose()
    assert result.exit_code == 1
    assert "kb backup copies SQLite databases" in result.output
    assert f"pg_dump --format=custom --file={tmp_path / 'kb.dump'} postgresql://" in result.output
    assert "pg_restore --clean --if-exists" in result.output
    assert "s3cret" not in result.output and "+psycopg" not in result.output
    assert not (tmp_path / "kb.dump").exists()
    if databases.backend == "postgresql":
        _pg_dump_round_trip(databases, tmp_path)


def _pg_bin(tool: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parts[4]))
    return str(found[-1]) if found else tool


def _pg_dump_round_trip(databases, tmp_path: Path) -> None:
    """On a real server, the commands kb prints work as printed: pg_dump, then pg_restore into
    another database, gives the same export and a clean `kb check`."""
    source, restored = databases.migrated(), databases.empty()
    try:
        app = make_app(source, tmp_path / "pg-instance")
        with app.app_context(), session_scope() as session:
            load_seed(session)
        dump = tmp_path / "kb.dump"
        printed = app.test_cli_runner().invoke(args=["backup", str(dump)]).output
        app.extensions["kb.engine"].dispose()
        lines = {line.split()[0]: line for line in printed.splitlines() if line.startswith("pg_")}
        dump_cmd = shlex.split(lines["pg_dump"])
        subprocess.run([_pg_bin("pg_dump"), *dump_cmd[1:]], check=True, timeout=WAIT_SECONDS)
        restore_cmd = shlex.split(printed.split("restore it with: ", 1)[1].splitlines()[0])
        target = make_url(restored).set(drivername="postgresql").render_as_string(False)
        restore_cmd = [
            a if not a.startswith("--dbname=") else f"--dbname={target}" for a in restore_cmd
        ]
        subprocess.run([_pg_bin("pg_restore"), *restore_cmd[1:]], check=True, timeout=WAIT_SECONDS)
        exports = []
        for url in (source, restored):
            app = make_app(url, tmp_path / "pg-instance")
            exports.append(app.test_client().get("/export/kb.json").get_data())
            code = app.test_cli_runner().invoke(args=["check"]).exit_code
            app.extensions["kb.engine"].dispose()
            assert code == 0
        assert exports[0] == exports[1] and b"rees-ofh-2003" in exports[0]
    finally:
        databases.drop(source)
        databases.drop(restored)
