"""Helpers for the reliability tests: a real `kb serve` (gunicorn) over a test database, and a
small HTTP client with cookies and CSRF tokens, built on http.client so that it needs nothing
beyond the standard library. No tests here."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from tests.conftest import hidden_fields
from tests.helpers import free_port, kb_executable

SECRET_KEY = "reliability-test-secret"


def kb_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a kb process over the test's database."""
    instance.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "KB_INSTANCE_PATH": str(instance),
        "KB_DATABASE_URL": database_url,
        "KB_SECRET_KEY": SECRET_KEY,
        **extra,
    }


@dataclass
class Server:
    """A running `kb serve`: gunicorn's master and its workers, in their own process group."""

    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a power cut would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(database_url: str, workdir: Path, workers: int = 2, threads: int = 4) -> Server:
    """Start `kb serve` (gunicorn) on a free loopback port and wait until it answers.
    Its output goes to a file, so a chatty server can never block on a full pipe."""
    port = free_port()
    log = workdir / f"serve-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                kb_executable(),
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--no-access-log",
            ],
            env=kb_env(database_url, workdir / "instance"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() reaches every worker
        )
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _headers, _body = Client(server.host, port).request("GET", "/")
            if status == 200:
                return server
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"kb serve did not start:\n{server.output()}")
        time.sleep(0.2)


@dataclass
class Client:
    """One browser-like client: keeps its cookies, opens a fresh connection per request (so a
    keep-alive connection closed by the server can never swallow a POST), never follows
    redirects (the test wants to see the 302 that acknowledges a save)."""

    host: str
    port: int
    timeout: float = 60.0
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, http.client.HTTPMessage, str]:
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                if morsel.value and not morsel["expires"].startswith("Thu, 01 Jan 1970"):
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, data.decode("utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, str]:
        return self.request("GET", path)

    def form_fields(self, path: str) -> dict[str, str]:
        """The CSRF token and record version of the form at `path`, as a browser sends them."""
        status, _headers, page = self.get(path)
        if status != 200:
            raise AssertionError(f"GET {path} answered {status}")
        fields = hidden_fields(page)
        return {k: v for k, v in fields.items() if k in ("csrf_token", "version")}

    def submit(self, path: str, data: dict[str, Any]) -> tuple[int, http.client.HTTPMessage, str]:
        """GET the form, then POST `data` with its hidden fields, like a browser."""
        return self.request("POST", path, {**self.form_fields(path), **data})

    def login(self, username: str, password: str) -> None:
        status, _headers, _page = self.submit(
            "/login", {"username": username, "password": password}
        )
        if status != 302:
            raise AssertionError(f"login as {username} answered {status}")


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"


def report(name: str, backend: str, line: str) -> None:
    """Print a test's figures (seen with `pytest -s`) and keep them in
    test-artifacts/reliability/NAME-BACKEND.txt, so a CI run leaves them for the release note."""
    print(f"\n{line}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}-{backend}.txt").write_text(line + "\n", encoding="utf-8")
