"""Slow clients cannot take `kb serve` down: with its defaults, /healthz and a page answer
within a second while 50 slow clients are connected, half of them sending a POST body at one
byte every two seconds, the others reading /export/kb.zip at about 1 KB/s."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import free_port, kb_executable
from tests.reliability.support import Client, kb_env

SLOW_POSTS = 26
SLOW_READERS = 24
BOUND = 1.0


@pytest.fixture
def default_server(databases, tmp_path):
    """`kb serve --port P`, nothing else: its default workers, worker class and timeouts."""
    url = databases.empty()
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [kb_executable(), "serve", "--port", str(port)],
            env=kb_env(url, tmp_path / "instance"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(lambda: _status(port, "/healthz") == 200, 60, proc)
        yield port, log, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(timeout=10)
        databases.drop(url)


def _status(port: int, path: str, timeout: float = BOUND) -> int | None:
    try:
        return Client("127.0.0.1", port, timeout=timeout).get(path)[0]
    except OSError:
        return None


def _wait_for(condition, seconds: float, proc=None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc is None or proc.poll() is None, "kb serve exited"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _slow_post(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nu"
    )
    return sock


def _slow_reader(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # the server cannot run ahead
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /export/kb.zip HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    return sock


def _status_line(sock: socket.socket) -> bytes:
    head = b""
    while b"\r\n" not in head:
        data = sock.recv(1024)
        assert data, "the server hung up before answering"
        head += data
    return head


def _timed_get(port: int, path: str) -> tuple[int, float]:
    start = time.monotonic()
    status = Client("127.0.0.1", port, timeout=5).get(path)[0]
    return status, time.monotonic() - start


def test_healthz_and_a_page_answer_within_a_second_among_50_slow_clients(
    default_server,
) -> None:
    port, log, proc = default_server
    # Warm every worker first (templates compiled, connections opened): concurrent requests
    # reach all of them. The bound is about slow clients, not about a worker's first page.
    with ThreadPoolExecutor(10) as pool:
        for _ in range(3):
            warm = pool.map(lambda path: _status(port, path, 10), ["/healthz", "/people"] * 10)
            assert set(warm) == {200}
    readers = [_slow_reader(port) for _ in range(SLOW_READERS)]
    posts: list[socket.socket] = []
    try:
        # every reader has the start of its answer: its request is being served
        heads = [_status_line(r) for r in readers]
        posts += [_slow_post(port) for _ in range(SLOW_POSTS)]
        timings = []
        for round_ in range(3):  # over about six seconds: three more bytes of every body
            for sock in posts:
                sock.sendall(b"x")
            for r in readers:
                with contextlib.suppress(TimeoutError):
                    r.recv(1024)
            timings += [_timed_get(port, "/healthz"), _timed_get(port, "/people")]
            if round_ < 2:
                time.sleep(2)  # the slow clients' pace, not a wait for a condition
    finally:
        for sock in posts + readers:
            sock.close()
    assert all(status == 200 for status, _ in timings), timings
    # Starved, a probe would wait out its 5 s timeout. The suite shares two cores with another
    # test process (pytest-xdist), so one probe may queue behind it: the typical probe answers
    # within BOUND and none takes more than twice that.
    elapsed = sorted(t for _, t in timings)
    assert elapsed[len(elapsed) // 2] < BOUND and elapsed[-1] < 2 * BOUND, timings
    # the downloads beyond a worker's limit were told to come back, never failed
    statuses = {int(head.split(b" ", 2)[1]) for head in heads}
    assert statuses <= {200, 503}, statuses
    assert "Traceback" not in Path(log).read_text(errors="replace")
    # and it stops promptly once they are gone: every worker within gunicorn's graceful
    # timeout (10 s), none killed for lingering
    start = time.monotonic()
    proc.terminate()
    proc.wait(timeout=30)
    assert time.monotonic() - start < 8, Path(log).read_text(errors="replace")[-2000:]
