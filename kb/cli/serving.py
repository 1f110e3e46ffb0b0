"""Production serving with gunicorn: several worker processes, each serving many connections.

Each worker builds its own app after the fork (no preload), so no database connection is ever
shared between processes. The workers are gevent's by default: a connection is a greenlet, not
a thread, so clients that send their request or read their download slowly cost a little
memory each and never leave the others waiting for a free thread (25 of them took every
thread of the old gthread workers). Request bodies are read whole before the app runs, within
a deadline (kb.web.bodies); concurrent downloads are bounded per worker (kb.web.streams).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from kb.store import heap

MAX_DEFAULT_WORKERS = 12
# Common log format plus the time the request took, in milliseconds, so slow pages stand out.
ACCESS_LOG_FORMAT = '%(h)s - - %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """gunicorn's rule of thumb, 2 x cores + 1, capped: every worker holds its own app,
    engine and connection pool, and beyond a dozen the memory buys nothing on a small host.
    kb's pages are short and mostly wait on the database, so each worker's threads
    (see `kb serve --threads`) overlap those waits."""
    return min(2 * cores() + 1, MAX_DEFAULT_WORKERS)


class CannotListen(Exception):
    """The address kb serve was asked for cannot be listened on; the message says why and what
    to do, in a sentence for the terminal."""


def check_address(host: str, port: int) -> None:
    """Fail early, with one sentence, when (host, port) cannot be listened on: gunicorn would
    otherwise retry, log an error a second for five seconds, then exit with a bare "Can't
    connect". Binds a throwaway socket the way gunicorn does (SO_REUSEADDR, so a port left in
    TIME_WAIT by a previous run is not taken for busy)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CannotListen(
            f"cannot listen on {host!r}: no such address ({exc.strerror})."
        ) from None
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CannotListen(_why_not(host, port, exc)) from None


def _why_not(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        other = port + 1 if port < 65535 else 5000
        return (
            f"port {port} on {host} is already in use (another kb serve, or another program). "
            f"Stop that program, or pick another port: kb serve --port {other}"
        )
    if exc.errno == errno.EACCES:
        return (
            f"not allowed to listen on port {port} (ports below 1024 need privileges). "
            "Pick a port from 1024 up: kb serve --port 5000"
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine: pick one with --host (e.g. 127.0.0.1)"
    return f"cannot listen on {host}:{port}: {exc.strerror}"


class KbServer(BaseApplication):
    def __init__(self, options: dict[str, Any], app_factory: Any):
        self.options = options
        self.app_factory = app_factory
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        """The app, in the worker (after the fork, and after gevent patched the standard
        library): behind BufferedBodies when the worker is gevent's. A worker lives long, so
        it settles its costly values (kb.store.heap)."""
        heap.enable()
        app = self.app_factory()
        if self.cfg.worker_class_str != "gevent":
            return app
        from kb.web.bodies import BufferedBodies

        _cooperative_postgresql()
        self.cfg.set("worker_exit", _quick_exit(app))
        return BufferedBodies(app, app.config.get("MAX_CONTENT_LENGTH"))


def _quick_exit(app: Any) -> Any:
    """A worker_exit hook for gevent workers that stopped normally: close the database
    connections, flush the log, and leave without the interpreter's last garbage collection,
    which took a gevent worker 3 to 10 s after "Worker exiting" (past the graceful timeout,
    so the master killed it), where a thread worker takes a fraction of a second. A worker that
    fails keeps its exit status: the master reads it."""

    def worker_exit(_arbiter: Any, _worker: Any) -> None:
        failure = sys.exc_info()[1]
        if not isinstance(failure, SystemExit) or failure.code not in (0, None):
            return
        engine = app.extensions.get("kb.engine")
        if engine is not None:
            engine.dispose()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    return worker_exit


def _cooperative_postgresql() -> None:
    """psycopg chooses how to wait for the server when it is imported: in the master, before
    gevent patched `select`, it chose a C wait that would block every greenlet of the worker
    for the length of each query. Choose again as psycopg itself does under gevent (poll, which
    gevent made cooperative)."""
    waiting = sys.modules.get("psycopg.waiting")
    if waiting is not None and hasattr(waiting, "wait_poll"):
        waiting.wait = waiting.wait_poll  # type: ignore[attr-defined]  # a module from sys.modules


WORKER_CLASSES = ("gevent", "gthread")
"""gevent (the default): one greenlet per connection, so a slow client costs no thread and
cannot starve the others; gthread: a thread per request, `threads` per worker."""
WORKER_CONNECTIONS = 1000
KEEPALIVE = 0
"""Each connection is closed after its answer. A gevent worker busy rendering a page accepts
no connection, so each new one goes to a worker that is free; kept alive, a connection stayed
with the worker that first took it, and a worker holding three of eight clients answered
them in turn while others idled: first visits of claim pages at the reference scale, 8
clients on 2 cores, p99 980 ms with keep-alive, 195 ms without, at the same throughput. (The
proxy in front keeps its own connections to readers alive.)"""


def serve(
    host: str,
    port: int,
    workers: int,
    threads: int,
    access_log: bool = True,
    *,
    app_factory: Any,
    worker_class: str = "gevent",
) -> None:
    if worker_class == "gthread" and threads <= 1:
        worker_class = "sync"
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": worker_class,
        "worker_connections": WORKER_CONNECTIONS,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "control_socket_disable": True,
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": KEEPALIVE,
    }
    KbServer(options, app_factory).run()
