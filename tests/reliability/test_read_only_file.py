"""An SQLite file that turns read-only for a while under `kb serve` with its defaults: saves get
a 503 meanwhile, every save after it is writable again succeeds (no connection stays read-only),
and no worker dies (SQLite's memory map of the -shm file used to kill them with SIGBUS).

Root ignores file modes, so the files are made immutable (`chattr +i`), which refuses writes
to root too, as a file system remounted read-only would. SQLite-specific: an SQLite file
whatever the suite's database.
"""

from __future__ import annotations

import itertools
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from kb import models as m
from kb.cli import serving
from kb.db import make_engine
from tests.conftest import PASSWORD
from tests.helpers import seeded_sqlite_file
from tests.reliability.support import Client, Server, start_server

CONCURRENT = 8  # enough clients that the workers' pools open connections while read-only


@contextmanager
def immutable(paths: list[Path]) -> Iterator[None]:
    subprocess.run(["chattr", "+i", *map(str, paths)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def _workers(server: Server, expected: int) -> list[int]:
    """The master's worker PIDs, once all of them have booted."""
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
    deadline = time.monotonic() + 30
    while True:
        pids = sorted(int(pid) for pid in children.read_text().split())
        if len(pids) == expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.1)


def _seeded_file(tmp_path: Path) -> tuple[str, Path]:
    path = seeded_sqlite_file(tmp_path, "ro-editor")
    return f"sqlite:///{path}", path


def _topics_named(url: str, prefix: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).where(m.Topic.name.startswith(prefix)))
    finally:
        engine.dispose()


def test_a_file_read_only_for_a_while_recovers_by_itself_and_kills_no_worker(tmp_path) -> None:
    url, path = _seeded_file(tmp_path)
    workers = serving.default_workers()
    server = start_server(url, tmp_path, workers=workers, threads=4)  # kb serve's defaults
    numbers = itertools.count()
    try:
        editor = Client(server.host, server.port)
        editor.login("ro-editor", PASSWORD)
        pids = _workers(server, workers)
        assert len(pids) == workers
        for suffixes in (("", "-wal"), ("", "-wal", "-shm")):
            files = [Path(f"{path}{suffix}") for suffix in suffixes]
            fields = editor.form_fields("/admin/topic/new")

            def refused_save(_i: int, fields=fields) -> int:
                client = Client(server.host, server.port, cookies=dict(editor.cookies))
                form = {**fields, "name": f"Refused {next(numbers)}"}
                return client.request("POST", "/admin/topic/new", form)[0]

            with immutable(files), ThreadPoolExecutor(CONCURRENT) as pool:
                statuses = list(pool.map(refused_save, range(3 * CONCURRENT)))
                reading = editor.get("/claims")[0]
            assert set(statuses) == {503}, (suffixes, statuses)
            assert reading == (200 if "-shm" not in suffixes else 503), suffixes
            saves = [
                editor.submit("/admin/topic/new", {"name": f"Saved {next(numbers)}"})[0]
                for _ in range(2 * workers)
            ]
            assert saves == [302] * len(saves), (suffixes, saves)
        assert _workers(server, workers) == pids, server.output()[-3000:]
    finally:
        server.stop()
    assert "SIGBUS" not in server.output()
    assert _topics_named(url, "Refused") == 0
    assert _topics_named(url, "Saved") == 4 * workers
