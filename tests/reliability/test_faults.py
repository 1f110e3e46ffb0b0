"""Faults: writers killed with SIGKILL at random moments, and a database that is read-only, full
or busy.

After a kill, the database must pass its integrity checks (SQLite: integrity_check and
foreign_key_check; PostgreSQL: amcheck over every B-tree index, heap included), hold all or none
of an import, and hold every save that was acknowledged before the kill, with its revision. A
database that cannot take a write must give a plain 503 page or a one-line CLI error with exit
status 1, never a traceback. The randomness is seeded; the figures are printed (`pytest -s`).
"""

from __future__ import annotations

import html
import http.client
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from kb import models as m
from kb.__main__ import cli
from kb.db import UNAVAILABLE_MESSAGES, make_engine
from kb.load.seed import load_seed
from kb.web import auth
from kb.web.database import session_scope
from tests.conftest import PASSWORD, login, make_app
from tests.helpers import kb_executable, submit
from tests.reliability.support import Client, kb_env, report, start_server

IMPORT_TRIALS = 5
BURST_TRIALS = 5
RANDOM_SEED = 20261128
# A kb/1 file big enough that importing it takes a few seconds (the kills land inside it).
DUMP_SCALE = {
    "people": 60,
    "claims": 300,
    "sources": 600,
    "quotes": 2000,
    "stances": 2000,
    "relations": 300,
}
ROOT = Path(__file__).resolve().parents[2]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def integrity_problems(url: str) -> list[str]:
    """What the database's own checks find wrong (empty when it is sound)."""
    engine = make_engine(url)
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            if is_sqlite(url):
                result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
                if result != ["ok"]:
                    problems += [f"integrity_check: {r}" for r in result]
                problems += [
                    f"foreign_key_check: {tuple(r)}"
                    for r in conn.exec_driver_sql("PRAGMA foreign_key_check")
                ]
            else:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS amcheck")
                conn.commit()
                indexes = conn.execute(
                    text(
                        "SELECT c.oid, c.relname FROM pg_index i"
                        " JOIN pg_class c ON c.oid = i.indexrelid"
                        " JOIN pg_am a ON a.oid = c.relam"
                        " WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace"
                    )
                ).all()
                assert indexes, "no indexes found to check"
                for oid, name in indexes:
                    try:
                        conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                    except Exception as exc:  # amcheck reports corruption as an error
                        problems.append(f"bt_index_check({name}): {exc}")
                        conn.rollback()
    finally:
        engine.dispose()
    return problems


def table_counts(url: str) -> dict[str, int]:
    """Rows in every table of the model, and the data version every write bumps. Not the
    values any read may keep for every worker (kb.store.derived): they are not data."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            counts = {
                t.name: conn.scalar(select(func.count()).select_from(t))
                for t in m.Base.metadata.sorted_tables
                if t.name != "derived_value"
            }
            counts["data_version"] = conn.scalar(select(m.KbState.data_version)) or 0
    finally:
        engine.dispose()
    return counts


def _seeded(databases, instance: Path, users: tuple[str, ...] = ()) -> str:
    url = databases.migrated()
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            load_seed(session)
            for name in users:
                auth.create_user(session, name, "editor", PASSWORD)
    finally:
        app.extensions["kb.engine"].dispose()
    return url


def _run_kb(
    url: str, instance: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [kb_executable(), *args],
        env=kb_env(url, instance),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    """A kb/1 JSON file of obviously synthetic records (kb.load.synth, then `kb export`), made on
    SQLite whatever the suite's database: only the file matters."""
    from kb import migrate
    from kb.load.synth import Scale, generate

    work = tmp_path_factory.mktemp("dump")
    url = f"sqlite:///{work / 'source.sqlite3'}"
    migrate.upgrade(url)
    app = make_app(url, work / "instance")
    try:
        with app.app_context(), session_scope() as session:
            generate(session, Scale(**DUMP_SCALE), seed=RANDOM_SEED)
        path = work / "dump.json"
        result = app.test_cli_runner().invoke(args=["export", "-o", str(path)])
        assert result.exit_code == 0, result.output
    finally:
        app.extensions["kb.engine"].dispose()
    return path


# -- an import killed at random moments ----------------------------------------------------------


def _add_topic(url: str, instance: Path, name: str) -> None:
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            session.add(m.Topic(slug=name.lower().replace(" ", "-"), name=name))
    finally:
        app.extensions["kb.engine"].dispose()


