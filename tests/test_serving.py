"""`kb serve` in production shape: several gunicorn workers, access logs, static cache headers,
and 304s that hold across workers (the validator comes from the database, not the process)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from kb.cli import serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kb() -> str:
    candidate = Path(sys.executable).with_name("kb")
    return str(candidate) if candidate.exists() else "kb"


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_default_workers_follow_the_cores_within_bounds() -> None:
    workers = serving.default_workers()
    assert workers == min(2 * serving.cores() + 1, serving.MAX_DEFAULT_WORKERS)
    assert 3 <= workers <= serving.MAX_DEFAULT_WORKERS


def test_serve_runs_workers_logs_access_and_sends_cache_headers(databases, tmp_path) -> None:
    url = databases.empty()
    port = _free_port()
    env = {**os.environ, "KB_INSTANCE_PATH": str(tmp_path), "KB_DATABASE_URL": url}
    proc = subprocess.Popen(
        [_kb(), "serve", "--port", str(port), "--workers", "3", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, _ = _get(base + "/")
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "kb serve did not start"
            time.sleep(0.3)

        etag = headers["ETag"]
        # Whichever worker answers, the validator is the same, so each answers 304.
        for _ in range(6):
            status, again, body = _get(base + "/", **{"If-None-Match": etag})
            assert status == 304 and body == b""
            assert again["ETag"] == etag

        status, static_headers, _ = _get(base + "/static/kb.css")
        assert status == 200
        assert "max-age=3600" in static_headers["Cache-Control"]
        # each answer closes its connection, even one a client asked to keep alive, so that
        # the client's next request goes to a free worker
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n"
            )
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += conn.recv(4096)
        assert re.search(rb"(?im)^connection: close\r$", answer), answer
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
        databases.drop(url)

    booted = set(re.findall(r"Booting worker with pid: (\d+)", output))
    assert len(booted) >= 3, output
    assert re.search(r'"GET / HTTP/1\.1" 200 \d+ .*\d+ms', output), output
    assert re.search(r'"GET / HTTP/1\.1" 304 ', output), output
    assert re.search(r'"GET /static/kb\.css HTTP/1\.1" 200 ', output), output
