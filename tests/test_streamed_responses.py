"""Streamed responses (every CSV, /export/*, kb.zip, the graph exports): the headers they
send, and the one database connection each holds, given back when the stream ends or the
client goes away."""

from __future__ import annotations

import gc
import socket
import struct
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.test import create_environ, run_wsgi_app

from kb.formats import kb1

CSV_DOWNLOADS = [
    *(f"/export/{entity}.csv" for entity in kb1.ENTITIES),
    "/people.csv",
    "/claims.csv",
    "/sources.csv",
    "/topics.csv",
]


@pytest.mark.parametrize("path", CSV_DOWNLOADS)
def test_every_csv_download_names_one_charset(seeded_client, path) -> None:
    response = seeded_client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]


# --- one connection per stream, given back at the end or when the client leaves -----------

STREAMED = [
    "/export/graph.json",
    "/export/graph.graphml",
    "/export/graph.gexf",
    "/export/kb.zip",
    "/export/kb.json",
    "/export/people.csv",
    "/people.csv",
    "/claims.csv",
]
POOL_SIZE = 3


@pytest.fixture
def small_pool(seeded_app):
    """The seeded app on a pool of three connections that never overflows and gives up after
    two seconds, so a stream that keeps its connection shows at once; the garbage collector
    is off, so nothing is given back by a finalizer behind the test's back."""
    from kb.db import make_engine

    url = seeded_app.config["DATABASE_URL"]
    seeded_app.extensions["kb.engine"].dispose()
    engine = make_engine(url, pool_size=POOL_SIZE, max_overflow=0, pool_timeout=2)
    seeded_app.extensions["kb.engine"] = engine
    seeded_app.extensions["kb.sessionmaker"].configure(bind=engine)
    gc.disable()
    try:
        yield seeded_app, engine.pool
    finally:
        gc.enable()
        engine.dispose()


def _served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _fetch(port: int, path: str, leave_early: bool) -> int:
    """GET path and read it all, or hang up (a reset, as a closed browser tab does) after the
    first bytes. Returns the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        data = sock.recv(64)
        if leave_early:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            while chunk := sock.recv(1 << 16):
                data += chunk
    return int(data.split(b" ", 2)[1])


def _wait_until_all_returned(pool, seconds: float = 5.0) -> int:
    deadline = time.monotonic() + seconds
    while pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)
    return pool.checkedout()


@pytest.mark.parametrize("path", STREAMED)
def test_a_stream_closed_after_its_first_chunk_gives_its_connection_back(small_pool, path):
    app, pool = small_pool
    for _ in range(POOL_SIZE + 1):
        app_iter, status, _headers = run_wsgi_app(app, create_environ(path), buffered=False)
        assert status.startswith("200")
        chunks = iter(app_iter)
        assert next(chunks)
        next(chunks, b"")  # a CSV's header comes before its first query
        assert pool.checkedout() <= 1  # the stream's own connection, and only one
        app_iter.close()  # what the server does when the client goes away
        assert pool.checkedout() == 0


def test_concurrent_clients_of_every_stream_never_exhaust_the_pool(small_pool) -> None:
    app, pool = small_pool
    server, thread = _served(app)
    port = server.server_port
    statuses: list[int] = []

    def client(n: int) -> None:
        for i in range(4):
            for path in STREAMED:
                statuses.append(_fetch(port, path, leave_early=(n + i) % 2 == 0))

    try:
        workers = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
        assert not any(worker.is_alive() for worker in workers)
        assert statuses and set(statuses) == {200}
        assert _wait_until_all_returned(pool) == 0
        assert _fetch(port, "/index.json", leave_early=False) == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_a_worker_sends_at_most_max_streams_downloads_and_answers_503_beyond(
    small_pool,
) -> None:
    app, pool = small_pool
    app.config["MAX_STREAMS"] = 2
    open_streams = []
    for path in ("/export/kb.zip", "/export/graph.json"):
        app_iter, status, _headers = run_wsgi_app(app, create_environ(path), buffered=False)
        assert status.startswith("200")
        next(iter(app_iter))
        open_streams.append(app_iter)
    for path in ("/export/kb.zip", "/people.csv", "/export/graph.gexf"):
        app_iter, status, headers = run_wsgi_app(app, create_environ(path), buffered=True)
        assert status.startswith("503")
        assert headers["Retry-After"] == "30"
        assert b"try again" in b"".join(app_iter)
    # the pages keep their connections meanwhile
    assert app.test_client().get("/index.json").status_code == 200
    open_streams.pop().close()
    response = app.test_client().get("/export/kb.zip")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    open_streams.pop().close()
    assert pool.checkedout() == 0
    for _ in range(5):  # every slot came back
        assert app.test_client().get("/people.csv").status_code == 200