class WriteWatch:
    """How far a writer has got, in bytes written for its uncommitted transaction: on SQLite
    the size of the WAL file (pages spilled from the writer's cache, then the commit), on
    PostgreSQL the growth of the database's files (a heap or index extended by an uncommitted
    insert grows at once). So a kill can land at a chosen point inside the writing, not in
    the seconds of interpreter start-up before it, however busy the machine is."""

    def __init__(self, url: str):
        self.url = url
        self.engine = None if is_sqlite(url) else make_engine(url)
        self.baseline = self._size()

    def _size(self) -> int:
        if self.engine is None:
            wal = Path(make_url(self.url).database + "-wal")
            try:
                return wal.stat().st_size
            except FileNotFoundError:
                return 0
        with self.engine.connect() as conn:
            return conn.scalar(text("SELECT pg_database_size(current_database())"))

    def written(self) -> int:
        return self._size() - self.baseline

    def run(self, proc: subprocess.Popen, until: int | None = None, timeout: float = 180) -> int:
        """Poll until `until` bytes were written (then SIGKILL the writer) or the writer ends.
        Returns the most bytes seen written."""
        most = 0
        started = time.monotonic()
        while proc.poll() is None:
            most = max(most, self.written())
            if until is not None and most >= until:
                proc.send_signal(signal.SIGKILL)
                break
            if time.monotonic() - started > timeout:
                proc.kill()
                raise AssertionError("the import took too long")
            time.sleep(0.005)
        proc.wait(timeout=30)
        return max(most, self.written())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def _import(url: str, instance: Path, dump: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [kb_executable(), "import", str(dump)],
        env=kb_env(url, instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_import_killed_at_random_moments_leaves_all_or_nothing(databases, tmp_path, dump) -> None:
    instance = tmp_path / "instance"
    # The reference: the same import, left to finish, gives the "all" counts and how many
    # bytes its transaction writes.
    url = _seeded(databases, instance)
    try:
        before = table_counts(url)
        watch = WriteWatch(url)
        try:
            proc = _import(url, instance, dump)
            total = watch.run(proc)
            assert proc.returncode == 0, proc.stderr.read().decode()
        finally:
            watch.close()
        after = table_counts(url)
    finally:
        databases.drop(url)
    assert after["stance"] - before["stance"] == DUMP_SCALE["stances"]
    assert total > 0

    rng = random.Random(RANDOM_SEED)
    outcomes = []
    for trial in range(IMPORT_TRIALS):
        url = _seeded(databases, instance)
        try:
            assert table_counts(url) == before
            watch = WriteWatch(url)
            try:
                fraction = rng.uniform(0.05, 0.9)
                proc = _import(url, instance, dump)
                written = watch.run(proc, until=int(fraction * total))
            finally:
                watch.close()
            killed = proc.returncode == -signal.SIGKILL
            # The restart: a new process opens the database (SQLite recovers from its WAL).
            problems = integrity_problems(url)
            assert not problems, f"trial {trial}: " + "\n".join(problems)
            now = table_counts(url)
            assert now in (before, after), f"trial {trial}: a partial import: {now}"
            outcome = "none" if now == before else "all"
            assert killed or outcome == "all", proc.stderr.read().decode()
            if killed and outcome == "all":
                outcome = "all, committed just before the kill"
            elif not killed:
                outcome = "all, finished before the kill"
            outcomes.append(f"killed at {written / total:.0%} of the writing: {outcome}")
            # Still a working database after the restart: it takes a write.
            _add_topic(url, instance, f"Synthetic topic after kill {trial}")
        finally:
            databases.drop(url)
    report(
        "import-kills",
        databases.backend,
        f"import kills on {databases.backend}: an import of {sum(DUMP_SCALE.values())} records "
        f"({total / 1e6:.1f} MB written); {IMPORT_TRIALS} trials killed with SIGKILL: {outcomes}",
    )
    # The kills landed inside the writing: at least one left nothing behind.
    assert any(o.endswith(": none") for o in outcomes)


# -- a burst of acknowledged edits killed at random moments ---------------------------------------


def _burst(url: str, instance: Path, tag: str, shared_id: int, run_for: float) -> list[str]:
    """Run the edit burst for `run_for` seconds after it logged in, SIGKILL it, and return the
    lines it finished printing (each one an acknowledged save)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.edit_burst",
            "burst",
            PASSWORD,
            tag,
            str(shared_id),
        ],
        env=kb_env(url, instance),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = proc.stdout.readline()
        assert first == b"ready\n", first + proc.stderr.read()
        time.sleep(run_for)
        assert proc.poll() is None, proc.stderr.read().decode()
        proc.send_signal(signal.SIGKILL)
        out = proc.stdout.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    # A line cut by the kill has no newline: it was not finished, so it promised nothing.
    return out.split("\n")[:-1]


def test_burst_of_edits_killed_keeps_every_acknowledged_save(databases, tmp_path) -> None:
    instance = tmp_path / "instance"
    url = _seeded(databases, instance, users=("burst",))
    try:
        app = make_app(url, instance)
        with app.app_context(), session_scope() as session:
            shared = m.Topic(slug="synthetic-burst-shared", name="Synthetic burst shared topic")
            session.add(shared)
            session.flush()
            shared_id = shared.id
        app.extensions["kb.engine"].dispose()

        rng = random.Random(RANDOM_SEED + 1)
        acknowledged: list[tuple[str, int, str]] = []
        per_trial = []
        for trial in range(BURST_TRIALS):
            lines = _burst(url, instance, f"t{trial}", shared_id, rng.uniform(0.1, 1.2))
            saves = []
            for line in lines:
                action, _entity, record_id, value = line.split(" ", 3)
                saves.append((action, int(record_id), value))
            per_trial.append(len(saves))
            acknowledged += saves
            problems = integrity_problems(url)
            assert not problems, f"trial {trial}: " + "\n".join(problems)
            _check_saves(url, instance, acknowledged)
        report(
            "edit-burst-kills",
            databases.backend,
            f"edit-burst kills on {databases.backend}: {BURST_TRIALS} trials, acknowledged "
            f"saves per trial {per_trial}, all {len(acknowledged)} found with their revisions",
        )
        assert len(acknowledged) >= BURST_TRIALS
    finally:
        databases.drop(url)


def _check_saves(
    url: str, instance: Path, saves: list[tuple[str, int, str]], actor_prefix: str = "burst"
) -> None:
    app = make_app(url, instance)
    try:
        with app.app_context(), session_scope() as session:
            revisions: dict[int, list[m.Revision]] = {}
            for rev in session.scalars(
                select(m.Revision).where(
                    m.Revision.entity == "topic", m.Revision.actor.startswith(actor_prefix)
                )
            ):
                revisions.setdefault(rev.entity_id, []).append(rev)
            for action, record_id, value in saves:
                revs = revisions.get(record_id, [])
                if action == "create":
                    topic = session.get(m.Topic, record_id)
                    assert topic is not None and topic.name == value, (record_id, value)
                    assert any(r.action == "create" for r in revs), f"no revision: {value}"
                else:
                    assert any(
                        r.action == "update" and r.changes["description"][1] == value for r in revs
                    ), f"no revision of the acknowledged save {value!r}"
    finally:
        app.extensions["kb.engine"].dispose()


# -- the production server killed while editors save -----------------------------------------------

SERVER_TRIALS = 2
SERVER_EDITORS = 4


def _server_editor(server, number: int, tag: str, stop, ready, acknowledged: list, lock) -> None:
    """Save new topics until the server dies; keep the ones it acknowledged (302)."""
    client = Client(server.host, server.port, timeout=30)
    try:
        client.login(f"server-editor-{number}", PASSWORD)
    finally:
        ready.release()
    i = 0
    while not stop.is_set():
        i += 1
        name = f"Synthetic server-kill topic {tag}-{number}-{i}"
        try:
            status, headers, _body = client.submit("/admin/topic/new", {"name": name})
        except (OSError, AssertionError, http.client.HTTPException):
            return  # the server is gone: this save was never acknowledged
        if status == 302:
            record_id = int(headers["Location"].rstrip("/").split("/")[-2])
            with lock:
                acknowledged.append(("create", record_id, name))


def test_server_killed_while_editors_save_keeps_every_acknowledged_save(
    databases, tmp_path
) -> None:
    """SIGKILL to gunicorn's master and all its workers at once, mid-requests; after each
    restart every acknowledged save is there, with its revision, and the database is sound."""
    instance = tmp_path / "instance"
    users = tuple(f"server-editor-{n}" for n in range(SERVER_EDITORS))
    url = _seeded(databases, instance, users=users)
    rng = random.Random(RANDOM_SEED + 2)
    acknowledged: list[tuple[str, int, str]] = []
    per_trial = []
    try:
        for trial in range(SERVER_TRIALS):
            server = start_server(url, tmp_path, workers=2, threads=4)
            stop, ready, lock = threading.Event(), threading.Semaphore(0), threading.Lock()
            saves: list[tuple[str, int, str]] = []
            threads = [
                threading.Thread(
                    target=_server_editor,
                    args=(server, n, f"t{trial}", stop, ready, saves, lock),
                )
                for n in range(SERVER_EDITORS)
            ]
            try:
                for t in threads:
                    t.start()
                for _ in threads:  # all logged in: the kill lands among saves
                    assert ready.acquire(timeout=60)
                time.sleep(rng.uniform(0.3, 2.0))
            finally:
                server.kill()
                stop.set()
                for t in threads:
                    t.join(timeout=60)
            per_trial.append(len(saves))
            acknowledged += saves
            problems = integrity_problems(url)
            assert not problems, f"trial {trial}: " + "\n".join(problems)
            _check_saves(url, instance, acknowledged, actor_prefix="server-editor-")
        report(
            "server-kills",
            databases.backend,
            f"server kills on {databases.backend}: {SERVER_TRIALS} trials of {SERVER_EDITORS} "
            f"editors against kb serve, SIGKILL to every gunicorn process; acknowledged saves "
            f"per trial {per_trial}, all {len(acknowledged)} found with their revisions",
        )
        assert sum(per_trial) >= SERVER_TRIALS
    finally:
        databases.drop(url)


# -- a database that cannot take a write -----------------------------------------------------------


def read_only_url(url: str) -> str:
    """The same database, opened so that every write is refused by the database itself: SQLite
    in mode=ro, PostgreSQL with read-only transactions (what a hot standby answers too)."""
    if is_sqlite(url):
        return f"sqlite:///file:{make_url(url).database}?mode=ro&uri=true"
    options = "-c default_transaction_read_only=on"
    return make_url(url).update_query_dict({"options": options}).render_as_string(False)


def assert_plain_503(response, reason: str) -> None:
    page = html.unescape(response.text)
    assert response.status_code == 503, page[:2000]
    assert UNAVAILABLE_MESSAGES[reason] in page
    assert response.headers["Retry-After"].isdigit()
    for leak in ("Traceback", "sqlalchemy", "sqlite3", "psycopg", "INSERT", "database is locked"):
        assert leak not in page, leak


def _editor_app(url: str, instance: Path, name: str):
    """An app over `url` and an account there (made before the database turns unwritable)."""
    app = make_app(url, instance)
    with app.app_context(), session_scope() as session:
        auth.create_user(session, name, "editor", PASSWORD)
    return app


def _topics_named(url: str, name: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).where(m.Topic.name == name))
    finally:
        engine.dispose()


def test_read_only_database_gives_a_503_page_and_a_cli_error(databases, tmp_path, dump) -> None:
    instance = tmp_path / "instance"
    url = _seeded(databases, instance)
    try:
        writable = _editor_app(url, instance, "reader-only")
        # Logging in counts the attempt in the database (shared by every worker), so it needs
        # a writable file: the editor logs in before it turns read-only, and stays logged in.
        before = writable.test_client()
        assert login(before, "reader-only").status_code == 302
        cookie = before.get_cookie("session")
        writable.extensions["kb.engine"].dispose()
        ro = read_only_url(url)
        app = make_app(ro, instance)
        try:
            client = app.test_client()
            client.set_cookie("session", cookie.value)
            response = submit(client, "/admin/topic/new", {"name": "Synthetic read-only topic"})
            assert_plain_503(response, "read_only")
            # Reading still works, and the editor is still logged in.
            assert client.get("/").status_code == 200
            assert client.get("/claims/ai-existential-risk").status_code == 200
            assert client.get("/admin/").status_code == 200
        finally:
            app.extensions["kb.engine"].dispose()
        assert _topics_named(url, "Synthetic read-only topic") == 0

        # The CLI: one line, exit status 1, no traceback; once as an operator runs it.
        run = subprocess.run(
            [kb_executable(), "import", str(dump)],
            env=kb_env(ro, instance),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 1, run.stdout + run.stderr
        assert UNAVAILABLE_MESSAGES["read_only"] in run.stderr
        assert "Traceback" not in run.stderr + run.stdout
        app = make_app(ro, instance)
        try:
            result = CliRunner().invoke(
                cli,
                ["users", "create", "ro-cli", "--role", "editor", "--password-stdin"],
                input=PASSWORD + "\n",
                obj=ScriptInfo(create_app=lambda: app),
            )
        finally:
            app.extensions["kb.engine"].dispose()
        assert result.exit_code == 1, result.output
        assert UNAVAILABLE_MESSAGES["read_only"] in result.output
        assert "Traceback" not in result.output
        assert table_counts(url)["user_account"] == 1  # nothing written by either command
    finally:
        databases.drop(url)


class FullDisk:
    """A real SQLITE_FULL: every connection of the engine may not grow the file past the pages
    it has now (PRAGMA max_page_count), as if the disk had filled up. Test-only; kb never sets
    it. SQLite-specific, so these tests use an SQLite file whatever the suite's database."""

    def __init__(self, engine):
        self.engine = engine

    def _cap(self, dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages}")
        cursor.close()

    def __enter__(self) -> FullDisk:
        event.listen(self.engine, "connect", self._cap)
        self.engine.dispose()  # connections made from now on are capped
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "connect", self._cap)
        self.engine.dispose()


def test_full_disk_gives_a_503_page_and_a_cli_error(tmp_path, dump) -> None:
    from kb import migrate

    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'full.sqlite3'}"
    migrate.upgrade(url)
    app = _editor_app(url, instance, "full-disk")
    engine = app.extensions["kb.engine"]
    try:
        with app.app_context(), session_scope() as session:
            load_seed(session)
        client = app.test_client()
        assert login(client, "full-disk").status_code == 302
        before = table_counts(url)
        # ~19 KB, under the description limit (kb.rules): with its revision, it needs new pages
        big = "Synthetic filler text for a full disk. " * 480
        with FullDisk(engine):
            response = submit(
                client,
                "/admin/person/new",
                {"name": "Synthetic full-disk person", "description": big},
            )
            assert_plain_503(response, "full")
            assert client.get("/people/francois-chollet").status_code == 200

            result = CliRunner().invoke(
                cli, ["import", str(dump)], obj=ScriptInfo(create_app=lambda: app)
            )
            assert result.exit_code == 1, result.output
            assert UNAVAILABLE_MESSAGES["full"] in result.output
            assert "Traceback" not in result.output
        assert table_counts(url) == before
        assert not integrity_problems(url)
    finally:
        engine.dispose()


def test_busy_database_gives_a_503_not_database_is_locked(databases, tmp_path) -> None:
    """Another process holds the lock a save needs for longer than kb waits (SQLite: the write
    lock, past the busy timeout; PostgreSQL: the topic table, past the lock timeout), as a
    huge import would: the save waits that long, then gets a plain 503; afterwards it works."""
    url = databases.migrated()
    app = _editor_app(url, tmp_path / "instance", "busy")
    holder = make_engine(url, poolclass=NullPool)
    try:
        client = app.test_client()
        assert login(client, "busy").status_code == 302
        with holder.connect() as conn:
            if is_sqlite(url):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("LOCK TABLE topic IN SHARE MODE")  # readers still pass
            response = submit(client, "/admin/topic/new", {"name": "Synthetic busy topic"})
            assert_plain_503(response, "busy")
            assert client.get("/topics").status_code == 200  # reading goes on meanwhile
            conn.rollback()
        response = submit(client, "/admin/topic/new", {"name": "Synthetic busy topic"})
        assert response.status_code == 302
        assert _topics_named(url, "Synthetic busy topic") == 1
    finally:
        holder.dispose()
        app.extensions["kb.engine"].dispose()
        databases.drop(url)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/kb?connect_timeout=5",  # nothing listens
        "sqlite:////nonexistent-kb-folder/kb.sqlite3",  # SQLite cannot create the file
    ],
    ids=["postgresql-refused", "sqlite-cannot-open"],
)
def test_unreachable_database_gives_a_503_page_and_a_cli_error(url, tmp_path) -> None:
    app = make_app(url, tmp_path / "instance", PROPAGATE_EXCEPTIONS=False)
    try:
        client = app.test_client()
        for path in ("/", "/people/francois-chollet", "/search?q=risk", "/export/stances.csv"):
            assert_plain_503(client.get(path), "unreachable")
        result = CliRunner().invoke(cli, ["db", "current"], obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 1, result.output
        assert UNAVAILABLE_MESSAGES["unreachable"] in result.output
        assert "Traceback" not in result.output
    finally:
        app.extensions["kb.engine"].dispose()
